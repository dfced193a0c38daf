/* SPDX-License-Identifier: MIT */
/* sim_hcs.c - the simulated Host Compute Service (computecore.dll): operations, compute
 * systems and their events. Processes are in sim_proc.c.
 *
 * A call that takes an HCS_OPERATION validates its arguments, marks the operation pending
 * and queues the work for the service's worker thread, returning S_OK ("accepted"), as HCS
 * does. The worker applies the change (the state machine below), completes the operation
 * and delivers completion callbacks and system events - always on the worker, never on the
 * caller's thread, and never with the world locked. Closing a handle drains its callbacks
 * in flight; no callback of a handle runs after its close returns, and closing sends no
 * final event. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zhcs/schema.h>

#include "sim_hcs.h"
#include "sim_pipe.h"
#include "sim_storage.h"
#include "sim_server.h"
#include "zh_hresult.h"
#include "zh_str.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#endif

#define INFINITE_MS 0xFFFFFFFFu
#define SIM_POOL_THREADS 4

/* ---------------------------------------------------------------- latitudes */
/* Process-wide, so that a choice (or ZH_SIM_SEED) survives reopening the simulator. */
static zh_mutex lat_lock = ZH_MUTEX_INIT;
static int lat_value[ZH_SIM_LAT_COUNT];
static bool lat_explicit; /* set by a control (not by ZH_SIM_SEED): a sim:PATH service gets it too */
static const int lat_max[ZH_SIM_LAT_COUNT] = {1, 1, 1, 1, 1, 1, 2, 1};
static const char *const lat_names[ZH_SIM_LAT_COUNT] = {
    "cancel", "close_waits", "abandoned_create", "stopped_processes",
    "callbacks", "ws2022_create_process", "early_exit", "overlapped_stdio"};
static uint64_t lat_rng;     /* xorshift state for callback delays; 0: no delays */
static bool lat_env_applied; /* ZH_SIM_SEED is read once per process */

int sim_lat(int which)
{
    zh_mutex_lock(&lat_lock);
    int v = which >= 0 && which < ZH_SIM_LAT_COUNT ? lat_value[which] : 0;
    zh_mutex_unlock(&lat_lock);
    return v;
}

static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

uint32_t sim_lat_jitter_ms(void)
{
    zh_mutex_lock(&lat_lock);
    uint32_t ms = lat_rng ? (uint32_t)(rng_next(&lat_rng) % 6u) : 0;
    zh_mutex_unlock(&lat_lock);
    return ms > 3 ? 0 : ms; /* 0-3 ms, none a third of the time */
}

int zh_sim_latitude(zh_sim_lat which, int value)
{
    if ((int)which < 0 || which >= ZH_SIM_LAT_COUNT || value < 0 || value > lat_max[which])
        return -1;
    zh_mutex_lock(&lat_lock);
    int old = lat_value[which];
    lat_value[which] = value;
    lat_explicit = true;
    zh_mutex_unlock(&lat_lock);
    sim_push_latitudes();
    return old;
}

int zh_sim_latitude_get(zh_sim_lat which)
{
    return (int)which >= 0 && which < ZH_SIM_LAT_COUNT ? sim_lat((int)which) : -1;
}

const char *zh_sim_latitude_name(zh_sim_lat which)
{
    return (int)which >= 0 && which < ZH_SIM_LAT_COUNT ? lat_names[which] : NULL;
}

void zh_sim_latitude_defaults(void)
{
    zh_mutex_lock(&lat_lock);
    memset(lat_value, 0, sizeof lat_value);
    lat_rng = 0;
    lat_explicit = true;
    zh_mutex_unlock(&lat_lock);
    sim_push_latitudes();
}

int sim_hcs_latitudes_explicit(int values[])
{
    zh_mutex_lock(&lat_lock);
    bool on = lat_explicit;
    memcpy(values, lat_value, sizeof lat_value);
    zh_mutex_unlock(&lat_lock);
    return on;
}

uint64_t zh_sim_seed(uint64_t seed)
{
    zh_mutex_lock(&lat_lock);
    memset(lat_value, 0, sizeof lat_value);
    lat_rng = 0;
    if (seed) {
        uint64_t x = seed * 0x9E3779B97F4A7C15ull | 1u;
        for (int i = 0; i < 4; i++)
            rng_next(&x);
        for (int i = 0; i < ZH_SIM_LAT_COUNT; i++)
            lat_value[i] = (int)(rng_next(&x) % (uint64_t)(lat_max[i] + 1));
        lat_rng = x;
        char line[400];
        int n = snprintf(line, sizeof line, "zh_sim: seed %llu:", (unsigned long long)seed);
        for (int i = 0; i < ZH_SIM_LAT_COUNT && n > 0 && (size_t)n < sizeof line; i++)
            n += snprintf(line + n, sizeof line - (size_t)n, " %s=%d", lat_names[i], lat_value[i]);
        fprintf(stderr, "%s\n", line);
    }
    lat_explicit = true;
    zh_mutex_unlock(&lat_lock);
    sim_push_latitudes();
    return seed;
}

/* At open: ZH_SIM_SEED, once per process (a sim:PATH client too, so that what it sees of
 * the latitudes is what a service started with the same environment does). */
void sim_hcs_latitudes_from_env(void)
{
    zh_mutex_lock(&lat_lock);
    bool first = !lat_env_applied;
    lat_env_applied = true;
    zh_mutex_unlock(&lat_lock);
    const char *e = first ? getenv("ZH_SIM_SEED") : NULL;
    if (e && *e) {
        char *end = NULL;
        unsigned long long v = strtoull(e, &end, 10);
        if (end && *end == '\0') {
            zh_mutex_lock(&lat_lock);
            bool was = lat_explicit;
            zh_mutex_unlock(&lat_lock);
            zh_sim_seed((uint64_t)v);
            zh_mutex_lock(&lat_lock);
            lat_explicit = was; /* the environment's choice is every process's own */
            zh_mutex_unlock(&lat_lock);
        }
        else
            fprintf(stderr, "zh_sim: ZH_SIM_SEED=\"%s\" is not a decimal number: ignored\n", e);
    }
}

/* ---------------------------------------------------------------- indexes */
#define SLOT_GONE ((const void *)1)

static size_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    return (size_t)x;
}

static int live_grow(hcs_state *s)
{
    size_t cap = s->live_cap ? s->live_cap * 2 : 64;
    while (cap < s->live_count * 4)
        cap *= 2;
    const void **t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < s->live_cap; i++) {
        const void *p = s->live[i];
        if (!p || p == SLOT_GONE)
            continue;
        size_t j = ptr_hash(p) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = p;
    }
    free(s->live);
    s->live = t;
    s->live_cap = cap;
    s->live_used = s->live_count;
    return 0;
}

int sim_live_add(hcs_state *s, const void *p)
{
    if ((s->live_used + 1) * 2 > s->live_cap && live_grow(s) < 0)
        return -1;
    size_t j = ptr_hash(p) & (s->live_cap - 1);
    while (s->live[j] && s->live[j] != SLOT_GONE)
        j = (j + 1) & (s->live_cap - 1);
    if (!s->live[j])
        s->live_used++;
    s->live[j] = p;
    s->live_count++;
    return 0;
}

static size_t live_find(const hcs_state *s, const void *p)
{
    if (!s->live_cap || !p)
        return (size_t)-1;
    for (size_t j = ptr_hash(p) & (s->live_cap - 1);; j = (j + 1) & (s->live_cap - 1)) {
        if (!s->live[j])
            return (size_t)-1;
        if (s->live[j] == p)
            return j;
    }
}

bool sim_live_has(const hcs_state *s, const void *p)
{
    return live_find(s, p) != (size_t)-1;
}

void sim_live_del(hcs_state *s, const void *p)
{
    size_t j = live_find(s, p);
    if (j != (size_t)-1) {
        s->live[j] = SLOT_GONE;
        s->live_count--;
    }
}

/* System handles: in the list of all handles and in their system's list (lock held). */
static void sysh_link(hcs_state *s, hcs_sys_handle *h)
{
    h->prev = NULL;
    h->next = s->sys_handles;
    if (h->next)
        h->next->prev = h;
    s->sys_handles = h;
    h->sys_prev = NULL;
    h->sys_next = h->sys->hlist;
    if (h->sys_next)
        h->sys_next->sys_prev = h;
    h->sys->hlist = h;
    h->on_sys = true;
}

static void sysh_unlink_sys(hcs_sys_handle *h)
{
    if (!h->on_sys)
        return;
    if (h->sys_prev)
        h->sys_prev->sys_next = h->sys_next;
    else
        h->sys->hlist = h->sys_next;
    if (h->sys_next)
        h->sys_next->sys_prev = h->sys_prev;
    h->on_sys = false;
}

static void sysh_free(hcs_state *s, hcs_sys_handle *h)
{
    sysh_unlink_sys(h);
    if (h->prev)
        h->prev->next = h->next;
    else
        s->sys_handles = h->next;
    if (h->next)
        h->next->prev = h->prev;
    sim_live_del(s, h);
    h->magic = 0;
    free(h);
}

static size_t id_hash(const char *id)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *c = (const unsigned char *)id; *c; c++) {
        unsigned char ch = *c >= 'A' && *c <= 'Z' ? (unsigned char)(*c - 'A' + 'a') : *c;
        h = (h ^ ch) * 1099511628211ull;
    }
    return (size_t)h;
}

#define SYS_GONE ((hcs_system *)1)

static int by_id_put(hcs_state *s, hcs_system *sys);

static int by_id_grow(hcs_state *s)
{
    size_t cap = s->by_id_cap ? s->by_id_cap * 2 : 64;
    while (cap < s->by_id_count * 4)
        cap *= 2;
    hcs_system **old = s->by_id;
    size_t old_cap = s->by_id_cap;
    hcs_system **t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    s->by_id = t;
    s->by_id_cap = cap;
    s->by_id_used = s->by_id_count = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i] && old[i] != SYS_GONE)
            by_id_put(s, old[i]);
    free(old);
    return 0;
}

static int by_id_put(hcs_state *s, hcs_system *sys)
{
    if ((s->by_id_used + 1) * 2 > s->by_id_cap && by_id_grow(s) < 0)
        return -1;
    sys->indexed = true;
    size_t j = id_hash(sys->id) & (s->by_id_cap - 1);
    while (s->by_id[j] && s->by_id[j] != SYS_GONE)
        j = (j + 1) & (s->by_id_cap - 1);
    if (!s->by_id[j])
        s->by_id_used++;
    s->by_id[j] = sys;
    s->by_id_count++;
    return 0;
}

static void by_id_del(hcs_state *s, hcs_system *sys)
{
    if (!s->by_id_cap)
        return;
    for (size_t j = id_hash(sys->id) & (s->by_id_cap - 1); s->by_id[j]; j = (j + 1) & (s->by_id_cap - 1)) {
        if (s->by_id[j] == sys) {
            s->by_id[j] = SYS_GONE;
            s->by_id_count--;
            return;
        }
    }
}

/* Indexes the systems added since the last look (they are prepended to the list). */
static bool by_id_sync(hcs_state *s)
{
    hcs_system *p = s->systems;
    for (; p && p != s->indexed_head; p = p->next) {
        if (!p->indexed && by_id_put(s, p) < 0)
            return false;
        p->indexed = true;
        if (p->next)
            p->next->prev = p;
    }
    if (s->systems)
        s->systems->prev = NULL;
    s->indexed_head = s->systems;
    return true;
}

/* ---------------------------------------------------------------- state */
hcs_state *sim_hcs_state(sim_world *w)
{
    return w ? w->hcs : NULL;
}

static void worker_main(void *arg);
static void pool_main(void *arg);

int sim_hcs_init(sim_world *w, zh_error **err)
{
    hcs_state *s = calloc(1, sizeof *s);
    if (!s)
        return zh_error_set(err, ZH_E_OUTOFMEMORY, "zh_sim_open", "out of memory");
    zh_cond_init(&s->jobs_cond);
    zh_cond_init(&s->done_cond);
    zh_cond_init(&s->pool_cond);
    s->w = w;
    w->hcs = s;
    sim_hcs_latitudes_from_env();
    if (zh_thread_start(&s->worker, worker_main, w, err) < 0) {
        zh_cond_destroy(&s->jobs_cond);
        zh_cond_destroy(&s->done_cond);
        zh_cond_destroy(&s->pool_cond);
        free(s);
        w->hcs = NULL;
        return -1;
    }
    for (size_t i = 0; i < SIM_POOL_THREADS; i++)
        if (zh_thread_start(&s->pool[i], pool_main, w, NULL) < 0)
            s->pool[i] = NULL; /* fewer threads; one worker is enough for progress */
    return 0;
}

static int run_gone(hcs_state *s, hcs_job *j, hcs_event_batch *b);

static void free_system(hcs_state *s, hcs_system *sys)
{
    /* work still queued for it finds it gone */
    for (hcs_job *j = s->jobs; j; j = j->next) {
        if (j->sys == sys) {
            j->sys = NULL;
            if (!j->proc)
                j->run = run_gone;
        }
    }
    if (by_id_sync(s) && sys->indexed) { /* O(1): the index and the prev links */
        by_id_del(s, sys);
        if (sys->prev)
            sys->prev->next = sys->next;
        else
            s->systems = sys->next;
        if (sys->next)
            sys->next->prev = sys->prev;
        if (s->indexed_head == sys)
            s->indexed_head = sys->next;
    } else { /* out of memory: the list */
        if (s->indexed_head == sys)
            s->indexed_head = sys->next;
        for (hcs_system **p = &s->systems; *p; p = &(*p)->next) {
            if (*p == sys) {
                *p = sys->next;
                break;
            }
        }
        if (sys->indexed)
            by_id_del(s, sys);
        if (sys->next && sys->next->indexed)
            sys->next->prev = sys->prev;
    }
    for (hcs_sys_handle *h = sys->hlist; h; h = h->sys_next)
        h->on_sys = false; /* still open at teardown: no system to list them any more */
    sys->hlist = NULL;
    sim_proc_free_all(s, sys);
    free(sys->id);
    free(sys->owner);
    free(sys->name);
    free(sys->config);
    free(sys->exit_status);
    free(sys);
}

static void free_op(hcs_state *s, hcs_op *op)
{
    if (op->prev)
        op->prev->next = op->next;
    else
        s->ops = op->next;
    if (op->next)
        op->next->prev = op->prev;
    sim_live_del(s, op);
    op->magic = 0;
    if (op->has_pi) { /* stdio nobody took */
        sim_fd in = (sim_fd)(intptr_t)op->pi.StdInput, out = (sim_fd)(intptr_t)op->pi.StdOutput,
               err = (sim_fd)(intptr_t)op->pi.StdError;
        if (op->pi.StdInput)
            sim_fd_close(&in);
        if (op->pi.StdOutput)
            sim_fd_close(&out);
        if (op->pi.StdError)
            sim_fd_close(&err);
    }
    free(op->result);
    free(op);
}

static void op_put(hcs_state *s, hcs_op *op)
{
    if (--op->refs == 0)
        free_op(s, op);
}

/* At the last zh_sim_close: stop the worker, then free what callers leaked. */
void sim_hcs_free(sim_world *w)
{
    hcs_state *s = w->hcs;
    if (!s)
        return;
    zh_mutex_lock(&w->lock);
    s->quit = true;
    zh_cond_broadcast(&s->jobs_cond);
    zh_mutex_unlock(&w->lock);
    zh_thread_join(s->worker);
    zh_mutex_lock(&w->lock);
    s->pool_quit = true; /* the pool runs what is queued, then ends */
    zh_cond_broadcast(&s->pool_cond);
    zh_mutex_unlock(&w->lock);
    for (size_t i = 0; i < SIM_POOL_THREADS; i++)
        if (s->pool[i])
            zh_thread_join(s->pool[i]);

    zh_mutex_lock(&w->lock);
    while (s->jobs) {
        hcs_job *j = s->jobs;
        s->jobs = j->next;
        if (j->op)
            j->op->refs--;
        free(j->arg);
        free(j);
    }
    while (s->systems)
        free_system(s, s->systems); /* their processes go to the reaper */
    zh_mutex_unlock(&w->lock);
    sim_proc_reap(w, true); /* process threads end without the lock held */
    zh_mutex_lock(&w->lock);
    while (s->jobs) { /* queued by processes that exited just now */
        hcs_job *j = s->jobs;
        s->jobs = j->next;
        if (j->op)
            j->op->refs--;
        free(j->arg);
        free(j);
    }
    sim_proc_free_handles(s);
    while (s->sys_handles) {
        hcs_sys_handle *h = s->sys_handles;
        s->sys_handles = h->next;
        sim_live_del(s, h);
        h->magic = 0;
        free(h);
    }
    while (s->ops)
        free_op(s, s->ops);
    zh_mutex_unlock(&w->lock);
    zh_cond_destroy(&s->jobs_cond);
    zh_cond_destroy(&s->done_cond);
    zh_cond_destroy(&s->pool_cond);
    free(s->live);
    free(s->by_id);
    free(s);
    w->hcs = NULL;
}

/* ---------------------------------------------------------------- events */
void sim_hcs_add_event(hcs_event_batch *b, zh_hcs_event_callback cb, void *ctx, int *running, zh_hcs_event_type type,
                       const char *data, zh_hcs_operation op)
{
    if (!cb || b->count >= sizeof b->item / sizeof b->item[0])
        return;
    size_t i = b->count++;
    b->item[i].cb = cb;
    b->item[i].ctx = ctx;
    b->item[i].running = running;
    b->data[i] = data ? sim_wstr(data) : NULL;
    b->item[i].event.Type = type;
    b->item[i].event.EventData = b->data[i];
    b->item[i].event.Operation = op;
    if (running)
        (*running)++;
}

void sim_hcs_sys_events(hcs_state *s, hcs_system *sys, zh_hcs_event_type type, const char *data, hcs_event_batch *b)
{
    (void)s;
    for (hcs_sys_handle *h = sys->hlist; h; h = h->sys_next)
        if (h->callback && !h->closing)
            sim_hcs_add_event(b, h->callback, h->context, &h->running, type, data, NULL);
}

/* The callback a thread is running now (its handle's in-flight counter, or its
 * operation): a close from inside a callback never waits for that callback. */
static _Thread_local const void *tl_cb_owner;

bool sim_hcs_in_callback_of(const void *owner)
{
    return owner && tl_cb_owner == owner;
}

/* A callback waiting for a pool thread (ZH_SIM_LAT_CALLBACKS 0). */
struct sim_cb_task {
    zh_hcs_event_callback ecb;
    void *ctx;
    int *running;
    zh_hcs_event event;
    zh_wchar *data;
    hcs_op *op;               /* a completion callback (a reference held) */
    zh_hcs_operation_completion ocb;
    sim_cb_task *next;
};

static void event_done(sim_world *w, int *running, zh_wchar *data)
{
    zh_mutex_lock(&w->lock);
    if (running)
        (*running)--;
    zh_sim_free_string(data);
    if (w->hcs) {
        sim_hcs_reap_handles(w->hcs);
        zh_cond_broadcast(&w->hcs->done_cond);
    }
    zh_mutex_unlock(&w->lock);
}

static void pool_push(hcs_state *s, sim_cb_task *t)
{
    t->next = s->cb_queue;
    s->cb_queue = t;
    s->cb_queued++;
    zh_cond_signal(&s->pool_cond);
}

void sim_hcs_deliver(sim_world *w, hcs_event_batch *b)
{
    if (b->count && !sim_lat(ZH_SIM_LAT_CALLBACKS)) {
        /* a thread pool: each callback on its own, in any order */
        zh_mutex_lock(&w->lock);
        size_t i = 0;
        for (; i < b->count && w->hcs; i++) {
            sim_cb_task *t = calloc(1, sizeof *t);
            if (!t)
                break;
            t->ecb = b->item[i].cb;
            t->ctx = b->item[i].ctx;
            t->running = b->item[i].running;
            t->event = b->item[i].event;
            t->data = b->data[i];
            pool_push(w->hcs, t);
        }
        zh_mutex_unlock(&w->lock);
        for (; i < b->count; i++) { /* out of memory: here and now */
            b->item[i].cb(&b->item[i].event, b->item[i].ctx);
            event_done(w, b->item[i].running, b->data[i]);
        }
        b->count = 0;
        return;
    }
    for (size_t i = 0; i < b->count; i++) {
        uint32_t d = sim_lat_jitter_ms();
        if (d)
            zh_sleep_ms(d);
        tl_cb_owner = b->item[i].running;
        b->item[i].cb(&b->item[i].event, b->item[i].ctx); /* the event and its data stay ours */
        tl_cb_owner = NULL;
    }
    zh_mutex_lock(&w->lock);
    for (size_t i = 0; i < b->count; i++) {
        if (b->item[i].running)
            (*b->item[i].running)--;
        zh_sim_free_string(b->data[i]);
    }
    if (w->hcs) {
        sim_hcs_reap_handles(w->hcs);
        zh_cond_broadcast(&w->hcs->done_cond);
    }
    zh_mutex_unlock(&w->lock);
    b->count = 0;
}

static void op_put(hcs_state *s, hcs_op *op);

static void pool_run(sim_world *w, sim_cb_task *t)
{
    uint32_t d = sim_lat_jitter_ms();
    if (d)
        zh_sleep_ms(d);
    if (t->op) {
        tl_cb_owner = t->op;
        t->ocb((zh_hcs_operation)(void *)t->op, t->ctx);
        tl_cb_owner = NULL;
        zh_mutex_lock(&w->lock);
        t->op->delivering--;
        zh_cond_broadcast(&w->hcs->done_cond);
        op_put(w->hcs, t->op);
        zh_mutex_unlock(&w->lock);
    } else {
        tl_cb_owner = t->running;
        t->ecb(&t->event, t->ctx);
        tl_cb_owner = NULL;
        event_done(w, t->running, t->data);
    }
    free(t);
}

static void pool_main(void *arg)
{
    sim_world *w = arg;
    hcs_state *s = w->hcs;
    uint64_t x = zh_monotonic_ns() | 1u;
    zh_mutex_lock(&w->lock);
    while (1) {
        while (!s->cb_queue && !s->pool_quit)
            zh_cond_wait(&s->pool_cond, &w->lock);
        if (!s->cb_queue)
            break;
        /* any of the waiting callbacks */
        size_t k = (size_t)(rng_next(&x) % s->cb_queued);
        sim_cb_task **p = &s->cb_queue;
        while (k-- > 0 && (*p)->next)
            p = &(*p)->next;
        sim_cb_task *t = *p;
        *p = t->next;
        s->cb_queued--;
        zh_mutex_unlock(&w->lock);
        pool_run(w, t);
        zh_mutex_lock(&w->lock);
    }
    zh_mutex_unlock(&w->lock);
}

/* A close that waits (ZH_SIM_LAT_CLOSE_WAITS 1) first takes the callbacks of `owner` that
 * no thread has started off the pool's queue: they will not run (lock held). */
void sim_hcs_unqueue(hcs_state *s, const void *owner)
{
    for (sim_cb_task **p = &s->cb_queue; *p;) {
        sim_cb_task *t = *p;
        if ((t->op && (const void *)t->op == owner) || (!t->op && (const void *)t->running == owner)) {
            *p = t->next;
            s->cb_queued--;
            if (t->op) {
                t->op->delivering--;
                op_put(s, t->op);
            } else {
                if (t->running)
                    (*t->running)--;
                zh_sim_free_string(t->data);
            }
            free(t);
        } else {
            p = &t->next;
        }
    }
    zh_cond_broadcast(&s->done_cond);
}

void sim_hcs_reap_handles(hcs_state *s)
{
    if (s->zombies == 0)
        return; /* the usual case: nothing to look at */
    sim_proc_reap_handles(s);
    for (hcs_sys_handle *h = s->sys_handles, *next; h && s->zombies > 0; h = next) {
        next = h->next;
        if (h->zombie && h->running == 0) {
            s->zombies--;
            sysh_free(s, h);
        }
    }
}

/* ---------------------------------------------------------------- handles */
/* A value the caller passes is looked up in the index before it is ever dereferenced. */
hcs_op *sim_hcs_op(hcs_state *s, zh_hcs_operation op)
{
    if (!s || !sim_live_has(s, (const void *)op))
        return NULL;
    hcs_op *o = (hcs_op *)(void *)op;
    return o->magic == HCS_OP_MAGIC && !o->closed ? o : NULL;
}

hcs_sys_handle *sim_hcs_sys_handle(hcs_state *s, zh_hcs_system h)
{
    if (!s || !sim_live_has(s, (const void *)h))
        return NULL;
    hcs_sys_handle *p = (hcs_sys_handle *)(void *)h;
    return p->magic == HCS_SYS_MAGIC && !p->closing ? p : NULL;
}

/* Locks the world and finds the HCS state. NULL when the service is gone. */
hcs_state *sim_hcs_lock(sim_world **w)
{
    *w = sim_world_get();
    if (!*w)
        return NULL;
    zh_mutex_lock(&(*w)->lock);
    if (!(*w)->hcs) {
        zh_mutex_unlock(&(*w)->lock);
        return NULL;
    }
    return (*w)->hcs;
}

/* ---------------------------------------------------------------- operations */
zh_hcs_operation ZH_WINAPI sim_HcsCreateOperation(const void *context, zh_hcs_operation_completion callback)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return NULL;
    hcs_op *op = calloc(1, sizeof *op);
    if (op) {
        op->magic = HCS_OP_MAGIC;
        op->refs = 1;
        op->context = context;
        op->callback = callback;
        op->type = HcsOperationTypeNone;
        op->id = ++s->next_op_id;
        op->state = OP_IDLE;
        if (sim_live_add(s, op) < 0) {
            free(op);
            op = NULL;
        } else {
            op->next = s->ops;
            if (s->ops)
                s->ops->prev = op;
            s->ops = op;
        }
    }
    zh_mutex_unlock(&w->lock);
    return (zh_hcs_operation)(void *)op;
}

void ZH_WINAPI sim_HcsCloseOperation(zh_hcs_operation operation)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return;
    hcs_op *op = sim_hcs_op(s, operation);
    if (op) {
        /* Allowed while in flight and from inside its own callback: the result is discarded
         * and the memory goes when the last reference does. */
        op->closed = true;
        /* ZH_SIM_LAT_CLOSE_WAITS 1: no completion callback runs after this returns (one
         * in flight is waited for, unless this is that callback closing its own
         * operation). 0: one already on its way may still run. */
        if (sim_lat(ZH_SIM_LAT_CLOSE_WAITS)) {
            op->refs++;
            sim_hcs_unqueue(s, op);
            while (op->delivering > 0 && !sim_hcs_in_callback_of(op) && zh_thread_self_id() != s->worker_id)
                zh_cond_wait(&s->done_cond, &w->lock);
            op->refs--;
        }
        op_put(s, op);
    }
    zh_mutex_unlock(&w->lock);
}

zh_voidp ZH_WINAPI sim_HcsGetOperationContext(zh_hcs_operation operation)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return NULL;
    hcs_op *op = sim_hcs_op(s, operation);
    void *ctx = op ? (void *)(uintptr_t)op->context : NULL;
    zh_mutex_unlock(&w->lock);
    return ctx;
}

zh_hresult ZH_WINAPI sim_HcsSetOperationContext(zh_hcs_operation operation, const void *context)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_op *op = sim_hcs_op(s, operation);
    if (op)
        op->context = context;
    zh_mutex_unlock(&w->lock);
    return op ? 0 : ZH_E_HANDLE;
}

zh_hresult ZH_WINAPI sim_HcsSetOperationCallback(zh_hcs_operation operation, const void *context,
                                                 zh_hcs_operation_completion callback)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_op *op = sim_hcs_op(s, operation);
    zh_hresult hr = 0;
    if (!op)
        hr = ZH_E_HANDLE;
    else if (op->state == OP_PENDING)
        hr = HCS_E_OPERATION_ALREADY_STARTED;
    else {
        op->context = context;
        op->callback = callback;
    }
    zh_mutex_unlock(&w->lock);
    return hr;
}

zh_hcs_system ZH_WINAPI sim_HcsGetComputeSystemFromOperation(zh_hcs_operation operation)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return NULL;
    hcs_op *op = sim_hcs_op(s, operation);
    zh_hcs_system h = op ? (zh_hcs_system)(void *)op->sysh : NULL;
    zh_mutex_unlock(&w->lock);
    return h;
}

zh_hcs_process ZH_WINAPI sim_HcsGetProcessFromOperation(zh_hcs_operation operation)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return NULL;
    hcs_op *op = sim_hcs_op(s, operation);
    zh_hcs_process h = op ? (zh_hcs_process)(void *)op->proch : NULL;
    zh_mutex_unlock(&w->lock);
    return h;
}

zh_hcs_operation_type ZH_WINAPI sim_HcsGetOperationType(zh_hcs_operation operation)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return HcsOperationTypeNone;
    hcs_op *op = sim_hcs_op(s, operation);
    zh_hcs_operation_type t = op ? op->type : HcsOperationTypeNone;
    zh_mutex_unlock(&w->lock);
    return t;
}

zh_u64 ZH_WINAPI sim_HcsGetOperationId(zh_hcs_operation operation)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return (zh_u64)-1;
    hcs_op *op = sim_hcs_op(s, operation);
    zh_u64 id = op ? op->id : (zh_u64)-1; /* HCS_INVALID_OPERATION_ID */
    zh_mutex_unlock(&w->lock);
    return id;
}

/* The result of a completed operation (lock held). */
static zh_hresult take_result(hcs_op *op, zh_hcs_process_information *pi, zh_wchar **doc)
{
    if (doc)
        *doc = op->result ? sim_wstr(op->result) : NULL;
    if (pi) {
        memset(pi, 0, sizeof *pi);
        if (op->has_pi) {
            *pi = op->pi; /* the stdio handles are the caller's from now on */
            op->has_pi = false;
        }
    }
    return (zh_hresult)op->hr;
}

static zh_hresult get_result(zh_hcs_operation operation, zh_hcs_process_information *pi, zh_wchar **doc)
{
    if (doc)
        *doc = NULL;
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_op *op = sim_hcs_op(s, operation);
    zh_hresult hr;
    if (!op)
        hr = ZH_E_HANDLE;
    else if (op->state == OP_IDLE)
        hr = HCS_E_OPERATION_NOT_STARTED;
    else if (op->state == OP_PENDING)
        hr = HCS_E_OPERATION_PENDING;
    else
        hr = take_result(op, pi, doc);
    zh_mutex_unlock(&w->lock);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsGetOperationResult(zh_hcs_operation operation, zh_wchar **resultDocument)
{
    return get_result(operation, NULL, resultDocument);
}

zh_hresult ZH_WINAPI sim_HcsGetOperationResultAndProcessInfo(zh_hcs_operation operation,
                                                             zh_hcs_process_information *processInformation,
                                                             zh_wchar **resultDocument)
{
    return get_result(operation, processInformation, resultDocument);
}

static zh_hresult wait_result(zh_hcs_operation operation, zh_dword timeoutMs, zh_hcs_process_information *pi,
                              zh_wchar **doc)
{
    if (doc)
        *doc = NULL;
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_op *op = sim_hcs_op(s, operation);
    if (!op) {
        zh_mutex_unlock(&w->lock);
        return ZH_E_HANDLE;
    }
    if (op->state == OP_IDLE) {
        zh_mutex_unlock(&w->lock);
        return HCS_E_OPERATION_NOT_STARTED;
    }
    op->refs++; /* survives a close from another thread while we wait */
    uint64_t deadline = zh_monotonic_ns() + (uint64_t)timeoutMs * 1000000u;
    while (op->state != OP_DONE && !op->closed) {
        if (timeoutMs == INFINITE_MS)
            zh_cond_wait(&s->done_cond, &w->lock);
        else if (zh_cond_wait_until(&s->done_cond, &w->lock, deadline))
            break;
    }
    zh_hresult hr;
    if (op->closed)
        hr = ZH_E_HANDLE;
    else if (op->state != OP_DONE)
        hr = HCS_E_OPERATION_TIMEOUT; /* the operation goes on */
    else
        hr = take_result(op, pi, doc);
    op_put(s, op);
    zh_mutex_unlock(&w->lock);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsWaitForOperationResult(zh_hcs_operation operation, zh_dword timeoutMs,
                                                   zh_wchar **resultDocument)
{
    return wait_result(operation, timeoutMs, NULL, resultDocument);
}

zh_hresult ZH_WINAPI sim_HcsWaitForOperationResultAndProcessInfo(zh_hcs_operation operation, zh_dword timeoutMs,
                                                                 zh_hcs_process_information *processInformation,
                                                                 zh_wchar **resultDocument)
{
    return wait_result(operation, timeoutMs, processInformation, resultDocument);
}

/* Completes an operation (lock held) and collects its completion notice into `b`. The
 * callback itself is invoked by the caller after unlocking (complete_deliver). */
typedef struct completion {
    hcs_op *op;
    zh_hcs_operation_completion cb;
    void *ctx;
} completion;

static completion complete_op(hcs_state *s, hcs_op *op, int32_t hr, hcs_event_batch *b)
{
    completion c = {NULL, NULL, NULL};
    op->hr = hr;
    op->state = OP_DONE;
    zh_cond_broadcast(&s->done_cond);
    if (op->closed)
        return c;
    if (op->event_to) {
        hcs_sys_handle *h = op->event_to;
        sim_hcs_add_event(b, h->callback, h->context, &h->running, HcsEventOperationCallback, op->result,
                          (zh_hcs_operation)(void *)op);
    } else if (op->callback) {
        op->refs++;
        op->delivering++; /* HcsCloseOperation waits for it (complete_deliver) */
        c.op = op;
        c.cb = op->callback;
        c.ctx = (void *)(uintptr_t)op->context;
    }
    return c;
}

/* Delivers a completion callback (lock NOT held). The callback may close the operation. */
static void complete_deliver(sim_world *w, completion *c)
{
    if (!c->op)
        return;
    if (!sim_lat(ZH_SIM_LAT_CALLBACKS)) {
        sim_cb_task *t = calloc(1, sizeof *t);
        if (t) {
            t->op = c->op;
            t->ocb = c->cb;
            t->ctx = c->ctx;
            zh_mutex_lock(&w->lock);
            if (w->hcs) {
                pool_push(w->hcs, t);
                t = NULL;
            }
            zh_mutex_unlock(&w->lock);
            if (!t)
                return;
            free(t);
        }
    }
    uint32_t d = sim_lat_jitter_ms();
    if (d)
        zh_sleep_ms(d);
    tl_cb_owner = c->op;
    c->cb((zh_hcs_operation)(void *)c->op, c->ctx);
    tl_cb_owner = NULL;
    zh_mutex_lock(&w->lock);
    c->op->delivering--;
    zh_cond_broadcast(&w->hcs->done_cond);
    op_put(w->hcs, c->op);
    zh_mutex_unlock(&w->lock);
}

zh_hresult sim_hcs_op_begin(hcs_state *s, zh_hcs_operation operation, zh_hcs_operation_type type, hcs_sys_handle *sysh,
                            hcs_proc_handle *proch, hcs_op **out)
{
    hcs_op *op = sim_hcs_op(s, operation);
    *out = NULL;
    if (!op)
        return operation ? ZH_E_HANDLE : ZH_E_INVALIDARG;
    if (op->state == OP_PENDING)
        return HCS_E_OPERATION_ALREADY_STARTED;
    hcs_sys_handle *events = sysh && sysh->callback && (sysh->options & HcsEventOptionEnableOperationCallbacks) ? sysh : NULL;
    if (events && op->callback)
        return HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET;
    free(op->result);
    op->result = NULL;
    op->hr = 0;
    op->has_pi = false;
    op->state = OP_PENDING;
    op->type = type;
    op->sysh = sysh;
    op->proch = proch;
    op->event_to = events;
    *out = op;
    return 0;
}

int sim_hcs_queue(hcs_state *s, hcs_op *op, uint32_t delay_ms, int (*run)(hcs_state *, hcs_job *, hcs_event_batch *),
                  hcs_system *sys, hcs_proc *proc, const char *arg)
{
    hcs_job *j = calloc(1, sizeof *j);
    if (!j || (arg && !(j->arg = zh_strdup(arg)))) {
        free(j);
        return -1;
    }
    j->due_ns = zh_monotonic_ns() + (uint64_t)delay_ms * 1000000u;
    j->run = run;
    j->op = op;
    j->sys = sys;
    j->proc = proc;
    if (op)
        op->refs++;
    hcs_job **p = &s->jobs;
    while (*p && (*p)->due_ns <= j->due_ns)
        p = &(*p)->next;
    j->next = *p;
    *p = j;
    zh_cond_broadcast(&s->jobs_cond);
    return 0;
}

static int run_preset(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    (void)b;
    return j->hr;
}

/* Completes `op` with `hr` (its ResultError already in place) on the worker, as HCS
 * completes operations on its own threads - also those the call itself refused. */
static void complete_later(hcs_state *s, hcs_op *op, int32_t hr, hcs_event_batch *fallback, completion *c)
{
    if (sim_hcs_queue(s, op, 0, run_preset, NULL, NULL, NULL) == 0) {
        for (hcs_job *j = s->jobs; j; j = j->next)
            if (j->op == op && j->run == run_preset)
                j->hr = hr;
        return;
    }
    *c = complete_op(s, op, hr, fallback); /* out of memory: at once, on this thread */
}

zh_hresult ZH_WINAPI sim_HcsCancelOperation(zh_hcs_operation operation)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_op *op = sim_hcs_op(s, operation);
    zh_hresult hr = 0;
    hcs_event_batch b = {0};
    completion c = {NULL, NULL, NULL};
    if (!op) {
        hr = ZH_E_HANDLE;
    } else if (!sim_lat(ZH_SIM_LAT_CANCEL)) {
        hr = ZH_E_NOTIMPL; /* as Microsoft documents HcsCancelOperation */
    } else if (op->state == OP_IDLE) {
        hr = HCS_E_OPERATION_NOT_STARTED;
    } else if (op->state == OP_PENDING) {
        /* work not yet applied is dropped; the operation completes as cancelled */
        bool dropped = false;
        for (hcs_job **p = &s->jobs; *p; p = &(*p)->next) {
            if ((*p)->op == op && (*p)->run != run_preset) {
                hcs_job *j = *p;
                *p = j->next;
                free(j->arg);
                free(j);
                op->refs--;
                complete_later(s, op, ZH_E_CANCELLED, &b, &c);
                dropped = true;
                break;
            }
            if ((*p)->op == op) {
                dropped = true; /* already cancelled or refused: completes at once */
                break;
            }
        }
        if (!dropped)
            hr = HCS_E_OPERATION_PENDING; /* already being applied */
    }
    zh_mutex_unlock(&w->lock);
    sim_hcs_deliver(w, &b);
    complete_deliver(w, &c);
    return hr;
}

/* ---------------------------------------------------------------- the worker */
static void worker_main(void *arg)
{
    sim_world *w = arg;
    hcs_state *s = w->hcs;
    zh_mutex_lock(&w->lock);
    s->worker_id = zh_thread_self_id();
    while (!s->quit) {
        uint64_t now = zh_monotonic_ns();
        if (!s->jobs || now < s->jobs->due_ns) {
            uint64_t until = s->jobs ? s->jobs->due_ns : UINT64_MAX;
            if (until == UINT64_MAX)
                zh_cond_wait(&s->jobs_cond, &w->lock);
            else
                zh_cond_wait_until(&s->jobs_cond, &w->lock, until);
            continue;
        }
        hcs_job *j = s->jobs;
        s->jobs = j->next;
        hcs_event_batch b = {0};
        int32_t hr = j->run(s, j, &b);
        if (j->sys && !j->proc && j->sys->state == SYS_STOPPED && j->sys->handles == 0) {
            /* stopped with nobody holding it (its handles closed while the stop ran) */
            free_system(s, j->sys);
        }
        completion c = {NULL, NULL, NULL};
        if (j->op) {
            if (j->op->state == OP_PENDING)
                c = complete_op(s, j->op, hr, &b);
            op_put(s, j->op);
        }
        free(j->arg);
        free(j);
        zh_mutex_unlock(&w->lock);
        sim_hcs_deliver(w, &b);
        complete_deliver(w, &c);
        sim_proc_reap(w, false);
        zh_mutex_lock(&w->lock);
    }
    zh_mutex_unlock(&w->lock);
}

/* ---------------------------------------------------------------- systems */
static const char *state_name(int st)
{
    static const char *const names[] = {"Created", "Running", "Paused", "Stopped", "SavedAsTemplate"};
    return names[st];
}

static hcs_system *find_system(hcs_state *s, const char *id)
{
    if (!by_id_sync(s)) { /* out of memory: the list */
        for (hcs_system *sys = s->systems; sys; sys = sys->next)
            if (zh_strcasecmp_ascii(sys->id, id) == 0)
                return sys;
        return NULL;
    }
    if (!s->by_id_cap)
        return NULL;
    for (size_t j = id_hash(id) & (s->by_id_cap - 1); s->by_id[j]; j = (j + 1) & (s->by_id_cap - 1))
        if (s->by_id[j] != SYS_GONE && zh_strcasecmp_ascii(s->by_id[j]->id, id) == 0)
            return s->by_id[j];
    return NULL;
}

/* A ResultError document for an operation's result. */
static char *result_error(int32_t hr, const char *fmt, ...) ZH_PRINTF(2, 3);
static char *result_error(int32_t hr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = zh_vasprintf(fmt, ap);
    va_end(ap);
    zhcs_ResultError re = {0};
    re.has_Error = true;
    re.Error = hr;
    re.ErrorMessage = msg;
    char *doc = zhcs_ResultError_emit(&re, NULL);
    free(msg);
    return doc;
}

static int fail_op(hcs_op *op, int32_t hr, const char *msg)
{
    if (op) {
        free(op->result);
        op->result = result_error(hr, "%s", msg);
    }
    return hr;
}

/* The system stops: processes end, waiters wake, SystemExited goes to every callback. */
static void stop_system(hcs_state *s, hcs_system *sys, const char *exit_type, int32_t status, hcs_event_batch *b)
{
    if (sys->state == SYS_STOPPED)
        return;
    sys->state = SYS_STOPPED;
    sys->stopped_ns = zh_monotonic_ns();
    sim_proc_stop_all(s, sys);
    zhcs_SystemExitStatus st = {0};
    st.has_Status = true;
    st.Status = status;
    st.has_ExitType = true;
    st.ExitType = strcmp(exit_type, "GracefulExit") == 0   ? ZHCS_NOTIFICATIONTYPE_GRACEFULEXIT
                  : strcmp(exit_type, "ForcedExit") == 0   ? ZHCS_NOTIFICATIONTYPE_FORCEDEXIT
                                                           : ZHCS_NOTIFICATIONTYPE_UNEXPECTEDEXIT;
    free(sys->exit_status);
    sys->exit_status = zhcs_SystemExitStatus_emit(&st, NULL);
    zh_cond_broadcast(&s->done_cond);
    if (b)
        sim_hcs_sys_events(s, sys, HcsEventSystemExited, sys->exit_status, b);
}

static int run_gone(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    (void)b;
    return fail_op(j->op, HCS_E_SYSTEM_NOT_FOUND,
                   "A virtual machine or container with the specified identifier does not exist.");
}

static int run_create(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    j->sys->creating = false;
    if (j->sys->handles == 0 && j->sys->terminate_on_last_close)
        stop_system(s, j->sys, "ForcedExit", 0, b); /* abandoned: its last handle is gone */
    return 0;
}

static int already_stopped(hcs_job *j)
{
    return fail_op(j->op, HCS_E_SYSTEM_ALREADY_STOPPED, "The operation could not be completed: the virtual machine or container has already stopped.");
}

static int invalid_state(hcs_job *j, const char *what)
{
    char msg[256];
    snprintf(msg, sizeof msg, "The requested operation (%s) is not valid in the system's current state (%s).", what,
             state_name(j->sys->state));
    return fail_op(j->op, HCS_E_INVALID_STATE, msg);
}

static int run_start(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    (void)b;
    hcs_system *sys = j->sys;
    if (sys->state == SYS_STOPPED)
        return already_stopped(j);
    if (sys->state != SYS_CREATED)
        return invalid_state(j, "Start");
    sys->state = SYS_RUNNING;
    sys->started_ns = zh_monotonic_ns();
    return 0;
}

static int run_shutdown(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    hcs_system *sys = j->sys;
    if (sys->state == SYS_STOPPED)
        return already_stopped(j);
    if (sys->state == SYS_CREATED)
        return invalid_state(j, "Shutdown");
    stop_system(s, sys, "GracefulExit", 0, b);
    return 0;
}

static int run_terminate(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    if (j->sys->state == SYS_STOPPED)
        return already_stopped(j);
    stop_system(s, j->sys, "ForcedExit", 0, b);
    return 0;
}

/* Pause, resume and save need a VM: a process-isolated container has none. */
static int needs_vm(hcs_job *j, const char *what)
{
    if (j->sys->is_vm || j->sys->hyperv)
        return 0;
    char msg[200];
    snprintf(msg, sizeof msg, "%s is not supported for a process-isolated container (Hyper-V isolation only).", what);
    return fail_op(j->op, ZH_E_NOT_SUPPORTED, msg);
}

static int run_pause(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    (void)b;
    if (j->sys->state == SYS_STOPPED)
        return already_stopped(j);
    if (needs_vm(j, "Pause"))
        return ZH_E_NOT_SUPPORTED;
    if (j->sys->state != SYS_RUNNING)
        return invalid_state(j, "Pause");
    j->sys->state = SYS_PAUSED;
    return 0;
}

static int run_resume(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    (void)b;
    if (j->sys->state == SYS_STOPPED)
        return already_stopped(j);
    if (needs_vm(j, "Resume"))
        return ZH_E_NOT_SUPPORTED;
    if (j->sys->state != SYS_PAUSED && j->sys->state != SYS_SAVED)
        return invalid_state(j, "Resume");
    j->sys->state = SYS_RUNNING;
    return 0;
}

/* Save: from Paused; AsTemplate leaves the system SavedAsTemplate (a documented guess). */
static int run_save(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    (void)b;
    if (j->sys->state == SYS_STOPPED)
        return already_stopped(j);
    if (needs_vm(j, "Save"))
        return ZH_E_NOT_SUPPORTED;
    if (j->sys->state != SYS_PAUSED)
        return invalid_state(j, "Save");
    if (j->arg && strstr(j->arg, "AsTemplate"))
        j->sys->state = SYS_SAVED;
    return 0;
}

static int run_crash(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    hcs_system *sys = j->sys;
    if (sys->state == SYS_STOPPED)
        return already_stopped(j);
    if (sys->state != SYS_RUNNING)
        return invalid_state(j, "Crash");
    /* HCS_EVENT: both crash events carry a CrashReport (the first without the log) */
    zhcs_CrashReport cr = {0};
    cr.SystemId = sys->id;
    cr.has_Status = true;
    cr.Status = 0;
    char *initiated = zhcs_CrashReport_emit(&cr, NULL);
    sim_hcs_sys_events(s, sys, HcsEventSystemCrashInitiated, initiated, b);
    free(initiated);
    cr.CrashLog = "simulated crash (HcsCrashComputeSystem)";
    char *report = zhcs_CrashReport_emit(&cr, NULL);
    sim_hcs_sys_events(s, sys, HcsEventSystemCrashReport, report, b);
    free(report);
    stop_system(s, sys, "UnexpectedExit", HCS_E_UNEXPECTED_EXIT, b);
    return 0;
}

static int run_modify(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    (void)b;
    if (j->sys->state == SYS_STOPPED)
        return already_stopped(j);
    return 0;
}

/* Statistics that advance with the system's uptime. */
static void fill_statistics(hcs_system *sys, zhcs_Statistics *st, zhcs_ProcessorStats *p, zhcs_MemoryStats *m,
                            zhcs_StorageStats *io, char *now_buf, size_t now_size)
{
    uint64_t up = (zh_monotonic_ns() - sys->started_ns) / 100u; /* 100 ns units */
    time_t now = time(NULL);
    struct tm tmv;
#ifdef _WIN32
    gmtime_s(&tmv, &now);
#else
    gmtime_r(&now, &tmv);
#endif
    strftime(now_buf, now_size, "%Y-%m-%dT%H:%M:%SZ", &tmv);
    st->Timestamp = now_buf;
    st->has_Uptime100ns = true;
    st->Uptime100ns = up;
    p->has_TotalRuntime100ns = p->has_RuntimeUser100ns = p->has_RuntimeKernel100ns = true;
    p->TotalRuntime100ns = up / 4;
    p->RuntimeUser100ns = up / 6;
    p->RuntimeKernel100ns = up / 4 - up / 6;
    m->has_MemoryUsageCommitBytes = m->has_MemoryUsageCommitPeakBytes = m->has_MemoryUsagePrivateWorkingSetBytes = true;
    m->MemoryUsageCommitBytes = 64u * 1024 * 1024 + (up / 10000) % (32u * 1024 * 1024);
    m->MemoryUsageCommitPeakBytes = 96u * 1024 * 1024;
    m->MemoryUsagePrivateWorkingSetBytes = m->MemoryUsageCommitBytes / 2;
    io->has_ReadCountNormalized = io->has_ReadSizeBytes = io->has_WriteCountNormalized = io->has_WriteSizeBytes = true;
    io->ReadCountNormalized = up / 100000;
    io->ReadSizeBytes = io->ReadCountNormalized * 4096;
    io->WriteCountNormalized = up / 250000;
    io->WriteSizeBytes = io->WriteCountNormalized * 4096;
    st->Processor = p;
    st->Memory = m;
    st->Storage = io;
}

/* Basic Properties of a system (the members enumeration returns). */
static void basic_properties(hcs_system *sys, zhcs_Properties *p)
{
    p->Id = sys->id;
    p->has_SystemType = true;
    p->SystemType = sys->is_vm ? ZHCS_SYSTEMTYPE_VIRTUALMACHINE : ZHCS_SYSTEMTYPE_CONTAINER;
    p->Name = sys->name ? sys->name : sys->id;
    p->Owner = sys->owner;
    p->RuntimeId = sys->runtime_id;
    p->has_State = true;
    p->State = sys->state == SYS_CREATED   ? ZHCS_STATE_CREATED
               : sys->state == SYS_RUNNING ? ZHCS_STATE_RUNNING
               : sys->state == SYS_PAUSED  ? ZHCS_STATE_PAUSED
               : sys->state == SYS_SAVED   ? ZHCS_STATE_SAVEDASTEMPLATE
                                           : ZHCS_STATE_STOPPED;
    p->has_Stopped = true;
    p->Stopped = sys->state == SYS_STOPPED;
}

zhcs_ProcessDetails *sim_proc_details(hcs_state *s, hcs_system *sys, size_t *count);

static int run_properties(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)b;
    hcs_system *sys = j->sys;
    zhcs_System_PropertyQuery *q = j->arg ? zhcs_System_PropertyQuery_parse(j->arg, ZHCS_NUL_TERMINATED, NULL) : NULL;
    zhcs_Properties p = {0};
    basic_properties(sys, &p);
    zhcs_Statistics st = {0};
    zhcs_ProcessorStats ps = {0};
    zhcs_MemoryStats ms = {0};
    zhcs_StorageStats io = {0};
    zhcs_MemoryInformationForVm mem = {0};
    zhcs_VmMemory vmm = {0};
    zhcs_ProcessDetails *procs = NULL;
    char now[64];
    int32_t hr = 0;
    for (size_t i = 0; q && i < q->PropertyTypes_count && !hr; i++) {
        switch (q->PropertyTypes[i]) {
        case ZHCS_SYSTEM_PROPERTYTYPE_STATISTICS:
            if (sys->state == SYS_STOPPED || sys->state == SYS_CREATED) {
                /* what HCS answers when a stats query races a stop */
                hr = fail_op(j->op, ZH_E_HANDLE, "The handle is invalid: the system is not running.");
                break;
            }
            fill_statistics(sys, &st, &ps, &ms, &io, now, sizeof now);
            p.Statistics = &st;
            break;
        case ZHCS_SYSTEM_PROPERTYTYPE_PROCESSLIST:
            procs = sim_proc_details(s, sys, &p.ProcessList_count);
            p.ProcessList = procs;
            if (!procs)
                p.ProcessList = (zhcs_ProcessDetails *)(void *)&p; /* present, empty */
            break;
        case ZHCS_SYSTEM_PROPERTYTYPE_MEMORY:
            if (sys->is_vm) {
                vmm.has_AssignedMemory = true;
                vmm.AssignedMemory = 1024u * 1024 * 1024;
                vmm.has_AvailableMemory = true;
                vmm.AvailableMemory = 512;
                mem.VirtualMachineMemory = &vmm;
                p.Memory = &mem;
            }
            break;
        case ZHCS_SYSTEM_PROPERTYTYPE_TERMINATEONLASTHANDLECLOSED:
            p.has_TerminateOnLastHandleClosed = true;
            p.TerminateOnLastHandleClosed = sys->terminate_on_last_close;
            break;
        default:
            break; /* other property types: not simulated, left out */
        }
    }
    if (!hr) {
        free(j->op->result);
        j->op->result = zhcs_Properties_emit(&p, NULL);
        if (!j->op->result)
            hr = ZH_E_OUTOFMEMORY;
    }
    free(procs);
    zhcs_System_PropertyQuery_free(q);
    return hr;
}

static int run_enumerate(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)b;
    zhcs_SystemQuery *q = j->arg ? zhcs_SystemQuery_parse(j->arg, ZHCS_NUL_TERMINATED, NULL) : NULL;
    zh_buf out = ZH_BUF_INIT(0);
    zh_buf_puts(&out, "[");
    int first = 1;
    for (hcs_system *sys = s->systems; sys; sys = sys->next) {
        if (sys->creating)
            continue;
        int ok = 1;
        if (q && q->Ids_count) {
            ok = 0;
            for (size_t i = 0; i < q->Ids_count; i++)
                ok |= q->Ids[i] && zh_strcasecmp_ascii(q->Ids[i], sys->id) == 0;
        }
        if (ok && q && q->Names_count) {
            ok = 0;
            for (size_t i = 0; i < q->Names_count; i++)
                ok |= q->Names[i] && strcmp(q->Names[i], sys->name ? sys->name : sys->id) == 0;
        }
        if (ok && q && q->Owners_count) {
            ok = 0;
            for (size_t i = 0; i < q->Owners_count; i++)
                ok |= q->Owners[i] && sys->owner && strcmp(q->Owners[i], sys->owner) == 0;
        }
        if (ok && q && q->Types_count) {
            ok = 0;
            for (size_t i = 0; i < q->Types_count; i++)
                ok |= q->Types[i] == (sys->is_vm ? ZHCS_SYSTEMTYPE_VIRTUALMACHINE : ZHCS_SYSTEMTYPE_CONTAINER);
        }
        if (!ok)
            continue;
        zhcs_Properties p = {0};
        basic_properties(sys, &p);
        char *doc = zhcs_Properties_emit(&p, NULL);
        if (doc) {
            zh_buf_printf(&out, "%s%s", first ? "" : ",", doc);
            first = 0;
        }
        free(doc);
    }
    zh_buf_puts(&out, "]");
    zhcs_SystemQuery_free(q);
    free(j->op->result);
    j->op->result = zh_buf_take(&out);
    return j->op->result ? 0 : ZH_E_OUTOFMEMORY;
}

/* The delay of an operation (zh_sim_op_delay), lock held. */
static uint32_t delay_of(hcs_state *s, size_t id)
{
    return s->op_delay_ms[id];
}

/* Converts an optional UTF-16 argument; an invalid one makes *hr E_INVALIDARG. */
static char *arg8(const zh_wchar *w, zh_hresult *hr)
{
    int bad = 0;
    char *s = sim_utf8(w, &bad);
    if (bad)
        *hr = ZH_E_INVALIDARG;
    return s;
}

/* Checks the optional options document of a system call against its type. */
static int options_valid(const char *type, const char *text, char **why)
{
    *why = NULL;
    if (!text || !*text)
        return 1;
    zhcs_error *err = NULL;
    int ok = zhcs_schema_check(type, text, ZHCS_NUL_TERMINATED, 0, NULL, &err) == 0;
    if (!ok)
        *why = zh_strdup(zh_error_message(err));
    zh_error_free(err);
    return ok;
}

/* The common shape of Start/Shutdown/Terminate/Pause/Resume/Save/Crash/Modify/GetProperties. */
static zh_hresult system_call(zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *options,
                              zh_hcs_operation_type type, size_t id, const char *options_type,
                              int (*run)(hcs_state *, hcs_job *, hcs_event_batch *))
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    zh_hresult hr = 0;
    hcs_sys_handle *h = sim_hcs_sys_handle(s, computeSystem);
    hcs_op *op = NULL;
    char *text = arg8(options, &hr);
    if (!h)
        hr = ZH_E_HANDLE;
    if (!hr)
        hr = sim_hcs_op_begin(s, operation, type, h, NULL, &op);
    if (!hr) {
        hcs_system *sys = h->sys;
        char *why = NULL;
        hcs_event_batch b = {0};
        if (!find_system(s, sys->id) || sys->creating) {
            /* the create failed or was never completed */
            fail_op(op, HCS_E_SYSTEM_NOT_FOUND, "A virtual machine or container with the specified identifier does not exist.");
            completion c = {NULL, NULL, NULL};
            complete_later(s, op, HCS_E_SYSTEM_NOT_FOUND, &b, &c);
            zh_mutex_unlock(&w->lock);
            sim_hcs_deliver(w, &b);
            complete_deliver(w, &c);
            free(text);
            return 0;
        }
        if (options_type && !options_valid(options_type, text, &why)) {
            fail_op(op, HCS_E_INVALID_JSON, why ? why : "invalid options");
            completion c = {NULL, NULL, NULL};
            complete_later(s, op, HCS_E_INVALID_JSON, &b, &c);
            free(why);
            zh_mutex_unlock(&w->lock);
            sim_hcs_deliver(w, &b);
            complete_deliver(w, &c);
            free(text);
            return 0;
        }
        free(why);
        if (sim_hcs_queue(s, op, delay_of(s, id), run, sys, NULL, text) < 0) {
            op->state = OP_IDLE;
            hr = ZH_E_OUTOFMEMORY;
        }
    }
    zh_mutex_unlock(&w->lock);
    free(text);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsStartComputeSystem(zh_hcs_system computeSystem, zh_hcs_operation operation,
                                               const zh_wchar *options)
{
    return system_call(computeSystem, operation, options, HcsOperationTypeStart, ZH_HCS_ID_HcsStartComputeSystem, NULL,
                       run_start);
}

zh_hresult ZH_WINAPI sim_HcsShutDownComputeSystem(zh_hcs_system computeSystem, zh_hcs_operation operation,
                                                  const zh_wchar *options)
{
    return system_call(computeSystem, operation, options, HcsOperationTypeShutdown, ZH_HCS_ID_HcsShutDownComputeSystem,
                       "ShutdownOptions", run_shutdown);
}

zh_hresult ZH_WINAPI sim_HcsTerminateComputeSystem(zh_hcs_system computeSystem, zh_hcs_operation operation,
                                                   const zh_wchar *options)
{
    return system_call(computeSystem, operation, options, HcsOperationTypeTerminate,
                       ZH_HCS_ID_HcsTerminateComputeSystem, NULL, run_terminate);
}

zh_hresult ZH_WINAPI sim_HcsCrashComputeSystem(zh_hcs_system computeSystem, zh_hcs_operation operation,
                                               const zh_wchar *options)
{
    return system_call(computeSystem, operation, options, HcsOperationTypeCrash, ZH_HCS_ID_HcsCrashComputeSystem,
                       "CrashOptions", run_crash);
}

zh_hresult ZH_WINAPI sim_HcsPauseComputeSystem(zh_hcs_system computeSystem, zh_hcs_operation operation,
                                               const zh_wchar *options)
{
    return system_call(computeSystem, operation, options, HcsOperationTypePause, ZH_HCS_ID_HcsPauseComputeSystem,
                       "PauseOptions", run_pause);
}

zh_hresult ZH_WINAPI sim_HcsResumeComputeSystem(zh_hcs_system computeSystem, zh_hcs_operation operation,
                                                const zh_wchar *options)
{
    return system_call(computeSystem, operation, options, HcsOperationTypeResume, ZH_HCS_ID_HcsResumeComputeSystem, NULL,
                       run_resume);
}

zh_hresult ZH_WINAPI sim_HcsSaveComputeSystem(zh_hcs_system computeSystem, zh_hcs_operation operation,
                                              const zh_wchar *options)
{
    return system_call(computeSystem, operation, options, HcsOperationTypeSave, ZH_HCS_ID_HcsSaveComputeSystem,
                       "SaveOptions", run_save);
}

zh_hresult ZH_WINAPI sim_HcsGetComputeSystemProperties(zh_hcs_system computeSystem, zh_hcs_operation operation,
                                                       const zh_wchar *propertyQuery)
{
    return system_call(computeSystem, operation, propertyQuery, HcsOperationTypeGetProperties,
                       ZH_HCS_ID_HcsGetComputeSystemProperties, "System_PropertyQuery", run_properties);
}

zh_hresult ZH_WINAPI sim_HcsModifyComputeSystem(zh_hcs_system computeSystem, zh_hcs_operation operation,
                                                const zh_wchar *configuration, zh_handle identity)
{
    (void)identity;
    if (!configuration)
        return ZH_E_INVALIDARG;
    return system_call(computeSystem, operation, configuration, HcsOperationTypeModify, ZH_HCS_ID_HcsModifyComputeSystem,
                       "ModifySettingRequest", run_modify);
}

/* Checks a container's HCN namespace against the simulated network world (lock held). */
static int namespace_exists(sim_world *w, const char *id);

zh_hresult ZH_WINAPI sim_HcsCreateComputeSystem(const zh_wchar *id, const zh_wchar *configuration,
                                                zh_hcs_operation operation, const zh_security_descriptor *securityDescriptor,
                                                zh_hcs_system *computeSystem)
{
    (void)securityDescriptor;
    if (computeSystem)
        *computeSystem = NULL;
    if (!id || !configuration || !computeSystem)
        return ZH_E_INVALIDARG;
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    zh_hresult hr = 0;
    char *id8 = arg8(id, &hr), *config = arg8(configuration, &hr);
    hcs_op *op = NULL;
    if (!hr && (!id8 || !*id8))
        hr = ZH_E_INVALIDARG;
    if (!hr)
        hr = sim_hcs_op_begin(s, operation, HcsOperationTypeCreate, NULL, NULL, &op);
    if (hr) {
        zh_mutex_unlock(&w->lock);
        free(id8);
        free(config);
        return hr;
    }
    /* Document-level errors are returned by the call and also complete the operation with
     * a ResultError (a documented guess: callers see them either way). */
    zhcs_error *err = NULL;
    zhcs_ComputeSystem *cs = zhcs_ComputeSystem_parse(config, ZHCS_NUL_TERMINATED, &err);
    char msg[512] = "";
    if (!cs) {
        hr = HCS_E_INVALID_JSON;
        snprintf(msg, sizeof msg, "The JSON document is invalid: %s", zh_error_message(err));
    } else if (!cs->Container && !cs->VirtualMachine) {
        hr = HCS_E_INVALID_JSON;
        snprintf(msg, sizeof msg, "The configuration has neither a Container nor a VirtualMachine section.");
    } else if (find_system(s, id8)) {
        hr = HCS_E_SYSTEM_ALREADY_EXISTS;
        snprintf(msg, sizeof msg, "A virtual machine or container with the specified identifier (%.64s) already exists.",
                 id8);
    } else if (cs->Container && cs->Container->Networking && cs->Container->Networking->Namespace &&
               !namespace_exists(w, cs->Container->Networking->Namespace)) {
        hr = ZH_E_NOT_FOUND;
        snprintf(msg, sizeof msg, "The network namespace %.64s does not exist.", cs->Container->Networking->Namespace);
    } else if (cs->Container && (hr = sim_storage_check(cs->Container, msg, sizeof msg)) != 0) {
        /* layers and scratch: sim_storage.c */
    }
    zh_error_free(err);
    hcs_system *sys = NULL;
    hcs_sys_handle *h = NULL;
    if (!hr) {
        sys = calloc(1, sizeof *sys);
        h = calloc(1, sizeof *h);
        if (!sys || !h || !(sys->id = zh_strdup(id8)) || (cs->Owner && !(sys->owner = zh_strdup(cs->Owner)))) {
            hr = ZH_E_OUTOFMEMORY;
            snprintf(msg, sizeof msg, "out of memory");
            if (sys)
                free(sys->id);
            free(sys);
            free(h);
            sys = NULL;
        }
    }
    if (hr) {
        hcs_event_batch b = {0};
        fail_op(op, hr, msg);
        completion c = {NULL, NULL, NULL};
        complete_later(s, op, hr, &b, &c);
        zh_mutex_unlock(&w->lock);
        sim_hcs_deliver(w, &b);
        complete_deliver(w, &c);
        zhcs_ComputeSystem_free(cs);
        free(id8);
        free(config);
        return hr;
    }
    zh_guid rid;
    zh_guid_random(&rid, NULL);
    zh_guid_format(&rid, ZH_GUID_LOWER, sys->runtime_id);
    sys->is_vm = cs->VirtualMachine != NULL;
    sys->hyperv = cs->HostingSystemId && *cs->HostingSystemId;
    sys->state = SYS_CREATED;
    sys->creating = true;
    sys->terminate_on_last_close = cs->has_ShouldTerminateOnLastHandleClosed && cs->ShouldTerminateOnLastHandleClosed;
    sys->config = config;
    config = NULL;
    sys->handles = 1;
    sys->next_pid = 1000;
    sys->next = s->systems;
    s->systems = sys;
    h->magic = HCS_SYS_MAGIC;
    h->sys = sys;
    sysh_link(s, h);
    sim_live_add(s, h); /* out of memory: the handle is refused by every later call */
    op->sysh = h;
    *computeSystem = (zh_hcs_system)(void *)h;
    if (sim_hcs_queue(s, op, delay_of(s, ZH_HCS_ID_HcsCreateComputeSystem), run_create, sys, NULL, NULL) < 0)
        sys->creating = false, op->state = OP_DONE; /* out of memory: created at once */
    zh_mutex_unlock(&w->lock);
    zhcs_ComputeSystem_free(cs);
    free(id8);
    free(config);
    return 0;
}

zh_hresult ZH_WINAPI sim_HcsOpenComputeSystem(const zh_wchar *id, zh_dword requestedAccess, zh_hcs_system *computeSystem)
{
    (void)requestedAccess;
    if (computeSystem)
        *computeSystem = NULL;
    if (!id || !computeSystem)
        return ZH_E_INVALIDARG;
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    zh_hresult hr = 0;
    char *id8 = arg8(id, &hr);
    hcs_system *sys = !hr && id8 ? find_system(s, id8) : NULL;
    if (!hr && (!sys || sys->creating))
        hr = HCS_E_SYSTEM_NOT_FOUND;
    hcs_sys_handle *h = NULL;
    if (!hr && !(h = calloc(1, sizeof *h)))
        hr = ZH_E_OUTOFMEMORY;
    if (!hr) {
        h->magic = HCS_SYS_MAGIC;
        h->sys = sys;
        sysh_link(s, h);
        sim_live_add(s, h);
        sys->handles++;
        *computeSystem = (zh_hcs_system)(void *)h;
    }
    zh_mutex_unlock(&w->lock);
    free(id8);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsOpenComputeSystemInNamespace(const zh_wchar *idNamespace, const zh_wchar *id,
                                                         zh_dword requestedAccess, zh_hcs_system *computeSystem)
{
    if (idNamespace && idNamespace[0])
        return ZH_E_NOTIMPL; /* HCS namespaces are not simulated */
    return sim_HcsOpenComputeSystem(id, requestedAccess, computeSystem);
}

zh_hresult ZH_WINAPI sim_HcsCreateComputeSystemInNamespace(const zh_wchar *idNamespace, const zh_wchar *id,
                                                           const zh_wchar *configuration, zh_hcs_operation operation,
                                                           const zh_hcs_create_options *options,
                                                           zh_hcs_system *computeSystem)
{
    (void)options;
    if (idNamespace && idNamespace[0])
        return ZH_E_NOTIMPL;
    return sim_HcsCreateComputeSystem(id, configuration, operation, NULL, computeSystem);
}

void ZH_WINAPI sim_HcsCloseComputeSystem(zh_hcs_system computeSystem)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return;
    hcs_sys_handle *h = sim_hcs_sys_handle(s, computeSystem);
    if (!h) {
        zh_mutex_unlock(&w->lock);
        return;
    }
    /* Unregister; ZH_SIM_LAT_CLOSE_WAITS 1: then drain the callbacks in flight (unless
     * this is a close from inside one, which HCS forbids); 0: one already on its way may
     * still run after this returns. */
    h->closing = true;
    h->callback = NULL;
    sysh_unlink_sys(h); /* no more events for it */
    zh_cond_broadcast(&s->done_cond); /* releases HcsWaitForComputeSystemExit on this handle */
    bool inside = zh_thread_self_id() == s->worker_id || sim_hcs_in_callback_of(&h->running);
    if (sim_lat(ZH_SIM_LAT_CLOSE_WAITS)) {
        sim_hcs_unqueue(s, &h->running);
        while (!inside && h->running > 0)
            zh_cond_wait(&s->done_cond, &w->lock);
    }
    for (hcs_op *op = s->ops; op; op = op->next) {
        if (op->event_to == h)
            op->event_to = NULL;
        if (op->sysh == h)
            op->sysh = NULL;
    }
    hcs_system *sys = h->sys;
    if (h->running > 0) {
        h->zombie = true; /* a callback or a wait still uses it: freed when they end */
        s->zombies++;
    } else {
        sysh_free(s, h);
    }
    if (--sys->handles == 0) {
        /* ShouldTerminateOnLastHandleClosed: the system goes with its last handle */
        if (sys->terminate_on_last_close && sys->state != SYS_STOPPED)
            stop_system(s, sys, "ForcedExit", 0, NULL);
        /* a create still running: ZH_SIM_LAT_ABANDONED_CREATE 1 aborts it; 0 lets it
         * complete, and the system stays, owned by nobody */
        if (sys->state == SYS_STOPPED || (sys->creating && sim_lat(ZH_SIM_LAT_ABANDONED_CREATE))) {
            free_system(s, sys);
        }
    }
    zh_mutex_unlock(&w->lock);
}

zh_hresult ZH_WINAPI sim_HcsWaitForComputeSystemExit(zh_hcs_system computeSystem, zh_dword timeoutMs, zh_wchar **result)
{
    if (result)
        *result = NULL;
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_sys_handle *h = sim_hcs_sys_handle(s, computeSystem);
    if (!h) {
        zh_mutex_unlock(&w->lock);
        return ZH_E_HANDLE;
    }
    uint64_t deadline = zh_monotonic_ns() + (uint64_t)timeoutMs * 1000000u;
    hcs_system *sys = h->sys;
    zh_hresult hr = 0;
    h->running++; /* a close waits for us to leave */
    while (!h->closing && sys->state != SYS_STOPPED) { /* closing first: the system may be gone */
        if (timeoutMs == INFINITE_MS)
            zh_cond_wait(&s->done_cond, &w->lock);
        else if (zh_cond_wait_until(&s->done_cond, &w->lock, deadline)) {
            hr = HCS_E_OPERATION_TIMEOUT;
            break;
        }
    }
    if (!hr && h->closing)
        hr = ZH_E_HANDLE; /* closed while we waited */
    if (!hr && result && sys->exit_status)
        *result = sim_wstr(sys->exit_status);
    h->running--;
    sim_hcs_reap_handles(s);
    zh_cond_broadcast(&s->done_cond);
    zh_mutex_unlock(&w->lock);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsSetComputeSystemCallback(zh_hcs_system computeSystem, zh_hcs_event_options callbackOptions,
                                                     const void *context, zh_hcs_event_callback callback)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    hcs_sys_handle *h = sim_hcs_sys_handle(s, computeSystem);
    zh_hresult hr = 0;
    if (!h)
        hr = ZH_E_HANDLE;
    else if (h->callback)
        hr = HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET;
    else {
        h->callback = callback;
        h->context = (void *)(uintptr_t)context;
        h->options = callbackOptions;
    }
    zh_mutex_unlock(&w->lock);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsEnumerateComputeSystems(const zh_wchar *query, zh_hcs_operation operation)
{
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    zh_hresult hr = 0;
    char *text = arg8(query, &hr);
    hcs_op *op = NULL;
    char *why = NULL;
    if (!hr)
        hr = sim_hcs_op_begin(s, operation, HcsOperationTypeEnumerate, NULL, NULL, &op);
    if (!hr && !options_valid("SystemQuery", text, &why)) {
        hcs_event_batch b = {0};
        fail_op(op, HCS_E_INVALID_JSON, why ? why : "invalid query");
        completion c = {NULL, NULL, NULL};
        complete_later(s, op, HCS_E_INVALID_JSON, &b, &c);
        zh_mutex_unlock(&w->lock);
        sim_hcs_deliver(w, &b);
        complete_deliver(w, &c);
        free(why);
        free(text);
        return 0;
    }
    free(why);
    if (!hr && sim_hcs_queue(s, op, delay_of(s, ZH_HCS_ID_HcsEnumerateComputeSystems), run_enumerate, NULL, NULL,
                             text && *text ? text : NULL) < 0) {
        op->state = OP_IDLE;
        hr = ZH_E_OUTOFMEMORY;
    }
    zh_mutex_unlock(&w->lock);
    free(text);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsEnumerateComputeSystemsInNamespace(const zh_wchar *idNamespace, const zh_wchar *query,
                                                               zh_hcs_operation operation)
{
    if (idNamespace && idNamespace[0])
        return ZH_E_NOTIMPL;
    return sim_HcsEnumerateComputeSystems(query, operation);
}

zh_hresult ZH_WINAPI sim_HcsGetServiceProperties(const zh_wchar *propertyQuery, zh_wchar **result)
{
    (void)propertyQuery;
    if (!result)
        return ZH_E_POINTER;
    *result = sim_wstr("{\"SupportedSchemaVersions\":[{\"Major\":2,\"Minor\":0},{\"Major\":2,\"Minor\":1},"
                       "{\"Major\":2,\"Minor\":2},{\"Major\":2,\"Minor\":3},{\"Major\":2,\"Minor\":4},"
                       "{\"Major\":2,\"Minor\":5}]}");
    return *result ? 0 : ZH_E_OUTOFMEMORY;
}

/* Not simulated (docs/simulator.md): file, WER and ACL services around VMs. */
zh_hresult ZH_WINAPI sim_HcsModifyServiceSettings(const zh_wchar *settings, zh_wchar **result)
{
    (void)settings;
    if (result)
        *result = NULL;
    return ZH_E_NOTIMPL;
}

zh_hresult ZH_WINAPI sim_HcsSubmitWerReport(const zh_wchar *settings)
{
    (void)settings;
    return ZH_E_NOTIMPL;
}

zh_hresult ZH_WINAPI sim_HcsCreateEmptyGuestStateFile(const zh_wchar *guestStateFilePath)
{
    (void)guestStateFilePath;
    return ZH_E_NOTIMPL;
}

zh_hresult ZH_WINAPI sim_HcsCreateEmptyRuntimeStateFile(const zh_wchar *runtimeStateFilePath)
{
    (void)runtimeStateFilePath;
    return ZH_E_NOTIMPL;
}

/* Granting a VM access to a file has no meaning without VMs: accepted (a documented choice,
 * so that code preparing VM files runs). */
zh_hresult ZH_WINAPI sim_HcsGrantVmAccess(const zh_wchar *vmId, const zh_wchar *filePath)
{
    return vmId && filePath ? 0 : ZH_E_INVALIDARG;
}

zh_hresult ZH_WINAPI sim_HcsRevokeVmAccess(const zh_wchar *vmId, const zh_wchar *filePath)
{
    return vmId && filePath ? 0 : ZH_E_INVALIDARG;
}

zh_hresult ZH_WINAPI sim_HcsGrantVmGroupAccess(const zh_wchar *filePath)
{
    return filePath ? 0 : ZH_E_INVALIDARG;
}

zh_hresult ZH_WINAPI sim_HcsRevokeVmGroupAccess(const zh_wchar *filePath)
{
    return filePath ? 0 : ZH_E_INVALIDARG;
}

zh_hresult ZH_WINAPI sim_HcsGetProcessorCompatibilityFromSavedState(const zh_wchar *RuntimeFileName,
                                                                    const zh_wchar **ProcessorFeaturesString)
{
    (void)RuntimeFileName;
    if (ProcessorFeaturesString)
        *ProcessorFeaturesString = NULL;
    return ZH_E_NOTIMPL;
}

zh_hresult ZH_WINAPI sim_HcsAddResourceToOperation(zh_hcs_operation operation, zh_hcs_resource_type type,
                                                   const zh_wchar *uri, zh_handle handle)
{
    (void)operation;
    (void)type;
    (void)uri;
    (void)handle;
    return ZH_E_NOTIMPL;
}

/* ---------------------------------------------------------------- service stop */
static int run_disconnect(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)j;
    for (hcs_sys_handle *h = s->sys_handles; h; h = h->next)
        if (h->callback && !h->closing)
            sim_hcs_add_event(b, h->callback, h->context, &h->running, HcsEventServiceDisconnect, NULL, NULL);
    return 0;
}

static int run_disconnected(hcs_state *s, hcs_job *j, hcs_event_batch *b)
{
    (void)s;
    (void)b;
    return fail_op(j->op, HCS_E_SERVICE_DISCONNECT, "The connection to the compute service was lost.");
}

void sim_hcs_service_stopped(sim_world *w)
{
    hcs_state *s = w->hcs;
    if (!s)
        return;
    /* queued work will never be done: each job now fails at once, on the worker, so the
     * operations complete with HCS_E_SERVICE_DISCONNECT and their callbacks run */
    for (hcs_job *j = s->jobs; j; j = j->next) {
        j->run = run_disconnected;
        j->due_ns = 0;
    }
    sim_hcs_queue(s, NULL, 0, run_disconnect, NULL, NULL, NULL);
}

/* ---------------------------------------------------------------- controls */
int zh_sim_op_delay(const char *entry, uint32_t ms)
{
    size_t id = entry ? zh_raw_spec_find(&zh_raw_hcs_spec, entry) : (size_t)-1;
    if (entry && id == (size_t)-1)
        return -1;
    sim_world *cw = sim_world_get();
    if (cw && cw->client) /* sim:PATH: operations run in the service */
        return sim_client_op_delay(entry, ms);
    sim_world *w;
    hcs_state *s = sim_hcs_lock(&w);
    if (!s)
        return -1;
    for (size_t i = 0; i < ZH_HCS_ID_COUNT; i++)
        if (!entry || i == id)
            s->op_delay_ms[i] = ms;
    zh_mutex_unlock(&w->lock);
    return 0;
}

/* ---------------------------------------------------------------- HCN link */
static int namespace_exists(sim_world *w, const char *id)
{
    zh_guid g;
    if (zh_guid_parse(id, &g, NULL) < 0)
        return 0;
    for (sim_obj *o = w->objs[SIM_NAMESPACE]; o; o = o->next)
        if (zh_guid_equal(&o->id, &g))
            return 1;
    return 0;
}

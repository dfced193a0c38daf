/* SPDX-License-Identifier: MIT */
/* hcs_service.c - zhcs_service: the connection a URI names, its dispatcher thread, and the
 * small helpers every zhcs module uses (UTF-16 arguments, JSON checks, errors). */
#include <stdlib.h>
#include <string.h>

#include "hcs_internal.h"
#include "zh_json.h"
#include "zh_utf.h"

/* The dispatcher: a thread with a task queue. It is a block of its own, shared by the
 * service and the thread, so that a task may drop the service's last reference (freeing it)
 * while the thread goes on safely to its end. */
typedef struct hcs_task {
    void (*fn)(void *arg);
    void *arg;
    struct hcs_task *next;
} hcs_task;

struct hcs_dispatcher {
    zh_mutex lock;
    zh_cond cond;
    hcs_task *tasks, *tail;
    void *running;   /* the argument of the task running now */
    bool stop;
    zh_atomic users; /* the service and the thread */
    uint64_t thread_id;
    zh_thread *thread;
};

static void dispatcher_unref(hcs_dispatcher *d)
{
    if (zh_atomic_add(&d->users, -1) != 0)
        return;
    zh_cond_destroy(&d->cond);
    zh_mutex_destroy(&d->lock);
    free(d);
}

/* Runs the tasks in the order they were queued, one at a time, until told to stop. */
static void dispatcher_main(void *arg)
{
    hcs_dispatcher *d = arg;
    zh_mutex_lock(&d->lock);
    d->thread_id = zh_thread_self_id();
    for (;;) {
        while (!d->tasks && !d->stop)
            zh_cond_wait(&d->cond, &d->lock);
        hcs_task *t = d->tasks;
        if (!t)
            break;
        d->tasks = t->next;
        if (!d->tasks)
            d->tail = NULL;
        d->running = t->arg;
        zh_mutex_unlock(&d->lock);
        t->fn(t->arg); /* may drop the service's last reference: we only touch `d` after */
        free(t);
        zh_mutex_lock(&d->lock);
        d->running = NULL;
        zh_cond_broadcast(&d->cond);
    }
    zh_mutex_unlock(&d->lock);
    dispatcher_unref(d);
}

int hcs_dispatch(hcs_service *s, void (*fn)(void *arg), void *arg, bool locked)
{
    hcs_task *t = malloc(sizeof *t);
    if (!t)
        return -1;
    t->fn = fn;
    t->arg = arg;
    t->next = NULL;
    if (!locked)
        zh_mutex_lock(&s->lock);
    hcs_dispatcher *d = s->disp;
    if (!d) {
        d = calloc(1, sizeof *d);
        if (!d || zh_cond_init(&d->cond) < 0) {
            free(d);
            d = NULL;
        } else {
            zh_mutex_init(&d->lock);
            zh_atomic_init(&d->users, 2);
            if (zh_thread_start(&d->thread, dispatcher_main, d, NULL) < 0) {
                zh_cond_destroy(&d->cond);
                zh_mutex_destroy(&d->lock);
                free(d);
                d = NULL;
            } else {
                s->disp = d;
            }
        }
    }
    if (!locked)
        zh_mutex_unlock(&s->lock);
    if (!d) {
        free(t);
        return -1;
    }
    zh_mutex_lock(&d->lock);
    if (d->tail)
        d->tail->next = t;
    else
        d->tasks = t;
    d->tail = t;
    zh_cond_broadcast(&d->cond); /* the thread, and closes waiting for it to idle */
    zh_mutex_unlock(&d->lock);
    return 0;
}

size_t hcs_dispatch_cancel(hcs_service *s, void *arg)
{
    zh_mutex_lock(&s->lock);
    hcs_dispatcher *d = s->disp;
    zh_mutex_unlock(&s->lock);
    if (!d)
        return 0;
    size_t dropped = 0;
    zh_mutex_lock(&d->lock);
    for (hcs_task **p = &d->tasks; *p;) {
        if ((*p)->arg == arg) {
            hcs_task *t = *p;
            *p = t->next;
            free(t);
            dropped++;
        } else {
            p = &(*p)->next;
        }
    }
    d->tail = NULL;
    for (hcs_task *t = d->tasks; t; t = t->next)
        d->tail = t;
    while (d->running == arg && d->thread_id != zh_thread_self_id())
        zh_cond_wait(&d->cond, &d->lock);
    zh_mutex_unlock(&d->lock);
    return dropped;
}

bool hcs_on_dispatcher(hcs_service *s)
{
    zh_mutex_lock(&s->lock);
    hcs_dispatcher *d = s->disp;
    zh_mutex_unlock(&s->lock);
    if (!d)
        return false;
    zh_mutex_lock(&d->lock);
    bool on = d->thread_id == zh_thread_self_id();
    zh_mutex_unlock(&d->lock);
    return on;
}

/* ------------------------------------------------------------------ the service */
int zhcs_service_open(zhcs_service **out, const char *uri, zhcs_error **err)
{
    if (!out)
        return hcs_null_arg("zhcs_service_open", "out", err);
    *out = NULL;
    hcs_service *s = calloc(1, sizeof *s);
    if (!s)
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "zhcs_service_open", "out of memory");
    if (zh_cond_init(&s->cond) < 0) {
        free(s);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "zhcs_service_open", "out of memory");
    }
    zh_mutex_init(&s->lock);
    zh_ref_init(&s->ref);
    s->svc = zh_svc_open(uri, &zh_raw_hcs_spec, "zhcs_service_open", err);
    if (s->svc) {
        s->lib = zh_svc_lib(s->svc);
        s->handle = zh_handle_register(s, HCS_T_SERVICE);
        if (s->handle) {
            *out = (zhcs_service *)s->handle;
            return 0;
        }
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "zhcs_service_open", "out of handles");
    }
    zh_svc_close(s->svc);
    zh_cond_destroy(&s->cond);
    zh_mutex_destroy(&s->lock);
    free(s);
    return -1;
}

static void service_ref_cb(void *obj)
{
    zh_ref_get(&((hcs_service *)obj)->ref);
}

hcs_service *hcs_service_get(zhcs_service *h, const char *fn, zh_error **err)
{
    hcs_service *s = zh_handle_get((uintptr_t)h, HCS_T_SERVICE, service_ref_cb);
    if (!s)
        zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn, h ? "the service handle is closed or not a service"
                                                                   : "the service is NULL");
    return s;
}

void hcs_service_ref(hcs_service *s)
{
    zh_ref_get(&s->ref);
}

void hcs_service_unref(hcs_service *s)
{
    if (!s || !zh_ref_put(&s->ref))
        return;
    /* Nothing refers to the service any more, so no task can be queued: stop the
     * dispatcher. When this runs on the dispatcher itself (its task dropped the last
     * reference), the thread finishes that task and ends on its own. */
    hcs_dispatcher *d = s->disp;
    if (d) {
        zh_mutex_lock(&d->lock);
        d->stop = true;
        bool self = d->thread_id == zh_thread_self_id();
        zh_cond_signal(&d->cond);
        zh_mutex_unlock(&d->lock);
        if (self)
            zh_thread_detach(d->thread);
        else
            zh_thread_join(d->thread);
        dispatcher_unref(d);
    }
    zh_svc_close(s->svc);
    zh_cond_destroy(&s->cond);
    zh_mutex_destroy(&s->lock);
    free(s);
}

void hcs_inflight_begin(hcs_service *s)
{
    zh_mutex_lock(&s->lock);
    s->inflight++;
    zh_mutex_unlock(&s->lock);
}

void hcs_inflight_end(hcs_service *s)
{
    zh_mutex_lock(&s->lock);
    if (--s->inflight == 0)
        zh_cond_broadcast(&s->cond);
    zh_mutex_unlock(&s->lock);
}

void hcs_unref_from_hcs(hcs_service *s, zh_refcount *ref, void (*task)(void *obj), void *obj)
{
    if (!zh_ref_put(ref))
        hcs_inflight_end(s);
    else if (hcs_dispatch(s, task, obj, false) < 0)
        task(obj); /* out of memory: here, as the lesser evil */
}

void hcs_final_task(hcs_service *s, void (*final)(void *obj), void *obj)
{
    hcs_service_ref(s);
    final(obj);
    hcs_inflight_end(s);
    hcs_service_unref(s);
}

void zhcs_service_close(zhcs_service *h)
{
    hcs_service *s = zh_handle_unregister((uintptr_t)h, HCS_T_SERVICE);
    if (s && !hcs_on_dispatcher(s)) {
        /* HCS callbacks that hold objects finish (they never block), then the releases
         * they left to the dispatcher: the last reference is then normally ours */
        zh_mutex_lock(&s->lock);
        while (s->inflight > 0)
            zh_cond_wait(&s->cond, &s->lock);
        hcs_dispatcher *d = s->disp;
        zh_mutex_unlock(&s->lock);
        if (d) {
            zh_mutex_lock(&d->lock);
            while (d->tasks || d->running)
                zh_cond_wait(&d->cond, &d->lock);
            zh_mutex_unlock(&d->lock);
        }
    }
    hcs_service_unref(s);
}

const char *zhcs_service_uri(const zhcs_service *h)
{
    hcs_service *s = zh_handle_get((uintptr_t)h, HCS_T_SERVICE, NULL);
    /* the URI lives as long as the service; a closed handle answers "" */
    return s ? zh_svc_uri(s->svc) : "";
}

void zhcs_strings_free(char **items, size_t count)
{
    if (!items)
        return;
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

/* ------------------------------------------------------------------ waits */
uint64_t hcs_deadline(uint32_t timeout_ms)
{
    return timeout_ms == ZHCS_INFINITE ? UINT64_MAX : zh_monotonic_ns() + (uint64_t)timeout_ms * 1000000u;
}

int hcs_wait_until(hcs_service *s, uint64_t deadline_ns)
{
    if (deadline_ns == UINT64_MAX) {
        zh_cond_wait(&s->cond, &s->lock);
        return 0;
    }
    if (zh_monotonic_ns() >= deadline_ns)
        return -1;
    zh_cond_wait_until(&s->cond, &s->lock, deadline_ns);
    return 0; /* the caller re-checks its predicate and the deadline */
}

/* ------------------------------------------------------------------ helpers */
int hcs_null_arg(const char *fn, const char *what, zh_error **err)
{
    return zh_error_set_cat(err, ZH_E_POINTER, ZH_CAT_INVALID_ARGUMENT, fn, "%s is NULL", what);
}

int hcs_wide(const char *s, zh_wchar **out, const char *fn, const char *what, zh_error **err)
{
    *out = NULL;
    if (!s)
        return 0;
    uint16_t *w = NULL;
    zh_error *e = NULL;
    if (zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, what, &e) < 0) {
        zh_error_put(err, zh_error_prefixed(e, fn, ""));
        zh_error_free(e);
        return -1;
    }
    *out = (zh_wchar *)w;
    return 0;
}

char *hcs_narrow(hcs_service *s, zh_wchar *w)
{
    if (!w)
        return NULL;
    char *out = NULL;
    /* HCS writes UTF-16; an unpaired surrogate would be its bug: keep what converts */
    if (zh_utf16_to_utf8((const uint16_t *)w, ZH_NUL_TERMINATED, &out, NULL, "result", NULL) < 0)
        out = NULL;
    zh_raw_free_string(s->lib, w);
    return out;
}

int hcs_check_json(const char *json, const char *fn, const char *what, zh_error **err)
{
    if (!json)
        return 0;
    size_t len = strnlen(json, ZHCS_DOCUMENT_MAX + 1);
    if (len > ZHCS_DOCUMENT_MAX)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                "the %s is larger than %zu bytes (ZHCS_DOCUMENT_MAX)", what, ZHCS_DOCUMENT_MAX);
    size_t bad = 0;
    if (zh_utf8_validate(json, len, &bad) < 0) /* text first, as zhns and docs/api.md say */
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                "the %s is not valid UTF-8 (at byte %zu)", what, bad);
    zh_error *e = NULL;
    if (zh_json_validate(json, len, what, &e) < 0) {
        zh_error_put(err, zh_error_prefixed(e, fn, ""));
        zh_error_free(e);
        return -1;
    }
    return 0;
}

int hcs_raw_error(zh_error **err, zh_hresult hr, const char *raw_fn, const char *what)
{
    if (hr == ZH_E_HANDLE) /* from HCS on a handle we hold open: its system or process stopped */
        return zh_error_set_cat(err, hr, ZH_CAT_ALREADY_STOPPED, raw_fn, "%s: E_HANDLE (it has stopped)", what);
    const zh_hresult_info *info = zh_hresult_lookup(hr);
    if (info)
        return zh_error_set(err, hr, raw_fn, "%s: %s", what, info->name);
    return zh_error_set(err, hr, raw_fn, "%s: HRESULT 0x%08X", what, (unsigned)hr);
}

/* SPDX-License-Identifier: MIT */
/* hcs_events.c - zhcs_events: bounded event queues fed by HCS's callbacks.
 *
 * HCS's thread decodes the event (outside any lock), then queues one copy per subscription
 * under the service lock: a full queue drops the event and counts it, so HCS's thread never
 * waits for a reader. Callback subscriptions are served by the dispatcher thread.
 */
#include <stdlib.h>
#include <string.h>

#include "hcs_internal.h"
#include "zh_str.h"
#include "zh_utf.h"

#define HCS_EVENTS_MAX_CAPACITY ((size_t)1 << 20)

const char *zhcs_event_type_name(zhcs_event_type type)
{
    switch (type) {
    case ZHCS_EVENT_SYSTEM_EXITED: return "SystemExited";
    case ZHCS_EVENT_SYSTEM_CRASH_INITIATED: return "SystemCrashInitiated";
    case ZHCS_EVENT_SYSTEM_CRASH_REPORT: return "SystemCrashReport";
    case ZHCS_EVENT_SYSTEM_RDP_ENHANCED_MODE_STATE_CHANGED: return "SystemRdpEnhancedModeStateChanged";
    case ZHCS_EVENT_SYSTEM_SILO_JOB_CREATED: return "SystemSiloJobCreated";
    case ZHCS_EVENT_SYSTEM_GUEST_CONNECTION_CLOSED: return "SystemGuestConnectionClosed";
    case ZHCS_EVENT_PROCESS_EXITED: return "ProcessExited";
    case ZHCS_EVENT_OPERATION_CALLBACK: return "OperationCallback";
    case ZHCS_EVENT_SERVICE_DISCONNECT: return "ServiceDisconnect";
    case ZHCS_EVENT_UNKNOWN: break;
    }
    return "Unknown";
}

char *hcs_event_data(const zh_wchar *data)
{
    char *out = NULL;
    if (data && zh_utf16_to_utf8((const uint16_t *)data, ZH_NUL_TERMINATED, &out, NULL, "event data", NULL) < 0)
        out = NULL;
    return out;
}

void zhcs_event_free(zhcs_event *e)
{
    if (!e)
        return;
    free((char *)e->data);
    zhcs_SystemExitStatus_free(e->exit_status);
    zhcs_CrashReport_free(e->crash_report);
    zhcs_ProcessStatus_free(e->process_status);
    free(e);
}

/* A decoded event; the typed payload when the data parses (else only `data`). */
static zhcs_event *event_new(uint32_t raw_type, const char *data)
{
    zhcs_event *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->raw_type = raw_type;
    switch (raw_type) {
    case ZHCS_EVENT_SYSTEM_EXITED:
    case ZHCS_EVENT_SYSTEM_CRASH_INITIATED:
    case ZHCS_EVENT_SYSTEM_CRASH_REPORT:
    case ZHCS_EVENT_SYSTEM_RDP_ENHANCED_MODE_STATE_CHANGED:
    case ZHCS_EVENT_SYSTEM_SILO_JOB_CREATED:
    case ZHCS_EVENT_SYSTEM_GUEST_CONNECTION_CLOSED:
    case ZHCS_EVENT_PROCESS_EXITED:
    case ZHCS_EVENT_OPERATION_CALLBACK:
    case ZHCS_EVENT_SERVICE_DISCONNECT:
        e->type = (zhcs_event_type)raw_type;
        break;
    default:
        e->type = ZHCS_EVENT_UNKNOWN;
    }
    if (data && !(e->data = zh_strdup(data))) {
        free(e);
        return NULL;
    }
    if (data && *data) {
        if (e->type == ZHCS_EVENT_SYSTEM_EXITED)
            e->exit_status = zhcs_SystemExitStatus_parse(data, ZHCS_NUL_TERMINATED, NULL);
        else if (e->type == ZHCS_EVENT_SYSTEM_CRASH_REPORT || e->type == ZHCS_EVENT_SYSTEM_CRASH_INITIATED)
            e->crash_report = zhcs_CrashReport_parse(data, ZHCS_NUL_TERMINATED, NULL); /* HCS_EVENT: both */
        else if (e->type == ZHCS_EVENT_PROCESS_EXITED)
            e->process_status = zhcs_ProcessStatus_parse(data, ZHCS_NUL_TERMINATED, NULL);
    }
    return e;
}

/* ------------------------------------------------------------------ references */
static void sub_ref_cb(void *obj)
{
    zh_ref_get(&((hcs_sub *)obj)->ref);
}

static void sub_unref(hcs_sub *sub)
{
    if (!sub || !zh_ref_put(&sub->ref))
        return;
    for (size_t i = 0; i < sub->count; i++)
        zhcs_event_free(sub->queue[(sub->head + i) % sub->capacity]);
    free(sub->queue);
    hcs_waitable_free(sub->w);
    if (sub->ctx_free)
        sub->ctx_free(sub->ctx);
    hcs_service *svc = sub->svc;
    free(sub);
    hcs_service_unref(svc);
}

static hcs_sub *sub_get(zhcs_events *h, const char *fn, zh_error **err)
{
    hcs_sub *sub = zh_handle_get((uintptr_t)h, HCS_T_EVENTS, sub_ref_cb);
    if (!sub)
        zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn,
                         h ? "the event stream is closed or not an event stream" : "the event stream is NULL");
    return sub;
}

/* ------------------------------------------------------------------ delivery */
static void sub_cb_task(void *arg);

/* svc->lock held. */
static void queue_callback(hcs_sub *sub)
{
    if (!sub->cb || sub->cb_queued || sub->closed || sub->ended || sub->count == 0)
        return;
    if (!zh_ref_tryget(&sub->ref))
        return;
    sub->cb_queued = true;
    if (hcs_dispatch(sub->svc, sub_cb_task, sub, true) < 0) {
        sub->cb_queued = false;
        zh_atomic_add(&sub->ref, -1); /* not the last one: the handle holds its own */
    }
}

/* svc->lock held. Takes `e` (NULL: allocation failed, counted as dropped). */
static void push(hcs_sub *sub, zhcs_event *e)
{
    sub->sequence++;
    if (sub->closed || sub->ended) {
        zhcs_event_free(e);
        return;
    }
    if (!e || sub->count == sub->capacity) {
        sub->dropped++;
        zhcs_event_free(e);
        return;
    }
    e->sequence = sub->sequence;
    sub->queue[(sub->head + sub->count) % sub->capacity] = e;
    sub->count++;
    hcs_waitable_set(sub->w);
    queue_callback(sub);
}

void hcs_events_deliver(hcs_service *s, hcs_sub **subs, uint32_t raw_type, const char *data)
{
    /* decode outside the lock, one copy per subscriber */
    zh_mutex_lock(&s->lock);
    size_t n = 0;
    for (hcs_sub *sub = *subs; sub; sub = sub->next)
        n++;
    zh_mutex_unlock(&s->lock);
    if (n == 0)
        return;
    zhcs_event **events = calloc(n, sizeof *events);
    for (size_t i = 0; events && i < n; i++)
        events[i] = event_new(raw_type, data);
    zh_mutex_lock(&s->lock);
    size_t i = 0;
    for (hcs_sub *sub = *subs; sub; sub = sub->next, i++)
        push(sub, events && i < n ? events[i] : event_new(raw_type, data));
    for (; events && i < n; i++)
        zhcs_event_free(events[i]); /* subscribers that left meanwhile */
    zh_cond_broadcast(&s->cond);
    zh_mutex_unlock(&s->lock);
    free(events);
}

bool hcs_events_exit(hcs_service *s, hcs_sub **subs, bool *exited, char **exit_doc, uint32_t raw_type,
                     const char *data)
{
    zh_mutex_lock(&s->lock);
    bool first = !*exited;
    if (first) {
        *exited = true;
        free(*exit_doc);
        *exit_doc = data ? zh_strdup(data) : NULL;
        for (hcs_sub *sub = *subs; sub; sub = sub->next)
            push(sub, event_new(raw_type, data));
        zh_cond_broadcast(&s->cond);
    }
    zh_mutex_unlock(&s->lock);
    return first;
}

void hcs_events_end_all(hcs_service *s, hcs_sub **subs, bool wait)
{
    for (hcs_sub *sub = *subs; sub; sub = sub->next) {
        sub->ended = true;
        hcs_waitable_set(sub->w); /* readable: the end is news too */
    }
    zh_cond_broadcast(&s->cond);
    for (bool busy = wait; busy;) {
        busy = false;
        for (hcs_sub *sub = *subs; sub; sub = sub->next)
            busy = busy || sub->cb_running > 0;
        if (busy)
            zh_cond_wait(&s->cond, &s->lock);
    }
    while (*subs) {
        hcs_sub *sub = *subs;
        *subs = sub->next;
        sub->next = NULL;
        sub->sys = NULL;
        sub->proc = NULL;
    }
}

static void sub_cb_task(void *arg)
{
    hcs_sub *sub = arg;
    hcs_service *s = sub->svc;
    zh_mutex_lock(&s->lock);
    sub->cb_queued = false;
    while (sub->cb && !sub->closed && !sub->ended && sub->count > 0) {
        zhcs_event *e = sub->queue[sub->head];
        sub->head = (sub->head + 1) % sub->capacity;
        sub->count--;
        if (sub->count == 0)
            hcs_waitable_reset(sub->w);
        zhcs_events_cb cb = sub->cb;
        void *ctx = sub->ctx;
        sub->cb_running++;
        zh_mutex_unlock(&s->lock);
        cb(e, ctx);
        zhcs_event_free(e);
        zh_mutex_lock(&s->lock);
        sub->cb_running--;
        zh_cond_broadcast(&s->cond);
    }
    zh_mutex_unlock(&s->lock);
    sub_unref(sub);
}

/* ------------------------------------------------------------------ the public side */
static int subscribe(zhcs_events **out, hcs_service *svc, hcs_sys *sys, hcs_proc *proc,
                     const zhcs_events_options *options, const char *fn, zh_error **err)
{
    zhcs_events_options defaults = ZHCS_EVENTS_OPTIONS_INIT;
    const zhcs_events_options *o = options ? options : &defaults;
    if (o->version < 1 || o->version > ZHCS_EVENTS_OPTIONS_VERSION)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                "unknown zhcs_events_options version %u", o->version);
    if (o->capacity == 0 || o->capacity > HCS_EVENTS_MAX_CAPACITY)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                "capacity must be between 1 and %zu", HCS_EVENTS_MAX_CAPACITY);
    hcs_sub *sub = calloc(1, sizeof *sub);
    zhcs_event **queue = calloc(o->capacity, sizeof *queue);
    if (!sub || !queue || hcs_waitable_new(&sub->w, NULL) < 0) {
        if (sub)
            hcs_waitable_free(sub->w);
        free(sub);
        free(queue);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    }
    zh_ref_init(&sub->ref);
    sub->svc = svc;
    sub->queue = queue;
    sub->capacity = o->capacity;
    hcs_service_ref(svc);
    uintptr_t h = zh_handle_register(sub, HCS_T_EVENTS);
    if (!h) {
        sub_unref(sub);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of handles");
    }
    sub->handle = h;
    /* an exit before our callback was registered (a short process) is found now */
    if (sys)
        hcs_sys_probe(sys);
    else
        hcs_proc_probe(proc);
    zh_mutex_lock(&svc->lock);
    bool closed = sys ? sys->closed : proc->closed;
    if (!closed) {
        hcs_sub **head = sys ? &sys->subs : &proc->subs;
        sub->sys = sys;
        sub->proc = proc;
        sub->next = *head;
        *head = sub;
        /* a stream opened after the end still tells of it */
        if (sys && sys->exited)
            push(sub, event_new(ZHCS_EVENT_SYSTEM_EXITED, sys->exit_doc));
        else if (proc && proc->exited)
            push(sub, event_new(ZHCS_EVENT_PROCESS_EXITED, proc->exit_doc));
    }
    zh_mutex_unlock(&svc->lock);
    if (closed) {
        zh_handle_unregister(h, HCS_T_EVENTS);
        sub_unref(sub);
        return zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn, "the handle was closed");
    }
    *out = (zhcs_events *)h;
    return 0;
}

int zhcs_events_subscribe(zhcs_events **out, zhcs_system *h, const zhcs_events_options *options, zhcs_error **err)
{
    static const char fn[] = "zhcs_events_subscribe";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    hcs_sys *sys = hcs_sys_get(h, fn, err);
    if (!sys)
        return -1;
    int rc = subscribe(out, sys->svc, sys, NULL, options, fn, err);
    hcs_sys_unref(sys);
    return rc;
}

int zhcs_events_subscribe_process(zhcs_events **out, zhcs_process *h, const zhcs_events_options *options,
                                  zhcs_error **err)
{
    static const char fn[] = "zhcs_events_subscribe_process";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    hcs_proc *proc = hcs_proc_get(h, fn, err);
    if (!proc)
        return -1;
    int rc = subscribe(out, proc->svc, NULL, proc, options, fn, err);
    hcs_proc_unref(proc);
    return rc;
}

int zhcs_events_next(zhcs_events *h, uint32_t timeout_ms, zhcs_event **out, zhcs_error **err)
{
    static const char fn[] = "zhcs_events_next";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    hcs_sub *sub = sub_get(h, fn, err);
    if (!sub)
        return -1;
    hcs_service *s = sub->svc;
    uint64_t deadline = hcs_deadline(timeout_ms);
    int rc = 0;
    zh_mutex_lock(&s->lock);
    if (sub->cb) {
        rc = zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_STATE, fn,
                              "the stream delivers to its callback; next() is not for it");
    } else {
        while (sub->count == 0 && !sub->ended && !sub->closed && hcs_wait_until(s, deadline) == 0) {
        }
        if (sub->count > 0) {
            *out = sub->queue[sub->head];
            sub->head = (sub->head + 1) % sub->capacity;
            sub->count--;
            if (sub->count == 0 && !sub->ended)
                hcs_waitable_reset(sub->w);
        } else if (sub->ended || sub->closed) {
            rc = zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn,
                                  "the stream has ended: its system or process handle was closed");
        } else {
            rc = zh_error_set_cat(err, HCS_E_OPERATION_TIMEOUT, ZH_CAT_TIMEOUT, fn, "no event within %u ms",
                                  timeout_ms);
        }
    }
    zh_mutex_unlock(&s->lock);
    sub_unref(sub);
    return rc;
}

uint64_t zhcs_events_dropped(zhcs_events *h)
{
    hcs_sub *sub = sub_get(h, "zhcs_events_dropped", NULL);
    if (!sub)
        return 0;
    zh_mutex_lock(&sub->svc->lock);
    uint64_t n = sub->dropped;
    zh_mutex_unlock(&sub->svc->lock);
    sub_unref(sub);
    return n;
}

int zhcs_events_waitable(zhcs_events *h, zhcs_fd *out, zhcs_error **err)
{
    static const char fn[] = "zhcs_events_waitable";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    hcs_sub *sub = sub_get(h, fn, err);
    if (!sub) {
        *out = ZHCS_FD_NONE;
        return -1;
    }
    *out = hcs_waitable_fd(sub->w); /* made with the subscription, lives as long */
    sub_unref(sub);
    return 0;
}

int zhcs_events_set_callback(zhcs_events *h, zhcs_events_cb cb, void *ctx, zhcs_free_fn ctx_free, zhcs_error **err)
{
    static const char fn[] = "zhcs_events_set_callback";
    if (!cb)
        return hcs_null_arg(fn, "cb", err);
    hcs_sub *sub = sub_get(h, fn, err);
    if (!sub)
        return -1;
    int rc = 0;
    zh_mutex_lock(&sub->svc->lock);
    if (sub->cb) {
        rc = zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_STATE, fn, "the stream already has a callback");
    } else {
        sub->cb = cb;
        sub->ctx = ctx;
        sub->ctx_free = ctx_free;
        queue_callback(sub); /* what is queued already goes first */
    }
    zh_mutex_unlock(&sub->svc->lock);
    sub_unref(sub);
    return rc;
}

void zhcs_events_close(zhcs_events *h)
{
    hcs_sub *sub = zh_handle_unregister((uintptr_t)h, HCS_T_EVENTS);
    if (!sub)
        return;
    hcs_service *s = sub->svc;
    bool on_dispatcher = hcs_on_dispatcher(s);
    zh_mutex_lock(&s->lock);
    sub->closed = true;
    hcs_sub **head = sub->sys ? &sub->sys->subs : sub->proc ? &sub->proc->subs : NULL;
    for (; head && *head; head = &(*head)->next) {
        if (*head == sub) {
            *head = sub->next;
            break;
        }
    }
    sub->next = NULL;
    sub->sys = NULL;
    sub->proc = NULL;
    while (sub->cb_running > 0 && !on_dispatcher)
        zh_cond_wait(&s->cond, &s->lock);
    zhcs_free_fn ctx_free = NULL;
    void *ctx = sub->ctx;
    if (sub->cb_running == 0) { /* else: inside the callback; the context goes at the unref */
        ctx_free = sub->ctx_free;
        sub->ctx_free = NULL;
    }
    zh_cond_broadcast(&s->cond);
    zh_mutex_unlock(&s->lock);
    if (ctx_free)
        ctx_free(ctx);
    for (size_t n = on_dispatcher ? 0 : hcs_dispatch_cancel(s, sub); n > 0; n--)
        sub_unref(sub); /* queued deliveries that will not happen */
    sub_unref(sub);
}

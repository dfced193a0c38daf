/* SPDX-License-Identifier: MIT */
/* hcs_operation.c - zhcs_operation: one HCS_OPERATION.
 *
 * Blocking calls create their operation without a callback and wait for it with
 * HcsWaitForOperationResult[AndProcessInfo] (as hcsshim does): nothing of ours is handed
 * to HCS at all. The public zhcs_operation (async calls) needs to hear of the completion,
 * so it has a completion callback; its context is an id in the handle table
 * (HCS_T_OP_CB), resolved when HCS calls, never the object's address: HCS does not promise
 * that HcsCloseOperation waits for a callback in flight, and a late callback then finds
 * nothing. The result is read in the callback with HcsGetOperationResult[AndProcessInfo].
 */
#include <stdlib.h>
#include <string.h>

#include "hcs_internal.h"
#include "zh_str.h"

static void ZH_WINAPI op_raw_done(zh_hcs_operation raw, void *ctx);

static hcs_op *op_create(hcs_service *s, const char *name, bool want_pi, bool async, zh_error **err)
{
    zh_raw_HcsCreateOperation_fn create = ZH_HCS(s->lib, HcsCreateOperation, err);
    if (!create)
        return NULL;
    /* not calloc (nor malloc + memset, which compilers turn into calloc): glibc's calloc
     * skips its per-thread cache, and there is one of these per call */
    static const hcs_op zero;
    hcs_op *op = malloc(sizeof *op);
    if (op)
        *op = zero;
    if (!op) {
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, name, "out of memory");
        return NULL;
    }
    zh_ref_init(&op->ref);
    op->svc = s;
    op->name = name;
    op->want_pi = want_pi;
    op->blocking = !async;
    op->state = HCS_OP_NEW;
    if (async && !(op->cb_id = zh_handle_register(op, HCS_T_OP_CB))) {
        free(op);
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, name, "out of handles");
        return NULL;
    }
    op->raw = async ? create((const void *)op->cb_id, op_raw_done) : create(NULL, NULL);
    if (!op->raw) {
        if (op->cb_id)
            zh_handle_unregister(op->cb_id, HCS_T_OP_CB);
        free(op);
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "HcsCreateOperation",
                         "HCS could not allocate an operation");
        return NULL;
    }
    hcs_service_ref(s);
    return op;
}

hcs_op *hcs_op_new(hcs_service *s, const char *name, bool want_pi, zh_error **err)
{
    return op_create(s, name, want_pi, false, err);
}

hcs_op *hcs_op_new_async(hcs_service *s, const char *name, bool want_pi, zh_error **err)
{
    return op_create(s, name, want_pi, true, err);
}

void hcs_op_ref(hcs_op *op)
{
    zh_ref_get(&op->ref);
}

/* The last reference went: close the raw operation and free. */
static void op_final(void *obj)
{
    hcs_op *op = obj;
    hcs_service *s = op->svc;
    if (op->cb_id) /* a callback from now on finds nothing */
        zh_handle_unregister(op->cb_id, HCS_T_OP_CB);
    zh_raw_HcsCloseOperation_fn close_op = ZH_HCS(s->lib, HcsCloseOperation, NULL);
    if (close_op)
        close_op(op->raw); /* discards a result still to come */
    if (op->has_pi) {      /* stdio nobody took */
        hcs_fd_close(hcs_fd_from_raw(op->pi.StdInput));
        hcs_fd_close(hcs_fd_from_raw(op->pi.StdOutput));
        hcs_fd_close(hcs_fd_from_raw(op->pi.StdError));
    }
    if (op->ctx_free)
        op->ctx_free(op->ctx);
    if (op->owner_put)
        op->owner_put(op->owner);
    free(op->result);
    zh_error_free(op->error);
    hcs_waitable_free(op->w);
    free(op);
    hcs_service_unref(s);
}

void hcs_op_unref(hcs_op *op)
{
    if (!op || !zh_ref_put(&op->ref))
        return;
    op_final(op);
}

static void op_final_task(void *arg)
{
    hcs_final_task(((hcs_op *)arg)->svc, op_final, arg);
}

void hcs_op_unref_from_hcs(hcs_op *op)
{
    hcs_unref_from_hcs(op->svc, &op->ref, op_final_task, op);
}

static int op_tryref(void *obj)
{
    return zh_ref_tryget(&((hcs_op *)obj)->ref);
}

/* ------------------------------------------------------------------ completion */
static void op_cb_task(void *arg);

/* Queues the user's completion callback (svc->lock held). */
static void queue_callback(hcs_op *op)
{
    if (!op->cb_set || op->cb_queued || op->cb_closed || op->state != HCS_OP_DONE)
        return;
    if (!zh_ref_tryget(&op->ref))
        return; /* being freed: the callback will not run (ctx_free runs at the free) */
    op->cb_queued = true;
    if (hcs_dispatch(op->svc, op_cb_task, op, true) < 0) {
        op->cb_queued = false;
        zh_atomic_add(&op->ref, -1); /* not the last: the caller's reference remains */
    }
}

static void op_cb_task(void *arg)
{
    hcs_op *op = arg;
    hcs_service *s = op->svc;
    zh_mutex_lock(&s->lock);
    if (op->cb_closed) {
        zh_mutex_unlock(&s->lock);
        hcs_op_unref(op);
        return;
    }
    op->cb_running++;
    op->cb_thread = zh_thread_self_id();
    zhcs_operation_cb cb = op->cb;
    void *ctx = op->ctx;
    uintptr_t handle = op->handle;
    zh_mutex_unlock(&s->lock);

    cb((zhcs_operation *)handle, ctx);

    zh_mutex_lock(&s->lock);
    op->cb_closed = true; /* once */
    zhcs_free_fn ctx_free = op->ctx_free;
    op->ctx_free = NULL;
    zh_mutex_unlock(&s->lock);
    if (ctx_free)
        ctx_free(ctx); /* still "running": a free waits for this too */
    zh_mutex_lock(&s->lock);
    op->cb_running--;
    zh_cond_broadcast(&s->cond);
    zh_mutex_unlock(&s->lock);
    hcs_op_unref(op);
}

/* Records the outcome (first one wins). `doc` is a raw string, freed here. */
static void op_complete(hcs_op *op, zh_hresult hr, zh_wchar *doc, const zh_hcs_process_information *pi)
{
    hcs_service *s = op->svc;
    char *text = hcs_narrow(s, doc);
    zh_error *e = NULL;
    if (hr == ZH_E_HANDLE) /* HCS no longer knows the object: it stopped (not the caller's bug) */
        zh_error_set_cat(&e, hr, ZH_CAT_ALREADY_STOPPED, op->name,
                         "HCS no longer knows the system or process (E_HANDLE): it has stopped");
    else if (ZH_FAILED(hr))
        zh_error_set_doc(&e, hr, op->name, ZH_ERRDOC_HCS_RESULT, text);
    zh_mutex_lock(&s->lock);
    if (op->state == HCS_OP_DONE) {
        zh_mutex_unlock(&s->lock);
        free(text);
        zh_error_free(e);
        if (pi) {
            hcs_fd_close(hcs_fd_from_raw(pi->StdInput));
            hcs_fd_close(hcs_fd_from_raw(pi->StdOutput));
            hcs_fd_close(hcs_fd_from_raw(pi->StdError));
        }
        return;
    }
    op->state = HCS_OP_DONE;
    op->hr = hr;
    if (e) {
        op->error = e;
        free(text);
    } else {
        op->result = text;
    }
    if (pi && ZH_SUCCEEDED(hr)) {
        op->pi = *pi;
        op->has_pi = true;
    } else if (pi) {
        hcs_fd_close(hcs_fd_from_raw(pi->StdInput));
        hcs_fd_close(hcs_fd_from_raw(pi->StdOutput));
        hcs_fd_close(hcs_fd_from_raw(pi->StdError));
    }
    if (op->on_done)
        op->on_done(op);
    hcs_waitable_set(op->w);
    zh_cond_broadcast(&s->cond);
    queue_callback(op);
    zh_mutex_unlock(&s->lock);
}

/* On an HCS thread: read the result and record it. Never blocks on anything but svc->lock.
 * `ctx` is the operation's id: gone (freed, its raw operation closed) means nothing to do. */
/* A failed result that op->recover may turn around, on the dispatcher. */
typedef struct recovery {
    hcs_op *op;
    zh_hresult hr;
    zh_wchar *doc;
    zh_hcs_process_information pi;
} recovery;

static void recover_task(void *arg)
{
    recovery *r = arg;
    hcs_op *op = r->op;
    if (op->recover(op, r->hr) == 0) {
        zh_raw_free_string(op->svc->lib, r->doc);
        op_complete(op, 0, NULL, NULL);
    } else {
        op_complete(op, r->hr, r->doc, op->want_pi ? &r->pi : NULL);
    }
    free(r);
    hcs_op_unref(op);
}

static void ZH_WINAPI op_raw_done(zh_hcs_operation raw, void *ctx)
{
    hcs_op *op = zh_handle_tryget((uintptr_t)ctx, HCS_T_OP_CB, op_tryref);
    if (!op)
        return;
    hcs_inflight_begin(op->svc);
    zh_wchar *doc = NULL;
    zh_hresult hr;
    if (op->want_pi) {
        zh_hcs_process_information pi;
        memset(&pi, 0, sizeof pi);
        zh_raw_HcsGetOperationResultAndProcessInfo_fn get =
            ZH_HCS(op->svc->lib, HcsGetOperationResultAndProcessInfo, NULL);
        hr = get ? get(raw, &pi, &doc) : ZH_E_NOTIMPL; /* doc and the stdio handles are ours */
        recovery *r = ZH_FAILED(hr) && op->recover ? malloc(sizeof *r) : NULL;
        if (r) { /* never block HCS's thread: the dispatcher asks */
            r->op = op;
            r->hr = hr;
            r->doc = doc;
            r->pi = pi;
            hcs_op_ref(op);
            if (hcs_dispatch(op->svc, recover_task, r, false) == 0) {
                hcs_op_unref_from_hcs(op);
                return;
            }
            hcs_op_unref(op); /* not the last: ours remains */
            free(r);
        }
        op_complete(op, hr, doc, &pi);
    } else {
        zh_raw_HcsGetOperationResult_fn get = ZH_HCS(op->svc->lib, HcsGetOperationResult, NULL);
        hr = get ? get(raw, &doc) : ZH_E_NOTIMPL; /* doc is ours */
        op_complete(op, hr, doc, NULL);
    }
    hcs_op_unref_from_hcs(op);
}

/* A blocking operation: HcsWaitForOperationResult[AndProcessInfo] with the caller's
 * timeout, on the caller's thread. Completes `op` unless the wait ran out. */
static void op_raw_wait(hcs_op *op, uint32_t timeout_ms)
{
    hcs_service *s = op->svc;
    zh_wchar *doc = NULL;
    zh_hresult hr;
    zh_hcs_process_information pi;
    memset(&pi, 0, sizeof pi);
    if (op->want_pi) {
        zh_raw_HcsWaitForOperationResultAndProcessInfo_fn wait =
            ZH_HCS(s->lib, HcsWaitForOperationResultAndProcessInfo, NULL);
        hr = wait ? wait(op->raw, timeout_ms, &pi, &doc) : ZH_E_NOTIMPL;
    } else {
        zh_raw_HcsWaitForOperationResult_fn wait = ZH_HCS(s->lib, HcsWaitForOperationResult, NULL);
        hr = wait ? wait(op->raw, timeout_ms, &doc) : ZH_E_NOTIMPL;
    }
    if (hr == HCS_E_OPERATION_TIMEOUT) {
        /* the wait ran out - or the operation itself failed with that code: ask */
        zh_wchar *again = NULL;
        zh_raw_HcsGetOperationResult_fn get = ZH_HCS(s->lib, HcsGetOperationResult, NULL);
        zh_hresult r = get ? get(op->raw, &again) : HCS_E_OPERATION_PENDING;
        zh_raw_free_string(s->lib, again);
        if (r == HCS_E_OPERATION_PENDING) {
            zh_raw_free_string(s->lib, doc);
            return;
        }
    }
    if (ZH_FAILED(hr) && op->recover && op->recover(op, hr) == 0) {
        zh_raw_free_string(s->lib, doc);
        op_complete(op, 0, NULL, NULL);
        return;
    }
    op_complete(op, hr, doc, op->want_pi ? &pi : NULL);
}

uint32_t hcs_left_ms(uint64_t deadline)
{
    if (deadline == UINT64_MAX)
        return ZHCS_INFINITE;
    uint64_t now = zh_monotonic_ns();
    uint64_t left = deadline > now ? (deadline - now + 999999u) / 1000000u : 0;
    return left >= ZHCS_INFINITE ? ZHCS_INFINITE - 1 : (uint32_t)left;
}

/* ------------------------------------------------------------------ starting and waiting */
static int op_error_copy(hcs_op *op, zh_error **err)
{
    /* svc->lock held, op done and failed */
    if (err)
        zh_error_put(err, zh_error_dup(op->error));
    return -1;
}

int hcs_op_started(hcs_op *op, zh_hresult hr, zh_error **err)
{
    hcs_service *s = op->svc;
    if (ZH_SUCCEEDED(hr)) {
        zh_mutex_lock(&s->lock);
        if (op->state == HCS_OP_NEW)
            op->state = HCS_OP_PENDING;
        zh_mutex_unlock(&s->lock);
        return 0;
    }
    /* Refused. HCS may still have completed the operation with a ResultError that says why
     * (HcsGetOperationResult does not block): take its message when there is one. */
    zh_wchar *doc = NULL;
    zh_raw_HcsGetOperationResult_fn get = ZH_HCS(s->lib, HcsGetOperationResult, NULL);
    zh_hresult r = get ? get(op->raw, &doc) : HCS_E_OPERATION_NOT_STARTED;
    if (r == HCS_E_OPERATION_PENDING) {
        /* completing right now: give it a moment */
        zh_mutex_lock(&s->lock);
        op->state = op->state == HCS_OP_NEW ? HCS_OP_PENDING : op->state;
        uint64_t deadline = hcs_deadline(op->blocking ? 0 : 2000);
        while (op->state != HCS_OP_DONE && hcs_wait_until(s, deadline) == 0) {
        }
        zh_mutex_unlock(&s->lock);
        if (op->blocking)
            op_raw_wait(op, 2000);
        op_complete(op, hr, NULL, NULL); /* no-op when it completed */
    } else if (r == HCS_E_OPERATION_NOT_STARTED || r == ZH_E_HANDLE || ZH_SUCCEEDED(r)) {
        zh_raw_free_string(s->lib, doc);
        op_complete(op, hr, NULL, NULL);
    } else {
        op_complete(op, r, doc, NULL);
    }
    zh_mutex_lock(&s->lock);
    int rc = op->error ? op_error_copy(op, err) : zh_error_set(err, hr, op->name, "refused by HCS");
    zh_mutex_unlock(&s->lock);
    return rc;
}

int hcs_op_wait(hcs_op *op, uint32_t timeout_ms, zh_error **err)
{
    hcs_service *s = op->svc;
    if (op->blocking) {
        zh_mutex_lock(&s->lock);
        bool done = op->state == HCS_OP_DONE;
        zh_mutex_unlock(&s->lock);
        if (!done)
            op_raw_wait(op, timeout_ms);
    }
    uint64_t deadline = op->blocking ? 0 : hcs_deadline(timeout_ms);
    zh_mutex_lock(&s->lock);
    while (op->state != HCS_OP_DONE && !op->freed) {
        if (hcs_wait_until(s, deadline) < 0)
            break;
    }
    int rc = 0;
    if (op->state == HCS_OP_DONE) {
        if (ZH_FAILED(op->hr))
            rc = op_error_copy(op, err);
    } else if (op->freed) {
        rc = zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, op->name,
                              "the operation was freed while this thread waited for it");
    } else {
        rc = zh_error_set_cat(err, HCS_E_OPERATION_TIMEOUT, ZH_CAT_TIMEOUT, op->name,
                              "the operation did not complete within %u ms; HCS goes on with it", timeout_ms);
    }
    zh_mutex_unlock(&s->lock);
    return rc;
}

int hcs_op_finish(hcs_op *op, uint32_t timeout_ms, char **result, zh_error **err)
{
    if (result)
        *result = NULL;
    int rc = hcs_op_wait(op, timeout_ms, err);
    if (rc == 0 && result) {
        zh_mutex_lock(&op->svc->lock);
        *result = op->result;
        op->result = NULL;
        zh_mutex_unlock(&op->svc->lock);
    } else if (rc < 0) {
        zh_mutex_lock(&op->svc->lock);
        bool running = op->state != HCS_OP_DONE;
        zh_mutex_unlock(&op->svc->lock);
        zh_raw_HcsCancelOperation_fn cancel = running ? ZH_HCS(op->svc->lib, HcsCancelOperation, NULL) : NULL;
        if (cancel)
            cancel(op->raw); /* best effort: E_NOTIMPL on some builds; closing discards it anyway */
    }
    hcs_op_unref(op);
    return rc;
}

/* ------------------------------------------------------------------ the public handle */
static void op_ref_cb(void *obj)
{
    zh_ref_get(&((hcs_op *)obj)->ref);
}

int hcs_op_publish(hcs_op *op, zhcs_operation **out, zh_error **err)
{
    uintptr_t h = zh_handle_register(op, HCS_T_OPERATION);
    if (!h) {
        hcs_op_unref(op);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, op->name, "out of handles");
    }
    zh_mutex_lock(&op->svc->lock);
    op->handle = h;
    zh_mutex_unlock(&op->svc->lock);
    *out = (zhcs_operation *)h;
    return 0;
}

static hcs_op *op_get(zhcs_operation *h, const char *fn, zh_error **err)
{
    hcs_op *op = zh_handle_get((uintptr_t)h, HCS_T_OPERATION, op_ref_cb);
    if (!op)
        zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn,
                         h ? "the operation handle is freed or not an operation" : "the operation is NULL");
    return op;
}

int zhcs_operation_wait(zhcs_operation *h, uint32_t timeout_ms, zhcs_error **err)
{
    hcs_op *op = op_get(h, "zhcs_operation_wait", err);
    if (!op)
        return -1;
    int rc = hcs_op_wait(op, timeout_ms, err);
    hcs_op_unref(op);
    return rc;
}

int zhcs_operation_poll(zhcs_operation *h)
{
    hcs_op *op = op_get(h, "zhcs_operation_poll", NULL);
    if (!op)
        return -1;
    zh_mutex_lock(&op->svc->lock);
    int done = op->state == HCS_OP_DONE;
    zh_mutex_unlock(&op->svc->lock);
    hcs_op_unref(op);
    return done;
}

int zhcs_operation_cancel(zhcs_operation *h, zhcs_error **err)
{
    static const char fn[] = "zhcs_operation_cancel";
    hcs_op *op = op_get(h, fn, err);
    if (!op)
        return -1;
    int rc = -1;
    zh_mutex_lock(&op->svc->lock);
    bool done = op->state == HCS_OP_DONE;
    zh_mutex_unlock(&op->svc->lock);
    zh_raw_HcsCancelOperation_fn cancel = done ? NULL : ZH_HCS(op->svc->lib, HcsCancelOperation, err);
    if (done) {
        zh_error_set_cat(err, HCS_E_INVALID_STATE, ZH_CAT_INVALID_STATE, fn, "%s has already completed", op->name);
    } else if (cancel) {
        zh_hresult hr = cancel(op->raw);
        if (ZH_SUCCEEDED(hr))
            rc = 0;
        else if (hr == ZH_E_NOTIMPL)
            zh_error_set_cat(err, hr, ZH_CAT_UNSUPPORTED, "HcsCancelOperation",
                             "this HCS cannot cancel operations (E_NOTIMPL): wait for %s or free it", op->name);
        else if (hr == HCS_E_OPERATION_PENDING)
            zh_error_set_cat(err, hr, ZH_CAT_INVALID_STATE, "HcsCancelOperation",
                             "%s is already being carried out and cannot be cancelled", op->name);
        else
            hcs_raw_error(err, hr, "HcsCancelOperation", "cannot cancel the operation");
    }
    hcs_op_unref(op);
    return rc;
}

int zhcs_operation_set_callback(zhcs_operation *h, zhcs_operation_cb cb, void *ctx, zhcs_free_fn ctx_free,
                                zhcs_error **err)
{
    static const char fn[] = "zhcs_operation_set_callback";
    if (!cb)
        return hcs_null_arg(fn, "cb", err);
    hcs_op *op = op_get(h, fn, err);
    if (!op)
        return -1;
    int rc = 0;
    zh_mutex_lock(&op->svc->lock);
    if (op->cb_set) {
        rc = zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_STATE, fn, "the operation already has a callback");
    } else {
        op->cb = cb;
        op->ctx = ctx;
        op->ctx_free = ctx_free;
        op->cb_set = true;
        queue_callback(op); /* at once when it has already completed */
    }
    zh_mutex_unlock(&op->svc->lock);
    hcs_op_unref(op);
    return rc;
}

int zhcs_operation_waitable(zhcs_operation *h, zhcs_fd *out, zhcs_error **err)
{
    static const char fn[] = "zhcs_operation_waitable";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = ZHCS_FD_NONE;
    hcs_op *op = op_get(h, fn, err);
    if (!op)
        return -1;
    int rc = 0;
    zh_mutex_lock(&op->svc->lock);
    if (!op->w && hcs_waitable_new(&op->w, err) < 0)
        rc = -1;
    if (op->w) {
        if (op->state == HCS_OP_DONE)
            hcs_waitable_set(op->w);
        *out = hcs_waitable_fd(op->w);
    }
    zh_mutex_unlock(&op->svc->lock);
    hcs_op_unref(op);
    return rc;
}

int zhcs_operation_result(char **out, zhcs_operation *h, zhcs_error **err)
{
    static const char fn[] = "zhcs_operation_result";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    hcs_op *op = op_get(h, fn, err);
    if (!op)
        return -1;
    int rc = 0;
    zh_mutex_lock(&op->svc->lock);
    if (op->state != HCS_OP_DONE) {
        rc = zh_error_set_cat(err, HCS_E_OPERATION_PENDING, ZH_CAT_INVALID_STATE, fn, "%s is still running",
                              op->name);
    } else if (op->result && !(*out = zh_strdup(op->result))) {
        rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    }
    zh_mutex_unlock(&op->svc->lock);
    hcs_op_unref(op);
    return rc;
}

const char *zhcs_operation_name(zhcs_operation *h)
{
    hcs_op *op = op_get(h, "zhcs_operation_name", NULL);
    if (!op)
        return "";
    const char *name = op->name; /* a static string */
    hcs_op_unref(op);
    return name;
}

void zhcs_operation_free(zhcs_operation *h)
{
    hcs_op *op = zh_handle_unregister((uintptr_t)h, HCS_T_OPERATION);
    if (!op)
        return;
    hcs_service *s = op->svc;
    zh_mutex_lock(&s->lock);
    op->freed = true;
    op->cb_closed = true;
    bool inside = op->cb_running > 0 && op->cb_thread == zh_thread_self_id();
    while (op->cb_running > 0 && !inside)
        zh_cond_wait(&s->cond, &s->lock);
    zhcs_free_fn ctx_free = NULL;
    if (!inside) { /* from inside the callback, the task frees the context after it */
        ctx_free = op->ctx_free;
        op->ctx_free = NULL;
    }
    void *ctx = op->ctx;
    zh_cond_broadcast(&s->cond); /* waiters on it get CLOSED */
    zh_mutex_unlock(&s->lock);
    if (ctx_free)
        ctx_free(ctx);
    /* a callback task still queued will not run: drop its reference now, so that the
     * operation (and perhaps the service) is gone when this returns */
    for (size_t n = inside ? 0 : hcs_dispatch_cancel(s, op); n > 0; n--)
        hcs_op_unref(op);
    hcs_op_unref(op);
}

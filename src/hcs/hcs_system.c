/* SPDX-License-Identifier: MIT */
/* hcs_system.c - zhcs_system: create, open, lifecycle, modify, properties, wait, stop, close.
 *
 * Each handle registers its own event callback with HCS as soon as it has a raw handle
 * (HcsSetComputeSystemCallback, before any start), so it sees the exit whenever it happens
 * and can fan events out to any number of subscriptions (hcs_events.c). Close follows the
 * order HCS needs: no raw call on the handle in flight, HcsCloseComputeSystem (which drains
 * HCS's callbacks), then our own subscribers' callbacks drained, then free.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcs_internal.h"
#include "zh_str.h"

#define HCS_GENERIC_ALL 0x10000000u /* what hcsshim asks for when opening a system */

/* ------------------------------------------------------------------ references */
static void sys_ref_cb(void *obj)
{
    zh_ref_get(&((hcs_sys *)obj)->ref);
}

hcs_sys *hcs_sys_get(zhcs_system *h, const char *fn, zh_error **err)
{
    hcs_sys *s = zh_handle_get((uintptr_t)h, HCS_T_SYSTEM, sys_ref_cb);
    if (!s)
        zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn,
                         h ? "the system handle is closed or not a system" : "the system is NULL");
    return s;
}

static void sys_final(void *obj)
{
    hcs_sys *s = obj;
    hcs_service *svc = s->svc;
    if (s->cb_id)
        zh_handle_unregister(s->cb_id, HCS_T_SYS_CB);
    free(s->id);
    free(s->exit_doc);
    free(s);
    hcs_service_unref(svc);
}

void hcs_sys_unref(hcs_sys *s)
{
    if (s && zh_ref_put(&s->ref))
        sys_final(s);
}

static void sys_final_task(void *arg)
{
    hcs_final_task(((hcs_sys *)arg)->svc, sys_final, arg);
}

/* From HCS's thread: a last reference is released on the dispatcher. */
static void sys_unref_from_hcs(hcs_sys *s)
{
    hcs_unref_from_hcs(s->svc, &s->ref, sys_final_task, s);
}

static int sys_tryref(void *obj)
{
    return zh_ref_tryget(&((hcs_sys *)obj)->ref);
}

int hcs_sys_call_begin(hcs_sys *s, const char *fn, zh_error **err)
{
    zh_mutex_lock(&s->svc->lock);
    bool closed = s->closed;
    if (!closed)
        s->raw_calls++;
    zh_mutex_unlock(&s->svc->lock);
    if (closed)
        return zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn, "the system handle was closed");
    return 0;
}

void hcs_sys_call_end(hcs_sys *s)
{
    zh_mutex_lock(&s->svc->lock);
    if (--s->raw_calls == 0)
        zh_cond_broadcast(&s->svc->cond);
    zh_mutex_unlock(&s->svc->lock);
}

/* ------------------------------------------------------------------ events from HCS */
static void ZH_WINAPI sys_raw_event(zh_hcs_event *ev, void *ctx)
{
    /* ctx is the handle's id: a callback that comes after the close finds nothing */
    hcs_sys *s = zh_handle_tryget((uintptr_t)ctx, HCS_T_SYS_CB, sys_tryref);
    if (!s)
        return;
    hcs_inflight_begin(s->svc);
    char *data = hcs_event_data(ev->EventData); /* HCS owns EventData: a copy */
    uint32_t type = (uint32_t)ev->Type;
    zh_mutex_lock(&s->svc->lock);
    bool closed = s->closed;
    if (type == HcsEventServiceDisconnect)
        s->disconnected = true;
    zh_cond_broadcast(&s->svc->cond);
    zh_mutex_unlock(&s->svc->lock);
    if (closed)
        ; /* after the close: nobody to tell */
    else if (type == HcsEventSystemExited) {
        if (hcs_events_exit(s->svc, &s->subs, &s->exited, &s->exit_doc, type, data)) /* once */
            hcs_sys_procs_exited(s);
    }
    else
        hcs_events_deliver(s->svc, &s->subs, type, data);
    free(data);
    sys_unref_from_hcs(s);
}

/* ------------------------------------------------------------------ making handles */
static void close_raw(hcs_service *svc, zh_hcs_system raw)
{
    zh_raw_HcsCloseComputeSystem_fn close_sys = ZH_HCS(svc->lib, HcsCloseComputeSystem, NULL);
    if (raw && close_sys)
        close_sys(raw);
}

/* Terminates a system behind a raw handle, best effort and bounded: for creates that
 * failed after HCS accepted them, so that nothing stays behind. */
static void terminate_raw(hcs_service *svc, zh_hcs_system raw, uint32_t timeout_ms)
{
    zh_raw_HcsTerminateComputeSystem_fn term = ZH_HCS(svc->lib, HcsTerminateComputeSystem, NULL);
    hcs_op *t = term ? hcs_op_new(svc, "HcsTerminateComputeSystem", false, NULL) : NULL;
    if (!t)
        return;
    if (hcs_op_started(t, term(raw, t->raw, NULL), NULL) == 0)
        hcs_op_finish(t, timeout_ms, NULL, NULL);
    else
        hcs_op_unref(t);
}

/* Closes the raw handle of a system that never became a public handle. */
static void sys_discard(hcs_sys *s)
{
    close_raw(s->svc, s->raw);
    s->raw = NULL;
    hcs_sys_unref(s);
}

/* Wraps a raw handle: the object, its event callback. On failure the raw handle stays the
 * caller's (to terminate and close). */
static hcs_sys *sys_wrap(hcs_service *svc, const char *id, zh_hcs_system raw, const char *fn, zh_error **err)
{
    hcs_sys *s = calloc(1, sizeof *s);
    char *idc = zh_strdup(id);
    if (!s || !idc) {
        free(s);
        free(idc);
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
        return NULL;
    }
    zh_ref_init(&s->ref);
    hcs_service_ref(svc);
    s->svc = svc;
    s->raw = raw;
    s->id = idc;
    zh_raw_HcsSetComputeSystemCallback_fn set_cb = ZH_HCS(svc->lib, HcsSetComputeSystemCallback, err);
    s->cb_id = set_cb ? zh_handle_register(s, HCS_T_SYS_CB) : 0;
    zh_hresult hr = !set_cb ? ZH_E_NOTIMPL
                    : !s->cb_id ? ZH_E_OUTOFMEMORY
                                : set_cb(raw, HcsEventOptionNone, (const void *)s->cb_id, sys_raw_event);
    if (ZH_FAILED(hr)) {
        if (set_cb)
            hcs_raw_error(err, hr, "HcsSetComputeSystemCallback", "cannot listen to the system's events");
        s->raw = NULL; /* the caller's */
        hcs_sys_unref(s);
        return NULL;
    }
    return s;
}

static int sys_publish(hcs_sys *s, zhcs_system **out, const char *fn, zh_error **err)
{
    uintptr_t h = zh_handle_register(s, HCS_T_SYSTEM);
    if (!h) {
        sys_discard(s);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of handles");
    }
    s->handle = h;
    *out = (zhcs_system *)h;
    return 0;
}

static int check_id(const char *id, const char *fn, zh_error **err)
{
    if (!id)
        return hcs_null_arg(fn, "id", err);
    if (!*id)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn, "the system id is empty");
    return 0;
}

/* Starts HcsCreateComputeSystem; on success *sys_out is the wrapped (unpublished) system and
 * *op_out its create operation. */
static int create_begin(hcs_service *svc, const char *id, const char *config_json, bool async, hcs_sys **sys_out,
                        hcs_op **op_out, const char *fn, zh_error **err)
{
    *sys_out = NULL;
    *op_out = NULL;
    if (check_id(id, fn, err) < 0)
        return -1;
    if (!config_json)
        return hcs_null_arg(fn, "the configuration", err);
    if (hcs_check_json(config_json, fn, "configuration", err) < 0)
        return -1;
    zh_wchar *wid = NULL, *wcfg = NULL;
    if (hcs_wide(id, &wid, fn, "id", err) < 0 || hcs_wide(config_json, &wcfg, fn, "configuration", err) < 0) {
        free(wid);
        return -1;
    }
    zh_raw_HcsCreateComputeSystem_fn create = ZH_HCS(svc->lib, HcsCreateComputeSystem, err);
    hcs_op *op = !create ? NULL
                 : async ? hcs_op_new_async(svc, "HcsCreateComputeSystem", false, err)
                         : hcs_op_new(svc, "HcsCreateComputeSystem", false, err);
    if (!op) {
        free(wid);
        free(wcfg);
        return -1;
    }
    zh_hcs_system raw = NULL;
    /* wid and wcfg stay alive until the call returns; HCS copies what it keeps */
    zh_hresult hr = create(wid, wcfg, op->raw, NULL, &raw);
    free(wid);
    free(wcfg);
    if (hcs_op_started(op, hr, err) < 0) {
        close_raw(svc, raw);
        hcs_op_unref(op);
        return -1;
    }
    if (!raw) {
        hcs_op_unref(op);
        return zh_error_set(err, ZH_E_FAIL, "HcsCreateComputeSystem", "HCS accepted the create but gave no handle");
    }
    hcs_sys *s = sys_wrap(svc, id, raw, fn, err);
    if (!s) {
        /* the create goes on without us: make sure nothing stays behind */
        if (hcs_op_wait(op, 30000, NULL) == 0)
            terminate_raw(svc, raw, 10000);
        hcs_op_unref(op);
        close_raw(svc, raw);
        return -1;
    }
    *sys_out = s;
    *op_out = op;
    return 0;
}

/* After a failed create: nothing may stay behind. The create may still succeed in HCS (a
 * timeout: HcsCancelOperation is documented to return E_NOTIMPL, so it goes on), or have
 * succeeded while reading its result failed. When HCS says it is still running, a reaper
 * thread waits for it, however long it takes, then terminates the system and closes the
 * handle; otherwise that happens here (bounded; "not found" is the usual answer). Takes
 * `s` and the caller's reference on `op`. */
typedef struct reaper {
    hcs_sys *s;
    hcs_op *op;
} reaper;

static void reaper_main(void *arg)
{
    reaper *r = arg;
    hcs_service *svc = r->s->svc;
    zh_raw_HcsWaitForOperationResult_fn wait = ZH_HCS(svc->lib, HcsWaitForOperationResult, NULL);
    zh_wchar *doc = NULL;
    if (wait)
        wait(r->op->raw, ZHCS_INFINITE, &doc); /* the create's end, whatever it is */
    zh_raw_free_string(svc->lib, doc);
    terminate_raw(svc, r->s->raw, 30000);
    sys_discard(r->s);
    hcs_op_unref(r->op);
    free(r);
}

static void create_cleanup(hcs_sys *s, hcs_op *op)
{
    zh_raw_HcsGetOperationResult_fn get = ZH_HCS(s->svc->lib, HcsGetOperationResult, NULL);
    zh_wchar *doc = NULL;
    zh_hresult r = get ? get(op->raw, &doc) : HCS_E_OPERATION_PENDING;
    zh_raw_free_string(s->svc->lib, doc);
    if (r == HCS_E_OPERATION_PENDING) {
        zh_raw_HcsCancelOperation_fn cancel = ZH_HCS(s->svc->lib, HcsCancelOperation, NULL);
        if (cancel)
            cancel(op->raw); /* best effort: usually E_NOTIMPL, and the reaper waits */
        reaper *rp = malloc(sizeof *rp);
        zh_thread *t = NULL;
        if (rp) {
            rp->s = s;
            rp->op = op;
            if (zh_thread_start(&t, reaper_main, rp, NULL) == 0) {
                zh_thread_detach(t);
                return;
            }
            free(rp);
        }
        hcs_op_wait(op, 30000, NULL); /* no thread: wait here, bounded */
    }
    terminate_raw(s->svc, s->raw, 10000);
    sys_discard(s);
    hcs_op_unref(op);
}

int zhcs_system_create_json(zhcs_system **out, zhcs_service *svc_h, const char *id, const char *config_json,
                            uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_create";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    hcs_service *svc = hcs_service_get(svc_h, fn, err);
    if (!svc)
        return -1;
    hcs_sys *s = NULL;
    hcs_op *op = NULL;
    int rc = create_begin(svc, id, config_json, false, &s, &op, fn, err);
    if (rc == 0) {
        zh_error *e = NULL;
        rc = hcs_op_wait(op, timeout_ms, &e);
        if (rc < 0) {
            create_cleanup(s, op); /* also when HCS goes on with it */
            zh_error_put(err, e);
        } else {
            hcs_op_unref(op);
            rc = sys_publish(s, out, fn, err);
        }
    }
    hcs_service_unref(svc);
    return rc;
}

int zhcs_system_create(zhcs_system **out, zhcs_service *svc, const char *id, const zhcs_ComputeSystem *config,
                       uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_create";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    if (!config)
        return hcs_null_arg(fn, "the configuration", err);
    char *json = zhcs_ComputeSystem_emit(config, err);
    if (!json)
        return -1;
    int rc = zhcs_system_create_json(out, svc, id, json, timeout_ms, err);
    free(json);
    return rc;
}

int zhcs_system_create_async(zhcs_system **out, zhcs_operation **op_out, zhcs_service *svc_h, const char *id,
                             const char *config_json, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_create_async";
    if (!out || !op_out)
        return hcs_null_arg(fn, !out ? "out" : "op", err);
    *out = NULL;
    *op_out = NULL;
    hcs_service *svc = hcs_service_get(svc_h, fn, err);
    if (!svc)
        return -1;
    hcs_sys *s = NULL;
    hcs_op *op = NULL;
    int rc = create_begin(svc, id, config_json, true, &s, &op, fn, err);
    if (rc == 0) {
        rc = sys_publish(s, out, fn, err);
        if (rc == 0)
            rc = hcs_op_publish(op, op_out, err);
        else
            hcs_op_unref(op);
        if (rc < 0 && *out) {
            zhcs_system_close(*out);
            *out = NULL;
        }
    }
    hcs_service_unref(svc);
    return rc;
}

int zhcs_system_open(zhcs_system **out, zhcs_service *svc_h, const char *id, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_open";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    if (check_id(id, fn, err) < 0)
        return -1;
    hcs_service *svc = hcs_service_get(svc_h, fn, err);
    if (!svc)
        return -1;
    int rc = -1;
    zh_wchar *wid = NULL;
    zh_raw_HcsOpenComputeSystem_fn open_sys = ZH_HCS(svc->lib, HcsOpenComputeSystem, err);
    if (open_sys && hcs_wide(id, &wid, fn, "id", err) == 0) {
        zh_hcs_system raw = NULL;
        zh_hresult hr = open_sys(wid, HCS_GENERIC_ALL, &raw);
        if (ZH_FAILED(hr) || !raw) {
            char what[300];
            snprintf(what, sizeof what, "cannot open compute system \"%.200s\"", id);
            hcs_raw_error(err, ZH_FAILED(hr) ? hr : ZH_E_FAIL, "HcsOpenComputeSystem", what);
        } else {
            hcs_sys *s = sys_wrap(svc, id, raw, fn, err);
            if (!s)
                close_raw(svc, raw);
            rc = s ? sys_publish(s, out, fn, err) : -1;
        }
    }
    free(wid);
    hcs_service_unref(svc);
    return rc;
}

/* ------------------------------------------------------------------ calls taking an operation */
typedef zh_hresult(ZH_WINAPI *sys_op_fn)(zh_hcs_system, zh_hcs_operation, const zh_wchar *);

/* Starts one raw call of the HcsXxxComputeSystem(system, operation, json) shape. */
static int sys_op_begin(hcs_sys *s, size_t raw_id, const char *raw_name, const char *fn, const char *json,
                        const char *what, bool async, hcs_op **out, zh_error **err)
{
    *out = NULL;
    if (hcs_check_json(json, fn, what, err) < 0)
        return -1;
    zh_wchar *wjson = NULL;
    if (hcs_wide(json, &wjson, fn, what, err) < 0)
        return -1;
    sys_op_fn call = (sys_op_fn)zh_raw_get(s->svc->lib, raw_id, err);
    hcs_op *op = !call ? NULL : async ? hcs_op_new_async(s->svc, raw_name, false, err) : hcs_op_new(s->svc, raw_name, false, err);
    if (!op || hcs_sys_call_begin(s, fn, err) < 0) {
        free(wjson);
        hcs_op_unref(op);
        return -1;
    }
    zh_hresult hr = call(s->raw, op->raw, wjson);
    hcs_sys_call_end(s);
    free(wjson);
    if (hcs_op_started(op, hr, err) < 0) {
        hcs_op_unref(op);
        return -1;
    }
    *out = op;
    return 0;
}

static int sys_op_async(zhcs_operation **op_out, zhcs_system *h, size_t raw_id, const char *raw_name,
                        const char *fn, const char *json, const char *what, zh_error **err)
{
    if (!op_out)
        return hcs_null_arg(fn, "op", err);
    *op_out = NULL;
    hcs_sys *s = hcs_sys_get(h, fn, err);
    if (!s)
        return -1;
    hcs_op *op = NULL;
    int rc = sys_op_begin(s, raw_id, raw_name, fn, json, what, true, &op, err);
    if (rc == 0)
        rc = hcs_op_publish(op, op_out, err);
    hcs_sys_unref(s);
    return rc;
}

static int sys_op_blocking(zhcs_system *h, size_t raw_id, const char *raw_name, const char *fn, const char *json,
                           const char *what, uint32_t timeout_ms, char **result, zh_error **err)
{
    if (result)
        *result = NULL;
    hcs_sys *s = hcs_sys_get(h, fn, err);
    if (!s)
        return -1;
    hcs_op *op = NULL;
    int rc = sys_op_begin(s, raw_id, raw_name, fn, json, what, false, &op, err);
    if (rc == 0)
        rc = hcs_op_finish(op, timeout_ms, result, err);
    hcs_sys_unref(s);
    return rc;
}

/* Terminate and shutdown of a system that has already stopped succeed: what the caller
 * asked for is the case (as zhcs_process_terminate of an exited process). Every other call
 * on a stopped system fails with ALREADY_STOPPED. */
static int sys_stop_blocking(zhcs_system *h, size_t raw_id, const char *raw_name, const char *fn, const char *json,
                             const char *what, uint32_t timeout_ms, zh_error **err)
{
    zh_error *e = NULL;
    int rc = sys_op_blocking(h, raw_id, raw_name, fn, json, what, timeout_ms, NULL, &e);
    if (rc < 0 && zh_error_category(e) == ZH_CAT_ALREADY_STOPPED) {
        zh_error_free(e);
        return 0;
    }
    if (rc < 0)
        zh_error_put(err, e);
    return rc;
}

#define SYS_BLOCKING_shutdown sys_stop_blocking
#define SYS_BLOCKING_terminate sys_stop_blocking
#define SYS_BLOCKING_pause sys_op_blocking_noresult
#define SYS_BLOCKING_resume sys_op_blocking_noresult
#define SYS_BLOCKING_save sys_op_blocking_noresult
#define SYS_BLOCKING_crash sys_op_blocking_noresult

static int sys_op_blocking_noresult(zhcs_system *h, size_t raw_id, const char *raw_name, const char *fn,
                                    const char *json, const char *what, uint32_t timeout_ms, zh_error **err)
{
    return sys_op_blocking(h, raw_id, raw_name, fn, json, what, timeout_ms, NULL, err);
}

#define SYS_LIFECYCLE(verb, Raw, what)                                                                          \
    int zhcs_system_##verb(zhcs_system *sys, const char *options_json, uint32_t timeout_ms, zhcs_error **err)   \
    {                                                                                                           \
        return SYS_BLOCKING_##verb(sys, ZH_HCS_ID_##Raw, #Raw, "zhcs_system_" #verb, options_json, what,        \
                                   timeout_ms, err);                                                            \
    }                                                                                                           \
    int zhcs_system_##verb##_async(zhcs_operation **op, zhcs_system *sys, const char *options_json,             \
                                   zhcs_error **err)                                                            \
    {                                                                                                           \
        return sys_op_async(op, sys, ZH_HCS_ID_##Raw, #Raw, "zhcs_system_" #verb "_async", options_json, what,  \
                            err);                                                                               \
    }

SYS_LIFECYCLE(shutdown, HcsShutDownComputeSystem, "shutdown options")
SYS_LIFECYCLE(terminate, HcsTerminateComputeSystem, "terminate options")
SYS_LIFECYCLE(pause, HcsPauseComputeSystem, "pause options")
SYS_LIFECYCLE(resume, HcsResumeComputeSystem, "resume options")
SYS_LIFECYCLE(save, HcsSaveComputeSystem, "save options")
SYS_LIFECYCLE(crash, HcsCrashComputeSystem, "crash options")

int zhcs_system_start(zhcs_system *sys, uint32_t timeout_ms, zhcs_error **err)
{
    return sys_op_blocking(sys, ZH_HCS_ID_HcsStartComputeSystem, "HcsStartComputeSystem", "zhcs_system_start", NULL,
                           "start options", timeout_ms, NULL, err);
}

int zhcs_system_start_async(zhcs_operation **op, zhcs_system *sys, zhcs_error **err)
{
    return sys_op_async(op, sys, ZH_HCS_ID_HcsStartComputeSystem, "HcsStartComputeSystem", "zhcs_system_start_async",
                        NULL, "start options", err);
}

int zhcs_system_properties_json(char **out, zhcs_system *sys, const char *query_json, uint32_t timeout_ms,
                                zhcs_error **err)
{
    static const char fn[] = "zhcs_system_properties";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    return sys_op_blocking(sys, ZH_HCS_ID_HcsGetComputeSystemProperties, "HcsGetComputeSystemProperties", fn,
                           query_json, "property query", timeout_ms, out, err);
}

int zhcs_system_properties_async(zhcs_operation **op, zhcs_system *sys, const char *query_json, zhcs_error **err)
{
    return sys_op_async(op, sys, ZH_HCS_ID_HcsGetComputeSystemProperties, "HcsGetComputeSystemProperties",
                        "zhcs_system_properties_async", query_json, "property query", err);
}

int zhcs_system_properties(zhcs_Properties **out, zhcs_system *sys, const zhcs_System_PropertyQuery *query,
                           uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_properties";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    char *q = NULL;
    if (query && !(q = zhcs_System_PropertyQuery_emit(query, err)))
        return -1;
    char *doc = NULL;
    int rc = zhcs_system_properties_json(&doc, sys, q, timeout_ms, err);
    free(q);
    if (rc == 0) {
        *out = zhcs_Properties_parse(doc ? doc : "{}", ZHCS_NUL_TERMINATED, err);
        rc = *out ? 0 : -1;
    }
    free(doc);
    return rc;
}

/* HcsModifyComputeSystem takes an identity handle too (none here). */
static int modify_begin(hcs_sys *s, const char *request_json, const char *fn, bool async, hcs_op **out,
                        zh_error **err)
{
    *out = NULL;
    if (!request_json)
        return hcs_null_arg(fn, "the request", err);
    if (hcs_check_json(request_json, fn, "modify request", err) < 0)
        return -1;
    zh_wchar *w = NULL;
    if (hcs_wide(request_json, &w, fn, "modify request", err) < 0)
        return -1;
    zh_raw_HcsModifyComputeSystem_fn modify = ZH_HCS(s->svc->lib, HcsModifyComputeSystem, err);
    hcs_op *op = !modify ? NULL
                 : async ? hcs_op_new_async(s->svc, "HcsModifyComputeSystem", false, err)
                         : hcs_op_new(s->svc, "HcsModifyComputeSystem", false, err);
    if (!op || hcs_sys_call_begin(s, fn, err) < 0) {
        free(w);
        hcs_op_unref(op);
        return -1;
    }
    zh_hresult hr = modify(s->raw, op->raw, w, NULL);
    hcs_sys_call_end(s);
    free(w);
    if (hcs_op_started(op, hr, err) < 0) {
        hcs_op_unref(op);
        return -1;
    }
    *out = op;
    return 0;
}

int zhcs_system_modify_json(zhcs_system *h, const char *request_json, uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_modify";
    hcs_sys *s = hcs_sys_get(h, fn, err);
    if (!s)
        return -1;
    hcs_op *op = NULL;
    int rc = modify_begin(s, request_json, fn, false, &op, err);
    if (rc == 0)
        rc = hcs_op_finish(op, timeout_ms, NULL, err);
    hcs_sys_unref(s);
    return rc;
}

int zhcs_system_modify(zhcs_system *sys, const zhcs_ModifySettingRequest *request, uint32_t timeout_ms,
                       zhcs_error **err)
{
    if (!request)
        return hcs_null_arg("zhcs_system_modify", "the request", err);
    char *json = zhcs_ModifySettingRequest_emit(request, err);
    if (!json)
        return -1;
    int rc = zhcs_system_modify_json(sys, json, timeout_ms, err);
    free(json);
    return rc;
}

int zhcs_system_modify_async(zhcs_operation **op_out, zhcs_system *h, const char *request_json, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_modify_async";
    if (!op_out)
        return hcs_null_arg(fn, "op", err);
    *op_out = NULL;
    hcs_sys *s = hcs_sys_get(h, fn, err);
    if (!s)
        return -1;
    hcs_op *op = NULL;
    int rc = modify_begin(s, request_json, fn, true, &op, err);
    if (rc == 0)
        rc = hcs_op_publish(op, op_out, err);
    hcs_sys_unref(s);
    return rc;
}

/* ------------------------------------------------------------------ exit */
/* Asks HCS whether the system has already stopped (for a handle opened after the exit, whose
 * callback will never hear of it): one raw call, HcsWaitForComputeSystemExit with 0 ms;
 * only where that is missing, the State property, bounded by the caller's deadline. An exit
 * found so goes to the subscriptions too, exactly once. */
static void probe_exit(hcs_sys *s, uint64_t deadline)
{
    if (hcs_sys_call_begin(s, "zhcs_system_wait", NULL) < 0)
        return;
    zh_raw_HcsWaitForComputeSystemExit_fn wait_exit = ZH_HCS(s->svc->lib, HcsWaitForComputeSystemExit, NULL);
    bool stopped = false;
    char *doc = NULL;
    zh_hresult hr = ZH_E_NOTIMPL;
    if (wait_exit) {
        zh_wchar *w = NULL;
        hr = wait_exit(s->raw, 0, &w); /* 0 ms: a question, not a wait */
        doc = hcs_narrow(s->svc, w);
        stopped = ZH_SUCCEEDED(hr);
    }
    if (hr == ZH_E_NOTIMPL) {
        /* older HCS: the State property */
        free(doc);
        doc = NULL;
        zh_raw_HcsGetComputeSystemProperties_fn props = ZH_HCS(s->svc->lib, HcsGetComputeSystemProperties, NULL);
        hcs_op *op = props ? hcs_op_new(s->svc, "HcsGetComputeSystemProperties", false, NULL) : NULL;
        char *text = NULL;
        if (op && hcs_op_started(op, props(s->raw, op->raw, NULL), NULL) == 0) {
            hcs_op_finish(op, hcs_left_ms(deadline), &text, NULL);
            op = NULL;
        }
        hcs_op_unref(op);
        stopped = text && strstr(text, "\"State\":\"Stopped\"");
        free(text);
    }
    hcs_sys_call_end(s);
    if (stopped && hcs_events_exit(s->svc, &s->subs, &s->exited, &s->exit_doc, HcsEventSystemExited, doc))
        hcs_sys_procs_exited(s);
    free(doc);
}

void hcs_sys_probe(hcs_sys *s)
{
    zh_mutex_lock(&s->svc->lock);
    bool known = s->exited || s->closed || s->disconnected;
    zh_mutex_unlock(&s->svc->lock);
    if (!known)
        probe_exit(s, hcs_deadline(10000));
}

int zhcs_system_wait(zhcs_system *h, uint32_t timeout_ms, zhcs_SystemExitStatus **status, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_wait";
    if (status)
        *status = NULL;
    hcs_sys *s = hcs_sys_get(h, fn, err);
    if (!s)
        return -1;
    hcs_service *svc = s->svc;
    zh_mutex_lock(&svc->lock);
    bool known = s->exited || s->closed || s->disconnected;
    zh_mutex_unlock(&svc->lock);
    uint64_t deadline = hcs_deadline(timeout_ms);
    if (!known)
        probe_exit(s, deadline);
    zh_mutex_lock(&svc->lock);
    while (!s->exited && !s->closed && !s->disconnected && hcs_wait_until(svc, deadline) == 0) {
    }
    int rc = 0;
    char *doc = NULL;
    if (s->exited) {
        doc = s->exit_doc ? zh_strdup(s->exit_doc) : NULL;
    } else if (s->closed) {
        rc = zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn, "the system handle was closed while waiting");
    } else if (s->disconnected) {
        rc = zh_error_set_cat(err, HCS_E_SERVICE_DISCONNECT, ZH_CAT_DISCONNECTED, fn,
                              "the compute service went away while waiting for system \"%.200s\"", s->id);
    } else {
        rc = zh_error_set_cat(err, HCS_E_OPERATION_TIMEOUT, ZH_CAT_TIMEOUT, fn,
                              "system \"%.200s\" did not stop within %u ms", s->id, timeout_ms);
    }
    zh_mutex_unlock(&svc->lock);
    if (rc == 0 && status && doc) {
        *status = zhcs_SystemExitStatus_parse(doc, ZHCS_NUL_TERMINATED, err);
        if (!*status)
            rc = -1;
    }
    free(doc);
    hcs_sys_unref(s);
    return rc;
}

int zhcs_system_exited(zhcs_system *h)
{
    hcs_sys *s = hcs_sys_get(h, "zhcs_system_exited", NULL);
    if (!s)
        return -1;
    zh_mutex_lock(&s->svc->lock);
    int exited = s->exited;
    zh_mutex_unlock(&s->svc->lock);
    hcs_sys_unref(s);
    return exited;
}

/* Not found and already stopped both mean "it is not running". */
static bool gone(const zh_error *e)
{
    zh_category c = zh_error_category(e);
    return c == ZH_CAT_ALREADY_STOPPED || c == ZH_CAT_NOT_FOUND;
}

int zhcs_system_stop(zhcs_system *h, const zhcs_stop_options *options, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_stop";
    zhcs_stop_options defaults = ZHCS_STOP_OPTIONS_INIT;
    const zhcs_stop_options *o = options ? options : &defaults;
    if (o->version < 1 || o->version > ZHCS_STOP_OPTIONS_VERSION)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                "unknown zhcs_stop_options version %u", o->version);
    hcs_sys *s = hcs_sys_get(h, fn, err);
    if (!s)
        return -1;
    int rc = -1;
    zh_error *e = NULL;
    if (!o->skip_shutdown) {
        uint64_t deadline = hcs_deadline(o->shutdown_timeout_ms);
        int r = zhcs_system_shutdown(h, NULL, o->shutdown_timeout_ms, &e);
        if (r == 0 || !gone(e)) {
            uint64_t now = zh_monotonic_ns();
            uint32_t left = deadline == UINT64_MAX ? ZHCS_INFINITE
                            : deadline > now          ? (uint32_t)((deadline - now) / 1000000u)
                                                      : 0;
            if (r == 0 && zhcs_system_wait(h, left, NULL, NULL) == 0)
                rc = 0;
        } else {
            rc = 0; /* already stopped or gone */
        }
        zh_error_free(e);
        e = NULL;
    }
    if (rc < 0) {
        int r = zhcs_system_terminate(h, NULL, o->terminate_timeout_ms, &e);
        if (r == 0 || gone(e)) {
            zh_error_free(e);
            e = NULL;
            int w = zhcs_system_wait(h, o->terminate_timeout_ms, NULL, &e);
            if (w == 0)
                rc = 0;
            else if (r != 0) /* gone: HCS says so even if no exit event reached this handle */
                rc = 0;
        }
        if (rc < 0) {
            if (!e)
                zh_error_set_cat(&e, HCS_E_OPERATION_TIMEOUT, ZH_CAT_TIMEOUT, fn,
                                 "system \"%.200s\" did not stop", s->id);
            zh_error_put(err, zh_error_prefixed(e, fn, "could not stop the system: "));
        }
        zh_error_free(e);
    }
    hcs_sys_unref(s);
    return rc;
}

const char *zhcs_system_id(zhcs_system *h)
{
    hcs_sys *s = hcs_sys_get(h, "zhcs_system_id", NULL);
    if (!s)
        return "";
    const char *id = s->id; /* lives until the handle closes */
    hcs_sys_unref(s);
    return id;
}

void zhcs_system_close(zhcs_system *h)
{
    hcs_sys *s = zh_handle_unregister((uintptr_t)h, HCS_T_SYSTEM);
    if (!s)
        return;
    hcs_service *svc = s->svc;
    zh_mutex_lock(&svc->lock);
    s->closed = true;
    zh_cond_broadcast(&svc->cond); /* waiters wake with CLOSED */
    while (s->raw_calls > 0)
        zh_cond_wait(&svc->cond, &svc->lock); /* never close under a raw call in flight */
    zh_mutex_unlock(&svc->lock);
    zh_raw_HcsCloseComputeSystem_fn close_sys = ZH_HCS(svc->lib, HcsCloseComputeSystem, NULL);
    if (close_sys)
        close_sys(s->raw); /* unregisters sys_raw_event and drains calls in flight */
    s->raw = NULL;
    bool on_dispatcher = hcs_on_dispatcher(svc);
    zh_mutex_lock(&svc->lock);
    hcs_events_end_all(svc, &s->subs, !on_dispatcher); /* no subscriber callback after this */
    zh_mutex_unlock(&svc->lock);
    hcs_sys_unref(s);
}

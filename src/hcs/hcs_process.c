/* SPDX-License-Identifier: MIT */
/* hcs_process.c - zhcs_process: processes in a compute system, their stdio, signals and exit.
 *
 * The stdio handles HCS returns in HCS_PROCESS_INFORMATION belong to the caller; the process
 * object keeps them until they are taken (zhcs_process_take_stdio) or the handle closes.
 * Each handle listens to its process's events (HcsSetProcessCallback) from the start; an exit
 * that happened before (a short-lived process) is found by asking HCS when someone waits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcs_internal.h"
#include "zh_str.h"

#define HCS_GENERIC_ALL 0x10000000u

/* ------------------------------------------------------------------ references */
static void proc_ref_cb(void *obj)
{
    zh_ref_get(&((hcs_proc *)obj)->ref);
}

hcs_proc *hcs_proc_get(zhcs_process *h, const char *fn, zh_error **err)
{
    hcs_proc *p = zh_handle_get((uintptr_t)h, HCS_T_PROCESS, proc_ref_cb);
    if (!p)
        zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn,
                         h ? "the process handle is closed or not a process" : "the process is NULL");
    return p;
}

static void proc_final(void *obj)
{
    hcs_proc *p = obj;
    if (p->cb_id)
        zh_handle_unregister(p->cb_id, HCS_T_PROC_CB);
    zh_mutex_lock(&p->svc->lock);
    if (p->sys_prev)
        p->sys_prev->sys_next = p->sys_next;
    else
        p->sys->procs = p->sys_next;
    if (p->sys_next)
        p->sys_next->sys_prev = p->sys_prev;
    zh_mutex_unlock(&p->svc->lock);
    hcs_fd_close(p->in);
    hcs_fd_close(p->out);
    hcs_fd_close(p->err);
    free(p->exit_doc);
    hcs_sys *sys = p->sys;
    hcs_service *svc = p->svc;
    free(p);
    hcs_sys_unref(sys);
    hcs_service_unref(svc);
}

void hcs_proc_unref(hcs_proc *p)
{
    if (p && zh_ref_put(&p->ref))
        proc_final(p);
}

static void proc_final_task(void *arg)
{
    hcs_final_task(((hcs_proc *)arg)->svc, proc_final, arg);
}

/* From HCS's thread: a last reference is released on the dispatcher. */
static void proc_unref_from_hcs(hcs_proc *p)
{
    hcs_unref_from_hcs(p->svc, &p->ref, proc_final_task, p);
}

static int proc_tryref(void *obj)
{
    return zh_ref_tryget(&((hcs_proc *)obj)->ref);
}

static void proc_put_owner(void *owner)
{
    hcs_proc_unref(owner);
}

int hcs_proc_call_begin(hcs_proc *p, const char *fn, zh_error **err)
{
    zh_mutex_lock(&p->svc->lock);
    bool closed = p->closed || !p->raw;
    if (!closed)
        p->raw_calls++;
    zh_mutex_unlock(&p->svc->lock);
    if (closed)
        return zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn, "the process handle was closed");
    return 0;
}

void hcs_proc_call_end(hcs_proc *p)
{
    zh_mutex_lock(&p->svc->lock);
    if (--p->raw_calls == 0)
        zh_cond_broadcast(&p->svc->cond);
    zh_mutex_unlock(&p->svc->lock);
}

/* ------------------------------------------------------------------ events from HCS */
static void ZH_WINAPI proc_raw_event(zh_hcs_event *ev, void *ctx)
{
    /* ctx is the handle's id: a callback that comes after the close finds nothing */
    hcs_proc *p = zh_handle_tryget((uintptr_t)ctx, HCS_T_PROC_CB, proc_tryref);
    if (!p)
        return;
    hcs_inflight_begin(p->svc);
    char *data = hcs_event_data(ev->EventData);
    uint32_t type = (uint32_t)ev->Type;
    zh_mutex_lock(&p->svc->lock);
    bool closed = p->closed;
    if (type == HcsEventServiceDisconnect)
        p->disconnected = true;
    zh_cond_broadcast(&p->svc->cond);
    zh_mutex_unlock(&p->svc->lock);
    if (closed)
        ; /* after the close: nobody to tell */
    else if (type == HcsEventProcessExited)
        hcs_events_exit(p->svc, &p->subs, &p->exited, &p->exit_doc, type, data); /* once */
    else
        hcs_events_deliver(p->svc, &p->subs, type, data);
    free(data);
    proc_unref_from_hcs(p);
}

/* ------------------------------------------------------------------ making handles */
static hcs_proc *proc_new(hcs_sys *sys)
{
    hcs_proc *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    zh_ref_init(&p->ref);
    p->svc = sys->svc;
    hcs_service_ref(sys->svc);
    zh_ref_get(&sys->ref);
    p->sys = sys;
    p->in = p->out = p->err = ZHCS_FD_NONE;
    zh_mutex_lock(&sys->svc->lock);
    p->sys_next = sys->procs;
    if (p->sys_next)
        p->sys_next->sys_prev = p;
    sys->procs = p;
    zh_mutex_unlock(&sys->svc->lock);
    return p;
}

/* Closes the raw handle (if any) of a process that will not be published, and drops it. */
static void proc_discard(hcs_proc *p)
{
    zh_raw_HcsCloseProcess_fn close_proc = ZH_HCS(p->svc->lib, HcsCloseProcess, NULL);
    if (p->raw && close_proc)
        close_proc(p->raw);
    p->raw = NULL;
    hcs_proc_unref(p);
}

/* Gives `p` (which has its raw handle) its event callback. */
static int proc_listen(hcs_proc *p, const char *fn, zh_error **err)
{
    zh_raw_HcsSetProcessCallback_fn set_cb = ZH_HCS(p->svc->lib, HcsSetProcessCallback, err);
    if (!set_cb)
        return -1;
    if (!p->cb_id && !(p->cb_id = zh_handle_register(p, HCS_T_PROC_CB)))
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of handles");
    zh_hresult hr = set_cb(p->raw, HcsEventOptionNone, (void *)p->cb_id, proc_raw_event);
    if (ZH_FAILED(hr))
        return hcs_raw_error(err, hr, "HcsSetProcessCallback", "cannot listen to the process's events");
    return 0;
}

static int proc_publish(hcs_proc *p, zhcs_process **out, const char *fn, zh_error **err)
{
    uintptr_t h = zh_handle_register(p, HCS_T_PROCESS);
    if (!h) {
        proc_discard(p);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of handles");
    }
    p->handle = h;
    *out = (zhcs_process *)h;
    return 0;
}

/* The create operation completed (svc->lock held): the process takes the pid and stdio. */
static void create_done(hcs_op *op)
{
    hcs_proc *p = op->owner;
    if (!op->has_pi)
        return;
    p->pid = op->pi.ProcessId;
    p->in = hcs_fd_from_raw(op->pi.StdInput);
    p->out = hcs_fd_from_raw(op->pi.StdOutput);
    p->err = hcs_fd_from_raw(op->pi.StdError);
    op->has_pi = false; /* taken */
}

/* Kills a process whose create we give up on (bounded), so none is left running. */
static void kill_quietly(hcs_service *svc, zh_hcs_process raw)
{
    zh_raw_HcsTerminateProcess_fn term = ZH_HCS(svc->lib, HcsTerminateProcess, NULL);
    hcs_op *t = term ? hcs_op_new(svc, "HcsTerminateProcess", false, NULL) : NULL;
    if (!t)
        return;
    if (hcs_op_started(t, term(raw, t->raw, NULL), NULL) == 0)
        hcs_op_finish(t, 10000, NULL, NULL);
    else
        hcs_op_unref(t);
}

static int create_recover(hcs_op *op, zh_hresult hr);

static int create_begin(hcs_sys *sys, const char *params_json, bool async, hcs_proc **p_out, hcs_op **op_out,
                        const char *fn, zh_error **err)
{
    *p_out = NULL;
    *op_out = NULL;
    if (!params_json)
        return hcs_null_arg(fn, "the process parameters", err);
    if (hcs_check_json(params_json, fn, "process parameters", err) < 0)
        return -1;
    zh_wchar *w = NULL;
    if (hcs_wide(params_json, &w, fn, "process parameters", err) < 0)
        return -1;
    hcs_service *svc = sys->svc;
    zh_raw_HcsCreateProcess_fn create = ZH_HCS(svc->lib, HcsCreateProcess, err);
    hcs_op *op = !create ? NULL
                 : async ? hcs_op_new_async(svc, "HcsCreateProcess", true, err)
                         : hcs_op_new(svc, "HcsCreateProcess", true, err);
    hcs_proc *p = op ? proc_new(sys) : NULL;
    if (op && !p)
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    if (!p || hcs_sys_call_begin(sys, fn, err) < 0) {
        free(w);
        hcs_op_unref(op);
        if (p)
            hcs_proc_unref(p);
        return -1;
    }
    /* the operation fills the process in when it completes */
    zh_ref_get(&p->ref);
    op->owner = p;
    op->owner_put = proc_put_owner;
    op->on_done = create_done;
    op->recover = create_recover;
    zh_hcs_process raw = NULL;
    zh_hresult hr = create(sys->raw, w, op->raw, NULL, &raw); /* w: ours, alive across the call */
    hcs_sys_call_end(sys);
    free(w);
    if (ZH_FAILED(hr) || !raw) {
        zh_mutex_lock(&svc->lock);
        p->closed = true; /* no handle will come: a recovery waiting for one gives up */
        zh_cond_broadcast(&svc->cond);
        zh_mutex_unlock(&svc->lock);
    }
    if (hcs_op_started(op, hr, err) < 0) {
        if (raw) {
            zh_raw_HcsCloseProcess_fn close_proc = ZH_HCS(svc->lib, HcsCloseProcess, NULL);
            if (close_proc)
                close_proc(raw);
        }
        hcs_op_unref(op);
        hcs_proc_unref(p);
        return -1;
    }
    if (!raw) {
        hcs_op_unref(op);
        hcs_proc_unref(p);
        return zh_error_set(err, ZH_E_FAIL, "HcsCreateProcess", "HCS accepted the create but gave no handle");
    }
    zh_mutex_lock(&svc->lock);
    p->raw = raw;
    zh_cond_broadcast(&svc->cond); /* a recovery may wait for it (recover_info) */
    zh_mutex_unlock(&svc->lock);
    if (proc_listen(p, fn, err) < 0) {
        if (hcs_op_wait(op, 30000, NULL) == 0)
            kill_quietly(svc, raw);
        hcs_op_unref(op);
        proc_discard(p);
        return -1;
    }
    *p_out = p;
    *op_out = op;
    return 0;
}

/* Windows Server 2022: HcsCreateProcess in a process-isolated container may fail the
 * operation with E_INVALIDARG although a valid process handle came back (hcsshim recovers
 * the same way): HcsGetProcessInfo gives the pid and the stdio handles. 0 when recovered. */
static int recover_info(hcs_proc *p, uint64_t deadline)
{
    hcs_service *svc = p->svc;
    zh_raw_HcsGetProcessInfo_fn info = ZH_HCS(svc->lib, HcsGetProcessInfo, NULL);
    hcs_op *op = info ? hcs_op_new(svc, "HcsGetProcessInfo", true, NULL) : NULL;
    if (!op)
        return -1;
    zh_ref_get(&p->ref);
    op->owner = p;
    op->owner_put = proc_put_owner;
    op->on_done = create_done;
    /* the create's failure may come before HcsCreateProcess has returned the handle */
    zh_mutex_lock(&svc->lock);
    while (!p->raw && !p->closed && hcs_wait_until(svc, deadline) == 0) {
    }
    zh_mutex_unlock(&svc->lock);
    if (hcs_proc_call_begin(p, "zhcs_process_create", NULL) < 0) {
        hcs_op_unref(op);
        return -1;
    }
    zh_hresult hr = info(p->raw, op->raw);
    hcs_proc_call_end(p);
    int rc = hcs_op_started(op, hr, NULL) == 0 ? hcs_op_finish(op, hcs_left_ms(deadline), NULL, NULL)
                                                : (hcs_op_unref(op), -1);
    zh_mutex_lock(&svc->lock);
    if (rc == 0 && p->pid == 0)
        rc = -1; /* no process behind it after all */
    zh_mutex_unlock(&svc->lock);
    return rc;
}

/* After a failed create: when HCS is still creating (a timeout; cancel is E_NOTIMPL), a
 * reaper thread waits for the create to end, then kills the process and closes the handle;
 * otherwise that happens here. Takes `p` and the caller's reference on `op`. */
typedef struct proc_reaper {
    hcs_proc *p;
    hcs_op *op;
} proc_reaper;

static void proc_reaper_main(void *arg)
{
    proc_reaper *r = arg;
    hcs_service *svc = r->p->svc;
    zh_raw_HcsWaitForOperationResult_fn wait = ZH_HCS(svc->lib, HcsWaitForOperationResult, NULL);
    zh_wchar *doc = NULL;
    if (wait)
        wait(r->op->raw, ZHCS_INFINITE, &doc); /* the create's end, whatever it is */
    zh_raw_free_string(svc->lib, doc);
    kill_quietly(svc, r->p->raw);
    proc_discard(r->p);
    hcs_op_unref(r->op);
    free(r);
}

static void create_cleanup(hcs_proc *p, hcs_op *op)
{
    zh_raw_HcsGetOperationResult_fn get = ZH_HCS(p->svc->lib, HcsGetOperationResult, NULL);
    zh_wchar *doc = NULL;
    zh_hresult r = get ? get(op->raw, &doc) : HCS_E_OPERATION_PENDING;
    zh_raw_free_string(p->svc->lib, doc);
    if (r == HCS_E_OPERATION_PENDING) {
        zh_raw_HcsCancelOperation_fn cancel = ZH_HCS(p->svc->lib, HcsCancelOperation, NULL);
        if (cancel)
            cancel(op->raw); /* best effort: usually E_NOTIMPL, and the reaper waits */
        proc_reaper *rp = malloc(sizeof *rp);
        zh_thread *t = NULL;
        if (rp) {
            rp->p = p;
            rp->op = op;
            if (zh_thread_start(&t, proc_reaper_main, rp, NULL) == 0) {
                zh_thread_detach(t);
                return;
            }
            free(rp);
        }
    }
    kill_quietly(p->svc, p->raw);
    proc_discard(p);
    hcs_op_unref(op);
}

static int create_recover(hcs_op *op, zh_hresult hr)
{
    return hr == ZH_E_INVALIDARG ? recover_info(op->owner, hcs_deadline(30000)) : -1;
}

int zhcs_process_create_json(zhcs_process **out, zhcs_system *h, const char *params_json, uint32_t timeout_ms,
                             zhcs_error **err)
{
    static const char fn[] = "zhcs_process_create";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    hcs_sys *sys = hcs_sys_get(h, fn, err);
    if (!sys)
        return -1;
    hcs_proc *p = NULL;
    hcs_op *op = NULL;
    int rc = create_begin(sys, params_json, false, &p, &op, fn, err);
    if (rc == 0) {
        zh_error *e = NULL;
        rc = hcs_op_wait(op, timeout_ms, &e);
        if (rc < 0) {
            /* it may start after all (a timeout), or have started while reading the result
             * failed: not behind the caller's back */
            zh_error_put(err, e);
            create_cleanup(p, op);
        } else {
            hcs_op_unref(op);
            rc = proc_publish(p, out, fn, err);
        }
    }
    hcs_sys_unref(sys);
    return rc;
}

int zhcs_process_create(zhcs_process **out, zhcs_system *sys, const zhcs_ProcessParameters *params,
                        uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_create";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    if (!params)
        return hcs_null_arg(fn, "the process parameters", err);
    char *json = zhcs_ProcessParameters_emit(params, err);
    if (!json)
        return -1;
    int rc = zhcs_process_create_json(out, sys, json, timeout_ms, err);
    free(json);
    return rc;
}

int zhcs_process_create_async(zhcs_process **out, zhcs_operation **op_out, zhcs_system *h, const char *params_json,
                              zhcs_error **err)
{
    static const char fn[] = "zhcs_process_create_async";
    if (!out || !op_out)
        return hcs_null_arg(fn, !out ? "out" : "op", err);
    *out = NULL;
    *op_out = NULL;
    hcs_sys *sys = hcs_sys_get(h, fn, err);
    if (!sys)
        return -1;
    hcs_proc *p = NULL;
    hcs_op *op = NULL;
    int rc = create_begin(sys, params_json, true, &p, &op, fn, err);
    if (rc == 0) {
        rc = proc_publish(p, out, fn, err);
        if (rc == 0)
            rc = hcs_op_publish(op, op_out, err);
        else
            hcs_op_unref(op);
        if (rc < 0 && *out) {
            zhcs_process_close(*out);
            *out = NULL;
        }
    }
    hcs_sys_unref(sys);
    return rc;
}

int zhcs_process_spawn(zhcs_process **out, zhcs_system *sys, const char *command_line, uint32_t timeout_ms,
                       zhcs_error **err)
{
    static const char fn[] = "zhcs_process_spawn";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    if (!command_line)
        return hcs_null_arg(fn, "the command line", err);
    zhcs_ProcessParameters pp;
    memset(&pp, 0, sizeof pp);
    pp.CommandLine = (char *)command_line;
    pp.has_CreateStdInPipe = pp.has_CreateStdOutPipe = pp.has_CreateStdErrPipe = true;
    pp.CreateStdInPipe = pp.CreateStdOutPipe = pp.CreateStdErrPipe = true;
    return zhcs_process_create(out, sys, &pp, timeout_ms, err);
}

int zhcs_process_open(zhcs_process **out, zhcs_system *h, uint32_t pid, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_open";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    hcs_sys *sys = hcs_sys_get(h, fn, err);
    if (!sys)
        return -1;
    int rc = -1;
    zh_raw_HcsOpenProcess_fn open_proc = ZH_HCS(sys->svc->lib, HcsOpenProcess, err);
    hcs_proc *p = open_proc ? proc_new(sys) : NULL;
    if (open_proc && !p)
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    if (p && hcs_sys_call_begin(sys, fn, err) == 0) {
        zh_hcs_process raw = NULL;
        zh_hresult hr = open_proc(sys->raw, pid, HCS_GENERIC_ALL, &raw);
        hcs_sys_call_end(sys);
        if (ZH_FAILED(hr) || !raw) {
            char what[300];
            snprintf(what, sizeof what, "cannot open process %u of system \"%.200s\"", (unsigned)pid, sys->id);
            hcs_raw_error(err, ZH_FAILED(hr) ? hr : ZH_E_FAIL, "HcsOpenProcess", what);
            hcs_proc_unref(p);
        } else {
            p->raw = raw;
            p->pid = pid;
            if (proc_listen(p, fn, err) < 0)
                proc_discard(p);
            else
                rc = proc_publish(p, out, fn, err);
        }
    } else if (p) {
        hcs_proc_unref(p);
    }
    hcs_sys_unref(sys);
    return rc;
}

/* ------------------------------------------------------------------ accessors */
uint32_t zhcs_process_pid(zhcs_process *h)
{
    hcs_proc *p = hcs_proc_get(h, "zhcs_process_pid", NULL);
    if (!p)
        return 0;
    zh_mutex_lock(&p->svc->lock);
    uint32_t pid = p->pid;
    zh_mutex_unlock(&p->svc->lock);
    hcs_proc_unref(p);
    return pid;
}

static zhcs_fd stdio_of(zhcs_process *h, int which)
{
    hcs_proc *p = hcs_proc_get(h, "zhcs_process_stdio", NULL);
    if (!p)
        return ZHCS_FD_NONE;
    zh_mutex_lock(&p->svc->lock);
    zhcs_fd fd = which == 0 ? p->in : which == 1 ? p->out : p->err;
    zh_mutex_unlock(&p->svc->lock);
    hcs_proc_unref(p);
    return fd;
}

zhcs_fd zhcs_process_stdin(zhcs_process *h)
{
    return stdio_of(h, 0);
}

zhcs_fd zhcs_process_stdout(zhcs_process *h)
{
    return stdio_of(h, 1);
}

zhcs_fd zhcs_process_stderr(zhcs_process *h)
{
    return stdio_of(h, 2);
}

int zhcs_process_take_stdio(zhcs_process *h, zhcs_fd *in, zhcs_fd *out, zhcs_fd *err_out, zhcs_error **err)
{
    hcs_proc *p = hcs_proc_get(h, "zhcs_process_take_stdio", err);
    if (!p)
        return -1;
    zh_mutex_lock(&p->svc->lock);
    if (in) {
        *in = p->in;
        p->in = ZHCS_FD_NONE;
    }
    if (out) {
        *out = p->out;
        p->out = ZHCS_FD_NONE;
    }
    if (err_out) {
        *err_out = p->err;
        p->err = ZHCS_FD_NONE;
    }
    zh_mutex_unlock(&p->svc->lock);
    hcs_proc_unref(p);
    return 0;
}

/* ------------------------------------------------------------------ calls taking an operation */
typedef zh_hresult(ZH_WINAPI *proc_op_fn)(zh_hcs_process, zh_hcs_operation, const zh_wchar *);

static int proc_op_begin(hcs_proc *p, size_t raw_id, const char *raw_name, const char *fn, const char *json,
                         const char *what, bool async, hcs_op **out, zh_error **err)
{
    *out = NULL;
    if (hcs_check_json(json, fn, what, err) < 0)
        return -1;
    zh_wchar *w = NULL;
    if (hcs_wide(json, &w, fn, what, err) < 0)
        return -1;
    proc_op_fn call = (proc_op_fn)zh_raw_get(p->svc->lib, raw_id, err);
    hcs_op *op = !call ? NULL : async ? hcs_op_new_async(p->svc, raw_name, false, err) : hcs_op_new(p->svc, raw_name, false, err);
    if (!op || hcs_proc_call_begin(p, fn, err) < 0) {
        free(w);
        hcs_op_unref(op);
        return -1;
    }
    zh_hresult hr = call(p->raw, op->raw, w);
    hcs_proc_call_end(p);
    free(w);
    if (hcs_op_started(op, hr, err) < 0) {
        hcs_op_unref(op);
        return -1;
    }
    *out = op;
    return 0;
}

static int proc_op_async(zhcs_operation **op_out, zhcs_process *h, size_t raw_id, const char *raw_name,
                         const char *fn, const char *json, const char *what, zh_error **err)
{
    if (!op_out)
        return hcs_null_arg(fn, "op", err);
    *op_out = NULL;
    hcs_proc *p = hcs_proc_get(h, fn, err);
    if (!p)
        return -1;
    hcs_op *op = NULL;
    int rc = proc_op_begin(p, raw_id, raw_name, fn, json, what, true, &op, err);
    if (rc == 0)
        rc = hcs_op_publish(op, op_out, err);
    hcs_proc_unref(p);
    return rc;
}

static int proc_op_blocking(hcs_proc *p, size_t raw_id, const char *raw_name, const char *fn, const char *json,
                            const char *what, uint32_t timeout_ms, char **result, zh_error **err)
{
    hcs_op *op = NULL;
    int rc = proc_op_begin(p, raw_id, raw_name, fn, json, what, false, &op, err);
    if (rc == 0)
        rc = hcs_op_finish(op, timeout_ms, result, err);
    return rc;
}

const char *zhcs_signal_name(zhcs_signal sig)
{
    static const char *const names[] = {"CtrlC", "CtrlBreak", "CtrlClose", "CtrlLogOff", "CtrlShutdown"};
    return (unsigned)sig < sizeof names / sizeof names[0] ? names[sig] : NULL;
}

static int signal_json(zhcs_signal sig, char *buf, size_t size, const char *fn, zh_error **err)
{
    const char *name = zhcs_signal_name(sig);
    if (!name)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn, "unknown signal %d", (int)sig);
    snprintf(buf, size, "{\"Signal\":\"%s\"}", name);
    return 0;
}

int zhcs_process_signal(zhcs_process *h, zhcs_signal sig, uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_signal";
    char json[64];
    if (signal_json(sig, json, sizeof json, fn, err) < 0)
        return -1;
    hcs_proc *p = hcs_proc_get(h, fn, err);
    if (!p)
        return -1;
    int rc = proc_op_blocking(p, ZH_HCS_ID_HcsSignalProcess, "HcsSignalProcess", fn, json, "signal options",
                              timeout_ms, NULL, err);
    hcs_proc_unref(p);
    return rc;
}

int zhcs_process_signal_number(zhcs_process *h, int signum, uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_signal_number";
    if (signum < 1 || signum > 64)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                "signal %d is not a signal number (1..64)", signum);
    char json[32];
    snprintf(json, sizeof json, "{\"Signal\":%d}", signum);
    return zhcs_process_signal_json(h, json, timeout_ms, err);
}

int zhcs_process_signal_json(zhcs_process *h, const char *options_json, uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_signal_json";
    if (!options_json)
        return hcs_null_arg(fn, "the signal options", err);
    hcs_proc *p = hcs_proc_get(h, fn, err);
    if (!p)
        return -1;
    int rc = proc_op_blocking(p, ZH_HCS_ID_HcsSignalProcess, "HcsSignalProcess", fn, options_json, "signal options",
                              timeout_ms, NULL, err);
    hcs_proc_unref(p);
    return rc;
}

int zhcs_process_signal_async(zhcs_operation **op, zhcs_process *h, zhcs_signal sig, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_signal_async";
    char json[64];
    if (signal_json(sig, json, sizeof json, fn, err) < 0)
        return -1;
    return proc_op_async(op, h, ZH_HCS_ID_HcsSignalProcess, "HcsSignalProcess", fn, json, "signal options", err);
}

/* Asks HCS whether the process has exited (for an exit before the callback was set): one
 * raw call, HcsWaitForProcessExit with 0 ms; only where that is missing, the ProcessStatus,
 * bounded by the caller's deadline. An exit found so goes to the subscriptions too, exactly
 * once. Returns the raw answer (E_HANDLE: HCS no longer knows the process). */
static zh_hresult probe_exit(hcs_proc *p, uint64_t deadline)
{
    if (hcs_proc_call_begin(p, "zhcs_process_wait", NULL) < 0)
        return ZH_E_HANDLE;
    char *doc = NULL;
    bool exited = false;
    zh_hresult hr = ZH_E_NOTIMPL;
    zh_raw_HcsWaitForProcessExit_fn wait_exit = ZH_HCS(p->svc->lib, HcsWaitForProcessExit, NULL);
    if (wait_exit) {
        zh_wchar *w = NULL;
        hr = wait_exit(p->raw, 0, &w); /* 0 ms: a question, not a wait */
        doc = hcs_narrow(p->svc, w);
        exited = ZH_SUCCEEDED(hr);
    }
    if (hr == ZH_E_NOTIMPL) {
        /* ProcessStatus says too (and is all older HCS builds have) */
        free(doc);
        doc = NULL;
        zh_raw_HcsGetProcessProperties_fn props = ZH_HCS(p->svc->lib, HcsGetProcessProperties, NULL);
        hcs_op *op = props ? hcs_op_new(p->svc, "HcsGetProcessProperties", false, NULL) : NULL;
        if (op && hcs_op_started(op, props(p->raw, op->raw, NULL), NULL) == 0) {
            hcs_op_finish(op, hcs_left_ms(deadline), &doc, NULL);
            op = NULL;
        }
        hcs_op_unref(op);
        zhcs_ProcessStatus *st = doc ? zhcs_ProcessStatus_parse(doc, ZHCS_NUL_TERMINATED, NULL) : NULL;
        exited = st && st->has_Exited && st->Exited;
        zhcs_ProcessStatus_free(st);
    }
    hcs_proc_call_end(p);
    if (exited)
        hcs_events_exit(p->svc, &p->subs, &p->exited, &p->exit_doc, HcsEventProcessExited, doc);
    free(doc);
    return hr;
}

void hcs_proc_probe(hcs_proc *p)
{
    zh_mutex_lock(&p->svc->lock);
    bool known = p->exited || p->closed || p->disconnected;
    zh_mutex_unlock(&p->svc->lock);
    if (!known)
        probe_exit(p, hcs_deadline(10000));
}

static bool proc_exited(hcs_proc *p)
{
    zh_mutex_lock(&p->svc->lock);
    bool e = p->exited;
    zh_mutex_unlock(&p->svc->lock);
    if (!e) {
        probe_exit(p, hcs_deadline(10000));
        zh_mutex_lock(&p->svc->lock);
        e = p->exited;
        zh_mutex_unlock(&p->svc->lock);
    }
    return e;
}

int zhcs_process_terminate(zhcs_process *h, uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_terminate";
    hcs_proc *p = hcs_proc_get(h, fn, err);
    if (!p)
        return -1;
    zh_error *e = NULL;
    int rc = proc_op_blocking(p, ZH_HCS_ID_HcsTerminateProcess, "HcsTerminateProcess", fn, NULL, "options",
                              timeout_ms, NULL, &e);
    if (rc < 0) {
        zh_category c = zh_error_category(e);
        /* A kill of a process that has gone (or a second kill) is what the caller wanted.
         * HCS may say so with "access denied": believe it only when the process is gone. */
        if (c == ZH_CAT_ALREADY_STOPPED || c == ZH_CAT_NOT_FOUND ||
            ((c == ZH_CAT_ACCESS_DENIED || c == ZH_CAT_INVALID_STATE) && proc_exited(p)))
            rc = 0;
    }
    if (rc < 0)
        zh_error_put(err, e);
    else
        zh_error_free(e);
    hcs_proc_unref(p);
    return rc;
}

int zhcs_process_terminate_async(zhcs_operation **op, zhcs_process *h, zhcs_error **err)
{
    return proc_op_async(op, h, ZH_HCS_ID_HcsTerminateProcess, "HcsTerminateProcess", "zhcs_process_terminate_async",
                         NULL, "options", err);
}

int zhcs_process_modify_async(zhcs_operation **op, zhcs_process *h, const char *request_json, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_modify_async";
    if (!request_json)
        return hcs_null_arg(fn, "the request", err);
    return proc_op_async(op, h, ZH_HCS_ID_HcsModifyProcess, "HcsModifyProcess", fn, request_json, "modify request",
                         err);
}

int zhcs_process_close_stdin(zhcs_process *h, uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_close_stdin";
    hcs_proc *p = hcs_proc_get(h, fn, err);
    if (!p)
        return -1;
    zh_error *e = NULL;
    int rc = proc_op_blocking(p, ZH_HCS_ID_HcsModifyProcess, "HcsModifyProcess", fn,
                              "{\"Operation\":\"CloseHandle\",\"CloseHandle\":{\"Handle\":\"StdIn\"}}", "modify request",
                              timeout_ms, NULL, &e);
    if (rc < 0) {
        zh_category c = zh_error_category(e);
        if (c == ZH_CAT_ALREADY_STOPPED || c == ZH_CAT_NOT_FOUND || proc_exited(p))
            rc = 0; /* nobody left to read it */
    }
    if (rc < 0) {
        zh_error_put(err, e);
    } else {
        zh_error_free(e);
        zh_mutex_lock(&p->svc->lock);
        zhcs_fd in = p->in;
        p->in = ZHCS_FD_NONE;
        zh_mutex_unlock(&p->svc->lock);
        hcs_fd_close(in); /* our end too: end-of-file either way */
    }
    hcs_proc_unref(p);
    return rc;
}

int zhcs_process_resize_console(zhcs_process *h, uint16_t height, uint16_t width, uint32_t timeout_ms,
                                zhcs_error **err)
{
    static const char fn[] = "zhcs_process_resize_console";
    char json[128];
    snprintf(json, sizeof json, "{\"Operation\":\"ConsoleSize\",\"ConsoleSize\":{\"Height\":%u,\"Width\":%u}}",
             (unsigned)height, (unsigned)width);
    hcs_proc *p = hcs_proc_get(h, fn, err);
    if (!p)
        return -1;
    int rc = proc_op_blocking(p, ZH_HCS_ID_HcsModifyProcess, "HcsModifyProcess", fn, json, "modify request",
                              timeout_ms, NULL, err);
    hcs_proc_unref(p);
    return rc;
}

int zhcs_process_properties_json(char **out, zhcs_process *h, const char *query_json, uint32_t timeout_ms,
                                 zhcs_error **err)
{
    static const char fn[] = "zhcs_process_properties";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    hcs_proc *p = hcs_proc_get(h, fn, err);
    if (!p)
        return -1;
    int rc = proc_op_blocking(p, ZH_HCS_ID_HcsGetProcessProperties, "HcsGetProcessProperties", fn, query_json,
                              "property query", timeout_ms, out, err);
    hcs_proc_unref(p);
    return rc;
}

int zhcs_process_properties(zhcs_ProcessStatus **out, zhcs_process *h, uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_properties";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    char *doc = NULL;
    int rc = zhcs_process_properties_json(&doc, h, NULL, timeout_ms, err);
    if (rc == 0) {
        *out = zhcs_ProcessStatus_parse(doc ? doc : "{}", ZHCS_NUL_TERMINATED, err);
        rc = *out ? 0 : -1;
    }
    free(doc);
    return rc;
}

/* ------------------------------------------------------------------ exit */
/* The exit code a ProcessStatus document states: valid only when LastWaitResult is 0. */
static int64_t exit_code_of(const char *doc)
{
    zhcs_ProcessStatus *st = doc ? zhcs_ProcessStatus_parse(doc, ZHCS_NUL_TERMINATED, NULL) : NULL;
    int64_t code = -1;
    if (st && st->has_ExitCode && (!st->has_LastWaitResult || st->LastWaitResult == 0))
        code = (int64_t)st->ExitCode;
    zhcs_ProcessStatus_free(st);
    return code;
}

/* The process's system has stopped. HCS may or may not say that its processes exited
 * (a latitude): ask once, give a ProcessExited on its way a moment (within the caller's
 * deadline), then count the process as exited with its system - exit status unknown. */
static void exited_with_system(hcs_proc *p, uint64_t deadline)
{
    zh_hresult hr = probe_exit(p, deadline);
    hcs_service *svc = p->svc;
    if (hr != ZH_E_HANDLE && hr != HCS_E_SYSTEM_NOT_FOUND) {
        uint64_t grace = hcs_deadline(500);
        if (grace > deadline)
            grace = deadline;
        zh_mutex_lock(&svc->lock);
        while (!p->exited && !p->closed && !p->disconnected && hcs_wait_until(svc, grace) == 0) {
        }
        zh_mutex_unlock(&svc->lock);
    }
    /* a ProcessExited without data: no exit code (zhcs_process_wait reports -1) */
    hcs_events_exit(svc, &p->subs, &p->exited, &p->exit_doc, HcsEventProcessExited, NULL);
}

/* On the dispatcher: one question to HCS about a process whose system exited. */
static void sys_exit_task(void *arg)
{
    hcs_proc *p = arg;
    zh_hresult hr = probe_exit(p, hcs_deadline(2000));
    if (hr == ZH_E_HANDLE || hr == HCS_E_SYSTEM_NOT_FOUND) /* HCS is done with it */
        hcs_events_exit(p->svc, &p->subs, &p->exited, &p->exit_doc, HcsEventProcessExited, NULL);
    hcs_proc_unref(p);
}

void hcs_sys_procs_exited(hcs_sys *s)
{
    hcs_service *svc = s->svc;
    zh_mutex_lock(&svc->lock);
    for (hcs_proc *p = s->procs; p; p = p->sys_next) {
        if (p->exited || p->closed || !p->subs || !zh_ref_tryget(&p->ref))
            continue; /* only subscriptions need it: a wait asks by itself */
        if (hcs_dispatch(svc, sys_exit_task, p, true) < 0)
            zh_atomic_add(&p->ref, -1); /* not the last: the list's owner holds one */
    }
    zh_mutex_unlock(&svc->lock);
}

int zhcs_process_wait(zhcs_process *h, uint32_t timeout_ms, int64_t *exit_code, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_wait";
    if (exit_code)
        *exit_code = -1;
    hcs_proc *p = hcs_proc_get(h, fn, err);
    if (!p)
        return -1;
    hcs_service *svc = p->svc;
    uint64_t deadline = hcs_deadline(timeout_ms);
    zh_mutex_lock(&svc->lock);
    bool known = p->exited || p->closed || p->disconnected;
    bool sys_gone = p->sys->exited;
    zh_mutex_unlock(&svc->lock);
    if (!known && !sys_gone)
        probe_exit(p, deadline);
    zh_mutex_lock(&svc->lock);
    while (!p->exited && !p->closed && !p->disconnected && !p->sys->exited && hcs_wait_until(svc, deadline) == 0) {
    }
    sys_gone = !p->exited && !p->closed && !p->disconnected && p->sys->exited;
    zh_mutex_unlock(&svc->lock);
    if (sys_gone)
        exited_with_system(p, deadline); /* a wait ends when the system is seen to stop */
    zh_mutex_lock(&svc->lock);
    int rc = 0;
    char *doc = NULL;
    if (p->exited) {
        doc = p->exit_doc ? zh_strdup(p->exit_doc) : NULL;
    } else if (p->closed) {
        rc = zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn, "the process handle was closed while waiting");
    } else if (p->disconnected) {
        rc = zh_error_set_cat(err, HCS_E_SERVICE_DISCONNECT, ZH_CAT_DISCONNECTED, fn,
                              "the compute service went away while waiting for process %u", (unsigned)p->pid);
    } else {
        rc = zh_error_set_cat(err, HCS_E_OPERATION_TIMEOUT, ZH_CAT_TIMEOUT, fn, "process %u did not exit within %u ms",
                              (unsigned)p->pid, timeout_ms);
    }
    zh_mutex_unlock(&svc->lock);
    if (rc == 0 && exit_code)
        *exit_code = exit_code_of(doc);
    free(doc);
    hcs_proc_unref(p);
    return rc;
}

void zhcs_process_close(zhcs_process *h)
{
    hcs_proc *p = zh_handle_unregister((uintptr_t)h, HCS_T_PROCESS);
    if (!p)
        return;
    hcs_service *svc = p->svc;
    zh_mutex_lock(&svc->lock);
    p->closed = true;
    zh_cond_broadcast(&svc->cond);
    while (p->raw_calls > 0)
        zh_cond_wait(&svc->cond, &svc->lock);
    zh_mutex_unlock(&svc->lock);
    zh_raw_HcsCloseProcess_fn close_proc = ZH_HCS(svc->lib, HcsCloseProcess, NULL);
    if (close_proc && p->raw)
        close_proc(p->raw); /* unregisters proc_raw_event and drains calls in flight */
    bool on_dispatcher = hcs_on_dispatcher(svc);
    zh_mutex_lock(&svc->lock);
    p->raw = NULL;
    hcs_events_end_all(svc, &p->subs, !on_dispatcher);
    zh_mutex_unlock(&svc->lock);
    hcs_proc_unref(p);
}

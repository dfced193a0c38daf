/* SPDX-License-Identifier: MIT */
/* hcs_internal.h - what the zhcs modules share: the objects behind the public handles.
 *
 * Public handles are values from the handle table (zh_handle.h), never addresses, so a
 * closed handle is a CLOSED error rather than a crash. Each object is reference counted;
 * a public call holds a reference for its duration (hcs_*_get / hcs_*_put).
 *
 * One lock per service (svc->lock) guards the mutable state of every object of that service,
 * and one condition variable (svc->cond) is broadcast on every change waiters care about
 * (an operation completes, an event arrives, a handle closes). The lock is never held across
 * a raw HCS call or a user callback.
 *
 * Threads: HCS calls our raw callbacks on its own threads; they only record what happened,
 * signal waiters and queue work for the dispatcher, one thread per service that runs every
 * user callback (hcs_service.c).
 */
#ifndef ZHCS_HCS_INTERNAL_H
#define ZHCS_HCS_INTERNAL_H

#include <stdbool.h>

#include <zhcs/zhcs.h>

#include "zh_error.h"
#include "zh_handle.h"
#include "zh_hresult.h"
#include "zh_raw.h"
#include "zh_svc.h"
#include "zh_thread.h"

/* Handle types in the handle table. */
enum { HCS_T_SERVICE = 0x11, HCS_T_OPERATION, HCS_T_SYSTEM, HCS_T_PROCESS, HCS_T_EVENTS };
/* The contexts handed to HCS's callbacks: ids in the same table, never addresses, so a
 * callback HCS runs after the object is gone (HCS does not promise that closing waits for
 * callbacks in flight) finds nothing instead of freed memory. */
enum { HCS_T_OP_CB = 0x21, HCS_T_SYS_CB, HCS_T_PROC_CB };

/* ------------------------------------------------------------------ service + dispatcher */
typedef struct hcs_dispatcher hcs_dispatcher;

typedef struct hcs_service {
    zh_refcount ref;
    uintptr_t handle;
    zh_svc *svc;
    zh_raw_lib *lib; /* the raw table: win32 DLL or simulator */
    zh_mutex lock;
    zh_cond cond;
    hcs_dispatcher *disp; /* started on first use */
    int inflight;         /* HCS callbacks holding an object (under lock); close waits for 0 */
} hcs_service;

/* An HCS callback took a reference on an object of the service / is done with it (the
 * last reference of an object is released on the dispatcher, which ends it there).
 * zhcs_service_close waits for these, so that the service (and an in-process simulator)
 * is gone when it returns once the caller closed everything. */
void hcs_inflight_begin(hcs_service *s);
void hcs_inflight_end(hcs_service *s);
/* For HCS callbacks holding an object (its in-flight count begun): drops one reference to it;
 * the last one is released by `task` (which calls hcs_final_task) on the dispatcher, never
 * on HCS's thread, which must not close what it is calling back for, nor the service. */
void hcs_unref_from_hcs(hcs_service *s, zh_refcount *ref, void (*task)(void *obj), void *obj);
/* The body of such a task: final(obj) (which frees obj and drops its service reference)
 * with the service kept alive through it, then the in-flight count ends. */
void hcs_final_task(hcs_service *s, void (*final)(void *obj), void *obj);

hcs_service *hcs_service_get(zhcs_service *h, const char *fn, zh_error **err);
void hcs_service_ref(hcs_service *s);
void hcs_service_unref(hcs_service *s);

/* Queues fn(arg) for the dispatcher (svc->lock held or not: `locked` says which). On
 * failure (out of memory, no thread) returns -1 and fn never runs. */
int hcs_dispatch(hcs_service *s, void (*fn)(void *arg), void *arg, bool locked);
bool hcs_on_dispatcher(hcs_service *s);
/* Takes the queued tasks whose argument is `arg` off the queue (returns how many: the
 * caller drops the references they held) and waits until no task for `arg` runs (unless
 * called from the dispatcher). svc->lock NOT held. Makes closes synchronous. */
size_t hcs_dispatch_cancel(hcs_service *s, void *arg);

/* Waits on svc->cond until `deadline_ns` (UINT64_MAX: for ever); lock held. 0 when woken,
 * -1 when the deadline passed. */
int hcs_wait_until(hcs_service *s, uint64_t deadline_ns);
uint64_t hcs_deadline(uint32_t timeout_ms);

/* ------------------------------------------------------------------ waitable objects */
typedef struct hcs_waitable hcs_waitable;
int hcs_waitable_new(hcs_waitable **out, zh_error **err);
void hcs_waitable_set(hcs_waitable *w);   /* idempotent */
void hcs_waitable_reset(hcs_waitable *w); /* idempotent */
zhcs_fd hcs_waitable_fd(hcs_waitable *w);
void hcs_waitable_free(hcs_waitable *w);

/* OS handles from HCS_PROCESS_INFORMATION (0 / INVALID_HANDLE_VALUE: none). */
zhcs_fd hcs_fd_from_raw(zh_handle h);
void hcs_fd_close(zhcs_fd fd); /* accepts ZHCS_FD_NONE */

/* ------------------------------------------------------------------ operations */
enum { HCS_OP_NEW, HCS_OP_PENDING, HCS_OP_DONE };

typedef struct hcs_op hcs_op;
struct hcs_op {
    zh_refcount ref;
    uintptr_t handle;        /* 0 while internal (blocking calls never publish theirs) */
    hcs_service *svc;
    zh_hcs_operation raw;    /* closed (and its callback drained) only when we free */
    const char *name;        /* the raw call: "HcsStartComputeSystem" */
    bool want_pi;            /* a process create: fetch HCS_PROCESS_INFORMATION */
    bool blocking;           /* no HCS callback: completed by HcsWaitForOperationResult */
    uintptr_t cb_id;         /* async: the context HCS's completion callback gets (HCS_T_OP_CB) */
    /* under svc->lock */
    int state;
    int32_t hr;
    char *result;            /* UTF-8 result document, or NULL */
    zh_error *error;         /* when it failed */
    zh_hcs_process_information pi;
    bool has_pi;
    void (*on_done)(hcs_op *op); /* runs under svc->lock when the op completes */
    /* A failure HCS may report although the work was done (the WS2022 process-create
     * quirk): called (no lock held, never on HCS's thread) with the op's HRESULT; 0 when
     * it recovered, and the op then completes successfully. */
    int (*recover)(hcs_op *op, zh_hresult hr);
    void *owner;             /* what on_done works on (a reference is held) */
    void (*owner_put)(void *owner);
    zhcs_operation_cb cb;
    void *ctx;
    zhcs_free_fn ctx_free;
    bool freed;              /* the public handle was freed: waiters get CLOSED */
    bool cb_set, cb_queued, cb_closed;
    int cb_running;
    uint64_t cb_thread;
    hcs_waitable *w;
};

/* A new operation for the raw call `name` (a static string). hcs_op_new: for blocking calls,
 * without any HCS callback (waits are HcsWaitForOperationResult[AndProcessInfo], as hcsshim
 * does). hcs_op_new_async: with a completion callback, for the public zhcs_operation. */
hcs_op *hcs_op_new(hcs_service *s, const char *name, bool want_pi, zh_error **err);
hcs_op *hcs_op_new_async(hcs_service *s, const char *name, bool want_pi, zh_error **err);
/* Drops a reference from a thread HCS owns: a last one is released on the dispatcher, never
 * on HCS's thread (which must not close what it is calling back for, nor the service). */
void hcs_op_unref_from_hcs(hcs_op *op);
/* The time left until `deadline` (hcs_deadline) in ms: ZHCS_INFINITE for none. */
uint32_t hcs_left_ms(uint64_t deadline);
/* After the raw call that used op->raw returned `hr`: 0 when HCS accepted the work; -1 with
 * *err when it refused (the operation is then complete, with that error). */
int hcs_op_started(hcs_op *op, zh_hresult hr, zh_error **err);
/* Waits for completion: 0 success, -1 with the op's error (a copy) or TIMEOUT. */
int hcs_op_wait(hcs_op *op, uint32_t timeout_ms, zh_error **err);
/* Blocking form of an operation: waits; on timeout asks HCS to cancel and reports TIMEOUT.
 * On success *result (when not NULL) takes the result document. Drops the caller's
 * reference on `op` in every case. */
int hcs_op_finish(hcs_op *op, uint32_t timeout_ms, char **result, zh_error **err);
/* Publishes the operation as a public handle (the handle owns the reference passed in). */
int hcs_op_publish(hcs_op *op, zhcs_operation **out, zh_error **err);
void hcs_op_ref(hcs_op *op);
void hcs_op_unref(hcs_op *op);

/* ------------------------------------------------------------------ systems, processes, events */
typedef struct hcs_sub hcs_sub;
typedef struct hcs_proc hcs_proc;

typedef struct hcs_sys {
    zh_refcount ref;
    uintptr_t handle;
    uintptr_t cb_id;         /* the context of its HCS event callback (HCS_T_SYS_CB) */
    hcs_service *svc;
    zh_hcs_system raw;
    char *id;
    /* under svc->lock */
    bool closed;
    int raw_calls;           /* raw calls using `raw` in flight: close waits for them */
    bool exited;
    char *exit_doc;          /* SystemExitStatus JSON, when HCS sent one */
    bool disconnected;
    hcs_sub *subs;
    hcs_proc *procs;         /* its processes' objects (hcs_proc.sys_next), for its exit */
} hcs_sys;

struct hcs_proc {
    zh_refcount ref;
    uintptr_t handle;
    uintptr_t cb_id;         /* the context of its HCS event callback (HCS_T_PROC_CB) */
    hcs_service *svc;
    hcs_sys *sys;            /* a reference */
    zh_hcs_process raw;
    /* under svc->lock */
    bool closed;
    int raw_calls;
    uint32_t pid;
    zhcs_fd in, out, err;
    bool exited;
    char *exit_doc;          /* ProcessStatus JSON */
    bool disconnected;
    hcs_sub *subs;
    hcs_proc *sys_prev, *sys_next; /* in sys->procs */
};

struct hcs_sub {
    zh_refcount ref;
    uintptr_t handle;
    hcs_service *svc;
    hcs_sys *sys;            /* the source while it is open (no reference) */
    hcs_proc *proc;
    hcs_sub *next;           /* in the source's list */
    /* under svc->lock */
    zhcs_event **queue;      /* ring of `capacity` */
    size_t capacity, head, count;
    uint64_t dropped, sequence;
    bool ended;              /* the source closed: next() drains, then CLOSED */
    bool closed;             /* zhcs_events_close */
    zhcs_events_cb cb;
    void *ctx;
    zhcs_free_fn ctx_free;
    bool cb_queued;
    int cb_running;
    hcs_waitable *w;
};

hcs_sys *hcs_sys_get(zhcs_system *h, const char *fn, zh_error **err);
void hcs_sys_unref(hcs_sys *s);
hcs_proc *hcs_proc_get(zhcs_process *h, const char *fn, zh_error **err);
void hcs_proc_unref(hcs_proc *p);

/* Asks HCS once whether it has already exited (unless known): an exit before our callback
 * was registered then reaches the subscriptions too (one raw call). */
void hcs_sys_probe(hcs_sys *s);
void hcs_proc_probe(hcs_proc *p);
/* The system exited (first time; svc->lock NOT held): each of its processes not known to
 * have exited is asked about on the dispatcher, and counted as exited with its system when
 * HCS no longer knows it, so their subscriptions end too. */
void hcs_sys_procs_exited(hcs_sys *s);

/* Marks a raw call on the system/process handle in flight (0), or -1 with CLOSED. */
int hcs_sys_call_begin(hcs_sys *s, const char *fn, zh_error **err);
void hcs_sys_call_end(hcs_sys *s);
int hcs_proc_call_begin(hcs_proc *p, const char *fn, zh_error **err);
void hcs_proc_call_end(hcs_proc *p);

/* Called from raw event callbacks (svc->lock NOT held): turns the raw event into a zhcs_event
 * for every subscription in *subs and queues it (svc->lock taken inside). */
void hcs_events_deliver(hcs_service *s, hcs_sub **subs, uint32_t raw_type, const char *data);
/* An exit (SystemExited / ProcessExited) seen by an event or by asking HCS: the first one
 * sets *exited and *exit_doc (a copy of data) and goes to every subscription, in one
 * critical section with subscribe, so each subscription gets it exactly once. Returns
 * whether this was the first. svc->lock NOT held. */
bool hcs_events_exit(hcs_service *s, hcs_sub **subs, bool *exited, char **exit_doc, uint32_t raw_type,
                     const char *data);
/* The source closes (svc->lock held): every subscription in *subs ends and is unlinked;
 * with `wait`, returns when none of their callbacks runs any more (not on the dispatcher). */
void hcs_events_end_all(hcs_service *s, hcs_sub **subs, bool wait);
/* A raw event's EventData as UTF-8 (a copy), or NULL. */
char *hcs_event_data(const zh_wchar *data);

/* ------------------------------------------------------------------ helpers */
/* UTF-8 -> NUL-terminated UTF-16 for a raw call (NULL in, NULL out); -1 with an
 * INVALID_ARGUMENT error naming `what` for invalid UTF-8. */
int hcs_wide(const char *s, zh_wchar **out, const char *fn, const char *what, zh_error **err);
/* A raw string back to UTF-8 (freed with the lib's allocator); NULL in -> NULL out. */
char *hcs_narrow(hcs_service *s, zh_wchar *w);
/* Checks that `json` (may be NULL) is a JSON document; INVALID_JSON naming `what`. */
int hcs_check_json(const char *json, const char *fn, const char *what, zh_error **err);
/* A NULL-argument error: INVALID_ARGUMENT "fn: what is NULL". */
int hcs_null_arg(const char *fn, const char *what, zh_error **err);
/* An error for a raw call that failed at once: its HRESULT, the raw call's name, and the
 * message "<what>: <HRESULT name>". Returns -1. */
int hcs_raw_error(zh_error **err, zh_hresult hr, const char *raw_fn, const char *what);

#endif

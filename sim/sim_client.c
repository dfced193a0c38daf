/* SPDX-License-Identifier: MIT */
/* sim_client.c - "sim:PATH" in a client process: the raw tables marshalled to the
 * simulator service of PATH (sim_server.c), which this starts when none runs.
 *
 * Handles are the service's values. A reader thread takes replies to the waiting callers
 * and queues what the service pushes (operation completions, system and process events,
 * HCN notifications, and the disconnect when the service goes away) for the dispatcher
 * thread, which invokes the callbacks registered in this process.
 *
 * Reconnecting: when the service goes away, every callback hears of it once (the
 * disconnect below), and the next call that needs the service connects again, starting a
 * service as the first open does. Each connection is a generation: handle values are the
 * service's with the generation in bits 48-62, so a handle of an earlier service is
 * recognised as stale and never reaches the new one as a value it may have reused; it
 * reaches it as a value no client was given (the simulator's invalid handle), Close and
 * Unregister of it succeed here (there is nothing left to release), and reading an
 * operation of it says HCS_E_SERVICE_DISCONNECT. */
#define _GNU_SOURCE
#include "sim_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "sim.h"
#include "sim_rpc.h"
#include "zh_hresult.h"

typedef struct pending {
    bool done;
    unsigned char *body;
    size_t len;
    int fds[SIM_RPC_MAXFDS];
} pending;

enum { PUSH_OPDONE = 1, PUSH_EVENT, PUSH_NOTE, PUSH_DISCONNECT };

typedef struct pushed {
    int kind;
    uint64_t a, op;
    uint32_t type;
    int32_t status;
    zh_wchar *data;
    struct pushed *next;
} pushed;

typedef struct cl_cb { /* an operation's, a handle's or a registration's callback */
    const void *ctx;
    zh_hcs_operation_completion op_cb;
    zh_hcs_event_callback ev_cb;
    zh_hcn_notification_callback note_cb;
    uint64_t svc; /* registrations: the service's handle */
    uint32_t gen; /* registrations: the connection they were made on */
    bool pending; /* operations: started, completion not yet pushed */
    bool gone;    /* registrations: their service went away (told once) */
} cl_cb;

/* Handle values: the service's (below 2^48: user-space addresses) tagged with the
 * connection's generation. */
#define TAG_SHIFT 48
#define TAG_MASK 0x7fffu
#define VAL_MASK ((UINT64_C(1) << TAG_SHIFT) - 1)
#define STALE_WIRE (UINT64_MAX - 1) /* what a stale handle is sent as: never handed out */

static uint64_t tag_of(uint64_t v, uint32_t gen)
{
    return v ? (v & VAL_MASK) | ((uint64_t)(gen & TAG_MASK) << TAG_SHIFT) : 0;
}

static bool of_gen(uint64_t v, uint32_t gen)
{
    return (uint32_t)(v >> TAG_SHIFT) == (gen & TAG_MASK);
}

static struct client {
    zh_mutex lock; /* guards everything below but the socket writes */
    zh_mutex wlock;
    zh_mutex rlock; /* one reconnect at a time; held by close */
    zh_cond cond;  /* replies arriving, pushes queued, callbacks ending */
    sim_sock sock;
    char *dir;     /* PATH, for reconnecting */
    uint32_t gen;  /* the connection's generation (guarded by lock) */
    uint32_t next_gen;
    bool closing;
    int dirfd; /* POSIX: the directory, for socket paths too long for sun_path */
    bool dead;
    bool quit;
    uint32_t next_seq;
    sim_map pending;
    sim_map ops, handles, regs;
    pushed *head, **tail;
    zh_thread *reader, *dispatcher;
    uint64_t dispatcher_id;
    uint64_t running; /* the key whose callback runs now */
    long service_pid;
} C = {.lock = ZH_MUTEX_INIT, .wlock = ZH_MUTEX_INIT, .rlock = ZH_MUTEX_INIT, .sock = SIM_SOCK_NONE, .dirfd = -1};

/* ---------------------------------------------------------------- calls */
typedef struct ccall {
    uint16_t entry;
    sim_wr w;
    pending p;
    sim_rd r;
    int64_t ret;
    int fdi;
    uint64_t op;   /* the operation the call starts, if any */
    uint32_t gen;  /* the connection it is encoded for */
    bool stale;    /* it names a handle of an earlier connection */
} ccall;

static int reconnect(void);
static bool soft[SIM_ENTRY_COUNT];
static bool op_local[SIM_ENTRY_COUNT];

static void cl_begin(ccall *c, uint16_t entry)
{
    memset(c, 0, sizeof *c);
    c->entry = entry;
    /* a call that needs the service: after a service restart it connects again first
     * (releasing calls and reads of operations never start a service) */
    if (entry < SIM_ENTRY_COUNT && !soft[entry] && (!op_local[entry] || entry == ZH_HCS_ID_HcsCreateOperation))
        reconnect();
    zh_mutex_lock(&C.lock);
    c->gen = C.gen;
    zh_mutex_unlock(&C.lock);
    sim_msg_begin(&c->w, SIM_MSG_REQ, 0);
    sim_wr_u16(&c->w, entry);
    for (int i = 0; i < SIM_RPC_MAXFDS; i++)
        c->p.fds[i] = -1;
}

/* A handle value as the service of this call knows it. */
static uint64_t wire_of(ccall *c, uint64_t v)
{
    if (!v)
        return 0;
    if (!of_gen(v, c->gen)) {
        c->stale = true;
        return STALE_WIRE;
    }
    return v & VAL_MASK;
}

/* Sends the request and waits for its reply. 0, or -1 when the service is gone. */
static int cl_transact(ccall *c)
{
    zh_mutex_lock(&C.lock);
    if (C.dead || C.sock == SIM_SOCK_NONE || C.gen != c->gen) {
        zh_mutex_unlock(&C.lock);
        return -1;
    }
    uint32_t seq = ++C.next_seq;
    if (seq == 0)
        seq = ++C.next_seq;
    if (sim_map_put(&C.pending, seq, &c->p) < 0) {
        zh_mutex_unlock(&C.lock);
        return -1;
    }
    zh_mutex_unlock(&C.lock);
    memcpy(c->w.b.data + 5, &seq, 4);
    zh_mutex_lock(&C.wlock);
    int rc = sim_send(C.sock, &c->w, NULL, 0);
    zh_mutex_unlock(&C.wlock);
    zh_mutex_lock(&C.lock);
    while (rc == 0 && !c->p.done && !C.dead)
        zh_cond_wait(&C.cond, &C.lock);
    sim_map_del(&C.pending, seq);
    zh_mutex_unlock(&C.lock);
    if (!c->p.done)
        return -1;
    c->r.p = c->p.body;
    c->r.n = c->p.len;
    sim_rd_u8(&c->r);
    sim_rd_u32(&c->r);
    c->ret = (int64_t)sim_rd_u64(&c->r);
    return c->r.bad ? -1 : 0;
}

static void cl_end(ccall *c)
{
    sim_wr_free(&c->w);
    free(c->p.body);
#ifndef _WIN32
    for (int i = 0; i < SIM_RPC_MAXFDS; i++) /* descriptors no out-parameter took */
        if (c->p.fds[i] >= 0)
            close(c->p.fds[i]);
#endif
}

/* encoding the arguments */
static void e_win(ccall *c, void *p, size_t n)
{
    (void)n;
    sim_wr_wstr(&c->w, *(const zh_wchar **)p);
}

static void e_present(ccall *c, void *p, size_t n)
{
    (void)n;
    void *v;
    memcpy(&v, p, sizeof v);
    sim_wr_u8(&c->w, v != NULL);
}

static void e_handle(ccall *c, void *p, size_t n)
{
    (void)n;
    void *v;
    memcpy(&v, p, sizeof v);
    sim_wr_u64(&c->w, wire_of(c, (uint64_t)(uintptr_t)v));
}

static void e_guid(ccall *c, void *p, size_t n)
{
    (void)n;
    const zh_guid *g = *(const zh_guid **)p;
    sim_wr_u8(&c->w, g != NULL);
    if (g)
        sim_wr_bytes(&c->w, g, sizeof *g);
}

static void e_null(ccall *c, void *p, size_t n)
{
    (void)c, (void)p, (void)n;
}

static void e_copt(ccall *c, void *p, size_t n)
{
    (void)n;
    const zh_hcs_create_options *o = *(const zh_hcs_create_options **)p;
    sim_wr_u8(&c->w, o != NULL);
    if (o)
        sim_wr_u32(&c->w, (uint32_t)*o);
}

static void e_int(ccall *c, void *p, size_t n)
{
    uint64_t v = 0;
    if (n == 1) {
        uint8_t x;
        memcpy(&x, p, 1);
        v = x;
    } else if (n == 2) {
        uint16_t x;
        memcpy(&x, p, 2);
        v = x;
    } else if (n == 4) {
        uint32_t x;
        memcpy(&x, p, 4);
        v = x;
    } else {
        memcpy(&v, p, n < 8 ? n : 8);
    }
    sim_wr_u64(&c->w, v);
}

static void e_op(ccall *c, void *p, size_t n)
{
    void *v;
    memcpy(&v, p, sizeof v);
    c->op = (uint64_t)(uintptr_t)v;
    e_handle(c, p, n);
}

#define CENC(pp)                                                                                  \
    _Generic((pp), const zh_wchar **: e_win, zh_wchar ***: e_present, const zh_wchar ***: e_present, \
             zh_hcs_operation *: e_op, zh_hcs_system *: e_handle, zh_hcs_process *: e_handle,  \
             void **: e_handle, zh_hcs_system **: e_present, zh_hcs_process **: e_present,          \
             void ***: e_present, zh_refguid *: e_guid, const zh_security_descriptor **: e_null,   \
             const zh_hcs_create_options **: e_copt, zh_hcs_process_information **: e_present,     \
             default: e_int)

/* decoding the out-parameters (ok = 0: the call failed in transport: clear them) */
static void d_none(ccall *c, void *p, int ok)
{
    (void)c, (void)p, (void)ok;
}

static void d_wout(ccall *c, void *p, int ok)
{
    zh_wchar **out = *(zh_wchar ***)p;
    if (out)
        *out = ok ? sim_rd_wstr(&c->r, NULL) : NULL;
}

static void d_hout(ccall *c, void *p, int ok)
{
    void **out;
    memcpy(&out, p, sizeof out);
    if (out)
        *out = ok ? (void *)(uintptr_t)tag_of(sim_rd_u64(&c->r), c->gen) : NULL;
}

static void d_pi(ccall *c, void *p, int ok)
{
    zh_hcs_process_information *pi = *(zh_hcs_process_information **)p;
    if (!pi)
        return;
    memset(pi, 0, sizeof *pi);
    if (!ok)
        return;
    pi->ProcessId = sim_rd_u32(&c->r);
    pi->Reserved = sim_rd_u32(&c->r);
    uint8_t mask = sim_rd_u8(&c->r);
    zh_handle *h[3] = {&pi->StdInput, &pi->StdOutput, &pi->StdError};
#ifdef _WIN32
    /* the service duplicated them into this process: their values follow */
    for (int i = 0; i < 3; i++)
        if (mask & (1u << i))
            *h[i] = (zh_handle)(uintptr_t)sim_rd_u64(&c->r);
    return;
#endif
    for (int i = 0; i < 3; i++) {
        if ((mask & (1u << i)) && c->fdi < SIM_RPC_MAXFDS && c->p.fds[c->fdi] >= 0) {
            *h[i] = (zh_handle)(intptr_t)c->p.fds[c->fdi]; /* the caller's now */
            c->p.fds[c->fdi++] = -1;
        }
    }
}

#define CDEC(pp)                                                                                  \
    _Generic((pp), zh_wchar ***: d_wout, const zh_wchar ***: d_wout, zh_hcs_system **: d_hout,    \
             zh_hcs_process **: d_hout, void ***: d_hout, zh_hcs_process_information **: d_pi,     \
             default: d_none)

/* What a call returns when the service is gone: the calls that release what the caller
 * holds succeed (there is nothing left to release), reading an operation says the service
 * disconnected, everything else RPC_S_SERVER_UNAVAILABLE. */
static zh_hresult gone_hr(uint16_t entry)
{
    if (soft[entry])
        return 0;
    if (op_local[entry])
        return HCS_E_SERVICE_DISCONNECT;
    return ZH_E_RPC_SERVER_UNAVAILABLE;
}

#define C_ENC(x) CENC(&x)(&cc, &x, sizeof x);
#define C_DEC(x) CDEC(&x)(&cc, &x, ok);
#define C_RET_zh_hresult(v) ((zh_hresult)(v))
#define C_RET_zh_voidp(v) ((zh_voidp)(uintptr_t)(v))
#define C_RET_zh_hcs_operation(v) ((zh_hcs_operation)(uintptr_t)tag_of((uint64_t)(v), cc.gen))
#define C_RET_zh_hcs_system(v) ((zh_hcs_system)(uintptr_t)tag_of((uint64_t)(v), cc.gen))
#define C_RET_zh_hcs_process(v) ((zh_hcs_process)(uintptr_t)tag_of((uint64_t)(v), cc.gen))
#define C_RET_zh_hcs_operation_type(v) ((zh_hcs_operation_type)(v))
#define C_RET_zh_u64(v) ((zh_u64)(v))
#define C_GONE_zh_hresult(id) gone_hr(id)
#define C_GONE_zh_voidp(id) NULL
#define C_GONE_zh_hcs_operation(id) NULL
#define C_GONE_zh_hcs_system(id) NULL
#define C_GONE_zh_hcs_process(id) NULL
#define C_GONE_zh_hcs_operation_type(id) HcsOperationTypeNone
#define C_GONE_zh_u64(id) 0

static void started(ccall *c, int ok);

#define C_VALUE(rt, name, params, args, id)                                                      \
    static rt ZH_WINAPI c_##name params                                                          \
    {                                                                                             \
        ccall cc;                                                                                 \
        cl_begin(&cc, (uint16_t)(id));                                                            \
        SIM_FE(C_ENC, SIM_UNPAREN args)                                                           \
        int ok = cc.stale && (soft[id] || op_local[id]) ? 0 : cl_transact(&cc) == 0;              \
        started(&cc, ok);                                                                         \
        SIM_FE(C_DEC, SIM_UNPAREN args)                                                           \
        rt r = ok ? C_RET_##rt(cc.ret) : C_GONE_##rt(id);                                      \
        cl_end(&cc);                                                                              \
        return r;                                                                                 \
    }
#define C_void(name, params, args, id)                                                            \
    static void ZH_WINAPI c_##name params                                                         \
    {                                                                                             \
        ccall cc;                                                                                 \
        cl_begin(&cc, (uint16_t)(id));                                                            \
        SIM_FE(C_ENC, SIM_UNPAREN args)                                                           \
        int ok = cc.stale && (soft[id] || op_local[id]) ? 0 : cl_transact(&cc) == 0;              \
        SIM_FE(C_DEC, SIM_UNPAREN args)                                                           \
        cl_end(&cc);                                                                              \
    }
#define C_zh_hresult(name, params, args, id) C_VALUE(zh_hresult, name, params, args, id)
#define C_zh_voidp(name, params, args, id) C_VALUE(zh_voidp, name, params, args, id)
#define C_zh_hcs_operation(name, params, args, id) C_VALUE(zh_hcs_operation, name, params, args, id)
#define C_zh_hcs_system(name, params, args, id) C_VALUE(zh_hcs_system, name, params, args, id)
#define C_zh_hcs_process(name, params, args, id) C_VALUE(zh_hcs_process, name, params, args, id)
#define C_zh_hcs_operation_type(name, params, args, id) C_VALUE(zh_hcs_operation_type, name, params, args, id)
#define C_zh_u64(name, params, args, id) C_VALUE(zh_u64, name, params, args, id)
#define C_HCS_(ret, name, params, args) C_##ret(name, params, args, ZH_HCS_ID_##name)
#define C_HCN_(ret, name, params, args) C_##ret(name, params, args, ZH_HCS_ID_COUNT + ZH_HCN_ID_##name)
ZH_HCS_EXPORTS(C_HCS_)
ZH_HCN_EXPORTS(C_HCN_)

#define C_MEMBER_(ret, name, params, args) c_##name,
zh_hcs_table sim_client_hcs = {ZH_HCS_EXPORTS(C_MEMBER_)};
zh_hcn_table sim_client_hcn = {ZH_HCN_EXPORTS(C_MEMBER_)};

/* ---------------------------------------------------------------- callbacks */
/* A call that took an operation and succeeded started it: if the service goes away before
 * the completion arrives, the completion callback still runs (reading the result then
 * says HCS_E_SERVICE_DISCONNECT), so no waiter hangs. */
static void started(ccall *c, int ok)
{
    if (!ok || !c->op || (int32_t)c->ret != 0 || op_local[c->entry])
        return;
    zh_mutex_lock(&C.lock);
    cl_cb *rec = sim_map_get(&C.ops, c->op);
    if (rec)
        rec->pending = true;
    zh_mutex_unlock(&C.lock);
}

/* Waits until the dispatcher no longer runs `key`'s callback (C.lock held), unless the
 * caller is that callback. */
static void wait_idle(uint64_t key)
{
    if (zh_thread_self_id() == C.dispatcher_id)
        return;
    while (C.running == key && key)
        zh_cond_wait(&C.cond, &C.lock);
}

static void forget(sim_map *m, uint64_t key)
{
    zh_mutex_lock(&C.lock);
    wait_idle(key);
    free(sim_map_del(m, key));
    zh_mutex_unlock(&C.lock);
}

static zh_hcs_operation ZH_WINAPI x_HcsCreateOperation(const void *context, zh_hcs_operation_completion callback)
{
    cl_cb *rec = calloc(1, sizeof *rec);
    if (!rec)
        return NULL;
    rec->ctx = context;
    rec->op_cb = callback;
    ccall cc;
    cl_begin(&cc, ZH_HCS_ID_HcsCreateOperation);
    sim_wr_u8(&cc.w, callback != NULL);
    zh_hcs_operation op = cl_transact(&cc) == 0 ? (zh_hcs_operation)(uintptr_t)tag_of((uint64_t)cc.ret, cc.gen) : NULL;
    cl_end(&cc);
    zh_mutex_lock(&C.lock);
    if (!op || sim_map_put(&C.ops, (uint64_t)(uintptr_t)op, rec) < 0) {
        free(rec);
        rec = NULL;
    }
    zh_mutex_unlock(&C.lock);
    if (op && !rec) {
        c_HcsCloseOperation(op);
        op = NULL;
    }
    return op;
}

static void ZH_WINAPI x_HcsCloseOperation(zh_hcs_operation op)
{
    c_HcsCloseOperation(op);
    forget(&C.ops, (uint64_t)(uintptr_t)op);
}

static zh_voidp ZH_WINAPI x_HcsGetOperationContext(zh_hcs_operation op)
{
    zh_mutex_lock(&C.lock);
    cl_cb *rec = sim_map_get(&C.ops, (uint64_t)(uintptr_t)op);
    void *ctx = rec ? (void *)(uintptr_t)rec->ctx : NULL;
    zh_mutex_unlock(&C.lock);
    return ctx;
}

static zh_hresult ZH_WINAPI x_HcsSetOperationContext(zh_hcs_operation op, const void *context)
{
    zh_mutex_lock(&C.lock);
    cl_cb *rec = op ? sim_map_get(&C.ops, (uint64_t)(uintptr_t)op) : NULL;
    if (rec)
        rec->ctx = context;
    zh_mutex_unlock(&C.lock);
    return rec ? 0 : op ? ZH_E_HANDLE : ZH_E_INVALIDARG;
}

static zh_hresult ZH_WINAPI x_HcsSetOperationCallback(zh_hcs_operation op, const void *context,
                                                      zh_hcs_operation_completion callback)
{
    ccall cc;
    cl_begin(&cc, ZH_HCS_ID_HcsSetOperationCallback);
    sim_wr_u64(&cc.w, wire_of(&cc, (uint64_t)(uintptr_t)op));
    sim_wr_u8(&cc.w, callback != NULL);
    zh_hresult hr = cl_transact(&cc) == 0 ? (zh_hresult)cc.ret : ZH_E_RPC_SERVER_UNAVAILABLE;
    cl_end(&cc);
    if (hr == 0) {
        zh_mutex_lock(&C.lock);
        cl_cb *rec = sim_map_get(&C.ops, (uint64_t)(uintptr_t)op);
        if (rec) {
            rec->ctx = context;
            rec->op_cb = callback;
        }
        zh_mutex_unlock(&C.lock);
    }
    return hr;
}

static zh_hresult set_event_callback(uint16_t entry, void *h, zh_hcs_event_options options, const void *context,
                                     zh_hcs_event_callback callback)
{
    cl_cb *rec = callback ? calloc(1, sizeof *rec) : NULL;
    if (callback && !rec)
        return ZH_E_OUTOFMEMORY;
    ccall cc;
    cl_begin(&cc, entry);
    sim_wr_u64(&cc.w, wire_of(&cc, (uint64_t)(uintptr_t)h));
    sim_wr_u32(&cc.w, (uint32_t)options);
    sim_wr_u8(&cc.w, callback != NULL);
    /* registered before the call: an event may arrive before the reply */
    if (rec) {
        rec->ctx = context;
        rec->ev_cb = callback;
    }
    zh_mutex_lock(&C.lock);
    cl_cb *old = sim_map_get(&C.handles, (uint64_t)(uintptr_t)h);
    if (rec && sim_map_put(&C.handles, (uint64_t)(uintptr_t)h, rec) < 0) {
        zh_mutex_unlock(&C.lock);
        free(rec);
        cl_end(&cc);
        return ZH_E_OUTOFMEMORY;
    }
    zh_mutex_unlock(&C.lock);
    zh_hresult hr = cl_transact(&cc) == 0 ? (zh_hresult)cc.ret : ZH_E_RPC_SERVER_UNAVAILABLE;
    cl_end(&cc);
    zh_mutex_lock(&C.lock);
    if (hr == 0) {
        if (!rec)
            sim_map_del(&C.handles, (uint64_t)(uintptr_t)h);
        if (old != rec)
            free(old);
    } else if (rec) {
        if (old)
            sim_map_put(&C.handles, (uint64_t)(uintptr_t)h, old);
        else
            sim_map_del(&C.handles, (uint64_t)(uintptr_t)h);
        free(rec);
    }
    zh_mutex_unlock(&C.lock);
    return hr;
}

static zh_hresult ZH_WINAPI x_HcsSetComputeSystemCallback(zh_hcs_system sys, zh_hcs_event_options options,
                                                          const void *context, zh_hcs_event_callback callback)
{
    return set_event_callback(ZH_HCS_ID_HcsSetComputeSystemCallback, sys, options, context, callback);
}

static zh_hresult ZH_WINAPI x_HcsSetProcessCallback(zh_hcs_process proc, zh_hcs_event_options options, void *context,
                                                    zh_hcs_event_callback callback)
{
    return set_event_callback(ZH_HCS_ID_HcsSetProcessCallback, proc, options, context, callback);
}

static void ZH_WINAPI x_HcsCloseComputeSystem(zh_hcs_system sys)
{
    c_HcsCloseComputeSystem(sys);
    forget(&C.handles, (uint64_t)(uintptr_t)sys);
}

static void ZH_WINAPI x_HcsCloseProcess(zh_hcs_process proc)
{
    c_HcsCloseProcess(proc);
    forget(&C.handles, (uint64_t)(uintptr_t)proc);
}

static zh_hresult ZH_WINAPI x_HcnRegisterServiceCallback(zh_hcn_notification_callback Callback, void *Context,
                                                         zh_hcn_callback *CallbackHandle)
{
    if (!Callback || !CallbackHandle)
        return ZH_E_POINTER;
    cl_cb *rec = calloc(1, sizeof *rec);
    if (!rec)
        return ZH_E_OUTOFMEMORY;
    rec->ctx = Context;
    rec->note_cb = Callback;
    zh_mutex_lock(&C.lock);
    int put = sim_map_put(&C.regs, (uint64_t)(uintptr_t)rec, rec);
    zh_mutex_unlock(&C.lock);
    if (put < 0) {
        free(rec);
        return ZH_E_OUTOFMEMORY;
    }
    ccall cc;
    cl_begin(&cc, ZH_HCS_ID_COUNT + ZH_HCN_ID_HcnRegisterServiceCallback);
    sim_wr_u64(&cc.w, (uint64_t)(uintptr_t)rec);
    zh_hresult hr = ZH_E_RPC_SERVER_UNAVAILABLE;
    if (cl_transact(&cc) == 0) {
        hr = (zh_hresult)cc.ret;
        uint64_t svc = sim_rd_u64(&cc.r);
        zh_mutex_lock(&C.lock); /* the dispatcher may be reading the record */
        rec->svc = svc;
        rec->gen = cc.gen;
        zh_mutex_unlock(&C.lock);
    }
    cl_end(&cc);
    if (hr != 0) {
        forget(&C.regs, (uint64_t)(uintptr_t)rec);
        return hr;
    }
    *CallbackHandle = rec;
    return 0;
}

static zh_hresult ZH_WINAPI x_HcnUnregisterServiceCallback(zh_hcn_callback CallbackHandle)
{
    zh_mutex_lock(&C.lock);
    cl_cb *rec = CallbackHandle ? sim_map_get(&C.regs, (uint64_t)(uintptr_t)CallbackHandle) : NULL;
    uint64_t svc = rec ? rec->svc : 0;
    uint32_t gen = rec ? rec->gen : 0;
    bool gone = rec && (rec->gone || gen != C.gen);
    zh_mutex_unlock(&C.lock);
    if (!rec)
        return ZH_E_HANDLE;
    ccall cc;
    cl_begin(&cc, ZH_HCS_ID_COUNT + ZH_HCN_ID_HcnUnregisterServiceCallback);
    sim_wr_u64(&cc.w, svc);
    /* a registration of an earlier service went with it */
    zh_hresult hr = !gone && cc.gen == gen && cl_transact(&cc) == 0 ? (zh_hresult)cc.ret : 0;
    cl_end(&cc);
    if (hr == 0)
        forget(&C.regs, (uint64_t)(uintptr_t)rec);
    return hr;
}

static zh_once table_once = ZH_ONCE_INIT;

static void setup_tables(void)
{
    for (size_t i = 0; i < SIM_ENTRY_COUNT; i++) {
        const char *n = sim_entry_name(i);
        soft[i] = strstr(n, "Close") || strstr(n, "Unregister") || strstr(n, "Free");
        op_local[i] = strstr(n, "Operation") && !strstr(n, "Cancel") && !strstr(n, "AddResource");
    }
    zh_hcs_table *h = &sim_client_hcs;
    zh_hcn_table *n = &sim_client_hcn;
    h->HcsCreateOperation = x_HcsCreateOperation;
    h->HcsCloseOperation = x_HcsCloseOperation;
    h->HcsGetOperationContext = x_HcsGetOperationContext;
    h->HcsSetOperationContext = x_HcsSetOperationContext;
    h->HcsSetOperationCallback = x_HcsSetOperationCallback;
    h->HcsSetComputeSystemCallback = x_HcsSetComputeSystemCallback;
    h->HcsSetProcessCallback = x_HcsSetProcessCallback;
    h->HcsCloseComputeSystem = x_HcsCloseComputeSystem;
    h->HcsCloseProcess = x_HcsCloseProcess;
    n->HcnRegisterServiceCallback = x_HcnRegisterServiceCallback;
    n->HcnUnregisterServiceCallback = x_HcnUnregisterServiceCallback;
    /* the guest network service family needs no service in the simulator */
    n->HcnRegisterGuestNetworkServiceCallback = sim_HcnRegisterGuestNetworkServiceCallback;
    n->HcnUnregisterGuestNetworkServiceCallback = sim_HcnUnregisterGuestNetworkServiceCallback;
    n->HcnCreateGuestNetworkService = sim_HcnCreateGuestNetworkService;
    n->HcnCloseGuestNetworkService = sim_HcnCloseGuestNetworkService;
    n->HcnModifyGuestNetworkService = sim_HcnModifyGuestNetworkService;
    n->HcnDeleteGuestNetworkService = sim_HcnDeleteGuestNetworkService;
    n->HcnReserveGuestNetworkServicePort = sim_HcnReserveGuestNetworkServicePort;
    n->HcnReserveGuestNetworkServicePortRange = sim_HcnReserveGuestNetworkServicePortRange;
    n->HcnReleaseGuestNetworkServicePortReservationHandle = sim_HcnReleaseGuestNetworkServicePortReservationHandle;
    n->HcnEnumerateGuestNetworkPortReservations = sim_HcnEnumerateGuestNetworkPortReservations;
    n->HcnFreeGuestNetworkPortReservations = sim_HcnFreeGuestNetworkPortReservations;
}

/* ---------------------------------------------------------------- threads */
static void enqueue(pushed *p)
{
    *C.tail = p;
    C.tail = &p->next;
    zh_cond_broadcast(&C.cond);
}

static void reader_main(void *arg)
{
    uint32_t gen = (uint32_t)(uintptr_t)arg;
    for (;;) {
        unsigned char *body;
        size_t len;
        int fds[SIM_RPC_MAXFDS];
        if (sim_recv(C.sock, &body, &len, fds) < 0)
            break;
        sim_rd r = {body, len, false};
        uint8_t kind = sim_rd_u8(&r);
        uint32_t seq = sim_rd_u32(&r);
        zh_mutex_lock(&C.lock);
        if (kind == SIM_MSG_REPLY) {
            pending *p = sim_map_get(&C.pending, seq);
            if (p && !p->done) {
                p->body = body;
                p->len = len;
                memcpy(p->fds, fds, sizeof p->fds);
                p->done = true;
                body = NULL;
                for (int i = 0; i < SIM_RPC_MAXFDS; i++)
                    fds[i] = -1;
                zh_cond_broadcast(&C.cond);
            }
        } else if (kind >= SIM_MSG_OPDONE && kind <= SIM_MSG_NOTE) {
            pushed *p = calloc(1, sizeof *p);
            if (p) {
                p->kind = kind == SIM_MSG_OPDONE ? PUSH_OPDONE : kind == SIM_MSG_EVENT ? PUSH_EVENT : PUSH_NOTE;
                p->a = sim_rd_u64(&r);
                if (kind != SIM_MSG_NOTE)
                    p->a = tag_of(p->a, gen); /* an operation or a handle; a note names our registration */
                if (kind != SIM_MSG_OPDONE)
                    p->type = sim_rd_u32(&r);
                if (kind == SIM_MSG_NOTE)
                    p->status = (int32_t)sim_rd_u32(&r);
                if (kind != SIM_MSG_OPDONE)
                    p->data = sim_rd_wstr(&r, NULL);
                if (kind == SIM_MSG_EVENT)
                    p->op = tag_of(sim_rd_u64(&r), gen);
                enqueue(p);
            }
        }
        zh_mutex_unlock(&C.lock);
        free(body);
#ifndef _WIN32
        for (int i = 0; i < SIM_RPC_MAXFDS; i++)
            if (fds[i] >= 0)
                close(fds[i]);
#endif
    }
    zh_mutex_lock(&C.lock);
    C.dead = true;
    zh_cond_broadcast(&C.cond);
    pushed *p = calloc(1, sizeof *p);
    if (p) {
        p->kind = PUSH_DISCONNECT;
        p->a = gen; /* the connection that ended */
        enqueue(p);
    }
    zh_mutex_unlock(&C.lock);
}

typedef struct snap {
    uint64_t key;
    cl_cb cb;
} snap;

static void dispatcher_main(void *arg)
{
    (void)arg;
    zh_mutex_lock(&C.lock);
    C.dispatcher_id = zh_thread_self_id();
    for (;;) {
        while (!C.head && !C.quit)
            zh_cond_wait(&C.cond, &C.lock);
        if (!C.head)
            break;
        pushed *p = C.head;
        C.head = p->next;
        if (!C.head)
            C.tail = &C.head;
        if (p->kind == PUSH_DISCONNECT) {
            /* every system and process callback hears of it, and every registration; the
             * operations in flight complete */
            /* of the connection that ended: each hears it once */
            uint32_t gen = (uint32_t)p->a;
            size_t n = C.handles.count + C.regs.count + C.ops.count, k = 0;
            snap *s = calloc(n ? n : 1, sizeof *s);
            uint64_t key;
            void *val;
            for (size_t i = 0; s && sim_map_next(&C.ops, &i, &key, &val);) {
                cl_cb *rec = val;
                if (rec->pending && rec->op_cb && of_gen(key, gen)) {
                    rec->pending = false;
                    s[k].key = key, s[k++].cb = *rec;
                }
            }
            size_t first_handle = k;
            for (size_t i = 0; s && sim_map_next(&C.handles, &i, &key, &val);)
                if (of_gen(key, gen))
                    s[k].key = key, s[k++].cb = *(cl_cb *)val;
            size_t end_handles = k;
            for (size_t i = 0; s && sim_map_next(&C.regs, &i, &key, &val);) {
                cl_cb *rec = val;
                if (rec->gen == gen && !rec->gone) {
                    rec->gone = true;
                    s[k].key = key, s[k++].cb = *rec;
                }
            }
            /* the event registrations of the old handles end here */
            for (size_t i = first_handle; i < end_handles; i++)
                free(sim_map_del(&C.handles, s[i].key));
            zh_mutex_unlock(&C.lock);
            for (size_t i = 0; i < k; i++) {
                if (s[i].cb.op_cb) {
                    s[i].cb.op_cb((zh_hcs_operation)(uintptr_t)s[i].key, (void *)(uintptr_t)s[i].cb.ctx);
                } else if (s[i].cb.ev_cb) {
                    zh_hcs_event ev = {HcsEventServiceDisconnect, NULL, NULL};
                    s[i].cb.ev_cb(&ev, (void *)(uintptr_t)s[i].cb.ctx);
                } else if (s[i].cb.note_cb) {
                    s[i].cb.note_cb(0x01000000u /* HcnNotificationServiceDisconnect */,
                                    (void *)(uintptr_t)s[i].cb.ctx, 0, NULL);
                }
            }
            free(s);
            zh_mutex_lock(&C.lock);
        } else {
            sim_map *m = p->kind == PUSH_OPDONE ? &C.ops : p->kind == PUSH_EVENT ? &C.handles : &C.regs;
            cl_cb *rec = sim_map_get(m, p->a);
            if (rec && p->kind == PUSH_OPDONE)
                rec->pending = false;
            cl_cb cb = rec ? *rec : (cl_cb){0};
            C.running = p->a;
            zh_mutex_unlock(&C.lock);
            if (p->kind == PUSH_OPDONE && cb.op_cb) {
                cb.op_cb((zh_hcs_operation)(uintptr_t)p->a, (void *)(uintptr_t)cb.ctx);
            } else if (p->kind == PUSH_EVENT && cb.ev_cb) {
                zh_hcs_event ev = {(zh_hcs_event_type)p->type, p->data, (zh_hcs_operation)(uintptr_t)p->op};
                cb.ev_cb(&ev, (void *)(uintptr_t)cb.ctx);
            } else if (p->kind == PUSH_NOTE && cb.note_cb) {
                cb.note_cb(p->type, (void *)(uintptr_t)cb.ctx, p->status, p->data);
            }
            zh_mutex_lock(&C.lock);
            C.running = 0;
            zh_cond_broadcast(&C.cond);
        }
        free(p->data);
        free(p);
    }
    zh_mutex_unlock(&C.lock);
}

/* ---------------------------------------------------------------- starting the service */
#ifdef _WIN32
/* Windows: the named pipe of PATH (sim_pipe_name); the service program is zhsimd.exe, found
 * as on POSIX ($ZH_SIMD, the build's own, next to this module - computenetwork.dll or the
 * program - next to the program, then the search path); started detached with
 * CreateProcess, it signals an inherited event once it serves. */
static sim_sock try_connect(const char *dir)
{
    char name[96];
    if (sim_pipe_name(dir, name, sizeof name) < 0)
        return SIM_SOCK_NONE;
    for (int tries = 0; tries < 50; tries++) {
        HANDLE h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                               FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, NULL);
        if (h != INVALID_HANDLE_VALUE)
            return sim_sock_wrap(h);
        if (GetLastError() != ERROR_PIPE_BUSY)
            return SIM_SOCK_NONE;
        WaitNamedPipeA(name, 200); /* every instance busy: the service makes the next one */
    }
    return SIM_SOCK_NONE;
}

static bool runnable(const char *p)
{
    DWORD a = GetFileAttributesA(p);
    return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
}

/* zhsimd.exe in the folder of `file` (a module's path), or NULL. */
static char *beside(const char *file)
{
    const char *slash = strrchr(file, '\\');
    if (!slash)
        return NULL;
    char *p = zh_asprintf("%.*s\\zhsimd.exe", (int)(slash - file), file);
    if (p && runnable(p))
        return p;
    free(p);
    return NULL;
}

static char *find_program(void)
{
    const char *env = getenv("ZH_SIMD");
    if (env && *env)
        return zh_strdup(env);
#ifdef ZH_SIMD_PATH
    if (runnable(ZH_SIMD_PATH))
        return zh_strdup(ZH_SIMD_PATH);
#endif
    char self[MAX_PATH + 1];
    HMODULE mod = NULL;
    char *p = NULL;
    if (GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           (LPCSTR)(const void *)&C, &mod)) {
        DWORD n = GetModuleFileNameA(mod, self, MAX_PATH);
        if (n > 0 && n < MAX_PATH) {
            self[n] = 0;
            p = beside(self);
        }
    }
    if (!p) {
        DWORD n = GetModuleFileNameA(NULL, self, MAX_PATH);
        if (n > 0 && n < MAX_PATH) {
            self[n] = 0;
            p = beside(self);
        }
    }
    return p ? p : zh_strdup("zhsimd.exe");
}

/* The last line of the service's log: its own words on why it did not start. */
static void last_log_line(const char *log, char *out, size_t size)
{
    FILE *f = fopen(log, "r");
    char line[400] = "";
    out[0] = 0;
    while (f && fgets(line, sizeof line, f))
        if (line[0] != '\n' && line[0] != '\r')
            snprintf(out, size, "%s", line);
    if (f)
        fclose(f);
    out[strcspn(out, "\r\n")] = 0;
}

static int spawn_service(const char *dir, char *why, size_t whysize)
{
    char *prog = find_program();
    char *log = zh_asprintf("%s\\service.log", dir);
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    HANDLE ready = CreateEventW(&inherit, TRUE, FALSE, NULL);
    HANDLE lg = log ? CreateFileA(log, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_ALWAYS,
                                  FILE_ATTRIBUTE_NORMAL, NULL)
                    : INVALID_HANDLE_VALUE;
    HANDLE nul = CreateFileA("NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, NULL);
    char *cmd = prog ? zh_asprintf("\"%s\" --ready-fd %llu \"%s\"", prog, (unsigned long long)(uintptr_t)ready, dir)
                     : NULL;
    int rc = -1;
    if (!prog || !log || !ready || !cmd) {
        snprintf(why, whysize, "out of resources");
        goto out;
    }
    STARTUPINFOA si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = nul;
    si.hStdOutput = lg;
    si.hStdError = lg;
    PROCESS_INFORMATION pi;
    if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP, NULL, NULL, &si,
                        &pi)) {
        snprintf(why, whysize, "the simulator service %s could not be started (error %lu)", prog,
                 (unsigned long)GetLastError());
        goto out;
    }
    CloseHandle(pi.hThread);
    HANDLE both[2] = {ready, pi.hProcess};
    DWORD r = WaitForMultipleObjects(2, both, FALSE, 20000);
    if (r == WAIT_OBJECT_0) {
        rc = 0;
    } else {
        char last[400];
        last_log_line(log, last, sizeof last);
        snprintf(why, whysize, "the simulator service %s did not start%s%s", prog, last[0] ? ": " : "", last);
    }
    CloseHandle(pi.hProcess);
out:
    if (ready)
        CloseHandle(ready);
    if (lg != INVALID_HANDLE_VALUE)
        CloseHandle(lg);
    if (nul != INVALID_HANDLE_VALUE)
        CloseHandle(nul);
    free(cmd);
    free(prog);
    free(log);
    return rc;
}

static sim_sock connect_or_start(const char *dir, zh_error **err)
{
    sim_sock s = try_connect(dir);
    if (s)
        return s;
    /* one starter at a time: the others wait here, then find it running */
    char *lock_path = zh_asprintf("%s\\start.lock", dir);
    HANDLE lk = lock_path ? CreateFileA(lock_path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                        NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL)
                          : INVALID_HANDLE_VALUE;
    free(lock_path);
    if (lk == INVALID_HANDLE_VALUE) {
        zh_error_set(err, ZH_E_ACCESSDENIED, "zh_sim_open", "sim:%s: cannot open its start lock (error %lu)", dir,
                     (unsigned long)GetLastError());
        return SIM_SOCK_NONE;
    }
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    LockFileEx(lk, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov);
    char why[600] = "";
    /* a service that was stopping as this began may still have answered the new one's probe
     * (it then leaves the directory to it): once gone, a new start takes over */
    for (int attempt = 0; !s && attempt < 3; attempt++) {
        if (attempt)
            Sleep(100u * (unsigned)attempt);
        s = try_connect(dir);
        if (!s && spawn_service(dir, why, sizeof why) == 0)
            s = try_connect(dir);
    }
    UnlockFileEx(lk, 0, 1, 0, &ov);
    CloseHandle(lk);
    if (!s)
        zh_error_set(err, ZH_E_RPC_SERVER_UNAVAILABLE, "zh_sim_open", "sim:%s: %s", dir,
                     why[0] ? why : "cannot reach the simulator service");
    return s;
}

static int make_dir(const char *dir, zh_error **err)
{
    if (!CreateDirectoryA(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        return zh_error_set(err, GetLastError() == ERROR_ACCESS_DENIED ? ZH_E_ACCESSDENIED : ZH_E_PATH_NOT_FOUND,
                            "zh_sim_open", "sim:%s: cannot create the directory (error %lu)", dir,
                            (unsigned long)GetLastError());
    return 0;
}
#else
static sim_sock try_connect(const char *dir)
{
    struct sockaddr_un a;
    unsigned len;
    if (sim_sock_addr(dir, C.dirfd, &a, &len) < 0)
        return -1;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return -1;
    if (connect(s, (struct sockaddr *)&a, len) < 0) {
        close(s);
        return -1;
    }
    return s;
}

/* The service program: $ZH_SIMD, the build's own, next to this program, where it is
 * installed, or on PATH. */
static char *find_program(void)
{
    const char *env = getenv("ZH_SIMD");
    if (env && *env)
        return zh_strdup(env);
#ifdef ZH_SIMD_PATH
    if (access(ZH_SIMD_PATH, X_OK) == 0)
        return zh_strdup(ZH_SIMD_PATH);
#endif
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = 0;
        char *slash = strrchr(self, '/');
        if (slash) {
            char *p = zh_asprintf("%.*s/zhsimd", (int)(slash - self), self);
            if (p && access(p, X_OK) == 0)
                return p;
            free(p);
        }
    }
#ifdef ZH_SIMD_INSTALLED
    if (access(ZH_SIMD_INSTALLED, X_OK) == 0)
        return zh_strdup(ZH_SIMD_INSTALLED);
#endif
    return zh_strdup("zhsimd");
}

/* Starts zhsimd for `dir`, detached, and waits until it serves. 0, or -1 with `why`. */
static int spawn_service(const char *dir, char *why, size_t whysize)
{
    char *prog = find_program();
    char *log = zh_asprintf("%s/service.log", dir);
    int p[2];
    if (!prog || !log || pipe2(p, O_CLOEXEC) < 0) {
        free(prog);
        free(log);
        snprintf(why, whysize, "out of resources");
        return -1;
    }
    long maxfd = sysconf(_SC_OPEN_MAX);
    if (maxfd < 0 || maxfd > 65536)
        maxfd = 65536;
    char *const argv[] = {prog, (char *)"--ready-fd", (char *)"3", (char *)dir, NULL};
    pid_t pid = fork();
    if (pid == 0) {
        /* only async-signal-safe calls from here on */
        setsid();
        if (fork() != 0)
            _exit(0);
        int nul = open("/dev/null", O_RDWR);
        int lg = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(p[1], 3);
        if (nul >= 0)
            dup2(nul, 0);
        if (lg >= 0) {
            dup2(lg, 1);
            dup2(lg, 2);
        }
        for (long fd = 4; fd < maxfd; fd++)
            close((int)fd);
        if (strchr(prog, '/'))
            execv(prog, argv);
        else
            execvp(prog, argv);
        _exit(127);
    }
    close(p[1]);
    int rc = -1;
    if (pid > 0) {
        int st;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        struct pollfd pf = {p[0], POLLIN, 0};
        char b = 0;
        if (poll(&pf, 1, 20000) > 0 && read(p[0], &b, 1) == 1)
            rc = 0;
        else {
            /* the service's own words, from its log */
            FILE *f = fopen(log, "r");
            char line[400] = "", last[400] = "";
            while (f && fgets(line, sizeof line, f))
                if (line[0] != '\n')
                    memcpy(last, line, sizeof last);
            if (f)
                fclose(f);
            last[strcspn(last, "\n")] = 0;
            snprintf(why, whysize, "the simulator service %s did not start%s%s", prog, last[0] ? ": " : "", last);
        }
    } else {
        snprintf(why, whysize, "fork: %s", strerror(errno));
    }
    close(p[0]);
    free(prog);
    free(log);
    return rc;
}

static sim_sock connect_or_start(const char *dir, zh_error **err)
{
    int s = try_connect(dir);
    if (s >= 0)
        return s;
    /* one starter at a time: the others wait here, then find it running */
    char *lock_path = zh_asprintf("%s/start.lock", dir);
    int lk = lock_path ? open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
    free(lock_path);
    if (lk < 0)
        return zh_error_set(err, ZH_E_ACCESSDENIED, "zh_sim_open", "sim:%s: cannot open its start lock: %s", dir,
                            strerror(errno)),
               SIM_SOCK_NONE;
    while (flock(lk, LOCK_EX) < 0 && errno == EINTR)
        ;
    char why[600] = "";
    /* a service that was stopping as this began may still have answered the new one's probe
     * (it then leaves the directory to it): once gone, a new start takes over. A service
     * started by hand meanwhile is found by the next try. */
    for (int attempt = 0; s < 0 && attempt < 3; attempt++) {
        if (attempt)
            zh_sleep_ms(100u * (unsigned)attempt);
        s = try_connect(dir);
        if (s < 0 && spawn_service(dir, why, sizeof why) == 0)
            s = try_connect(dir);
    }
    close(lk);
    if (s < 0)
        return zh_error_set(err, ZH_E_RPC_SERVER_UNAVAILABLE, "zh_sim_open", "sim:%s: %s", dir,
                            why[0] ? why : "cannot reach the simulator service"),
               SIM_SOCK_NONE;
    return s;
}

static int make_dir(const char *dir, zh_error **err)
{
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return zh_error_set(err, errno == EACCES ? ZH_E_ACCESSDENIED : ZH_E_PATH_NOT_FOUND, "zh_sim_open",
                            "sim:%s: cannot create the directory: %s", dir, strerror(errno));
    C.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return 0;
}
#endif /* _WIN32 */

/* The hello on a new connection: 0, or -1 (no answer, another protocol). */
static int hello(void)
{
    ccall cc;
    cl_begin(&cc, SIM_CTL_HELLO);
    sim_wr_u32(&cc.w, SIM_RPC_VERSION);
#ifdef _WIN32
    sim_wr_u32(&cc.w, (uint32_t)GetCurrentProcessId()); /* where the service duplicates handles to */
#else
    sim_wr_u32(&cc.w, (uint32_t)getpid());
#endif
    int ok = cl_transact(&cc) == 0 && cc.ret == 0;
    long pid = ok ? (long)sim_rd_u32(&cc.r) : 0;
    cl_end(&cc);
    zh_mutex_lock(&C.lock);
    C.service_pid = pid;
    zh_mutex_unlock(&C.lock);
    return ok ? 0 : -1;
}

/* Connects (starting the service when none runs) as a new generation, with its reader.
 * The caller holds C.rlock and no other lock. */
static int connect_gen(zh_error **err)
{
    sim_sock s = connect_or_start(C.dir, err);
    if (s == SIM_SOCK_NONE)
        return -1;
    zh_mutex_lock(&C.lock);
    zh_mutex_lock(&C.wlock);
    C.sock = s;
    zh_mutex_unlock(&C.wlock);
    uint32_t gen = C.gen = C.next_gen++;
    C.dead = false;
    zh_mutex_unlock(&C.lock);
    if (zh_thread_start(&C.reader, reader_main, (void *)(uintptr_t)gen, err) < 0) {
        zh_mutex_lock(&C.lock);
        C.dead = true;
        zh_mutex_unlock(&C.lock);
        return -1;
    }
    return 0;
}

/* After the service went away: connect to a new one (started as at the first open). 0 when
 * connected (already, or now), -1 when no service can be reached. */
static int reconnect(void)
{
    zh_mutex_lock(&C.lock);
    bool need = C.dead && !C.closing && C.dir;
    zh_mutex_unlock(&C.lock);
    if (!need)
        return 0;
    zh_mutex_lock(&C.rlock);
    zh_mutex_lock(&C.lock);
    need = C.dead && !C.closing && C.dir;
    zh_mutex_unlock(&C.lock);
    int rc = 0;
    if (need) {
        /* the old connection's reader has ended (it marked it dead on its way out) */
        if (C.reader)
            zh_thread_join(C.reader);
        C.reader = NULL;
        zh_mutex_lock(&C.lock);
        zh_mutex_lock(&C.wlock);
        sim_sock old = C.sock;
        C.sock = SIM_SOCK_NONE;
        zh_mutex_unlock(&C.wlock);
        zh_mutex_unlock(&C.lock);
        sim_sock_close(old);
        rc = connect_gen(NULL) == 0 && hello() == 0 ? 0 : -1;
        if (rc < 0 && C.sock != SIM_SOCK_NONE)
            sim_sock_shutdown(C.sock); /* its reader ends; the next call tries again */
    }
    zh_mutex_unlock(&C.rlock);
    if (need && rc == 0)
        sim_push_latitudes(); /* the behaviour this process chose, to the new service */
    return rc;
}

int sim_client_open(sim_world *w, const char *dir, zh_error **err)
{
    (void)w;
    zh_once_run(&table_once, setup_tables);
    if (make_dir(dir, err) < 0)
        return -1;
    zh_cond_init(&C.cond);
    C.tail = &C.head;
    C.dead = false;
    C.quit = false;
    C.closing = false;
    C.dir = zh_strdup(dir);
    if (!C.dir) {
        zh_error_set(err, ZH_E_OUTOFMEMORY, "zh_sim_open", "out of memory");
        goto fail;
    }
    zh_mutex_lock(&C.rlock);
    int c = connect_gen(err);
    zh_mutex_unlock(&C.rlock);
    if (c < 0)
        goto fail;
    if (zh_thread_start(&C.dispatcher, dispatcher_main, NULL, err) < 0) {
        sim_sock_shutdown(C.sock);
        zh_thread_join(C.reader);
        C.reader = NULL;
        goto fail;
    }
    if (hello() < 0) {
        zh_error_set(err, ZH_E_RPC_SERVER_UNAVAILABLE, "zh_sim_open",
                     "sim:%s: the simulator service does not speak this library's protocol", dir);
        sim_client_close(w);
        return -1;
    }
    sim_push_latitudes(); /* the behaviour this process chose before it connected */
    return 0;
fail:
    free(C.dir);
    C.dir = NULL;
    if (C.sock != SIM_SOCK_NONE)
        sim_sock_close(C.sock);
    C.sock = SIM_SOCK_NONE;
#ifndef _WIN32
    if (C.dirfd >= 0)
        close(C.dirfd);
#endif
    C.dirfd = -1;
    zh_cond_destroy(&C.cond);
    return -1;
}

void sim_client_close(sim_world *w)
{
    (void)w;
    zh_mutex_lock(&C.lock);
    C.closing = true; /* no reconnect from now on */
    zh_mutex_unlock(&C.lock);
    zh_mutex_lock(&C.rlock);
    if (C.sock != SIM_SOCK_NONE)
        sim_sock_shutdown(C.sock);
    if (C.reader)
        zh_thread_join(C.reader);
    C.reader = NULL;
    zh_mutex_unlock(&C.rlock);
    zh_mutex_lock(&C.lock);
    C.quit = true;
    zh_cond_broadcast(&C.cond);
    zh_mutex_unlock(&C.lock);
    if (C.dispatcher)
        zh_thread_join(C.dispatcher);
    C.reader = C.dispatcher = NULL;
    if (C.sock != SIM_SOCK_NONE)
        sim_sock_close(C.sock);
    C.sock = SIM_SOCK_NONE;
#ifndef _WIN32
    if (C.dirfd >= 0)
        close(C.dirfd);
#endif
    C.dirfd = -1;
    while (C.head) {
        pushed *p = C.head;
        C.head = p->next;
        free(p->data);
        free(p);
    }
    uint64_t k;
    void *v;
    sim_map *maps[] = {&C.ops, &C.handles, &C.regs};
    for (int m = 0; m < 3; m++) {
        for (size_t i = 0; sim_map_next(maps[m], &i, &k, &v);)
            free(v);
        sim_map_free(maps[m]);
    }
    sim_map_free(&C.pending);
    zh_cond_destroy(&C.cond);
    free(C.dir);
    C.dir = NULL;
}

int sim_client_dead(void)
{
    zh_mutex_lock(&C.lock);
    int d = C.dead || C.sock == SIM_SOCK_NONE;
    zh_mutex_unlock(&C.lock);
    return d;
}

int sim_client_stop(void)
{
    ccall cc;
    cl_begin(&cc, SIM_CTL_STOP);
    int rc = cl_transact(&cc) == 0 && cc.ret == 0 ? 0 : -1;
    cl_end(&cc);
    return rc;
}

char *sim_client_status(void)
{
    ccall cc;
    cl_begin(&cc, SIM_CTL_STATUS);
    char *out = NULL;
    if (cl_transact(&cc) == 0 && cc.ret == 0) {
        zh_wchar *w = sim_rd_wstr(&cc.r, NULL);
        int bad;
        out = w ? sim_utf8(w, &bad) : NULL;
        free(w);
    }
    cl_end(&cc);
    return out;
}

int sim_client_fail_writes(uint32_t n)
{
    return sim_client_fail_writes_after(0, n);
}

int sim_client_fail_writes_after(uint32_t skip, uint32_t n)
{
    ccall cc;
    cl_begin(&cc, SIM_CTL_FAIL_WRITES);
    sim_wr_u32(&cc.w, n);
    sim_wr_u32(&cc.w, skip);
    int rc = cl_transact(&cc) == 0 && cc.ret == 0 ? 0 : -1;
    cl_end(&cc);
    return rc;
}

/* The latitudes this process chose, to the service (nothing when none was chosen or no
 * service is connected). */
void sim_push_latitudes(void)
{
    unsigned hcn = 0;
    int hcs[ZH_SIM_LAT_COUNT];
    int has_hcn = sim_hcn_latitudes_explicit(&hcn), has_hcs = sim_hcs_latitudes_explicit(hcs);
    zh_mutex_lock(&C.lock);
    bool connected = C.sock != SIM_SOCK_NONE && !C.dead;
    zh_mutex_unlock(&C.lock);
    if ((!has_hcn && !has_hcs) || !connected)
        return;
    ccall cc;
    cl_begin(&cc, SIM_CTL_LATITUDES);
    sim_wr_u32(&cc.w, has_hcn ? 1u : 0u);
    sim_wr_u32(&cc.w, hcn);
    sim_wr_u32(&cc.w, has_hcs ? (uint32_t)ZH_SIM_LAT_COUNT : 0u);
    for (int i = 0; has_hcs && i < ZH_SIM_LAT_COUNT; i++)
        sim_wr_u32(&cc.w, (uint32_t)hcs[i]);
    (void)cl_transact(&cc); /* a service that is gone has no behaviour to choose */
    cl_end(&cc);
}

int sim_client_op_delay(const char *entry, uint32_t ms)
{
    ccall cc;
    cl_begin(&cc, SIM_CTL_OP_DELAY);
    size_t n = entry ? strlen(entry) : 0;
    sim_wr_u32(&cc.w, (uint32_t)n);
    sim_wr_bytes(&cc.w, entry, n);
    sim_wr_u32(&cc.w, ms);
    int rc = cl_transact(&cc) == 0 && cc.ret == 0 ? 0 : -1;
    cl_end(&cc);
    return rc;
}

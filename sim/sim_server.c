/* SPDX-License-Identifier: MIT */
/* sim_server.c - the simulator service behind "sim:PATH" (zhsimd): one in-process simulator
 * world, served to clients over an AF_UNIX socket inside PATH (POSIX) or a named pipe
 * named after PATH (Windows, sim_pipe_name).
 *
 * Each client connection has a reader thread that decodes requests and calls the world's
 * raw tables; calls that may block (the Wait* entries) run on a thread of their own. Every
 * handle the service hands a client is recorded in that connection's map, so a request can
 * only name handles it was given (anything else reaches the simulator as an invalid handle)
 * and a client that goes away has everything it held closed. Completions, events and
 * notifications are pushed to the client that registered for them. */
#define _GNU_SOURCE
#include "sim_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#include <sddl.h>
#else
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#endif

#include "sim.h"
#include "sim_db.h"
#include "sim_hcs.h"
#include "sim_rpc.h"
#include "zh_hresult.h"

/* ---------------------------------------------------------------- connections */
typedef enum hkind { H_OP = 1, H_SYS, H_PROC, H_HCN, H_CB } hkind;

typedef struct conn conn;

/* The context of a callback the service registered for a client. */
typedef struct cbctx {
    conn *c;
    uint64_t id; /* the handle (events) or the client's registration (notifications) */
} cbctx;

typedef struct hent {
    hkind kind;
    cbctx *ctx; /* the event / notification context registered for it, or NULL */
} hent;

struct conn {
    sim_sock sock;
#ifdef _WIN32
    HANDLE proc; /* the client process (PROCESS_DUP_HANDLE): where stdio handles go */
#endif
    zh_mutex lock;   /* guards handles, inflight, dead */
    zh_mutex wlock;  /* one frame at a time on the socket */
    zh_cond idle;
    sim_map handles; /* handle value -> hent */
    int inflight;    /* requests running on threads of their own */
    bool dead;
    bool finished;   /* its reader is done: the service joins and frees it */
    zh_thread *reader;
    conn *next;
};

/* Memory a simulator callback may still reach: with the default CLOSE_WAITS latitude a
 * callback already on its way may run after HcsClose* returned (as Microsoft allows), so
 * the service keeps a closed handle's context, and a gone client's connection, for a while
 * before freeing them (GRAVE_MS), and frees the rest when it stops. */
typedef struct grave {
    void *p;
    void (*free_fn)(void *);
    uint64_t at_ms;
    struct grave *next;
} grave;
#define GRAVE_MS 10000

static struct service {
    zh_mutex lock;
    conn *conns;
    int nconns;
    bool quit;
    bool keep; /* no idle stop */
    int listen_fd;
    int wake[2];
#ifdef _WIN32
    HANDLE wake_ev;
#endif
    uint64_t idle_since_ms;
    grave *graves; /* oldest last */
} S = {.lock = ZH_MUTEX_INIT, .listen_fd = -1, .wake = {-1, -1}};

static uint32_t self_pid(void)
{
#ifdef _WIN32
    return (uint32_t)GetCurrentProcessId();
#else
    return (uint32_t)getpid();
#endif
}

/* Wakes the accepting loop (a client gone, a stop). */
static void wake_service(void)
{
#ifdef _WIN32
    if (S.wake_ev)
        SetEvent(S.wake_ev);
#else
    if (S.wake[1] >= 0) {
        char b = 1;
        ssize_t r = write(S.wake[1], &b, 1);
        (void)r;
    }
#endif
}

static void defer_free(void *p, void (*free_fn)(void *))
{
    grave *g = p ? malloc(sizeof *g) : NULL;
    if (!g) {
        if (p)
            free_fn(p); /* out of memory: as before */
        return;
    }
    g->p = p;
    g->free_fn = free_fn;
    g->at_ms = zh_monotonic_ms();
    zh_mutex_lock(&S.lock);
    g->next = S.graves;
    S.graves = g;
    zh_mutex_unlock(&S.lock);
}

/* Frees what was deferred at least `age_ms` ago (0: everything). */
static void sweep_graves(uint64_t age_ms)
{
    uint64_t now = zh_monotonic_ms();
    zh_mutex_lock(&S.lock);
    grave **pp = &S.graves;
    while (*pp && (age_ms == 0 || now - (*pp)->at_ms < age_ms))
        pp = &(*pp)->next;
    grave *old = *pp; /* the list is newest first: all that follows is older */
    *pp = NULL;
    zh_mutex_unlock(&S.lock);
    while (old) {
        grave *next = old->next;
        old->free_fn(old->p);
        free(old);
        old = next;
    }
}

/* An object the simulator rejects as a handle of any kind (its magic is zero): what a
 * handle value a client was never given turns into. */
static uint64_t bogus[16];

static void push(conn *c, sim_wr *w, const int *fds, int nfds)
{
    zh_mutex_lock(&c->wlock);
    if (!c->dead)
        sim_send(c->sock, w, fds, nfds);
    zh_mutex_unlock(&c->wlock);
    sim_wr_free(w);
}

static void ZH_WINAPI on_op_done(zh_hcs_operation op, void *ctx)
{
    sim_wr w;
    sim_msg_begin(&w, SIM_MSG_OPDONE, 0);
    sim_wr_u64(&w, (uint64_t)(uintptr_t)op);
    push(ctx, &w, NULL, 0);
}

static void ZH_WINAPI on_event(zh_hcs_event *ev, void *ctx)
{
    cbctx *x = ctx;
    sim_wr w;
    sim_msg_begin(&w, SIM_MSG_EVENT, 0);
    sim_wr_u64(&w, x->id);
    sim_wr_u32(&w, (uint32_t)ev->Type);
    sim_wr_wstr(&w, ev->EventData);
    sim_wr_u64(&w, (uint64_t)(uintptr_t)ev->Operation);
    push(x->c, &w, NULL, 0);
}

static void ZH_WINAPI on_note(zh_dword type, void *ctx, zh_hresult status, const zh_wchar *data)
{
    cbctx *x = ctx;
    sim_wr w;
    sim_msg_begin(&w, SIM_MSG_NOTE, 0);
    sim_wr_u64(&w, x->id);
    sim_wr_u32(&w, type);
    sim_wr_u32(&w, (uint32_t)status);
    sim_wr_wstr(&w, data);
    push(x->c, &w, NULL, 0);
}

static void track(conn *c, uint64_t v, hkind k, cbctx *ctx)
{
    if (!v)
        return;
    hent *e = calloc(1, sizeof *e);
    zh_mutex_lock(&c->lock);
    hent *old = sim_map_get(&c->handles, v);
    if (old && !ctx) { /* already known (an operation's system, say) */
        zh_mutex_unlock(&c->lock);
        free(e);
        return;
    }
    if (e) {
        e->kind = k;
        e->ctx = ctx ? ctx : old ? old->ctx : NULL;
        if (sim_map_put(&c->handles, v, e) < 0) {
            free(e);
            e = NULL;
        }
    }
    if (e && old)
        free(old);
    zh_mutex_unlock(&c->lock);
}

static void untrack(conn *c, uint64_t v)
{
    zh_mutex_lock(&c->lock);
    hent *e = sim_map_del(&c->handles, v);
    zh_mutex_unlock(&c->lock);
    if (e) {
        defer_free(e->ctx, free); /* a callback on its way may still read it */
        free(e);
    }
}

/* The simulator's view of a handle value a client sent. */
static void *resolve(conn *c, uint64_t v, hkind k)
{
    if (!v)
        return NULL;
    zh_mutex_lock(&c->lock);
    hent *e = sim_map_get(&c->handles, v);
    bool ok = e && e->kind == k;
    zh_mutex_unlock(&c->lock);
    return ok ? (void *)(uintptr_t)v : (void *)bogus;
}

/* ---------------------------------------------------------------- one call */
typedef struct scall {
    conn *c;
    sim_rd r;
    sim_wr w;
    int64_t ret;
    zh_wchar *in[8];
    size_t nin;
    zh_wchar *out[4];
    size_t nout;
    void *hout[2];
    size_t nhout;
    zh_guid guid[2];
    size_t nguid;
    zh_hcs_create_options copt;
    zh_hcs_process_information pi;
    int fds[SIM_RPC_MAXFDS];
    int nfds;
    bool stop_after; /* a stop request: the service stops once its reply is sent */
} scall;

/* decoding the arguments: each takes the address of the parameter and its size */
static void d_win(scall *s, void *p, size_t n)
{
    (void)n;
    zh_wchar *str = sim_rd_wstr(&s->r, NULL);
    if (str && s->nin < 8)
        s->in[s->nin++] = str;
    else if (str) {
        free(str);
        str = NULL;
        s->r.bad = true;
    }
    *(const zh_wchar **)p = str;
}

static void d_wout(scall *s, void *p, size_t n)
{
    (void)n;
    zh_wchar **slot = NULL;
    if (sim_rd_u8(&s->r) && s->nout < 4)
        slot = &s->out[s->nout++];
    *(zh_wchar ***)p = slot;
}

static void d_handle(scall *s, void *p, hkind k)
{
    void *h = resolve(s->c, sim_rd_u64(&s->r), k);
    memcpy(p, &h, sizeof h);
}
static void d_op(scall *s, void *p, size_t n)
{
    (void)n;
    d_handle(s, p, H_OP);
}
static void d_sys(scall *s, void *p, size_t n)
{
    (void)n;
    d_handle(s, p, H_SYS);
}
static void d_proc(scall *s, void *p, size_t n)
{
    (void)n;
    d_handle(s, p, H_PROC);
}
static void d_hcn(scall *s, void *p, size_t n)
{
    (void)n;
    d_handle(s, p, H_HCN);
}

static void d_hout(scall *s, void *p, size_t n)
{
    (void)n;
    void **slot = NULL;
    if (sim_rd_u8(&s->r) && s->nhout < 2)
        slot = &s->hout[s->nhout++];
    memcpy(p, &slot, sizeof slot);
}

static void d_guid(scall *s, void *p, size_t n)
{
    (void)n;
    const zh_guid *g = NULL;
    if (sim_rd_u8(&s->r) && s->nguid < 2) {
        sim_rd_bytes(&s->r, &s->guid[s->nguid], sizeof(zh_guid));
        g = &s->guid[s->nguid++];
    }
    *(const zh_guid **)p = g;
}

static void d_null(scall *s, void *p, size_t n)
{
    (void)s;
    memset(p, 0, n);
}

static void d_copt(scall *s, void *p, size_t n)
{
    (void)n;
    const zh_hcs_create_options *o = NULL;
    if (sim_rd_u8(&s->r)) {
        s->copt = (zh_hcs_create_options)sim_rd_u32(&s->r);
        o = &s->copt;
    }
    *(const zh_hcs_create_options **)p = o;
}

static void d_pi(scall *s, void *p, size_t n)
{
    (void)n;
    *(zh_hcs_process_information **)p = sim_rd_u8(&s->r) ? &s->pi : NULL;
}

static void d_int(scall *s, void *p, size_t n)
{
    uint64_t v = sim_rd_u64(&s->r);
    if (n == 1) {
        uint8_t x = (uint8_t)v;
        memcpy(p, &x, 1);
    } else if (n == 2) {
        uint16_t x = (uint16_t)v;
        memcpy(p, &x, 2);
    } else if (n == 4) {
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, 4);
    } else {
        memcpy(p, &v, n < 8 ? n : 8);
    }
}

#define SDEC(pp)                                                                                  \
    _Generic((pp), const zh_wchar **: d_win, zh_wchar ***: d_wout, const zh_wchar ***: d_wout,    \
             zh_hcs_operation *: d_op, zh_hcs_system *: d_sys, zh_hcs_process *: d_proc,          \
             void **: d_hcn, zh_hcs_system **: d_hout, zh_hcs_process **: d_hout, void ***: d_hout, \
             zh_refguid *: d_guid, const zh_security_descriptor **: d_null,                       \
             const zh_hcs_create_options **: d_copt, zh_hcs_process_information **: d_pi, default: d_int)

/* encoding the out-parameters after the call */
static void e_none(scall *s, void *p, size_t n, hkind k)
{
    (void)s, (void)p, (void)n, (void)k;
}

static void e_wout(scall *s, void *p, size_t n, hkind k)
{
    (void)n, (void)k;
    zh_wchar **slot = *(zh_wchar ***)p;
    if (!slot)
        return;
    sim_wr_wstr(&s->w, *slot);
    zh_sim_free_string(*slot);
    *slot = NULL;
}

static void e_hout(scall *s, void *p, size_t n, hkind k)
{
    (void)n;
    void **slot;
    memcpy(&slot, p, sizeof slot);
    if (!slot)
        return;
    uint64_t v = (uint64_t)(uintptr_t)*slot;
    sim_wr_u64(&s->w, v);
    track(s->c, v, k, NULL);
}

static void e_pi(scall *s, void *p, size_t n, hkind k)
{
    (void)n, (void)k;
    zh_hcs_process_information *pi = *(zh_hcs_process_information **)p;
    if (!pi)
        return;
    sim_wr_u32(&s->w, pi->ProcessId);
    sim_wr_u32(&s->w, pi->Reserved);
    zh_handle h[3] = {pi->StdInput, pi->StdOutput, pi->StdError};
    uint8_t mask = 0;
#ifdef _WIN32
    /* each handle moves into the client process (DUPLICATE_CLOSE_SOURCE); its value there
     * follows the mask. A client that did not say who it is gets none. */
    uint64_t vals[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (!h[i])
            continue;
        HANDLE out = NULL;
        if (s->c->proc && DuplicateHandle(GetCurrentProcess(), (HANDLE)h[i], s->c->proc, &out, 0, FALSE,
                                          DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE)) {
            mask |= (uint8_t)(1u << i);
            vals[i] = (uint64_t)(uintptr_t)out;
        } else if (!s->c->proc) {
            CloseHandle((HANDLE)h[i]);
        }
    }
    sim_wr_u8(&s->w, mask);
    for (int i = 0; i < 3; i++)
        if (mask & (1u << i))
            sim_wr_u64(&s->w, vals[i]);
#else
    for (int i = 0; i < 3; i++) {
        if (h[i]) {
            mask |= (uint8_t)(1u << i);
            s->fds[s->nfds++] = (int)(intptr_t)h[i];
        }
    }
    sim_wr_u8(&s->w, mask);
#endif
}

#define SENC(pp)                                                                                  \
    _Generic((pp), zh_wchar ***: e_wout, const zh_wchar ***: e_wout, zh_hcs_system **: e_hout,    \
             zh_hcs_process **: e_hout, void ***: e_hout, zh_hcs_process_information **: e_pi,     \
             default: e_none)
#define SKIND(pp) _Generic((pp), zh_hcs_system **: H_SYS, zh_hcs_process **: H_PROC, default: H_HCN)

#define S_FIELD(x) x;
#define S_DEC(x) SDEC(&a.x)(s, &a.x, sizeof a.x);
#define S_ENC(x) SENC(&a.x)(s, &a.x, sizeof a.x, SKIND(&a.x));
#define S_ARG(x) a.x

#define S_CALL_void(dst, call) ((call), (dst) = 0)
#define S_CALL_zh_hresult(dst, call) ((dst) = (int32_t)(call))
#define S_CALL_zh_voidp(dst, call) ((dst) = (int64_t)(uintptr_t)(call))
#define S_CALL_zh_hcs_operation(dst, call) ((dst) = (int64_t)(uintptr_t)(call))
#define S_CALL_zh_hcs_system(dst, call) ((dst) = (int64_t)(uintptr_t)(call))
#define S_CALL_zh_hcs_process(dst, call) ((dst) = (int64_t)(uintptr_t)(call))
#define S_CALL_zh_hcs_operation_type(dst, call) ((dst) = (int64_t)(call))
#define S_CALL_zh_u64(dst, call) ((dst) = (int64_t)(call))

#define S_ENTRY(tbl, rt, name, params, args)                                                     \
    static void s_##name(scall *s)                                                                \
    {                                                                                             \
        struct {                                                                                  \
            SIM_FE(S_FIELD, SIM_UNPAREN params)                                                   \
        } a;                                                                                      \
        memset(&a, 0, sizeof a);                                                                  \
        SIM_FE(S_DEC, SIM_UNPAREN args)                                                           \
        if (s->r.bad || s->r.n) {                                                                 \
            s->ret = SIM_E_BAD_STUB_DATA;                                                         \
            return;                                                                               \
        }                                                                                         \
        S_CALL_##rt(s->ret, tbl()->name(SIM_FEC(S_ARG, SIM_UNPAREN args)));                      \
        sim_wr_u64(&s->w, (uint64_t)s->ret);                                                      \
        SIM_FE(S_ENC, SIM_UNPAREN args)                                                           \
    }
#define S_HCS_(ret, name, params, args) S_ENTRY(zh_sim_hcs_table, ret, name, params, args)
#define S_HCN_(ret, name, params, args) S_ENTRY(zh_sim_hcn_table, ret, name, params, args)
ZH_HCS_EXPORTS(S_HCS_)
ZH_HCN_EXPORTS(S_HCN_)

typedef void (*s_fn)(scall *s);
#define S_MEMBER_(ret, name, params, args) s_##name,
static s_fn handlers[SIM_ENTRY_COUNT] = {ZH_HCS_EXPORTS(S_MEMBER_) ZH_HCN_EXPORTS(S_MEMBER_)};
static hkind closes[SIM_ENTRY_COUNT];  /* the Close entries and what they close */
static bool blocking[SIM_ENTRY_COUNT]; /* may wait: run on a thread of their own */

/* ---- the entries that register callbacks: the callback is the service's, pushing to the client */
static void s_create_operation(scall *s)
{
    uint8_t has_cb = sim_rd_u8(&s->r);
    if (s->r.bad || s->r.n) {
        s->ret = SIM_E_BAD_STUB_DATA;
        return;
    }
    zh_hcs_operation op = zh_sim_hcs_table()->HcsCreateOperation(s->c, has_cb ? on_op_done : NULL);
    s->ret = (int64_t)(uintptr_t)op;
    sim_wr_u64(&s->w, (uint64_t)s->ret);
    track(s->c, (uint64_t)(uintptr_t)op, H_OP, NULL);
}

static void s_set_operation_callback(scall *s)
{
    zh_hcs_operation op = resolve(s->c, sim_rd_u64(&s->r), H_OP);
    uint8_t has_cb = sim_rd_u8(&s->r);
    if (s->r.bad || s->r.n) {
        s->ret = SIM_E_BAD_STUB_DATA;
        return;
    }
    s->ret = zh_sim_hcs_table()->HcsSetOperationCallback(op, s->c, has_cb ? on_op_done : NULL);
    sim_wr_u64(&s->w, (uint64_t)s->ret);
}

static void s_set_callback(scall *s, hkind k)
{
    uint64_t v = sim_rd_u64(&s->r);
    uint32_t options = sim_rd_u32(&s->r);
    uint8_t has_cb = sim_rd_u8(&s->r);
    if (s->r.bad || s->r.n) {
        s->ret = SIM_E_BAD_STUB_DATA;
        return;
    }
    void *h = resolve(s->c, v, k);
    cbctx *x = NULL;
    if (has_cb && !(x = calloc(1, sizeof *x))) {
        s->ret = ZH_E_OUTOFMEMORY;
    } else {
        if (x) {
            x->c = s->c;
            x->id = v;
        }
        if (k == H_SYS)
            s->ret = zh_sim_hcs_table()->HcsSetComputeSystemCallback(h, (zh_hcs_event_options)options, x,
                                                                     x ? on_event : NULL);
        else
            s->ret = zh_sim_hcs_table()->HcsSetProcessCallback(h, (zh_hcs_event_options)options, x,
                                                               x ? on_event : NULL);
        if (s->ret == 0 && h != (void *)bogus && h) {
            zh_mutex_lock(&s->c->lock);
            hent *e = sim_map_get(&s->c->handles, v);
            cbctx *old = e ? e->ctx : NULL;
            if (e)
                e->ctx = x;
            zh_mutex_unlock(&s->c->lock);
            /* the old context may still be in use by an event being delivered: kept until
             * the handle closes would need a list; the simulator allows one callback per
             * handle and refuses a second, so `old` is NULL in practice */
            free(old);
        } else {
            free(x);
        }
    }
    sim_wr_u64(&s->w, (uint64_t)s->ret);
}

static void s_set_system_callback(scall *s)
{
    s_set_callback(s, H_SYS);
}

static void s_set_process_callback(scall *s)
{
    s_set_callback(s, H_PROC);
}

static void s_register_service_callback(scall *s)
{
    uint64_t id = sim_rd_u64(&s->r);
    if (s->r.bad || s->r.n) {
        s->ret = SIM_E_BAD_STUB_DATA;
        return;
    }
    cbctx *x = calloc(1, sizeof *x);
    zh_hcn_callback h = NULL;
    if (!x) {
        s->ret = ZH_E_OUTOFMEMORY;
    } else {
        x->c = s->c;
        x->id = id;
        s->ret = zh_sim_hcn_table()->HcnRegisterServiceCallback(on_note, x, &h);
        if (s->ret == 0)
            track(s->c, (uint64_t)(uintptr_t)h, H_CB, x);
        else
            free(x);
    }
    sim_wr_u64(&s->w, (uint64_t)s->ret);
    sim_wr_u64(&s->w, (uint64_t)(uintptr_t)h);
}

static void s_unregister_service_callback(scall *s)
{
    uint64_t v = sim_rd_u64(&s->r);
    if (s->r.bad || s->r.n) {
        s->ret = SIM_E_BAD_STUB_DATA;
        return;
    }
    s->ret = zh_sim_hcn_table()->HcnUnregisterServiceCallback(resolve(s->c, v, H_CB));
    if (s->ret == 0)
        untrack(s->c, v);
    sim_wr_u64(&s->w, (uint64_t)s->ret);
}

static void s_refused(scall *s)
{
    s->ret = ZH_E_NOTIMPL;
    sim_wr_u64(&s->w, (uint64_t)s->ret);
}

static zh_once handlers_once = ZH_ONCE_INIT;

static void setup_handlers(void)
{
    for (size_t i = 0; i < SIM_ENTRY_COUNT; i++) {
        const char *n = sim_entry_name(i);
        if (strstr(n, "Close")) {
            closes[i] = strstr(n, "Operation") ? H_OP
                        : strstr(n, "ComputeSystem") ? H_SYS
                        : strstr(n, "Process") ? H_PROC
                                                : H_HCN;
        }
        blocking[i] = strncmp(n, "HcsWaitFor", 10) == 0;
        /* client-side only: contexts, and the guest network service family (which the
         * simulator answers without a service) */
        if (strstr(n, "OperationContext") || strstr(n, "GuestNetwork"))
            handlers[i] = s_refused;
    }
    handlers[ZH_HCS_ID_HcsCreateOperation] = s_create_operation;
    handlers[ZH_HCS_ID_HcsSetOperationCallback] = s_set_operation_callback;
    handlers[ZH_HCS_ID_HcsSetComputeSystemCallback] = s_set_system_callback;
    handlers[ZH_HCS_ID_HcsSetProcessCallback] = s_set_process_callback;
    handlers[ZH_HCS_ID_COUNT + ZH_HCN_ID_HcnRegisterServiceCallback] = s_register_service_callback;
    handlers[ZH_HCS_ID_COUNT + ZH_HCN_ID_HcnUnregisterServiceCallback] = s_unregister_service_callback;
}

/* ---------------------------------------------------------------- control requests */
/* Whether the world has compute systems (the idle rule); O(1). */
static bool has_systems(void)
{
    sim_world *w = sim_world_get();
    if (!w)
        return false;
    zh_mutex_lock(&w->lock);
    bool any = w->hcs && w->hcs->systems;
    zh_mutex_unlock(&w->lock);
    return any;
}

/* How many (the status request: a listing). */
static int count_systems(void)
{
    sim_world *w = sim_world_get();
    int n = 0;
    if (!w)
        return 0;
    zh_mutex_lock(&w->lock);
    for (hcs_system *sys = w->hcs ? w->hcs->systems : NULL; sys; sys = sys->next)
        n++;
    zh_mutex_unlock(&w->lock);
    return n;
}

static void service_quit(void)
{
    zh_mutex_lock(&S.lock);
    S.quit = true;
    zh_mutex_unlock(&S.lock);
    wake_service();
}

static void control(scall *s, uint16_t entry)
{
    if (entry == SIM_CTL_HELLO) {
        uint32_t version = sim_rd_u32(&s->r);
        uint32_t pid = s->r.n >= 4 ? sim_rd_u32(&s->r) : 0; /* the client's process */
        s->ret = version == SIM_RPC_VERSION ? 0 : SIM_E_BAD_STUB_DATA;
#ifdef _WIN32
        zh_mutex_lock(&s->c->lock);
        if (s->ret == 0 && pid && !s->c->proc)
            s->c->proc = OpenProcess(PROCESS_DUP_HANDLE, FALSE, pid);
        zh_mutex_unlock(&s->c->lock);
#else
        (void)pid;
#endif
        sim_wr_u64(&s->w, (uint64_t)s->ret);
        sim_wr_u32(&s->w, self_pid());
    } else if (entry == SIM_CTL_STOP) {
        s->ret = 0;
        sim_wr_u64(&s->w, 0);
        s->stop_after = true;
    } else if (entry == SIM_CTL_STATUS) {
        zh_mutex_lock(&S.lock);
        int clients = S.nconns;
        size_t handles = 0;
        for (conn *c = S.conns; c; c = c->next) {
            zh_mutex_lock(&c->lock);
            handles += c->handles.count;
            zh_mutex_unlock(&c->lock);
        }
        zh_mutex_unlock(&S.lock);
        char buf[200];
        snprintf(buf, sizeof buf, "{\"Pid\":%ld,\"Clients\":%d,\"Handles\":%zu,\"Systems\":%d,\"Protocol\":%u}",
                 (long)self_pid(), clients, handles, count_systems(), SIM_RPC_VERSION);
        zh_wchar *w = sim_wstr(buf);
        s->ret = w ? 0 : ZH_E_OUTOFMEMORY;
        sim_wr_u64(&s->w, (uint64_t)s->ret);
        sim_wr_wstr(&s->w, w);
        zh_sim_free_string(w);
    } else if (entry == SIM_CTL_OP_DELAY) {
        uint32_t n = sim_rd_u32(&s->r);
        char name[128] = "";
        if (n < sizeof name)
            sim_rd_bytes(&s->r, name, n);
        else
            s->r.bad = true;
        uint32_t ms = sim_rd_u32(&s->r);
        s->ret = s->r.bad ? SIM_E_BAD_STUB_DATA : zh_sim_op_delay(name[0] ? name : NULL, ms) == 0 ? 0 : ZH_E_INVALIDARG;
        sim_wr_u64(&s->w, (uint64_t)s->ret);
    } else if (entry == SIM_CTL_LATITUDES) {
        uint32_t has_hcn = sim_rd_u32(&s->r), hcn = sim_rd_u32(&s->r), n = sim_rd_u32(&s->r);
        int32_t vals[ZH_SIM_LAT_COUNT];
        if (n > ZH_SIM_LAT_COUNT)
            s->r.bad = true;
        for (uint32_t i = 0; !s->r.bad && i < n; i++)
            vals[i] = (int32_t)sim_rd_u32(&s->r);
        s->ret = s->r.bad ? SIM_E_BAD_STUB_DATA : 0;
        if (!s->r.bad) {
            if (has_hcn)
                zh_sim_hcn_latitudes(hcn);
            for (uint32_t i = 0; i < n; i++)
                if (zh_sim_latitude((zh_sim_lat)i, vals[i]) < 0)
                    s->ret = ZH_E_INVALIDARG;
        }
        sim_wr_u64(&s->w, (uint64_t)s->ret);
    } else if (entry == SIM_CTL_KEEP) {
        zh_mutex_lock(&S.lock);
        S.keep = true;
        zh_mutex_unlock(&S.lock);
        s->ret = 0;
        sim_wr_u64(&s->w, 0);
    } else if (entry == SIM_CTL_FAIL_WRITES) {
        uint32_t n = sim_rd_u32(&s->r);
        uint32_t skip = s->r.n >= 4 ? sim_rd_u32(&s->r) : 0; /* optional: writes that succeed first */
        sim_db_fail_writes_after(skip, n);
        s->ret = 0;
        sim_wr_u64(&s->w, 0);
    } else {
        s->ret = SIM_E_BAD_STUB_DATA;
        sim_wr_u64(&s->w, (uint64_t)s->ret);
    }
}

/* Runs one request and sends its reply. Takes `body`. */
static void serve(conn *c, unsigned char *body, size_t len, int fds_in[SIM_RPC_MAXFDS])
{
#ifndef _WIN32
    for (int i = 0; i < SIM_RPC_MAXFDS; i++)
        if (fds_in[i] >= 0)
            close(fds_in[i]); /* clients send none */
#else
    (void)fds_in;
#endif
    scall *s = calloc(1, sizeof *s);
    if (!s) {
        free(body);
        return;
    }
    s->c = c;
    s->r.p = body;
    s->r.n = len;
    uint8_t kind = sim_rd_u8(&s->r);
    uint32_t seq = sim_rd_u32(&s->r);
    uint16_t entry = sim_rd_u16(&s->r);
    sim_msg_begin(&s->w, SIM_MSG_REPLY, seq);
    if (s->r.bad || kind != SIM_MSG_REQ) {
        s->ret = SIM_E_BAD_STUB_DATA;
        sim_wr_u64(&s->w, (uint64_t)s->ret);
    } else if (entry >= 1000) {
        control(s, entry);
    } else if (entry >= SIM_ENTRY_COUNT) {
        s->ret = SIM_E_BAD_STUB_DATA;
        sim_wr_u64(&s->w, (uint64_t)s->ret);
    } else {
        handlers[entry](s);
        if (s->ret == SIM_E_BAD_STUB_DATA && s->w.b.len == 9) /* refused before the call */
            sim_wr_u64(&s->w, (uint64_t)s->ret);
        if (closes[entry] && (int32_t)s->ret == 0) {
            /* the handle the request named is gone: reread it from the request */
            sim_rd r = {body + 7, len - 7, false};
            untrack(c, sim_rd_u64(&r));
        }
    }
    if (s->w.b.failed) { /* a reply too large for a frame */
        sim_wr_free(&s->w);
        sim_msg_begin(&s->w, SIM_MSG_REPLY, seq);
        sim_wr_u64(&s->w, (uint64_t)(int64_t)ZH_E_OUTOFMEMORY);
#ifndef _WIN32
        for (int i = 0; i < s->nfds; i++)
            close(s->fds[i]);
#endif
        s->nfds = 0;
    }
    push(c, &s->w, s->fds, s->nfds);
    if (s->stop_after)
        service_quit();
#ifndef _WIN32
    for (int i = 0; i < s->nfds; i++)
        close(s->fds[i]); /* the client has its own copies now */
#endif
    for (size_t i = 0; i < s->nin; i++)
        free(s->in[i]);
    for (size_t i = 0; i < s->nout; i++)
        zh_sim_free_string(s->out[i]);
    free(s);
    free(body);
}

typedef struct job {
    conn *c;
    unsigned char *body;
    size_t len;
    int fds[SIM_RPC_MAXFDS];
} job;

static void job_main(void *arg)
{
    job *j = arg;
    conn *c = j->c;
    serve(c, j->body, j->len, j->fds);
    free(j);
    zh_mutex_lock(&c->lock);
    c->inflight--;
    zh_cond_broadcast(&c->idle);
    zh_mutex_unlock(&c->lock);
}

/* Closes everything the connection holds (a client gone). */
static void release_all(conn *c)
{
    static const hkind order[] = {H_CB, H_PROC, H_SYS, H_HCN, H_OP};
    for (size_t o = 0; o < sizeof order / sizeof order[0]; o++) {
        /* the handles of this kind, in one pass */
        zh_mutex_lock(&c->lock);
        uint64_t *list = calloc(c->handles.count ? c->handles.count : 1, sizeof *list);
        size_t n = 0;
        uint64_t v = 0;
        void *val = NULL;
        for (size_t i = 0; list && sim_map_next(&c->handles, &i, &v, &val);)
            if (((hent *)val)->kind == order[o])
                list[n++] = v;
        zh_mutex_unlock(&c->lock);
        for (size_t k = 0; k < n; k++) {
            v = list[k];
            void *h = (void *)(uintptr_t)v;
            switch (order[o]) {
            case H_CB:
                zh_sim_hcn_table()->HcnUnregisterServiceCallback(h);
                break;
            case H_PROC:
                zh_sim_hcs_table()->HcsCloseProcess(h);
                break;
            case H_SYS:
                zh_sim_hcs_table()->HcsCloseComputeSystem(h);
                break;
            case H_HCN: {
                /* whichever kind it is: the simulator refuses a handle of another kind */
                const zh_hcn_table *t = zh_sim_hcn_table();
                if (t->HcnCloseNetwork(h) != 0 && t->HcnCloseEndpoint(h) != 0 && t->HcnCloseNamespace(h) != 0 &&
                    t->HcnCloseLoadBalancer(h) != 0)
                    t->HcnCloseSdnRoute(h);
                break;
            }
            case H_OP:
                zh_sim_hcs_table()->HcsCloseOperation(h);
                break;
            }
            untrack(c, v);
        }
        free(list);
    }
}

static void conn_main(void *arg)
{
    conn *c = arg;
    for (;;) {
        unsigned char *body;
        size_t len;
        int fds[SIM_RPC_MAXFDS];
        int rc = sim_recv(c->sock, &body, &len, fds);
        if (rc == -2) {
            /* a frame no client sends: answer once, then stop trusting the stream */
            sim_wr w;
            sim_msg_begin(&w, SIM_MSG_REPLY, 0);
            sim_wr_u64(&w, (uint64_t)(int64_t)SIM_E_BAD_STUB_DATA);
            push(c, &w, NULL, 0);
            break;
        }
        if (rc < 0)
            break;
        uint16_t entry = len >= 7 ? (uint16_t)(body[5] | body[6] << 8) : 0;
        job *j = entry < SIM_ENTRY_COUNT && blocking[entry] ? calloc(1, sizeof *j) : NULL;
        zh_thread *t = NULL;
        if (j) {
            j->c = c;
            j->body = body;
            j->len = len;
            memcpy(j->fds, fds, sizeof fds);
            zh_mutex_lock(&c->lock);
            c->inflight++;
            zh_mutex_unlock(&c->lock);
            if (zh_thread_start(&t, job_main, j, NULL) == 0) {
                zh_thread_detach(t);
                continue;
            }
            zh_mutex_lock(&c->lock);
            c->inflight--;
            zh_mutex_unlock(&c->lock);
            free(j);
        }
        serve(c, body, len, fds);
    }
    /* the client is gone: what it held is released, as when a process exits on Windows */
    release_all(c);
    zh_mutex_lock(&c->lock);
    while (c->inflight > 0)
        zh_cond_wait(&c->idle, &c->lock);
    zh_mutex_unlock(&c->lock);
    release_all(c);
    zh_mutex_lock(&c->wlock);
    c->dead = true;
    zh_mutex_unlock(&c->wlock);

    zh_mutex_lock(&S.lock);
    c->finished = true;
    if (--S.nconns == 0)
        S.idle_since_ms = zh_monotonic_ms();
    zh_mutex_unlock(&S.lock);
    wake_service();
}

static void conn_memory_free(void *arg)
{
    conn *c = arg;
    zh_cond_destroy(&c->idle);
    zh_mutex_destroy(&c->lock);
    zh_mutex_destroy(&c->wlock);
    free(c);
}

/* Ends a connection; its memory outlives it a while, since an operation's completion
 * callback (whose context it is) may still be on its way. */
static void conn_free(conn *c)
{
    zh_thread_join(c->reader);
    zh_mutex_lock(&c->wlock);
    c->dead = true; /* a late push sends nothing (and never to a reused descriptor) */
    sim_sock_close(c->sock);
    c->sock = SIM_SOCK_NONE;
#ifdef _WIN32
    if (c->proc)
        CloseHandle(c->proc);
    c->proc = NULL;
#endif
    zh_mutex_unlock(&c->wlock);
    zh_mutex_lock(&c->lock);
    sim_map_free(&c->handles);
    zh_mutex_unlock(&c->lock);
    defer_free(c, conn_memory_free);
}

/* Joins and frees the connections whose clients are gone. */
static void reap(void)
{
    for (;;) {
        conn *done = NULL;
        zh_mutex_lock(&S.lock);
        for (conn **p = &S.conns; *p; p = &(*p)->next) {
            if ((*p)->finished) {
                done = *p;
                *p = done->next;
                break;
            }
        }
        zh_mutex_unlock(&S.lock);
        if (!done)
            break;
        conn_free(done);
    }
    sweep_graves(GRAVE_MS);
}

/* ---------------------------------------------------------------- the service */
/* Starts serving a connected client. -1 when out of resources (the connection closed). */
static int add_conn(sim_sock sock)
{
    conn *c = calloc(1, sizeof *c);
    if (!c) {
        sim_sock_close(sock);
        return -1;
    }
    c->sock = sock;
    zh_mutex_init(&c->lock);
    zh_mutex_init(&c->wlock);
    zh_cond_init(&c->idle);
    zh_mutex_lock(&S.lock);
    c->next = S.conns;
    S.conns = c;
    S.nconns++;
    zh_mutex_unlock(&S.lock);
    if (zh_thread_start(&c->reader, conn_main, c, NULL) < 0) {
        zh_mutex_lock(&S.lock);
        S.conns = c->next;
        S.nconns--;
        zh_mutex_unlock(&S.lock);
        sim_sock_close(sock);
        conn_memory_free(c);
        return -1;
    }
    return 0;
}

/* Whether the loop should end now: a stop, or idle long enough. */
static bool time_to_stop(const sim_service_options *opt, bool signalled)
{
    zh_mutex_lock(&S.lock);
    bool quit = S.quit || signalled;
    bool idle = S.nconns == 0 && !S.keep;
    uint64_t since = S.idle_since_ms;
    zh_mutex_unlock(&S.lock);
    if (quit)
        return true;
    if (idle && opt && opt->idle_ms) {
        uint64_t limit = has_systems() ? opt->idle_busy_ms : opt->idle_ms;
        if (limit && zh_monotonic_ms() - since >= limit)
            return true;
    }
    return false;
}

/* Ends every connection: its client sees the pipe or socket close (a service disconnect). */
static void end_all_conns(void)
{
    for (;;) {
        zh_mutex_lock(&S.lock);
        conn *c = S.conns;
        if (!c) {
            zh_mutex_unlock(&S.lock);
            break;
        }
        S.conns = c->next;
        zh_mutex_unlock(&S.lock);
        sim_sock_shutdown(c->sock);
        conn_free(c);
    }
}

#ifdef _WIN32
static volatile LONG got_signal;

static BOOL WINAPI on_ctrl(DWORD type)
{
    (void)type;
    InterlockedExchange(&got_signal, 1);
    wake_service();
    return TRUE;
}

/* A security descriptor whose DACL allows the user running the service and nobody else
 * (LocalFree the result), or NULL. */
static void *owner_only_sd(void)
{
    HANDLE tok = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return NULL;
    DWORD need = 0;
    GetTokenInformation(tok, TokenUser, NULL, 0, &need);
    TOKEN_USER *tu = need ? LocalAlloc(LPTR, need) : NULL;
    void *sd = NULL;
    if (tu && GetTokenInformation(tok, TokenUser, tu, need, &need)) {
        DWORD sidlen = GetLengthSid(tu->User.Sid);
        DWORD acllen = (DWORD)sizeof(ACL) + (DWORD)sizeof(ACCESS_ALLOWED_ACE) + sidlen;
        sd = LocalAlloc(LPTR, SECURITY_DESCRIPTOR_MIN_LENGTH + acllen);
        PACL acl = sd ? (PACL)((char *)sd + SECURITY_DESCRIPTOR_MIN_LENGTH) : NULL;
        if (!sd || !InitializeSecurityDescriptor(sd, SECURITY_DESCRIPTOR_REVISION) ||
            !InitializeAcl(acl, acllen, ACL_REVISION) ||
            !AddAccessAllowedAce(acl, ACL_REVISION, GENERIC_ALL, tu->User.Sid) ||
            !SetSecurityDescriptorDacl(sd, TRUE, acl, FALSE)) {
            LocalFree(sd);
            sd = NULL;
        }
    }
    LocalFree(tu);
    CloseHandle(tok);
    return sd;
}

/* One instance of the service's pipe, waiting for its client. */
static HANDLE new_instance(const char *name, SECURITY_ATTRIBUTES *sa, bool first)
{
    return CreateNamedPipeA(name,
                            PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
                            PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS,
                            PIPE_UNLIMITED_INSTANCES, 65536, 65536, 0, sa);
}

int sim_service_run(const char *dir, const sim_service_options *opt, zh_error **err)
{
    zh_once_run(&handlers_once, setup_handlers);
    if (!CreateDirectoryA(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS)
        return zh_error_set(err, ZH_E_PATH_NOT_FOUND, "zhsimd", "%s: cannot create the directory (error %lu)", dir,
                            (unsigned long)GetLastError());
    char *lock_path = zh_asprintf("%s\\service.lock", dir);
    char *pid_path = zh_asprintf("%s\\service.pid", dir);
    char name[96];
    HANDLE lock = INVALID_HANDLE_VALUE, inst = INVALID_HANDLE_VALUE, conn_ev = NULL;
    void *sd = NULL;
    OVERLAPPED lov, cov;
    memset(&lov, 0, sizeof lov);
    memset(&cov, 0, sizeof cov);
    int rc = -1;
    bool opened = false, pending = false;
    if (!lock_path || !pid_path) {
        zh_error_set(err, ZH_E_OUTOFMEMORY, "zhsimd", "out of memory");
        goto out;
    }
    if (sim_pipe_name(dir, name, sizeof name) < 0) {
        zh_error_set(err, ZH_E_INVALIDARG, "zhsimd", "%s: the path cannot be made absolute", dir);
        goto out;
    }
    lock = CreateFileA(lock_path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS,
                       FILE_ATTRIBUTE_NORMAL, NULL);
    if (lock == INVALID_HANDLE_VALUE) {
        zh_error_set(err, ZH_E_ACCESSDENIED, "zhsimd", "%s: cannot open (error %lu)", lock_path,
                     (unsigned long)GetLastError());
        goto out;
    }
    if (!LockFileEx(lock, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &lov)) {
        /* as on POSIX: a service that answers stays; one that is stopping is waited for */
        HANDLE probe = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        bool answers = probe != INVALID_HANDLE_VALUE || GetLastError() == ERROR_PIPE_BUSY;
        if (probe != INVALID_HANDLE_VALUE)
            CloseHandle(probe);
        bool locked = false;
        for (int i = 0; !answers && !locked && i < 1000; i++) {
            Sleep(10);
            locked = LockFileEx(lock, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &lov) != 0;
        }
        if (!locked) {
            zh_error_set(err, ZH_E_ALREADY_EXISTS, "zhsimd", "a simulator service already serves %s", dir);
            rc = 1;
            goto out;
        }
    }
    if (zh_sim_open(NULL, err) < 0)
        goto out;
    opened = true;
    if (sim_db_attach(dir, err) < 0)
        goto out;

    /* the pipe: the user running the service only, local clients only */
    sd = owner_only_sd();
    if (!sd) {
        zh_error_set(err, ZH_E_ACCESSDENIED, "zhsimd", "%s: cannot make its owner-only security descriptor", name);
        goto out;
    }
    SECURITY_ATTRIBUTES sa = {sizeof sa, sd, FALSE};
    inst = new_instance(name, &sa, true);
    if (inst == INVALID_HANDLE_VALUE) {
        zh_error_set(err, ZH_E_ACCESSDENIED, "zhsimd", "%s: cannot create the pipe (error %lu)", name,
                     (unsigned long)GetLastError());
        goto out;
    }
    S.wake_ev = CreateEventW(NULL, FALSE, FALSE, NULL);
    conn_ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!S.wake_ev || !conn_ev) {
        zh_error_set(err, ZH_E_FAIL, "zhsimd", "CreateEvent failed (error %lu)", (unsigned long)GetLastError());
        goto out;
    }
    FILE *pf = fopen(pid_path, "w");
    if (pf) {
        fprintf(pf, "%lu\n", (unsigned long)GetCurrentProcessId());
        fclose(pf);
    }
    SetConsoleCtrlHandler(on_ctrl, TRUE);
    if (opt && opt->ready_fd >= 0) {
        HANDLE ready = (HANDLE)(intptr_t)opt->ready_fd; /* an event the starter let this inherit */
        SetEvent(ready);
        CloseHandle(ready);
    }
    S.idle_since_ms = zh_monotonic_ms();

    for (;;) {
        if (time_to_stop(opt, InterlockedCompareExchange(&got_signal, 0, 0) != 0))
            break;
        if (inst == INVALID_HANDLE_VALUE)
            inst = new_instance(name, &sa, false);
        if (inst != INVALID_HANDLE_VALUE && !pending) {
            cov.hEvent = conn_ev;
            ResetEvent(conn_ev);
            bool now = false;
            if (!ConnectNamedPipe(inst, &cov)) {
                DWORD e = GetLastError();
                if (e == ERROR_IO_PENDING)
                    pending = true;
                else if (e == ERROR_PIPE_CONNECTED)
                    now = true;
                else {
                    CloseHandle(inst); /* try a fresh instance on the next round */
                    inst = INVALID_HANDLE_VALUE;
                }
            } else {
                now = true;
            }
            if (now) {
                add_conn(sim_sock_wrap(inst));
                inst = INVALID_HANDLE_VALUE;
                continue;
            }
        }
        reap();
        HANDLE hs[2] = {conn_ev, S.wake_ev};
        DWORD r = WaitForMultipleObjects(pending ? 2 : 1, pending ? hs : hs + 1, FALSE, 250);
        if (pending && r == WAIT_OBJECT_0) {
            DWORD got;
            pending = false;
            if (GetOverlappedResult(inst, &cov, &got, FALSE)) {
                sim_sock s = sim_sock_wrap(inst);
                if (s)
                    add_conn(s);
            } else {
                CloseHandle(inst);
            }
            inst = INVALID_HANDLE_VALUE;
        }
    }
    rc = 0;
    DeleteFileA(pid_path);
out:
    if (pending) {
        CancelIoEx(inst, &cov);
        DWORD got;
        GetOverlappedResult(inst, &cov, &got, TRUE);
    }
    if (inst != INVALID_HANDLE_VALUE)
        CloseHandle(inst);
    end_all_conns();
    if (opened) {
        sim_db_detach();
        zh_sim_close();
    }
    sweep_graves(0);
    if (conn_ev)
        CloseHandle(conn_ev);
    if (S.wake_ev)
        CloseHandle(S.wake_ev);
    S.wake_ev = NULL;
    if (sd)
        LocalFree(sd);
    if (lock != INVALID_HANDLE_VALUE)
        CloseHandle(lock);
    free(lock_path);
    free(pid_path);
    return rc;
}
#else
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    (void)sig;
    got_signal = 1;
    wake_service();
}

static char *path_in(const char *dir, const char *name)
{
    return zh_asprintf("%s/%s", dir, name);
}

int sim_service_run(const char *dir, const sim_service_options *opt, zh_error **err)
{
    zh_once_run(&handlers_once, setup_handlers);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST)
        return zh_error_set(err, ZH_E_PATH_NOT_FOUND, "zhsimd", "%s: cannot create the directory: %s", dir,
                            strerror(errno));
    char *lock_path = path_in(dir, "service.lock");
    char *pid_path = path_in(dir, "service.pid");
    char *sock_path = path_in(dir, "sock");
    int lock_fd = -1, dirfd = -1, rc = -1;
    bool opened = false;
    if (!lock_path || !pid_path || !sock_path) {
        zh_error_set(err, ZH_E_OUTOFMEMORY, "zhsimd", "out of memory");
        goto out;
    }
    lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0) {
        zh_error_set(err, ZH_E_ACCESSDENIED, "zhsimd", "%s: %s", lock_path, strerror(errno));
        goto out;
    }
    if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
        /* a service holds the directory: one that answers stays the service; one that
         * no longer answers is stopping, and this one takes over once it is gone */
        bool answers = false;
        int probe_dir = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct sockaddr_un pa;
        unsigned plen;
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (probe >= 0 && sim_sock_addr(dir, probe_dir, &pa, &plen) == 0)
            answers = connect(probe, (struct sockaddr *)&pa, plen) == 0;
        if (probe >= 0)
            close(probe);
        if (probe_dir >= 0)
            close(probe_dir);
        bool locked = false;
        for (int i = 0; !answers && !locked && i < 1000; i++) {
            zh_sleep_ms(10);
            locked = flock(lock_fd, LOCK_EX | LOCK_NB) == 0;
        }
        if (!locked) {
            zh_error_set(err, ZH_E_ALREADY_EXISTS, "zhsimd", "a simulator service already serves %s", dir);
            rc = 1;
            goto out;
        }
    }
    /* the world, with the durable HCN state of the directory */
    if (zh_sim_open(NULL, err) < 0)
        goto out;
    opened = true;
    if (sim_db_attach(dir, err) < 0)
        goto out;

    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct sockaddr_un addr;
    unsigned alen;
    if (sim_sock_addr(dir, dirfd, &addr, &alen) < 0) {
        zh_error_set(err, ZH_E_INVALIDARG, "zhsimd", "%s: the path is too long for a socket", sock_path);
        goto out;
    }
    S.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(sock_path); /* a previous service's, dead (we hold the lock) */
    mode_t old = umask(077); /* owner only, from the start */
    int b = S.listen_fd < 0 ? -1 : bind(S.listen_fd, (struct sockaddr *)&addr, alen);
    umask(old);
    if (b < 0 || listen(S.listen_fd, 64) < 0) {
        zh_error_set(err, ZH_E_ACCESSDENIED, "zhsimd", "%s: cannot listen: %s", sock_path, strerror(errno));
        goto out;
    }
    chmod(sock_path, 0600);
    if (pipe2(S.wake, O_CLOEXEC) < 0) {
        zh_error_set(err, ZH_E_FAIL, "zhsimd", "pipe: %s", strerror(errno));
        goto out;
    }
    FILE *pf = fopen(pid_path, "w");
    if (pf) {
        fprintf(pf, "%ld\n", (long)getpid());
        fclose(pf);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (opt && opt->ready_fd >= 0) {
        char r = 1;
        ssize_t n = write(opt->ready_fd, &r, 1);
        (void)n;
        close(opt->ready_fd);
    }
    S.idle_since_ms = zh_monotonic_ms();

    for (;;) {
        if (time_to_stop(opt, got_signal != 0))
            break;
        struct pollfd p[2] = {{S.listen_fd, POLLIN, 0}, {S.wake[0], POLLIN, 0}};
        reap();
        if (poll(p, 2, 250) <= 0)
            continue;
        if (p[1].revents) {
            char buf[16];
            ssize_t n = read(S.wake[0], buf, sizeof buf);
            (void)n;
        }
        if (!(p[0].revents & POLLIN))
            continue;
        int fd = accept4(S.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            add_conn(fd);
    }
    rc = 0;
    /* stop: no new clients; the existing ones see the socket close (a service disconnect) */
    unlink(sock_path);
    unlink(pid_path);
    close(S.listen_fd);
    S.listen_fd = -1;
    end_all_conns();
out:
    if (opened) {
        sim_db_detach();
        zh_sim_close();
    }
    sweep_graves(0); /* the world is closed: no callback can come any more */
    if (dirfd >= 0)
        close(dirfd);
    if (lock_fd >= 0)
        close(lock_fd);
    free(lock_path);
    free(pid_path);
    free(sock_path);
    return rc;
}
#endif /* _WIN32 */

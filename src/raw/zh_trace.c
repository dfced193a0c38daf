/* SPDX-License-Identifier: MIT */
/* zh_trace.c - the raw-call trampolines behind zhcs_set_trace / zhns_set_trace.
 *
 * One trampoline per entry point, expanded from the export lists: it takes the real entry
 * from this thread's slot, notes the object the call concerns (from an id argument, or from
 * the handle registry below), calls, and reports. The registry maps the handles a traced
 * create/open returned (and the operations a traced call started on one) to their object's
 * id, for the calls that only pass a handle; a traced close removes the entry. */
#include "zh_trace.h"

#include <stdlib.h>
#include <string.h>

#include "zh_guid.h"
#include "zh_str.h"
#include "zh_utf.h"

#if defined(_MSC_VER) && !defined(__clang__)
#define ZH_TLS __declspec(thread)
#else
#define ZH_TLS _Thread_local
#endif

#define TRACE_E_FAIL ((int32_t)0x80004005)
#define OBJ_MAX 256

zh_atomic zh_trace_flags[2];

static zh_mutex hook_lock = ZH_MUTEX_INIT;
static zh_trace_fn hooks[2];
static void *hook_ctx[2];

/* ---------------------------------------------------------------- what each call concerns */
enum { K_NONE = 0, K_WSTR, K_GUID, K_HANDLE };
typedef struct tr_desc {
    unsigned char kind;   /* of the argument naming the object */
    unsigned char arg;    /* its index */
    unsigned char out;    /* 1 + index of the handle the call returns, or 0 */
    unsigned char op;     /* 1 + index of an operation the call starts, or 0 */
    unsigned char closes; /* the call closes the handle of argument `arg` */
} tr_desc;

#define H_(name) [ZH_HCS_ID_##name]
#define ON_SYSTEM_OP_ {K_HANDLE, 0, 0, 2, 0}
#define ON_HANDLE_ {K_HANDLE, 0, 0, 0, 0}
static const tr_desc hcs_desc[ZH_HCS_ID_COUNT] = {
    H_(HcsCreateComputeSystem) = {K_WSTR, 0, 5, 3, 0},
    H_(HcsCreateComputeSystemInNamespace) = {K_WSTR, 1, 6, 4, 0},
    H_(HcsOpenComputeSystem) = {K_WSTR, 0, 3, 0, 0},
    H_(HcsOpenComputeSystemInNamespace) = {K_WSTR, 1, 4, 0, 0},
    H_(HcsCloseComputeSystem) = {K_HANDLE, 0, 0, 0, 1},
    H_(HcsStartComputeSystem) = ON_SYSTEM_OP_,
    H_(HcsShutDownComputeSystem) = ON_SYSTEM_OP_,
    H_(HcsTerminateComputeSystem) = ON_SYSTEM_OP_,
    H_(HcsCrashComputeSystem) = ON_SYSTEM_OP_,
    H_(HcsPauseComputeSystem) = ON_SYSTEM_OP_,
    H_(HcsResumeComputeSystem) = ON_SYSTEM_OP_,
    H_(HcsSaveComputeSystem) = ON_SYSTEM_OP_,
    H_(HcsGetComputeSystemProperties) = ON_SYSTEM_OP_,
    H_(HcsModifyComputeSystem) = ON_SYSTEM_OP_,
    H_(HcsWaitForComputeSystemExit) = ON_HANDLE_,
    H_(HcsSetComputeSystemCallback) = ON_HANDLE_,
    H_(HcsCreateProcess) = {K_HANDLE, 0, 5, 3, 0},
    H_(HcsOpenProcess) = {K_HANDLE, 0, 4, 0, 0},
    H_(HcsCloseProcess) = {K_HANDLE, 0, 0, 0, 1},
    H_(HcsTerminateProcess) = ON_SYSTEM_OP_,
    H_(HcsSignalProcess) = ON_SYSTEM_OP_,
    H_(HcsGetProcessInfo) = ON_SYSTEM_OP_,
    H_(HcsGetProcessProperties) = ON_SYSTEM_OP_,
    H_(HcsModifyProcess) = ON_SYSTEM_OP_,
    H_(HcsSetProcessCallback) = ON_HANDLE_,
    H_(HcsWaitForProcessExit) = ON_HANDLE_,
    H_(HcsCloseOperation) = {K_HANDLE, 0, 0, 0, 1},
    H_(HcsGetOperationContext) = ON_HANDLE_,
    H_(HcsSetOperationContext) = ON_HANDLE_,
    H_(HcsGetComputeSystemFromOperation) = ON_HANDLE_,
    H_(HcsGetProcessFromOperation) = ON_HANDLE_,
    H_(HcsGetOperationType) = ON_HANDLE_,
    H_(HcsGetOperationId) = ON_HANDLE_,
    H_(HcsGetOperationResult) = ON_HANDLE_,
    H_(HcsGetOperationResultAndProcessInfo) = ON_HANDLE_,
    H_(HcsWaitForOperationResult) = ON_HANDLE_,
    H_(HcsWaitForOperationResultAndProcessInfo) = ON_HANDLE_,
    H_(HcsSetOperationCallback) = ON_HANDLE_,
    H_(HcsCancelOperation) = ON_HANDLE_,
    H_(HcsAddResourceToOperation) = ON_HANDLE_,
    H_(HcsGrantVmAccess) = {K_WSTR, 0, 0, 0, 0},
    H_(HcsRevokeVmAccess) = {K_WSTR, 0, 0, 0, 0},
};
#undef H_

#define N_(name) [ZH_HCN_ID_##name]
#define BY_ID_ {K_GUID, 0, 0, 0, 0}
#define CREATE_ {K_GUID, 0, 3, 0, 0}
#define OPEN_ {K_GUID, 0, 2, 0, 0}
#define CLOSE_ {K_HANDLE, 0, 0, 0, 1}
static const tr_desc hcn_desc[ZH_HCN_ID_COUNT] = {
    N_(HcnCreateNetwork) = CREATE_,
    N_(HcnOpenNetwork) = OPEN_,
    N_(HcnModifyNetwork) = ON_HANDLE_,
    N_(HcnQueryNetworkProperties) = ON_HANDLE_,
    N_(HcnDeleteNetwork) = BY_ID_,
    N_(HcnCloseNetwork) = CLOSE_,
    N_(HcnCreateNamespace) = CREATE_,
    N_(HcnOpenNamespace) = OPEN_,
    N_(HcnModifyNamespace) = ON_HANDLE_,
    N_(HcnQueryNamespaceProperties) = ON_HANDLE_,
    N_(HcnDeleteNamespace) = BY_ID_,
    N_(HcnCloseNamespace) = CLOSE_,
    N_(HcnCreateEndpoint) = {K_GUID, 1, 4, 0, 0},
    N_(HcnOpenEndpoint) = OPEN_,
    N_(HcnModifyEndpoint) = ON_HANDLE_,
    N_(HcnQueryEndpointProperties) = ON_HANDLE_,
    N_(HcnDeleteEndpoint) = BY_ID_,
    N_(HcnCloseEndpoint) = CLOSE_,
    N_(HcnCreateLoadBalancer) = CREATE_,
    N_(HcnOpenLoadBalancer) = OPEN_,
    N_(HcnModifyLoadBalancer) = ON_HANDLE_,
    N_(HcnQueryLoadBalancerProperties) = ON_HANDLE_,
    N_(HcnDeleteLoadBalancer) = BY_ID_,
    N_(HcnCloseLoadBalancer) = CLOSE_,
    N_(HcnCreateGuestNetworkService) = CREATE_,
    N_(HcnCloseGuestNetworkService) = CLOSE_,
    N_(HcnModifyGuestNetworkService) = ON_HANDLE_,
    N_(HcnDeleteGuestNetworkService) = BY_ID_,
    N_(HcnCreateSdnRoute) = CREATE_,
    N_(HcnOpenSdnRoute) = OPEN_,
    N_(HcnModifySdnRoute) = ON_HANDLE_,
    N_(HcnQuerySdnRouteProperties) = ON_HANDLE_,
    N_(HcnDeleteSdnRoute) = BY_ID_,
    N_(HcnCloseSdnRoute) = CLOSE_,
    N_(HcnQueryEndpointStats) = ON_HANDLE_,
    N_(HcnQueryEndpointAddresses) = ON_HANDLE_,
};
#undef N_

/* ---------------------------------------------------------------- handle registry */
#define BUCKETS 256
typedef struct reg_node {
    int table;
    const void *handle;
    char *id;
    struct reg_node *next;
} reg_node;
static zh_mutex reg_lock = ZH_MUTEX_INIT;
static reg_node *buckets[BUCKETS];

static size_t bucket_of(const void *h)
{
    uintptr_t v = (uintptr_t)h;
    return (size_t)((v >> 4) ^ (v >> 12)) % BUCKETS;
}

static void reg_set(int table, const void *h, const char *id)
{
    if (!h || !id || !*id)
        return;
    char *copy = zh_strdup(id);
    if (!copy)
        return;
    zh_mutex_lock(&reg_lock);
    reg_node **head = &buckets[bucket_of(h)];
    for (reg_node *n = *head; n; n = n->next) {
        if (n->table == table && n->handle == h) {
            free(n->id);
            n->id = copy;
            zh_mutex_unlock(&reg_lock);
            return;
        }
    }
    reg_node *n = malloc(sizeof *n);
    if (n) {
        n->table = table;
        n->handle = h;
        n->id = copy;
        n->next = *head;
        *head = n;
    } else {
        free(copy);
    }
    zh_mutex_unlock(&reg_lock);
}

static void reg_get(int table, const void *h, char *out, size_t size)
{
    out[0] = '\0';
    if (!h)
        return;
    zh_mutex_lock(&reg_lock);
    for (reg_node *n = buckets[bucket_of(h)]; n; n = n->next) {
        if (n->table == table && n->handle == h) {
            zh_strlcpy(out, n->id, size);
            break;
        }
    }
    zh_mutex_unlock(&reg_lock);
}

static void reg_del(int table, const void *h)
{
    zh_mutex_lock(&reg_lock);
    for (reg_node **p = &buckets[bucket_of(h)]; *p; p = &(*p)->next) {
        if ((*p)->table == table && (*p)->handle == h) {
            reg_node *n = *p;
            *p = n->next;
            free(n->id);
            free(n);
            break;
        }
    }
    zh_mutex_unlock(&reg_lock);
}

static void reg_clear(int table)
{
    zh_mutex_lock(&reg_lock);
    for (size_t b = 0; b < BUCKETS; b++) {
        for (reg_node **p = &buckets[b]; *p;) {
            reg_node *n = *p;
            if (n->table == table) {
                *p = n->next;
                free(n->id);
                free(n);
            } else {
                p = &n->next;
            }
        }
    }
    zh_mutex_unlock(&reg_lock);
}

/* ---------------------------------------------------------------- one traced call */
typedef struct tr_call {
    int table;
    const char *name;
    const tr_desc *desc;
    const void *const *argv;
    uint64_t t0;
    char obj[OBJ_MAX];
} tr_call;

static const void *arg_ptr(const void *const *argv, unsigned i)
{
    const void *p;
    memcpy(&p, argv[i], sizeof p); /* every argument an id or handle comes in is a pointer */
    return p;
}

static void tr_begin(tr_call *c, int table, size_t id, const void *const *argv)
{
    const zh_raw_spec *spec = table ? &zh_raw_hcn_spec : &zh_raw_hcs_spec;
    c->table = table;
    c->name = spec->names[id];
    c->desc = table ? &hcn_desc[id] : &hcs_desc[id];
    c->argv = argv;
    c->obj[0] = '\0';
    const void *p = c->desc->kind ? arg_ptr(argv, c->desc->arg) : NULL;
    if (p && c->desc->kind == K_WSTR) {
        char *s = NULL;
        if (zh_utf16_to_utf8((const uint16_t *)p, ZH_NUL_TERMINATED, &s, NULL, "id", NULL) == 0)
            zh_strlcpy(c->obj, s, sizeof c->obj);
        free(s);
    } else if (p && c->desc->kind == K_GUID) {
        zh_guid g;
        char buf[ZH_GUID_BUFSIZE];
        memcpy(&g, p, sizeof g);
        zh_strlcpy(c->obj, zh_guid_format(&g, ZH_GUID_LOWER, buf), sizeof c->obj);
    } else if (p && c->desc->kind == K_HANDLE) {
        reg_get(table, p, c->obj, sizeof c->obj);
    }
    if (c->desc->op && c->obj[0]) /* the operation now concerns this object */
        reg_set(table, arg_ptr(argv, c->desc->op - 1u), c->obj);
    c->t0 = zh_monotonic_ns();
}

static void tr_end(tr_call *c, int32_t hr)
{
    uint64_t ns = zh_monotonic_ns() - c->t0;
    if (c->desc->out && hr >= 0 && c->obj[0]) {
        const void *out = arg_ptr(c->argv, c->desc->out - 1u);
        if (out) {
            const void *h;
            memcpy(&h, out, sizeof h);
            reg_set(c->table, h, c->obj);
        }
    }
    if (c->desc->closes)
        reg_del(c->table, arg_ptr(c->argv, c->desc->arg));
    zh_mutex_lock(&hook_lock);
    zh_trace_fn fn = hooks[c->table];
    void *ctx = hook_ctx[c->table];
    zh_mutex_unlock(&hook_lock);
    if (fn)
        fn(ctx, c->name, c->obj[0] ? c->obj : NULL, hr, ns);
}

/* ---------------------------------------------------------------- the trampolines */
static ZH_TLS zh_raw_fnptr real_hcs[ZH_HCS_ID_COUNT];
static ZH_TLS zh_raw_fnptr real_hcn[ZH_HCN_ID_COUNT];

/* &arg for each argument of a parenthesised list of 1 to 6 */
#define TR_ADDR_1(a) &a
#define TR_ADDR_2(a, b) &a, &b
#define TR_ADDR_3(a, b, c) &a, &b, &c
#define TR_ADDR_4(a, b, c, d) &a, &b, &c, &d
#define TR_ADDR_5(a, b, c, d, e) &a, &b, &c, &d, &e
#define TR_ADDR_6(a, b, c, d, e, f) &a, &b, &c, &d, &e, &f
#define TR_NARGS_(_1, _2, _3, _4, _5, _6, n, ...) n
#define TR_NARGS(...) TR_NARGS_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define TR_CAT_(a, b) a##b
#define TR_CAT(a, b) TR_CAT_(a, b)
#define TR_ADDRS(...) TR_CAT(TR_ADDR_, TR_NARGS(__VA_ARGS__))(__VA_ARGS__)

/* the call and its report, by return type */
#define TR_RET_void(call) \
    call;                 \
    tr_end(&c_, 0);
#define TR_RET_zh_hresult(call) \
    zh_hresult r_ = call;       \
    tr_end(&c_, (int32_t)r_);   \
    return r_;
#define TR_RET_HANDLE_(type, call)           \
    type r_ = call;                          \
    tr_end(&c_, r_ ? 0 : TRACE_E_FAIL);      \
    return r_;
#define TR_RET_VALUE_(type, call) \
    type r_ = call;               \
    tr_end(&c_, 0);               \
    return r_;
#define TR_RET_zh_hcs_operation(call) TR_RET_HANDLE_(zh_hcs_operation, call)
#define TR_RET_zh_hcs_system(call) TR_RET_HANDLE_(zh_hcs_system, call)
#define TR_RET_zh_hcs_process(call) TR_RET_HANDLE_(zh_hcs_process, call)
#define TR_RET_zh_voidp(call) TR_RET_VALUE_(zh_voidp, call)
#define TR_RET_zh_u64(call) TR_RET_VALUE_(zh_u64, call)
#define TR_RET_zh_hcs_operation_type(call) TR_RET_VALUE_(zh_hcs_operation_type, call)

#define TRAMPOLINE_(table, slots, prefix, ret, name, params, args)  \
    static ret ZH_WINAPI tr_##name params                           \
    {                                                               \
        zh_raw_##name##_fn real_;                                   \
        zh_raw_fnptr f_ = slots[prefix##name];                      \
        memcpy(&real_, &f_, sizeof real_);                          \
        const void *const argv_[] = {TR_ADDRS args};                \
        tr_call c_;                                                 \
        tr_begin(&c_, table, prefix##name, argv_);                  \
        TR_CAT(TR_RET_, ret)(real_ args)                            \
    }
#define TRAMPOLINE_HCS_(ret, name, params, args) TRAMPOLINE_(0, real_hcs, ZH_HCS_ID_, ret, name, params, args)
#define TRAMPOLINE_HCN_(ret, name, params, args) TRAMPOLINE_(1, real_hcn, ZH_HCN_ID_, ret, name, params, args)
ZH_HCS_EXPORTS(TRAMPOLINE_HCS_)
ZH_HCN_EXPORTS(TRAMPOLINE_HCN_)

#define ENTRY_(ret, name, params, args) (zh_raw_fnptr)tr_##name,
static const zh_raw_fnptr hcs_trampolines[] = {ZH_HCS_EXPORTS(ENTRY_)};
static const zh_raw_fnptr hcn_trampolines[] = {ZH_HCN_EXPORTS(ENTRY_)};
_Static_assert(sizeof hcs_trampolines / sizeof hcs_trampolines[0] == ZH_HCS_ID_COUNT, "HCS trampolines");
_Static_assert(sizeof hcn_trampolines / sizeof hcn_trampolines[0] == ZH_HCN_ID_COUNT, "HCN trampolines");

zh_raw_fnptr zh_trace_wrap(const zh_raw_spec *spec, size_t id, zh_raw_fnptr real)
{
    if (spec == &zh_raw_hcs_spec && id < ZH_HCS_ID_COUNT) {
        real_hcs[id] = real;
        return hcs_trampolines[id];
    }
    if (spec == &zh_raw_hcn_spec && id < ZH_HCN_ID_COUNT) {
        real_hcn[id] = real;
        return hcn_trampolines[id];
    }
    return real;
}

void zh_trace_set(const zh_raw_spec *spec, zh_trace_fn fn, void *context)
{
    int table = spec == &zh_raw_hcn_spec;
    zh_mutex_lock(&hook_lock);
    hooks[table] = fn;
    hook_ctx[table] = context;
    zh_mutex_unlock(&hook_lock);
    zh_atomic_store(&zh_trace_flags[table], fn != NULL);
    if (!fn)
        reg_clear(table);
}

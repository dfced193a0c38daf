/* SPDX-License-Identifier: MIT */
/* sim_core.c - the simulated services' lifecycle, the entry-point tables with their call
 * counters / fault injection / latency, strings across the UTF-16 boundary, HCN
 * ErrorRecords, and the dispatcher thread that delivers HCN service notifications. */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim_hcs.h"
#include "sim_server.h"
#include "zh_hresult.h"
#include "zh_str.h"
#include "zh_utf.h"

#ifdef ZH_SIM_DLL
#include <objbase.h>
#endif

/* ---------------------------------------------------------------- the world */
static zh_mutex world_lock = ZH_MUTEX_INIT; /* guards `world` (the pointer) */
static sim_world *world;

sim_world *sim_world_get(void)
{
    zh_mutex_lock(&world_lock);
    sim_world *w = world;
    zh_mutex_unlock(&world_lock);
    return w;
}

static void dispatcher_main(void *arg);

/* ---------------------------------------------------------------- adapters */
static const zh_sim_adapter default_adapters[] = {
    {"Ethernet", "Intel(R) Ethernet Connection (simulated)", "00-15-5D-00-00-01", 1, 0, 0, "192.168.1.10/24",
     "192.168.1.1", 25},
    {"Loopback Pseudo-Interface 1", "Software Loopback Interface 1", "", 1, 1, 0, "127.0.0.1/8", NULL, 75},
    {"vEthernet (nat)", "Hyper-V Virtual Ethernet Adapter (simulated)", "00-15-5D-00-00-02", 1, 0, 0,
     "172.31.0.1/20", NULL, 5000},
};

void zh_sim_adapters_free(zh_sim_adapter *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free((char *)list[i].name);
        free((char *)list[i].description);
        free((char *)list[i].mac);
        free((char *)list[i].ipv4);
        free((char *)list[i].gateway);
    }
    free(list);
}

static zh_sim_adapter *copy_adapters(const zh_sim_adapter *src, size_t n)
{
    zh_sim_adapter *dst = calloc(n ? n : 1, sizeof *dst);
    int ok = dst != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        dst[i] = src[i];
        dst[i].name = zh_strdup(src[i].name ? src[i].name : "");
        dst[i].description = zh_strdup(src[i].description ? src[i].description : "");
        dst[i].mac = zh_strdup(src[i].mac ? src[i].mac : "");
        dst[i].ipv4 = src[i].ipv4 ? zh_strdup(src[i].ipv4) : NULL;
        dst[i].gateway = src[i].gateway ? zh_strdup(src[i].gateway) : NULL;
        ok = dst[i].name && dst[i].description && dst[i].mac && (!src[i].ipv4 || dst[i].ipv4) &&
             (!src[i].gateway || dst[i].gateway);
    }
    if (!ok) {
        zh_sim_adapters_free(dst, n);
        return NULL;
    }
    return dst;
}

int zh_sim_set_adapters(const zh_sim_adapter *list, size_t n)
{
    sim_world *w = sim_world_get();
    if (!w)
        return -1;
    zh_sim_adapter *copy = NULL;
    if (list && !(copy = copy_adapters(list, n)))
        return -1;
    zh_mutex_lock(&w->lock);
    zh_sim_adapters_free(w->adapters, w->adapter_count);
    w->adapters = copy;
    w->adapter_count = copy ? n : 0;
    zh_mutex_unlock(&w->lock);
    return 0;
}

zh_sim_adapter *zh_sim_get_adapters(size_t *n)
{
    *n = 0;
    sim_world *w = sim_world_get();
    if (!w)
        return NULL;
    zh_mutex_lock(&w->lock);
    const zh_sim_adapter *src = w->adapters ? w->adapters : default_adapters;
    size_t count = w->adapters ? w->adapter_count : sizeof default_adapters / sizeof default_adapters[0];
    zh_sim_adapter *copy = copy_adapters(src, count);
    zh_mutex_unlock(&w->lock);
    if (copy)
        *n = count;
    return copy;
}

/* Frees a world that never became the process's world (zh_sim_open failing). */
static void discard_world(sim_world *w)
{
    sim_hcn_free_world(w);
    zh_sim_adapters_free(w->adapters, w->adapter_count);
    free(w->state_dir);
    zh_cond_destroy(&w->notes_cond);
    zh_cond_destroy(&w->idle_cond);
    zh_mutex_destroy(&w->lock);
    free(w);
}

int zh_sim_open(const char *state_dir, zh_error **err)
{
    zh_mutex_lock(&world_lock);
    if (world) {
        int same = (!state_dir && !world->state_dir) ||
                   (state_dir && world->state_dir && strcmp(state_dir, world->state_dir) == 0);
        if (!same) {
            zh_mutex_unlock(&world_lock);
            return zh_error_set(err, ZH_E_INVALID_STATE, "zh_sim_open",
                                "the simulator of this process already serves sim:%s; one simulated service per process",
                                world->state_dir ? world->state_dir : "");
        }
        world->refs++;
        zh_mutex_unlock(&world_lock);
        return 0;
    }
    sim_world *w = calloc(1, sizeof *w);
    if (!w) {
        zh_mutex_unlock(&world_lock);
        return zh_error_set(err, ZH_E_OUTOFMEMORY, "zh_sim_open", "out of memory");
    }
    zh_mutex_init(&w->lock);
    zh_cond_init(&w->notes_cond);
    zh_cond_init(&w->idle_cond);
    w->refs = 1;
    w->notes_tail = &w->notes;
    w->next_namespace_id = 1;
    w->next_mac = 1;
    w->hns_major = 15; /* a documented guess: a Windows Server 2022 class host */
    w->hns_minor = 4;
    int rc = 0;
    if (state_dir) {
        /* "sim:PATH": a client of the one simulator service of PATH */
        w->client = true;
        sim_hcs_latitudes_from_env();
        w->state_dir = zh_strdup(state_dir);
        rc = w->state_dir ? sim_client_open(w, state_dir, err)
                          : zh_error_set(err, ZH_E_OUTOFMEMORY, "zh_sim_open", "out of memory");
        if (rc < 0) {
            discard_world(w);
            zh_mutex_unlock(&world_lock);
            return -1;
        }
        world = w;
        zh_mutex_unlock(&world_lock);
        return 0;
    }
    if (rc == 0)
        rc = zh_thread_start(&w->dispatcher, dispatcher_main, w, err);
    if (rc == 0 && sim_hcs_init(w, err) < 0) {
        zh_mutex_lock(&w->lock);
        w->dispatcher_quit = true;
        zh_cond_broadcast(&w->notes_cond);
        zh_mutex_unlock(&w->lock);
        zh_thread_join(w->dispatcher);
        rc = -1;
    }
    if (rc < 0) {
        discard_world(w);
        zh_mutex_unlock(&world_lock);
        return -1;
    }
    world = w;
    zh_mutex_unlock(&world_lock);
    return 0;
}

void zh_sim_close(void)
{
    zh_mutex_lock(&world_lock);
    sim_world *w = world;
    if (!w || --w->refs > 0) {
        zh_mutex_unlock(&world_lock);
        return;
    }
    world = NULL;
    zh_mutex_unlock(&world_lock);

    if (w->client) {
        sim_client_close(w);
        discard_world(w);
        return;
    }
    sim_hcs_free(w);
    zh_mutex_lock(&w->lock);
    w->dispatcher_quit = true;
    zh_cond_broadcast(&w->notes_cond);
    zh_mutex_unlock(&w->lock);
    zh_thread_join(w->dispatcher);

    zh_mutex_lock(&w->lock);
    while (w->notes) {
        sim_note *n = w->notes;
        w->notes = n->next;
        free(n->data);
        free(n);
    }
    while (w->callbacks) {
        sim_callback *c = w->callbacks;
        w->callbacks = c->next;
        c->magic = 0;
        free(c);
    }
    zh_mutex_unlock(&w->lock);
    discard_world(w);
}

void zh_sim_stop_service(void)
{
    sim_world *w = sim_world_get();
    if (!w)
        return;
    if (w->client) {
        sim_client_stop(); /* the service stops: every client hears of it */
        return;
    }
    zh_mutex_lock(&w->lock);
    if (!w->stopped) {
        w->stopped = true;
        sim_notify(w, 0x01000000u /* HcnNotificationServiceDisconnect */, NULL);
        sim_hcs_service_stopped(w);
    }
    zh_mutex_unlock(&w->lock);
}

/* ---------------------------------------------------------------- notifications */
void sim_notify(sim_world *w, zh_dword type, const char *data)
{
    sim_note *n = calloc(1, sizeof *n);
    if (!n)
        return; /* a lost notification, as with a busy real service */
    n->type = type;
    n->data = data ? zh_strdup(data) : NULL;
    *w->notes_tail = n;
    w->notes_tail = &n->next;
    zh_cond_broadcast(&w->notes_cond);
}

/* ZH_SIM_HCN_NOTIFY_POOL: one invocation on a thread of its own (sim_hcn.c's latitude). */
typedef struct pool_call {
    zh_hcn_notification_callback fn;
    void *ctx;
    zh_dword type;
    zh_wchar *data;
} pool_call;

static void pool_main(void *arg)
{
    pool_call *pc = arg;
    pc->fn(pc->type, pc->ctx, 0, pc->data);
    zh_sim_free_string(pc->data);
    free(pc);
}

static int pool_deliver(sim_callback *c, zh_dword type, const char *data)
{
    pool_call *pc = calloc(1, sizeof *pc);
    zh_thread *t = NULL;
    if (!pc)
        return -1;
    pc->fn = c->fn;
    pc->ctx = c->ctx;
    pc->type = type;
    pc->data = data ? sim_wstr(data) : NULL;
    if (zh_thread_start(&t, pool_main, pc, NULL) < 0) {
        zh_sim_free_string(pc->data);
        free(pc);
        return -1;
    }
    zh_thread_detach(t);
    return 0;
}

/* Delivers queued notifications, one callback at a time, never with the world locked. */
static void dispatcher_main(void *arg)
{
    sim_world *w = arg;
    zh_mutex_lock(&w->lock);
    w->dispatcher_id = zh_thread_self_id();
    while (1) {
        while (!w->notes && !w->dispatcher_quit)
            zh_cond_wait(&w->notes_cond, &w->lock);
        if (w->dispatcher_quit)
            break;
        sim_note *n = w->notes;
        w->notes = n->next;
        if (!w->notes)
            w->notes_tail = &w->notes;
        zh_wchar *data = n->data ? sim_wstr(n->data) : NULL;
        int pool = (sim_hcn_latitudes() & ZH_SIM_HCN_NOTIFY_POOL) != 0;
        for (sim_callback *c = w->callbacks; c; c = c->next) {
            if (c->removed)
                continue;
            if (pool && pool_deliver(c, n->type, n->data) == 0)
                continue;
            w->running = c;
            zh_mutex_unlock(&w->lock);
            /* The callback owns nothing of ours: `data` stays ours and is freed below. */
            c->fn(n->type, c->ctx, 0, data);
            zh_mutex_lock(&w->lock);
            w->running = NULL;
            zh_cond_broadcast(&w->idle_cond);
        }
        /* registrations removed meanwhile can go now: nobody runs them */
        for (sim_callback **pc = &w->callbacks; *pc;) {
            sim_callback *c = *pc;
            if (c->removed) {
                *pc = c->next;
                c->magic = 0;
                free(c);
            } else {
                pc = &c->next;
            }
        }
        zh_sim_free_string(data);
        free(n->data);
        free(n);
    }
    zh_mutex_unlock(&w->lock);
}

/* ---------------------------------------------------------------- strings */
zh_wchar *sim_wstr(const char *utf8)
{
    uint16_t *tmp = NULL;
    size_t n = 0;
    if (zh_utf8_to_utf16(utf8, ZH_NUL_TERMINATED, &tmp, &n, "result", NULL) < 0)
        return NULL;
#ifdef ZH_SIM_DLL
    /* As the real DLLs: the caller frees with CoTaskMemFree. */
    zh_wchar *w = CoTaskMemAlloc((n + 1) * sizeof(zh_wchar));
    if (w)
        memcpy(w, tmp, (n + 1) * sizeof(zh_wchar));
    free(tmp);
    return w;
#else
    (void)n;
    return (zh_wchar *)tmp;
#endif
}

void zh_sim_free_string(zh_wchar *s)
{
#ifdef ZH_SIM_DLL
    CoTaskMemFree(s);
#else
    free(s);
#endif
}

char *sim_utf8(const zh_wchar *w, int *bad)
{
    *bad = 0;
    if (!w)
        return NULL;
    char *s = NULL;
    if (zh_utf16_to_utf8((const uint16_t *)w, ZH_NUL_TERMINATED, &s, NULL, "argument", NULL) < 0) {
        *bad = 1;
        return NULL;
    }
    return s;
}

zh_hresult sim_hcn_fail(zh_wchar **record, int32_t hr, const char *fmt, ...)
{
    if (record) {
        va_list ap;
        va_start(ap, fmt);
        char *msg = zh_vasprintf(fmt, ap);
        va_end(ap);
        zh_buf b = ZH_BUF_INIT(0);
        zh_buf_puts(&b, "{\"Success\":false,\"Error\":\"");
        for (const char *p = msg ? msg : "error"; *p; p++) {
            if (*p == '"' || *p == '\\')
                zh_buf_append(&b, "\\", 1);
            if ((unsigned char)*p >= 0x20)
                zh_buf_append(&b, p, 1);
        }
        zh_buf_printf(&b, "\",\"ErrorCode\":%lu}", (unsigned long)(uint32_t)hr);
        char *json = zh_buf_take(&b);
        *record = json ? sim_wstr(json) : NULL;
        free(json);
        free(msg);
    }
    return (zh_hresult)hr;
}

/* ---------------------------------------------------------------- test controls */
#define SIM_ENTRIES (ZH_HCS_ID_COUNT + ZH_HCN_ID_COUNT + ZH_HCST_ID_COUNT)
#define SIM_HCST_BASE (ZH_HCS_ID_COUNT + ZH_HCN_ID_COUNT)

typedef struct fault {
    int active;
    unsigned countdown; /* 0: every call */
    int32_t hr;
} fault;

static zh_mutex control_lock = ZH_MUTEX_INIT;
static uint64_t calls[SIM_ENTRIES];
static fault faults[SIM_ENTRIES];
static fault any_fault;
static uint32_t latency[SIM_ENTRIES];
static int exempt_initialised;
static unsigned char exempt[SIM_ENTRIES]; /* Close/Unregister/Free and operation calls keep working after a stop */

static const char *entry_name(size_t i)
{
    if (i >= SIM_HCST_BASE)
        return zh_raw_hcst_spec.names[i - SIM_HCST_BASE];
    return i < ZH_HCS_ID_COUNT ? zh_raw_hcs_spec.names[i] : zh_raw_hcn_spec.names[i - ZH_HCS_ID_COUNT];
}

static long entry_index(const char *name)
{
    size_t i = zh_raw_spec_find(&zh_raw_hcs_spec, name);
    if (i != (size_t)-1)
        return (long)i;
    i = zh_raw_spec_find(&zh_raw_hcn_spec, name);
    if (i != (size_t)-1)
        return (long)(ZH_HCS_ID_COUNT + i);
    i = zh_raw_spec_find(&zh_raw_hcst_spec, name);
    return i == (size_t)-1 ? -1 : (long)(SIM_HCST_BASE + i);
}

static int fires(fault *f)
{
    if (!f->active)
        return 0;
    if (f->countdown == 0)
        return 1;
    if (--f->countdown == 0) {
        f->active = 0;
        return 1;
    }
    return 0;
}

/* Every entry point passes here first. Returns 1 with *hr set when the call must fail. */
static int sim_enter(size_t id, int faultable, int32_t *hr, int *client)
{
    *client = 0;
    zh_mutex_lock(&control_lock);
    if (!exempt_initialised) {
        for (size_t i = 0; i < SIM_ENTRIES; i++) {
            const char *n = entry_name(i);
            /* operations are client-side objects: making, reading and waiting on them
             * needs no service (pending ones fail with HCS_E_SERVICE_DISCONNECT) */
            bool op_local = strstr(n, "Operation") && !strstr(n, "Cancel") && !strstr(n, "AddResource");
            exempt[i] = strstr(n, "Close") || strstr(n, "Unregister") || strstr(n, "Free") || op_local;
        }
        exempt_initialised = 1;
    }
    calls[id]++;
    uint32_t delay = latency[id];
    int fail = 0;
    if (faultable) {
        /* both counters advance on every call they watch */
        int a = fires(&faults[id]), b = fires(&any_fault);
        if (a)
            *hr = faults[id].hr, fail = 1;
        else if (b)
            *hr = any_fault.hr, fail = 1;
    }
    int is_exempt = exempt[id];
    zh_mutex_unlock(&control_lock);
    if (delay)
        zh_sleep_ms(delay);
    if (!fail && faultable && !is_exempt) {
        sim_world *w = sim_world_get();
        int stopped = 0;
        if (w) {
            zh_mutex_lock(&w->lock);
            stopped = w->stopped;
            zh_mutex_unlock(&w->lock);
        }
        if (!w || stopped) {
            *hr = ZH_E_RPC_SERVER_UNAVAILABLE;
            fail = 1;
        }
    }
    if (!fail) {
        sim_world *w = sim_world_get();
        *client = w && w->client; /* set once at open: no lock needed to read it */
    }
    return fail;
}

int zh_sim_fault(const char *entry, unsigned nth, int32_t hr)
{
    long i = entry ? entry_index(entry) : -2;
    if (i == -1)
        return -1;
    zh_mutex_lock(&control_lock);
    fault *f = i == -2 ? &any_fault : &faults[i];
    f->active = 1;
    f->countdown = nth;
    f->hr = hr;
    zh_mutex_unlock(&control_lock);
    return 0;
}

void zh_sim_fault_clear(void)
{
    zh_mutex_lock(&control_lock);
    memset(faults, 0, sizeof faults);
    memset(&any_fault, 0, sizeof any_fault);
    zh_mutex_unlock(&control_lock);
}

int zh_sim_latency(const char *entry, uint32_t ms)
{
    long i = entry ? entry_index(entry) : -2;
    if (i == -1)
        return -1;
    zh_mutex_lock(&control_lock);
    for (size_t k = 0; k < SIM_ENTRIES; k++)
        if (i == -2 || (long)k == i)
            latency[k] = ms;
    zh_mutex_unlock(&control_lock);
    return 0;
}

uint64_t zh_sim_calls(const char *entry)
{
    long i = entry ? entry_index(entry) : -2;
    if (i == -1)
        return 0;
    uint64_t total = 0;
    zh_mutex_lock(&control_lock);
    for (size_t k = 0; k < SIM_ENTRIES; k++)
        if (i == -2 || (long)k == i)
            total += calls[k];
    zh_mutex_unlock(&control_lock);
    return total;
}

void zh_sim_calls_reset(void)
{
    zh_mutex_lock(&control_lock);
    memset(calls, 0, sizeof calls);
    zh_mutex_unlock(&control_lock);
}

/* ---------------------------------------------------------------- the tables */
/* Every entry point sim_X (sim_hcs.c, sim_hcn.c, sim_storage.c) gets a wrapper w_X that counts the call,
 * applies latency, injected faults and a stopped service, then forwards. Faults apply to
 * entries that return an HRESULT (and to HcsCreateOperation, which then returns NULL). */

#define SIM_CLIENT_CALL_hcs(name, args) (client ? sim_client_hcs.name args : sim_##name args)
#define SIM_CLIENT_CALL_hcn(name, args) (client ? sim_client_hcn.name args : sim_##name args)
/* container storage works on the layers' directories where the caller is, service or not */
#define SIM_CLIENT_CALL_local(name, args) ((void)client, sim_##name args)
#define SIM_CLIENT_CALL_(tbl, name, args) SIM_CLIENT_CALL_##tbl(name, args)
#define WRAP_zh_hresult(name, params, args, id, tbl)                                              \
    static zh_hresult ZH_WINAPI w_##name params                                                   \
    {                                                                                             \
        int32_t hr;                                                                               \
        int client;                                                                               \
        if (sim_enter(id, 1, &hr, &client))                                                       \
            return (zh_hresult)hr;                                                                \
        return SIM_CLIENT_CALL_(tbl, name, args);                                                 \
    }
#define WRAP_zh_hcs_operation(name, params, args, id, tbl)                                        \
    static zh_hcs_operation ZH_WINAPI w_##name params                                             \
    {                                                                                             \
        int32_t hr;                                                                               \
        int client;                                                                               \
        if (sim_enter(id, 1, &hr, &client))                                                       \
            return NULL;                                                                          \
        return SIM_CLIENT_CALL_(tbl, name, args);                                                 \
    }
#define WRAP_void(name, params, args, id, tbl)                                                    \
    static void ZH_WINAPI w_##name params                                                         \
    {                                                                                             \
        int client;                                                                               \
        sim_enter(id, 0, NULL, &client);                                                          \
        SIM_CLIENT_CALL_(tbl, name, args);                                                        \
    }
#define WRAP_PLAIN_(ret, name, params, args, id, tbl)                                             \
    static ret ZH_WINAPI w_##name params                                                          \
    {                                                                                             \
        int client;                                                                               \
        sim_enter(id, 0, NULL, &client);                                                          \
        return SIM_CLIENT_CALL_(tbl, name, args);                                                 \
    }
#define WRAP_zh_voidp(name, params, args, id, tbl) WRAP_PLAIN_(zh_voidp, name, params, args, id, tbl)
#define WRAP_zh_hcs_system(name, params, args, id, tbl) WRAP_PLAIN_(zh_hcs_system, name, params, args, id, tbl)
#define WRAP_zh_hcs_process(name, params, args, id, tbl) WRAP_PLAIN_(zh_hcs_process, name, params, args, id, tbl)
#define WRAP_zh_hcs_operation_type(name, params, args, id, tbl)                                   \
    WRAP_PLAIN_(zh_hcs_operation_type, name, params, args, id, tbl)
#define WRAP_zh_u64(name, params, args, id, tbl) WRAP_PLAIN_(zh_u64, name, params, args, id, tbl)

#define WRAP_HCS_(ret, name, params, args) WRAP_##ret(name, params, args, ZH_HCS_ID_##name, hcs)
#define WRAP_HCN_(ret, name, params, args) WRAP_##ret(name, params, args, ZH_HCS_ID_COUNT + ZH_HCN_ID_##name, hcn)
ZH_HCS_EXPORTS(WRAP_HCS_)
ZH_HCN_EXPORTS(WRAP_HCN_)
#define WRAP_HCST_(ret, name, params, args) WRAP_##ret(name, params, args, SIM_HCST_BASE + ZH_HCST_ID_##name, local)
ZH_HCST_EXPORTS(WRAP_HCST_)

#define MEMBER_(ret, name, params, args) w_##name,
static const zh_hcs_table hcs_table = {ZH_HCS_EXPORTS(MEMBER_)};
static const zh_hcn_table hcn_table = {ZH_HCN_EXPORTS(MEMBER_)};
static const zh_hcst_table hcst_table = {ZH_HCST_EXPORTS(MEMBER_)};
#undef MEMBER_

const zh_hcs_table *zh_sim_hcs_table(void)
{
    return &hcs_table;
}

const zh_hcn_table *zh_sim_hcn_table(void)
{
    return &hcn_table;
}

const zh_hcst_table *zh_sim_storage_table(void)
{
    return &hcst_table;
}

zh_raw_lib *zh_sim_storage_lib(zh_error **err)
{
    return zh_raw_lib_from_table(&zh_raw_hcst_spec, &hcst_table, zh_sim_free_string, "sim", err);
}

zh_raw_lib *zh_sim_hcs_lib(zh_error **err)
{
    return zh_raw_lib_from_table(&zh_raw_hcs_spec, &hcs_table, zh_sim_free_string, "sim", err);
}

zh_raw_lib *zh_sim_hcn_lib(zh_error **err)
{
    return zh_raw_lib_from_table(&zh_raw_hcn_spec, &hcn_table, zh_sim_free_string, "sim", err);
}

/* ---------------------------------------------------------------- the simulator as one table */
static const zh_sim_api sim_api = {
    ZH_SIM_API_VERSION, zh_sim_open, zh_sim_close, zh_sim_hcs_table, zh_sim_hcn_table, zh_sim_free_string,
    zh_sim_get_adapters, zh_sim_adapters_free, zh_sim_hnscall, zh_sim_storage_table,
};

const zh_sim_api *zh_sim_api_table(void)
{
    return &sim_api;
}

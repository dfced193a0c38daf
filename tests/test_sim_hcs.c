/* SPDX-License-Identifier: MIT */
/* test_sim_hcs.c - the simulated HCS, driven through its raw entry-point table only:
 * operations (results, waits with timeouts, cancel, callbacks, reuse rules), the compute
 * system state machine with its HRESULTs and ResultErrors, events and their drain on
 * close, ShouldTerminateOnLastHandleClosed, enumeration, properties and statistics, the
 * link to the simulated HCN, a stopped service, and processes with real stdio. */
#include <zhcs/schema.h>

#include "zh_hresult.h"
#include "zh_sim.h"
#include "zh_str.h"
#include "zh_thread.h"
#include "zh_utf.h"
#include "zt.h"
#include "zt_layers.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <poll.h>
#include <unistd.h>
#endif

static const zh_hcs_table *T;

static zh_wchar *W(const char *s)
{
    uint16_t *w = NULL;
    if (s && zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, "test", NULL) < 0)
        abort();
    return (zh_wchar *)w;
}

static char *take(zh_wchar *w)
{
    if (!w)
        return NULL;
    char *s = NULL;
    zh_utf16_to_utf8((const uint16_t *)w, ZH_NUL_TERMINATED, &s, NULL, "test", NULL);
    zh_sim_free_string(w);
    return s;
}

static int start(void)
{
    if (zh_sim_open(NULL, NULL) < 0)
        return -1;
    T = zh_sim_hcs_table();
    zh_sim_fault_clear();
    zh_sim_op_delay(NULL, 0);
    zh_sim_latitude_defaults(); /* cases that depend on a latitude choose it */
    return 0;
}

/* containers on a base and a scratch layer (zt_layers.h), as Windows requires */
#define CONTAINER                                                                                                      \
    zt_layered("{\"Owner\":\"test-owner\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"Container\":{@STORAGE@}}")
/* Hyper-V isolated: hosted in a utility VM, so it can be paused, resumed and saved */
#define CONTAINER_HV                                                                                                   \
    zt_layered("{\"Owner\":\"test-owner\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},"                                 \
               "\"HostingSystemId\":\"uvm\",\"Container\":{@STORAGE@}}")

/* Waits for an operation; returns its HRESULT and (optionally) its result document. */
static int32_t wait_op(zh_hcs_operation op, uint32_t ms, char **doc)
{
    zh_wchar *d = NULL;
    int32_t hr = T->HcsWaitForOperationResult(op, ms, &d);
    char *text = take(d);
    if (doc)
        *doc = text;
    else
        free(text);
    return hr;
}

/* Creates a system and waits for the create; returns the handle or NULL with *hr. */
static zh_hcs_system create_system(const char *id, const char *config, int32_t *hr)
{
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_hcs_system sys = NULL;
    zh_wchar *wid = W(id), *cfg = W(config);
    *hr = T->HcsCreateComputeSystem(wid, cfg, op, NULL, &sys);
    free(wid);
    free(cfg);
    if (*hr == 0)
        *hr = wait_op(op, 5000, NULL);
    T->HcsCloseOperation(op);
    return *hr == 0 ? sys : (T->HcsCloseComputeSystem(sys), NULL);
}

typedef zh_hresult(ZH_WINAPI *sys_call)(zh_hcs_system, zh_hcs_operation, const zh_wchar *);

/* Runs a system call with a fresh operation; returns the operation's HRESULT. */
static int32_t call_sys(sys_call fn, zh_hcs_system sys, const char *options, char **doc)
{
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *o = W(options);
    int32_t hr = fn(sys, op, o);
    free(o);
    if (doc)
        *doc = NULL;
    if (hr == 0)
        hr = wait_op(op, 5000, doc);
    T->HcsCloseOperation(op);
    return hr;
}

static char *properties(zh_hcs_system sys, const char *query, int32_t *hr)
{
    char *doc = NULL;
    *hr = call_sys(T->HcsGetComputeSystemProperties, sys, query, &doc);
    return doc;
}

/* ---- events ---- */
typedef struct events {
    zh_mutex lock;
    zh_cond cond;
    int count;
    zh_hcs_event_type types[16];
    char data[16][512];
    uint64_t thread;
} events;

static void events_init(events *e)
{
    memset(e, 0, sizeof *e);
    zh_mutex_init(&e->lock);
    zh_cond_init(&e->cond);
}

static void events_free(events *e)
{
    zh_cond_destroy(&e->cond);
    zh_mutex_destroy(&e->lock);
}

static void ZH_WINAPI on_event(zh_hcs_event *ev, void *ctx)
{
    events *e = ctx;
    char *d = NULL;
    if (ev->EventData)
        zh_utf16_to_utf8((const uint16_t *)ev->EventData, ZH_NUL_TERMINATED, &d, NULL, "event", NULL);
    zh_mutex_lock(&e->lock);
    if (e->count < 16) {
        e->types[e->count] = ev->Type;
        snprintf(e->data[e->count], sizeof e->data[0], "%s", d ? d : "");
        e->count++;
    }
    e->thread = zh_thread_self_id();
    zh_cond_broadcast(&e->cond);
    zh_mutex_unlock(&e->lock);
    free(d);
}

static int wait_events(events *e, int n)
{
    uint64_t deadline = zh_monotonic_ns() + 5000000000ull;
    zh_mutex_lock(&e->lock);
    while (e->count < n && zh_cond_wait_until(&e->cond, &e->lock, deadline) == 0) {
    }
    int got = e->count;
    zh_mutex_unlock(&e->lock);
    return got;
}

/* ---- cases ---- */
static void operations_report_their_state(void)
{
    ZT_REQUIRE(start() == 0);
    int ctx = 7;
    zh_hcs_operation op = T->HcsCreateOperation(&ctx, NULL);
    ZT_REQUIRE(op != NULL);
    ZT_CHECK(T->HcsGetOperationContext(op) == &ctx);
    ZT_EQ_HEX(T->HcsSetOperationContext(op, NULL), 0);
    ZT_CHECK(T->HcsGetOperationContext(op) == NULL);
    ZT_CHECK(T->HcsGetOperationId(op) != (zh_u64)-1);
    ZT_EQ_INT(T->HcsGetOperationType(op), HcsOperationTypeNone);
    zh_wchar *doc = NULL;
    ZT_EQ_HEX(T->HcsWaitForOperationResult(op, 10, &doc), HCS_E_OPERATION_NOT_STARTED);
    ZT_EQ_HEX(T->HcsGetOperationResult(op, &doc), HCS_E_OPERATION_NOT_STARTED);

    /* pending, then done */
    zh_sim_op_delay("HcsEnumerateComputeSystems", 150);
    ZT_EQ_HEX(T->HcsEnumerateComputeSystems(NULL, op), 0);
    ZT_EQ_INT(T->HcsGetOperationType(op), HcsOperationTypeEnumerate);
    ZT_EQ_HEX(T->HcsGetOperationResult(op, &doc), HCS_E_OPERATION_PENDING);
    ZT_EQ_HEX(T->HcsEnumerateComputeSystems(NULL, op), HCS_E_OPERATION_ALREADY_STARTED); /* concurrent reuse */
    ZT_EQ_HEX(T->HcsWaitForOperationResult(op, 20, &doc), HCS_E_OPERATION_TIMEOUT);
    ZT_CHECK(doc == NULL);
    char *list = NULL;
    ZT_EQ_HEX(wait_op(op, 5000, &list), 0);
    ZT_EQ_STR(list, "[]");
    free(list);
    /* sequential reuse after completion works */
    zh_sim_op_delay(NULL, 0);
    ZT_EQ_HEX(T->HcsEnumerateComputeSystems(NULL, op), 0);
    ZT_EQ_HEX(wait_op(op, 5000, NULL), 0);
    T->HcsCloseOperation(op);
    T->HcsCloseOperation(op); /* a closed operation: ignored, no crash */
    zh_sim_close();
}

static void a_container_goes_through_its_states(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcs_system sys = create_system("web-1", CONTAINER_HV, &hr);
    ZT_EQ_HEX(hr, 0);
    ZT_REQUIRE(sys != NULL);
    events ev;
    events_init(&ev);
    ZT_EQ_HEX(T->HcsSetComputeSystemCallback(sys, HcsEventOptionNone, &ev, on_event), 0);
    ZT_EQ_HEX(T->HcsSetComputeSystemCallback(sys, HcsEventOptionNone, &ev, on_event),
              HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET);

    char *p = properties(sys, NULL, &hr);
    ZT_EQ_HEX(hr, 0);
    ZT_CONTAINS(p, "\"State\":\"Created\"");
    ZT_CONTAINS(p, "\"Owner\":\"test-owner\"");
    ZT_CONTAINS(p, "\"SystemType\":\"Container\"");
    free(p);

    /* not started yet: pause is invalid, with a ResultError */
    char *doc = NULL;
    ZT_EQ_HEX(call_sys(T->HcsPauseComputeSystem, sys, NULL, &doc), HCS_E_INVALID_STATE);
    ZT_CONTAINS(doc, "\"Error\":-2143878907");
    ZT_CONTAINS(doc, "not valid in the system's current state (Created)");
    free(doc);

    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), HCS_E_INVALID_STATE);
    zh_sleep_ms(20);
    p = properties(sys, "{\"PropertyTypes\":[\"Statistics\"]}", &hr);
    zhcs_Properties *a = zhcs_Properties_parse(p, ZHCS_NUL_TERMINATED, NULL);
    free(p);
    zh_sleep_ms(20);
    p = properties(sys, "{\"PropertyTypes\":[\"Statistics\"]}", &hr);
    zhcs_Properties *b = zhcs_Properties_parse(p, ZHCS_NUL_TERMINATED, NULL);
    free(p);
    ZT_REQUIRE(a && b && a->Statistics && b->Statistics && a->Statistics->Processor && b->Statistics->Processor);
    ZT_EQ_INT(a->State, ZHCS_STATE_RUNNING);
    ZT_CHECK(b->Statistics->Uptime100ns > a->Statistics->Uptime100ns); /* counters advance */
    ZT_CHECK(b->Statistics->Processor->TotalRuntime100ns > a->Statistics->Processor->TotalRuntime100ns);
    zhcs_Properties_free(a);
    zhcs_Properties_free(b);

    ZT_EQ_HEX(call_sys(T->HcsPauseComputeSystem, sys, NULL, NULL), 0);
    ZT_EQ_HEX(call_sys(T->HcsPauseComputeSystem, sys, NULL, NULL), HCS_E_INVALID_STATE);
    ZT_EQ_HEX(call_sys(T->HcsResumeComputeSystem, sys, NULL, NULL), 0);
    ZT_EQ_HEX(call_sys(T->HcsShutDownComputeSystem, sys, "{\"Mechanism\":\"Bogus\",\"NotAnOption\":1}", NULL), 0);
    ZT_EQ_INT(wait_events(&ev, 1), 1);
    ZT_EQ_INT(ev.types[0], HcsEventSystemExited);
    ZT_CONTAINS(ev.data[0], "\"ExitType\":\"GracefulExit\"");
    ZT_CHECK(ev.thread != zh_thread_self_id()); /* callbacks run on the service's thread */

    zh_wchar *exit = NULL;
    ZT_EQ_HEX(T->HcsWaitForComputeSystemExit(sys, 1000, &exit), 0);
    char *x = take(exit);
    ZT_CONTAINS(x, "GracefulExit");
    free(x);
    /* stopped: the state-changing calls say so; basic queries still work */
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), HCS_E_SYSTEM_ALREADY_STOPPED);
    ZT_EQ_HEX(call_sys(T->HcsShutDownComputeSystem, sys, NULL, NULL), HCS_E_SYSTEM_ALREADY_STOPPED);
    ZT_EQ_HEX(call_sys(T->HcsTerminateComputeSystem, sys, NULL, NULL), HCS_E_SYSTEM_ALREADY_STOPPED);
    p = properties(sys, NULL, &hr);
    ZT_CONTAINS(p, "\"State\":\"Stopped\"");
    free(p);
    free(properties(sys, "{\"PropertyTypes\":[\"Statistics\"]}", &hr));
    ZT_EQ_HEX(hr, 0x80070006); /* stats of a stopped system: ERROR_INVALID_HANDLE, as on Windows */
    /* no final event on close */
    int before = wait_events(&ev, 0);
    T->HcsCloseComputeSystem(sys);
    zh_sleep_ms(20);
    ZT_EQ_INT(wait_events(&ev, 0), before);
    /* stopped and closed: gone */
    zh_hcs_system again = NULL;
    zh_wchar *id = W("web-1");
    ZT_EQ_HEX(T->HcsOpenComputeSystem(id, 0, &again), HCS_E_SYSTEM_NOT_FOUND);
    free(id);
    events_free(&ev);
    zh_sim_close();
}

static void create_checks_the_document_and_the_network(void)
{
    ZT_REQUIRE(start() == 0);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_hcs_system sys = NULL;
    zh_wchar *id = W("bad"), *cfg = W("{\"Container\":{\"Storage\":{\"Layers\":7}}}");
    ZT_EQ_HEX(T->HcsCreateComputeSystem(id, cfg, op, NULL, &sys), HCS_E_INVALID_JSON);
    ZT_CHECK(sys == NULL);
    char *doc = NULL;
    ZT_EQ_HEX(wait_op(op, 1000, &doc), HCS_E_INVALID_JSON); /* the operation says so too */
    ZT_CONTAINS(doc, "$.Container.Storage.Layers: expected an array of Layer");
    free(doc);
    free(cfg);
    cfg = W("{\"Owner\":\"x\"}");
    ZT_EQ_HEX(T->HcsCreateComputeSystem(id, cfg, op, NULL, &sys), HCS_E_INVALID_JSON);
    ZT_EQ_HEX(wait_op(op, 1000, &doc), HCS_E_INVALID_JSON);
    ZT_CONTAINS(doc, "neither a Container nor a VirtualMachine");
    free(doc);
    free(cfg);
    free(id);

    int32_t hr;
    zh_hcs_system a = create_system("dup", CONTAINER, &hr);
    ZT_REQUIRE(a != NULL);
    ZT_CHECK(create_system("dup", CONTAINER, &hr) == NULL);
    ZT_EQ_HEX(hr, HCS_E_SYSTEM_ALREADY_EXISTS);

    /* a container naming an HCN namespace: checked against the same simulated world */
    const char *netcfg =
        zt_layered("{\"Container\":{@STORAGE@,\"Networking\":{\"Namespace\":\"6a3c1f2e-1b2c-4d5e-8f90-a1b2c3d4e5f6\"}}}");
    ZT_CHECK(create_system("net", netcfg, &hr) == NULL);
    ZT_EQ_HEX(hr, 0x80070490);
    const zh_hcn_table *N = zh_sim_hcn_table();
    zh_guid g;
    zh_raw_guid rg;
    zh_guid_parse("6a3c1f2e-1b2c-4d5e-8f90-a1b2c3d4e5f6", &g, NULL);
    memcpy(&rg, &g, sizeof rg);
    zh_hcn_namespace ns = NULL;
    zh_wchar *nscfg = W("{}");
    ZT_EQ_HEX(N->HcnCreateNamespace(&rg, nscfg, &ns, NULL), 0);
    free(nscfg);
    zh_hcs_system b = create_system("net", netcfg, &hr);
    ZT_EQ_HEX(hr, 0);
    T->HcsCloseComputeSystem(b);
    N->HcnCloseNamespace(ns);
    T->HcsCloseComputeSystem(a);
    T->HcsCloseOperation(op);
    zh_sim_close();
}

struct completion_probe {
    zh_mutex lock;
    zh_cond cond;
    int calls;
    uint64_t thread;
    void *ctx_seen;
    int close_inside;
};

static void ZH_WINAPI on_complete(zh_hcs_operation op, void *ctx)
{
    struct completion_probe *c = ctx;
    zh_mutex_lock(&c->lock);
    c->calls++;
    c->thread = zh_thread_self_id();
    c->ctx_seen = ctx;
    int close_it = c->close_inside;
    zh_cond_broadcast(&c->cond);
    zh_mutex_unlock(&c->lock);
    if (close_it)
        T->HcsCloseOperation(op); /* allowed from inside its own callback */
}

static void completion_callbacks_and_system_operation_events(void)
{
    ZT_REQUIRE(start() == 0);
    struct completion_probe c;
    memset(&c, 0, sizeof c);
    zh_mutex_init(&c.lock);
    zh_cond_init(&c.cond);
    c.close_inside = 1;
    zh_hcs_operation op = T->HcsCreateOperation(&c, on_complete);
    zh_wchar *id = W("cb"), *cfg = W(CONTAINER);
    zh_hcs_system sys = NULL;
    ZT_EQ_HEX(T->HcsCreateComputeSystem(id, cfg, op, NULL, &sys), 0);
    free(id);
    free(cfg);
    uint64_t deadline = zh_monotonic_ns() + 5000000000ull;
    zh_mutex_lock(&c.lock);
    while (c.calls == 0 && zh_cond_wait_until(&c.cond, &c.lock, deadline) == 0) {
    }
    zh_mutex_unlock(&c.lock);
    ZT_EQ_INT(c.calls, 1);
    ZT_CHECK(c.ctx_seen == &c);
    ZT_CHECK(c.thread != zh_thread_self_id());

    /* with operation callbacks enabled on the system, completions come as events */
    events ev;
    events_init(&ev);
    ZT_EQ_HEX(T->HcsSetComputeSystemCallback(sys, HcsEventOptionEnableOperationCallbacks, &ev, on_event), 0);
    zh_hcs_operation own = T->HcsCreateOperation(&c, on_complete);
    ZT_EQ_HEX(T->HcsStartComputeSystem(sys, own, NULL), HCS_E_OPERATION_SYSTEM_CALLBACK_ALREADY_SET);
    T->HcsCloseOperation(own);
    zh_hcs_operation plain = T->HcsCreateOperation(NULL, NULL);
    ZT_EQ_HEX(T->HcsStartComputeSystem(sys, plain, NULL), 0);
    ZT_EQ_INT(wait_events(&ev, 1), 1);
    ZT_EQ_INT(ev.types[0], HcsEventOperationCallback);
    ZT_EQ_HEX(wait_op(plain, 1000, NULL), 0);
    T->HcsCloseOperation(plain);
    T->HcsCloseComputeSystem(sys);
    events_free(&ev);
    zh_cond_destroy(&c.cond);
    zh_mutex_destroy(&c.lock);
    zh_sim_close();
}

/* A completion callback that takes its time, recording when it started and finished. */
struct slow_probe {
    zh_atomic started;
    zh_atomic finished;
};

static void ZH_WINAPI slow_complete(zh_hcs_operation op, void *ctx)
{
    (void)op;
    struct slow_probe *p = ctx;
    zh_atomic_store(&p->started, 1);
    zh_sleep_ms(200);
    zh_atomic_store(&p->finished, 1);
}

static void closing_an_operation_waits_for_its_callback(void)
{
    ZT_REQUIRE(start() == 0);
    zh_sim_latitude(ZH_SIM_LAT_CLOSE_WAITS, 1);
    struct slow_probe p;
    zh_atomic_init(&p.started, 0);
    zh_atomic_init(&p.finished, 0);
    zh_hcs_operation op = T->HcsCreateOperation(&p, slow_complete);
    zh_wchar *id = W("slow-cb"), *cfg = W(CONTAINER);
    zh_hcs_system sys = NULL;
    ZT_EQ_HEX(T->HcsCreateComputeSystem(id, cfg, op, NULL, &sys), 0);
    free(id);
    free(cfg);
    for (int i = 0; i < 500 && !zh_atomic_load(&p.started); i++)
        zh_sleep_ms(10);
    ZT_REQUIRE(zh_atomic_load(&p.started) == 1);
    T->HcsCloseOperation(op); /* from another thread: returns after the callback did */
    ZT_EQ_INT(zh_atomic_load(&p.finished), 1);
    T->HcsCloseComputeSystem(sys);
    zh_sim_close();
}

static void timeouts_and_cancellation(void)
{
    ZT_REQUIRE(start() == 0);
    zh_sim_latitude(ZH_SIM_LAT_CANCEL, 1);
    int32_t hr;
    zh_hcs_system sys = create_system("slow", CONTAINER, &hr);
    ZT_REQUIRE(sys != NULL);
    zh_sim_op_delay("HcsStartComputeSystem", 300);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    ZT_EQ_HEX(T->HcsStartComputeSystem(sys, op, NULL), 0);
    ZT_EQ_HEX(wait_op(op, 30, NULL), HCS_E_OPERATION_TIMEOUT);
    ZT_EQ_HEX(T->HcsCancelOperation(op), 0);
    ZT_EQ_HEX(wait_op(op, 1000, NULL), 0x800704C7); /* ERROR_CANCELLED */
    char *p = properties(sys, NULL, &hr);
    ZT_CONTAINS(p, "\"State\":\"Created\""); /* the start never happened */
    free(p);
    ZT_EQ_HEX(T->HcsCancelOperation(op), 0); /* done already: nothing to cancel */
    /* a slow operation closed while in flight: its result is discarded, nothing leaks */
    ZT_EQ_HEX(T->HcsStartComputeSystem(sys, op, NULL), 0);
    T->HcsCloseOperation(op);
    zh_sleep_ms(400);
    zh_sim_op_delay(NULL, 0);
    p = properties(sys, NULL, &hr);
    ZT_CONTAINS(p, "\"State\":\"Running\"");
    free(p);
    zh_hcs_operation idle = T->HcsCreateOperation(NULL, NULL);
    ZT_EQ_HEX(T->HcsCancelOperation(idle), HCS_E_OPERATION_NOT_STARTED);
    T->HcsCloseOperation(idle);
    T->HcsCloseComputeSystem(sys);
    zh_sim_close();
}

static void the_last_handle_can_terminate_the_system(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    const char *cfg = zt_layered("{\"ShouldTerminateOnLastHandleClosed\":true,\"Container\":{@STORAGE@}}");
    zh_hcs_system sys = create_system("ephemeral", cfg, &hr);
    ZT_REQUIRE(sys != NULL);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
    zh_hcs_system second = NULL;
    zh_wchar *id = W("ephemeral");
    ZT_EQ_HEX(T->HcsOpenComputeSystem(id, 0, &second), 0);
    T->HcsCloseComputeSystem(sys);
    char *p = properties(second, NULL, &hr); /* one handle left: still running */
    ZT_CONTAINS(p, "\"State\":\"Running\"");
    free(p);
    T->HcsCloseComputeSystem(second);
    zh_hcs_system gone = NULL;
    ZT_EQ_HEX(T->HcsOpenComputeSystem(id, 0, &gone), HCS_E_SYSTEM_NOT_FOUND);
    free(id);

    /* without the flag, a running system outlives its handles */
    sys = create_system("lasting", CONTAINER, &hr);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
    T->HcsCloseComputeSystem(sys);
    id = W("lasting");
    ZT_EQ_HEX(T->HcsOpenComputeSystem(id, 0, &sys), 0);
    free(id);
    ZT_EQ_HEX(call_sys(T->HcsTerminateComputeSystem, sys, NULL, NULL), 0);
    T->HcsCloseComputeSystem(sys);
    zh_sim_close();
}

static void enumeration_filters(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcs_system a = create_system("a", zt_layered("{\"Owner\":\"alpha\",\"Container\":{@STORAGE@}}"), &hr);
    zh_hcs_system b = create_system("b", "{\"Owner\":\"beta\",\"VirtualMachine\":{}}", &hr);
    ZT_REQUIRE(a && b);
    struct { const char *q; const char *want; const char *not_want; } cases[] = {
        {"{\"Owners\":[\"alpha\"]}", "\"Id\":\"a\"", "\"Id\":\"b\""},
        {"{\"Owners\":[\"alph\"]}", NULL, "\"Id\""}, /* exact owner, not a prefix */
        {"{\"Types\":[\"VirtualMachine\"]}", "\"Id\":\"b\"", "\"Id\":\"a\""},
        {"{\"Ids\":[\"A\",\"zzz\"]}", "\"Id\":\"a\"", "\"Id\":\"b\""},
        {"", "\"Id\":\"a\"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
        zh_wchar *q = cases[i].q[0] ? W(cases[i].q) : NULL;
        ZT_EQ_HEX(T->HcsEnumerateComputeSystems(q, op), 0);
        char *doc = NULL;
        ZT_EQ_HEX(wait_op(op, 1000, &doc), 0);
        if (cases[i].want)
            ZT_CONTAINS(doc, cases[i].want);
        if (cases[i].not_want && doc && strstr(doc, cases[i].not_want))
            ZT_FAIL_("query %s returned %s", cases[i].q, doc);
        free(doc);
        free(q);
        T->HcsCloseOperation(op);
    }
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *q = W("{\"Owners\":\"alpha\"}");
    ZT_EQ_HEX(T->HcsEnumerateComputeSystems(q, op), 0);
    ZT_EQ_HEX(wait_op(op, 1000, NULL), HCS_E_INVALID_JSON);
    free(q);
    T->HcsCloseOperation(op);
    T->HcsCloseComputeSystem(a);
    T->HcsCloseComputeSystem(b);
    zh_sim_close();
}

static void crash_reports_and_service_disconnect(void)
{
    ZT_REQUIRE(start() == 0);
    zh_sim_latitude(ZH_SIM_LAT_CALLBACKS, 1); /* in order */
    int32_t hr;
    zh_hcs_system sys = create_system("crashy", "{\"VirtualMachine\":{}}", &hr);
    events ev;
    events_init(&ev);
    ZT_EQ_HEX(T->HcsSetComputeSystemCallback(sys, HcsEventOptionNone, &ev, on_event), 0);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
    ZT_EQ_HEX(call_sys(T->HcsCrashComputeSystem, sys, "{\"Type\":\"CrashGuest\"}", NULL), 0);
    ZT_EQ_INT(wait_events(&ev, 3), 3);
    ZT_EQ_INT(ev.types[0], HcsEventSystemCrashInitiated);
    ZT_CONTAINS(ev.data[0], "\"SystemId\":\"crashy\""); /* HCS_EVENT: a CrashReport */
    ZT_EQ_INT(ev.types[1], HcsEventSystemCrashReport);
    ZT_CONTAINS(ev.data[1], "\"SystemId\":\"crashy\"");
    ZT_EQ_INT(ev.types[2], HcsEventSystemExited);
    ZT_CONTAINS(ev.data[2], "UnexpectedExit");
    T->HcsCloseComputeSystem(sys);
    events_free(&ev);

    /* stopping the service: a listener hears ServiceDisconnect, a pending operation fails */
    sys = create_system("lonely", CONTAINER, &hr);
    events_init(&ev);
    ZT_EQ_HEX(T->HcsSetComputeSystemCallback(sys, HcsEventOptionNone, &ev, on_event), 0);
    struct completion_probe c;
    memset(&c, 0, sizeof c);
    zh_mutex_init(&c.lock);
    zh_cond_init(&c.cond);
    zh_sim_op_delay("HcsStartComputeSystem", 5000);
    zh_hcs_operation op = T->HcsCreateOperation(&c, on_complete);
    ZT_EQ_HEX(T->HcsStartComputeSystem(sys, op, NULL), 0);
    zh_sim_stop_service();
    ZT_CHECK(wait_events(&ev, 1) >= 1);
    ZT_EQ_INT(ev.types[0], HcsEventServiceDisconnect);
    uint64_t deadline = zh_monotonic_ns() + 5000000000ull;
    zh_mutex_lock(&c.lock);
    while (c.calls == 0 && zh_cond_wait_until(&c.cond, &c.lock, deadline) == 0) {
    }
    zh_mutex_unlock(&c.lock);
    ZT_EQ_INT(c.calls, 1); /* the pending operation completed, at once */
    ZT_EQ_HEX(T->HcsStartComputeSystem(sys, op, NULL), 0x800706BA);
    T->HcsCloseOperation(op);
    T->HcsCloseComputeSystem(sys);
    events_free(&ev);
    zh_cond_destroy(&c.cond);
    zh_mutex_destroy(&c.lock);
    zh_sim_close();
}

struct waiter {
    zh_hcs_system sys;
    int32_t hr;
};

static void wait_exit_thread(void *arg)
{
    struct waiter *w = arg;
    zh_wchar *r = NULL;
    w->hr = T->HcsWaitForComputeSystemExit(w->sys, 0xFFFFFFFFu, &r);
    zh_sim_free_string(r);
}

static void ZH_WINAPI slow_event(zh_hcs_event *ev, void *ctx)
{
    (void)ev;
    int *count = ctx;
    zh_sleep_ms(1);
    (*count)++; /* only ever touched by the service's thread */
}

static void close_races_with_waits_and_callbacks(void)
{
    ZT_REQUIRE(start() == 0);
    zh_sim_latitude(ZH_SIM_LAT_CLOSE_WAITS, 1);
    int32_t hr;
    zh_hcs_system sys = create_system("race", CONTAINER, &hr);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
    struct waiter w = {sys, 0};
    zh_thread *t;
    ZT_REQUIRE(zh_thread_start(&t, wait_exit_thread, &w, NULL) == 0);
    zh_sleep_ms(30);
    T->HcsCloseComputeSystem(sys); /* wakes the waiter */
    zh_thread_join(t);
    ZT_EQ_HEX(w.hr, 0x80070006);

    /* close while exit events are being delivered: after close returns, no callback runs */
    for (int i = 0; i < 200; i++) {
        char id[32];
        snprintf(id, sizeof id, "r%d", i);
        zh_hcs_system s2 = create_system(id, CONTAINER, &hr);
        int count = 0;
        ZT_EQ_HEX(T->HcsSetComputeSystemCallback(s2, HcsEventOptionNone, &count, slow_event), 0);
        zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
        T->HcsStartComputeSystem(s2, op, NULL);
        wait_op(op, 1000, NULL);
        T->HcsTerminateComputeSystem(s2, op, NULL);
        if (i % 2)
            zh_sleep_ms(1);
        T->HcsCloseComputeSystem(s2);
        int after = count;
        zh_sleep_ms(i % 50 == 0 ? 5 : 0);
        if (count != after)
            ZT_FAIL_("a callback ran after close returned (iteration %d)", i);
        wait_op(op, 1000, NULL);
        T->HcsCloseOperation(op);
    }
    zh_sim_close();
}

/* ---- processes ---- */
static void host_close(zh_handle h)
{
    if (!h)
        return;
#ifdef _WIN32
    CloseHandle(h);
#else
    close((int)(intptr_t)h);
#endif
}

#ifdef _WIN32
/* I/O with an OVERLAPPED: the host ends are overlapped handles by default (a latitude makes
 * them synchronous), and this is right for both. */
static BOOL win_io(HANDLE h, void *buf, DWORD size, DWORD *done, int write)
{
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    BOOL ok = write ? WriteFile(h, buf, size, NULL, &ov) : ReadFile(h, buf, size, NULL, &ov);
    if (ok || GetLastError() == ERROR_IO_PENDING)
        ok = GetOverlappedResult(h, &ov, done, ok ? FALSE : TRUE);
    CloseHandle(ov.hEvent);
    return ok;
}
#endif

static int host_write(zh_handle h, const char *s)
{
#ifdef _WIN32
    DWORD n = 0;
    return win_io(h, (void *)s, (DWORD)strlen(s), &n, 1) ? 0 : -1;
#else
    return write((int)(intptr_t)h, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
#endif
}

/* Reads both pipes to their end concurrently (one thread, polling), so neither fills. */
static void host_read_all(zh_handle out, zh_handle err, zh_buf *o, zh_buf *e)
{
    char buf[65536];
    int open_out = out != NULL, open_err = err != NULL;
    uint64_t deadline = zh_monotonic_ms() + 20000;
    while ((open_out || open_err) && zh_monotonic_ms() < deadline) {
        for (int k = 0; k < 2; k++) {
            zh_handle h = k ? err : out;
            int *open = k ? &open_err : &open_out;
            if (!*open)
                continue;
#ifdef _WIN32
            DWORD avail = 0;
            if (!PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL)) {
                *open = 0;
                continue;
            }
            if (!avail)
                continue;
            DWORD n = 0;
            if (!win_io(h, buf, avail < sizeof buf ? avail : (DWORD)sizeof buf, &n, 0)) {
                *open = 0;
                continue;
            }
            zh_buf_append(k ? e : o, buf, n);
#else
            struct pollfd p = {(int)(intptr_t)h, POLLIN, 0};
            if (poll(&p, 1, 5) <= 0)
                continue;
            ssize_t n = read((int)(intptr_t)h, buf, sizeof buf);
            if (n <= 0)
                *open = 0;
            else
                zh_buf_append(k ? e : o, buf, (size_t)n);
#endif
        }
#ifdef _WIN32
        Sleep(1);
#endif
    }
}

typedef struct proc_run {
    zh_hcs_process proc;
    zh_hcs_process_information pi;
    int32_t hr;
} proc_run;

static proc_run spawn(zh_hcs_system sys, const char *params)
{
    proc_run r;
    memset(&r, 0, sizeof r);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *p = W(params);
    r.hr = T->HcsCreateProcess(sys, p, op, NULL, &r.proc);
    free(p);
    if (r.hr == 0) {
        zh_wchar *doc = NULL;
        r.hr = T->HcsWaitForOperationResultAndProcessInfo(op, 5000, &r.pi, &doc);
        zh_sim_free_string(doc);
    }
    T->HcsCloseOperation(op);
    return r;
}

static zhcs_ProcessStatus *wait_process(zh_hcs_process proc, int32_t *hr)
{
    zh_wchar *doc = NULL;
    *hr = T->HcsWaitForProcessExit(proc, 10000, &doc);
    char *s = take(doc);
    zhcs_ProcessStatus *st = s ? zhcs_ProcessStatus_parse(s, ZHCS_NUL_TERMINATED, NULL) : NULL;
    free(s);
    return st;
}

static int32_t proc_call(zh_hresult(ZH_WINAPI *fn)(zh_hcs_process, zh_hcs_operation, const zh_wchar *),
                         zh_hcs_process proc, const char *arg)
{
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *a = W(arg);
    int32_t hr = fn(proc, op, a);
    free(a);
    if (hr == 0)
        hr = wait_op(op, 5000, NULL);
    T->HcsCloseOperation(op);
    return hr;
}

static void processes_run_with_stdio_and_exit_codes(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcs_system sys = create_system("procs", CONTAINER, &hr);
    ZT_REQUIRE(sys != NULL);
    /* not running yet */
    proc_run r = spawn(sys, "{\"CommandLine\":\"cmd /c echo hi\"}");
    ZT_EQ_HEX(r.hr, HCS_E_INVALID_STATE);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);

    /* echo: output, exit 0, a ProcessExited event */
    events ev;
    events_init(&ev);
    r = spawn(sys, "{\"CommandLine\":\"cmd /c echo hello world\",\"CreateStdOutPipe\":true,\"CreateStdErrPipe\":true}");
    ZT_EQ_HEX(r.hr, 0);
    ZT_REQUIRE(r.proc && r.pi.StdOutput && r.pi.StdError && !r.pi.StdInput);
    ZT_CHECK(r.pi.ProcessId != 0);
    zh_buf o = ZH_BUF_INIT(0), e = ZH_BUF_INIT(0);
    host_read_all(r.pi.StdOutput, r.pi.StdError, &o, &e);
    ZT_EQ_STR(o.data, "hello world\r\n");
    ZT_CHECK(e.len == 0);
    zhcs_ProcessStatus *st = wait_process(r.proc, &hr);
    ZT_REQUIRE(st != NULL);
    ZT_CHECK(st->Exited && st->ExitCode == 0 && st->LastWaitResult == 0);
    zhcs_ProcessStatus_free(st);
    /* the callback registered after the exit: status is still there through the queries */
    char *doc = NULL;
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    ZT_EQ_HEX(T->HcsGetProcessProperties(r.proc, op, NULL), 0);
    ZT_EQ_HEX(wait_op(op, 1000, &doc), 0);
    ZT_CONTAINS(doc, "\"Exited\":true");
    free(doc);
    T->HcsCloseOperation(op);
    /* killing an exited process: PROCESS_ALREADY_STOPPED (the wrappers call that success) */
    ZT_EQ_HEX(proc_call(T->HcsTerminateProcess, r.proc, NULL), HCS_E_PROCESS_ALREADY_STOPPED);
    host_close(r.pi.StdOutput);
    host_close(r.pi.StdError);
    T->HcsCloseProcess(r.proc);
    zh_buf_free(&o);
    zh_buf_free(&e);

    /* exit codes, and cmd.exe's answer to an unknown command */
    r = spawn(sys, "{\"CommandLine\":\"cmd /c exit 42\"}");
    st = wait_process(r.proc, &hr);
    ZT_CHECK(st && st->ExitCode == 42);
    zhcs_ProcessStatus_free(st);
    T->HcsCloseProcess(r.proc);
    r = spawn(sys, "{\"CommandLine\":\"frobnicate.exe --now\",\"CreateStdErrPipe\":true}");
    host_read_all(NULL, r.pi.StdError, &o, &e);
    ZT_CONTAINS(e.data, "'frobnicate' is not recognized as an internal or external command");
    st = wait_process(r.proc, &hr);
    ZT_CHECK(st && st->ExitCode == 9009);
    zhcs_ProcessStatus_free(st);
    host_close(r.pi.StdError);
    T->HcsCloseProcess(r.proc);
    zh_buf_free(&e);

    /* stdin to stdout until stdin is closed through HcsModifyProcess */
    r = spawn(sys, "{\"CommandLine\":\"more\",\"CreateStdInPipe\":true,\"CreateStdOutPipe\":true}");
    ZT_REQUIRE(r.hr == 0 && r.pi.StdInput && r.pi.StdOutput);
    ZT_EQ_INT(host_write(r.pi.StdInput, "line one\r\nline two\r\n"), 0);
    zh_sleep_ms(50);
    ZT_EQ_HEX(proc_call(T->HcsModifyProcess, r.proc, "{\"Operation\":\"CloseHandle\",\"CloseHandle\":{\"Handle\":\"StdIn\"}}"), 0);
    host_read_all(r.pi.StdOutput, NULL, &o, &e);
    ZT_EQ_STR(o.data, "line one\r\nline two\r\n");
    st = wait_process(r.proc, &hr);
    ZT_CHECK(st && st->ExitCode == 0);
    zhcs_ProcessStatus_free(st);
    ZT_EQ_HEX(proc_call(T->HcsModifyProcess, r.proc, "{\"Operation\":\"Nope\"}"), HCS_E_INVALID_JSON);
    host_close(r.pi.StdInput);
    host_close(r.pi.StdOutput);
    T->HcsCloseProcess(r.proc);
    zh_buf_free(&o);

    /* ping -t runs until CtrlC; it shows in the ProcessList meanwhile; OpenProcess finds it */
    r = spawn(sys, "{\"CommandLine\":\"ping -t localhost\",\"CreateStdOutPipe\":true}");
    ZT_EQ_HEX(T->HcsSetProcessCallback(r.proc, HcsEventOptionNone, &ev, on_event), 0);
    char *p = properties(sys, "{\"PropertyTypes\":[\"ProcessList\"]}", &hr);
    ZT_CONTAINS(p, "\"ImageName\":\"ping\"");
    free(p);
    zh_hcs_process again = NULL, none = NULL;
    ZT_EQ_HEX(T->HcsOpenProcess(sys, r.pi.ProcessId, 0, &again), 0);
    ZT_EQ_HEX(T->HcsOpenProcess(sys, 99999, 0, &none), 0x80070490); /* ERROR_NOT_FOUND */
    ZT_CHECK(none == NULL);
    ZT_EQ_HEX(proc_call(T->HcsSignalProcess, r.proc, "{\"Signal\":\"CtrlC\"}"), 0);
    st = wait_process(again, &hr);
    ZT_CHECK(st && st->ExitCode == 0xC000013Au);
    zhcs_ProcessStatus_free(st);
    ZT_EQ_INT(wait_events(&ev, 1), 1);
    ZT_EQ_INT(ev.types[0], HcsEventProcessExited);
    ZT_CONTAINS(ev.data[0], "\"ExitCode\":3221225786");
    host_read_all(r.pi.StdOutput, NULL, &o, &e);
    ZT_CONTAINS(o.data, "Reply from 127.0.0.1");
    ZT_CONTAINS(o.data, "Control-C");
    host_close(r.pi.StdOutput);
    T->HcsCloseProcess(again);
    T->HcsCloseProcess(r.proc);
    zh_buf_free(&o);

    /* terminate: exit code 1; a second kill: already stopped */
    r = spawn(sys, "{\"CommandLine\":\"timeout /t 30\"}");
    ZT_EQ_HEX(proc_call(T->HcsTerminateProcess, r.proc, NULL), 0);
    st = wait_process(r.proc, &hr);
    ZT_CHECK(st && st->ExitCode == 1);
    zhcs_ProcessStatus_free(st);
    ZT_EQ_HEX(proc_call(T->HcsTerminateProcess, r.proc, NULL), HCS_E_PROCESS_ALREADY_STOPPED);
    T->HcsCloseProcess(r.proc);

    /* megabytes on both pipes, read concurrently */
    r = spawn(sys, "{\"CommandLine\":\"zhsim-write stdout=3000000 stderr=2000000 exit=3\",\"CreateStdOutPipe\":true,"
                   "\"CreateStdErrPipe\":true}");
    host_read_all(r.pi.StdOutput, r.pi.StdError, &o, &e);
    ZT_EQ_INT(o.len, 3000000);
    ZT_EQ_INT(e.len, 2000000);
    st = wait_process(r.proc, &hr);
    ZT_CHECK(st && st->ExitCode == 3);
    zhcs_ProcessStatus_free(st);
    host_close(r.pi.StdOutput);
    host_close(r.pi.StdError);
    T->HcsCloseProcess(r.proc);
    zh_buf_free(&o);
    zh_buf_free(&e);

    /* a running process when the system stops: it exits with the system, and says so
     * (ZH_SIM_LAT_STOPPED_PROCESSES 1; stopped_processes_latitude has the default) */
    zh_sim_latitude(ZH_SIM_LAT_STOPPED_PROCESSES, 1);
    r = spawn(sys, "{\"CommandLine\":\"ping -t localhost\"}");
    ZT_EQ_HEX(call_sys(T->HcsTerminateComputeSystem, sys, NULL, NULL), 0);
    st = wait_process(r.proc, &hr);
    ZT_CHECK(st && st->Exited);
    zhcs_ProcessStatus_free(st);
    T->HcsCloseProcess(r.proc);
    T->HcsCloseComputeSystem(sys);
    events_free(&ev);
    zh_sim_close();
}

static void leftovers_are_freed_at_close(void)
{
    /* handles, operations and running processes a caller forgot: freed by the last close
     * (the sanitizers would report a leak otherwise) */
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcs_system sys = create_system("leak", CONTAINER, &hr);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
    proc_run r = spawn(sys, "{\"CommandLine\":\"ping -t localhost\",\"CreateStdOutPipe\":true}");
    ZT_EQ_HEX(r.hr, 0);
    host_close(r.pi.StdOutput);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_sim_op_delay("HcsPauseComputeSystem", 10000);
    ZT_EQ_HEX(T->HcsPauseComputeSystem(sys, op, NULL), 0);
    zh_sim_close();
    /* and the simulator starts again cleanly */
    ZT_REQUIRE(start() == 0);
    zh_hcs_system again = create_system("leak", CONTAINER, &hr);
    ZT_EQ_HEX(hr, 0);
    T->HcsCloseComputeSystem(again);
    zh_sim_close();
}

/* ---- latitudes: the least kind side of each (the kind side is in the cases above) ---- */
static void stopped_processes_latitude(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcs_system sys = create_system("silent", CONTAINER, &hr);
    ZT_REQUIRE(sys != NULL);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
    proc_run r = spawn(sys, "{\"CommandLine\":\"ping -t localhost\"}");
    ZT_EQ_HEX(r.hr, 0);
    ZT_EQ_HEX(call_sys(T->HcsTerminateComputeSystem, sys, NULL, NULL), 0);
    /* the default: no ProcessExited, and the handle answers E_HANDLE */
    zhcs_ProcessStatus *st = wait_process(r.proc, &hr);
    ZT_EQ_HEX(hr, ZH_E_HANDLE);
    ZT_CHECK(st == NULL);
    zhcs_ProcessStatus_free(st);
    ZT_EQ_HEX(proc_call(T->HcsGetProcessProperties, r.proc, NULL), ZH_E_HANDLE);
    T->HcsCloseProcess(r.proc);
    T->HcsCloseComputeSystem(sys);
    zh_sim_close();
}

static void cancel_and_abandoned_create_latitudes(void)
{
    ZT_REQUIRE(start() == 0);
    /* HcsCancelOperation: E_NOTIMPL by default, and the operation goes on */
    zh_sim_op_delay("HcsCreateComputeSystem", 150);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_hcs_system sys = NULL;
    zh_wchar *id = W("orphan"), *cfg = W(CONTAINER);
    ZT_EQ_HEX(T->HcsCreateComputeSystem(id, cfg, op, NULL, &sys), 0);
    ZT_EQ_HEX(T->HcsCancelOperation(op), ZH_E_NOTIMPL);
    /* the last handle closes mid-create: the create goes on (the default) ... */
    T->HcsCloseComputeSystem(sys);
    T->HcsCloseOperation(op);
    zh_sleep_ms(300);
    zh_hcs_system again = NULL;
    ZT_EQ_HEX(T->HcsOpenComputeSystem(id, 0, &again), 0); /* an orphan, owned by nobody */
    ZT_REQUIRE(again != NULL);
    ZT_EQ_HEX(call_sys(T->HcsTerminateComputeSystem, again, NULL, NULL), 0);
    T->HcsCloseComputeSystem(again);
    /* ... or is aborted (1) */
    zh_sim_latitude(ZH_SIM_LAT_ABANDONED_CREATE, 1);
    op = T->HcsCreateOperation(NULL, NULL);
    ZT_EQ_HEX(T->HcsCreateComputeSystem(id, cfg, op, NULL, &sys), 0);
    T->HcsCloseComputeSystem(sys);
    T->HcsCloseOperation(op);
    zh_sleep_ms(300);
    again = NULL;
    ZT_EQ_HEX(T->HcsOpenComputeSystem(id, 0, &again), HCS_E_SYSTEM_NOT_FOUND);
    free(id);
    free(cfg);
    zh_sim_close();
}

static void ZH_WINAPI count_op(zh_hcs_operation op, void *ctx)
{
    (void)op;
    zh_sleep_ms(30);
    zh_atomic_add((zh_atomic *)ctx, 1);
}

static void callbacks_may_run_after_close(void)
{
    ZT_REQUIRE(start() == 0);
    /* a completion already on its way runs after HcsCloseOperation returned (the default) */
    static zh_atomic ran;
    zh_atomic_init(&ran, 0);
    int seen_late = 0;
    for (int i = 0; i < 20 && !seen_late; i++) {
        zh_hcs_operation op = T->HcsCreateOperation(&ran, count_op);
        zh_wchar *q = W("{}");
        ZT_EQ_HEX(T->HcsEnumerateComputeSystems(q, op), 0);
        free(q);
        zh_sleep_ms(5); /* the completion is on its way, sleeping in the callback */
        int before = zh_atomic_load(&ran);
        T->HcsCloseOperation(op);
        int at_close = zh_atomic_load(&ran);
        zh_sleep_ms(60);
        if (zh_atomic_load(&ran) > at_close && before == at_close)
            seen_late = 1;
    }
    ZT_CHECK(seen_late);
    zh_sim_close();
}

static zh_atomic order_seen; /* 1: an event came before a completion it follows */
static zh_atomic done_first;
static void ZH_WINAPI order_op(zh_hcs_operation op, void *ctx)
{
    (void)op;
    (void)ctx;
    zh_atomic_add(&done_first, 1);
}
static void ZH_WINAPI order_event(zh_hcs_event *ev, void *ctx)
{
    (void)ctx;
    if (ev->Type == HcsEventSystemExited && zh_atomic_load(&done_first) == 0)
        zh_atomic_add(&order_seen, 1);
}

static void callbacks_run_concurrently_in_any_order(void)
{
    ZT_REQUIRE(start() == 0);
    zh_atomic_init(&order_seen, 0);
    int32_t hr;
    for (int i = 0; i < 60 && zh_atomic_load(&order_seen) == 0; i++) {
        char id[32];
        snprintf(id, sizeof id, "order%d", i);
        zh_hcs_system sys = create_system(id, CONTAINER, &hr);
        ZT_REQUIRE(sys != NULL);
        ZT_EQ_HEX(T->HcsSetComputeSystemCallback(sys, HcsEventOptionNone, NULL, order_event), 0);
        ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
        zh_atomic_init(&done_first, 0);
        zh_hcs_operation op = T->HcsCreateOperation(NULL, order_op);
        ZT_EQ_HEX(T->HcsTerminateComputeSystem(sys, op, NULL), 0);
        ZT_EQ_HEX(wait_op(op, 5000, NULL), 0);
        zh_sleep_ms(20);
        T->HcsCloseOperation(op);
        T->HcsCloseComputeSystem(sys);
    }
    /* SystemExited before the terminate's completion callback: allowed, and seen */
    ZT_CHECK(zh_atomic_load(&order_seen) > 0);
    zh_sim_close();
}

static void ws2022_quirk_and_early_exit_latitudes(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcs_system sys = create_system("quirk", CONTAINER, &hr);
    ZT_REQUIRE(sys != NULL);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
    zh_sim_latitude(ZH_SIM_LAT_WS2022_CREATE_PROCESS, 1);
    proc_run r = spawn(sys, "{\"CommandLine\":\"cmd /c echo quirk\",\"CreateStdOutPipe\":true}");
    zh_sim_latitude(ZH_SIM_LAT_WS2022_CREATE_PROCESS, 0);
    ZT_EQ_HEX(r.hr, ZH_E_INVALIDARG);
    ZT_REQUIRE(r.proc != NULL); /* and yet a valid process */
    ZT_CHECK(r.pi.StdOutput == NULL);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    ZT_EQ_HEX(T->HcsGetProcessInfo(r.proc, op), 0);
    zh_hcs_process_information pi;
    memset(&pi, 0, sizeof pi);
    zh_wchar *doc = NULL;
    ZT_EQ_HEX(T->HcsWaitForOperationResultAndProcessInfo(op, 5000, &pi, &doc), 0);
    zh_sim_free_string(doc);
    T->HcsCloseOperation(op);
    ZT_CHECK(pi.ProcessId != 0);
    ZT_REQUIRE(pi.StdOutput != NULL);
    ZT_CHECK(pi.StdInput == NULL); /* not requested */
    zh_buf o = ZH_BUF_INIT(0), e = ZH_BUF_INIT(0);
    host_read_all(pi.StdOutput, NULL, &o, &e);
    ZT_CONTAINS(o.data ? o.data : "", "quirk");
    zh_buf_free(&o);
    zh_buf_free(&e);
    host_close(pi.StdOutput);
    T->HcsCloseProcess(r.proc);

    /* early exit (1): the process is over before HcsCreateProcess returns; a callback
     * registered now hears nothing, but the exit can be asked for */
    zh_sim_latitude(ZH_SIM_LAT_EARLY_EXIT, 1);
    r = spawn(sys, "{\"CommandLine\":\"exit 3\"}");
    ZT_EQ_HEX(r.hr, 0);
    zhcs_ProcessStatus *st = wait_process(r.proc, &hr);
    ZT_CHECK(st && st->ExitCode == 3);
    zhcs_ProcessStatus_free(st);
    T->HcsCloseProcess(r.proc);
    zh_sim_latitude(ZH_SIM_LAT_EARLY_EXIT, 0);
    T->HcsCloseComputeSystem(sys);
    zh_sim_close();
}

static void seeds_pick_and_print_a_combination(void)
{
    ZT_EQ_INT((long long)zh_sim_seed(12345), 12345);
    int a[ZH_SIM_LAT_COUNT];
    for (int i = 0; i < ZH_SIM_LAT_COUNT; i++)
        a[i] = zh_sim_latitude_get((zh_sim_lat)i);
    zh_sim_seed(12345); /* the same seed, the same choice */
    for (int i = 0; i < ZH_SIM_LAT_COUNT; i++)
        ZT_EQ_INT(zh_sim_latitude_get((zh_sim_lat)i), a[i]);
    ZT_EQ_INT(zh_sim_latitude(ZH_SIM_LAT_COUNT, 0), -1);
    ZT_EQ_INT(zh_sim_latitude(ZH_SIM_LAT_CANCEL, 2), -1);
    ZT_EQ_STR(zh_sim_latitude_name(ZH_SIM_LAT_CANCEL), "cancel");
    zh_sim_seed(0);
    for (int i = 0; i < ZH_SIM_LAT_COUNT; i++)
        ZT_EQ_INT(zh_sim_latitude_get((zh_sim_lat)i), 0);
}

/* What Windows does that the simulator once did not. */
static void fidelity_of_containers_and_processes(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcs_system sys = create_system("plain", CONTAINER, &hr);
    ZT_REQUIRE(sys != NULL);
    ZT_EQ_HEX(call_sys(T->HcsStartComputeSystem, sys, NULL, NULL), 0);
    /* pause/resume/save: Hyper-V isolation only */
    char *doc = NULL;
    ZT_EQ_HEX(call_sys(T->HcsPauseComputeSystem, sys, NULL, &doc), ZH_E_NOT_SUPPORTED);
    ZT_CONTAINS(doc ? doc : "", "process-isolated");
    free(doc);
    ZT_EQ_HEX(call_sys(T->HcsResumeComputeSystem, sys, NULL, NULL), ZH_E_NOT_SUPPORTED);
    ZT_EQ_HEX(call_sys(T->HcsSaveComputeSystem, sys, NULL, NULL), ZH_E_NOT_SUPPORTED);

    /* HcsSignalProcess: NULL options are CtrlC; HcsTerminateProcess: options must be NULL */
    proc_run r = spawn(sys, "{\"CommandLine\":\"ping -t localhost\"}");
    ZT_EQ_HEX(r.hr, 0);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *opts = W("{}");
    ZT_EQ_HEX(T->HcsTerminateProcess(r.proc, op, opts), ZH_E_INVALIDARG);
    free(opts);
    T->HcsCloseOperation(op);
    ZT_EQ_HEX(proc_call(T->HcsSignalProcess, r.proc, NULL), 0);
    zhcs_ProcessStatus *st = wait_process(r.proc, &hr);
    ZT_CHECK(st && st->ExitCode == 0xC000013Au);
    zhcs_ProcessStatus_free(st);
    T->HcsCloseProcess(r.proc);

    /* operation delays apply to process operations */
    r = spawn(sys, "{\"CommandLine\":\"ping -t localhost\"}");
    zh_sim_op_delay("HcsGetProcessProperties", 150);
    uint64_t t0 = zh_monotonic_ms();
    ZT_EQ_HEX(proc_call(T->HcsGetProcessProperties, r.proc, NULL), 0);
    ZT_CHECK(zh_monotonic_ms() - t0 >= 140);
    zh_sim_op_delay(NULL, 0);
    ZT_EQ_HEX(proc_call(T->HcsTerminateProcess, r.proc, NULL), 0);
    T->HcsCloseProcess(r.proc);
    T->HcsCloseComputeSystem(sys);
    zh_sim_close();
}

static const zt_case cases[] = {
    ZT_CASE(operations_report_their_state),
    ZT_CASE(a_container_goes_through_its_states),
    ZT_CASE(create_checks_the_document_and_the_network),
    ZT_CASE(completion_callbacks_and_system_operation_events),
    ZT_CASE(closing_an_operation_waits_for_its_callback),
    ZT_CASE(timeouts_and_cancellation),
    ZT_CASE(the_last_handle_can_terminate_the_system),
    ZT_CASE(enumeration_filters),
    ZT_CASE(crash_reports_and_service_disconnect),
    ZT_CASE(close_races_with_waits_and_callbacks),
    ZT_CASE(processes_run_with_stdio_and_exit_codes),
    ZT_CASE(leftovers_are_freed_at_close),
    ZT_CASE(stopped_processes_latitude),
    ZT_CASE(cancel_and_abandoned_create_latitudes),
    ZT_CASE(callbacks_may_run_after_close),
    ZT_CASE(callbacks_run_concurrently_in_any_order),
    ZT_CASE(ws2022_quirk_and_early_exit_latitudes),
    ZT_CASE(seeds_pick_and_print_a_combination),
    ZT_CASE(fidelity_of_containers_and_processes),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_trace.c - zhcs_set_trace / zhns_set_trace: every raw call reported with its name,
 * object id, HRESULT and duration; nothing (and the real entry points) without a callback. */
#include <zhcs/zhcs.h>
#include <zhns/zhns.h>

#include "zh_raw.h"
#include "zh_sim.h"
#include "zh_thread.h"
#include "zt.h"
#include "zt_layers.h"

#define E_ACCESSDENIED_ ((int32_t)0x80070005)

typedef struct ev {
    char function[64];
    char object[128];
    int has_object;
    int32_t hr;
    uint64_t ns;
} ev;

static zh_mutex lock = ZH_MUTEX_INIT;
static ev events[512];
static size_t nevents, dropped;

static void record(void *context, const char *function, const char *object_id, int32_t hresult, uint64_t ns)
{
    zh_mutex_lock(&lock);
    if (nevents < sizeof events / sizeof events[0]) {
        ev *e = &events[nevents++];
        snprintf(e->function, sizeof e->function, "%s", function);
        snprintf(e->object, sizeof e->object, "%s", object_id ? object_id : "");
        e->has_object = object_id != NULL;
        e->hr = hresult;
        e->ns = ns;
        *(int *)context += 1;
    } else {
        dropped++;
    }
    zh_mutex_unlock(&lock);
}

static void reset(void)
{
    zh_mutex_lock(&lock);
    nevents = dropped = 0;
    zh_mutex_unlock(&lock);
}

/* the first event of `function` (with `object` when not NULL) at or after *from */
static const ev *find(const char *function, const char *object, size_t *from)
{
    for (size_t i = from ? *from : 0; i < nevents; i++) {
        if (strcmp(events[i].function, function) == 0 && (!object || strcmp(events[i].object, object) == 0)) {
            if (from)
                *from = i + 1;
            return &events[i];
        }
    }
    return NULL;
}

static void hcs_calls_are_reported(void)
{
    int count = 0;
    zhcs_service *svc = NULL;
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    ZT_REQUIRE(zhcs_service_open(&svc, "sim:", &err) == 0);
    reset();
    zhcs_set_trace(record, &count);
    ZT_REQUIRE(zhcs_system_create_json(&sys, svc, "trace-1", zt_layered("{\"Owner\":\"trace\",\"Container\":{@STORAGE@}}"), 10000,
                                       &err) == 0);
    ZT_EQ_INT(zh_sim_latency("HcsStartComputeSystem", 30), 0);
    ZT_EQ_INT(zhcs_system_start(sys, 10000, &err), 0);
    ZT_EQ_INT(zh_sim_latency("HcsStartComputeSystem", 0), 0);
    ZT_EQ_INT(zh_sim_fault("HcsPauseComputeSystem", 1, E_ACCESSDENIED_), 0);
    ZT_EQ_INT(zhcs_system_pause(sys, NULL, 10000, &err), -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), E_ACCESSDENIED_);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_system_terminate(sys, NULL, 10000, &err), 0);
    zhcs_system_close(sys);
    zhcs_set_trace(NULL, NULL);

    zh_mutex_lock(&lock);
    ZT_CHECK(dropped == 0);
    ZT_EQ_INT(count, (int)nevents);
    const ev *e = find("HcsCreateComputeSystem", NULL, NULL);
    ZT_REQUIRE(e != NULL);
    ZT_EQ_STR(e->object, "trace-1");
    ZT_EQ_HEX(e->hr, 0);
    e = find("HcsStartComputeSystem", "trace-1", NULL);
    ZT_REQUIRE(e != NULL);
    ZT_CHECK(e->ns >= 30u * 1000000u); /* the injected latency is inside the measured call */
    e = find("HcsPauseComputeSystem", "trace-1", NULL);
    ZT_REQUIRE(e != NULL);
    ZT_EQ_HEX(e->hr, E_ACCESSDENIED_);
    /* calls that pass only a handle name their object through it */
    ZT_CHECK(find("HcsTerminateComputeSystem", "trace-1", NULL) != NULL);
    ZT_CHECK(find("HcsCloseComputeSystem", "trace-1", NULL) != NULL);
    /* operations started on the system are the system's */
    ZT_CHECK(find("HcsCloseOperation", "trace-1", NULL) != NULL);
    e = find("HcsCreateOperation", NULL, NULL);
    ZT_REQUIRE(e != NULL);
    ZT_CHECK(!e->has_object); /* a new operation concerns nothing yet */
    zh_mutex_unlock(&lock);

    /* off: no more reports */
    reset();
    ZT_REQUIRE(zhcs_system_create_json(&sys, svc, "trace-2", zt_layered("{\"Owner\":\"trace\",\"Container\":{@STORAGE@}}"), 10000,
                                       &err) == 0);
    ZT_EQ_INT(zhcs_system_terminate(sys, NULL, 10000, &err), 0);
    zhcs_system_close(sys);
    ZT_EQ_INT((int)nevents, 0);
    zhcs_service_close(svc);
    zh_sim_fault_clear();
}

static void hcn_calls_are_reported(void)
{
    int count = 0;
    zhns_service *svc = NULL;
    zhns_network *net = NULL;
    zhns_error *err = NULL;
    ZT_REQUIRE(zhns_service_open(&svc, "sim:", &err) == 0);
    reset();
    zhns_set_trace(record, &count);
    ZT_REQUIRE(zhns_network_create_json(&net, svc,
                                        "{\"Name\":\"trace\",\"Type\":\"NAT\",\"Ipams\":[{\"Subnets\":[{"
                                        "\"IpAddressPrefix\":\"10.77.0.0/24\"}]}]}",
                                        &err) == 0);
    char id[64];
    snprintf(id, sizeof id, "%s", zhns_network_id(net));
    zhns_network_close(net);
    ZT_EQ_INT(zhns_network_delete(svc, id, &err), 0);
    zhns_set_trace(NULL, NULL);

    zh_mutex_lock(&lock);
    const ev *e = find("HcnCreateNetwork", NULL, NULL);
    ZT_REQUIRE(e != NULL);
    ZT_EQ_STR(e->object, id);
    ZT_EQ_HEX(e->hr, 0);
    ZT_CHECK(find("HcnCloseNetwork", id, NULL) != NULL);
    ZT_CHECK(find("HcnDeleteNetwork", id, NULL) != NULL);
    ZT_CHECK(find("HcsCreateOperation", NULL, NULL) == NULL); /* zhns's trace is HCN's only */
    ZT_EQ_INT(count, (int)nevents);
    zh_mutex_unlock(&lock);
    zhns_service_close(svc);
}

static void untraced_entries_are_the_real_ones(void)
{
    int count = 0;
    zhcs_service *svc = NULL; /* keeps the simulator open */
    ZT_REQUIRE(zhcs_service_open(&svc, "sim:", NULL) == 0);
    const zh_hcs_table *t = zh_sim_hcs_table();
    ZT_REQUIRE(t != NULL);
    zh_raw_lib *lib = zh_raw_lib_from_table(&zh_raw_hcs_spec, t, zh_sim_free_string, "test", NULL);
    ZT_REQUIRE(lib != NULL);
    zh_raw_fnptr real;
    memcpy(&real, &t->HcsCreateOperation, sizeof real);
    ZT_CHECK(zh_raw_get(lib, ZH_HCS_ID_HcsCreateOperation, NULL) == real);
    reset();
    zhcs_set_trace(record, &count);
    zh_raw_fnptr traced = zh_raw_get(lib, ZH_HCS_ID_HcsCreateOperation, NULL);
    ZT_CHECK(traced != real);
    zh_raw_HcsCreateOperation_fn create;
    memcpy(&create, &traced, sizeof create);
    zh_hcs_operation op = create(NULL, NULL);
    ZT_CHECK(op != NULL);
    zh_raw_HcsCloseOperation_fn close_op = ZH_HCS(lib, HcsCloseOperation, NULL);
    ZT_REQUIRE(close_op != NULL);
    close_op(op);
    zhcs_set_trace(NULL, NULL);
    ZT_CHECK(zh_raw_get(lib, ZH_HCS_ID_HcsCreateOperation, NULL) == real);
    ZT_EQ_INT(count, 2);
    zh_raw_lib_free(lib);
    zhcs_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(hcs_calls_are_reported),
    ZT_CASE(hcn_calls_are_reported),
    ZT_CASE(untraced_entries_are_the_real_ones),
};
ZT_MAIN(cases)

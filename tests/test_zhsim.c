/* SPDX-License-Identifier: MIT */
/* test_zhsim.c - the public simulator controls (<zhsim/zhsim.h>) as a program using zhcs
 * and zhns sees them: adapters and the HNS version through zhns, operation delays and the
 * service stop through zhcs, bad arguments refused. */
#include <stdio.h>

#include <zhcs/zhcs.h>
#include <zhns/zhns.h>
#include <zhsim/zhsim.h>

#include "zt.h"

static void version_and_bad_names(void)
{
    ZT_EQ_INT((long long)zhsim_api_version(), ZHSIM_API_VERSION_MAJOR * 1000 + ZHSIM_API_VERSION_MINOR);
    ZT_EQ_INT(zhsim_fault("HcsNoSuchCall", 0, 1), -1);
    ZT_EQ_INT(zhsim_latency("HcnNoSuchCall", 5), -1);
    ZT_EQ_INT((long long)zhsim_calls("HcsNoSuchCall"), 0);
    ZT_EQ_INT(zhsim_set_adapters(NULL, 3), -1);
}

static void adapters_round_trip_through_zhns(void)
{
    zhns_service *svc = NULL;
    ZT_REQUIRE(zhns_service_open(&svc, "sim:", NULL) == 0);
    zhsim_adapter mine[2] = {
        {"Uplink 1", "Test NIC", "00-15-5D-AA-BB-01", 1, 0, 0, "10.1.2.3/16", "10.1.0.1", 7},
        {"Down", "Unplugged NIC", "00-15-5D-AA-BB-02", 0, 0, 0, NULL, NULL, 50},
    };
    ZT_EQ_INT(zhsim_set_adapters(mine, 2), 0);
    size_t n = 0;
    zhsim_adapter *got = zhsim_get_adapters(&n);
    ZT_REQUIRE(got != NULL);
    ZT_EQ_INT((long long)n, 2);
    ZT_EQ_STR(got[0].name, "Uplink 1");
    ZT_EQ_STR(got[0].gateway, "10.1.0.1");
    ZT_EQ_INT(got[0].metric, 7);
    ZT_CHECK(got[1].ipv4 == NULL && got[1].up == 0);
    zhsim_adapters_free(got, n);

    zhns_adapter *list = NULL;
    size_t count = 0;
    zhns_error *err = NULL;
    ZT_REQUIRE(zhns_adapter_list(&list, &count, svc, &err) == 0);
    ZT_EQ_INT((long long)count, 2);
    ZT_EQ_STR(list[0].name, "Uplink 1");
    ZT_EQ_STR(list[0].ipv4, "10.1.2.3/16");
    zhns_adapters_free(list, count);

    ZT_EQ_INT(zhsim_set_adapters(NULL, 0), 0); /* the default list again */
    got = zhsim_get_adapters(&n);
    ZT_REQUIRE(got != NULL);
    ZT_CHECK(n >= 1);
    ZT_EQ_STR(got[0].name, "Ethernet");
    zhsim_adapters_free(got, n);
    zhsim_adapters_free(NULL, 0);
    zhns_service_close(svc);
}

static void hns_version_through_zhns(void)
{
    zhns_service *svc = NULL;
    ZT_REQUIRE(zhns_service_open(&svc, "sim:", NULL) == 0);
    ZT_EQ_INT(zhsim_set_hns_version(9, 3), 0);
    zhns_hns_version v = {0, 0};
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_hns_version_get(&v, svc, &err), 0);
    ZT_EQ_INT(v.major, 9);
    ZT_EQ_INT(v.minor, 3);
    ZT_EQ_INT(zhsim_set_hns_version(15, 4), 0);
    zhns_error_free(err);
    zhns_service_close(svc);
}

static void op_delay_and_stop_through_zhcs(void)
{
    zhcs_service *svc = NULL;
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    ZT_REQUIRE(zhcs_service_open(&svc, "sim:", &err) == 0);
    /* about operation delays and service stops, not storage: containers without layers */
    ZT_EQ_INT(zhsim_require_storage(0), 0);
    ZT_REQUIRE(zhcs_system_create_json(&sys, svc, "zhsim-1", "{\"Owner\":\"t\",\"Container\":{}}", 10000, &err) == 0);
    ZT_EQ_INT(zhsim_op_delay("HcsStartComputeSystem", 2000), 0);
    zhsim_calls_reset();
    /* the start is accepted but completes only after the delay: a 100 ms wait times out */
    ZT_EQ_INT(zhcs_system_start(sys, 100, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT((long long)zhsim_calls("HcsStartComputeSystem"), 1);
    ZT_EQ_INT(zhsim_op_delay(NULL, 0), 0);
    zhsim_stop_service();
    ZT_EQ_INT(zhcs_system_terminate(sys, NULL, 1000, &err), -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), (int32_t)0x800706BA); /* RPC_S_SERVER_UNAVAILABLE */
    zhcs_error_free(err);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    /* the next service gets a running simulator again */
    ZT_REQUIRE(zhcs_service_open(&svc, "sim:", NULL) == 0);
    err = NULL;
    int rc = zhcs_system_create_json(&sys, svc, "zhsim-2", "{\"Owner\":\"t\",\"Container\":{}}", 10000, &err);
    if (rc != 0) /* seen once under ASan, not reproduced: say why, should it come back */
        fprintf(stderr, "create after the restart: %s\n", zhcs_error_message(err));
    ZT_EQ_INT(rc, 0);
    zhcs_error_free(err);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    ZT_EQ_INT(zhsim_require_storage(1), 0); /* the default again */
}

static void latitudes_and_the_storage_rule(void)
{
    zhcs_service *svc = NULL;
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    ZT_REQUIRE(zhcs_service_open(&svc, "sim:", &err) == 0); /* the open applies ZH_SIM_SEED: set after */
    zhsim_latitude_defaults();
    ZT_EQ_INT(zhsim_latitude_get(ZHSIM_LAT_CANCEL), 0);
    ZT_EQ_STR(zhsim_latitude_name(ZHSIM_LAT_CANCEL), "cancel");
    ZT_EQ_INT(zhsim_latitude_set(ZHSIM_LAT_CANCEL, 1), 0); /* the previous value */
    ZT_EQ_INT(zhsim_latitude_get(ZHSIM_LAT_CANCEL), 1);
    ZT_EQ_INT(zhsim_latitude_set(ZHSIM_LAT_CANCEL, 7), -1);
    ZT_EQ_INT(zhsim_latitude_get(ZHSIM_LAT_COUNT), -1);
    ZT_CHECK(zhsim_latitude_name(ZHSIM_LAT_COUNT) == NULL);
    zhsim_latitude_defaults();
    ZT_EQ_INT(zhsim_latitude_get(ZHSIM_LAT_CANCEL), 0);

    unsigned before = zhsim_hcn_latitudes(ZHSIM_HCN_IDS_UPPER | ZHSIM_HCN_DROP_OWNER);
    ZT_EQ_INT(zhsim_hcn_latitudes(before), ZHSIM_HCN_IDS_UPPER | ZHSIM_HCN_DROP_OWNER);
    ZT_EQ_INT(zhsim_hcn_seed_latitudes(7), zhsim_hcn_seed_latitudes(7));
    ZT_EQ_INT(zhsim_fault_made("HcsStartComputeSystem", 1, 1), -1); /* HCN creates only */

    /* a container without Storage: refused by default, as on Windows; accepted when relaxed */
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "zhsim-3", "{\"Owner\":\"t\",\"Container\":{}}", 10000, &err), -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), (int32_t)0x80070057); /* E_INVALIDARG */
    ZT_CONTAINS(zhcs_error_message(err), "no Storage");
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhsim_require_storage(0), 0);
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "zhsim-3", "{\"Owner\":\"t\",\"Container\":{}}", 10000, &err), 0);
    zhcs_system_close(sys);
    ZT_EQ_INT(zhsim_require_storage(1), 0);
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "zhsim-4", "{\"Owner\":\"t\",\"Container\":{}}", 10000, &err), -1);
    zhcs_error_free(err);
    err = NULL;
    zhcs_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(latitudes_and_the_storage_rule),
    ZT_CASE(version_and_bad_names),
    ZT_CASE(adapters_round_trip_through_zhns),
    ZT_CASE(hns_version_through_zhns),
    ZT_CASE(op_delay_and_stop_through_zhcs),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_hns_features.c - the HNS version (HNSCall through the simulator, cached per service)
 * and the feature table. */
#include <stdio.h>

#include "hns_test.h"

static int has(uint32_t major, uint32_t minor, zhns_feature f)
{
    zhns_hns_version v = {major, minor};
    return zhns_version_supports(v, f);
}

static void the_table(void)
{
    ZT_CHECK(!has(9, 1, ZHNS_FEATURE_API_V2));
    ZT_CHECK(has(9, 2, ZHNS_FEATURE_API_V2));
    ZT_CHECK(has(7, 2, ZHNS_FEATURE_ACL) && !has(7, 1, ZHNS_FEATURE_ACL));
    /* DSR: 9.3 to 9.x, then 10.2 and later - not 10.0 or 10.1 */
    ZT_CHECK(!has(9, 2, ZHNS_FEATURE_DSR));
    ZT_CHECK(has(9, 3, ZHNS_FEATURE_DSR) && has(9, 999, ZHNS_FEATURE_DSR));
    ZT_CHECK(!has(10, 0, ZHNS_FEATURE_DSR) && !has(10, 1, ZHNS_FEATURE_DSR));
    ZT_CHECK(has(10, 2, ZHNS_FEATURE_DSR) && has(15, 0, ZHNS_FEATURE_DSR));
    ZT_CHECK(has(10, 4, ZHNS_FEATURE_SLASH32_ENDPOINT_PREFIXES) && !has(10, 3, ZHNS_FEATURE_SLASH32_ENDPOINT_PREFIXES));
    ZT_CHECK(has(11, 10, ZHNS_FEATURE_IPV6_DUAL_STACK) && !has(11, 9, ZHNS_FEATURE_IPV6_DUAL_STACK));
    /* L4Proxy: five ranges */
    ZT_CHECK(has(9, 5, ZHNS_FEATURE_L4_PROXY) && !has(10, 4, ZHNS_FEATURE_L4_PROXY) && has(10, 5, ZHNS_FEATURE_L4_PROXY));
    ZT_CHECK(!has(11, 10, ZHNS_FEATURE_L4_PROXY) && has(11, 11, ZHNS_FEATURE_L4_PROXY));
    ZT_CHECK(!has(12, 0, ZHNS_FEATURE_L4_PROXY) && has(12, 1, ZHNS_FEATURE_L4_PROXY));
    ZT_CHECK(!has(13, 0, ZHNS_FEATURE_L4_PROXY) && has(13, 1, ZHNS_FEATURE_L4_PROXY) && has(20, 0, ZHNS_FEATURE_L4_PROXY));
    ZT_CHECK(has(15, 4, ZHNS_FEATURE_MODIFY_LOAD_BALANCER) && !has(15, 3, ZHNS_FEATURE_MODIFY_LOAD_BALANCER));
    ZT_CHECK(has(15, 1, ZHNS_FEATURE_DISABLE_HOST_PORT) && !has(15, 0, ZHNS_FEATURE_DISABLE_HOST_PORT));
    ZT_CHECK(has(10, 3, ZHNS_FEATURE_VXLAN_PORT) && has(12, 0, ZHNS_FEATURE_SESSION_AFFINITY));
    ZT_CHECK(has(13, 2, ZHNS_FEATURE_L4_WFP_PROXY) && has(14, 0, ZHNS_FEATURE_TIER_ACL));
    ZT_CHECK(has(15, 0, ZHNS_FEATURE_NETWORK_ACL) && has(15, 0, ZHNS_FEATURE_NESTED_IPSET));
    ZT_CHECK(has(15, 4, ZHNS_FEATURE_ACCELNET) && has(11, 0, ZHNS_FEATURE_ACL_PROTOCOL_252));
    ZT_CHECK(has(9, 2, ZHNS_FEATURE_REMOTE_SUBNET) && has(9, 2, ZHNS_FEATURE_HOST_ROUTE) && has(13, 0, ZHNS_FEATURE_SET_POLICY));
    ZT_CHECK(!has(99, 0, (zhns_feature)ZHNS_FEATURE_COUNT) && !has(99, 0, (zhns_feature)-1));
    /* every feature has a name, and every feature is in a current host */
    for (int f = 0; f < ZHNS_FEATURE_COUNT; f++) {
        ZT_CHECK(strcmp(zhns_feature_name((zhns_feature)f), "unknown") != 0);
        ZT_CHECK(has(15, 4, (zhns_feature)f));
    }
    ZT_EQ_STR(zhns_feature_name(ZHNS_FEATURE_DSR), "dsr");
    ZT_EQ_STR(zhns_feature_name((zhns_feature)77), "unknown");
}

static void the_service_reports_its_version(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_hns_version v = {0, 0};
    HT_OK(zhns_hns_version_get(&v, svc, HT_E));
    ZT_EQ_INT(v.major, 15);
    ZT_EQ_INT(v.minor, 4);
    /* remembered: a change on the host is not seen by this service */
    ZT_EQ_INT(zh_sim_set_hns_version(10, 1), 0);
    HT_OK(zhns_hns_version_get(&v, svc, HT_E));
    ZT_EQ_INT(v.major, 15);
    bool ok = false;
    HT_OK(zhns_feature_supported(&ok, svc, ZHNS_FEATURE_DSR, HT_E));
    ZT_CHECK(ok);
    HT_OK(zhns_feature_require(svc, ZHNS_FEATURE_ACCELNET, HT_E));
    zhns_service *other = ht_open(NULL); /* a new service asks again */
    HT_OK(zhns_hns_version_get(&v, other, HT_E));
    ZT_EQ_INT(v.major, 10);
    ZT_EQ_INT(v.minor, 1);
    HT_OK(zhns_feature_supported(&ok, other, ZHNS_FEATURE_DSR, HT_E));
    ZT_CHECK(!ok);
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_feature_require(other, ZHNS_FEATURE_DSR, &err), -1);
    ZT_CONTAINS(zhns_error_message(err), "9.3 to 9.x, 10.2 and later");
    HT_ERR(err, ZHNS_ERROR_UNSUPPORTED, "this host runs HNS 10.1");
    ZT_EQ_INT(zhns_feature_supported(&ok, other, (zhns_feature)99, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "99");
    ZT_EQ_INT(zhns_feature_require(other, (zhns_feature)-3, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, NULL);
    zhns_service_close(other);
    zhns_service_close(svc);
}

static void hosts_without_a_version(void)
{
    zhns_service *svc = ht_open(NULL);
    ZT_EQ_INT(zh_sim_set_hns_version(0, 0), 0);
    zhns_hns_version v = {7, 7};
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_hns_version_get(&v, svc, &err), -1);
    ZT_EQ_INT(v.major, 0);
    ZT_EQ_STR(zhns_error_function(err), "HNSCall");
    HT_ERR(err, ZHNS_ERROR_UNSUPPORTED, "does not report its HNS version");
    /* a failure is not remembered */
    ZT_EQ_INT(zh_sim_set_hns_version(12, 0), 0);
    HT_OK(zhns_hns_version_get(&v, svc, HT_E));
    ZT_EQ_INT(v.major, 12);
    ZT_EQ_INT(zhns_hns_version_get(NULL, svc, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "out is NULL");
    ZT_EQ_INT(zhns_hns_version_get(&v, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_CLOSED, "the service is NULL");
    zhns_service_close(svc);
    /* a stopped service */
    svc = ht_open(NULL);
    zh_sim_stop_service();
    ZT_EQ_INT(zhns_hns_version_get(&v, svc, &err), -1);
    HT_ERR(err, ZHNS_ERROR_SERVICE_UNAVAILABLE, NULL);
    zhns_service_close(svc);
}

/* "local": vmcompute.dll's HNSCall - absent from a bare Wine, so a clear UNSUPPORTED; in the
 * test prefix the simulator's vmcompute.dll answers for the simulator (kept open here). */
static void local_hosts(void)
{
#ifdef _WIN32
    zhns_service *sim = ht_open(NULL);
    zhns_service *svc = NULL;
    HT_OK(zhns_service_open(&svc, "local", HT_E));
    ZT_REQUIRE(svc);
    zhns_hns_version v;
    zhns_error *err = NULL;
    if (zhns_hns_version_get(&v, svc, &err) < 0) {
        ZT_CONTAINS(zhns_error_message(err), "vmcompute.dll");
        HT_ERR(err, ZHNS_ERROR_UNSUPPORTED, NULL);
    } else {
        ZT_CHECK(v.major >= 7); /* a real Windows host, or the simulator's vmcompute.dll */
    }
    zhns_service_close(svc);
    zhns_service_close(sim);
#else
    zhns_service *svc = NULL;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_service_open(&svc, "local", &err), -1);
    HT_ERR(err, ZHNS_ERROR_UNSUPPORTED, "sim:");
#endif
}

static const zt_case cases[] = {
    ZT_CASE(the_table),
    ZT_CASE(the_service_reports_its_version),
    ZT_CASE(hosts_without_a_version),
    ZT_CASE(local_hosts),
};
HT_MAIN(cases)

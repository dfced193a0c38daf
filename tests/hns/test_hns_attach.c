/* SPDX-License-Identifier: MIT */
/* test_hns_attach.c - zhns_attachment_*: create_overlay and teardown round trips, the
 * options, crash-recovery helpers (exact owners), and every raw call of create_overlay
 * failing in turn without leaving anything behind. */
#include <stdio.h>

#include "hns_test.h"

static zhns_attachment *attach(zhns_network *net, const char *owner)
{
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = owner;
    zhns_attachment *a = NULL;
    zhns_attachment_create_overlay(&a, net, &o, NULL);
    return a;
}

static void round_trip(void)
{
    /* checks the default model: HNS keeps Owner and honours filters */
    unsigned lat_ = ht_latitudes_off(ZH_SIM_HCN_DROP_OWNER);
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    const char *dns[] = {"10.77.0.53", "1.1.1.1"}, *search[] = {"svc.zlayer.local"};
    zhns_EndpointPolicy pol = {0};
    pol.has_Type = true;
    pol.Type = ZHNS_ENDPOINTPOLICYTYPE_PORTMAPPING;
    pol.Settings = "{\"InternalPort\":80,\"ExternalPort\":8080,\"Protocol\":6}";
    o.owner = "zlayer-agent";
    o.name = "web-1";
    o.ip_address = "10.77.0.20";
    o.prefix_length = 24;
    o.gateway = "10.77.0.1";
    o.dns_servers = dns;
    o.dns_server_count = 2;
    o.dns_search = search;
    o.dns_search_count = 1;
    o.dns_domain = "zlayer.local";
    o.policies = &pol;
    o.policy_count = 1;
    zhns_attachment *a = NULL;
    HT_OK(zhns_attachment_create_overlay(&a, net, &o, HT_E));
    ZT_REQUIRE(a);
    ZT_EQ_STR(zhns_attachment_ip(a), "10.77.0.20");
    ZT_EQ_INT(zhns_attachment_prefix_length(a), 24);
    ZT_EQ_STR(zhns_attachment_owner(a), "zlayer-agent");
    ZT_EQ_INT(strlen(zhns_attachment_endpoint_id(a)), 36);
    ZT_EQ_INT(strlen(zhns_attachment_namespace_id(a)), 36);

    /* what HCN holds: the endpoint with all of it, inside the namespace */
    zhns_HostComputeEndpoint *e = NULL;
    HT_OK(zhns_endpoint_query_properties(&e, zhns_attachment_endpoint(a), HT_E));
    ZT_REQUIRE(e);
    ZT_EQ_STR(e->Owner, "zlayer-agent");
    ZT_EQ_STR(e->Name, "web-1");
    HT_EQ_ID(e->HostComputeNamespace, zhns_attachment_namespace_id(a));
    ZT_REQUIRE(e->Dns && e->Dns->ServerList_count == 2 && e->Dns->Search_count == 1);
    ZT_EQ_STR(e->Dns->Domain, "zlayer.local");
    ZT_REQUIRE(e->Routes_count == 1);
    ZT_EQ_STR(e->Routes[0].NextHop, "10.77.0.1");
    ZT_EQ_INT(e->Policies_count, 1);
    zhns_HostComputeEndpoint_free(e);
    zhns_HostComputeNamespace *ns = NULL;
    HT_OK(zhns_namespace_query(&ns, zhns_attachment_namespace(a), HT_E));
    ZT_REQUIRE(ns);
    ZT_EQ_STR(ns->Owner, "zlayer-agent");
    ZT_EQ_INT(ns->Resources_count, 1);
    zhns_HostComputeNamespace_free(ns);
    zhns_endpoint_stats st;
    HT_OK(zhns_endpoint_query_stats(&st, zhns_attachment_endpoint(a), HT_E));

    HT_OK(zhns_attachment_teardown(a, HT_E));
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    /* idempotent: no raw call the second time */
    zh_sim_calls_reset();
    HT_OK(zhns_attachment_teardown(a, HT_E));
    ZT_EQ_INT(zh_sim_calls(NULL), 0);
    zhns_attachment_close(a);
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_attachment_teardown(a, &err), -1);
    HT_ERR(err, ZHNS_ERROR_CLOSED, "zhns_attachment");
    ZT_EQ_STR(zhns_attachment_ip(a), "");
    ZT_CHECK(zhns_attachment_endpoint(a) == NULL);
    zhns_attachment_close(a);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(lat_);
}

static void addresses_come_from_hcn(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_attachment *a = attach(net, "o"), *b = attach(net, "o");
    ZT_REQUIRE(a && b);
    ZT_EQ_STR(zhns_attachment_ip(a), "10.77.0.2");
    ZT_EQ_STR(zhns_attachment_ip(b), "10.77.0.3");
    ZT_EQ_INT(zhns_attachment_prefix_length(b), 24);
    /* close without teardown: the objects stay for a running container */
    zhns_attachment_close(a);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 2);
    ZT_EQ_INT(HT_NAMESPACES(svc), 2);
    HT_OK(zhns_attachment_teardown(b, HT_E));
    zhns_attachment_close(b);
    size_t removed = 0;
    HT_OK(zhns_attachment_cleanup_owner(&removed, svc, "o", HT_E));
    ZT_EQ_INT(removed, 1);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

static void options_are_checked(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_attachment *a = (zhns_attachment *)1;
    zhns_error *err = NULL;
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    zh_sim_calls_reset();
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, NULL, &err), -1);
    ZT_CHECK(a == NULL);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "ZHNS_OVERLAY_OPTIONS_INIT");
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "owner tag is missing");
    o.owner = "\xC0\xAF";
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "UTF-8");
    o.owner = "o";
    o.dns_server_count = 1;
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "dns_servers is NULL");
    o.dns_server_count = 0;
    o.policy_count = 3;
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "policies is NULL");
    o.policy_count = 0;
    o.prefix_length = 16;
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "without ip_address");
    o.prefix_length = 0;
    o.version = 0;
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "version 0");
    o.version = ZHNS_OVERLAY_OPTIONS_VERSION;
    o.name = "\xFF";
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, NULL);
    ZT_EQ_INT(zh_sim_calls(NULL), 0);
    /* HCN refuses the address: nothing is left */
    o.name = NULL;
    o.ip_address = "10.1.2.3";
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "10.1.2.3");
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

/* Each raw call of create_overlay fails in turn (learning their number from the
 * simulator's call counter): each time a clear error naming that call, nothing orphaned,
 * and - run under ASan - nothing leaked. */
static void every_raw_call_fails_in_turn(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    ZT_REQUIRE(net);
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "faulty";
    zhns_attachment *a = NULL;
    zh_sim_calls_reset();
    HT_OK(zhns_attachment_create_overlay(&a, net, &o, HT_E));
    uint64_t n = zh_sim_calls(NULL);
    ZT_EQ_INT(n, 4);
    HT_OK(zhns_attachment_teardown(a, HT_E));
    zhns_attachment_close(a);
    static const char *const order[] = {"HcnCreateEndpoint", "HcnQueryEndpointProperties", "HcnCreateNamespace",
                                        "HcnModifyNamespace"};
    static const int32_t faults[] = {(int32_t)0x803B001B /* HCN_E_INVALID_JSON */, (int32_t)0x800706BE /* RPC call failed */};
    for (size_t f = 0; f < sizeof faults / sizeof faults[0]; f++) {
        for (unsigned nth = 1; nth <= n; nth++) {
            zhns_error *err = NULL;
            a = (zhns_attachment *)1;
            ZT_EQ_INT(zh_sim_fault(NULL, nth, faults[f]), 0);
            int rc = zhns_attachment_create_overlay(&a, net, &o, &err);
            zh_sim_fault_clear();
            ZT_EQ_INT(rc, -1);
            ZT_CHECK(a == NULL);
            ZT_REQUIRE(err != NULL);
            ZT_EQ_HEX(zhns_error_hresult(err), faults[f]);
            ZT_EQ_STR(zhns_error_function(err), order[nth - 1]);
            ZT_CHECK(zhns_error_category_of(err) ==
                     (f == 0 ? ZHNS_ERROR_INVALID_JSON : ZHNS_ERROR_DISCONNECTED));
            zhns_error_free(err);
            ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
            ZT_EQ_INT(HT_NAMESPACES(svc), 0);
        }
    }
    /* the network is still usable, and nothing was left for the owner */
    zhns_owned_attachment *owned = NULL;
    size_t count = 9;
    HT_OK(zhns_attachment_list_owned(&owned, &count, svc, "faulty", HT_E));
    ZT_EQ_INT(count, 0);
    zhns_owned_attachments_free(owned, count);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

/* A rollback that cannot finish says what it left. */
static void a_failed_rollback_names_the_leftovers(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "left";
    zhns_attachment *a = NULL;
    zhns_error *err = NULL;
    ZT_EQ_INT(zh_sim_fault("HcnModifyNamespace", 1, (int32_t)0x803B002E), 0);
    ZT_EQ_INT(zh_sim_fault("HcnDeleteEndpoint", 1, (int32_t)0x800706BA), 0);
    ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
    zh_sim_fault_clear();
    ZT_EQ_HEX(zhns_error_hresult(err), 0x803B002E);
    ZT_CONTAINS(zhns_error_message(err), "the rollback could not delete endpoint");
    zhns_error_free(err);
    /* what list_owned finds and cleanup removes */
    zhns_owned_attachment *owned = NULL;
    size_t count = 0;
    HT_OK(zhns_attachment_list_owned(&owned, &count, svc, "left", HT_E));
    ZT_EQ_INT(count, 1);
    if (count == 1)
        ZT_CHECK(owned[0].endpoint_id && !owned[0].namespace_id);
    zhns_owned_attachments_free(owned, count);
    size_t removed = 0;
    HT_OK(zhns_attachment_cleanup_owner(&removed, svc, "left", HT_E));
    ZT_EQ_INT(removed, 1);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

static void owners_match_exactly(void)
{
    /* checks the default model: HNS keeps Owner and honours filters */
    unsigned lat_ = ht_latitudes_off(ZH_SIM_HCN_DROP_OWNER | ZH_SIM_HCN_FILTER_LOOSE | ZH_SIM_HCN_FILTER_STRICT);
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_attachment *a1 = attach(net, "A"), *a2 = attach(net, "A"), *ab = attach(net, "AB"), *low = attach(net, "a"),
                    *b = attach(net, "B");
    ZT_REQUIRE(a1 && a2 && ab && low && b);
    /* a namespace of A's whose endpoint never made it (as after a crash between the two) */
    zhns_namespace *orphan = NULL;
    HT_OK(zhns_namespace_create_json(&orphan, svc, "{\"Owner\":\"A\"}", HT_E));
    zhns_owned_attachment *owned = NULL;
    size_t count = 0;
    HT_OK(zhns_attachment_list_owned(&owned, &count, svc, "A", HT_E));
    ZT_EQ_INT(count, 3);
    int seen1 = 0, seen2 = 0, seen_orphan = 0;
    for (size_t i = 0; i < count; i++) {
        if (owned[i].endpoint_id && strcmp(owned[i].endpoint_id, zhns_attachment_endpoint_id(a1)) == 0)
            seen1 = owned[i].namespace_id && strcmp(owned[i].namespace_id, zhns_attachment_namespace_id(a1)) == 0;
        if (owned[i].endpoint_id && strcmp(owned[i].endpoint_id, zhns_attachment_endpoint_id(a2)) == 0)
            seen2 = owned[i].namespace_id && strcmp(owned[i].namespace_id, zhns_attachment_namespace_id(a2)) == 0;
        if (!owned[i].endpoint_id && owned[i].namespace_id && strcmp(owned[i].namespace_id, zhns_namespace_id(orphan)) == 0)
            seen_orphan = 1;
    }
    ZT_CHECK(seen1 && seen2 && seen_orphan);
    zhns_owned_attachments_free(owned, count);

    size_t removed = 0;
    HT_OK(zhns_attachment_cleanup_owner(&removed, svc, "A", HT_E));
    ZT_EQ_INT(removed, 3);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 3); /* AB's, a's and B's */
    ZT_EQ_INT(HT_NAMESPACES(svc), 3);
    HT_OK(zhns_attachment_list_owned(&owned, &count, svc, "AB", HT_E));
    ZT_EQ_INT(count, 1);
    if (count == 1)
        ZT_EQ_STR(owned[0].endpoint_id, zhns_attachment_endpoint_id(ab));
    zhns_owned_attachments_free(owned, count);
    /* the attachments whose objects cleanup removed tear down as done */
    HT_OK(zhns_attachment_teardown(a1, HT_E));
    zhns_attachment *all[] = {a1, a2, ab, low, b};
    for (int i = 0; i < 5; i++) {
        HT_OK(zhns_attachment_teardown(all[i], HT_E));
        zhns_attachment_close(all[i]);
    }
    zhns_namespace_close(orphan);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);

    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_attachment_list_owned(&owned, &count, svc, "", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "owner");
    ZT_EQ_INT(zhns_attachment_list_owned(&owned, &count, svc, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "owner");
    /* owners with quotes survive the filter's two levels of JSON */
    zhns_attachment *q = attach(net, "we\"ird\\");
    ZT_REQUIRE(q);
    HT_OK(zhns_attachment_list_owned(&owned, &count, svc, "we\"ird\\", HT_E));
    ZT_EQ_INT(count, 1);
    zhns_owned_attachments_free(owned, count);
    HT_OK(zhns_attachment_teardown(q, HT_E));
    zhns_attachment_close(q);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(lat_);
}

static void delete_by_ids_is_idempotent(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_attachment *a = attach(net, "x");
    ZT_REQUIRE(a);
    char ep[40], ns[40];
    snprintf(ep, sizeof ep, "%s", zhns_attachment_endpoint_id(a));
    snprintf(ns, sizeof ns, "%s", zhns_attachment_namespace_id(a));
    zhns_attachment_close(a);
    HT_OK(zhns_attachment_delete_endpoint_and_namespace(svc, ep, ns, HT_E));
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    HT_OK(zhns_attachment_delete_endpoint_and_namespace(svc, ep, ns, HT_E));
    HT_OK(zhns_attachment_delete_endpoint_and_namespace(svc, ep, NULL, HT_E));
    HT_OK(zhns_attachment_delete_endpoint_and_namespace(svc, NULL, ns, HT_E));
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_attachment_delete_endpoint_and_namespace(svc, NULL, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "neither");
    ZT_EQ_INT(zhns_attachment_delete_endpoint_and_namespace(svc, "e", ns, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "endpoint_id");
    /* a real failure is reported, not swallowed */
    a = attach(net, "x");
    ZT_EQ_INT(zh_sim_fault("HcnDeleteEndpoint", 1, (int32_t)0x80070005), 0);
    ZT_EQ_INT(zhns_attachment_teardown(a, &err), -1);
    HT_ERR(err, ZHNS_ERROR_ACCESS_DENIED, NULL);
    HT_OK(zhns_attachment_teardown(a, HT_E)); /* and may be retried */
    zhns_attachment_close(a);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(round_trip),
    ZT_CASE(addresses_come_from_hcn),
    ZT_CASE(options_are_checked),
    ZT_CASE(every_raw_call_fails_in_turn),
    ZT_CASE(a_failed_rollback_names_the_leftovers),
    ZT_CASE(owners_match_exactly),
    ZT_CASE(delete_by_ids_is_idempotent),
};
HT_MAIN(cases)

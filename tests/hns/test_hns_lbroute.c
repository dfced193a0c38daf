/* SPDX-License-Identifier: MIT */
/* test_hns_lbroute.c - zhns_loadbalancer_* and zhns_route_*: create, open, modify, query,
 * list, delete; a leaked port is HCN's PORT_ALREADY_EXISTS; modify gated on the HNS version. */
#include <stdio.h>

#include "hns_test.h"

static char *lb_json(const char *ep, unsigned port)
{
    static char buf[400];
    snprintf(buf, sizeof buf,
             "{\"Owner\":\"lb-test\",\"HostComputeEndpoints\":[\"%s\"],\"FrontendVIPs\":[\"10.77.0.200\"],"
             "\"PortMappings\":[{\"Protocol\":6,\"InternalPort\":80,\"ExternalPort\":%u}]}",
             ep, port);
    return buf;
}

static void load_balancers(void)
{
    /* checks the default model: HNS keeps Owner and honours filters */
    unsigned lat_ = ht_latitudes_off(ZH_SIM_HCN_FILTER_LOOSE | ZH_SIM_HCN_FILTER_STRICT);
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_endpoint *ep = NULL;
    HT_OK(zhns_endpoint_create_json(&ep, net, "{}", HT_E));
    zhns_loadbalancer *lb = NULL, *again = NULL, *dup = (zhns_loadbalancer *)1;
    HT_OK(zhns_loadbalancer_create_json(&lb, svc, lb_json(zhns_endpoint_id(ep), 8080), HT_E));
    ZT_REQUIRE(lb);
    ZT_EQ_INT(strlen(zhns_loadbalancer_id(lb)), 36);
    /* the same frontend port again: the classic leaked-policy error */
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_loadbalancer_create_json(&dup, svc, lb_json(zhns_endpoint_id(ep), 8080), &err), -1);
    ZT_CHECK(dup == NULL);
    ZT_EQ_HEX(zhns_error_hresult(err), 0x803B0013);
    HT_ERR(err, ZHNS_ERROR_ALREADY_EXISTS, "8080");
    /* typed create, typed query */
    zhns_HostComputeLoadBalancer spec = {0};
    char *eps[] = {(char *)zhns_endpoint_id(ep)};
    zhns_LoadBalancerPortMapping pm = {0};
    pm.has_Protocol = true;
    pm.Protocol = 17;
    pm.has_InternalPort = true;
    pm.InternalPort = 53;
    pm.has_ExternalPort = true;
    pm.ExternalPort = 53;
    spec.HostComputeEndpoints = eps;
    spec.HostComputeEndpoints_count = 1;
    spec.PortMappings = &pm;
    spec.PortMappings_count = 1;
    zhns_loadbalancer *udp = NULL;
    HT_OK(zhns_loadbalancer_create(&udp, svc, &spec, HT_E));
    zhns_HostComputeLoadBalancer *doc = NULL;
    HT_OK(zhns_loadbalancer_query(&doc, udp, HT_E));
    ZT_REQUIRE(doc && doc->PortMappings_count == 1);
    ZT_EQ_INT(doc->PortMappings[0].ExternalPort, 53);
    zhns_HostComputeLoadBalancer_free(doc);

    /* modify (HNS 15.4 and later; the simulator reports 15.4) */
    HT_OK(zhns_loadbalancer_modify_json(lb, lb_json(zhns_endpoint_id(ep), 9090), HT_E));
    char *json = NULL;
    HT_OK(zhns_loadbalancer_query_json(&json, lb, NULL, HT_E));
    ZT_CONTAINS(json, "9090");
    zhns_string_free(json);
    HT_OK(zhns_loadbalancer_open(&again, svc, zhns_loadbalancer_id(lb), HT_E));
    spec.PortMappings[0].ExternalPort = 5353;
    spec.Owner = "lb-test";
    HT_OK(zhns_loadbalancer_modify(again, &spec, HT_E));
    zhns_loadbalancer_close(again);

    char **ids = NULL;
    size_t n = 0;
    HT_OK(zhns_loadbalancer_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, 2);
    zhns_strings_free(ids, n);
    HT_OK(zhns_loadbalancer_list_json(&ids, &n, svc, "{\"Filter\":\"{\\\"Owner\\\":\\\"lb-test\\\"}\"}", HT_E));
    ZT_EQ_INT(n, 1);
    zhns_strings_free(ids, n);

    HT_OK(zhns_loadbalancer_delete(svc, zhns_loadbalancer_id(lb), HT_E));
    HT_OK(zhns_loadbalancer_delete(svc, zhns_loadbalancer_id(lb), HT_E));
    HT_OK(zhns_loadbalancer_delete(svc, zhns_loadbalancer_id(udp), HT_E));
    zhns_loadbalancer_close(lb);
    zhns_loadbalancer_close(udp);
    ZT_EQ_INT(zhns_loadbalancer_query(&doc, lb, &err), -1);
    HT_ERR(err, ZHNS_ERROR_CLOSED, NULL);
    ZT_EQ_INT(zhns_loadbalancer_create_json(&lb, svc, "{\"HostComputeEndpoints\":[\"00000000-0000-0000-0000-000000000009\"]}",
                                            &err), -1);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, NULL);
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(ep), HT_E));
    zhns_endpoint_close(ep);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(lat_);
}

static void modify_is_gated_on_old_hosts(void)
{
    zhns_service *svc = ht_open(NULL);
    ZT_EQ_INT(zh_sim_set_hns_version(13, 1), 0);
    zhns_loadbalancer *lb = NULL;
    HT_OK(zhns_loadbalancer_create_json(&lb, svc, "{\"FrontendVIPs\":[\"1.2.3.4\"]}", HT_E));
    zh_sim_calls_reset();
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_loadbalancer_modify_json(lb, "{\"FrontendVIPs\":[\"1.2.3.5\"]}", &err), -1);
    ZT_EQ_INT(zh_sim_calls("HcnModifyLoadBalancer"), 0);
    HT_ERR(err, ZHNS_ERROR_UNSUPPORTED, "HNS 13.1");
    HT_OK(zhns_loadbalancer_delete(svc, zhns_loadbalancer_id(lb), HT_E));
    zhns_loadbalancer_close(lb);
    zhns_service_close(svc);
    /* a host that does not report its version: the call is made and HCN decides */
    svc = ht_open(NULL);
    ZT_EQ_INT(zh_sim_set_hns_version(0, 0), 0);
    HT_OK(zhns_loadbalancer_create_json(&lb, svc, "{\"FrontendVIPs\":[\"1.2.3.4\"]}", HT_E));
    HT_OK(zhns_loadbalancer_modify_json(lb, "{\"FrontendVIPs\":[\"1.2.3.6\"]}", HT_E));
    HT_OK(zhns_loadbalancer_delete(svc, zhns_loadbalancer_id(lb), HT_E));
    zhns_loadbalancer_close(lb);
    zhns_service_close(svc);
}

static void sdn_routes(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_route *rt = NULL, *again = NULL;
    zhns_SDNRoutePolicySetting r = {0};
    r.DestinationPrefix = "10.200.0.0/16";
    r.NextHop = "10.77.0.1";
    r.has_NeedEncap = true;
    r.NeedEncap = true;
    zhns_HostComputeRoute spec = {0};
    spec.Owner = "routes";
    spec.Routes = &r;
    spec.Routes_count = 1;
    HT_OK(zhns_route_create(&rt, svc, &spec, HT_E));
    ZT_REQUIRE(rt);
    zhns_HostComputeRoute *doc = NULL;
    HT_OK(zhns_route_query(&doc, rt, HT_E));
    ZT_REQUIRE(doc && doc->Routes_count == 1);
    ZT_EQ_STR(doc->Routes[0].DestinationPrefix, "10.200.0.0/16");
    HT_EQ_ID(doc->ID, zhns_route_id(rt));
    zhns_HostComputeRoute_free(doc);
    r.DestinationPrefix = "10.201.0.0/16";
    HT_OK(zhns_route_modify(rt, &spec, HT_E));
    HT_OK(zhns_route_open(&again, svc, zhns_route_id(rt), HT_E));
    char *json = NULL;
    HT_OK(zhns_route_query_json(&json, again, NULL, HT_E));
    ZT_CONTAINS(json, "10.201.0.0/16");
    zhns_string_free(json);
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_route_modify_json(again, "{\"Routes\":[{\"DestinationPrefix\":\"nope\"}]}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, NULL); /* HCN_E_INVALID_PREFIX */
    zhns_route_close(again);
    char **ids = NULL;
    size_t n = 0;
    HT_OK(zhns_route_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, 1);
    zhns_strings_free(ids, n);
    HT_OK(zhns_route_list_json(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, 1);
    zhns_strings_free(ids, n);
    ZT_EQ_INT(zhns_route_create_json(&again, svc, "{\"Routes\":5}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_JSON, "$.Routes");
    HT_OK(zhns_route_delete(svc, zhns_route_id(rt), HT_E));
    HT_OK(zhns_route_delete(svc, zhns_route_id(rt), HT_E));
    zhns_route_close(rt);
    HT_OK(zhns_route_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, 0);
    zhns_strings_free(ids, n);
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(load_balancers),
    ZT_CASE(modify_is_gated_on_old_hosts),
    ZT_CASE(sdn_routes),
};
HT_MAIN(cases)

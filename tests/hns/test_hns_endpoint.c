/* SPDX-License-Identifier: MIT */
/* test_hns_endpoint.c - zhns_endpoint_*: create, open, modify, properties, statistics, the
 * primary address, lists (all, one network's), delete; HCN's errors with their messages. */
#include <stdio.h>

#include "hns_test.h"

static void create_query_and_address(void)
{
    /* checks the default model: HNS keeps Owner and honours filters */
    unsigned lat_ = ht_latitudes_off(ZH_SIM_HCN_DROP_OWNER);
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    ZT_REQUIRE(net);
    zhns_endpoint *a = NULL, *b = NULL;
    HT_OK(zhns_endpoint_create_json(&a, net, "{\"Name\":\"a\",\"Owner\":\"t\"}", HT_E));
    zhns_HostComputeEndpoint spec = {0};
    zhns_IpConfig ip = {0};
    ip.IpAddress = "10.77.0.40";
    spec.Name = "b";
    spec.IpConfigurations = &ip;
    spec.IpConfigurations_count = 1;
    HT_OK(zhns_endpoint_create(&b, net, &spec, HT_E));
    ZT_REQUIRE(a && b);
    char *addr = NULL;
    uint8_t prefix = 0;
    HT_OK(zhns_endpoint_primary_ip(&addr, &prefix, a, HT_E));
    ZT_EQ_STR(addr, "10.77.0.2"); /* the first free host: .1 is the gateway */
    ZT_EQ_INT(prefix, 24);
    zhns_string_free(addr);
    HT_OK(zhns_endpoint_primary_ip(&addr, NULL, b, HT_E));
    ZT_EQ_STR(addr, "10.77.0.40");
    zhns_string_free(addr);

    zhns_HostComputeEndpoint *doc = NULL;
    HT_OK(zhns_endpoint_query_properties(&doc, a, HT_E));
    ZT_REQUIRE(doc);
    ZT_EQ_STR(doc->Owner, "t");
    HT_EQ_ID(doc->HostComputeNetwork, zhns_network_id(net));
    HT_EQ_ID(doc->ID, zhns_endpoint_id(a));
    zhns_HostComputeEndpoint_free(doc);
    char *json = NULL;
    HT_OK(zhns_endpoint_query_properties_json(&json, b, NULL, HT_E));
    ZT_CONTAINS(json, "\"Name\":\"b\"");
    zhns_string_free(json);

    /* open by id, and the same object */
    zhns_endpoint *again = NULL;
    HT_OK(zhns_endpoint_open(&again, svc, zhns_endpoint_id(a), HT_E));
    ZT_EQ_STR(zhns_endpoint_id(again), zhns_endpoint_id(a));
    zhns_endpoint_close(again);

    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(a), HT_E));
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(a), HT_E)); /* again: already gone is done */
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(b), HT_E));
    /* the handle of a deleted endpoint: HCN says not found */
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_endpoint_primary_ip(&addr, NULL, a, &err), -1);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, NULL);
    zhns_endpoint_close(a);
    zhns_endpoint_close(b);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(lat_);
}

static void stats(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_endpoint *ep = NULL;
    HT_OK(zhns_endpoint_create_json(&ep, net, "{}", HT_E));
    zhns_endpoint_stats s1, s2;
    HT_OK(zhns_endpoint_query_stats(&s1, ep, HT_E));
    HT_OK(zhns_endpoint_query_stats(&s2, ep, HT_E));
    ZT_CHECK(s1.bytes_received > 0 && s2.bytes_received > s1.bytes_received);
    ZT_CHECK(s2.packets_sent >= s1.packets_sent);
    ZT_EQ_INT(s2.dropped_packets_incoming, 0);
    char *json = NULL;
    HT_OK(zhns_endpoint_query_stats_json(&json, ep, HT_E));
    ZT_CHECK(json && (strstr(json, zhns_endpoint_id(ep)) || ht_latitudes_off(0) & ZH_SIM_HCN_IDS_UPPER));
    zhns_string_free(json);
    /* a failing stats query (as one racing a stop): an error, zeroed counters */
    zhns_error *err = NULL;
    ZT_EQ_INT(zh_sim_fault("HcnQueryEndpointStats", 1, (int32_t)0x80070006), 0);
    ZT_EQ_INT(zhns_endpoint_query_stats(&s1, ep, &err), -1);
    ZT_EQ_INT(s1.bytes_received, 0);
    HT_ERR(err, ZHNS_ERROR_CLOSED, NULL);
    ZT_EQ_INT(zhns_endpoint_query_stats(NULL, ep, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "out is NULL");
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(ep), HT_E));
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_endpoint_close(ep);
    zhns_network_close(net);
    zhns_service_close(svc);
}

static void lists(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *n1 = ht_nat(svc), *n2 = NULL;
    HT_OK(zhns_network_create_json(&n2, svc, "{\"Name\":\"n2\",\"Type\":\"NAT\"}", HT_E));
    zhns_endpoint *e[3] = {NULL, NULL, NULL};
    HT_OK(zhns_endpoint_create_json(&e[0], n1, "{}", HT_E));
    HT_OK(zhns_endpoint_create_json(&e[1], n1, "{\"Name\":\"x\"}", HT_E));
    HT_OK(zhns_endpoint_create_json(&e[2], n2, "{}", HT_E));
    char **ids = NULL;
    size_t n = 0;
    HT_OK(zhns_endpoint_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, 3);
    zhns_strings_free(ids, n);
    HT_OK(zhns_endpoint_list(&ids, &n, svc, zhns_network_id(n1), HT_E));
    ZT_EQ_INT(n, 2);
    ZT_CHECK(ht_has(ids, n, zhns_endpoint_id(e[0])) && ht_has(ids, n, zhns_endpoint_id(e[1])));
    zhns_strings_free(ids, n);
    HT_OK(zhns_endpoint_list(&ids, &n, svc, zhns_network_id(n2), HT_E));
    ZT_EQ_INT(n, 1);
    zhns_strings_free(ids, n);
    zhns_HostComputeQuery q = {0};
    q.Filter = "{\"Name\":\"x\"}";
    HT_OK(zhns_endpoint_list_query(&ids, &n, svc, &q, HT_E));
    ZT_EQ_INT(n, 1);
    zhns_strings_free(ids, n);
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_endpoint_list(&ids, &n, svc, "nope", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "network_id");
    for (int i = 0; i < 3; i++) {
        HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(e[i]), HT_E));
        zhns_endpoint_close(e[i]);
    }
    HT_OK(zhns_network_delete(svc, zhns_network_id(n1), HT_E));
    HT_OK(zhns_network_delete(svc, zhns_network_id(n2), HT_E));
    zhns_network_close(n1);
    zhns_network_close(n2);
    zhns_service_close(svc);
}

static void modify_policies(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_endpoint *ep = NULL;
    HT_OK(zhns_endpoint_create_json(&ep, net, "{}", HT_E));
    zhns_ModifyEndpointSettingRequest req = {0};
    req.has_ResourceType = true;
    req.ResourceType = ZHNS_ENDPOINTRESOURCETYPE_POLICY;
    req.has_RequestType = true;
    req.RequestType = ZHNS_MODIFYREQUESTTYPE_ADD;
    req.Settings = "{\"Policies\":[{\"Type\":\"PortMapping\",\"Settings\":{\"InternalPort\":80,\"ExternalPort\":8080,"
                   "\"Protocol\":6}}]}";
    HT_OK(zhns_endpoint_modify(ep, &req, HT_E));
    zhns_HostComputeEndpoint *doc = NULL;
    HT_OK(zhns_endpoint_query_properties(&doc, ep, HT_E));
    ZT_REQUIRE(doc);
    ZT_EQ_INT(doc->Policies_count, 1);
    zhns_HostComputeEndpoint_free(doc);
    HT_OK(zhns_endpoint_modify_json(ep,
                                    "{\"ResourceType\":\"Policy\",\"RequestType\":\"Remove\",\"Settings\":{\"Policies\":"
                                    "[{\"Type\":\"PortMapping\",\"Settings\":{}}]}}",
                                    HT_E));
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_endpoint_modify_json(ep, "{\"RequestType\":[7]}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_JSON, "RequestType");
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(ep), HT_E));
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_endpoint_close(ep);
    zhns_network_close(net);
    zhns_service_close(svc);
}

static void hcn_errors_carry_the_message_and_record(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_endpoint *ep = (zhns_endpoint *)1;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_endpoint_create_json(&ep, net, "{\"IpConfigurations\":[{\"IpAddress\":\"10.99.0.5\"}]}", &err), -1);
    ZT_CHECK(ep == NULL);
    ZT_EQ_STR(zhns_error_function(err), "HcnCreateEndpoint");
    ZT_EQ_HEX(zhns_error_hresult(err), 0x803B001E); /* HCN_E_INVALID_IP */
    ZT_CONTAINS(zhns_error_document(err), "\"ErrorCode\"");
    char line[400];
    zhns_error_format(err, line, sizeof line);
    ZT_CONTAINS(line, "HCN_E_INVALID_IP");
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "not part of any configured subnet");
    /* the gateway's address: HCN_E_ADDR_INVALID_OR_RESERVED */
    ZT_EQ_INT(zhns_endpoint_create_json(&ep, net, "{\"IpConfigurations\":[{\"IpAddress\":\"10.77.0.1\"}]}", &err), -1);
    ZT_EQ_HEX(zhns_error_hresult(err), 0x803B002F);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "reserved");
    /* a stopped service */
    zh_sim_stop_service();
    ZT_EQ_INT(zhns_endpoint_create_json(&ep, net, "{}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_SERVICE_UNAVAILABLE, NULL);
    zhns_network_close(net);
    zhns_service_close(svc);
}

static void closed_and_wrong_handles(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    char netid[40];
    snprintf(netid, sizeof netid, "%s", zhns_network_id(net));
    zhns_network_close(net);
    zhns_endpoint *ep = NULL;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_endpoint_create_json(&ep, net, "{}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_CLOSED, "zhns_network is closed");
    ZT_EQ_INT(zhns_endpoint_create_json(&ep, NULL, "{}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "NULL");
    char *s = NULL;
    ZT_EQ_INT(zhns_endpoint_query_stats_json(&s, (zhns_endpoint *)&s, &err), -1);
    HT_ERR(err, ZHNS_ERROR_CLOSED, NULL);
    HT_OK(zhns_network_delete(svc, netid, HT_E));
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(create_query_and_address),
    ZT_CASE(stats),
    ZT_CASE(lists),
    ZT_CASE(modify_policies),
    ZT_CASE(hcn_errors_carry_the_message_and_record),
    ZT_CASE(closed_and_wrong_handles),
};
HT_MAIN(cases)

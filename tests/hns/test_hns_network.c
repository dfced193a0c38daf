/* SPDX-License-Identifier: MIT */
/* test_hns_network.c - zhns_network_*: create (typed, JSON, transparent), open, modify,
 * query, list, delete; bad input of every kind; handles after close. */
#include <stdio.h>

#include "hns_test.h"

static void create_open_query_delete(void)
{
    zhns_service *svc = ht_open(NULL);
    ZT_REQUIRE(svc);
    zhns_network *net = NULL;
    HT_OK(zhns_network_create_json(&net, svc, HT_NAT_JSON, HT_E));
    ZT_REQUIRE(net);
    char id[40];
    snprintf(id, sizeof id, "%s", zhns_network_id(net));
    ZT_EQ_INT(strlen(id), 36);

    /* open by id in upper case and braces: the same network, id handed back in lower case */
    char upper[48];
    snprintf(upper, sizeof upper, "{%s}", id);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    zhns_network *again = NULL;
    HT_OK(zhns_network_open(&again, svc, upper, HT_E));
    ZT_EQ_STR(zhns_network_id(again), id);

    zhns_HostComputeNetwork *doc = NULL;
    HT_OK(zhns_network_query(&doc, again, HT_E));
    ZT_REQUIRE(doc);
    ZT_EQ_STR(doc->Name, "zhns-test");
    HT_EQ_ID(doc->ID, id);
    ZT_EQ_INT(doc->Type, ZHNS_NETWORKMODE_NAT);
    zhns_HostComputeNetwork_free(doc);

    char *json = NULL;
    HT_OK(zhns_network_query_json(&json, net, "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Flags\":1}", HT_E));
    ZT_CONTAINS(json, "10.77.0.0/24");
    zhns_string_free(json);

    zhns_network_close(again);
    zhns_network_close(net);
    ZT_EQ_INT(HT_NETWORKS(svc), 1);
    HT_OK(zhns_network_delete(svc, id, HT_E));
    ZT_EQ_INT(HT_NETWORKS(svc), 0);
    zhns_service_close(svc);
}

static void typed_create_keeps_the_given_id(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_Version v = {true, 2, true, 0, NULL, 0};
    zhns_HostComputeNetwork n = {0};
    n.ID = "7B0C3F4A-1111-4222-8333-944445555666";
    n.Name = "typed";
    n.SchemaVersion = &v;
    n.has_Type = true;
    n.Type = ZHNS_NETWORKMODE_NAT;
    zhns_network *net = NULL;
    HT_OK(zhns_network_create(&net, svc, &n, HT_E));
    ZT_EQ_STR(zhns_network_id(net), "7b0c3f4a-1111-4222-8333-944445555666");
    /* the same id again: HCN's own error, classified, with its message and record */
    zhns_network *dup = (zhns_network *)1;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_network_create(&dup, svc, &n, &err), -1);
    ZT_CHECK(dup == NULL);
    ZT_EQ_STR(zhns_error_function(err), "HcnCreateNetwork");
    ZT_EQ_HEX(zhns_error_hresult(err), 0x803B0010);
    ZT_CHECK(zhns_error_document(err) != NULL);
    HT_ERR(err, ZHNS_ERROR_ALREADY_EXISTS, "already exists");
    zhns_network_close(net);
    HT_OK(zhns_network_delete(svc, "7b0c3f4a-1111-4222-8333-944445555666", HT_E));
    zhns_service_close(svc);
}

static void modify_policies_and_dns(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    ZT_REQUIRE(net);
    HT_OK(zhns_network_modify_json(net,
                                   "{\"ResourceType\":\"DNS\",\"RequestType\":\"Update\",\"Settings\":"
                                   "{\"ServerList\":[\"10.77.0.53\"]}}",
                                   HT_E));
    zhns_ModifyNetworkSettingRequest req = {0};
    req.has_ResourceType = true;
    req.ResourceType = ZHNS_NETWORKRESOURCETYPE_POLICY;
    req.has_RequestType = true;
    req.RequestType = ZHNS_MODIFYREQUESTTYPE_ADD;
    req.Settings = "{\"Policies\":[{\"Type\":\"VxlanPort\",\"Settings\":{\"Port\":4789}}]}";
    HT_OK(zhns_network_modify(net, &req, HT_E));
    zhns_HostComputeNetwork *doc = NULL;
    HT_OK(zhns_network_query(&doc, net, HT_E));
    ZT_REQUIRE(doc && doc->Dns);
    ZT_EQ_INT(doc->Dns->ServerList_count, 1);
    ZT_EQ_INT(doc->Policies_count, 1);
    zhns_HostComputeNetwork_free(doc);
    /* removing a policy that is not there: HCN_E_POLICY_NOT_FOUND */
    req.RequestType = ZHNS_MODIFYREQUESTTYPE_REMOVE;
    req.Settings = "{\"Policies\":[{\"Type\":\"HostRoute\",\"Settings\":{}}]}";
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_network_modify(net, &req, &err), -1);
    ZT_EQ_HEX(zhns_error_hresult(err), 0x803B0008);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "no policy");
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

static void list_all_and_filtered(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *a = ht_nat(svc), *b = NULL;
    HT_OK(zhns_network_create_json(&b, svc, "{\"Name\":\"other\",\"Type\":\"NAT\"}", HT_E));
    ZT_REQUIRE(a && b);
    char **ids = NULL;
    size_t n = 0;
    HT_OK(zhns_network_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, 2);
    ZT_CHECK(ht_has(ids, n, zhns_network_id(a)) && ht_has(ids, n, zhns_network_id(b)));
    zhns_strings_free(ids, n);
    zhns_HostComputeQuery q = {0};
    q.Filter = "{\"Name\":\"other\"}";
    HT_OK(zhns_network_list(&ids, &n, svc, &q, HT_E));
    ZT_EQ_INT(n, 1);
    if (n == 1)
        ZT_EQ_STR(ids[0], zhns_network_id(b));
    zhns_strings_free(ids, n);
    /* a Filter that is not an object is HCN's error to give */
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_network_list_json(&ids, &n, svc, "{\"Filter\":\"[1]\"}", &err), -1);
    ZT_CHECK(ids == NULL && n == 0);
    HT_ERR(err, ZHNS_ERROR_INVALID_JSON, "Filter");
    HT_OK(zhns_network_delete(svc, zhns_network_id(a), HT_E));
    HT_OK(zhns_network_delete(svc, zhns_network_id(b), HT_E));
    zhns_network_close(a);
    zhns_network_close(b);
    zhns_service_close(svc);
}

static void deletes_are_idempotent(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_network_delete(svc, "00000000-0000-0000-0000-0000000000aa", &err), 0);
    ZT_CHECK(err == NULL);
    /* a network with endpoints goes too (as HNS's does), and its endpoints with it */
    zhns_network *net = ht_nat(svc);
    zhns_endpoint *ep = NULL;
    HT_OK(zhns_endpoint_create_json(&ep, net, "{}", HT_E));
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(ep), HT_E)); /* already gone: idempotent */
    zhns_endpoint_close(ep);
    zhns_network_close(net);
    zhns_service_close(svc);
}

static void bad_input_is_a_clear_error(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = (zhns_network *)1;
    zhns_error *err = NULL;
    zh_sim_calls_reset();

    ZT_EQ_INT(zhns_network_create_json(NULL, svc, HT_NAT_JSON, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "out is NULL");
    ZT_EQ_INT(zhns_network_create_json(&net, NULL, HT_NAT_JSON, &err), -1);
    ZT_CHECK(net == NULL);
    HT_ERR(err, ZHNS_ERROR_CLOSED, "the service is NULL");
    ZT_EQ_INT(zhns_network_create_json(&net, svc, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "settings is NULL");
    ZT_EQ_INT(zhns_network_create(&net, svc, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "settings is NULL");
    /* malformed JSON: the offset */
    ZT_EQ_INT(zhns_network_create_json(&net, svc, "{\"Name\": \"x\",}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_JSON, "settings");
    /* wrong types: the JSON path */
    ZT_EQ_INT(zhns_network_create_json(&net, svc, "{\"Name\": 5, \"Type\": \"NAT\"}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_JSON, "$.Name");
    ZT_EQ_INT(zhns_network_create_json(&net, svc, "{\"Ipams\": {}}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_JSON, "$.Ipams");
    /* invalid UTF-8 */
    ZT_EQ_INT(zhns_network_create_json(&net, svc, "{\"Name\":\"\xC3\x28\"}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "UTF-8");
    /* an ID that is not a GUID */
    ZT_EQ_INT(zhns_network_create_json(&net, svc, "{\"ID\":\"net-1\",\"Type\":\"NAT\"}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "not a GUID");
    /* oversized */
    size_t big = ZHNS_DOCUMENT_MAX + 10;
    char *huge = malloc(big + 1);
    ZT_REQUIRE(huge);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = '\0';
    ZT_EQ_INT(zhns_network_create_json(&net, svc, huge, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "ZHNS_DOCUMENT_MAX");
    free(huge);
    /* none of that reached the service */
    ZT_EQ_INT(zh_sim_calls(NULL), 0);

    /* ids */
    ZT_EQ_INT(zhns_network_open(&net, svc, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "id is NULL");
    ZT_EQ_INT(zhns_network_open(&net, svc, "not-a-guid", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "\"not-a-guid\" is not a GUID");
    ZT_EQ_INT(zhns_network_open(&net, svc, "\xFF\xFE", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "UTF-8");
    ZT_EQ_INT(zhns_network_delete(svc, "1234", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "not a GUID");
    /* an unknown id: HCN's not-found */
    ZT_EQ_INT(zhns_network_open(&net, svc, "00000000-0000-0000-0000-000000000001", &err), -1);
    ZT_EQ_STR(zhns_error_function(err), "HcnOpenNetwork");
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "not found");
    /* a query of the wrong shape */
    char **ids = NULL;
    size_t n = 0;
    ZT_EQ_INT(zhns_network_list_json(&ids, &n, svc, "{\"Flags\":[1]}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_JSON, "$.Flags");
    ZT_EQ_INT(zhns_network_list_json(NULL, &n, svc, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "ids is NULL");
    /* no error pointer at all is fine */
    ZT_EQ_INT(zhns_network_open(&net, svc, "x", NULL), -1);
    zhns_service_close(svc);
}

static void handles_after_close(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    ZT_REQUIRE(net);
    char id[40];
    snprintf(id, sizeof id, "%s", zhns_network_id(net));
    zhns_network_close(net);
    /* the stale pointer: a CLOSED error, not a crash (the table of live handles) */
    zhns_error *err = NULL;
    zhns_HostComputeNetwork *doc = NULL;
    ZT_EQ_INT(zhns_network_query(&doc, net, &err), -1);
    HT_ERR(err, ZHNS_ERROR_CLOSED, "closed");
    ZT_EQ_INT(zhns_network_modify_json(net, "{}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_CLOSED, "zhns_network");
    ZT_EQ_STR(zhns_network_id(net), "");
    zhns_network_close(net); /* a second close does nothing */
    zhns_network_close(NULL);
    /* a handle of another kind */
    zhns_namespace *ns = NULL;
    HT_OK(zhns_namespace_create_json(&ns, svc, "{}", HT_E));
    ZT_EQ_INT(zhns_network_query(&doc, (zhns_network *)ns, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "zhns_namespace was passed where a zhns_network belongs");
    zhns_network_close((zhns_network *)ns); /* the wrong close ignores it */
    ZT_EQ_STR(zhns_namespace_id(ns), zhns_namespace_id(ns));
    ZT_EQ_INT(strlen(zhns_namespace_id(ns)), 36);
    HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(ns), HT_E));
    zhns_namespace_close(ns);
    /* the service closed before its objects: they keep it alive */
    HT_OK(zhns_network_open(&net, svc, id, HT_E));
    zhns_service_close(svc);
    HT_OK(zhns_network_query(&doc, net, HT_E));
    zhns_HostComputeNetwork_free(doc);
    zhns_network_close(net);
}

static void transparent_networks(void)
{
    /* checks the default model: HNS keeps Owner and honours filters */
    unsigned lat_ = ht_latitudes_off(ZH_SIM_HCN_DROP_OWNER);
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = NULL;
    zhns_transparent_options o = ZHNS_TRANSPARENT_OPTIONS_INIT;
    o.name = "overlay";
    o.subnet = "192.168.50.0/24";
    o.gateway = "192.168.50.1";
    o.owner = "zlayer";
    const char *dns[] = {"192.168.50.53"};
    o.dns_servers = dns;
    o.dns_server_count = 1;
    /* the adapter picked by the rules: the simulator's "Ethernet" */
    HT_OK(zhns_network_create_transparent(&net, svc, &o, HT_E));
    zhns_HostComputeNetwork *doc = NULL;
    HT_OK(zhns_network_query(&doc, net, HT_E));
    ZT_REQUIRE(doc);
    ZT_EQ_INT(doc->Type, ZHNS_NETWORKMODE_TRANSPARENT);
    ZT_EQ_STR(doc->Owner, "zlayer");
    ZT_CHECK(doc->has_Flags && doc->Flags == ZHNS_NETWORKFLAGS_ENABLENONPERSISTENT);
    ZT_REQUIRE(doc->Policies_count == 1 && doc->Ipams_count == 1 && doc->Ipams[0].Subnets_count == 1);
    ZT_EQ_INT(doc->Policies[0].Type, ZHNS_NETWORKPOLICYTYPE_NETADAPTERNAME);
    ZT_CONTAINS(doc->Policies[0].Settings, "\"NetworkAdapterName\":\"Ethernet\"");
    ZT_REQUIRE(doc->Ipams[0].Subnets[0].Routes_count == 1);
    ZT_EQ_STR(doc->Ipams[0].Subnets[0].Routes[0].DestinationPrefix, "0.0.0.0/0");
    ZT_EQ_STR(doc->Ipams[0].Subnets[0].Routes[0].NextHop, "192.168.50.1");
    ZT_REQUIRE(doc->Dns && doc->Dns->ServerList_count == 1);
    zhns_HostComputeNetwork_free(doc);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);

    /* an adapter named by the caller */
    o.adapter = "Wi-Fi";
    o.id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    HT_OK(zhns_network_create_transparent(&net, svc, &o, HT_E));
    ZT_EQ_STR(zhns_network_id(net), "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
    char *json = NULL;
    HT_OK(zhns_network_query_json(&json, net, NULL, HT_E));
    ZT_CONTAINS(json, "Wi-Fi");
    zhns_string_free(json);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(lat_);
}

static void transparent_options_are_checked(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = NULL;
    zhns_error *err = NULL;
    zhns_transparent_options o = ZHNS_TRANSPARENT_OPTIONS_INIT;
    zh_sim_calls_reset();
    ZT_EQ_INT(zhns_network_create_transparent(&net, svc, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "ZHNS_TRANSPARENT_OPTIONS_INIT");
    o.version = 99;
    ZT_EQ_INT(zhns_network_create_transparent(&net, svc, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "version 99");
    o.version = ZHNS_TRANSPARENT_OPTIONS_VERSION;
    ZT_EQ_INT(zhns_network_create_transparent(&net, svc, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "name is missing");
    o.name = "t";
    ZT_EQ_INT(zhns_network_create_transparent(&net, svc, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "subnet is missing");
    o.subnet = "10.0.0.0/24";
    ZT_EQ_INT(zhns_network_create_transparent(&net, svc, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "gateway is missing");
    static const struct {
        const char *subnet, *gateway, *text;
    } bad[] = {
        {"10.0.0.0", "10.0.0.1", "not an IP prefix"},
        {"10.0.0.0/33", "10.0.0.1", "not an IP prefix"},
        {"10.0.0.5/24", "10.0.0.1", "not a network address"},
        {"10.0.0.256/24", "10.0.0.1", "not an IPv4 prefix"},
        {"10.0.0.0/24", "10.0.1.1", "not a host of the subnet"},
        {"10.0.0.0/24", "10.0.0.0", "not a host of the subnet"},
        {"10.0.0.0/24", "gateway", "not an IPv4 address"},
        {"fd00::/64", "10.0.0.1", "not an IPv6 address"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o.subnet = bad[i].subnet;
        o.gateway = bad[i].gateway;
        ZT_EQ_INT(zhns_network_create_transparent(&net, svc, &o, &err), -1);
        HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, bad[i].text);
    }
    o.subnet = "10.0.0.0/24";
    o.gateway = "10.0.0.1";
    o.dns_server_count = 2;
    ZT_EQ_INT(zhns_network_create_transparent(&net, svc, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "dns_servers is NULL");
    o.dns_server_count = 0;
    o.adapter = "";
    ZT_EQ_INT(zhns_network_create_transparent(&net, svc, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "adapter name is empty");
    ZT_EQ_INT(zh_sim_calls(NULL), 0);
    /* no adapter qualifies: the adapter rules' error */
    zh_sim_adapter lo = {"Loopback", "Software Loopback", "", 1, 1, 0, "127.0.0.1/8", NULL, 1};
    ZT_EQ_INT(zh_sim_set_adapters(&lo, 1), 0);
    o.adapter = NULL;
    ZT_EQ_INT(zhns_network_create_transparent(&net, svc, &o, &err), -1);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "ZHNS_UPLINK_ADAPTER");
    ZT_CHECK(net == NULL);
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(create_open_query_delete),
    ZT_CASE(typed_create_keeps_the_given_id),
    ZT_CASE(modify_policies_and_dns),
    ZT_CASE(list_all_and_filtered),
    ZT_CASE(deletes_are_idempotent),
    ZT_CASE(bad_input_is_a_clear_error),
    ZT_CASE(handles_after_close),
    ZT_CASE(transparent_networks),
    ZT_CASE(transparent_options_are_checked),
};
HT_MAIN(cases)

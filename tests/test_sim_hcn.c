/* SPDX-License-Identifier: MIT */
/* test_sim_hcn.c - the simulated HCN service, driven through its raw entry-point table
 * only (no wrapper): networks, endpoints, namespaces, load balancers, SDN routes,
 * enumeration filters, ErrorRecords and HCN_E_* codes, handles, service notifications,
 * and the test controls (call counters, fault injection, latency, stopping the service). */
#include <zhns/schema.h>

#include "zh_hresult.h"
#include "zh_json.h"
#include "zh_sim.h"
#include "zh_thread.h"
#include "zh_utf.h"
#include "zt.h"

static const zh_hcn_table *T;

/* ---- helpers ---- */
static zh_wchar *W(const char *s)
{
    uint16_t *w = NULL;
    if (s && zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, "test", NULL) < 0)
        abort();
    return (zh_wchar *)w;
}

/* Takes a string the simulator returned: UTF-8 copy (caller frees), simulator copy freed. */
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
    T = zh_sim_hcn_table();
    zh_sim_hcn_latitudes(0); /* these cases check the default model (ZH_SIM_SEED or not) */
    zh_sim_calls_reset();
    zh_sim_fault_clear();
    zh_sim_latency(NULL, 0);
    return 0;
}

static void stop(void)
{
    zh_sim_fault_clear();
    zh_sim_close();
}

static zh_raw_guid nil_guid;

static const char *NAT =
    "{\"Name\":\"nat\",\"Type\":\"NAT\",\"Owner\":\"test\",\"Ipams\":[{\"Type\":\"Static\",\"Subnets\":[{\"IpAddressPrefix\":"
    "\"10.8.0.0/24\",\"Routes\":[{\"NextHop\":\"10.8.0.1\",\"DestinationPrefix\":\"0.0.0.0/0\"}]}]}],\"Flags\":8}";

/* Creates a network from JSON; returns its handle (and id text), or NULL with *hr and *record. */
static zh_hcn_network create_network(const char *json, int32_t *hr, char **record, char id[ZH_GUID_BUFSIZE])
{
    zh_hcn_network n = NULL;
    zh_wchar *rec = NULL, *settings = W(json);
    *hr = T->HcnCreateNetwork(&nil_guid, settings, &n, &rec);
    free(settings);
    char *r = take(rec);
    if (record)
        *record = r;
    else
        free(r);
    if (n && id) {
        zh_wchar *props = NULL;
        if (T->HcnQueryNetworkProperties(n, NULL, &props, NULL) == 0) {
            char *p = take(props);
            zhns_HostComputeNetwork *doc = zhns_HostComputeNetwork_parse(p, ZHNS_NUL_TERMINATED, NULL);
            snprintf(id, ZH_GUID_BUFSIZE, "%s", doc && doc->ID ? doc->ID : "");
            zhns_HostComputeNetwork_free(doc);
            free(p);
        }
    }
    return n;
}

static zh_hcn_endpoint create_endpoint(zh_hcn_network net, const char *json, int32_t *hr, char **record,
                                       zhns_HostComputeEndpoint **doc)
{
    zh_hcn_endpoint e = NULL;
    zh_wchar *rec = NULL, *settings = W(json);
    *hr = T->HcnCreateEndpoint(net, &nil_guid, settings, &e, &rec);
    free(settings);
    char *r = take(rec);
    if (record)
        *record = r;
    else
        free(r);
    if (doc) {
        *doc = NULL;
        zh_wchar *props = NULL;
        if (e && T->HcnQueryEndpointProperties(e, NULL, &props, NULL) == 0) {
            char *p = take(props);
            *doc = zhns_HostComputeEndpoint_parse(p, ZHNS_NUL_TERMINATED, NULL);
            free(p);
        }
    }
    return e;
}

static char *enumerate_networks(const char *query)
{
    zh_wchar *q = W(query), *ids = NULL, *rec = NULL;
    int32_t hr = T->HcnEnumerateNetworks(q, &ids, &rec);
    free(q);
    free(take(rec));
    return hr == 0 ? take(ids) : NULL;
}

static char *enumerate_endpoints(const char *query)
{
    zh_wchar *q = W(query), *ids = NULL, *rec = NULL;
    int32_t hr = T->HcnEnumerateEndpoints(q, &ids, &rec);
    free(q);
    free(take(rec));
    return hr == 0 ? take(ids) : NULL;
}

/* GUIDs as the raw API takes them (GUID on Windows, zh_guid elsewhere; same layout). */
static int parse_id(const char *s, zh_raw_guid *g)
{
    zh_guid tmp;
    if (zh_guid_parse(s, &tmp, NULL) < 0)
        return -1;
    memcpy(g, &tmp, sizeof tmp);
    return 0;
}

/* ---- cases ---- */

static void networks_are_created_queried_and_listed(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    char id[ZH_GUID_BUFSIZE] = "";
    zh_hcn_network n = create_network(NAT, &hr, NULL, id);
    ZT_EQ_HEX(hr, 0);
    ZT_REQUIRE(n != NULL);
    ZT_EQ_INT(strlen(id), 36);

    zh_wchar *props = NULL, *rec = NULL;
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, &rec), 0);
    ZT_CHECK(rec == NULL);
    char *p = take(props);
    zhns_HostComputeNetwork *doc = zhns_HostComputeNetwork_parse(p, ZHNS_NUL_TERMINATED, NULL);
    ZT_REQUIRE(doc != NULL);
    ZT_EQ_STR(doc->Name, "nat");
    ZT_EQ_STR(doc->Owner, "test");
    ZT_EQ_INT(doc->Type, ZHNS_NETWORKMODE_NAT);
    ZT_EQ_INT(doc->Flags, ZHNS_NETWORKFLAGS_ENABLENONPERSISTENT);
    ZT_REQUIRE(doc->SchemaVersion != NULL);
    ZT_EQ_INT(doc->SchemaVersion->Major, 2);
    zhns_HostComputeNetwork_free(doc);
    free(p);

    char *ids = enumerate_networks(NULL);
    ZT_CONTAINS(ids, id);
    free(ids);
    ids = enumerate_networks("{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Filter\":\"{\\\"Name\\\":\\\"nat\\\"}\"}");
    ZT_CONTAINS(ids, id);
    free(ids);
    ids = enumerate_networks("{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Filter\":\"{\\\"Name\\\":\\\"other\\\"}\"}");
    ZT_EQ_STR(ids, "[]");
    free(ids);

    /* open by id; delete; the old handle then answers not-found */
    zh_raw_guid g;
    ZT_REQUIRE(parse_id(id, &g) == 0);
    zh_hcn_network again = NULL;
    ZT_EQ_HEX(T->HcnOpenNetwork(&g, &again, NULL), 0);
    ZT_EQ_HEX(T->HcnDeleteNetwork(&g, NULL), 0);
    props = rec = NULL;
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(again, NULL, &props, &rec), HCN_E_NETWORK_NOT_FOUND);
    char *r = take(rec);
    ZT_CONTAINS(r, "\"ErrorCode\":2151350273");
    free(r);
    ZT_EQ_HEX(T->HcnDeleteNetwork(&g, NULL), HCN_E_NETWORK_NOT_FOUND);
    ZT_EQ_HEX(T->HcnCloseNetwork(again), 0);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), ZH_E_HANDLE); /* twice: an error, not a crash */
    stop();
}

static void network_settings_are_validated(void)
{
    ZT_REQUIRE(start() == 0);
    static const struct { const char *json; int32_t hr; const char *msg; } bad[] = {
        {"{not json", HCN_E_INVALID_JSON, "invalid network settings"},
        {"{\"Type\":\"Quantum\"}", HCN_E_INVALID_NETWORK_TYPE, "\\\"Quantum\\\" is not supported"},
        {"{\"Type\":\"Transparent\",\"Ipams\":[{\"Subnets\":[{\"IpAddressPrefix\":\"192.168.5.0/24\"}]}]}",
         HCN_E_INVALID_SUBNET, "needs a subnet with a default route"},
        {"{\"Type\":\"L2Bridge\",\"Ipams\":[{\"Subnets\":[{\"IpAddressPrefix\":\"192.168.5.7/24\"}]}]}",
         HCN_E_INVALID_PREFIX, "not a valid IP prefix"},
        {"{\"Type\":\"L2Bridge\",\"Ipams\":[{\"Subnets\":[{\"IpAddressPrefix\":\"192.168.5.0/24\",\"Routes\":[{\"NextHop\":"
         "\"10.0.0.1\",\"DestinationPrefix\":\"0.0.0.0/0\"}]}]}]}",
         HCN_E_INVALID_SUBNET, "outside the subnet"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int32_t hr;
        char *record = NULL;
        zh_hcn_network n = create_network(bad[i].json, &hr, &record, NULL);
        ZT_CHECK(n == NULL);
        ZT_EQ_HEX(hr, bad[i].hr);
        ZT_CONTAINS(record, bad[i].msg);
        free(record);
    }
    /* a NAT network without an address plan gets one */
    int32_t hr;
    zh_hcn_network n = create_network("{\"Type\":\"NAT\"}", &hr, NULL, NULL);
    ZT_REQUIRE(n != NULL);
    zh_wchar *props = NULL;
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, NULL), 0);
    char *p = take(props);
    ZT_CONTAINS(p, "\"DestinationPrefix\":\"0.0.0.0/0\"");
    free(p);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);

    /* an explicit id that exists */
    zh_guid r;
    zh_raw_guid g;
    ZT_REQUIRE(zh_guid_random(&r, NULL) == 0);
    memcpy(&g, &r, sizeof g);
    zh_wchar *s = W("{\"Type\":\"NAT\"}");
    zh_hcn_network a = NULL, b = NULL;
    zh_wchar *rec = NULL;
    ZT_EQ_HEX(T->HcnCreateNetwork(&g, s, &a, NULL), 0);
    ZT_EQ_HEX(T->HcnCreateNetwork(&g, s, &b, &rec), HCN_E_NETWORK_ALREADY_EXISTS);
    ZT_CHECK(b == NULL);
    free(take(rec));
    free(s);
    ZT_EQ_HEX(T->HcnCloseNetwork(a), 0);
    /* invalid UTF-16 in the settings */
    zh_wchar lone[] = {'{', 0xD800, '}', 0};
    rec = NULL;
    ZT_EQ_HEX(T->HcnCreateNetwork(&nil_guid, lone, &a, &rec), HCN_E_INVALID_JSON);
    free(take(rec));
    stop();
}

static void endpoints_get_addresses_and_conflicts_are_refused(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    char net_id[ZH_GUID_BUFSIZE];
    zh_hcn_network n = create_network(NAT, &hr, NULL, net_id);
    ZT_REQUIRE(n != NULL);

    zhns_HostComputeEndpoint *d1 = NULL, *d2 = NULL, *d3 = NULL;
    zh_hcn_endpoint e1 = create_endpoint(n, "{\"Name\":\"a\"}", &hr, NULL, &d1);
    zh_hcn_endpoint e2 = create_endpoint(n, "{\"Name\":\"b\"}", &hr, NULL, &d2);
    zh_hcn_endpoint e3 =
        create_endpoint(n, "{\"Name\":\"c\",\"IpConfigurations\":[{\"IpAddress\":\"10.8.0.50\",\"PrefixLength\":24}]}", &hr,
                        NULL, &d3);
    ZT_REQUIRE(e1 && e2 && e3 && d1 && d2 && d3);
    ZT_REQUIRE(d1->IpConfigurations_count == 1 && d2->IpConfigurations_count == 1);
    /* .0 is the network, .1 the gateway: allocation starts at .2 */
    ZT_EQ_STR(d1->IpConfigurations[0].IpAddress, "10.8.0.2");
    ZT_EQ_INT(d1->IpConfigurations[0].PrefixLength, 24);
    ZT_EQ_STR(d2->IpConfigurations[0].IpAddress, "10.8.0.3");
    ZT_EQ_STR(d3->IpConfigurations[0].IpAddress, "10.8.0.50");
    ZT_EQ_STR(d1->HostComputeNetwork, net_id);
    ZT_CHECK(d1->MacAddress && strncmp(d1->MacAddress, "00-15-5D-", 9) == 0);
    ZT_CHECK(strcmp(d1->MacAddress, d2->MacAddress) != 0);

    static const struct { const char *json; int32_t hr; const char *msg; } bad[] = {
        {"{\"IpConfigurations\":[{\"IpAddress\":\"10.8.0.50\"}]}", HCN_E_ADDR_INVALID_OR_RESERVED, "invalid or reserved"},
        {"{\"IpConfigurations\":[{\"IpAddress\":\"10.8.0.1\"}]}", HCN_E_ADDR_INVALID_OR_RESERVED, "gateway"},
        {"{\"IpConfigurations\":[{\"IpAddress\":\"10.8.0.255\"}]}", HCN_E_ADDR_INVALID_OR_RESERVED, "broadcast"},
        {"{\"IpConfigurations\":[{\"IpAddress\":\"10.9.0.5\"}]}", HCN_E_INVALID_IP, "not part of any configured subnet"},
        {"{\"IpConfigurations\":[{\"IpAddress\":\"10.8.0.300\"}]}", HCN_E_INVALID_IP, "is not an IP address"},
        {"{\"IpConfigurations\":[{\"IpAddress\":\"10.8.0.60\",\"PrefixLength\":16}]}", HCN_E_INVALID_PREFIX,
         "does not match the subnet's /24"},
        {"{\"HostComputeNetwork\":\"00000000-0000-0000-0000-000000000001\"}", HCN_E_INVALID_NETWORK, "the handle network"},
        {"[]", HCN_E_INVALID_JSON, "invalid endpoint settings"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *record = NULL;
        zh_hcn_endpoint e = create_endpoint(n, bad[i].json, &hr, &record, NULL);
        ZT_CHECK(e == NULL);
        ZT_EQ_HEX(hr, bad[i].hr);
        ZT_CONTAINS(record, bad[i].msg);
        free(record);
    }

    /* a network's endpoints by the v1 filter name */
    char q[256];
    snprintf(q, sizeof q, "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Filter\":\"{\\\"VirtualNetwork\\\":\\\"%s\\\"}\"}",
             net_id);
    char *ids = enumerate_endpoints(q);
    ZT_REQUIRE(ids != NULL);
    ZT_CONTAINS(ids, d1->ID);
    ZT_CONTAINS(ids, d3->ID);
    free(ids);
    zh_raw_guid ng, eg;
    ZT_REQUIRE(parse_id(net_id, &ng) == 0);

    /* a deleted endpoint's address is free again */
    ZT_REQUIRE(parse_id(d3->ID, &eg) == 0);
    ZT_EQ_HEX(T->HcnDeleteEndpoint(&eg, NULL), 0);
    ZT_EQ_HEX(T->HcnDeleteEndpoint(&eg, NULL), HCN_E_ENDPOINT_NOT_FOUND);
    zh_hcn_endpoint e4 = create_endpoint(n, "{\"IpConfigurations\":[{\"IpAddress\":\"10.8.0.50\"}]}", &hr, NULL, NULL);
    ZT_EQ_HEX(hr, 0);

    /* stats advance; addresses answer */
    zh_wchar *s1 = NULL, *s2 = NULL;
    ZT_EQ_HEX(T->HcnQueryEndpointStats(e1, NULL, &s1, NULL), 0);
    ZT_EQ_HEX(T->HcnQueryEndpointStats(e1, NULL, &s2, NULL), 0);
    char *t1 = take(s1), *t2 = take(s2);
    ZT_CONTAINS(t1, "\"BytesReceived\":");
    ZT_CHECK(t1 && t2 && strcmp(t1, t2) != 0);
    free(t1);
    free(t2);
    zh_wchar *addrs = NULL;
    ZT_EQ_HEX(T->HcnQueryEndpointAddresses(e1, NULL, &addrs, NULL), 0);
    char *a = take(addrs);
    ZT_CONTAINS(a, "10.8.0.2");
    free(a);

    /* the network goes with endpoints on it, and they go with it (hcsshim's
     * TestRouteAddRemoveEndpoint deletes a network that has endpoints and expects success) */
    zh_wchar *rec = NULL;
    ZT_EQ_HEX(T->HcnDeleteNetwork(&ng, &rec), 0);
    ZT_CHECK(rec == NULL);
    ids = enumerate_endpoints(q);
    ZT_REQUIRE(ids != NULL);
    ZT_EQ_STR(ids, "[]");
    free(ids);
    ZT_EQ_HEX(T->HcnQueryEndpointStats(e1, NULL, &s1, NULL), HCN_E_ENDPOINT_NOT_FOUND);

    zh_hcn_endpoint handles[] = {e1, e2, e3, e4};
    for (size_t i = 0; i < 4; i++)
        ZT_EQ_HEX(T->HcnCloseEndpoint(handles[i]), 0);
    ZT_EQ_HEX(T->HcnCloseEndpoint(n), ZH_E_HANDLE); /* a network handle is not an endpoint handle */
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    zhns_HostComputeEndpoint_free(d1);
    zhns_HostComputeEndpoint_free(d2);
    zhns_HostComputeEndpoint_free(d3);
    stop();
}

static char *modify_namespace(zh_hcn_namespace ns, const char *request, const char *endpoint_id, int32_t *hr)
{
    char json[256];
    snprintf(json, sizeof json, "{\"ResourceType\":\"Endpoint\",\"RequestType\":\"%s\",\"Settings\":{\"EndpointId\":\"%s\"}}",
             request, endpoint_id);
    zh_wchar *s = W(json), *rec = NULL;
    *hr = T->HcnModifyNamespace(ns, s, &rec);
    free(s);
    return take(rec);
}

static zh_hcn_namespace create_namespace(const char *json, int32_t *hr, zhns_HostComputeNamespace **doc)
{
    zh_hcn_namespace ns = NULL;
    zh_wchar *s = W(json), *rec = NULL;
    *hr = T->HcnCreateNamespace(&nil_guid, s, &ns, &rec);
    free(s);
    free(take(rec));
    if (doc) {
        zh_wchar *props = NULL;
        *doc = NULL;
        if (ns && T->HcnQueryNamespaceProperties(ns, NULL, &props, NULL) == 0) {
            char *p = take(props);
            *doc = zhns_HostComputeNamespace_parse(p, ZHNS_NUL_TERMINATED, NULL);
            free(p);
        }
    }
    return ns;
}

static void namespaces_attach_and_detach_endpoints(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcn_network n = create_network(NAT, &hr, NULL, NULL);
    zhns_HostComputeEndpoint *ed = NULL;
    zh_hcn_endpoint e = create_endpoint(n, "{}", &hr, NULL, &ed);
    ZT_REQUIRE(n && e && ed);
    zhns_HostComputeNamespace *nd = NULL, *od = NULL;
    zh_hcn_namespace ns = create_namespace("{\"Type\":\"Host\",\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}", &hr, &nd);
    zh_hcn_namespace other = create_namespace("{}", &hr, &od);
    ZT_REQUIRE(ns && nd && other && od);
    ZT_CHECK(nd->has_NamespaceId && od->has_NamespaceId && nd->NamespaceId != od->NamespaceId);
    ZT_EQ_INT(od->Type, ZHNS_NAMESPACETYPE_HOST);

    char *rec = modify_namespace(ns, "Add", ed->ID, &hr);
    ZT_EQ_HEX(hr, 0);
    ZT_CHECK(rec == NULL);
    zh_wchar *props = NULL;
    ZT_EQ_HEX(T->HcnQueryNamespaceProperties(ns, NULL, &props, NULL), 0);
    char *p = take(props);
    zhns_HostComputeNamespace *now = zhns_HostComputeNamespace_parse(p, ZHNS_NUL_TERMINATED, NULL);
    ZT_REQUIRE(now && now->Resources_count == 1 && now->Resources[0].Data);
    ZT_EQ_INT(now->Resources[0].Type, ZHNS_NAMESPACERESOURCETYPE_ENDPOINT);
    ZT_EQ_STR(now->Resources[0].Data->ID, ed->ID);
    zhns_HostComputeNamespace_free(now);
    free(p);
    /* the endpoint knows its namespace */
    ZT_EQ_HEX(T->HcnQueryEndpointProperties(e, NULL, &props, NULL), 0);
    p = take(props);
    ZT_CONTAINS(p, nd->ID);
    free(p);

    rec = modify_namespace(ns, "Add", ed->ID, &hr);
    ZT_EQ_HEX(hr, HCN_E_ENDPOINT_ALREADY_ATTACHED);
    ZT_CONTAINS(rec, "already attached");
    free(rec);
    free(modify_namespace(other, "Add", ed->ID, &hr));
    ZT_EQ_HEX(hr, HCN_E_ENDPOINT_ALREADY_ATTACHED);
    free(modify_namespace(ns, "Add", "00000000-0000-0000-0000-00000000abcd", &hr));
    ZT_EQ_HEX(hr, HCN_E_ENDPOINT_NOT_FOUND);
    free(modify_namespace(ns, "Add", "not-a-guid", &hr));
    ZT_EQ_HEX(hr, HCN_E_INVALID_JSON);

    free(modify_namespace(ns, "Remove", ed->ID, &hr));
    ZT_EQ_HEX(hr, 0);
    free(modify_namespace(ns, "Remove", ed->ID, &hr));
    ZT_EQ_HEX(hr, HCN_E_ENDPOINT_NOT_ATTACHED);

    /* deleting a namespace detaches its endpoints */
    free(modify_namespace(other, "Add", ed->ID, &hr));
    ZT_EQ_HEX(hr, 0);
    zh_raw_guid og;
    ZT_REQUIRE(parse_id(od->ID, &og) == 0);
    ZT_EQ_HEX(T->HcnDeleteNamespace(&og, NULL), 0);
    free(modify_namespace(ns, "Add", ed->ID, &hr));
    ZT_EQ_HEX(hr, 0);

    /* deleting an attached endpoint leaves the namespace without it */
    zh_raw_guid eg;
    ZT_REQUIRE(parse_id(ed->ID, &eg) == 0);
    ZT_EQ_HEX(T->HcnDeleteEndpoint(&eg, NULL), 0);
    ZT_EQ_HEX(T->HcnQueryNamespaceProperties(ns, NULL, &props, NULL), 0);
    p = take(props);
    ZT_CHECK(p && !strstr(p, ed->ID));
    free(p);

    /* one HostDefault namespace */
    zh_hcn_namespace d1 = create_namespace("{\"Type\":\"HostDefault\"}", &hr, NULL);
    ZT_EQ_HEX(hr, 0);
    zh_hcn_namespace d2 = create_namespace("{\"Type\":\"HostDefault\"}", &hr, NULL);
    ZT_EQ_HEX(hr, GCN_E_DEFAULTNAMESPACE_EXISTS);
    ZT_CHECK(d2 == NULL);

    ZT_EQ_HEX(T->HcnCloseNamespace(d1), 0);
    ZT_EQ_HEX(T->HcnCloseNamespace(ns), 0);
    ZT_EQ_HEX(T->HcnCloseNamespace(other), 0);
    ZT_EQ_HEX(T->HcnCloseEndpoint(e), 0);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    zhns_HostComputeEndpoint_free(ed);
    zhns_HostComputeNamespace_free(nd);
    zhns_HostComputeNamespace_free(od);
    stop();
}

static void load_balancers_and_routes(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    char net_id[ZH_GUID_BUFSIZE];
    zh_hcn_network n = create_network(NAT, &hr, NULL, net_id);
    zhns_HostComputeEndpoint *ed = NULL;
    zh_hcn_endpoint e = create_endpoint(n, "{}", &hr, NULL, &ed);
    ZT_REQUIRE(n && e && ed);
    char json[512];
    snprintf(json, sizeof json,
             "{\"HostComputeEndpoints\":[\"%s\"],\"FrontendVIPs\":[\"10.96.0.20\"],\"PortMappings\":[{\"Protocol\":6,"
             "\"InternalPort\":8080,\"ExternalPort\":80}]}",
             ed->ID);
    zh_wchar *s = W(json), *rec = NULL;
    zh_hcn_loadbalancer lb = NULL, lb2 = NULL;
    ZT_EQ_HEX(T->HcnCreateLoadBalancer(&nil_guid, s, &lb, NULL), 0);
    ZT_EQ_HEX(T->HcnCreateLoadBalancer(&nil_guid, s, &lb2, &rec), HCN_E_PORT_ALREADY_EXISTS);
    char *r = take(rec);
    ZT_CONTAINS(r, "already mapped");
    free(r);
    free(s);
    /* the same port on another VIP is fine; a missing endpoint is not */
    s = W("{\"FrontendVIPs\":[\"10.96.0.21\"],\"PortMappings\":[{\"Protocol\":\"TCP\",\"ExternalPort\":80}]}");
    ZT_EQ_HEX(T->HcnCreateLoadBalancer(&nil_guid, s, &lb2, NULL), 0);
    free(s);
    s = W("{\"HostComputeEndpoints\":[\"00000000-0000-0000-0000-00000000beef\"]}");
    zh_hcn_loadbalancer lb3 = NULL;
    ZT_EQ_HEX(T->HcnCreateLoadBalancer(&nil_guid, s, &lb3, NULL), HCN_E_ENDPOINT_NOT_FOUND);
    free(s);
    /* modify may not take another's port either */
    s = W("{\"FrontendVIPs\":[\"10.96.0.20\"],\"PortMappings\":[{\"Protocol\":6,\"ExternalPort\":80}]}");
    ZT_EQ_HEX(T->HcnModifyLoadBalancer(lb2, s, NULL), HCN_E_PORT_ALREADY_EXISTS);
    free(s);
    s = W("{\"FrontendVIPs\":[\"10.96.0.21\"],\"PortMappings\":[{\"Protocol\":17,\"ExternalPort\":53}]}");
    ZT_EQ_HEX(T->HcnModifyLoadBalancer(lb2, s, NULL), 0);
    free(s);
    zh_wchar *ids = NULL;
    ZT_EQ_HEX(T->HcnEnumerateLoadBalancers(NULL, &ids, NULL), 0);
    char *list = take(ids);
    zh_arena a = {0};
    zh_jv *arr = zh_json_parse(&a, list, strlen(list), "ids", NULL);
    ZT_CHECK(arr && arr->type == ZH_JARRAY && arr->count == 2);
    zh_arena_free(&a);
    free(list);

    /* SDN routes */
    s = W("{\"Routes\":[{\"DestinationPrefix\":\"10.96.0.0/12\",\"NextHop\":\"10.8.0.1\",\"NeedEncap\":true}]}");
    zh_hcn_sdnroute rt = NULL;
    ZT_EQ_HEX(T->HcnCreateSdnRoute(&nil_guid, s, &rt, NULL), 0);
    free(s);
    zh_wchar *props = NULL;
    ZT_EQ_HEX(T->HcnQuerySdnRouteProperties(rt, NULL, &props, NULL), 0);
    char *p = take(props);
    zhns_HostComputeRoute *route = zhns_HostComputeRoute_parse(p, ZHNS_NUL_TERMINATED, NULL);
    ZT_REQUIRE(route && route->ID && route->Routes_count == 1);
    ZT_CHECK(route->Routes[0].has_NeedEncap && route->Routes[0].NeedEncap);
    zh_raw_guid rg;
    ZT_REQUIRE(parse_id(route->ID, &rg) == 0);
    zhns_HostComputeRoute_free(route);
    free(p);
    s = W("{\"Routes\":[{\"DestinationPrefix\":\"nonsense\"}]}");
    ZT_EQ_HEX(T->HcnModifySdnRoute(rt, s, NULL), HCN_E_INVALID_PREFIX);
    free(s);
    ZT_EQ_HEX(T->HcnDeleteSdnRoute(&rg, NULL), 0);
    ZT_EQ_HEX(T->HcnQuerySdnRouteProperties(rt, NULL, &props, NULL), ZH_E_NOT_FOUND);

    ZT_EQ_HEX(T->HcnCloseSdnRoute(rt), 0);
    ZT_EQ_HEX(T->HcnCloseLoadBalancer(lb), 0);
    ZT_EQ_HEX(T->HcnCloseLoadBalancer(lb2), 0);
    ZT_EQ_HEX(T->HcnCloseEndpoint(e), 0);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    zhns_HostComputeEndpoint_free(ed);
    stop();
}

/* Policies and calls HNS gained in later versions are refused below them (hcsshim's version
 * table), by create and by modify alike; a Remove of such a policy is not. */
static void version_gated_policies_and_calls(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    char *rec = NULL;
    static const char VXLAN_NET[] = "{\"Type\":\"NAT\",\"Policies\":[{\"Type\":\"VxlanPort\",\"Settings\":{\"Port\":4789}}]}";
    ZT_EQ_INT(zh_sim_set_hns_version(10, 2), 0);
    ZT_CHECK(create_network(VXLAN_NET, &hr, &rec, NULL) == NULL);
    ZT_EQ_HEX(hr, HCN_E_REQUEST_UNSUPPORTED);
    ZT_CONTAINS(rec, "VxlanPort needs HNS 10.3+; this is 10.2");
    free(rec);
    zh_hcn_network n = create_network(NAT, &hr, NULL, NULL);
    ZT_REQUIRE(n != NULL);
    zh_wchar *s = W("{\"ResourceType\":\"Policy\",\"RequestType\":\"Add\",\"Settings\":{\"Policies\":[{\"Type\":\"SetPolicy\","
                    "\"Settings\":{}}]}}");
    ZT_EQ_HEX(T->HcnModifyNetwork(n, s, NULL), HCN_E_REQUEST_UNSUPPORTED); /* 13.0+ */
    free(s);
    /* endpoints: TierAcl 14.0+, L4WFPPROXY 13.2+, L4Proxy only in some spans */
    zh_hcn_endpoint e = create_endpoint(n, "{\"Policies\":[{\"Type\":\"TierAcl\",\"Settings\":{}}]}", &hr, &rec, NULL);
    ZT_CHECK(e == NULL);
    ZT_EQ_HEX(hr, HCN_E_REQUEST_UNSUPPORTED);
    ZT_CONTAINS(rec, "TierAcl needs HNS 14.0+");
    free(rec);
    ZT_EQ_INT(zh_sim_set_hns_version(10, 5), 0); /* L4Proxy: 10.5-10.x has it */
    e = create_endpoint(n, "{\"Policies\":[{\"Type\":\"L4Proxy\",\"Settings\":{}}]}", &hr, NULL, NULL);
    ZT_EQ_HEX(hr, 0);
    ZT_EQ_INT(zh_sim_set_hns_version(11, 10), 0); /* ... 11.10 does not */
    zh_hcn_endpoint e2 = create_endpoint(n, "{\"Policies\":[{\"Type\":\"L4Proxy\",\"Settings\":{}}]}", &hr, NULL, NULL);
    ZT_CHECK(e2 == NULL);
    ZT_EQ_HEX(hr, HCN_E_REQUEST_UNSUPPORTED);
    s = W("{\"ResourceType\":\"Policy\",\"RequestType\":\"Add\",\"Settings\":{\"Policies\":[{\"Type\":\"L4WFPPROXY\","
          "\"Settings\":{}}]}}");
    ZT_EQ_HEX(T->HcnModifyEndpoint(e, s, NULL), HCN_E_REQUEST_UNSUPPORTED); /* 13.2+ */
    free(s);
    /* HcnModifyLoadBalancer: 15.4+ */
    zh_hcn_loadbalancer lb = NULL;
    s = W("{\"FrontendVIPs\":[\"10.96.9.1\"],\"PortMappings\":[{\"Protocol\":6,\"ExternalPort\":81}]}");
    ZT_EQ_HEX(T->HcnCreateLoadBalancer(&nil_guid, s, &lb, NULL), 0);
    ZT_EQ_INT(zh_sim_set_hns_version(15, 3), 0);
    ZT_EQ_HEX(T->HcnModifyLoadBalancer(lb, s, NULL), HCN_E_REQUEST_UNSUPPORTED);
    /* the default (15.4) has all of them */
    ZT_EQ_INT(zh_sim_set_hns_version(15, 4), 0);
    ZT_EQ_HEX(T->HcnModifyLoadBalancer(lb, s, NULL), 0);
    free(s);
    zh_hcn_network n2 = create_network(VXLAN_NET, &hr, NULL, NULL);
    ZT_EQ_HEX(hr, 0);
    s = W("{\"ResourceType\":\"Policy\",\"RequestType\":\"Add\",\"Settings\":{\"Policies\":[{\"Type\":\"L4WFPPROXY\","
          "\"Settings\":{}}]}}");
    ZT_EQ_HEX(T->HcnModifyEndpoint(e, s, NULL), 0);
    free(s);
    T->HcnCloseLoadBalancer(lb);
    T->HcnCloseEndpoint(e);
    T->HcnCloseNetwork(n2);
    T->HcnCloseNetwork(n);
    stop();
}

static void network_policies_are_modified(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcn_network n = create_network(NAT, &hr, NULL, NULL);
    ZT_REQUIRE(n != NULL);
    zh_wchar *s = W("{\"ResourceType\":\"Policy\",\"RequestType\":\"Add\",\"Settings\":{\"Policies\":[{\"Type\":\"VxlanPort\","
                    "\"Settings\":{\"Port\":4789}}]}}");
    ZT_EQ_HEX(T->HcnModifyNetwork(n, s, NULL), 0);
    free(s);
    zh_wchar *props = NULL;
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, NULL), 0);
    char *p = take(props);
    ZT_CONTAINS(p, "\"VxlanPort\"");
    free(p);
    s = W("{\"ResourceType\":\"Policy\",\"RequestType\":\"Remove\",\"Settings\":{\"Policies\":[{\"Type\":\"VxlanPort\"}]}}");
    ZT_EQ_HEX(T->HcnModifyNetwork(n, s, NULL), 0);
    ZT_EQ_HEX(T->HcnModifyNetwork(n, s, NULL), HCN_E_POLICY_NOT_FOUND);
    free(s);
    s = W("{\"ResourceType\":\"Extension\",\"RequestType\":\"Add\",\"Settings\":{}}");
    ZT_EQ_HEX(T->HcnModifyNetwork(n, s, NULL), HCN_E_REQUEST_UNSUPPORTED);
    free(s);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    stop();
}

/* ---- notifications ---- */
struct notes {
    zh_mutex lock;
    zh_cond cond;
    int count;
    zh_dword types[16];
    char data[16][128];
};

static void ZH_WINAPI on_note(zh_dword type, void *ctx, zh_hresult status, const zh_wchar *data)
{
    struct notes *n = ctx;
    (void)status;
    char *d = NULL;
    if (data)
        zh_utf16_to_utf8((const uint16_t *)data, ZH_NUL_TERMINATED, &d, NULL, "note", NULL);
    zh_mutex_lock(&n->lock);
    if (n->count < 16) {
        n->types[n->count] = type;
        snprintf(n->data[n->count], sizeof n->data[0], "%s", d ? d : "");
        n->count++;
    }
    zh_cond_broadcast(&n->cond);
    zh_mutex_unlock(&n->lock);
    free(d);
}

static int wait_notes(struct notes *n, int count)
{
    uint64_t deadline = zh_monotonic_ns() + 5000000000ull;
    zh_mutex_lock(&n->lock);
    while (n->count < count && zh_cond_wait_until(&n->cond, &n->lock, deadline) == 0) {
    }
    int got = n->count;
    zh_mutex_unlock(&n->lock);
    return got;
}

static void service_notifications_are_delivered(void)
{
    ZT_REQUIRE(start() == 0);
    struct notes notes;
    memset(&notes, 0, sizeof notes);
    zh_mutex_init(&notes.lock);
    zh_cond_init(&notes.cond);
    zh_hcn_callback cb = NULL;
    ZT_EQ_HEX(T->HcnRegisterServiceCallback(on_note, &notes, &cb), 0);
    int32_t hr;
    char id[ZH_GUID_BUFSIZE];
    zh_hcn_network n = create_network(NAT, &hr, NULL, id);
    zh_hcn_namespace ns = create_namespace("{}", &hr, NULL);
    ZT_REQUIRE(n && ns);
    zh_raw_guid g;
    ZT_REQUIRE(parse_id(id, &g) == 0);
    ZT_EQ_HEX(T->HcnDeleteNetwork(&g, NULL), 0);
    ZT_EQ_INT(wait_notes(&notes, 3), 3);
    zh_mutex_lock(&notes.lock);
    ZT_EQ_INT(notes.types[0], 2); /* NetworkCreate */
    ZT_CONTAINS(notes.data[0], id);
    ZT_EQ_INT(notes.types[1], 5); /* NamespaceCreate */
    ZT_EQ_INT(notes.types[2], 4); /* NetworkDelete */
    ZT_CONTAINS(notes.data[2], id);
    zh_mutex_unlock(&notes.lock);

    /* after unregistering, nothing more arrives */
    ZT_EQ_HEX(T->HcnUnregisterServiceCallback(cb), 0);
    ZT_EQ_HEX(T->HcnUnregisterServiceCallback(cb), ZH_E_HANDLE);
    zh_hcn_namespace ns2 = create_namespace("{}", &hr, NULL);
    zh_sleep_ms(50);
    zh_mutex_lock(&notes.lock);
    ZT_EQ_INT(notes.count, 3);
    zh_mutex_unlock(&notes.lock);

    /* a stopped service says so to its listeners and refuses calls, but handles still close */
    struct notes gone;
    memset(&gone, 0, sizeof gone);
    zh_mutex_init(&gone.lock);
    zh_cond_init(&gone.cond);
    zh_hcn_callback cb2 = NULL;
    ZT_EQ_HEX(T->HcnRegisterServiceCallback(on_note, &gone, &cb2), 0);
    zh_sim_stop_service();
    ZT_EQ_INT(wait_notes(&gone, 1), 1);
    ZT_EQ_HEX(gone.types[0], 0x01000000);
    zh_wchar *ids = NULL;
    ZT_EQ_HEX(T->HcnEnumerateNetworks(NULL, &ids, NULL), 0x800706BA);
    ZT_CHECK(ids == NULL);
    ZT_EQ_HEX(T->HcnCloseNamespace(ns), 0);
    ZT_EQ_HEX(T->HcnCloseNamespace(ns2), 0);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    ZT_EQ_HEX(T->HcnUnregisterServiceCallback(cb2), 0);
    stop();
    zh_cond_destroy(&notes.cond);
    zh_mutex_destroy(&notes.lock);
    zh_cond_destroy(&gone.cond);
    zh_mutex_destroy(&gone.lock);
}

/* ---- controls ---- */
static void calls_are_counted_and_faults_injected(void)
{
    ZT_REQUIRE(start() == 0);
    ZT_EQ_INT(zh_sim_calls(NULL), 0);
    for (int i = 0; i < 3; i++)
        free(enumerate_networks(NULL));
    ZT_EQ_INT(zh_sim_calls("HcnEnumerateNetworks"), 3);
    ZT_EQ_INT(zh_sim_calls("HcnEnumerateEndpoints"), 0);
    ZT_EQ_INT(zh_sim_calls(NULL), 3);
    ZT_EQ_INT(zh_sim_calls("NoSuchEntry"), 0);

    /* the 2nd call from now fails, once */
    ZT_EQ_INT(zh_sim_fault("HcnEnumerateNetworks", 2, HCN_E_MANAGER_STOPPED), 0);
    zh_wchar *ids = NULL, *rec = NULL;
    ZT_EQ_HEX(T->HcnEnumerateNetworks(NULL, &ids, &rec), 0);
    zh_sim_free_string(ids);
    ids = NULL;
    ZT_EQ_HEX(T->HcnEnumerateNetworks(NULL, &ids, &rec), HCN_E_MANAGER_STOPPED);
    ZT_CHECK(ids == NULL && rec == NULL); /* out-parameters untouched */
    ZT_EQ_HEX(T->HcnEnumerateNetworks(NULL, &ids, &rec), 0);
    zh_sim_free_string(ids);

    /* every call of an entry, then cleared */
    ZT_EQ_INT(zh_sim_fault("HcnCreateNetwork", 0, ZH_E_ACCESSDENIED), 0);
    int32_t hr;
    for (int i = 0; i < 2; i++) {
        ZT_CHECK(create_network(NAT, &hr, NULL, NULL) == NULL);
        ZT_EQ_HEX(hr, 0x80070005);
    }
    zh_sim_fault_clear();
    zh_hcn_network n = create_network(NAT, &hr, NULL, NULL);
    ZT_REQUIRE(n != NULL);

    /* any entry: the next call, whichever it is */
    ZT_EQ_INT(zh_sim_fault(NULL, 1, ZH_E_FAIL), 0);
    zh_wchar *props = NULL;
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, NULL), 0x80004005);
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, NULL), 0);
    zh_sim_free_string(props);
    ZT_EQ_INT(zh_sim_fault("NoSuchEntry", 0, ZH_E_FAIL), -1);

    /* latency */
    ZT_EQ_INT(zh_sim_latency("HcnQueryNetworkProperties", 30), 0);
    uint64_t t0 = zh_monotonic_ms();
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, NULL), 0);
    zh_sim_free_string(props);
    ZT_CHECK(zh_monotonic_ms() - t0 >= 25);
    zh_sim_latency(NULL, 0);
    ZT_EQ_INT(zh_sim_latency("NoSuchEntry", 5), -1);

    zh_sim_calls_reset();
    ZT_EQ_INT(zh_sim_calls(NULL), 0);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    stop();
}

static void service_lifecycle(void)
{
    zh_error *err = NULL;
    ZT_REQUIRE(zh_sim_open(NULL, &err) == 0);
    ZT_REQUIRE(zh_sim_open(NULL, &err) == 0); /* a second reference to the same world */
    zh_hcn_namespace ns = NULL;
    zh_wchar *s = W("{}");
    ZT_EQ_HEX(zh_sim_hcn_table()->HcnCreateNamespace(&nil_guid, s, &ns, NULL), 0);
    free(s);
    zh_sim_close(); /* still open */
    ZT_EQ_HEX(zh_sim_hcn_table()->HcnCloseNamespace(ns), 0);
    ZT_EQ_INT(zh_sim_open("/some/dir", &err), -1); /* another world while this one runs */
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_STATE);
    zh_error_free(err);
    err = NULL;
    zh_sim_close();
    /* closed: calls fail cleanly */
    zh_wchar *ids = NULL;
    ZT_EQ_HEX(zh_sim_hcn_table()->HcnEnumerateNetworks(NULL, &ids, NULL), 0x800706BA);
    ZT_CHECK(ids == NULL);
    /* the table backend offers every HCN entry point */
    zh_raw_lib *hcn = zh_sim_hcn_lib(&err);
    ZT_REQUIRE(hcn != NULL);
    for (size_t i = 0; i < ZH_HCN_ID_COUNT; i++)
        ZT_CHECK(zh_raw_get(hcn, i, NULL) != NULL);
    zh_raw_lib_free(hcn);
}

static void the_adapter_list_can_be_replaced(void)
{
    ZT_REQUIRE(start() == 0);
    size_t n = 0;
    zh_sim_adapter *list = zh_sim_get_adapters(&n);
    ZT_REQUIRE(list != NULL);
    ZT_EQ_INT(n, 3); /* the default */
    ZT_EQ_STR(list[0].name, "Ethernet");
    ZT_EQ_STR(list[0].gateway, "192.168.1.1");
    ZT_CHECK(list[1].loopback && list[2].gateway == NULL);
    zh_sim_adapters_free(list, n);

    zh_sim_adapter mine[] = {
        {"Wi-Fi", "Wireless", "00-11-22-33-44-55", 1, 0, 0, "10.0.0.5/24", "10.0.0.1", 50},
        {"Tunnel", "VPN", "", 1, 0, 1, "10.8.0.2/24", "10.8.0.1", 1},
    };
    ZT_EQ_INT(zh_sim_set_adapters(mine, 2), 0);
    list = zh_sim_get_adapters(&n);
    ZT_REQUIRE(list && n == 2);
    ZT_EQ_STR(list[1].name, "Tunnel");
    ZT_CHECK(list[1].tunnel && list[1].metric == 1);
    ZT_CHECK(list[0].name != mine[0].name); /* a copy */
    zh_sim_adapters_free(list, n);
    ZT_EQ_INT(zh_sim_set_adapters(NULL, 0), 0); /* back to the default */
    list = zh_sim_get_adapters(&n);
    ZT_EQ_INT(n, 3);
    zh_sim_adapters_free(list, n);
    ZT_EQ_INT(zh_sim_set_adapters(mine, 2), 0); /* left set: freed by the close */
    stop();
    ZT_EQ_INT(zh_sim_set_adapters(mine, 2), -1); /* not open */
    ZT_CHECK(zh_sim_get_adapters(&n) == NULL && n == 0);
}

/* ---- threads ---- */
struct worker {
    zh_hcn_network net;
    int created;
    char ips[25][32];
};

static void create_many(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 25; i++) {
        int32_t hr;
        zhns_HostComputeEndpoint *d = NULL;
        zh_hcn_endpoint e = create_endpoint(w->net, "{}", &hr, NULL, &d);
        if (e && d && d->IpConfigurations_count == 1) {
            snprintf(w->ips[w->created++], sizeof w->ips[0], "%s", d->IpConfigurations[0].IpAddress);
            T->HcnCloseEndpoint(e);
        }
        zhns_HostComputeEndpoint_free(d);
    }
}

static void concurrent_endpoints_get_distinct_addresses(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    zh_hcn_network n = create_network(NAT, &hr, NULL, NULL);
    ZT_REQUIRE(n != NULL);
    struct worker w[4];
    zh_thread *t[4];
    for (int i = 0; i < 4; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].net = n;
        ZT_REQUIRE(zh_thread_start(&t[i], create_many, &w[i], NULL) == 0);
    }
    for (int i = 0; i < 4; i++)
        zh_thread_join(t[i]);
    int total = 0;
    for (int i = 0; i < 4; i++) {
        total += w[i].created;
        for (int j = 0; j < w[i].created; j++)
            for (int k = i; k < 4; k++)
                for (int m = (k == i ? j + 1 : 0); m < w[k].created; m++)
                    if (strcmp(w[i].ips[j], w[k].ips[m]) == 0)
                        ZT_FAIL_("address %s handed out twice", w[i].ips[j]);
    }
    ZT_EQ_INT(total, 100);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    stop();
}

/* Issue 12's fidelity items: each with the evidence in docs/simulator.md / conformance.md. */
static void endpoint_fidelity(void)
{
    ZT_REQUIRE(start() == 0);
    int32_t hr;
    char *rec = NULL;
    zh_hcn_network n = create_network(NAT, &hr, NULL, NULL);
    ZT_REQUIRE(n != NULL);
    /* /32 endpoint prefixes (Slash32EndpointPrefixes, HNS 10.4+: the default 15.4 has it) */
    zh_hcn_endpoint e32 = create_endpoint(n, "{\"IpConfigurations\":[{\"IpAddress\":\"10.8.0.20\",\"PrefixLength\":32}]}",
                                          &hr, &rec, NULL);
    ZT_EQ_HEX(hr, 0);
    free(rec);
    ZT_EQ_INT(zh_sim_set_hns_version(10, 3), 0);
    zh_hcn_endpoint none = create_endpoint(n, "{\"IpConfigurations\":[{\"IpAddress\":\"10.8.0.21\",\"PrefixLength\":32}]}",
                                           &hr, &rec, NULL);
    ZT_CHECK(none == NULL);
    ZT_EQ_HEX(hr, HCN_E_INVALID_PREFIX);
    free(rec);
    ZT_EQ_INT(zh_sim_set_hns_version(15, 4), 0);
    /* MAC addresses: checked, unique on the host */
    static const char *const bad_macs[] = {"00-15-5D-01-02", "00-15-5D-01-02-0G", "01-00-5E-00-00-01", "00-00-00-00-00-00"};
    for (size_t i = 0; i < sizeof bad_macs / sizeof bad_macs[0]; i++) {
        char json[128];
        snprintf(json, sizeof json, "{\"MacAddress\":\"%s\"}", bad_macs[i]);
        none = create_endpoint(n, json, &hr, &rec, NULL);
        ZT_CHECK(none == NULL);
        ZT_EQ_HEX(hr, HCN_E_INVALID_ENDPOINT);
        ZT_CONTAINS(rec, "MAC address");
        free(rec);
    }
    zh_hcn_endpoint em = create_endpoint(n, "{\"MacAddress\":\"00-15-5D-AA-00-01\"}", &hr, NULL, NULL);
    ZT_EQ_HEX(hr, 0);
    none = create_endpoint(n, "{\"MacAddress\":\"00:15:5d:aa:00:01\"}", &hr, &rec, NULL);
    ZT_CHECK(none == NULL);
    ZT_EQ_HEX(hr, ZH_E_ALREADY_EXISTS);
    free(rec);
    /* an endpoint naming a namespace: the namespace must exist, and then holds it */
    none = create_endpoint(n, "{\"HostComputeNamespace\":\"5f0b1190-63be-4e0c-b974-bd0f55675a42\"}", &hr, &rec, NULL);
    ZT_CHECK(none == NULL);
    ZT_EQ_HEX(hr, ZH_E_NOT_FOUND);
    free(rec);
    zh_hcn_namespace ns = NULL;
    zh_wchar *settings = W("{\"ID\":\"5f0b1190-63be-4e0c-b974-bd0f55675a42\"}"), *props = NULL;
    ZT_EQ_HEX(T->HcnCreateNamespace(&nil_guid, settings, &ns, NULL), 0); /* the document's ID */
    free(settings);
    zhns_HostComputeEndpoint *doc = NULL;
    zh_hcn_endpoint ein = create_endpoint(n, "{\"HostComputeNamespace\":\"5f0b1190-63be-4e0c-b974-bd0f55675a42\"}",
                                          &hr, NULL, &doc);
    ZT_EQ_HEX(hr, 0);
    ZT_CHECK(doc && doc->HostComputeNamespace);
    ZT_EQ_HEX(T->HcnQueryNamespaceProperties(ns, NULL, &props, NULL), 0);
    char *p = take(props);
    ZT_CONTAINS(p, doc && doc->ID ? doc->ID : "?");
    free(p);
    zhns_HostComputeEndpoint_free(doc);
    /* port mappings conflict across endpoints */
    const char *pm = "{\"Policies\":[{\"Type\":\"PortMapping\",\"Settings\":{\"Protocol\":17,\"InternalPort\":45678,"
                     "\"ExternalPort\":56789}}]}";
    zh_hcn_endpoint ep1 = create_endpoint(n, pm, &hr, NULL, NULL);
    ZT_EQ_HEX(hr, 0);
    none = create_endpoint(n, pm, &hr, &rec, NULL);
    ZT_CHECK(none == NULL);
    ZT_EQ_HEX(hr, HCN_E_PORT_ALREADY_EXISTS);
    free(rec);
    zh_hcn_endpoint all[] = {e32, em, ein, ep1};
    for (size_t i = 0; i < 4; i++)
        ZT_EQ_HEX(T->HcnCloseEndpoint(all[i]), 0);
    ZT_EQ_HEX(T->HcnCloseNamespace(ns), 0);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);

    /* DoNotReserveGatewayAddress: the gateway's address may be an endpoint's; a MacPool is used */
    n = create_network("{\"Type\":\"NAT\",\"MacPool\":{\"Ranges\":[{\"StartMacAddress\":\"00-15-5D-52-C0-00\","
                       "\"EndMacAddress\":\"00-15-5D-52-C0-01\"}]},\"Ipams\":[{\"Type\":\"Static\",\"Subnets\":[{"
                       "\"IpAddressPrefix\":\"10.9.0.0/24\",\"Flags\":1,\"Routes\":[{\"NextHop\":\"10.9.0.1\","
                       "\"DestinationPrefix\":\"0.0.0.0/0\"}]}]}]}",
                       &hr, &rec, NULL);
    ZT_EQ_HEX(hr, 0);
    free(rec);
    ZT_REQUIRE(n != NULL);
    zh_hcn_endpoint gw = create_endpoint(n, "{\"IpConfigurations\":[{\"IpAddress\":\"10.9.0.1\"}]}", &hr, NULL, &doc);
    ZT_EQ_HEX(hr, 0);
    ZT_EQ_STR(doc ? doc->MacAddress : NULL, "00-15-5D-52-C0-00");
    zhns_HostComputeEndpoint_free(doc);
    zh_hcn_endpoint m2 = create_endpoint(n, "{}", &hr, NULL, &doc);
    ZT_EQ_HEX(hr, 0);
    ZT_EQ_STR(doc ? doc->MacAddress : NULL, "00-15-5D-52-C0-01");
    zhns_HostComputeEndpoint_free(doc);
    none = create_endpoint(n, "{}", &hr, &rec, NULL); /* the pool is used up */
    ZT_CHECK(none == NULL);
    ZT_CONTAINS(rec, "MacPool");
    free(rec);
    ZT_EQ_HEX(T->HcnCloseEndpoint(gw), 0);
    ZT_EQ_HEX(T->HcnCloseEndpoint(m2), 0);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);

    /* a v1 network document (hcsshim's TestV1Network) keeps its Subnets and MacPools, as v2 */
    char nid[ZH_GUID_BUFSIZE];
    n = create_network("{\"Type\":\"NAT\",\"Name\":\"v1\",\"Subnets\":[{\"AddressPrefix\":\"192.168.100.0/24\","
                       "\"GatewayAddress\":\"192.168.100.1\"}],\"MacPools\":[{\"StartMacAddress\":\"00-15-5D-52-C0-10\","
                       "\"EndMacAddress\":\"00-15-5D-52-CF-FF\"}]}",
                       &hr, NULL, nid);
    ZT_EQ_HEX(hr, 0);
    ZT_REQUIRE(n != NULL);
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, NULL), 0);
    p = take(props);
    ZT_CONTAINS(p, "\"IpAddressPrefix\":\"192.168.100.0/24\"");
    ZT_CONTAINS(p, "\"NextHop\":\"192.168.100.1\"");
    ZT_CONTAINS(p, "\"StartMacAddress\":\"00-15-5D-52-C0-10\"");
    ZT_CHECK(p && !strstr(p, "\"Subnets\":[{\"AddressPrefix\""));
    free(p);
    zh_hcn_endpoint v1e = create_endpoint(n, "{}", &hr, NULL, &doc);
    ZT_EQ_HEX(hr, 0);
    ZT_EQ_STR(doc && doc->IpConfigurations_count ? doc->IpConfigurations[0].IpAddress : NULL, "192.168.100.2");
    ZT_EQ_STR(doc ? doc->MacAddress : NULL, "00-15-5D-52-C0-10");
    zhns_HostComputeEndpoint_free(doc);
    /* version-gated: a DSR load balancer needs HNS 9.3-9.x or 10.2+ */
    zh_hcn_loadbalancer lb = NULL;
    ZT_EQ_INT(zh_sim_set_hns_version(10, 1), 0);
    settings = W("{\"Flags\":1,\"PortMappings\":[{\"Protocol\":6,\"InternalPort\":80,\"ExternalPort\":8080}]}");
    zh_wchar *rec16 = NULL;
    ZT_EQ_HEX(T->HcnCreateLoadBalancer(&nil_guid, settings, &lb, &rec16), HCN_E_REQUEST_UNSUPPORTED);
    rec = take(rec16);
    ZT_CONTAINS(rec, "10.2+");
    free(rec);
    ZT_EQ_INT(zh_sim_set_hns_version(15, 4), 0);
    ZT_EQ_HEX(T->HcnCreateLoadBalancer(&nil_guid, settings, &lb, NULL), 0);
    free(settings);
    ZT_EQ_HEX(T->HcnCloseLoadBalancer(lb), 0);
    ZT_EQ_HEX(T->HcnCloseEndpoint(v1e), 0);
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    stop();
}

/* vmcompute.dll's HNSCall, the v1 API hcsshim's root package uses (sim_hnsv1.c). */
static char *v1(const char *method, const char *path, const char *request)
{
    zh_wchar *m = W(method), *p = W(path), *r = W(request ? request : ""), *resp = NULL;
    zh_hresult hr = zh_sim_hnscall(m, p, r, &resp);
    free(m);
    free(p);
    free(r);
    return hr == 0 ? take(resp) : NULL;
}

/* The string member `key` of the Output object of a v1 answer (into buf). */
static const char *v1_output_str(const char *answer, const char *key, char *buf, size_t n)
{
    const char *o = answer ? strstr(answer, "\"Output\":") : NULL;
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *k = o ? strstr(o, pat) : NULL;
    buf[0] = '\0';
    if (k) {
        k += strlen(pat);
        size_t len = strcspn(k, "\"");
        snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), k);
    }
    return buf;
}

static void the_v1_api(void)
{
    ZT_REQUIRE(start() == 0);
    char *a = v1("GET", "/globals/version", NULL);
    ZT_CONTAINS(a, "\"Output\":{\"Major\":15,\"Minor\":4}");
    free(a);
    a = v1("POST", "/networks/", "{\"Type\":\"NAT\",\"Name\":\"GoTestNat\",\"Subnets\":[{\"AddressPrefix\":"
                                 "\"192.168.100.0/24\",\"GatewayAddress\":\"192.168.100.1\"}]}");
    ZT_CONTAINS(a, "\"Success\":true");
    ZT_CONTAINS(a, "\"Subnets\":[{\"AddressPrefix\":\"192.168.100.0/24\",\"GatewayAddress\":\"192.168.100.1\"}]");
    char net[64], ep[64], req[256], path[128];
    v1_output_str(a, "ID", net, sizeof net);
    free(a);
    ZT_CHECK(strlen(net) == 36);
    /* the same network through the v2 API */
    char *ids = enumerate_networks("");
    ZT_CONTAINS(ids, net);
    free(ids);
    snprintf(req, sizeof req,
             "{\"Name\":\"GoTestNatEndpoint\",\"VirtualNetwork\":\"%s\",\"DNSServerList\":\"10.0.0.10,10.0.0.11\"}", net);
    a = v1("POST", "/endpoints/", req);
    ZT_CONTAINS(a, "\"IPAddress\":\"192.168.100.2\"");
    ZT_CONTAINS(a, "\"VirtualNetworkName\":\"GoTestNat\"");
    v1_output_str(a, "ID", ep, sizeof ep);
    free(a);
    /* v1's comma-separated DNS servers are a list in the v2 document */
    zh_raw_guid eg;
    zh_hcn_endpoint eh = NULL;
    zh_wchar *eprops = NULL;
    ZT_REQUIRE(parse_id(ep, &eg) == 0);
    ZT_EQ_HEX(T->HcnOpenEndpoint(&eg, &eh, NULL), 0);
    ZT_EQ_HEX(T->HcnQueryEndpointProperties(eh, NULL, &eprops, NULL), 0);
    char *edoc = take(eprops);
    ZT_CONTAINS(edoc, "\"ServerList\":[\"10.0.0.10\",\"10.0.0.11\"]");
    free(edoc);
    T->HcnCloseEndpoint(eh);
    a = v1("GET", "/endpoints/", NULL);
    ZT_CONTAINS(a, ep);
    free(a);
    snprintf(path, sizeof path, "/endpoints/%s/attach", ep);
    a = v1("POST", path, "{\"SystemType\":\"Host\",\"CompartmentId\":1}");
    ZT_CONTAINS(a, "\"Success\":true");
    free(a);
    snprintf(path, sizeof path, "/endpointstats/%s", ep);
    a = v1("GET", path, NULL);
    ZT_CONTAINS(a, "\"EndpointId\":");
    ZT_CONTAINS(a, "\"BytesReceived\":");
    free(a);
    /* errors answer Success false with the reason */
    a = v1("GET", "/endpoints/5f0b1190-63be-4e0c-b974-bd0f55675a42", NULL);
    ZT_CONTAINS(a, "\"Success\":false");
    ZT_CONTAINS(a, "not found");
    free(a);
    a = v1("POST", "/endpoints/", "{\"Name\":\"x\"}");
    ZT_CONTAINS(a, "names no VirtualNetwork");
    free(a);
    a = v1("PUT", "/policylists/", "{}");
    ZT_CONTAINS(a, "is not simulated");
    free(a);
    a = v1("POST", "/networks/", "not json");
    ZT_CONTAINS(a, "\"Success\":false");
    free(a);
    snprintf(path, sizeof path, "/networks/%s", net);
    a = v1("DELETE", path, NULL);
    ZT_CONTAINS(a, "\"Success\":true");
    free(a);
    a = v1("GET", "/endpoints/", NULL);
    ZT_CONTAINS(a, "\"Output\":[]"); /* the network's endpoints went with it */
    free(a);
    stop();
}

static const zt_case cases[] = {
    ZT_CASE(networks_are_created_queried_and_listed),
    ZT_CASE(endpoint_fidelity),
    ZT_CASE(version_gated_policies_and_calls),
    ZT_CASE(the_v1_api),
    ZT_CASE(network_settings_are_validated),
    ZT_CASE(endpoints_get_addresses_and_conflicts_are_refused),
    ZT_CASE(namespaces_attach_and_detach_endpoints),
    ZT_CASE(load_balancers_and_routes),
    ZT_CASE(network_policies_are_modified),
    ZT_CASE(service_notifications_are_delivered),
    ZT_CASE(calls_are_counted_and_faults_injected),
    ZT_CASE(service_lifecycle),
    ZT_CASE(the_adapter_list_can_be_replaced),
    ZT_CASE(concurrent_endpoints_get_distinct_addresses),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_hns_namespace.c - zhns_namespace_*: create (Host, Guest, HostDefault), open, attach
 * and detach endpoints, list them, modify, query, list, delete. */
#include <stdio.h>

#include "hns_test.h"

static void attach_and_detach(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_endpoint *e1 = NULL, *e2 = NULL;
    HT_OK(zhns_endpoint_create_json(&e1, net, "{}", HT_E));
    HT_OK(zhns_endpoint_create_json(&e2, net, "{}", HT_E));
    zhns_namespace *ns = NULL;
    HT_OK(zhns_namespace_create_json(&ns, svc, "{\"Type\":\"Host\",\"Owner\":\"o\"}", HT_E));
    ZT_REQUIRE(ns && e1 && e2);
    HT_OK(zhns_namespace_add_endpoint(ns, zhns_endpoint_id(e1), HT_E));
    /* ids in any case */
    char upper[40];
    snprintf(upper, sizeof upper, "%s", zhns_endpoint_id(e2));
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 32);
    HT_OK(zhns_namespace_add_endpoint(ns, upper, HT_E));
    char **ids = NULL;
    size_t n = 0;
    HT_OK(zhns_namespace_list_endpoints(&ids, &n, ns, HT_E));
    ZT_EQ_INT(n, 2);
    ZT_CHECK(ht_has(ids, n, zhns_endpoint_id(e1)) && ht_has(ids, n, zhns_endpoint_id(e2)));
    zhns_strings_free(ids, n);
    /* the endpoint names its namespace */
    zhns_HostComputeEndpoint *doc = NULL;
    HT_OK(zhns_endpoint_query_properties(&doc, e1, HT_E));
    HT_EQ_ID(doc ? doc->HostComputeNamespace : NULL, zhns_namespace_id(ns));
    zhns_HostComputeEndpoint_free(doc);

    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_namespace_add_endpoint(ns, zhns_endpoint_id(e1), &err), -1);
    ZT_EQ_HEX(zhns_error_hresult(err), 0x803B0014);
    HT_ERR(err, ZHNS_ERROR_ALREADY_EXISTS, "already attached");
    HT_OK(zhns_namespace_remove_endpoint(ns, zhns_endpoint_id(e1), HT_E));
    ZT_EQ_INT(zhns_namespace_remove_endpoint(ns, zhns_endpoint_id(e1), &err), -1);
    ZT_EQ_HEX(zhns_error_hresult(err), 0x803B0034);
    HT_ERR(err, ZHNS_ERROR_INVALID_STATE, "not attached");
    ZT_EQ_INT(zhns_namespace_add_endpoint(ns, "x", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "endpoint_id");
    ZT_EQ_INT(zhns_namespace_add_endpoint(ns, "00000000-0000-0000-0000-00000000abcd", &err), -1);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, NULL);
    HT_OK(zhns_namespace_list_endpoints(&ids, &n, ns, HT_E));
    ZT_EQ_INT(n, 1);
    zhns_strings_free(ids, n);

    /* raw modify */
    char req[200];
    snprintf(req, sizeof req, "{\"ResourceType\":\"Endpoint\",\"RequestType\":\"Remove\",\"Settings\":{\"EndpointId\":\"%s\"}}",
             zhns_endpoint_id(e2));
    HT_OK(zhns_namespace_modify_json(ns, req, HT_E));
    ZT_EQ_INT(zhns_namespace_modify_json(ns, "{\"ResourceType\":[]}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_JSON, "$.ResourceType");
    HT_OK(zhns_namespace_list_endpoints(&ids, &n, ns, HT_E));
    ZT_EQ_INT(n, 0);
    zhns_strings_free(ids, n);

    HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(ns), HT_E));
    HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(ns), HT_E));
    zhns_namespace_close(ns);
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(e1), HT_E));
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(e2), HT_E));
    zhns_endpoint_close(e1);
    zhns_endpoint_close(e2);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

static void kinds_of_namespaces(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_namespace *d = NULL, *d2 = (zhns_namespace *)1, *g = NULL, *h = NULL;
    HT_OK(zhns_namespace_create_host_default(&d, svc, HT_E));
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_namespace_create_host_default(&d2, svc, &err), -1);
    ZT_CHECK(d2 == NULL);
    HT_ERR(err, ZHNS_ERROR_ALREADY_EXISTS, "HostDefault");
    zhns_HostComputeNamespace spec = {0};
    spec.has_Type = true;
    spec.Type = ZHNS_NAMESPACETYPE_GUEST;
    HT_OK(zhns_namespace_create(&g, svc, &spec, HT_E));
    HT_OK(zhns_namespace_create_json(&h, svc, "{}", HT_E));
    zhns_HostComputeNamespace *doc = NULL;
    HT_OK(zhns_namespace_query(&doc, g, HT_E));
    ZT_CHECK(doc && doc->Type == ZHNS_NAMESPACETYPE_GUEST && doc->has_NamespaceId);
    zhns_HostComputeNamespace_free(doc);
    HT_OK(zhns_namespace_query(&doc, h, HT_E));
    ZT_CHECK(doc && doc->Type == ZHNS_NAMESPACETYPE_HOST);
    zhns_HostComputeNamespace_free(doc);
    char *json = NULL;
    HT_OK(zhns_namespace_query_json(&json, d, NULL, HT_E));
    ZT_CONTAINS(json, "HostDefault");
    zhns_string_free(json);

    char **ids = NULL;
    size_t n = 0;
    HT_OK(zhns_namespace_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, 3);
    zhns_strings_free(ids, n);
    zhns_HostComputeQuery q = {0};
    q.Filter = "{\"Type\":\"Guest\"}";
    HT_OK(zhns_namespace_list(&ids, &n, svc, &q, HT_E));
    ZT_EQ_INT(n, 1);
    if (n == 1)
        ZT_EQ_STR(ids[0], zhns_namespace_id(g));
    zhns_strings_free(ids, n);

    zhns_namespace *again = NULL;
    HT_OK(zhns_namespace_open(&again, svc, zhns_namespace_id(g), HT_E));
    ZT_EQ_STR(zhns_namespace_id(again), zhns_namespace_id(g));
    zhns_namespace_close(again);
    ZT_EQ_INT(zhns_namespace_create_json(&again, svc, "{\"Type\":\"Bogus\"}", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_JSON, "Bogus");
    ZT_EQ_INT(zhns_namespace_open(&again, svc, "00000000-0000-0000-0000-0000000000ff", &err), -1);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, NULL);

    zhns_namespace *all[] = {d, g, h};
    for (int i = 0; i < 3; i++) {
        HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(all[i]), HT_E));
        zhns_namespace_close(all[i]);
    }
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(attach_and_detach),
    ZT_CASE(kinds_of_namespaces),
};
HT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_hns_costs.c - how many raw HCN calls each zhns call makes, counted by the
 * simulator. docs/zhns.md ("What each call costs") states these numbers; this test keeps
 * them true. */
#include <stdio.h>

#include "hns_test.h"

#define N 50

static uint64_t calls_of(void)
{
    uint64_t n = zh_sim_calls(NULL);
    zh_sim_calls_reset();
    return n;
}

static void listing_costs_one_call_whatever_the_number(void)
{
    /* checks the default model: HNS keeps Owner and honours filters */
    unsigned lat_ = ht_latitudes_off(ZH_SIM_HCN_FILTER_LOOSE | ZH_SIM_HCN_DROP_OWNER | ZH_SIM_HCN_FILTER_STRICT);
    zhns_service *svc = ht_open(NULL);
    zhns_network *nets[N];
    zhns_attachment *att[N];
    zhns_network *net = ht_nat(svc);
    for (int i = 0; i < N; i++) {
        char json[100];
        snprintf(json, sizeof json, "{\"Name\":\"n%d\",\"Type\":\"NAT\"}", i);
        HT_OK(zhns_network_create_json(&nets[i], svc, json, HT_E));
        zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
        o.owner = i % 5 == 0 ? "mine" : "theirs"; /* 10 of 50 are "mine" */
        HT_OK(zhns_attachment_create_overlay(&att[i], net, &o, HT_E));
    }
    char **ids = NULL;
    size_t n = 0;
    zh_sim_calls_reset();
    HT_OK(zhns_network_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, N + 1);
    ZT_EQ_INT(calls_of(), 1);
    zhns_strings_free(ids, n);
    HT_OK(zhns_endpoint_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, N);
    ZT_EQ_INT(calls_of(), 1);
    zhns_strings_free(ids, n);
    HT_OK(zhns_endpoint_list(&ids, &n, svc, zhns_network_id(net), HT_E));
    ZT_EQ_INT(n, N);
    ZT_EQ_INT(calls_of(), 1);
    zhns_strings_free(ids, n);
    HT_OK(zhns_namespace_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, N);
    ZT_EQ_INT(calls_of(), 1);
    zhns_strings_free(ids, n);
    HT_OK(zhns_namespace_list_endpoints(&ids, &n, zhns_attachment_namespace(att[0]), HT_E));
    ZT_EQ_INT(n, 1);
    ZT_EQ_INT(calls_of(), 1);
    zhns_strings_free(ids, n);

    /* list_owned: 2 enumerations filtered on Owner, which answer the owner's objects alone;
     * what create_overlay made is known by its ids (no document fetched), so nothing more
     * per owned attachment, and nothing at all per foreign one. An empty answer costs the
     * probe of whether HNS keeps Owner (create, query, close, delete of a namespace). */
    zhns_owned_attachment *owned = NULL;
    HT_OK(zhns_attachment_list_owned(&owned, &n, svc, "mine", HT_E));
    ZT_EQ_INT(n, N / 5);
    ZT_EQ_INT(calls_of(), 2);
    zhns_owned_attachments_free(owned, n);
    HT_OK(zhns_attachment_list_owned(&owned, &n, svc, "nobody", HT_E));
    ZT_EQ_INT(n, 0);
    ZT_EQ_INT(calls_of(), 6);
    zhns_owned_attachments_free(owned, n);

    for (int i = 0; i < N; i++) {
        zh_sim_calls_reset();
        HT_OK(zhns_attachment_teardown(att[i], HT_E));
        ZT_EQ_INT(calls_of(), 3);
        zhns_attachment_close(att[i]);
        ZT_EQ_INT(calls_of(), 2); /* HcnCloseEndpoint, HcnCloseNamespace */
        HT_OK(zhns_network_delete(svc, zhns_network_id(nets[i]), HT_E));
        zhns_network_close(nets[i]);
    }
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(lat_);
}

/* When a filter on Owner finds nothing: the probe says why, and the ids of every endpoint
 * and namespace are listed to find the owner's tags. An HNS that drops Owner: 2 + 5 + 2
 * calls. One that keeps Owner but cannot filter on it: the same, and every document not
 * tagged for the owner is read (the 6 of "theirs"), so that what was made by hand with the
 * Owner is found too (test_hns_fixes and test_hns_recovery have such objects). */
static void list_owned_when_an_owner_filter_finds_nothing(unsigned latitude)
{
    unsigned lat_ = zh_sim_hcn_latitudes(latitude);
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_attachment *att[6];
    for (int i = 0; i < 6; i++) {
        zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
        o.owner = i % 2 ? "mine" : "theirs";
        HT_OK(zhns_attachment_create_overlay(&att[i], net, &o, HT_E));
    }
    zhns_owned_attachment *owned = NULL;
    size_t n = 0;
    zh_sim_calls_reset();
    HT_OK(zhns_attachment_list_owned(&owned, &n, svc, "mine", HT_E));
    ZT_EQ_INT(n, 3);
    /* theirs: 3 endpoints and 3 namespaces, 3 calls (open, query, close) each when documents
     * count */
    ZT_EQ_INT(calls_of(), latitude == ZH_SIM_HCN_DROP_OWNER ? 9 : 9 + 6 * 3);
    for (size_t i = 0; i < n; i++)
        ZT_CHECK(owned[i].endpoint_id && owned[i].namespace_id);
    zhns_owned_attachments_free(owned, n);
    /* the probe left nothing behind */
    char **ids = NULL;
    HT_OK(zhns_namespace_list(&ids, &n, svc, NULL, HT_E));
    ZT_EQ_INT(n, 6);
    zhns_strings_free(ids, n);
    for (int i = 0; i < 6; i++) {
        HT_OK(zhns_attachment_teardown(att[i], HT_E));
        zhns_attachment_close(att[i]);
    }
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(lat_);
}

static void list_owned_survives_an_hns_that_drops_owner(void)
{
    list_owned_when_an_owner_filter_finds_nothing(ZH_SIM_HCN_DROP_OWNER);
}

static void list_owned_survives_an_hns_that_cannot_filter_on_owner(void)
{
    list_owned_when_an_owner_filter_finds_nothing(ZH_SIM_HCN_FILTER_STRICT);
}

static void single_calls(void)
{
    zhns_service *svc = ht_open(NULL);
    zh_sim_calls_reset();
    zhns_network *net = ht_nat(svc);
    ZT_EQ_INT(calls_of(), 1); /* create: the id is chosen here, no query */
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "cost";
    zhns_attachment *a = NULL;
    HT_OK(zhns_attachment_create_overlay(&a, net, &o, HT_E));
    ZT_EQ_INT(calls_of(), 4);
    char ep[40], ns[40];
    snprintf(ep, sizeof ep, "%s", zhns_attachment_endpoint_id(a));
    snprintf(ns, sizeof ns, "%s", zhns_attachment_namespace_id(a));
    zhns_attachment_close(a);
    zh_sim_calls_reset();
    HT_OK(zhns_attachment_delete_endpoint_and_namespace(svc, ep, ns, HT_E));
    ZT_EQ_INT(calls_of(), 5);
    zhns_transparent_options t = ZHNS_TRANSPARENT_OPTIONS_INIT;
    t.name = "t";
    t.subnet = "10.5.0.0/16";
    t.gateway = "10.5.0.1";
    zhns_network *tn = NULL;
    HT_OK(zhns_network_create_transparent(&tn, svc, &t, HT_E));
    ZT_EQ_INT(calls_of(), 1); /* the adapter list is not an HCN call */
    zhns_network *again = NULL;
    HT_OK(zhns_network_open(&again, svc, zhns_network_id(tn), HT_E));
    zhns_HostComputeNetwork *doc = NULL;
    HT_OK(zhns_network_query(&doc, again, HT_E));
    zhns_HostComputeNetwork_free(doc);
    zhns_network_close(again);
    ZT_EQ_INT(calls_of(), 3); /* open, query, close */
    HT_OK(zhns_network_delete(svc, zhns_network_id(tn), HT_E));
    ZT_EQ_INT(calls_of(), 1);
    zhns_network_close(tn);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(listing_costs_one_call_whatever_the_number),
    ZT_CASE(single_calls),
    ZT_CASE(list_owned_survives_an_hns_that_drops_owner),
    ZT_CASE(list_owned_survives_an_hns_that_cannot_filter_on_owner),
};
HT_MAIN(cases)

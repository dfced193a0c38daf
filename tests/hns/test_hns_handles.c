/* SPDX-License-Identifier: MIT */
/* test_hns_handles.c - misused handles of every zhns kind: the service, networks, endpoints,
 * namespaces, load balancers, SDN routes, attachments and notification registrations. A
 * call after close, a second close, NULL, a bogus value, a stale generation of a live slot
 * and a handle of another kind each give a clear error (or do nothing, for the closes) and
 * never touch freed memory (ASan). A service closed and another opened: the new objects
 * take the old handles' slots, and the old handles stay CLOSED. Labelled "thread" for the
 * notification callbacks. */
#include <stdio.h>

#include "hns_test.h"
#include "zh_thread.h"

#define SOME_ID "0d9a4b63-2f8c-4b1e-9a6f-3c2d1e0f9a8b"
#define BOGUS ((uintptr_t)0x12345678)
/* A handle is (generation << 20) | (slot + 1) (zh_handle.c): the same slot, the next
 * generation - what an old handle looks like once its slot is reused. */
#define SLOT(h) ((uintptr_t)(h) & 0xFFFFFu)
#define NEXT_GENERATION(h) ((uintptr_t)(h) + ((uintptr_t)1 << 20))

/* Runs `call` (which passes HT_E) and checks that it fails with an error of category `cat`
 * from function `fn` whose message contains `text`. */
#define FAILS(cat, fn, text, call)                                                                                  \
    do {                                                                                                            \
        zhns_error *ht_e_ = NULL;                                                                                   \
        if ((call) != -1) {                                                                                         \
            ZT_FAIL_("%s did not fail", #call);                                                                     \
        } else if (!ht_e_) {                                                                                        \
            ZT_FAIL_("%s failed without an error", #call);                                                          \
        } else {                                                                                                    \
            if (zhns_error_category_of(ht_e_) != (cat))                                                             \
                ZT_FAIL_("%s: category %s, expected %s: %s", #call,                                                 \
                         zhns_error_category_name(zhns_error_category_of(ht_e_)), zhns_error_category_name(cat),    \
                         zhns_error_message(ht_e_));                                                                \
            ZT_EQ_STR(zhns_error_function(ht_e_), (fn));                                                            \
            ZT_CONTAINS(zhns_error_message(ht_e_), (text));                                                         \
        }                                                                                                           \
        zhns_error_free(ht_e_);                                                                                     \
    } while (0)

#define AS(type, h) ((type *)(uintptr_t)(h))

/* ---------------------------------------------------------------- notification context */
typedef struct notes {
    zh_atomic events, freed;
} notes;

static void on_note(const zhns_notification *ev, void *ctx)
{
    (void)ev;
    zh_atomic_add(&((notes *)ctx)->events, 1);
}

static void on_note_free(void *ctx)
{
    zh_atomic_add(&((notes *)ctx)->freed, 1);
}

/* ---------------------------------------------------------------- every call of each kind */
/* Every public function that takes a service, called with `svc`: each fails with `cat` and
 * `text`, names itself, and writes no result. */
static void service_calls(zhns_service *svc, zhns_error_category cat, const char *text)
{
    zhns_network *net = AS(zhns_network, 1);
    zhns_endpoint *ep = AS(zhns_endpoint, 1);
    zhns_namespace *ns = AS(zhns_namespace, 1);
    zhns_loadbalancer *lb = AS(zhns_loadbalancer, 1);
    zhns_route *rt = AS(zhns_route, 1);
    zhns_notify *reg = AS(zhns_notify, 1);
    char **ids = (char **)1;
    size_t n = 7;

    zhns_HostComputeNetwork net_spec = {0};
    net_spec.Name = "misuse";
    FAILS(cat, "zhns_network_create", text, zhns_network_create(&net, svc, &net_spec, HT_E));
    ZT_CHECK(net == NULL);
    net = AS(zhns_network, 1);
    FAILS(cat, "zhns_network_create", text, zhns_network_create_json(&net, svc, HT_NAT_JSON, HT_E));
    ZT_CHECK(net == NULL);
    zhns_transparent_options topts = ZHNS_TRANSPARENT_OPTIONS_INIT;
    topts.name = "misuse";
    topts.subnet = "192.168.1.0/24";
    topts.gateway = "192.168.1.1";
    net = AS(zhns_network, 1);
    FAILS(cat, "zhns_network_create_transparent", text, zhns_network_create_transparent(&net, svc, &topts, HT_E));
    ZT_CHECK(net == NULL);
    net = AS(zhns_network, 1);
    FAILS(cat, "zhns_network_open", text, zhns_network_open(&net, svc, SOME_ID, HT_E));
    ZT_CHECK(net == NULL);
    FAILS(cat, "zhns_network_delete", text, zhns_network_delete(svc, SOME_ID, HT_E));
    FAILS(cat, "zhns_network_list", text, zhns_network_list(&ids, &n, svc, NULL, HT_E));
    ZT_CHECK(ids == NULL && n == 0);
    FAILS(cat, "zhns_network_list", text, zhns_network_list_json(&ids, &n, svc, NULL, HT_E));

    FAILS(cat, "zhns_endpoint_open", text, zhns_endpoint_open(&ep, svc, SOME_ID, HT_E));
    ZT_CHECK(ep == NULL);
    FAILS(cat, "zhns_endpoint_delete", text, zhns_endpoint_delete(svc, SOME_ID, HT_E));
    FAILS(cat, "zhns_endpoint_list", text, zhns_endpoint_list(&ids, &n, svc, NULL, HT_E));
    FAILS(cat, "zhns_endpoint_list", text, zhns_endpoint_list(&ids, &n, svc, SOME_ID, HT_E));
    FAILS(cat, "zhns_endpoint_list", text, zhns_endpoint_list_query(&ids, &n, svc, NULL, HT_E));
    FAILS(cat, "zhns_endpoint_list", text, zhns_endpoint_list_json(&ids, &n, svc, NULL, HT_E));

    zhns_HostComputeNamespace ns_spec = {0};
    FAILS(cat, "zhns_namespace_create", text, zhns_namespace_create(&ns, svc, &ns_spec, HT_E));
    ZT_CHECK(ns == NULL);
    FAILS(cat, "zhns_namespace_create", text, zhns_namespace_create_json(&ns, svc, "{}", HT_E));
    FAILS(cat, "zhns_namespace_create_host_default", text, zhns_namespace_create_host_default(&ns, svc, HT_E));
    FAILS(cat, "zhns_namespace_open", text, zhns_namespace_open(&ns, svc, SOME_ID, HT_E));
    ZT_CHECK(ns == NULL);
    FAILS(cat, "zhns_namespace_delete", text, zhns_namespace_delete(svc, SOME_ID, HT_E));
    FAILS(cat, "zhns_namespace_list", text, zhns_namespace_list(&ids, &n, svc, NULL, HT_E));
    FAILS(cat, "zhns_namespace_list", text, zhns_namespace_list_json(&ids, &n, svc, NULL, HT_E));

    zhns_HostComputeLoadBalancer lb_spec = {0};
    FAILS(cat, "zhns_loadbalancer_create", text, zhns_loadbalancer_create(&lb, svc, &lb_spec, HT_E));
    ZT_CHECK(lb == NULL);
    FAILS(cat, "zhns_loadbalancer_create", text, zhns_loadbalancer_create_json(&lb, svc, "{}", HT_E));
    FAILS(cat, "zhns_loadbalancer_open", text, zhns_loadbalancer_open(&lb, svc, SOME_ID, HT_E));
    ZT_CHECK(lb == NULL);
    FAILS(cat, "zhns_loadbalancer_delete", text, zhns_loadbalancer_delete(svc, SOME_ID, HT_E));
    FAILS(cat, "zhns_loadbalancer_list", text, zhns_loadbalancer_list(&ids, &n, svc, NULL, HT_E));
    FAILS(cat, "zhns_loadbalancer_list", text, zhns_loadbalancer_list_json(&ids, &n, svc, NULL, HT_E));

    zhns_HostComputeRoute rt_spec = {0};
    FAILS(cat, "zhns_route_create", text, zhns_route_create(&rt, svc, &rt_spec, HT_E));
    ZT_CHECK(rt == NULL);
    FAILS(cat, "zhns_route_create", text, zhns_route_create_json(&rt, svc, "{}", HT_E));
    FAILS(cat, "zhns_route_open", text, zhns_route_open(&rt, svc, SOME_ID, HT_E));
    ZT_CHECK(rt == NULL);
    FAILS(cat, "zhns_route_delete", text, zhns_route_delete(svc, SOME_ID, HT_E));
    FAILS(cat, "zhns_route_list", text, zhns_route_list(&ids, &n, svc, NULL, HT_E));
    FAILS(cat, "zhns_route_list", text, zhns_route_list_json(&ids, &n, svc, NULL, HT_E));

    zhns_owned_attachment *owned = (zhns_owned_attachment *)1;
    FAILS(cat, "zhns_attachment_list_owned", text, zhns_attachment_list_owned(&owned, &n, svc, "misuse", HT_E));
    ZT_CHECK(owned == NULL && n == 0);
    FAILS(cat, "zhns_attachment_delete_endpoint_and_namespace", text,
          zhns_attachment_delete_endpoint_and_namespace(svc, SOME_ID, SOME_ID, HT_E));
    size_t removed = 7;
    FAILS(cat, "zhns_attachment_cleanup_owner", text, zhns_attachment_cleanup_owner(&removed, svc, "misuse", HT_E));
    ZT_EQ_INT(removed, 0);

    zhns_hns_version v = {7, 7};
    FAILS(cat, "zhns_hns_version_get", text, zhns_hns_version_get(&v, svc, HT_E));
    ZT_CHECK(v.major == 0 && v.minor == 0);
    bool supported = true;
    FAILS(cat, "zhns_feature_supported", text, zhns_feature_supported(&supported, svc, ZHNS_FEATURE_ACL, HT_E));
    ZT_CHECK(!supported);
    FAILS(cat, "zhns_feature_require", text, zhns_feature_require(svc, ZHNS_FEATURE_ACL, HT_E));

    zhns_adapter *adapters = (zhns_adapter *)1;
    FAILS(cat, "zhns_adapter_list", text, zhns_adapter_list(&adapters, &n, svc, HT_E));
    ZT_CHECK(adapters == NULL && n == 0);
    char *name = (char *)1;
    FAILS(cat, "zhns_adapter_find_primary", text, zhns_adapter_find_primary(&name, svc, NULL, HT_E));
    ZT_CHECK(name == NULL);

    notes nn;
    zh_atomic_init(&nn.events, 0);
    zh_atomic_init(&nn.freed, 0);
    FAILS(cat, "zhns_notify_register", text, zhns_notify_register(&reg, svc, on_note, &nn, on_note_free, HT_E));
    ZT_CHECK(reg == NULL);
    ZT_EQ_INT(zh_atomic_load(&nn.freed), 0); /* a failed registration leaves the context alone */

    ZT_EQ_STR(zhns_service_uri(svc), "");
}

/* Every function that takes a network (getters answer ""). */
static void network_calls(uintptr_t h, zhns_error_category cat, const char *text)
{
    zhns_network *net = AS(zhns_network, h);
    zhns_ModifyNetworkSettingRequest req = {0};
    FAILS(cat, "zhns_network_modify", text, zhns_network_modify(net, &req, HT_E));
    FAILS(cat, "zhns_network_modify", text, zhns_network_modify_json(net, "{}", HT_E));
    zhns_HostComputeNetwork *doc = (zhns_HostComputeNetwork *)1;
    FAILS(cat, "zhns_network_query", text, zhns_network_query(&doc, net, HT_E));
    ZT_CHECK(doc == NULL);
    char *json = (char *)1;
    FAILS(cat, "zhns_network_query", text, zhns_network_query_json(&json, net, NULL, HT_E));
    ZT_CHECK(json == NULL);
    zhns_endpoint *ep = AS(zhns_endpoint, 1);
    FAILS(cat, "zhns_endpoint_create", text, zhns_endpoint_create_json(&ep, net, "{}", HT_E));
    ZT_CHECK(ep == NULL);
    zhns_HostComputeEndpoint ep_spec = {0};
    FAILS(cat, "zhns_endpoint_create", text, zhns_endpoint_create(&ep, net, &ep_spec, HT_E));
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "misuse";
    zhns_attachment *att = AS(zhns_attachment, 1);
    FAILS(cat, "zhns_attachment_create_overlay", text, zhns_attachment_create_overlay(&att, net, &o, HT_E));
    ZT_CHECK(att == NULL);
    ZT_EQ_STR(zhns_network_id(net), "");
}

static void endpoint_calls(uintptr_t h, zhns_error_category cat, const char *text)
{
    zhns_endpoint *ep = AS(zhns_endpoint, h);
    zhns_ModifyEndpointSettingRequest req = {0};
    FAILS(cat, "zhns_endpoint_modify", text, zhns_endpoint_modify(ep, &req, HT_E));
    FAILS(cat, "zhns_endpoint_modify", text, zhns_endpoint_modify_json(ep, "{}", HT_E));
    zhns_HostComputeEndpoint *doc = (zhns_HostComputeEndpoint *)1;
    FAILS(cat, "zhns_endpoint_query_properties", text, zhns_endpoint_query_properties(&doc, ep, HT_E));
    ZT_CHECK(doc == NULL);
    char *json = (char *)1;
    FAILS(cat, "zhns_endpoint_query_properties", text, zhns_endpoint_query_properties_json(&json, ep, NULL, HT_E));
    ZT_CHECK(json == NULL);
    zhns_endpoint_stats stats;
    memset(&stats, 0xAB, sizeof stats);
    FAILS(cat, "zhns_endpoint_query_stats", text, zhns_endpoint_query_stats(&stats, ep, HT_E));
    ZT_CHECK(stats.bytes_received == 0 && stats.packets_sent == 0);
    FAILS(cat, "zhns_endpoint_query_stats", text, zhns_endpoint_query_stats_json(&json, ep, HT_E));
    char *ip = (char *)1;
    uint8_t prefix = 9;
    FAILS(cat, "zhns_endpoint_primary_ip", text, zhns_endpoint_primary_ip(&ip, &prefix, ep, HT_E));
    ZT_CHECK(ip == NULL && prefix == 0);
    ZT_EQ_STR(zhns_endpoint_id(ep), "");
}

static void namespace_calls(uintptr_t h, zhns_error_category cat, const char *text)
{
    zhns_namespace *ns = AS(zhns_namespace, h);
    FAILS(cat, "zhns_namespace_add_endpoint", text, zhns_namespace_add_endpoint(ns, SOME_ID, HT_E));
    FAILS(cat, "zhns_namespace_remove_endpoint", text, zhns_namespace_remove_endpoint(ns, SOME_ID, HT_E));
    FAILS(cat, "zhns_namespace_modify", text, zhns_namespace_modify_json(ns, "{}", HT_E));
    zhns_HostComputeNamespace *doc = (zhns_HostComputeNamespace *)1;
    FAILS(cat, "zhns_namespace_query", text, zhns_namespace_query(&doc, ns, HT_E));
    ZT_CHECK(doc == NULL);
    char *json = (char *)1;
    FAILS(cat, "zhns_namespace_query", text, zhns_namespace_query_json(&json, ns, NULL, HT_E));
    ZT_CHECK(json == NULL);
    char **ids = (char **)1;
    size_t n = 7;
    FAILS(cat, "zhns_namespace_list_endpoints", text, zhns_namespace_list_endpoints(&ids, &n, ns, HT_E));
    ZT_CHECK(ids == NULL && n == 0);
    ZT_EQ_STR(zhns_namespace_id(ns), "");
}

static void loadbalancer_calls(uintptr_t h, zhns_error_category cat, const char *text)
{
    zhns_loadbalancer *lb = AS(zhns_loadbalancer, h);
    zhns_HostComputeLoadBalancer spec = {0};
    FAILS(cat, "zhns_loadbalancer_modify", text, zhns_loadbalancer_modify(lb, &spec, HT_E));
    FAILS(cat, "zhns_loadbalancer_modify", text, zhns_loadbalancer_modify_json(lb, "{}", HT_E));
    zhns_HostComputeLoadBalancer *doc = (zhns_HostComputeLoadBalancer *)1;
    FAILS(cat, "zhns_loadbalancer_query", text, zhns_loadbalancer_query(&doc, lb, HT_E));
    ZT_CHECK(doc == NULL);
    char *json = (char *)1;
    FAILS(cat, "zhns_loadbalancer_query", text, zhns_loadbalancer_query_json(&json, lb, NULL, HT_E));
    ZT_CHECK(json == NULL);
    ZT_EQ_STR(zhns_loadbalancer_id(lb), "");
}

static void route_calls(uintptr_t h, zhns_error_category cat, const char *text)
{
    zhns_route *rt = AS(zhns_route, h);
    zhns_HostComputeRoute spec = {0};
    FAILS(cat, "zhns_route_modify", text, zhns_route_modify(rt, &spec, HT_E));
    FAILS(cat, "zhns_route_modify", text, zhns_route_modify_json(rt, "{}", HT_E));
    zhns_HostComputeRoute *doc = (zhns_HostComputeRoute *)1;
    FAILS(cat, "zhns_route_query", text, zhns_route_query(&doc, rt, HT_E));
    ZT_CHECK(doc == NULL);
    char *json = (char *)1;
    FAILS(cat, "zhns_route_query", text, zhns_route_query_json(&json, rt, NULL, HT_E));
    ZT_CHECK(json == NULL);
    ZT_EQ_STR(zhns_route_id(rt), "");
}

static void attachment_calls(uintptr_t h, zhns_error_category cat, const char *text)
{
    zhns_attachment *att = AS(zhns_attachment, h);
    FAILS(cat, "zhns_attachment_teardown", text, zhns_attachment_teardown(att, HT_E));
    ZT_EQ_STR(zhns_attachment_endpoint_id(att), "");
    ZT_EQ_STR(zhns_attachment_namespace_id(att), "");
    ZT_EQ_STR(zhns_attachment_ip(att), "");
    ZT_EQ_STR(zhns_attachment_owner(att), "");
    ZT_EQ_INT(zhns_attachment_prefix_length(att), 0);
    ZT_CHECK(zhns_attachment_endpoint(att) == NULL);
    ZT_CHECK(zhns_attachment_namespace(att) == NULL);
}

typedef void (*calls_fn)(uintptr_t h, zhns_error_category cat, const char *text);

/* The misuses of one object kind: `closed` is a closed handle of it, `live` a live one
 * (for a stale generation of its slot), `other` a live handle of another kind. */
static void misuse(calls_fn calls, const char *type, uintptr_t closed, uintptr_t live, uintptr_t other,
                   const char *other_type)
{
    char closed_text[120], null_text[120], kind_text[160];
    snprintf(closed_text, sizeof closed_text, "the %s is closed", type);
    snprintf(null_text, sizeof null_text, "the %s is NULL", type);
    snprintf(kind_text, sizeof kind_text, "a %s was passed where a %s belongs", other_type, type);
    calls(closed, ZHNS_ERROR_CLOSED, closed_text);
    calls(BOGUS, ZHNS_ERROR_CLOSED, closed_text);
    calls(NEXT_GENERATION(live), ZHNS_ERROR_CLOSED, closed_text);
    calls(0, ZHNS_ERROR_INVALID_ARGUMENT, null_text);
    calls(other, ZHNS_ERROR_INVALID_ARGUMENT, kind_text);
}

/* ---------------------------------------------------------------- a world of every kind */
typedef struct world {
    zhns_service *svc;
    zhns_network *net;
    zhns_endpoint *ep;
    zhns_namespace *ns;
    zhns_loadbalancer *lb;
    zhns_route *rt;
    zhns_attachment *att;
    zhns_notify *reg;
    notes nn;
} world;

static int world_open(world *w)
{
    memset(w, 0, sizeof *w);
    zh_atomic_init(&w->nn.events, 0);
    zh_atomic_init(&w->nn.freed, 0);
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "handles-test";
    if (!(w->svc = ht_open(NULL)) || !(w->net = ht_nat(w->svc)) ||
        zhns_endpoint_create_json(&w->ep, w->net, "{}", NULL) < 0 ||
        zhns_namespace_create_json(&w->ns, w->svc, "{}", NULL) < 0 ||
        zhns_loadbalancer_create_json(&w->lb, w->svc, "{\"FrontendVIPs\":[\"10.77.0.200\"]}", NULL) < 0 ||
        zhns_route_create_json(&w->rt, w->svc, "{\"Owner\":\"handles-test\"}", NULL) < 0 ||
        zhns_attachment_create_overlay(&w->att, w->net, &o, NULL) < 0 ||
        zhns_notify_register(&w->reg, w->svc, on_note, &w->nn, on_note_free, NULL) < 0)
        return -1;
    return 0;
}

/* Deletes what the world made and closes every handle (the service last but one: the
 * objects keep it alive, so the order does not matter). */
static void world_close(world *w)
{
    zhns_notify_unregister(w->reg);
    if (w->att)
        HT_OK(zhns_attachment_teardown(w->att, HT_E));
    zhns_attachment_close(w->att);
    if (w->svc) {
        HT_OK(zhns_route_delete(w->svc, zhns_route_id(w->rt), HT_E));
        HT_OK(zhns_loadbalancer_delete(w->svc, zhns_loadbalancer_id(w->lb), HT_E));
        HT_OK(zhns_namespace_delete(w->svc, zhns_namespace_id(w->ns), HT_E));
        HT_OK(zhns_endpoint_delete(w->svc, zhns_endpoint_id(w->ep), HT_E));
        HT_OK(zhns_network_delete(w->svc, zhns_network_id(w->net), HT_E));
    }
    zhns_service_close(w->svc);
    zhns_route_close(w->rt);
    zhns_loadbalancer_close(w->lb);
    zhns_namespace_close(w->ns);
    zhns_endpoint_close(w->ep);
    zhns_network_close(w->net);
}

#define H(p) ((uintptr_t)(p))

/* ---------------------------------------------------------------- the cases */
static void service_handles(void)
{
    world w;
    ZT_REQUIRE(world_open(&w) == 0);
    zhns_service *closed = ht_open(NULL);
    ZT_REQUIRE(closed);
    ZT_EQ_STR(zhns_service_uri(closed), "sim:");
    zhns_service_close(closed);
    service_calls(closed, ZHNS_ERROR_CLOSED, "the service handle is closed or not a service");
    zhns_service_close(closed); /* a second close does nothing */
    service_calls(closed, ZHNS_ERROR_CLOSED, "the service handle is closed or not a service");
    service_calls(NULL, ZHNS_ERROR_CLOSED, "the service is NULL");
    service_calls(AS(zhns_service, BOGUS), ZHNS_ERROR_CLOSED, "the service handle is closed or not a service");
    service_calls(AS(zhns_service, NEXT_GENERATION(w.svc)), ZHNS_ERROR_CLOSED,
                  "the service handle is closed or not a service");
    service_calls(AS(zhns_service, w.net), ZHNS_ERROR_INVALID_ARGUMENT,
                  "a zhns_network was passed where a zhns_service belongs");
    service_calls(AS(zhns_service, w.reg), ZHNS_ERROR_INVALID_ARGUMENT,
                  "a zhns_notify was passed where a zhns_service belongs");
    /* closes of what is no service do nothing: the network still works */
    zhns_service_close(AS(zhns_service, w.net));
    zhns_service_close(AS(zhns_service, BOGUS));
    zhns_service_close(NULL);
    zhns_HostComputeNetwork *doc = NULL;
    HT_OK(zhns_network_query(&doc, w.net, HT_E));
    zhns_HostComputeNetwork_free(doc);
    /* the live service is untouched by all of that */
    ZT_EQ_STR(zhns_service_uri(w.svc), "sim:");
    ZT_EQ_INT(HT_NETWORKS(w.svc), 1);
    /* the service handle closed before its objects: the handle is done, the objects work */
    zhns_service *svc = w.svc;
    zhns_service_close(w.svc);
    w.svc = NULL;
    char **ids = NULL;
    size_t n = 0;
    FAILS(ZHNS_ERROR_CLOSED, "zhns_network_list", "the service handle is closed",
          zhns_network_list_json(&ids, &n, svc, NULL, HT_E));
    HT_OK(zhns_network_query(&doc, w.net, HT_E));
    zhns_HostComputeNetwork_free(doc);
    /* so the world is cleaned up through another service */
    w.svc = ht_open(NULL);
    world_close(&w);
}

static void network_handles(void)
{
    world w;
    ZT_REQUIRE(world_open(&w) == 0);
    zhns_network *closed = ht_nat(w.svc);
    ZT_REQUIRE(closed);
    char id[40];
    snprintf(id, sizeof id, "%s", zhns_network_id(closed));
    zhns_network_close(closed);
    zhns_network_close(closed); /* a second close does nothing */
    misuse(network_calls, "zhns_network", H(closed), H(w.net), H(w.ep), "zhns_endpoint");
    network_calls(H(w.svc), ZHNS_ERROR_INVALID_ARGUMENT, "a zhns_service was passed where a zhns_network belongs");
    network_calls(H(w.reg), ZHNS_ERROR_INVALID_ARGUMENT, "a zhns_notify was passed where a zhns_network belongs");
    /* closes of another kind leave the object alone */
    zhns_network_close(AS(zhns_network, w.ep));
    zhns_network_close(AS(zhns_network, w.svc));
    zhns_network_close(AS(zhns_network, BOGUS));
    ZT_EQ_INT(strlen(zhns_endpoint_id(w.ep)), 36);
    ZT_EQ_STR(zhns_service_uri(w.svc), "sim:");
    HT_OK(zhns_network_delete(w.svc, id, HT_E));
    world_close(&w);
}

static void endpoint_handles(void)
{
    world w;
    ZT_REQUIRE(world_open(&w) == 0);
    zhns_endpoint *closed = NULL;
    HT_OK(zhns_endpoint_create_json(&closed, w.net, "{}", HT_E));
    char id[40];
    snprintf(id, sizeof id, "%s", zhns_endpoint_id(closed));
    zhns_endpoint_close(closed);
    zhns_endpoint_close(closed);
    misuse(endpoint_calls, "zhns_endpoint", H(closed), H(w.ep), H(w.ns), "zhns_namespace");
    endpoint_calls(H(w.att), ZHNS_ERROR_INVALID_ARGUMENT, "a zhns_attachment was passed where a zhns_endpoint belongs");
    zhns_endpoint_close(AS(zhns_endpoint, w.ns));
    ZT_EQ_INT(strlen(zhns_namespace_id(w.ns)), 36);
    HT_OK(zhns_endpoint_delete(w.svc, id, HT_E));
    world_close(&w);
}

static void namespace_handles(void)
{
    world w;
    ZT_REQUIRE(world_open(&w) == 0);
    zhns_namespace *closed = NULL;
    HT_OK(zhns_namespace_create_json(&closed, w.svc, "{}", HT_E));
    char id[40];
    snprintf(id, sizeof id, "%s", zhns_namespace_id(closed));
    zhns_namespace_close(closed);
    zhns_namespace_close(closed);
    misuse(namespace_calls, "zhns_namespace", H(closed), H(w.ns), H(w.net), "zhns_network");
    zhns_namespace_close(AS(zhns_namespace, w.net));
    ZT_EQ_INT(strlen(zhns_network_id(w.net)), 36);
    HT_OK(zhns_namespace_delete(w.svc, id, HT_E));
    world_close(&w);
}

static void loadbalancer_handles(void)
{
    world w;
    ZT_REQUIRE(world_open(&w) == 0);
    zhns_loadbalancer *closed = NULL;
    HT_OK(zhns_loadbalancer_create_json(&closed, w.svc, "{\"FrontendVIPs\":[\"10.77.0.201\"]}", HT_E));
    char id[40];
    snprintf(id, sizeof id, "%s", zhns_loadbalancer_id(closed));
    zhns_loadbalancer_close(closed);
    zhns_loadbalancer_close(closed);
    misuse(loadbalancer_calls, "zhns_loadbalancer", H(closed), H(w.lb), H(w.rt), "zhns_route");
    zhns_loadbalancer_close(AS(zhns_loadbalancer, w.rt));
    ZT_EQ_INT(strlen(zhns_route_id(w.rt)), 36);
    HT_OK(zhns_loadbalancer_delete(w.svc, id, HT_E));
    world_close(&w);
}

static void route_handles(void)
{
    world w;
    ZT_REQUIRE(world_open(&w) == 0);
    zhns_route *closed = NULL;
    HT_OK(zhns_route_create_json(&closed, w.svc, "{}", HT_E));
    char id[40];
    snprintf(id, sizeof id, "%s", zhns_route_id(closed));
    zhns_route_close(closed);
    zhns_route_close(closed);
    misuse(route_calls, "zhns_route", H(closed), H(w.rt), H(w.lb), "zhns_loadbalancer");
    zhns_route_close(AS(zhns_route, w.lb));
    ZT_EQ_INT(strlen(zhns_loadbalancer_id(w.lb)), 36);
    HT_OK(zhns_route_delete(w.svc, id, HT_E));
    world_close(&w);
}

static void attachment_handles(void)
{
    world w;
    ZT_REQUIRE(world_open(&w) == 0);
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "handles-test";
    zhns_attachment *closed = NULL;
    HT_OK(zhns_attachment_create_overlay(&closed, w.net, &o, HT_E));
    ZT_REQUIRE(closed);
    zhns_endpoint *borrowed_ep = zhns_attachment_endpoint(closed);
    zhns_namespace *borrowed_ns = zhns_attachment_namespace(closed);
    ZT_EQ_STR(zhns_endpoint_id(borrowed_ep), zhns_attachment_endpoint_id(closed));
    ZT_EQ_STR(zhns_namespace_id(borrowed_ns), zhns_attachment_namespace_id(closed));
    HT_OK(zhns_attachment_teardown(closed, HT_E));
    zhns_attachment_close(closed);
    zhns_attachment_close(closed);
    misuse(attachment_calls, "zhns_attachment", H(closed), H(w.att), H(w.ep), "zhns_endpoint");
    /* the handles it lent out ended with it */
    endpoint_calls(H(borrowed_ep), ZHNS_ERROR_CLOSED, "the zhns_endpoint is closed");
    namespace_calls(H(borrowed_ns), ZHNS_ERROR_CLOSED, "the zhns_namespace is closed");
    zhns_attachment_close(AS(zhns_attachment, w.ep));
    ZT_EQ_INT(strlen(zhns_endpoint_id(w.ep)), 36);
    /* the borrowed handles are a network's and a namespace's, not an attachment's */
    attachment_calls(H(zhns_attachment_endpoint(w.att)), ZHNS_ERROR_INVALID_ARGUMENT,
                     "a zhns_endpoint was passed where a zhns_attachment belongs");
    world_close(&w);
}

/* A borrowed handle closed by mistake frees nothing the attachment still uses. */
static void a_borrowed_handle_closed_by_mistake(void)
{
    world w;
    ZT_REQUIRE(world_open(&w) == 0);
    zhns_endpoint *ep = zhns_attachment_endpoint(w.att);
    zhns_namespace *ns = zhns_attachment_namespace(w.att);
    ZT_REQUIRE(ep && ns);
    zhns_endpoint_close(ep);
    zhns_namespace_close(ns);
    endpoint_calls(H(ep), ZHNS_ERROR_CLOSED, "the zhns_endpoint is closed");
    namespace_calls(H(ns), ZHNS_ERROR_CLOSED, "the zhns_namespace is closed");
    long eps = HT_ENDPOINTS(w.svc), nss = HT_NAMESPACES(w.svc);
    /* teardown still detaches through the namespace the attachment holds */
    HT_OK(zhns_attachment_teardown(w.att, HT_E));
    ZT_EQ_INT(HT_ENDPOINTS(w.svc), eps - 1);
    ZT_EQ_INT(HT_NAMESPACES(w.svc), nss - 1);
    world_close(&w);
}

static void notify_handles(void)
{
    world w;
    ZT_REQUIRE(world_open(&w) == 0);
    notes nn;
    zh_atomic_init(&nn.events, 0);
    zh_atomic_init(&nn.freed, 0);
    zhns_notify *closed = NULL;
    HT_OK(zhns_notify_register(&closed, w.svc, on_note, &nn, on_note_free, HT_E));
    ZT_REQUIRE(closed);
    zhns_notify_unregister(closed);
    ZT_EQ_INT(zh_atomic_load(&nn.freed), 1);
    /* a second unregister, NULL, a bogus value, a stale generation, another kind: nothing */
    zhns_notify_unregister(closed);
    zhns_notify_unregister(NULL);
    zhns_notify_unregister(AS(zhns_notify, BOGUS));
    zhns_notify_unregister(AS(zhns_notify, NEXT_GENERATION(w.reg)));
    zhns_notify_unregister(AS(zhns_notify, w.net));
    zhns_notify_unregister(AS(zhns_notify, w.svc));
    ZT_EQ_INT(zh_atomic_load(&nn.freed), 1);
    ZT_EQ_INT(zh_atomic_load(&w.nn.freed), 0); /* the world's registration is still live */
    ZT_EQ_INT(strlen(zhns_network_id(w.net)), 36);
    ZT_EQ_STR(zhns_service_uri(w.svc), "sim:");
    /* a registration where a network or a service belongs */
    network_calls(H(w.reg), ZHNS_ERROR_INVALID_ARGUMENT, "a zhns_notify was passed where a zhns_network belongs");
    zhns_network_close(AS(zhns_network, w.reg));
    zhns_service_close(AS(zhns_service, w.reg));
    /* still live: it hears of a new namespace, and ends only with its own unregister */
    int before = zh_atomic_load(&w.nn.events);
    zhns_namespace *ns = NULL;
    HT_OK(zhns_namespace_create_json(&ns, w.svc, "{}", HT_E));
    for (int i = 0; i < 1000 && zh_atomic_load(&w.nn.events) == before; i++)
        zh_sleep_ms(10);
    ZT_CHECK(zh_atomic_load(&w.nn.events) > before);
    HT_OK(zhns_namespace_delete(w.svc, zhns_namespace_id(ns), HT_E));
    zhns_namespace_close(ns);
    ZT_EQ_INT(zh_atomic_load(&w.nn.freed), 0);
    zhns_notify_unregister(w.reg);
    ZT_EQ_INT(zh_atomic_load(&w.nn.freed), 1);
    w.reg = NULL;
    world_close(&w);
}

/* ---------------------------------------------------------------- no aliasing */
typedef struct kind_loop {
    const char *name;
    uintptr_t old;
    int same_kind;                                         /* one slot per object made */
    uintptr_t (*make)(zhns_service *svc, zhns_network *net);
    void (*drop)(zhns_service *svc, uintptr_t h);
    void (*check_old)(uintptr_t old);
} kind_loop;

static uintptr_t make_service(zhns_service *svc, zhns_network *net)
{
    (void)svc, (void)net;
    return H(ht_open(NULL));
}
static void drop_service(zhns_service *svc, uintptr_t h)
{
    (void)svc;
    ZT_EQ_STR(zhns_service_uri(AS(zhns_service, h)), "sim:");
    zhns_service_close(AS(zhns_service, h));
}
static void old_service(uintptr_t old)
{
    service_calls(AS(zhns_service, old), ZHNS_ERROR_CLOSED, "the service handle is closed or not a service");
}

static uintptr_t make_network(zhns_service *svc, zhns_network *net)
{
    (void)net;
    zhns_network *n = NULL;
    zhns_network_create_json(&n, svc, "{\"Name\":\"alias\",\"Type\":\"NAT\"}", NULL);
    return H(n);
}
static void drop_network(zhns_service *svc, uintptr_t h)
{
    HT_OK(zhns_network_delete(svc, zhns_network_id(AS(zhns_network, h)), HT_E));
    zhns_network_close(AS(zhns_network, h));
}
static void old_network(uintptr_t old)
{
    network_calls(old, ZHNS_ERROR_CLOSED, "the zhns_network is closed");
}

static uintptr_t make_endpoint(zhns_service *svc, zhns_network *net)
{
    (void)svc;
    zhns_endpoint *e = NULL;
    zhns_endpoint_create_json(&e, net, "{}", NULL);
    return H(e);
}
static void drop_endpoint(zhns_service *svc, uintptr_t h)
{
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(AS(zhns_endpoint, h)), HT_E));
    zhns_endpoint_close(AS(zhns_endpoint, h));
}
static void old_endpoint(uintptr_t old)
{
    endpoint_calls(old, ZHNS_ERROR_CLOSED, "the zhns_endpoint is closed");
}

static uintptr_t make_namespace(zhns_service *svc, zhns_network *net)
{
    (void)net;
    zhns_namespace *n = NULL;
    zhns_namespace_create_json(&n, svc, "{}", NULL);
    return H(n);
}
static void drop_namespace(zhns_service *svc, uintptr_t h)
{
    HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(AS(zhns_namespace, h)), HT_E));
    zhns_namespace_close(AS(zhns_namespace, h));
}
static void old_namespace(uintptr_t old)
{
    namespace_calls(old, ZHNS_ERROR_CLOSED, "the zhns_namespace is closed");
}

static uintptr_t make_loadbalancer(zhns_service *svc, zhns_network *net)
{
    (void)net;
    zhns_loadbalancer *l = NULL;
    zhns_loadbalancer_create_json(&l, svc, "{\"FrontendVIPs\":[\"10.77.0.202\"]}", NULL);
    return H(l);
}
static void drop_loadbalancer(zhns_service *svc, uintptr_t h)
{
    HT_OK(zhns_loadbalancer_delete(svc, zhns_loadbalancer_id(AS(zhns_loadbalancer, h)), HT_E));
    zhns_loadbalancer_close(AS(zhns_loadbalancer, h));
}
static void old_loadbalancer(uintptr_t old)
{
    loadbalancer_calls(old, ZHNS_ERROR_CLOSED, "the zhns_loadbalancer is closed");
}

static uintptr_t make_route(zhns_service *svc, zhns_network *net)
{
    (void)net;
    zhns_route *r = NULL;
    zhns_route_create_json(&r, svc, "{}", NULL);
    return H(r);
}
static void drop_route(zhns_service *svc, uintptr_t h)
{
    HT_OK(zhns_route_delete(svc, zhns_route_id(AS(zhns_route, h)), HT_E));
    zhns_route_close(AS(zhns_route, h));
}
static void old_route(uintptr_t old)
{
    route_calls(old, ZHNS_ERROR_CLOSED, "the zhns_route is closed");
}

static uintptr_t make_attachment(zhns_service *svc, zhns_network *net)
{
    (void)svc;
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "alias";
    zhns_attachment *a = NULL;
    zhns_attachment_create_overlay(&a, net, &o, NULL);
    return H(a);
}
static void drop_attachment(zhns_service *svc, uintptr_t h)
{
    (void)svc;
    HT_OK(zhns_attachment_teardown(AS(zhns_attachment, h), HT_E));
    zhns_attachment_close(AS(zhns_attachment, h));
}
static void old_attachment(uintptr_t old)
{
    attachment_calls(old, ZHNS_ERROR_CLOSED, "the zhns_attachment is closed");
}

static notes alias_notes;
static uintptr_t make_notify(zhns_service *svc, zhns_network *net)
{
    (void)net;
    zhns_notify *r = NULL;
    zhns_notify_register(&r, svc, on_note, &alias_notes, on_note_free, NULL);
    return H(r);
}
static void drop_notify(zhns_service *svc, uintptr_t h)
{
    (void)svc;
    int freed = zh_atomic_load(&alias_notes.freed);
    zhns_notify_unregister(AS(zhns_notify, h));
    ZT_EQ_INT(zh_atomic_load(&alias_notes.freed), freed + 1);
}
static void old_notify(uintptr_t old)
{
    int freed = zh_atomic_load(&alias_notes.freed);
    zhns_notify_unregister(AS(zhns_notify, old)); /* the old registration: nothing happens */
    ZT_EQ_INT(zh_atomic_load(&alias_notes.freed), freed);
}

static void a_reopened_service_does_not_revive_old_handles(void)
{
    /* every kind of handle on one service, then all of it closed, the service too */
    world a;
    ZT_REQUIRE(world_open(&a) == 0);
    world old = a;
    world_close(&a);
    ZT_EQ_INT(zh_atomic_load(&a.nn.freed), 1);

    /* another service: of each kind, new objects until one sits in the old handle's slot
     * (the table reuses a slot as late as it can, so this cycles through its free slots) */
    zh_atomic_init(&alias_notes.events, 0);
    zh_atomic_init(&alias_notes.freed, 0);
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    ZT_REQUIRE(svc && net);
    kind_loop loops[] = {
        {"service", H(old.svc), 1, make_service, drop_service, old_service},
        {"network", H(old.net), 1, make_network, drop_network, old_network},
        {"endpoint", H(old.ep), 1, make_endpoint, drop_endpoint, old_endpoint},
        {"namespace", H(old.ns), 1, make_namespace, drop_namespace, old_namespace},
        {"load balancer", H(old.lb), 1, make_loadbalancer, drop_loadbalancer, old_loadbalancer},
        {"route", H(old.rt), 1, make_route, drop_route, old_route},
        /* three slots per attachment (endpoint, namespace, attachment): any new handle in
         * the old slot will do */
        {"attachment", H(old.att), 0, make_attachment, drop_attachment, old_attachment},
        {"notification registration", H(old.reg), 1, make_notify, drop_notify, old_notify},
    };
    enum { MAX_ROUNDS = 5000 };
    static uintptr_t made[MAX_ROUNDS];
    for (size_t k = 0; k < sizeof loops / sizeof loops[0]; k++) {
        kind_loop *l = &loops[k];
        ZT_REQUIRE(l->old != 0);
        int reused = 0, rounds = 0;
        while (!reused && rounds < MAX_ROUNDS) {
            uintptr_t h = l->make(svc, net);
            if (!h) {
                ZT_FAIL_("%s: making one failed", l->name);
                break;
            }
            made[rounds++] = h;
            if (l->same_kind) {
                reused = SLOT(h) == SLOT(l->old);
            } else {
                /* the attachment's endpoint and namespace are the handles made just before it */
                zhns_attachment *att = AS(zhns_attachment, h);
                reused = SLOT(h) == SLOT(l->old) || SLOT(zhns_attachment_endpoint(att)) == SLOT(l->old) ||
                         SLOT(zhns_attachment_namespace(att)) == SLOT(l->old);
            }
            if (reused) {
                ZT_CHECK(h != l->old); /* the same slot, another generation */
                l->check_old(l->old);
            }
        }
        if (!reused)
            ZT_FAIL_("%s: no new object took the old handle's slot in %d rounds", l->name, rounds);
        /* the new objects all work, the old handle still names nothing */
        for (int i = 0; i < rounds; i++)
            l->drop(svc, made[i]);
        l->check_old(l->old);
    }
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(service_handles),
    ZT_CASE(network_handles),
    ZT_CASE(endpoint_handles),
    ZT_CASE(namespace_handles),
    ZT_CASE(loadbalancer_handles),
    ZT_CASE(route_handles),
    ZT_CASE(attachment_handles),
    ZT_CASE(a_borrowed_handle_closed_by_mistake),
    ZT_CASE(notify_handles),
    ZT_CASE(a_reopened_service_does_not_revive_old_handles),
};
HT_MAIN(cases)

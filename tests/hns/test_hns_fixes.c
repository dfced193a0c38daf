/* SPDX-License-Identifier: MIT */
/* test_hns_fixes.c - what issue 12's review found zhns getting wrong, each driven on the
 * simulator with its fault injection: deletes that took another family's "not found" for
 * done, objects left behind by a create that failed after HCN made them, cleanup that
 * deleted someone else's namespace or stopped at the first failure, teardown that gave up
 * when detaching failed, IPv6 attachments routed through 0.0.0.0/0, a Hyper-V vNIC chosen
 * as uplink, and an uplink override taken with its white space. */
#include <stdio.h>

#include "hns_test.h"
#include "zh_thread.h"

#ifdef _WIN32
#define SETENV(k, v) _putenv_s((k), (v))
#define UNSETENV(k) _putenv_s((k), "")
#else
int setenv(const char *name, const char *value, int overwrite);
int unsetenv(const char *name);
#define SETENV(k, v) setenv((k), (v), 1)
#define UNSETENV(k) unsetenv(k)
#endif

#define T_E_PORT_NOT_FOUND ((int32_t)0x803B0007)
#define T_E_NETWORK_NOT_FOUND ((int32_t)0x803B0001)
#define T_E_ENDPOINT_NOT_FOUND ((int32_t)0x803B0002)
#define T_E_ACCESSDENIED ((int32_t)0x80070005)

static zhns_attachment *attach(zhns_network *net, const char *owner)
{
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = owner;
    zhns_attachment *a = NULL;
    return zhns_attachment_create_overlay(&a, net, &o, NULL) == 0 ? a : NULL;
}

static void deletes_accept_only_their_own_not_found(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_endpoint *ep = NULL;
    HT_OK(zhns_endpoint_create_json(&ep, net, "{}", HT_E));
    zhns_error *err = NULL;
    /* a port not found is no endpoint not found: the endpoint is still there */
    ZT_EQ_INT(zh_sim_fault("HcnDeleteEndpoint", 1, T_E_PORT_NOT_FOUND), 0);
    ZT_EQ_INT(zhns_endpoint_delete(svc, zhns_endpoint_id(ep), &err), -1);
    ZT_EQ_HEX(zhns_error_hresult(err), T_E_PORT_NOT_FOUND);
    zhns_error_free(err);
    err = NULL;
    ZT_EQ_INT(HT_ENDPOINTS(svc), 1);
    ZT_EQ_INT(zh_sim_fault("HcnDeleteEndpoint", 1, T_E_NETWORK_NOT_FOUND), 0);
    ZT_EQ_INT(zhns_endpoint_delete(svc, zhns_endpoint_id(ep), &err), -1);
    zhns_error_free(err);
    err = NULL;
    ZT_EQ_INT(zh_sim_fault("HcnDeleteNetwork", 1, T_E_ENDPOINT_NOT_FOUND), 0);
    ZT_EQ_INT(zhns_network_delete(svc, zhns_network_id(net), &err), -1);
    zhns_error_free(err);
    err = NULL;
    ZT_EQ_INT(HT_NETWORKS(svc), 1);
    /* its own family's code is "gone": done */
    ZT_EQ_INT(zh_sim_fault("HcnDeleteEndpoint", 1, T_E_ENDPOINT_NOT_FOUND), 0);
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(ep), HT_E));
    zh_sim_fault_clear();
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(ep), HT_E));
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    zhns_endpoint_close(ep);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

/* HCN made the object but answered S_OK with an ErrorRecord, or no handle: the create fails
 * and the object is deleted by its id, not left behind unknown to anyone. */
static void a_create_that_fails_after_hcn_made_it_leaves_nothing(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    ZT_REQUIRE(net);
    for (int mode = 1; mode <= 2; mode++) {
        zhns_error *err = NULL;
        zhns_endpoint *ep = NULL;
        ZT_EQ_INT(zh_sim_fault_made("HcnCreateEndpoint", 1, mode), 0);
        ZT_EQ_INT(zhns_endpoint_create_json(&ep, net, "{}", &err), -1);
        ZT_CHECK(ep == NULL && err != NULL);
        zhns_error_free(err);
        ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
        zhns_namespace *ns = NULL;
        err = NULL;
        ZT_EQ_INT(zh_sim_fault_made("HcnCreateNamespace", 1, mode), 0);
        ZT_EQ_INT(zhns_namespace_create_json(&ns, svc, "{}", &err), -1);
        zhns_error_free(err);
        ZT_EQ_INT(HT_NAMESPACES(svc), 0);
        zhns_network *n2 = NULL;
        err = NULL;
        ZT_EQ_INT(zh_sim_fault_made("HcnCreateNetwork", 1, mode), 0);
        ZT_EQ_INT(zhns_network_create_json(&n2, svc, "{\"Type\":\"NAT\"}", &err), -1);
        zhns_error_free(err);
        ZT_EQ_INT(HT_NETWORKS(svc), 1);
        /* and through an attachment */
        zhns_attachment *a = NULL;
        zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
        o.owner = "made";
        err = NULL;
        ZT_EQ_INT(zh_sim_fault_made("HcnCreateNamespace", 1, mode), 0);
        ZT_EQ_INT(zhns_attachment_create_overlay(&a, net, &o, &err), -1);
        zhns_error_free(err);
        ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
        ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    }
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

/* An owned endpoint in someone else's namespace: cleanup deletes the endpoint, takes it out
 * of that namespace, and leaves the namespace. */
static void cleanup_leaves_other_owners_namespaces(void)
{
    /* checks the default model: HNS keeps Owner and honours filters */
    unsigned lat_ = ht_latitudes_off(ZH_SIM_HCN_DROP_OWNER);
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_endpoint *ep = NULL;
    zhns_namespace *theirs = NULL;
    HT_OK(zhns_endpoint_create_json(&ep, net, "{\"Owner\":\"A\"}", HT_E));
    HT_OK(zhns_namespace_create_json(&theirs, svc, "{\"Owner\":\"B\"}", HT_E));
    HT_OK(zhns_namespace_add_endpoint(theirs, zhns_endpoint_id(ep), HT_E));
    zhns_attachment *mine = attach(net, "A");
    ZT_REQUIRE(mine);
    size_t removed = 0;
    HT_OK(zhns_attachment_cleanup_owner(&removed, svc, "A", HT_E));
    ZT_EQ_INT(removed, 2);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 1); /* B's */
    char **ids = NULL;
    size_t n = 9;
    HT_OK(zhns_namespace_list_endpoints(&ids, &n, theirs, HT_E));
    ZT_EQ_INT(n, 0);
    zhns_strings_free(ids, n);
    HT_OK(zhns_attachment_teardown(mine, HT_E));
    zhns_attachment_close(mine);
    HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(theirs), HT_E));
    zhns_namespace_close(theirs);
    zhns_endpoint_close(ep);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(lat_);
}

/* A failure does not stop cleanup: every entry is tried, and the error names each failure. */
static void cleanup_goes_on_past_failures(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_attachment *a[3] = {attach(net, "C"), attach(net, "C"), attach(net, "C")};
    ZT_REQUIRE(a[0] && a[1] && a[2]);
    ZT_EQ_INT(zh_sim_fault("HcnDeleteEndpoint", 1, T_E_ACCESSDENIED), 0);
    size_t removed = 0;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_attachment_cleanup_owner(&removed, svc, "C", &err), -1);
    zh_sim_fault_clear();
    ZT_EQ_INT(removed, 2);
    ZT_EQ_HEX(zhns_error_hresult(err), T_E_ACCESSDENIED);
    ZT_CONTAINS(zhns_error_message(err), "1 of 3 attachments");
    zhns_error_free(err);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 1);
    HT_OK(zhns_attachment_cleanup_owner(&removed, svc, "C", HT_E));
    ZT_EQ_INT(removed, 1);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    for (int i = 0; i < 3; i++) {
        HT_OK(zhns_attachment_teardown(a[i], HT_E));
        zhns_attachment_close(a[i]);
    }
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

/* Teardown deletes even when the detach fails, and a retry resumes where it stopped. */
static void teardown_is_robust_and_resumable(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_attachment *a = attach(net, "T");
    ZT_REQUIRE(a);
    ZT_EQ_INT(zh_sim_fault("HcnModifyNamespace", 1, T_E_ACCESSDENIED), 0);
    HT_OK(zhns_attachment_teardown(a, HT_E));
    zh_sim_fault_clear();
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    zhns_attachment_close(a);

    a = attach(net, "T");
    ZT_REQUIRE(a);
    zhns_error *err = NULL;
    ZT_EQ_INT(zh_sim_fault("HcnDeleteNamespace", 1, T_E_ACCESSDENIED), 0);
    ZT_EQ_INT(zhns_attachment_teardown(a, &err), -1);
    HT_ERR(err, ZHNS_ERROR_ACCESS_DENIED, NULL);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 1);
    zh_sim_calls_reset();
    HT_OK(zhns_attachment_teardown(a, HT_E));
    ZT_EQ_INT(zh_sim_calls("HcnDeleteEndpoint"), 0); /* done before: not repeated */
    ZT_EQ_INT(zh_sim_calls("HcnDeleteNamespace"), 1);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    zhns_attachment_close(a);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

/* An IPv6 attachment's default route is ::/0. */
static void ipv6_attachments_route_the_ipv6_default(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = NULL;
    HT_OK(zhns_network_create_json(&net, svc,
                                   "{\"Type\":\"NAT\",\"Ipams\":[{\"Type\":\"Static\",\"Subnets\":[{\"IpAddressPrefix\":"
                                   "\"fd00:77::/64\",\"Routes\":[{\"NextHop\":\"fd00:77::1\",\"DestinationPrefix\":\"::/0\"}]}]}]}",
                                   HT_E));
    ZT_REQUIRE(net);
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "v6";
    o.ip_address = "fd00:77::5";
    o.gateway = "fd00:77::1";
    zhns_attachment *a = NULL;
    HT_OK(zhns_attachment_create_overlay(&a, net, &o, HT_E));
    ZT_REQUIRE(a);
    char *doc = NULL;
    HT_OK(zhns_endpoint_query_properties_json(&doc, zhns_attachment_endpoint(a), NULL, HT_E));
    ZT_CONTAINS(doc, "\"DestinationPrefix\":\"::/0\"");
    ZT_CHECK(doc && !strstr(doc, "0.0.0.0/0"));
    zhns_string_free(doc);
    HT_OK(zhns_attachment_teardown(a, HT_E));
    zhns_attachment_close(a);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

#define ADAPTER(name, desc, mac, up, ip, gw, metric) {name, desc, mac, up, false, false, ip, gw, metric}

/* After a transparent network, the vNIC holds the addresses: the uplink is still the
 * physical adapter (same MAC), never the vNIC; without one, a clear refusal. */
static void the_uplink_is_never_a_vnic(void)
{
    zhns_adapter l[] = {
        ADAPTER("Ethernet", "Intel NIC", "00-15-5D-01-02-03", true, NULL, NULL, 25),
        ADAPTER("vEthernet (ext)", "Hyper-V Virtual Ethernet Adapter", "00-15-5d-01-02-03", true, "192.168.1.10/24",
                "192.168.1.1", 5),
        ADAPTER("Wi-Fi", "Some NIC", "00-11-22-33-44-55", true, NULL, NULL, 30),
    };
    size_t i = 99;
    HT_OK(zhns_adapter_select(&i, l, 3, NULL, HT_E));
    ZT_EQ_INT(i, 0);
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_adapter_select(&i, l + 1, 2, NULL, &err), -1);
    ZT_CONTAINS(zhns_error_message(err), "vEthernet (ext)");
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "never an uplink");
    /* naming it is still the caller's choice */
    HT_OK(zhns_adapter_select(&i, l, 3, "vEthernet (ext)", HT_E));
    ZT_EQ_INT(i, 1);
}

static void the_override_is_trimmed_and_has_a_zhns_name(void)
{
    zhns_adapter l[] = {
        ADAPTER("Ethernet", "Intel NIC", "", true, "192.168.3.10/24", "192.168.3.1", 25),
        ADAPTER("Ethernet 2", "Realtek NIC", "", true, "192.168.2.10/24", "192.168.2.1", 35),
    };
    size_t i = 99;
    HT_OK(zhns_adapter_select(&i, l, 2, "  ethernet 2\r\n", HT_E));
    ZT_EQ_INT(i, 1);
    HT_OK(zhns_adapter_select(&i, l, 2, " \t\n", HT_E)); /* only white space: no override */
    ZT_EQ_INT(i, 0);
    ZT_EQ_STR(ZHNS_UPLINK_ADAPTER_ENV, "ZHNS_UPLINK_ADAPTER");
    zhns_service *svc = ht_open(NULL);
    char *name = NULL;
    ZT_EQ_INT(SETENV(ZHNS_UPLINK_ENV, "Loopback Pseudo-Interface 1"), 0);
    ZT_EQ_INT(SETENV(ZHNS_UPLINK_ADAPTER_ENV, " vEthernet (nat)\n"), 0);
    HT_OK(zhns_adapter_find_primary(&name, svc, NULL, HT_E));
    ZT_EQ_STR(name, "vEthernet (nat)"); /* the new name wins, trimmed */
    zhns_string_free(name);
    UNSETENV(ZHNS_UPLINK_ADAPTER_ENV);
    HT_OK(zhns_adapter_find_primary(&name, svc, NULL, HT_E));
    ZT_EQ_STR(name, "Loopback Pseudo-Interface 1"); /* the older one is still honoured */
    zhns_string_free(name);
    UNSETENV(ZHNS_UPLINK_ENV);
    zhns_service_close(svc);
}

static char *primary_ip(zhns_endpoint *ep)
{
    char *ip = NULL;
    uint8_t len = 0;
    return zhns_endpoint_primary_ip(&ip, &len, ep, NULL) == 0 ? ip : NULL;
}

/* The simulator's address index (issue 10): automatic addresses go on from the last one,
 * and a freed address is the next one handed out; a network's addresses are its own. */
static void automatic_addresses_reuse_freed_ones(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc), *other = ht_nat(svc);
    ZT_REQUIRE(net && other);
    zhns_endpoint *ep[4] = {NULL};
    for (int i = 0; i < 3; i++)
        HT_OK(zhns_endpoint_create_json(&ep[i], net, "{}", HT_E));
    char *ip = primary_ip(ep[1]);
    ZT_EQ_STR(ip, "10.77.0.3");
    zhns_string_free(ip);
    HT_OK(zhns_endpoint_delete(svc, zhns_endpoint_id(ep[1]), HT_E));
    zhns_endpoint_close(ep[1]);
    HT_OK(zhns_endpoint_create_json(&ep[1], net, "{}", HT_E));
    ip = primary_ip(ep[1]);
    ZT_EQ_STR(ip, "10.77.0.3");
    zhns_string_free(ip);
    HT_OK(zhns_endpoint_create_json(&ep[3], net, "{}", HT_E));
    ip = primary_ip(ep[3]);
    ZT_EQ_STR(ip, "10.77.0.5");
    zhns_string_free(ip);
    /* an address taken by hand is skipped */
    zhns_endpoint *manual = NULL, *next = NULL, *elsewhere = NULL;
    HT_OK(zhns_endpoint_create_json(&manual, net, "{\"IpConfigurations\":[{\"IpAddress\":\"10.77.0.6\"}]}", HT_E));
    HT_OK(zhns_endpoint_create_json(&next, net, "{}", HT_E));
    ip = primary_ip(next);
    ZT_EQ_STR(ip, "10.77.0.7");
    zhns_string_free(ip);
    zhns_error *err = NULL;
    zhns_endpoint *dup = NULL;
    ZT_EQ_INT(zhns_endpoint_create_json(&dup, net, "{\"IpConfigurations\":[{\"IpAddress\":\"10.77.0.7\"}]}", &err), -1);
    zhns_error_free(err);
    /* the same plan on another network starts over */
    HT_OK(zhns_endpoint_create_json(&elsewhere, other, "{}", HT_E));
    ip = primary_ip(elsewhere);
    ZT_EQ_STR(ip, "10.77.0.2");
    zhns_string_free(ip);
    zhns_endpoint *all[] = {ep[0], ep[1], ep[2], ep[3], manual, next, elsewhere};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        zhns_endpoint_close(all[i]);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    HT_OK(zhns_network_delete(svc, zhns_network_id(other), HT_E));
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    zhns_network_close(net);
    zhns_network_close(other);
    zhns_service_close(svc);
}

/* Crash recovery finds every leftover of an owner when HNS drops Owner, ignores the Owner
 * filter and prints ids in upper case - and nothing of anyone else's. */
static void recovery_survives_an_hns_that_drops_owner_and_filters(void)
{
    unsigned old = zh_sim_hcn_latitudes(ZH_SIM_HCN_DROP_OWNER | ZH_SIM_HCN_FILTER_LOOSE | ZH_SIM_HCN_IDS_UPPER);
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    ZT_REQUIRE(net);
    zhns_attachment *r[3] = {attach(net, "R"), attach(net, "R"), attach(net, "R")};
    zhns_attachment *other[2] = {attach(net, "R2"), attach(net, "r")};
    ZT_REQUIRE(r[0] && r[1] && r[2] && other[0] && other[1]);
    /* a crash between the two creates: r[2]'s endpoint gone, its namespace left */
    HT_OK(zhns_endpoint_delete(svc, zhns_attachment_endpoint_id(r[2]), HT_E));
    zhns_owned_attachment *owned = NULL;
    size_t count = 0;
    HT_OK(zhns_attachment_list_owned(&owned, &count, svc, "R", HT_E));
    ZT_EQ_INT(count, 3);
    int pairs = 0, orphan = 0;
    for (size_t i = 0; i < count; i++) {
        for (int k = 0; k < 2; k++)
            if (owned[i].endpoint_id && strcmp(owned[i].endpoint_id, zhns_attachment_endpoint_id(r[k])) == 0 &&
                owned[i].namespace_id && strcmp(owned[i].namespace_id, zhns_attachment_namespace_id(r[k])) == 0)
                pairs++;
        if (!owned[i].endpoint_id && owned[i].namespace_id &&
            strcmp(owned[i].namespace_id, zhns_attachment_namespace_id(r[2])) == 0)
            orphan++;
    }
    ZT_EQ_INT(pairs, 2);
    ZT_EQ_INT(orphan, 1);
    zhns_owned_attachments_free(owned, count);
    size_t removed = 0;
    HT_OK(zhns_attachment_cleanup_owner(&removed, svc, "R", HT_E));
    ZT_EQ_INT(removed, 3);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 2); /* R2's and r's */
    ZT_EQ_INT(HT_NAMESPACES(svc), 2);
    HT_OK(zhns_attachment_list_owned(&owned, &count, svc, "R2", HT_E));
    ZT_EQ_INT(count, 1);
    zhns_owned_attachments_free(owned, count);
    for (int k = 0; k < 3; k++) {
        HT_OK(zhns_attachment_teardown(r[k], HT_E));
        zhns_attachment_close(r[k]);
    }
    for (int k = 0; k < 2; k++) {
        HT_OK(zhns_attachment_teardown(other[k], HT_E));
        zhns_attachment_close(other[k]);
    }
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(old);
}

typedef struct note_state {
    zh_mutex m;
    int inside, max_inside, calls, after_unregister, freed;
    int unregistered;
} note_state;

static void on_note(const zhns_notification *ev, void *ctx)
{
    (void)ev;
    note_state *s = ctx;
    zh_mutex_lock(&s->m);
    s->inside++;
    if (s->inside > s->max_inside)
        s->max_inside = s->inside;
    s->calls++;
    s->after_unregister += s->unregistered;
    zh_mutex_unlock(&s->m);
    zh_sleep_ms(2);
    zh_mutex_lock(&s->m);
    s->inside--;
    zh_mutex_unlock(&s->m);
}

static void note_free(void *ctx)
{
    note_state *s = ctx;
    zh_mutex_lock(&s->m);
    s->freed++;
    zh_mutex_unlock(&s->m);
}

/* An HNS that delivers on a pool of threads at once, and whose unregister does not wait:
 * one registration's callbacks still run one at a time, none runs after unregister returns,
 * and the context is released once, after the last. */
static void notifications_survive_a_pool_that_does_not_wait(void)
{
    unsigned old = zh_sim_hcn_latitudes(ZH_SIM_HCN_NOTIFY_POOL);
    note_state st;
    memset(&st, 0, sizeof st);
    zh_mutex_init(&st.m);
    zhns_service *svc = ht_open(NULL);
    zhns_notify *reg = NULL;
    HT_OK(zhns_notify_register(&reg, svc, on_note, &st, note_free, HT_E));
    for (int i = 0; i < 12; i++) {
        zhns_namespace *ns = NULL;
        HT_OK(zhns_namespace_create_json(&ns, svc, "{}", HT_E));
        HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(ns), HT_E));
        zhns_namespace_close(ns);
    }
    for (int i = 0; i < 200; i++) { /* some invocations in flight */
        zh_mutex_lock(&st.m);
        int calls = st.calls;
        zh_mutex_unlock(&st.m);
        if (calls >= 4)
            break;
        zh_sleep_ms(5);
    }
    zhns_notify_unregister(reg);
    zh_mutex_lock(&st.m);
    st.unregistered = 1;
    zh_mutex_unlock(&st.m);
    zh_sleep_ms(100); /* the pool's late threads come and go */
    zh_mutex_lock(&st.m);
    ZT_EQ_INT(st.max_inside, 1);
    ZT_EQ_INT(st.after_unregister, 0);
    ZT_EQ_INT(st.freed, 1);
    ZT_CHECK(st.calls >= 1);
    zh_mutex_unlock(&st.m);
    zhns_service_close(svc);
    zh_sim_hcn_latitudes(old);
    zh_mutex_destroy(&st.m);
}

/* Lookups hcsshim's users expect: a network or endpoint by name (exact), and endpoint
 * statistics through the v1 API where HcnQueryEndpointStats is missing. */
static void open_by_name_and_v1_stats(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc), *again = NULL;
    ZT_REQUIRE(net);
    HT_OK(zhns_network_open_by_name(&again, svc, "zhns-test", HT_E));
    ZT_EQ_STR(zhns_network_id(again), zhns_network_id(net));
    zhns_network_close(again);
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_network_open_by_name(&again, svc, "ZHNS-TEST", &err), -1); /* exact: not by case */
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "no network is named \"ZHNS-TEST\"");
    ZT_EQ_INT(zhns_network_open_by_name(&again, svc, "zhns", &err), -1); /* nor by prefix */
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, NULL);
    ZT_EQ_INT(zhns_network_open_by_name(&again, svc, "", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "empty");
    ZT_EQ_INT(zhns_network_open_by_name(&again, svc, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "NULL");
    zhns_endpoint *ep = NULL, *found = NULL, *other = NULL;
    HT_OK(zhns_endpoint_create_json(&ep, net, "{\"Name\":\"web-1\"}", HT_E));
    HT_OK(zhns_endpoint_create_json(&other, net, "{\"Name\":\"web-10\"}", HT_E));
    HT_OK(zhns_endpoint_open_by_name(&found, svc, "web-1", HT_E));
    ZT_EQ_STR(zhns_endpoint_id(found), zhns_endpoint_id(ep));
    zhns_endpoint_close(found);
    ZT_EQ_INT(zhns_endpoint_open_by_name(&found, svc, "web-2", &err), -1);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "no endpoint is named");
    /* statistics: from HcnQueryEndpointStats, or the v1 API where that is not implemented */
    zhns_endpoint_stats st;
    HT_OK(zhns_endpoint_query_stats(&st, ep, HT_E));
    ZT_CHECK(st.bytes_received > 0);
    ZT_EQ_INT(zh_sim_fault("HcnQueryEndpointStats", 1, (int32_t)0x80004001 /* E_NOTIMPL */), 0);
    zh_sim_calls_reset();
    HT_OK(zhns_endpoint_query_stats(&st, ep, HT_E));
    ZT_CHECK(st.bytes_received > 0);
    ZT_EQ_INT(zh_sim_calls("HcnQueryEndpointStats"), 1);
    /* another failure is reported, not papered over */
    ZT_EQ_INT(zh_sim_fault("HcnQueryEndpointStats", 1, (int32_t)0x80070005), 0);
    ZT_EQ_INT(zhns_endpoint_query_stats(&st, ep, &err), -1);
    HT_ERR(err, ZHNS_ERROR_ACCESS_DENIED, NULL);
    zh_sim_fault_clear();
    zhns_endpoint_close(ep);
    zhns_endpoint_close(other);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(open_by_name_and_v1_stats),
    ZT_CASE(notifications_survive_a_pool_that_does_not_wait),
    ZT_CASE(recovery_survives_an_hns_that_drops_owner_and_filters),
    ZT_CASE(automatic_addresses_reuse_freed_ones),
    ZT_CASE(deletes_accept_only_their_own_not_found),
    ZT_CASE(a_create_that_fails_after_hcn_made_it_leaves_nothing),
    ZT_CASE(cleanup_leaves_other_owners_namespaces),
    ZT_CASE(cleanup_goes_on_past_failures),
    ZT_CASE(teardown_is_robust_and_resumable),
    ZT_CASE(ipv6_attachments_route_the_ipv6_default),
    ZT_CASE(the_uplink_is_never_a_vnic),
    ZT_CASE(the_override_is_trimmed_and_has_a_zhns_name),
};
HT_MAIN(cases)

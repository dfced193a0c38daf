/* SPDX-License-Identifier: MIT */
/* test_sim_db.c - the durable state of the "sim:PATH" service (POSIX): a call that changes
 * several HCN objects is one transaction (a write that fails half-way changes nothing, in
 * the service's memory or on disk), and the allocation counters (MAC addresses, namespace
 * ids, NAT subnets) survive a restart, so nothing handed out is handed out again. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sim_server.h"
#include "zh_guid.h"
#include "zh_hresult.h"
#include "zh_sim.h"
#include "zh_thread.h"
#include "zh_utf.h"
#include "zt.h"

#define DISK_FULL ((int32_t)0x80070070) /* HRESULT_FROM_WIN32(ERROR_DISK_FULL) */

static char dir[512];

static zh_wchar *W(const char *s)
{
    uint16_t *w = NULL;
    zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, "test", NULL);
    return (zh_wchar *)w;
}

static char *take(zh_wchar *w)
{
    char *s = NULL;
    if (w)
        zh_utf16_to_utf8((const uint16_t *)w, ZH_NUL_TERMINATED, &s, NULL, "test", NULL);
    zh_sim_free_string(w);
    return s;
}

static long service_pid(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/service.pid", dir);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return pid;
}

/* Waits until no service holds the directory's service lock. */
static int service_gone(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/service.lock", dir);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return 1;
    int ok = 0;
    for (int i = 0; i < 1000 && !ok; i++) {
        ok = flock(fd, LOCK_EX | LOCK_NB) == 0;
        if (!ok)
            zh_sleep_ms(5);
    }
    close(fd);
    return ok;
}

static int fresh_dir(void)
{
    snprintf(dir, sizeof dir, "%s/zhdb-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    zh_sim_hcn_latitudes(0); /* the documents compared here are the default model's */
    return zh_sim_open(dir, NULL);
}

static void remove_dir(void)
{
    long pid = service_pid();
    if (pid > 0)
        kill((pid_t)pid, SIGTERM);
    service_gone();
    static const char *const files[] = {"state.db", "state.db-wal", "state.db-shm", "sock", "service.pid",
                                        "service.lock", "service.log", "start.lock"};
    char path[700];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
    rmdir(dir);
}

/* A service restart: the service stops, and the next open starts a new one on the file. */
static int restart(void)
{
    zh_sim_stop_service();
    zh_sim_close();
    if (!service_gone())
        return -1;
    return zh_sim_open(dir, NULL);
}

static zh_raw_guid guid_n(unsigned a, unsigned b)
{
    zh_raw_guid g;
    memset(&g, 0, sizeof g);
    memcpy(&g, &a, sizeof a);
    memcpy((char *)&g + 8, &b, sizeof b);
    ((unsigned char *)&g)[15] = 0xdb;
    return g;
}

static const char *gstr(const zh_raw_guid *g, char buf[ZH_GUID_BUFSIZE])
{
    zh_guid x;
    memcpy(&x, g, sizeof x);
    return zh_guid_format(&x, ZH_GUID_LOWER, buf);
}

static const zh_hcn_table *N(void)
{
    return zh_sim_hcn_table();
}

static int32_t make_network(const zh_raw_guid *id, const char *doc)
{
    zh_wchar *w = W(doc), *rec = NULL;
    zh_hcn_network n = NULL;
    int32_t hr = N()->HcnCreateNetwork(id, w, &n, &rec);
    free(w);
    free(take(rec));
    if (n)
        N()->HcnCloseNetwork(n);
    return hr;
}

static const char *const NAT_10 = "{\"Name\":\"n\",\"Type\":\"NAT\",\"Ipams\":[{\"Subnets\":[{\"IpAddressPrefix\":"
                                  "\"10.7.0.0/24\"}]}],\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}";

static int32_t make_endpoint(const zh_raw_guid *net, const zh_raw_guid *id, const char *ns)
{
    char doc[300];
    if (ns)
        snprintf(doc, sizeof doc,
                 "{\"Name\":\"e\",\"HostComputeNamespace\":\"%s\",\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}", ns);
    else
        snprintf(doc, sizeof doc, "{\"Name\":\"e\",\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}");
    zh_hcn_network n = NULL;
    int32_t hr = N()->HcnOpenNetwork(net, &n, NULL);
    if (hr)
        return hr;
    zh_wchar *w = W(doc), *rec = NULL;
    zh_hcn_endpoint e = NULL;
    hr = N()->HcnCreateEndpoint(n, id, w, &e, &rec);
    free(w);
    free(take(rec));
    if (e)
        N()->HcnCloseEndpoint(e);
    N()->HcnCloseNetwork(n);
    return hr;
}

static int32_t make_namespace(const zh_raw_guid *id)
{
    zh_wchar *w = W("{\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}");
    zh_hcn_namespace ns = NULL;
    int32_t hr = N()->HcnCreateNamespace(id, w, &ns, NULL);
    free(w);
    if (ns)
        N()->HcnCloseNamespace(ns);
    return hr;
}

/* The document of an object (NULL when it does not exist). */
static char *doc_of(char kind, const zh_raw_guid *id)
{
    zh_wchar *props = NULL;
    int32_t hr = -1;
    if (kind == 'n') {
        zh_hcn_network h = NULL;
        if (N()->HcnOpenNetwork(id, &h, NULL) == 0) {
            hr = N()->HcnQueryNetworkProperties(h, NULL, &props, NULL);
            N()->HcnCloseNetwork(h);
        }
    } else if (kind == 'e') {
        zh_hcn_endpoint h = NULL;
        if (N()->HcnOpenEndpoint(id, &h, NULL) == 0) {
            hr = N()->HcnQueryEndpointProperties(h, NULL, &props, NULL);
            N()->HcnCloseEndpoint(h);
        }
    } else {
        zh_hcn_namespace h = NULL;
        if (N()->HcnOpenNamespace(id, &h, NULL) == 0) {
            hr = N()->HcnQueryNamespaceProperties(h, NULL, &props, NULL);
            N()->HcnCloseNamespace(h);
        }
    }
    char *doc = take(props);
    if (hr != 0) {
        free(doc);
        return NULL;
    }
    return doc;
}

/* The string or number value of a member, copied (NULL when absent). */
static char *member(const char *doc, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *p = doc ? strstr(doc, key) : NULL;
    if (!p)
        return NULL;
    p += strlen(key);
    if (*p == '"')
        p++;
    size_t n = strcspn(p, "\",}");
    char *v = malloc(n + 1);
    if (v) {
        memcpy(v, p, n);
        v[n] = '\0';
    }
    return v;
}

static int32_t modify_namespace(const zh_raw_guid *ns_id, const char *type, const zh_raw_guid *ep_id)
{
    char ep[ZH_GUID_BUFSIZE], req[300];
    snprintf(req, sizeof req, "{\"ResourceType\":\"Endpoint\",\"RequestType\":\"%s\",\"Settings\":{\"EndpointId\":\"%s\"}}",
             type, gstr(ep_id, ep));
    zh_hcn_namespace ns = NULL;
    int32_t hr = N()->HcnOpenNamespace(ns_id, &ns, NULL);
    if (hr)
        return hr;
    zh_wchar *w = W(req), *rec = NULL;
    hr = N()->HcnModifyNamespace(ns, w, &rec);
    free(w);
    free(take(rec));
    N()->HcnCloseNamespace(ns);
    return hr;
}

/* ---------------------------------------------------------------- one transaction per call */
static void a_write_failing_half_way_changes_nothing(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    zh_raw_guid net = guid_n(1, 1), ep = guid_n(1, 2), ns = guid_n(1, 3), ep2 = guid_n(1, 4), ep3 = guid_n(1, 5);
    ZT_EQ_HEX(make_network(&net, NAT_10), 0);
    ZT_EQ_HEX(make_endpoint(&net, &ep, NULL), 0);
    ZT_EQ_HEX(make_namespace(&ns), 0);
    char *ep_before = doc_of('e', &ep), *ns_before = doc_of('s', &ns);
    ZT_REQUIRE(ep_before && ns_before);

    /* 1. the endpoint joins the namespace: two documents; the second write fails */
    ZT_EQ_INT(sim_client_fail_writes_after(1, 1), 0);
    ZT_EQ_HEX(modify_namespace(&ns, "Add", &ep), DISK_FULL);
    char *e = doc_of('e', &ep), *s = doc_of('s', &ns);
    ZT_EQ_STR(e, ep_before); /* the first write (the endpoint's) is undone too */
    ZT_EQ_STR(s, ns_before);
    free(e);
    free(s);

    /* 2. an endpoint created into a namespace: the endpoint, then both documents; the third
     *    write fails: no endpoint, the namespace as it was */
    char nsb[ZH_GUID_BUFSIZE];
    ZT_EQ_INT(sim_client_fail_writes_after(2, 1), 0);
    ZT_EQ_HEX(make_endpoint(&net, &ep2, gstr(&ns, nsb)), DISK_FULL);
    ZT_REQUIRE(doc_of('e', &ep2) == NULL);
    s = doc_of('s', &ns);
    ZT_EQ_STR(s, ns_before);
    free(s);
    /* its address and MAC address were given back with it: the next endpoint gets them */
    ZT_EQ_HEX(make_endpoint(&net, &ep2, NULL), 0);
    ZT_EQ_HEX(make_endpoint(&net, &ep3, NULL), 0);

    /* 3. a network deleted with its endpoints: the third of four deletes fails */
    char *net_before = doc_of('n', &net), *ep2_before = doc_of('e', &ep2), *ep3_before = doc_of('e', &ep3);
    ZT_EQ_INT(sim_client_fail_writes_after(2, 1), 0);
    ZT_EQ_HEX(N()->HcnDeleteNetwork(&net, NULL), DISK_FULL);
    char *n1 = doc_of('n', &net), *e1 = doc_of('e', &ep), *e2 = doc_of('e', &ep2), *e3 = doc_of('e', &ep3);
    ZT_EQ_STR(n1, net_before);
    ZT_EQ_STR(e1, ep_before);
    ZT_EQ_STR(e2, ep2_before);
    ZT_EQ_STR(e3, ep3_before);
    free(n1);
    free(e1);
    free(e2);
    free(e3);

    /* and on disk: a restarted service has exactly the state before the failed calls */
    ZT_REQUIRE(restart() == 0);
    e = doc_of('e', &ep);
    s = doc_of('s', &ns);
    n1 = doc_of('n', &net);
    e2 = doc_of('e', &ep2);
    ZT_EQ_STR(e, ep_before);
    ZT_EQ_STR(s, ns_before);
    ZT_EQ_STR(n1, net_before);
    ZT_EQ_STR(e2, ep2_before);
    free(e);
    free(s);
    free(n1);
    free(e2);

    /* the same calls, written, do change both sides */
    ZT_EQ_HEX(modify_namespace(&ns, "Add", &ep), 0);
    e = doc_of('e', &ep);
    s = doc_of('s', &ns);
    char epb[ZH_GUID_BUFSIZE];
    ZT_CONTAINS_NOCASE(e, gstr(&ns, nsb));
    ZT_CONTAINS_NOCASE(s, gstr(&ep, epb));
    free(e);
    free(s);
    ZT_EQ_HEX(N()->HcnDeleteNetwork(&net, NULL), 0);
    ZT_REQUIRE(doc_of('e', &ep3) == NULL);
    free(ep_before);
    free(ns_before);
    free(net_before);
    free(ep2_before);
    free(ep3_before);
    zh_sim_close();
    remove_dir();
}

/* ---------------------------------------------------------------- notifications */
static zh_atomic deletes_heard;

static void ZH_WINAPI on_note(zh_dword type, void *ctx, zh_hresult status, const zh_wchar *data)
{
    (void)ctx, (void)status, (void)data;
    if (type == 4) /* HcnNotificationNetworkDelete */
        zh_atomic_add(&deletes_heard, 1);
}

static void a_delete_that_failed_to_write_is_not_notified(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    zh_raw_guid net = guid_n(4, 1);
    ZT_EQ_HEX(make_network(&net, NAT_10), 0);
    zh_atomic_store(&deletes_heard, 0);
    zh_hcn_callback cb = NULL;
    ZT_EQ_HEX(N()->HcnRegisterServiceCallback(on_note, NULL, &cb), 0);
    ZT_EQ_INT(sim_client_fail_writes(1), 0);
    ZT_EQ_HEX(N()->HcnDeleteNetwork(&net, NULL), DISK_FULL);
    zh_sleep_ms(300);
    ZT_EQ_INT(zh_atomic_load(&deletes_heard), 0); /* nothing was deleted: nothing heard */
    char *still = doc_of('n', &net);
    ZT_CHECK(still != NULL);
    free(still);
    ZT_EQ_HEX(N()->HcnDeleteNetwork(&net, NULL), 0);
    for (int i = 0; i < 200 && zh_atomic_load(&deletes_heard) == 0; i++)
        zh_sleep_ms(10);
    ZT_EQ_INT(zh_atomic_load(&deletes_heard), 1);
    ZT_EQ_HEX(N()->HcnUnregisterServiceCallback(cb), 0);
    zh_sim_close();
    remove_dir();
}

/* ---------------------------------------------------------------- a kill between two writes */
static zh_raw_guid kill_ns, kill_ep;
static int32_t kill_hr;

static void attach_call(void *arg)
{
    (void)arg;
    kill_hr = modify_namespace(&kill_ns, "Add", &kill_ep);
}

static void a_kill_between_the_writes_of_a_call_leaves_no_half(void)
{
    /* the service pauses 300 ms after each write (a test hook): a kill -9 150 ms into the
     * attach lands after the endpoint's document was written and before the namespace's */
    setenv("ZH_SIM_DB_STALL_MS", "300", 1);
    int opened = fresh_dir();
    unsetenv("ZH_SIM_DB_STALL_MS"); /* the service has it; later services do not */
    ZT_REQUIRE(opened == 0);
    zh_raw_guid net = guid_n(3, 1);
    kill_ep = guid_n(3, 2);
    kill_ns = guid_n(3, 3);
    ZT_EQ_HEX(make_network(&net, NAT_10), 0);
    ZT_EQ_HEX(make_endpoint(&net, &kill_ep, NULL), 0);
    ZT_EQ_HEX(make_namespace(&kill_ns), 0);
    char *ep_before = doc_of('e', &kill_ep), *ns_before = doc_of('s', &kill_ns);
    ZT_REQUIRE(ep_before && ns_before);

    zh_thread *t = NULL;
    ZT_REQUIRE(zh_thread_start(&t, attach_call, NULL, NULL) == 0);
    zh_sleep_ms(150);
    long pid = service_pid();
    ZT_REQUIRE(pid > 0);
    kill((pid_t)pid, SIGKILL);
    zh_thread_join(t);
    ZT_CHECK(kill_hr != 0); /* never acknowledged */
    ZT_REQUIRE(service_gone());
    zh_sim_close();

    /* the new service has both documents as they were: no half of the attach */
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    char *e = doc_of('e', &kill_ep), *n = doc_of('s', &kill_ns);
    ZT_EQ_STR(e, ep_before);
    ZT_EQ_STR(n, ns_before);
    free(e);
    free(n);
    /* and the attach, made again, is whole */
    ZT_EQ_HEX(modify_namespace(&kill_ns, "Add", &kill_ep), 0);
    free(ep_before);
    free(ns_before);
    zh_sim_close();
    remove_dir();
}

/* ---------------------------------------------------------------- counters */
static void the_allocation_counters_survive_a_restart(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    zh_raw_guid net = guid_n(2, 1), e1 = guid_n(2, 2), e2 = guid_n(2, 3), e3 = guid_n(2, 4);
    zh_raw_guid ns1 = guid_n(2, 5), ns2 = guid_n(2, 6), nat1 = guid_n(2, 7), nat2 = guid_n(2, 8);
    ZT_EQ_HEX(make_network(&net, NAT_10), 0);
    ZT_EQ_HEX(make_endpoint(&net, &e1, NULL), 0);
    ZT_EQ_HEX(make_endpoint(&net, &e2, NULL), 0);
    ZT_EQ_HEX(make_namespace(&ns1), 0);
    static const char *const NAT_AUTO = "{\"Name\":\"auto\",\"Type\":\"NAT\",\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}";
    ZT_EQ_HEX(make_network(&nat1, NAT_AUTO), 0);
    char *d = doc_of('e', &e1);
    char *mac1 = member(d, "MacAddress");
    free(d);
    d = doc_of('e', &e2);
    char *mac2 = member(d, "MacAddress");
    free(d);
    d = doc_of('s', &ns1);
    char *nsid1 = member(d, "NamespaceId");
    free(d);
    d = doc_of('n', &nat1);
    char *sub1 = member(d, "IpAddressPrefix");
    free(d);
    ZT_REQUIRE(mac1 && mac2 && nsid1 && sub1);
    /* the first endpoint goes: its MAC address is free, but was handed out */
    ZT_EQ_HEX(N()->HcnDeleteEndpoint(&e1, NULL), 0);

    ZT_REQUIRE(restart() == 0);
    ZT_EQ_HEX(make_endpoint(&net, &e3, NULL), 0);
    ZT_EQ_HEX(make_namespace(&ns2), 0);
    ZT_EQ_HEX(make_network(&nat2, NAT_AUTO), 0);
    d = doc_of('e', &e3);
    char *mac3 = member(d, "MacAddress");
    free(d);
    d = doc_of('s', &ns2);
    char *nsid2 = member(d, "NamespaceId");
    free(d);
    d = doc_of('n', &nat2);
    char *sub2 = member(d, "IpAddressPrefix");
    free(d);
    ZT_REQUIRE(mac3 && nsid2 && sub2);
    printf("  before the restart: MACs %s %s, namespace id %s, NAT subnet %s; after: %s, %s, %s\n", mac1, mac2, nsid1,
           sub1, mac3, nsid2, sub2);
    ZT_CHECK(strcmp(mac3, mac1) != 0); /* not handed out again, though free */
    ZT_CHECK(strcmp(mac3, mac2) != 0);
    ZT_CHECK(strcmp(nsid2, nsid1) != 0);
    ZT_CHECK(strcmp(sub2, sub1) != 0);
    free(mac1);
    free(mac2);
    free(mac3);
    free(nsid1);
    free(nsid2);
    free(sub1);
    free(sub2);
    zh_sim_close();
    remove_dir();
}

static const zt_case cases[] = {
    ZT_CASE(a_write_failing_half_way_changes_nothing),
    ZT_CASE(the_allocation_counters_survive_a_restart),
    ZT_CASE(a_kill_between_the_writes_of_a_call_leaves_no_half),
    ZT_CASE(a_delete_that_failed_to_write_is_not_notified),
};
ZT_MAIN(cases)

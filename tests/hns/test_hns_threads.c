/* SPDX-License-Identifier: MIT */
/* test_hns_threads.c - handles used from several threads at once: attachments made and torn
 * down concurrently on one network, lists racing them, and handles closed while other
 * threads are inside calls on them. Labelled "thread": clean under ThreadSanitizer. */
#include <stdio.h>

#include "hns_test.h"
#include "zh_thread.h"

#define THREADS 4
#define ROUNDS 15

typedef struct shared {
    zhns_service *svc;
    zhns_network *net;
    zh_atomic failures;
    zh_atomic stop;
    char owner[THREADS][16];
    int index[THREADS];
} shared;

static shared S;

static void worker(void *arg)
{
    int k = *(int *)arg;
    for (int r = 0; r < ROUNDS; r++) {
        zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
        o.owner = S.owner[k];
        zhns_attachment *a = NULL;
        if (zhns_attachment_create_overlay(&a, S.net, &o, NULL) < 0) {
            zh_atomic_add(&S.failures, 1);
            continue;
        }
        zhns_endpoint_stats st;
        if (zhns_endpoint_query_stats(&st, zhns_attachment_endpoint(a), NULL) < 0 ||
            zhns_attachment_teardown(a, NULL) < 0)
            zh_atomic_add(&S.failures, 1);
        zhns_attachment_close(a);
    }
}

static void lister(void *arg)
{
    (void)arg;
    while (!zh_atomic_load(&S.stop)) {
        char **ids = NULL;
        size_t n = 0;
        if (zhns_endpoint_list(&ids, &n, S.svc, zhns_network_id(S.net), NULL) < 0)
            zh_atomic_add(&S.failures, 1);
        zhns_strings_free(ids, n);
        zhns_owned_attachment *owned = NULL;
        if (zhns_attachment_list_owned(&owned, &n, S.svc, S.owner[0], NULL) < 0)
            zh_atomic_add(&S.failures, 1);
        zhns_owned_attachments_free(owned, n);
    }
}

static void attachments_from_several_threads(void)
{
    S.svc = ht_open(NULL);
    S.net = ht_nat(S.svc);
    ZT_REQUIRE(S.net);
    zh_atomic_init(&S.failures, 0);
    zh_atomic_init(&S.stop, 0);
    zh_thread *t[THREADS], *l = NULL;
    for (int k = 0; k < THREADS; k++) {
        snprintf(S.owner[k], sizeof S.owner[k], "worker-%d", k);
        S.index[k] = k;
        ZT_REQUIRE(zh_thread_start(&t[k], worker, &S.index[k], NULL) == 0);
    }
    ZT_REQUIRE(zh_thread_start(&l, lister, NULL, NULL) == 0);
    for (int k = 0; k < THREADS; k++)
        zh_thread_join(t[k]);
    zh_atomic_store(&S.stop, 1);
    zh_thread_join(l);
    ZT_EQ_INT(zh_atomic_load(&S.failures), 0);
    ZT_EQ_INT(HT_ENDPOINTS(S.svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(S.svc), 0);
    HT_OK(zhns_network_delete(S.svc, zhns_network_id(S.net), HT_E));
    zhns_network_close(S.net);
    zhns_service_close(S.svc);
}

/* One thread closes a handle while others call through it: every call either works or
 * is a CLOSED error, nothing crashes, and the HCN handle goes with the last call. */
typedef struct race {
    zhns_endpoint *ep;
    zh_atomic ok, closed, other;
    zh_atomic go;
} race;

static void caller(void *arg)
{
    race *r = arg;
    while (!zh_atomic_load(&r->go))
        ;
    for (int i = 0; i < 200; i++) {
        zhns_error *err = NULL;
        char *ip = NULL;
        if (zhns_endpoint_primary_ip(&ip, NULL, r->ep, &err) == 0)
            zh_atomic_add(&r->ok, 1);
        else if (zhns_error_category_of(err) == ZHNS_ERROR_CLOSED)
            zh_atomic_add(&r->closed, 1);
        else
            zh_atomic_add(&r->other, 1);
        zhns_string_free(ip);
        zhns_error_free(err);
    }
}

static void close_while_in_use(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_endpoint *ep = NULL;
    HT_OK(zhns_endpoint_create_json(&ep, net, "{}", HT_E));
    char id[40];
    snprintf(id, sizeof id, "%s", zhns_endpoint_id(ep));
    for (int round = 0; round < 10; round++) {
        race r;
        memset(&r, 0, sizeof r);
        zh_atomic_init(&r.ok, 0);
        zh_atomic_init(&r.closed, 0);
        zh_atomic_init(&r.other, 0);
        zh_atomic_init(&r.go, 0);
        HT_OK(zhns_endpoint_open(&r.ep, svc, id, HT_E));
        zh_thread *t[3];
        for (int k = 0; k < 3; k++)
            ZT_REQUIRE(zh_thread_start(&t[k], caller, &r, NULL) == 0);
        zh_atomic_store(&r.go, 1);
        zh_sleep_ms((uint32_t)(round % 3));
        zhns_endpoint_close(r.ep);
        for (int k = 0; k < 3; k++)
            zh_thread_join(t[k]);
        ZT_EQ_INT(zh_atomic_load(&r.other), 0);
        ZT_EQ_INT(zh_atomic_load(&r.ok) + zh_atomic_load(&r.closed), 600);
    }
    HT_OK(zhns_endpoint_delete(svc, id, HT_E));
    zhns_endpoint_close(ep);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

/* Teardown of one attachment from several threads at once: one does the work. */
static zhns_attachment *shared_attachment;
static zh_atomic teardown_failures;

static void tear(void *arg)
{
    (void)arg;
    if (zhns_attachment_teardown(shared_attachment, NULL) < 0)
        zh_atomic_add(&teardown_failures, 1);
}

static void teardown_once_from_many(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_network *net = ht_nat(svc);
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "many";
    HT_OK(zhns_attachment_create_overlay(&shared_attachment, net, &o, HT_E));
    ZT_REQUIRE(shared_attachment);
    zh_atomic_init(&teardown_failures, 0);
    zh_sim_calls_reset();
    zh_thread *t[4];
    for (int k = 0; k < 4; k++)
        ZT_REQUIRE(zh_thread_start(&t[k], tear, NULL, NULL) == 0);
    for (int k = 0; k < 4; k++)
        zh_thread_join(t[k]);
    ZT_EQ_INT(zh_atomic_load(&teardown_failures), 0);
    ZT_EQ_INT(zh_sim_calls(NULL), 3); /* detach, delete endpoint, delete namespace: once */
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    zhns_attachment_close(shared_attachment);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zhns_network_close(net);
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(attachments_from_several_threads),
    ZT_CASE(close_while_in_use),
    ZT_CASE(teardown_once_from_many),
};
HT_MAIN(cases)

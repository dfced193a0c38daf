/* SPDX-License-Identifier: MIT */
/* test_hns_notify.c - service notifications: what arrives, no callback after unregister
 * returns, context_free exactly once (also when unregistering from inside the callback),
 * and the service going away. Labelled "thread": clean under ThreadSanitizer. */
#include <stdio.h>

#include "hns_test.h"
#include "zh_thread.h"

typedef struct seen {
    zh_mutex lock;
    zh_cond cond;
    int count;
    uint32_t types[64];
    char ids[64][40];
    int freed;
    int after_unregister; /* callbacks that ran after unregister returned */
    int unregistered;
    zhns_notify *self;    /* for unregistering from inside */
    int unregister_inside;
} seen;

static void on_event(const zhns_notification *ev, void *ctx)
{
    seen *s = ctx;
    zh_mutex_lock(&s->lock);
    if (s->unregistered)
        s->after_unregister++;
    if (s->count < 64) {
        s->types[s->count] = ev->type;
        snprintf(s->ids[s->count], sizeof s->ids[0], "%s", ev->id ? ev->id : "");
    }
    s->count++;
    zhns_notify *self = s->unregister_inside ? s->self : NULL;
    s->unregister_inside = 0;
    zh_cond_broadcast(&s->cond);
    zh_mutex_unlock(&s->lock);
    if (self)
        zhns_notify_unregister(self); /* from inside: allowed, context freed after return */
}

static void on_free(void *ctx)
{
    seen *s = ctx;
    zh_mutex_lock(&s->lock);
    s->freed++;
    zh_cond_broadcast(&s->cond);
    zh_mutex_unlock(&s->lock);
}

static int wait_count(seen *s, int n)
{
    zh_mutex_lock(&s->lock);
    uint64_t deadline = zh_monotonic_ms() + 10000;
    while (s->count < n && zh_monotonic_ms() < deadline)
        zh_cond_timedwait(&s->cond, &s->lock, 100);
    int ok = s->count >= n;
    zh_mutex_unlock(&s->lock);
    return ok;
}

static void init(seen *s)
{
    memset(s, 0, sizeof *s);
    zh_mutex_init(&s->lock);
    zh_cond_init(&s->cond);
}

static void fini(seen *s)
{
    zh_cond_destroy(&s->cond);
    zh_mutex_destroy(&s->lock);
}

static void networks_and_namespaces(void)
{
    /* checks the order of delivery: one dispatcher thread */
    unsigned lat_ = ht_latitudes_off(ZH_SIM_HCN_NOTIFY_POOL);
    seen s;
    init(&s);
    zhns_service *svc = ht_open(NULL);
    zhns_notify *reg = NULL;
    HT_OK(zhns_notify_register(&reg, svc, on_event, &s, on_free, HT_E));
    ZT_REQUIRE(reg);
    zhns_network *net = ht_nat(svc);
    zhns_namespace *ns = NULL;
    HT_OK(zhns_namespace_create_json(&ns, svc, "{}", HT_E));
    HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(ns), HT_E));
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    ZT_CHECK(wait_count(&s, 4));
    zh_mutex_lock(&s.lock);
    ZT_EQ_INT(s.types[0], ZHNS_NOTIFY_NETWORK_CREATE);
    ZT_EQ_STR(s.ids[0], zhns_network_id(net));
    ZT_EQ_INT(s.types[1], ZHNS_NOTIFY_NAMESPACE_CREATE);
    ZT_EQ_STR(s.ids[1], zhns_namespace_id(ns));
    ZT_EQ_INT(s.types[2], ZHNS_NOTIFY_NAMESPACE_DELETE);
    ZT_EQ_INT(s.types[3], ZHNS_NOTIFY_NETWORK_DELETE);
    zh_mutex_unlock(&s.lock);
    zhns_notify_unregister(reg);
    zh_mutex_lock(&s.lock);
    s.unregistered = 1;
    ZT_EQ_INT(s.freed, 1);
    int before = s.count;
    zh_mutex_unlock(&s.lock);
    /* nothing more arrives */
    zhns_network *n2 = ht_nat(svc);
    HT_OK(zhns_network_delete(svc, zhns_network_id(n2), HT_E));
    zh_sleep_ms(100);
    zh_mutex_lock(&s.lock);
    ZT_EQ_INT(s.count, before);
    ZT_EQ_INT(s.after_unregister, 0);
    ZT_EQ_INT(s.freed, 1);
    zh_mutex_unlock(&s.lock);
    zhns_notify_unregister(NULL);
    zhns_network_close(n2);
    zhns_namespace_close(ns);
    zhns_network_close(net);
    zhns_service_close(svc);
    fini(&s);
    zh_sim_hcn_latitudes(lat_);
}

/* Unregister racing a stream of notifications: never a callback after it returns. */
static void unregister_while_busy(void)
{
    zhns_service *svc = ht_open(NULL);
    for (int round = 0; round < 20; round++) {
        seen s;
        init(&s);
        zhns_notify *reg = NULL;
        HT_OK(zhns_notify_register(&reg, svc, on_event, &s, on_free, HT_E));
        for (int i = 0; i < 5; i++) {
            zhns_namespace *ns = NULL;
            HT_OK(zhns_namespace_create_json(&ns, svc, "{}", HT_E));
            HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(ns), HT_E));
            zhns_namespace_close(ns);
        }
        zhns_notify_unregister(reg);
        zh_mutex_lock(&s.lock);
        s.unregistered = 1;
        ZT_EQ_INT(s.freed, 1);
        zh_mutex_unlock(&s.lock);
        zh_sleep_ms(5);
        zh_mutex_lock(&s.lock);
        ZT_EQ_INT(s.after_unregister, 0);
        zh_mutex_unlock(&s.lock);
        fini(&s);
    }
    zhns_service_close(svc);
}

static void unregister_from_inside_the_callback(void)
{
    seen s;
    init(&s);
    zhns_service *svc = ht_open(NULL);
    zhns_notify *reg = NULL;
    HT_OK(zhns_notify_register(&reg, svc, on_event, &s, on_free, HT_E));
    zh_mutex_lock(&s.lock);
    s.self = reg;
    s.unregister_inside = 1;
    zh_mutex_unlock(&s.lock);
    zhns_network *net = ht_nat(svc);
    ZT_CHECK(wait_count(&s, 1));
    /* context_free runs once the callback returned */
    zh_mutex_lock(&s.lock);
    uint64_t deadline = zh_monotonic_ms() + 10000;
    while (!s.freed && zh_monotonic_ms() < deadline)
        zh_cond_timedwait(&s.cond, &s.lock, 100);
    ZT_EQ_INT(s.freed, 1);
    zh_mutex_unlock(&s.lock);
    HT_OK(zhns_network_delete(svc, zhns_network_id(net), HT_E));
    zh_sleep_ms(50);
    zh_mutex_lock(&s.lock);
    ZT_EQ_INT(s.count, 1);
    ZT_EQ_INT(s.freed, 1);
    zh_mutex_unlock(&s.lock);
    zhns_network_close(net);
    zhns_service_close(svc); /* the registration is gone: nothing holds the service */
    fini(&s);
}

static void the_service_goes_away(void)
{
    seen s;
    init(&s);
    zhns_service *svc = ht_open(NULL);
    zhns_notify *reg = NULL;
    HT_OK(zhns_notify_register(&reg, svc, on_event, &s, NULL, HT_E));
    zhns_service_close(svc); /* the registration keeps it alive */
    zh_sim_stop_service();
    ZT_CHECK(wait_count(&s, 1));
    zh_mutex_lock(&s.lock);
    ZT_EQ_INT(s.types[0], ZHNS_NOTIFY_SERVICE_DISCONNECT);
    ZT_EQ_STR(s.ids[0], "");
    zh_mutex_unlock(&s.lock);
    ZT_EQ_STR(zhns_notification_type_name(ZHNS_NOTIFY_SERVICE_DISCONNECT), "service-disconnect");
    ZT_EQ_STR(zhns_notification_type_name(ZHNS_NOTIFY_NAMESPACE_CREATE), "namespace-create");
    ZT_EQ_STR(zhns_notification_type_name(0x77), "unknown");
    zhns_notify_unregister(reg);
    ZT_EQ_INT(s.freed, 0); /* no context_free given */
    fini(&s);
}

static void bad_registrations(void)
{
    seen s;
    init(&s);
    zhns_service *svc = ht_open(NULL);
    zhns_notify *reg = (zhns_notify *)1;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_notify_register(&reg, svc, NULL, &s, on_free, &err), -1);
    ZT_CHECK(reg == NULL);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "callback");
    ZT_EQ_INT(zhns_notify_register(&reg, NULL, on_event, &s, on_free, &err), -1);
    HT_ERR(err, ZHNS_ERROR_CLOSED, "the service is NULL");
    ZT_EQ_INT(zhns_notify_register(NULL, svc, on_event, &s, on_free, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "out");
    /* a failed registration leaves the context with the caller */
    ZT_EQ_INT(zh_sim_fault("HcnRegisterServiceCallback", 1, (int32_t)0x800706BA), 0);
    ZT_EQ_INT(zhns_notify_register(&reg, svc, on_event, &s, on_free, &err), -1);
    HT_ERR(err, ZHNS_ERROR_SERVICE_UNAVAILABLE, NULL);
    ZT_EQ_INT(s.freed, 0);
    zhns_service_close(svc);
    fini(&s);
}

static const zt_case cases[] = {
    ZT_CASE(networks_and_namespaces),
    ZT_CASE(unregister_while_busy),
    ZT_CASE(unregister_from_inside_the_callback),
    ZT_CASE(the_service_goes_away),
    ZT_CASE(bad_registrations),
};
HT_MAIN(cases)

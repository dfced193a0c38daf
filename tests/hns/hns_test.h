/* SPDX-License-Identifier: MIT */
/* hns_test.h - what the zhns test programs share: a service on the simulator, a NAT network
 * to hang endpoints on, counting what the simulator holds, error checks, and a main() that
 * fails the program when it leaves handles live. */
#ifndef HNS_TEST_H
#define HNS_TEST_H

#include <stdlib.h>
#include <string.h>

#include <zhns/zhns.h>

#include "zh_handle.h"
#include "zh_sim.h"
#include "zt.h"

/* A NAT network with a known address plan: endpoints get 10.77.0.2, .3, ... */
#define HT_NAT_JSON                                                                                                   \
    "{\"Name\":\"zhns-test\",\"Type\":\"NAT\",\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Ipams\":[{\"Type\":\"Static\"," \
    "\"Subnets\":[{\"IpAddressPrefix\":\"10.77.0.0/24\",\"Routes\":[{\"NextHop\":\"10.77.0.1\",\"DestinationPrefix\":" \
    "\"0.0.0.0/0\"}]}]}]}"

/* Fails the case unless `e` is an error of `cat` whose message contains `text` (NULL: any);
 * frees it and sets it to NULL. */
#define HT_ERR(e, cat, text)                                                                                          \
    do {                                                                                                              \
        ZT_CHECK((e) != NULL);                                                                                        \
        if (e) {                                                                                                      \
            if (zhns_error_category_of(e) != (cat))                                                                   \
                ZT_FAIL_("category %s, expected %s: %s", zhns_error_category_name(zhns_error_category_of(e)),         \
                         zhns_error_category_name(cat), zhns_error_message(e));                                       \
            if ((text) != NULL)                                                                                       \
                ZT_CONTAINS(zhns_error_message(e), (const char *)(text));                                            \
            zhns_error_free(e);                                                                                       \
            (e) = NULL;                                                                                               \
        }                                                                                                             \
    } while (0)

/* Fails the case when `e` is set, showing it; frees it. */
#define HT_OK(call)                                                                                                   \
    do {                                                                                                              \
        zhns_error *ht_e_ = NULL;                                                                                     \
        if ((call) != 0) {                                                                                            \
            char ht_buf_[600];                                                                                        \
            zhns_error_format(ht_e_, ht_buf_, sizeof ht_buf_);                                                        \
            ZT_FAIL_("%s failed: %s", #call, ht_e_ ? ht_buf_ : "(no error)");                                         \
        }                                                                                                             \
        zhns_error_free(ht_e_);                                                                                       \
    } while (0)
/* HT_OK's calls pass &ht_e_ as their error argument: */
#define HT_E (&ht_e_)

static inline zhns_service *ht_open(const char *uri)
{
    zhns_service *svc = NULL;
    if (zhns_service_open(&svc, uri ? uri : "sim:", NULL) < 0)
        return NULL;
    return svc;
}

static inline zhns_network *ht_nat(zhns_service *svc)
{
    zhns_network *net = NULL;
    zhns_network_create_json(&net, svc, HT_NAT_JSON, NULL);
    return net;
}

/* How many objects of a family the service lists (-1 on error). */
static inline long ht_count(zhns_service *svc, int (*list)(char ***, size_t *, zhns_service *, const char *, zhns_error **))
{
    char **ids = NULL;
    size_t n = 0;
    if (list(&ids, &n, svc, NULL, NULL) < 0)
        return -1;
    zhns_strings_free(ids, n);
    return (long)n;
}

#define HT_ENDPOINTS(svc) ht_count((svc), zhns_endpoint_list_json)
#define HT_NAMESPACES(svc) ht_count((svc), zhns_namespace_list_json)
#define HT_NETWORKS(svc) ht_count((svc), zhns_network_list_json)

/* HNS may print ids in either case (the simulator's ZH_SIM_HCN_IDS_UPPER latitude). */
static inline int ht_same_id(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

#define HT_EQ_ID(a, b)                                                                                                \
    do {                                                                                                              \
        const char *ht_a_ = (a), *ht_b_ = (b);                                                                        \
        if (!ht_same_id(ht_a_, ht_b_))                                                                                \
            ZT_FAIL_("%s == %s (an id, any case): \"%s\" != \"%s\"", #a, #b, ht_a_ ? ht_a_ : "(null)",                 \
                     ht_b_ ? ht_b_ : "(null)");                                                                       \
    } while (0)

/* Turns the given HCN latitudes off for a case that checks the default model (Owner kept,
 * filters honoured); returns the set to restore with zh_sim_hcn_latitudes. */
static inline unsigned ht_latitudes_off(unsigned mask)
{
    unsigned now = zh_sim_hcn_latitudes(0);
    zh_sim_hcn_latitudes(now & ~mask);
    return now;
}

static inline int ht_has(char **ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return 1;
    return 0;
}

/* ZT_MAIN, and then every handle the program made must be closed: zh_handle_live() back at
 * its value before the first case (a leaked handle is a leaked object). */
#define HT_MAIN(cases)                                                                                                \
    int main(int argc, char **argv)                                                                                   \
    {                                                                                                                 \
        const char *ht_seed_ = getenv("ZH_SIM_SEED");                                                                  \
        if (ht_seed_ && *ht_seed_)                                                                                    \
            printf("ZH_SIM_SEED=%s: HCN latitudes 0x%x\n", ht_seed_,                                                 \
                   zh_sim_hcn_seed_latitudes(strtoull(ht_seed_, NULL, 0)));                                           \
        size_t ht_live0_ = zh_handle_live();                                                                          \
        int ht_rc_ = zt_run(cases, sizeof(cases) / sizeof((cases)[0]), argc, argv);                                   \
        size_t ht_live_ = zh_handle_live();                                                                           \
        if (ht_live_ != ht_live0_) {                                                                                  \
            printf("FAIL %zu handle(s) live at the end, %zu at the start\n", ht_live_, ht_live0_);                  \
            return 1;                                                                                                 \
        }                                                                                                             \
        return ht_rc_;                                                                                                \
    }

#endif

/* SPDX-License-Identifier: MIT */
/* test_zhns_live.c - zhns against the real Host Compute Network service.
 *
 * Runs only with ZHNS_LIVE_TESTS=1 on a Windows host, as administrator; everywhere else
 * every case is skipped with the reason printed and the suite reports itself as not run.
 * It makes a non-persistent NAT network of its own, attaches an endpoint through a
 * namespace, finds it again by owner, and takes everything down. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhns/zhns.h>

#include "zt.h"

#define OWNER "zhns-live-test"

static zhns_service *live(void)
{
    const char *on = getenv("ZHNS_LIVE_TESTS");
    if (!on || strcmp(on, "1") != 0)
        return NULL;
    zhns_service *svc = NULL;
    zhns_error *err = NULL;
    if (zhns_service_open(&svc, "local", &err) < 0) {
        printf("  cannot open the local service: %s\n", zhns_error_message(err));
        zhns_error_free(err);
        return NULL;
    }
    return svc;
}

#define NEED_LIVE(svc)                                                                              \
    do {                                                                                            \
        if (!(svc)) {                                                                               \
            const char *on_ = getenv("ZHNS_LIVE_TESTS");                                            \
            if (on_ && strcmp(on_, "1") == 0)                                                       \
                ZT_FAIL_("ZHNS_LIVE_TESTS=1 but the local service cannot be opened");               \
            else                                                                                    \
                ZT_SKIP("needs the real HCN: set ZHNS_LIVE_TESTS=1 on a Windows host, as admin");   \
            return;                                                                                 \
        }                                                                                           \
    } while (0)

static void live_network_attach_and_recover(void)
{
    zhns_service *svc = live();
    NEED_LIVE(svc);
    /* NAT, non-persistent (Flags 8): a reboot takes it away if this test dies half way */
    static const char net_doc[] =
        "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Owner\":\"" OWNER "\",\"Name\":\"zhns-live\",\"Type\":\"NAT\","
        "\"Flags\":8,\"Ipams\":[{\"Type\":\"Static\",\"Subnets\":[{\"IpAddressPrefix\":\"172.29.250.0/24\","
        "\"Routes\":[{\"NextHop\":\"172.29.250.1\",\"DestinationPrefix\":\"0.0.0.0/0\"}]}]}]}";
    zhns_network *net = NULL;
    zhns_attachment *att = NULL;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_network_create_json(&net, svc, net_doc, &err), 0);
    if (net) {
        zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
        o.owner = OWNER;
        o.gateway = "172.29.250.1";
        ZT_EQ_INT(zhns_attachment_create_overlay(&att, net, &o, &err), 0);
        if (att) {
            ZT_CHECK(zhns_attachment_ip(att)[0] != '\0');
            zhns_owned_attachment *owned = NULL;
            size_t n = 0;
            ZT_EQ_INT(zhns_attachment_list_owned(&owned, &n, svc, OWNER, &err), 0);
            ZT_EQ_INT(n, 1);
            zhns_owned_attachments_free(owned, n);
            ZT_EQ_INT(zhns_attachment_teardown(att, &err), 0);
            zhns_attachment_close(att);
        }
        ZT_EQ_INT(zhns_network_delete(svc, zhns_network_id(net), &err), 0);
        zhns_network_close(net);
    }
    if (err)
        printf("  %s: %s\n", zhns_error_function(err), zhns_error_message(err));
    zhns_error_free(err);
    zhns_service_close(svc);
}

static void live_hns_version_and_features(void)
{
    zhns_service *svc = live();
    NEED_LIVE(svc);
    zhns_hns_version v;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_hns_version_get(&v, svc, &err), 0);
    ZT_CHECK(v.major >= 9); /* the v2 API needs HNS 9.2 or later */
    printf("  HNS %u.%u\n", (unsigned)v.major, (unsigned)v.minor);
    zhns_error_free(err);
    zhns_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(live_network_attach_and_recover),
    ZT_CASE(live_hns_version_and_features),
};
ZT_MAIN(cases)

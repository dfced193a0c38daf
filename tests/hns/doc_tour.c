/* SPDX-License-Identifier: MIT */
/* doc_tour.c - the code sample of docs/zhns.md, compiled and run as a test; the test
 * zhns_doc_sample_is_current checks that the document shows this very code (between the
 * markers). */
#include "hns_test.h"

/* ---- docs/zhns.md sample begins ---- */
#include <stdio.h>
#include <zhns/zhns.h>

/* Puts a container-to-be on a transparent network and takes it off again. */
static int tour(const char *uri)
{
    zhns_error *err = NULL;
    zhns_service *svc = NULL;
    zhns_network *net = NULL;
    zhns_attachment *att = NULL;
    if (zhns_service_open(&svc, uri, &err) < 0)      /* "local", "sim:" or "sim:PATH" */
        goto fail;

    /* Gate on what the host's HNS can do. */
    zhns_hns_version v;
    if (zhns_hns_version_get(&v, svc, &err) < 0)
        goto fail;
    printf("HNS %u.%u, DSR %s\n", (unsigned)v.major, (unsigned)v.minor,
           zhns_version_supports(v, ZHNS_FEATURE_DSR) ? "yes" : "no");

    /* An L2 network on the uplink the adapter rules pick (ZLAYER_HCN_UPLINK_ADAPTER wins). */
    zhns_transparent_options t = ZHNS_TRANSPARENT_OPTIONS_INIT;
    t.name = "overlay";
    t.subnet = "10.80.0.0/24";
    t.gateway = "10.80.0.1";
    if (zhns_network_create_transparent(&net, svc, &t, &err) < 0)
        goto fail;

    /* Endpoint + namespace + attach, as one; rolled back on any failure. */
    const char *dns[] = {"10.80.0.1"};
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = "agent-7";                     /* what crash recovery looks for */
    o.gateway = "10.80.0.1";
    o.dns_servers = dns;
    o.dns_server_count = 1;
    if (zhns_attachment_create_overlay(&att, net, &o, &err) < 0)
        goto fail;
    printf("namespace %s, endpoint %s, ip %s\n", zhns_attachment_namespace_id(att),
           zhns_attachment_endpoint_id(att), zhns_attachment_ip(att));

    /* After a crash, a new process would do this to find and remove agent-7's leftovers. */
    zhns_owned_attachment *owned = NULL;
    size_t n = 0;
    if (zhns_attachment_list_owned(&owned, &n, svc, "agent-7", &err) < 0)
        goto fail;
    printf("agent-7 owns %zu attachment(s)\n", n);
    zhns_owned_attachments_free(owned, n);

    if (zhns_attachment_teardown(att, &err) < 0 || zhns_network_delete(svc, zhns_network_id(net), &err) < 0)
        goto fail;
    zhns_attachment_close(att);
    zhns_network_close(net);
    zhns_service_close(svc);
    return 0;
fail:
    fprintf(stderr, "%s: %s\n", zhns_error_function(err), zhns_error_message(err));
    zhns_error_free(err);
    zhns_attachment_close(att);                 /* every _close accepts NULL */
    zhns_network_close(net);
    zhns_service_close(svc);
    return -1;
}
/* ---- docs/zhns.md sample ends ---- */

static void the_tour_runs(void)
{
    ZT_EQ_INT(tour("sim:"), 0);
    /* and leaves nothing behind */
    zhns_service *svc = ht_open(NULL);
    ZT_EQ_INT(HT_ENDPOINTS(svc), 0);
    ZT_EQ_INT(HT_NAMESPACES(svc), 0);
    ZT_EQ_INT(HT_NETWORKS(svc), 0);
    zhns_service_close(svc);
}

static void the_tour_reports_failures(void)
{
    ZT_EQ_INT(tour("sim:/no/such/dir/for/zhns"), -1);
}

static const zt_case cases[] = {
    ZT_CASE(the_tour_runs),
    ZT_CASE(the_tour_reports_failures),
};
HT_MAIN(cases)

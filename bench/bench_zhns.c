/* SPDX-License-Identifier: MIT */
/* bench_zhns.c - the cost of zhns on the simulator: create N attachments (create_overlay),
 * list them (endpoints, namespaces, list_owned), tear them down; time per operation and raw
 * HCN calls per operation (the simulator's call counter).
 *
 *   bench_zhns [N] [URI]        N attachments (default 200), URI "sim:" (default) or "sim:PATH"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhns/zhns.h>

#include "zh_sim.h"
#include "zh_thread.h"

static uint64_t t0;

static void start(void)
{
    zh_sim_calls_reset();
    t0 = zh_monotonic_ns();
}

static void report(const char *what, size_t ops)
{
    uint64_t ns = zh_monotonic_ns() - t0;
    uint64_t calls = zh_sim_calls(NULL);
    printf("%-34s %8zu ops %12.1f us/op %8.2f raw calls/op\n", what, ops, ops ? ns / 1000.0 / (double)ops : 0.0,
           ops ? (double)calls / (double)ops : 0.0);
}

static int check(int rc, zhns_error *err, const char *what)
{
    if (rc == 0)
        return 0;
    fprintf(stderr, "bench_zhns: %s: %s\n", what, zhns_error_message(err));
    zhns_error_free(err);
    return -1;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200;
    const char *uri = argc > 2 ? argv[2] : "sim:";
    if (n == 0 || n > 60000) {
        fprintf(stderr, "usage: bench_zhns [N (1..60000)] [sim: | sim:PATH]\n");
        return 2;
    }
    zhns_error *err = NULL;
    zhns_service *svc = NULL;
    if (check(zhns_service_open(&svc, uri, &err), err, "open"))
        return 1;
    zhns_network *net = NULL;
    if (check(zhns_network_create_json(&net, svc,
                                       "{\"Name\":\"bench\",\"Type\":\"NAT\",\"Ipams\":[{\"Subnets\":[{\"IpAddressPrefix\":"
                                       "\"10.64.0.0/16\",\"Routes\":[{\"NextHop\":\"10.64.0.1\",\"DestinationPrefix\":"
                                       "\"0.0.0.0/0\"}]}]}]}",
                                       &err),
              err, "network"))
        return 1;
    zhns_attachment **att = calloc(n, sizeof *att);
    if (!att)
        return 1;
    printf("zhns on %s, %zu attachments\n", uri, n);

    /* the last tenth separately: the cost of a create when N endpoints already exist */
    size_t tail = n / 10 ? n / 10 : 1;
    start();
    for (size_t i = 0; i < n; i++) {
        if (i == n - tail) {
            report("create_overlay (first 90%)", n - tail);
            start();
        }
        zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
        /* 10 attachments of a small owner, the rest split between two */
        o.owner = i < 10 ? "bench-few" : i % 2 ? "bench-odd" : "bench-even";
        if (check(zhns_attachment_create_overlay(&att[i], net, &o, &err), err, "create_overlay"))
            return 1;
    }
    report("create_overlay (last 10%)", tail);

    /* endpoint create with an automatic address, N endpoints on the network already */
    enum { EXTRA = 200 };
    zhns_endpoint *extra[EXTRA];
    start();
    for (size_t i = 0; i < EXTRA; i++)
        if (check(zhns_endpoint_create_json(&extra[i], net, "{}", &err), err, "endpoint_create"))
            return 1;
    report("endpoint_create (auto address, at N)", EXTRA);
    for (size_t i = 0; i < EXTRA; i++) {
        if (check(zhns_endpoint_delete(svc, zhns_endpoint_id(extra[i]), &err), err, "endpoint_delete"))
            return 1;
        zhns_endpoint_close(extra[i]);
    }

    char **ids = NULL;
    size_t count = 0;
    int reps = 20;
    start();
    for (int r = 0; r < reps; r++) {
        if (check(zhns_endpoint_list(&ids, &count, svc, NULL, &err), err, "endpoint_list"))
            return 1;
        zhns_strings_free(ids, count);
    }
    report("endpoint_list (all N)", (size_t)reps);
    start();
    for (int r = 0; r < reps; r++) {
        if (check(zhns_namespace_list(&ids, &count, svc, NULL, &err), err, "namespace_list"))
            return 1;
        zhns_strings_free(ids, count);
    }
    report("namespace_list (all N)", (size_t)reps);
    start();
    for (int r = 0; r < reps; r++) {
        if (check(zhns_network_list(&ids, &count, svc, NULL, &err), err, "network_list"))
            return 1;
        zhns_strings_free(ids, count);
    }
    report("network_list", (size_t)reps);
    zhns_owned_attachment *owned = NULL;
    start();
    if (check(zhns_attachment_list_owned(&owned, &count, svc, "bench-even", &err), err, "list_owned"))
        return 1;
    report("list_owned (~N/2 owned)", 1);
    size_t even = 0;
    for (size_t i = 10; i < n; i++)
        even += i % 2 == 0;
    if (count != even) {
        fprintf(stderr, "bench_zhns: list_owned found %zu, expected %zu\n", count, even);
        return 1;
    }
    zhns_owned_attachments_free(owned, count);
    /* an owner with 10 attachments among N: linear in the owner's objects, whatever N */
    start();
    for (int r = 0; r < 20; r++) {
        if (check(zhns_attachment_list_owned(&owned, &count, svc, "bench-few", &err), err, "list_owned"))
            return 1;
        if (count != 10) {
            fprintf(stderr, "bench_zhns: list_owned found %zu of bench-few, expected 10\n", count);
            return 1;
        }
        zhns_owned_attachments_free(owned, count);
    }
    report("list_owned (10 owned)", 20);
    /* an owner with nothing: the filtered answers are empty, so HNS is asked whether it
     * keeps Owner (a probe namespace made, read and deleted) */
    start();
    for (int r = 0; r < 20; r++) {
        if (check(zhns_attachment_list_owned(&owned, &count, svc, "bench-nobody", &err), err, "list_owned"))
            return 1;
        zhns_owned_attachments_free(owned, count);
    }
    report("list_owned (nothing owned)", 20);

    start();
    for (size_t i = 0; i < n; i++) {
        if (check(zhns_attachment_teardown(att[i], &err), err, "teardown"))
            return 1;
        zhns_attachment_close(att[i]);
    }
    report("teardown + close", n);
    free(att);
    if (check(zhns_network_delete(svc, zhns_network_id(net), &err), err, "network_delete"))
        return 1;
    zhns_network_close(net);
    zhns_service_close(svc);
    return 0;
}

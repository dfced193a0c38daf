/* SPDX-License-Identifier: MIT */
/* attach_network.c - attach a container-to-be to a network the way an agent does: create a
 * network, create_overlay (an endpoint on it inside a fresh namespace), print what a compute
 * system's Networking section needs, then tear it all down.
 *
 *   attach-network [--connect URI] [--transparent [ADAPTER]] [--owner TAG]
 *
 * URI defaults to "local" on Windows and to "sim:" (the simulator) elsewhere. Without
 * --transparent the network is a NAT network; with it, a transparent network bridged to
 * ADAPTER or to the adapter the uplink rules pick (ZLAYER_HCN_UPLINK_ADAPTER overrides). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhns/zhns.h>

static int fail(const char *what, zhns_error *err)
{
    char line[1024];
    zhns_error_format(err, line, sizeof line);
    fprintf(stderr, "attach-network: %s: %s\n", what, line);
    zhns_error_free(err);
    return 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: attach-network [--connect URI] [--transparent [ADAPTER]] [--owner TAG]\n");
    return 2;
}

int main(int argc, char **argv)
{
#ifdef _WIN32
    const char *uri = "local";
#else
    const char *uri = NULL;
#endif
    const char *owner = "attach-network-example", *adapter = NULL;
    int transparent = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc)
            uri = argv[++i];
        else if (strcmp(argv[i], "--owner") == 0 && i + 1 < argc)
            owner = argv[++i];
        else if (strcmp(argv[i], "--transparent") == 0) {
            transparent = 1;
            if (i + 1 < argc && argv[i + 1][0] != '-')
                adapter = argv[++i];
        } else
            return usage();
    }
    if (!uri) {
        uri = "sim:";
        printf("note: no Windows host here; running on the HCN simulator (--connect sim:)\n");
    }

    zhns_error *err = NULL;
    zhns_service *svc = NULL;
    if (zhns_service_open(&svc, uri, &err) < 0)
        return fail("open the service", err);

    zhns_network *net = NULL;
    int rc;
    if (transparent) {
        zhns_transparent_options t = ZHNS_TRANSPARENT_OPTIONS_INIT;
        t.name = "attach-network-example";
        t.adapter = adapter;
        t.subnet = "10.123.0.0/24";
        t.gateway = "10.123.0.1";
        t.owner = owner;
        rc = zhns_network_create_transparent(&net, svc, &t, &err);
    } else {
        rc = zhns_network_create_json(&net, svc,
                                      "{\"Name\":\"attach-network-example\",\"Type\":\"NAT\",\"Flags\":8,"
                                      "\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Ipams\":[{\"Type\":\"Static\","
                                      "\"Subnets\":[{\"IpAddressPrefix\":\"10.123.0.0/24\",\"Routes\":[{\"NextHop\":"
                                      "\"10.123.0.1\",\"DestinationPrefix\":\"0.0.0.0/0\"}]}]}]}",
                                      &err);
    }
    if (rc < 0) {
        zhns_service_close(svc);
        return fail("create the network", err);
    }
    printf("network    %s (%s)\n", zhns_network_id(net), transparent ? "Transparent" : "NAT");

    const char *dns[] = {"10.123.0.1"};
    zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
    o.owner = owner;
    o.name = "attach-network-example";
    o.gateway = "10.123.0.1";
    o.dns_servers = dns;
    o.dns_server_count = 1;
    zhns_attachment *att = NULL;
    int status = 0;
    if (zhns_attachment_create_overlay(&att, net, &o, &err) < 0) {
        status = fail("attach", err);
    } else {
        printf("endpoint   %s\n", zhns_attachment_endpoint_id(att));
        printf("namespace  %s\n", zhns_attachment_namespace_id(att));
        printf("ip         %s/%u\n", zhns_attachment_ip(att), (unsigned)zhns_attachment_prefix_length(att));
        printf("owner      %s\n", zhns_attachment_owner(att));
        if (zhns_attachment_teardown(att, &err) < 0)
            status = fail("tear down", err);
        else
            printf("torn down  endpoint and namespace deleted\n");
        zhns_attachment_close(att);
    }
    if (zhns_network_delete(svc, zhns_network_id(net), &err) < 0)
        status = fail("delete the network", err);
    else
        printf("deleted    network\n");
    zhns_network_close(net);
    zhns_service_close(svc);
    return status;
}

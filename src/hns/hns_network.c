/* SPDX-License-Identifier: MIT */
/* hns_network.c - zhns_network_*: HCN networks, and the transparent-network helper. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_str.h"

int zhns_network_create_json(zhns_network **out, zhns_service *svc, const char *settings_json, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_create(out ? &h : NULL, svc, HNS_NETWORK, settings_json, "zhns_network_create", err);
    if (out)
        *out = (zhns_network *)h;
    return rc;
}

int zhns_network_create(zhns_network **out, zhns_service *svc, const zhns_HostComputeNetwork *settings,
                        zhns_error **err)
{
    if (out)
        *out = NULL;
    if (!settings)
        return hns_bad_arg(err, "zhns_network_create", "settings is NULL");
    char *json = zhns_HostComputeNetwork_emit(settings, err);
    if (!json)
        return -1;
    int rc = zhns_network_create_json(out, svc, json, err);
    zhns_string_free(json);
    return rc;
}

int zhns_network_open(zhns_network **out, zhns_service *svc, const char *id, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_open(out ? &h : NULL, svc, HNS_NETWORK, id, "zhns_network_open", err);
    if (out)
        *out = (zhns_network *)h;
    return rc;
}

int zhns_network_open_by_name(zhns_network **out, zhns_service *svc, const char *name, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_open_by_name(out ? &h : NULL, svc, HNS_NETWORK, name, "zhns_network_open_by_name", err);
    if (out)
        *out = (zhns_network *)h;
    return rc;
}

void zhns_network_close(zhns_network *net)
{
    hns_obj_close_handle(net, HNS_NETWORK);
}

const char *zhns_network_id(const zhns_network *net)
{
    return hns_obj_id(net, HNS_NETWORK);
}

int zhns_network_delete(zhns_service *svc, const char *id, zhns_error **err)
{
    return hns_delete(svc, HNS_NETWORK, id, "zhns_network_delete", err);
}

int zhns_network_modify_json(zhns_network *net, const char *request_json, zhns_error **err)
{
    HNS_ACQUIRE(o, net, HNS_NETWORK, "zhns_network_modify", err);
    int rc = hns_obj_modify(o, request_json, "ModifyNetworkSettingRequest", "zhns_network_modify", err);
    hns_obj_release(o);
    return rc;
}

int zhns_network_modify(zhns_network *net, const zhns_ModifyNetworkSettingRequest *request, zhns_error **err)
{
    if (!request)
        return hns_bad_arg(err, "zhns_network_modify", "the request is NULL");
    char *json = zhns_ModifyNetworkSettingRequest_emit(request, err);
    if (!json)
        return -1;
    int rc = zhns_network_modify_json(net, json, err);
    zhns_string_free(json);
    return rc;
}

int zhns_network_query_json(char **out, zhns_network *net, const char *query_json, zhns_error **err)
{
    if (out)
        *out = NULL;
    HNS_ACQUIRE(o, net, HNS_NETWORK, "zhns_network_query", err);
    int rc = hns_obj_query(out, o, query_json, "zhns_network_query", err);
    hns_obj_release(o);
    return rc;
}

int zhns_network_query(zhns_HostComputeNetwork **out, zhns_network *net, zhns_error **err)
{
    if (!out)
        return hns_bad_arg(err, "zhns_network_query", "out is NULL");
    *out = NULL;
    char *json = NULL;
    if (zhns_network_query_json(&json, net, NULL, err) < 0)
        return -1;
    *out = zhns_HostComputeNetwork_parse(json, ZHNS_NUL_TERMINATED, err);
    zhns_string_free(json);
    return *out ? 0 : -1;
}

int zhns_network_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json, zhns_error **err)
{
    return hns_list(ids, count, svc, HNS_NETWORK, query_json, "zhns_network_list", err);
}

int zhns_network_list(char ***ids, size_t *count, zhns_service *svc, const zhns_HostComputeQuery *query,
                      zhns_error **err)
{
    return hns_list_query(ids, count, svc, HNS_NETWORK, query, "zhns_network_list", err);
}

/* ---------------------------------------------------------------- transparent networks */
/* Strict dotted-quad IPv4: four decimal parts 0-255, no leading zeros. */
static int parse_ipv4(const char *s, size_t len, uint32_t *out)
{
    uint32_t v = 0;
    int parts = 0;
    size_t i = 0;
    while (parts < 4) {
        if (i >= len || s[i] < '0' || s[i] > '9')
            return -1;
        uint32_t part = 0;
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            part = part * 10 + (uint32_t)(s[i++] - '0');
        if (part > 255 || (i - start > 1 && s[start] == '0'))
            return -1;
        v = v << 8 | part;
        if (++parts < 4) {
            if (i >= len || s[i] != '.')
                return -1;
            i++;
        }
    }
    if (i != len)
        return -1;
    *out = v;
    return 0;
}

/* Checks subnet and gateway; *v6 tells which family. */
static int check_addresses(const char *subnet, const char *gateway, int *v6, zh_error **err)
{
    static const char fn[] = "zhns_network_create_transparent";
    if (!subnet || !*subnet)
        return hns_bad_arg(err, fn, "the subnet is missing (\"192.168.1.0/24\")");
    if (!gateway || !*gateway)
        return hns_bad_arg(err, fn, "the gateway is missing: a transparent network needs a default route");
    const char *slash = strchr(subnet, '/');
    *v6 = strchr(subnet, ':') != NULL;
    char *end = NULL;
    long len = slash ? strtol(slash + 1, &end, 10) : -1;
    if (!slash || !end || *end || end == slash + 1 || len < 0 || len > (*v6 ? 128 : 32))
        return hns_bad_arg(err, fn, "the subnet \"%.80s\" is not an IP prefix (address/length)", subnet);
    if (*v6) {
        if (!strchr(gateway, ':'))
            return hns_bad_arg(err, fn, "the gateway \"%.80s\" is not an IPv6 address like the subnet", gateway);
        return 0; /* HCN checks the rest of IPv6 */
    }
    uint32_t net, gw;
    if (parse_ipv4(subnet, (size_t)(slash - subnet), &net) < 0)
        return hns_bad_arg(err, fn, "the subnet \"%.80s\" is not an IPv4 prefix", subnet);
    uint32_t mask = len == 0 ? 0 : 0xFFFFFFFFu << (32 - len);
    if (net & ~mask)
        return hns_bad_arg(err, fn, "the subnet \"%.80s\" is not a network address (host bits are set)", subnet);
    if (parse_ipv4(gateway, strlen(gateway), &gw) < 0)
        return hns_bad_arg(err, fn, "the gateway \"%.80s\" is not an IPv4 address", gateway);
    if ((gw & mask) != net || gw == net)
        return hns_bad_arg(err, fn, "the gateway %s is not a host of the subnet %s", gateway, subnet);
    return 0;
}

/* The transparent network `opts` describes, on a service the caller holds. */
static int create_transparent(hns_obj **out, hns_service *svc, const zhns_transparent_options *opts, zh_error **err)
{
    static const char fn[] = "zhns_network_create_transparent";
    if (!opts)
        return hns_bad_arg(err, fn, "the options are NULL (start from ZHNS_TRANSPARENT_OPTIONS_INIT)");
    if (opts->version < 1 || opts->version > ZHNS_TRANSPARENT_OPTIONS_VERSION)
        return hns_bad_arg(err, fn, "options version %u is not one this library knows (1..%d)", opts->version,
                           ZHNS_TRANSPARENT_OPTIONS_VERSION);
    if (!opts->name || !*opts->name)
        return hns_bad_arg(err, fn, "the network name is missing");
    if (opts->dns_server_count && !opts->dns_servers)
        return hns_bad_arg(err, fn, "dns_server_count is %zu but dns_servers is NULL", opts->dns_server_count);
    int v6 = 0;
    if (check_addresses(opts->subnet, opts->gateway, &v6, err) < 0)
        return -1;
    for (size_t i = 0; i < opts->dns_server_count; i++)
        if (!opts->dns_servers[i])
            return hns_bad_arg(err, fn, "dns_servers[%zu] is NULL", i);
    if (opts->id && hns_parse_id(opts->id, NULL, NULL, "the id", fn, err) < 0)
        return -1;

    char *adapter = NULL;
    if (opts->adapter) {
        if (!*opts->adapter)
            return hns_bad_arg(err, fn, "the adapter name is empty (NULL picks the primary adapter)");
        adapter = zh_strdup(opts->adapter);
        if (!adapter)
            return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    } else if (hns_adapter_find_primary(&adapter, svc, NULL, fn, err) < 0) {
        return -1;
    }

    zhns_NetAdapterNameNetworkPolicySetting uplink = {0};
    uplink.NetworkAdapterName = adapter;
    char *uplink_json = zhns_NetAdapterNameNetworkPolicySetting_emit(&uplink, err);
    int rc = -1;
    if (uplink_json) {
        zhns_NetworkPolicy policy = {0};
        policy.has_Type = true;
        policy.Type = ZHNS_NETWORKPOLICYTYPE_NETADAPTERNAME;
        policy.Settings = uplink_json;
        zhns_Route route = {0};
        route.NextHop = (char *)opts->gateway;
        route.DestinationPrefix = v6 ? "::/0" : "0.0.0.0/0";
        zhns_Subnet subnet = {0};
        subnet.IpAddressPrefix = (char *)opts->subnet;
        subnet.Routes = &route;
        subnet.Routes_count = 1;
        zhns_Ipam ipam = {0};
        ipam.has_Type = true;
        ipam.Type = ZHNS_IPAMTYPE_STATIC;
        ipam.Subnets = &subnet;
        ipam.Subnets_count = 1;
        zhns_DNS dns = {0};
        dns.ServerList = (char **)opts->dns_servers;
        dns.ServerList_count = opts->dns_server_count;
        zhns_Version schema = {true, 2, true, 0, NULL, 0};
        zhns_HostComputeNetwork n = {0};
        n.ID = (char *)opts->id;
        n.Name = (char *)opts->name;
        n.Owner = (char *)opts->owner;
        n.SchemaVersion = &schema;
        n.has_Type = true;
        n.Type = ZHNS_NETWORKMODE_TRANSPARENT;
        n.Policies = &policy;
        n.Policies_count = 1;
        n.Ipams = &ipam;
        n.Ipams_count = 1;
        n.Dns = opts->dns_server_count ? &dns : NULL;
        n.has_Flags = opts->flags != 0;
        n.Flags = opts->flags;
        char *json = zhns_HostComputeNetwork_emit(&n, err);
        if (json)
            rc = hns_obj_create(out, svc, HNS_NETWORK, NULL, json, fn, err);
        zhns_string_free(json);
    }
    zhns_string_free(uplink_json);
    free(adapter);
    return rc;
}

int zhns_network_create_transparent(zhns_network **out, zhns_service *svc, const zhns_transparent_options *opts,
                                    zhns_error **err)
{
    static const char fn[] = "zhns_network_create_transparent";
    if (!out)
        return hns_bad_arg(err, fn, "out is NULL");
    *out = NULL;
    HNS_SERVICE(s, svc, fn, err);
    hns_obj *o = NULL;
    int rc = create_transparent(&o, s, opts, err);
    if (rc == 0)
        *out = (zhns_network *)hns_obj_publish(o);
    hns_service_unref(s);
    return rc;
}

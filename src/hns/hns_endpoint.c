/* SPDX-License-Identifier: MIT */
/* hns_endpoint.c - zhns_endpoint_*: HCN endpoints, their statistics and addresses. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_json.h"
#include "zh_str.h"

int zhns_endpoint_create_json(zhns_endpoint **out, zhns_network *net, const char *settings_json, zhns_error **err)
{
    static const char fn[] = "zhns_endpoint_create";
    if (!out)
        return hns_bad_arg(err, fn, "out is NULL");
    *out = NULL;
    HNS_ACQUIRE(n, net, HNS_NETWORK, fn, err);
    hns_obj *o = NULL;
    int rc = hns_obj_create(&o, n->svc, HNS_ENDPOINT, n, settings_json, fn, err);
    if (rc == 0)
        *out = (zhns_endpoint *)hns_obj_publish(o);
    hns_obj_release(n);
    return rc;
}

int zhns_endpoint_create(zhns_endpoint **out, zhns_network *net, const zhns_HostComputeEndpoint *settings,
                         zhns_error **err)
{
    if (out)
        *out = NULL;
    if (!settings)
        return hns_bad_arg(err, "zhns_endpoint_create", "settings is NULL");
    char *json = zhns_HostComputeEndpoint_emit(settings, err);
    if (!json)
        return -1;
    int rc = zhns_endpoint_create_json(out, net, json, err);
    zhns_string_free(json);
    return rc;
}

int zhns_endpoint_open(zhns_endpoint **out, zhns_service *svc, const char *id, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_open(out ? &h : NULL, svc, HNS_ENDPOINT, id, "zhns_endpoint_open", err);
    if (out)
        *out = (zhns_endpoint *)h;
    return rc;
}

int zhns_endpoint_open_by_name(zhns_endpoint **out, zhns_service *svc, const char *name, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_open_by_name(out ? &h : NULL, svc, HNS_ENDPOINT, name, "zhns_endpoint_open_by_name", err);
    if (out)
        *out = (zhns_endpoint *)h;
    return rc;
}

void zhns_endpoint_close(zhns_endpoint *ep)
{
    hns_obj_close_handle(ep, HNS_ENDPOINT);
}

const char *zhns_endpoint_id(const zhns_endpoint *ep)
{
    return hns_obj_id(ep, HNS_ENDPOINT);
}

int zhns_endpoint_delete(zhns_service *svc, const char *id, zhns_error **err)
{
    return hns_delete(svc, HNS_ENDPOINT, id, "zhns_endpoint_delete", err);
}

int zhns_endpoint_modify_json(zhns_endpoint *ep, const char *request_json, zhns_error **err)
{
    HNS_ACQUIRE(o, ep, HNS_ENDPOINT, "zhns_endpoint_modify", err);
    int rc = hns_obj_modify(o, request_json, "ModifyEndpointSettingRequest", "zhns_endpoint_modify", err);
    hns_obj_release(o);
    return rc;
}

int zhns_endpoint_modify(zhns_endpoint *ep, const zhns_ModifyEndpointSettingRequest *request, zhns_error **err)
{
    if (!request)
        return hns_bad_arg(err, "zhns_endpoint_modify", "the request is NULL");
    char *json = zhns_ModifyEndpointSettingRequest_emit(request, err);
    if (!json)
        return -1;
    int rc = zhns_endpoint_modify_json(ep, json, err);
    zhns_string_free(json);
    return rc;
}

int zhns_endpoint_query_properties_json(char **out, zhns_endpoint *ep, const char *query_json, zhns_error **err)
{
    if (out)
        *out = NULL;
    HNS_ACQUIRE(o, ep, HNS_ENDPOINT, "zhns_endpoint_query_properties", err);
    int rc = hns_obj_query(out, o, query_json, "zhns_endpoint_query_properties", err);
    hns_obj_release(o);
    return rc;
}

int zhns_endpoint_query_properties(zhns_HostComputeEndpoint **out, zhns_endpoint *ep, zhns_error **err)
{
    if (!out)
        return hns_bad_arg(err, "zhns_endpoint_query_properties", "out is NULL");
    *out = NULL;
    char *json = NULL;
    if (zhns_endpoint_query_properties_json(&json, ep, NULL, err) < 0)
        return -1;
    *out = zhns_HostComputeEndpoint_parse(json, ZHNS_NUL_TERMINATED, err);
    zhns_string_free(json);
    return *out ? 0 : -1;
}

int zhns_endpoint_query_stats_json(char **out, zhns_endpoint *ep, zhns_error **err)
{
    static const char fn[] = "zhns_endpoint_query_stats";
    if (!out)
        return hns_bad_arg(err, fn, "out is NULL");
    *out = NULL;
    HNS_ACQUIRE(o, ep, HNS_ENDPOINT, fn, err);
    int rc = -1;
    zh_error *e = NULL;
    zh_raw_HcnQueryEndpointStats_fn stats = ZH_HCN(o->svc->lib, HcnQueryEndpointStats, &e);
    zh_wchar *q = stats ? hns_wide(hns_default_query, "the query", fn, &e) : NULL;
    if (q) {
        zh_wchar *doc = NULL, *record = NULL;
        /* both strings are HCN's for us to free */
        zh_hresult hr = stats(o->raw, q, &doc, &record);
        free(q);
        if (hns_result(o->svc, hr, record, "HcnQueryEndpointStats", &e) < 0)
            zh_raw_free_string(o->svc->lib, doc);
        else
            rc = hns_take(o->svc, doc, out, "HcnQueryEndpointStats", &e);
    }
    /* Hosts whose computenetwork.dll lacks HcnQueryEndpointStats (or does not implement it)
     * answer the v1 API's GET /endpointstats/ID (hcsshim's GetHNSEndpointStats) */
    zh_hresult why = e ? zh_error_hresult(e) : 0;
    if (rc < 0 && (why == ZH_E_PROC_NOT_FOUND || why == ZH_E_NOTIMPL)) {
        char path[80];
        snprintf(path, sizeof path, "/endpointstats/%s", o->id);
        zh_error *v1 = NULL;
        if (hns_v1_call(o->svc, "GET", path, out, fn, &v1) == 0) {
            zh_error_free(e);
            e = NULL;
            rc = 0;
        }
        zh_error_free(v1); /* the v2 failure is the one to report */
    }
    if (rc < 0)
        zh_error_put(err, e);
    hns_obj_release(o);
    return rc;
}

int zhns_endpoint_query_stats(zhns_endpoint_stats *out, zhns_endpoint *ep, zhns_error **err)
{
    static const char fn[] = "zhns_endpoint_query_stats";
    static const struct {
        const char *key;
        size_t offset;
    } counters[] = {
        {"BytesReceived", offsetof(zhns_endpoint_stats, bytes_received)},
        {"BytesSent", offsetof(zhns_endpoint_stats, bytes_sent)},
        {"PacketsReceived", offsetof(zhns_endpoint_stats, packets_received)},
        {"PacketsSent", offsetof(zhns_endpoint_stats, packets_sent)},
        {"DroppedPacketsIncoming", offsetof(zhns_endpoint_stats, dropped_packets_incoming)},
        {"DroppedPacketsOutgoing", offsetof(zhns_endpoint_stats, dropped_packets_outgoing)},
    };
    if (!out)
        return hns_bad_arg(err, fn, "out is NULL");
    memset(out, 0, sizeof *out);
    char *json = NULL;
    if (zhns_endpoint_query_stats_json(&json, ep, err) < 0)
        return -1;
    zh_arena a = {0};
    zh_error *e = NULL;
    zh_jv *root = zh_json_parse(&a, json, strlen(json), "endpoint statistics", &e);
    int rc = 0;
    if (!root || root->type != ZH_JOBJECT) {
        rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, "HcnQueryEndpointStats",
                              "the statistics are not a JSON object%s%s", e ? ": " : "", e ? zh_error_message(e) : "");
    }
    for (const zh_jv *m = rc == 0 ? root->first : NULL; m && rc == 0; m = m->next) {
        for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++) {
            if (strlen(counters[i].key) != m->key_len || memcmp(counters[i].key, m->key, m->key_len) != 0)
                continue;
            uint64_t v;
            if (m->type != ZH_JNUMBER || zh_json_uint64(m, UINT64_MAX, &v) < 0) {
                rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, "HcnQueryEndpointStats",
                                      "$.%s: expected an unsigned integer", counters[i].key);
                break;
            }
            memcpy((char *)out + counters[i].offset, &v, sizeof v);
        }
    }
    zh_error_free(e);
    zh_arena_free(&a);
    zhns_string_free(json);
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}

int zhns_endpoint_primary_ip(char **ip, uint8_t *prefix_length, zhns_endpoint *ep, zhns_error **err)
{
    static const char fn[] = "zhns_endpoint_primary_ip";
    if (!ip)
        return hns_bad_arg(err, fn, "ip is NULL");
    *ip = NULL;
    if (prefix_length)
        *prefix_length = 0;
    HNS_ACQUIRE(o, ep, HNS_ENDPOINT, fn, err);
    char *json = NULL;
    int rc = hns_obj_query(&json, o, NULL, fn, err);
    hns_obj_release(o);
    if (rc < 0)
        return -1;
    zhns_HostComputeEndpoint *doc = zhns_HostComputeEndpoint_parse(json, ZHNS_NUL_TERMINATED, err);
    zhns_string_free(json);
    if (!doc)
        return -1;
    const zhns_IpConfig *c = doc->IpConfigurations_count ? &doc->IpConfigurations[0] : NULL;
    if (!c || !c->IpAddress || !*c->IpAddress) {
        rc = zh_error_set_cat(err, ZH_E_NOT_FOUND, ZH_CAT_NOT_FOUND, fn, "the endpoint %s has no IP address",
                              doc->ID ? doc->ID : "");
    } else if (!(*ip = zh_strdup(c->IpAddress))) {
        rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    } else if (prefix_length && c->has_PrefixLength) {
        *prefix_length = c->PrefixLength;
    }
    zhns_HostComputeEndpoint_free(doc);
    return rc;
}

int zhns_endpoint_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json, zhns_error **err)
{
    return hns_list(ids, count, svc, HNS_ENDPOINT, query_json, "zhns_endpoint_list", err);
}

int zhns_endpoint_list_query(char ***ids, size_t *count, zhns_service *svc, const zhns_HostComputeQuery *query,
                             zhns_error **err)
{
    return hns_list_query(ids, count, svc, HNS_ENDPOINT, query, "zhns_endpoint_list", err);
}

int zhns_endpoint_list(char ***ids, size_t *count, zhns_service *svc, const char *network_id, zhns_error **err)
{
    static const char fn[] = "zhns_endpoint_list";
    if (!network_id)
        return hns_list(ids, count, svc, HNS_ENDPOINT, NULL, fn, err);
    char id[ZH_GUID_BUFSIZE];
    if (ids)
        *ids = NULL;
    if (count)
        *count = 0;
    if (hns_parse_id(network_id, NULL, id, "network_id", fn, err) < 0)
        return -1;
    /* the Filter is a JSON object carried as a string */
    char query[160];
    snprintf(query, sizeof query,
             "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Flags\":0,\"Filter\":\"{\\\"VirtualNetwork\\\":\\\"%s\\\"}\"}",
             id);
    return hns_list(ids, count, svc, HNS_ENDPOINT, query, fn, err);
}

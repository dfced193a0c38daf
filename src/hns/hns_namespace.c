/* SPDX-License-Identifier: MIT */
/* hns_namespace.c - zhns_namespace_*: HCN namespaces and the endpoints attached to them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_str.h"

int zhns_namespace_create_json(zhns_namespace **out, zhns_service *svc, const char *settings_json, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_create(out ? &h : NULL, svc, HNS_NAMESPACE, settings_json, "zhns_namespace_create", err);
    if (out)
        *out = (zhns_namespace *)h;
    return rc;
}

int zhns_namespace_create(zhns_namespace **out, zhns_service *svc, const zhns_HostComputeNamespace *settings,
                          zhns_error **err)
{
    if (out)
        *out = NULL;
    if (!settings)
        return hns_bad_arg(err, "zhns_namespace_create", "settings is NULL");
    char *json = zhns_HostComputeNamespace_emit(settings, err);
    if (!json)
        return -1;
    int rc = zhns_namespace_create_json(out, svc, json, err);
    zhns_string_free(json);
    return rc;
}

int zhns_namespace_create_host_default(zhns_namespace **out, zhns_service *svc, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_create(out ? &h : NULL, svc, HNS_NAMESPACE,
                        "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Type\":\"HostDefault\"}",
                        "zhns_namespace_create_host_default", err);
    if (out)
        *out = (zhns_namespace *)h;
    return rc;
}

int zhns_namespace_open(zhns_namespace **out, zhns_service *svc, const char *id, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_open(out ? &h : NULL, svc, HNS_NAMESPACE, id, "zhns_namespace_open", err);
    if (out)
        *out = (zhns_namespace *)h;
    return rc;
}

void zhns_namespace_close(zhns_namespace *ns)
{
    hns_obj_close_handle(ns, HNS_NAMESPACE);
}

const char *zhns_namespace_id(const zhns_namespace *ns)
{
    return hns_obj_id(ns, HNS_NAMESPACE);
}

int zhns_namespace_delete(zhns_service *svc, const char *id, zhns_error **err)
{
    return hns_delete(svc, HNS_NAMESPACE, id, "zhns_namespace_delete", err);
}

static int endpoint_request(zhns_namespace *ns, const char *endpoint_id, const char *request_type, const char *fn,
                            zh_error **err)
{
    char id[ZH_GUID_BUFSIZE];
    HNS_ACQUIRE(o, ns, HNS_NAMESPACE, fn, err);
    int rc = hns_parse_id(endpoint_id, NULL, id, "endpoint_id", fn, err);
    if (rc == 0) {
        char req[200];
        snprintf(req, sizeof req,
                 "{\"ResourceType\":\"Endpoint\",\"RequestType\":\"%s\",\"Settings\":{\"EndpointId\":\"%s\"}}",
                 request_type, id);
        rc = hns_obj_modify(o, req, NULL, fn, err);
    }
    hns_obj_release(o);
    return rc;
}

int zhns_namespace_add_endpoint(zhns_namespace *ns, const char *endpoint_id, zhns_error **err)
{
    return endpoint_request(ns, endpoint_id, "Add", "zhns_namespace_add_endpoint", err);
}

int zhns_namespace_remove_endpoint(zhns_namespace *ns, const char *endpoint_id, zhns_error **err)
{
    return endpoint_request(ns, endpoint_id, "Remove", "zhns_namespace_remove_endpoint", err);
}

int zhns_namespace_modify_json(zhns_namespace *ns, const char *request_json, zhns_error **err)
{
    HNS_ACQUIRE(o, ns, HNS_NAMESPACE, "zhns_namespace_modify", err);
    int rc = hns_obj_modify(o, request_json, "ModifyNamespaceSettingRequest", "zhns_namespace_modify", err);
    hns_obj_release(o);
    return rc;
}

int zhns_namespace_query_json(char **out, zhns_namespace *ns, const char *query_json, zhns_error **err)
{
    if (out)
        *out = NULL;
    HNS_ACQUIRE(o, ns, HNS_NAMESPACE, "zhns_namespace_query", err);
    int rc = hns_obj_query(out, o, query_json, "zhns_namespace_query", err);
    hns_obj_release(o);
    return rc;
}

int zhns_namespace_query(zhns_HostComputeNamespace **out, zhns_namespace *ns, zhns_error **err)
{
    if (!out)
        return hns_bad_arg(err, "zhns_namespace_query", "out is NULL");
    *out = NULL;
    char *json = NULL;
    if (zhns_namespace_query_json(&json, ns, NULL, err) < 0)
        return -1;
    *out = zhns_HostComputeNamespace_parse(json, ZHNS_NUL_TERMINATED, err);
    zhns_string_free(json);
    return *out ? 0 : -1;
}

int zhns_namespace_list_endpoints(char ***ids, size_t *count, zhns_namespace *ns, zhns_error **err)
{
    static const char fn[] = "zhns_namespace_list_endpoints";
    if (!ids || !count)
        return hns_bad_arg(err, fn, "%s is NULL", ids ? "count" : "ids");
    *ids = NULL;
    *count = 0;
    HNS_ACQUIRE(o, ns, HNS_NAMESPACE, fn, err);
    char *json = NULL;
    int rc = hns_obj_query(&json, o, NULL, fn, err);
    hns_obj_release(o);
    if (rc < 0)
        return -1;
    zhns_HostComputeNamespace *doc = zhns_HostComputeNamespace_parse(json, ZHNS_NUL_TERMINATED, err);
    zhns_string_free(json);
    if (!doc)
        return -1;
    char **list = calloc(doc->Resources_count ? doc->Resources_count : 1, sizeof *list);
    size_t n = 0;
    rc = list ? 0 : zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    for (size_t i = 0; rc == 0 && i < doc->Resources_count; i++) {
        const zhns_NamespaceResource *r = &doc->Resources[i];
        if (!r->has_Type || r->Type != ZHNS_NAMESPACERESOURCETYPE_ENDPOINT || !r->Data || !r->Data->ID)
            continue;
        zh_guid g;
        char buf[ZH_GUID_BUFSIZE];
        list[n] = zh_guid_parse(r->Data->ID, &g, NULL) == 0 ? zh_strdup(zh_guid_format(&g, ZH_GUID_LOWER, buf))
                                                          : zh_strdup(r->Data->ID);
        if (!list[n])
            rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
        else
            n++;
    }
    zhns_HostComputeNamespace_free(doc);
    if (rc < 0) {
        zhns_strings_free(list, n);
        return -1;
    }
    *ids = list;
    *count = n;
    return 0;
}

int zhns_namespace_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json, zhns_error **err)
{
    return hns_list(ids, count, svc, HNS_NAMESPACE, query_json, "zhns_namespace_list", err);
}

int zhns_namespace_list(char ***ids, size_t *count, zhns_service *svc, const zhns_HostComputeQuery *query,
                        zhns_error **err)
{
    return hns_list_query(ids, count, svc, HNS_NAMESPACE, query, "zhns_namespace_list", err);
}

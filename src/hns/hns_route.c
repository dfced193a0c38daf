/* SPDX-License-Identifier: MIT */
/* hns_route.c - zhns_route_*: HCN SDN routes (the HcnXxxSdnRoute family). */
#include "hns_internal.h"

int zhns_route_create_json(zhns_route **out, zhns_service *svc, const char *settings_json,
                                  zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_create(out ? &h : NULL, svc, HNS_ROUTE, settings_json, "zhns_route_create", err);
    if (out)
        *out = (zhns_route *)h;
    return rc;
}

int zhns_route_create(zhns_route **out, zhns_service *svc, const zhns_HostComputeRoute *settings,
                             zhns_error **err)
{
    if (out)
        *out = NULL;
    if (!settings)
        return hns_bad_arg(err, "zhns_route_create", "settings is NULL");
    char *json = zhns_HostComputeRoute_emit(settings, err);
    if (!json)
        return -1;
    int rc = zhns_route_create_json(out, svc, json, err);
    zhns_string_free(json);
    return rc;
}

int zhns_route_open(zhns_route **out, zhns_service *svc, const char *id, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_open(out ? &h : NULL, svc, HNS_ROUTE, id, "zhns_route_open", err);
    if (out)
        *out = (zhns_route *)h;
    return rc;
}

void zhns_route_close(zhns_route *rt)
{
    hns_obj_close_handle(rt, HNS_ROUTE);
}

const char *zhns_route_id(const zhns_route *rt)
{
    return hns_obj_id(rt, HNS_ROUTE);
}

int zhns_route_delete(zhns_service *svc, const char *id, zhns_error **err)
{
    return hns_delete(svc, HNS_ROUTE, id, "zhns_route_delete", err);
}

int zhns_route_modify_json(zhns_route *rt, const char *settings_json, zhns_error **err)
{
    HNS_ACQUIRE(o, rt, HNS_ROUTE, "zhns_route_modify", err);
    int rc = hns_obj_modify(o, settings_json, "HostComputeRoute", "zhns_route_modify", err);
    hns_obj_release(o);
    return rc;
}

int zhns_route_modify(zhns_route *rt, const zhns_HostComputeRoute *settings, zhns_error **err)
{
    if (!settings)
        return hns_bad_arg(err, "zhns_route_modify", "settings is NULL");
    char *json = zhns_HostComputeRoute_emit(settings, err);
    if (!json)
        return -1;
    int rc = zhns_route_modify_json(rt, json, err);
    zhns_string_free(json);
    return rc;
}

int zhns_route_query_json(char **out, zhns_route *rt, const char *query_json, zhns_error **err)
{
    if (out)
        *out = NULL;
    HNS_ACQUIRE(o, rt, HNS_ROUTE, "zhns_route_query", err);
    int rc = hns_obj_query(out, o, query_json, "zhns_route_query", err);
    hns_obj_release(o);
    return rc;
}

int zhns_route_query(zhns_HostComputeRoute **out, zhns_route *rt, zhns_error **err)
{
    if (!out)
        return hns_bad_arg(err, "zhns_route_query", "out is NULL");
    *out = NULL;
    char *json = NULL;
    if (zhns_route_query_json(&json, rt, NULL, err) < 0)
        return -1;
    *out = zhns_HostComputeRoute_parse(json, ZHNS_NUL_TERMINATED, err);
    zhns_string_free(json);
    return *out ? 0 : -1;
}

int zhns_route_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json,
                                zhns_error **err)
{
    return hns_list(ids, count, svc, HNS_ROUTE, query_json, "zhns_route_list", err);
}

int zhns_route_list(char ***ids, size_t *count, zhns_service *svc, const zhns_HostComputeQuery *query,
                           zhns_error **err)
{
    return hns_list_query(ids, count, svc, HNS_ROUTE, query, "zhns_route_list", err);
}

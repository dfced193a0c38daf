/* SPDX-License-Identifier: MIT */
/* hns_loadbalancer.c - zhns_loadbalancer_*: HCN load balancers. */
#include "hns_internal.h"

int zhns_loadbalancer_create_json(zhns_loadbalancer **out, zhns_service *svc, const char *settings_json,
                                  zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_create(out ? &h : NULL, svc, HNS_LOADBALANCER, settings_json, "zhns_loadbalancer_create", err);
    if (out)
        *out = (zhns_loadbalancer *)h;
    return rc;
}

int zhns_loadbalancer_create(zhns_loadbalancer **out, zhns_service *svc, const zhns_HostComputeLoadBalancer *settings,
                             zhns_error **err)
{
    if (out)
        *out = NULL;
    if (!settings)
        return hns_bad_arg(err, "zhns_loadbalancer_create", "settings is NULL");
    char *json = zhns_HostComputeLoadBalancer_emit(settings, err);
    if (!json)
        return -1;
    int rc = zhns_loadbalancer_create_json(out, svc, json, err);
    zhns_string_free(json);
    return rc;
}

int zhns_loadbalancer_open(zhns_loadbalancer **out, zhns_service *svc, const char *id, zhns_error **err)
{
    uintptr_t h = 0;
    int rc = hns_open(out ? &h : NULL, svc, HNS_LOADBALANCER, id, "zhns_loadbalancer_open", err);
    if (out)
        *out = (zhns_loadbalancer *)h;
    return rc;
}

void zhns_loadbalancer_close(zhns_loadbalancer *lb)
{
    hns_obj_close_handle(lb, HNS_LOADBALANCER);
}

const char *zhns_loadbalancer_id(const zhns_loadbalancer *lb)
{
    return hns_obj_id(lb, HNS_LOADBALANCER);
}

int zhns_loadbalancer_delete(zhns_service *svc, const char *id, zhns_error **err)
{
    return hns_delete(svc, HNS_LOADBALANCER, id, "zhns_loadbalancer_delete", err);
}

int zhns_loadbalancer_modify_json(zhns_loadbalancer *lb, const char *settings_json, zhns_error **err)
{
    static const char fn[] = "zhns_loadbalancer_modify";
    HNS_ACQUIRE(o, lb, HNS_LOADBALANCER, fn, err);
    /* Gate on the HNS version when it can be learnt: an old host gets a clear
     * UNSUPPORTED instead of whatever HCN makes of the request. */
    zhns_hns_version v;
    zh_error *e = NULL;
    int rc = 0;
    if (hns_version_get(&v, o->svc, fn, &e) == 0 && !zhns_version_supports(v, ZHNS_FEATURE_MODIFY_LOAD_BALANCER))
        rc = hns_feature_require(o->svc, ZHNS_FEATURE_MODIFY_LOAD_BALANCER, fn, err);
    zh_error_free(e);
    if (rc == 0)
        rc = hns_obj_modify(o, settings_json, "HostComputeLoadBalancer", fn, err);
    hns_obj_release(o);
    return rc;
}

int zhns_loadbalancer_modify(zhns_loadbalancer *lb, const zhns_HostComputeLoadBalancer *settings, zhns_error **err)
{
    if (!settings)
        return hns_bad_arg(err, "zhns_loadbalancer_modify", "settings is NULL");
    char *json = zhns_HostComputeLoadBalancer_emit(settings, err);
    if (!json)
        return -1;
    int rc = zhns_loadbalancer_modify_json(lb, json, err);
    zhns_string_free(json);
    return rc;
}

int zhns_loadbalancer_query_json(char **out, zhns_loadbalancer *lb, const char *query_json, zhns_error **err)
{
    if (out)
        *out = NULL;
    HNS_ACQUIRE(o, lb, HNS_LOADBALANCER, "zhns_loadbalancer_query", err);
    int rc = hns_obj_query(out, o, query_json, "zhns_loadbalancer_query", err);
    hns_obj_release(o);
    return rc;
}

int zhns_loadbalancer_query(zhns_HostComputeLoadBalancer **out, zhns_loadbalancer *lb, zhns_error **err)
{
    if (!out)
        return hns_bad_arg(err, "zhns_loadbalancer_query", "out is NULL");
    *out = NULL;
    char *json = NULL;
    if (zhns_loadbalancer_query_json(&json, lb, NULL, err) < 0)
        return -1;
    *out = zhns_HostComputeLoadBalancer_parse(json, ZHNS_NUL_TERMINATED, err);
    zhns_string_free(json);
    return *out ? 0 : -1;
}

int zhns_loadbalancer_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json,
                                zhns_error **err)
{
    return hns_list(ids, count, svc, HNS_LOADBALANCER, query_json, "zhns_loadbalancer_list", err);
}

int zhns_loadbalancer_list(char ***ids, size_t *count, zhns_service *svc, const zhns_HostComputeQuery *query,
                           zhns_error **err)
{
    return hns_list_query(ids, count, svc, HNS_LOADBALANCER, query, "zhns_loadbalancer_list", err);
}

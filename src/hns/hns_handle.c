/* SPDX-License-Identifier: MIT */
/* hns_handle.c - the handle objects behind zhns_network, zhns_endpoint, ...: their public
 * handles in the handle table (zh_handle.h: a closed, bogus or wrong-kind handle is a clear
 * error, never a use of freed memory, and a new object never answers to an old handle),
 * reference counts (so that a close racing calls on other threads is safe), and the raw
 * entries of each family. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"

#define ENTRIES(Name, Plural)                                                                 \
    ZH_HCN_ID_HcnEnumerate##Plural, ZH_HCN_ID_HcnCreate##Name, ZH_HCN_ID_HcnOpen##Name,      \
        ZH_HCN_ID_HcnModify##Name, ZH_HCN_ID_HcnQuery##Name##Properties, ZH_HCN_ID_HcnDelete##Name, \
        ZH_HCN_ID_HcnClose##Name

const hns_kind_info hns_kinds[HNS_KIND_COUNT] = {
    {"network", "zhns_network", "HostComputeNetwork", ENTRIES(Network, Networks)},
    {"endpoint", "zhns_endpoint", "HostComputeEndpoint", ENTRIES(Endpoint, Endpoints)},
    {"namespace", "zhns_namespace", "HostComputeNamespace", ENTRIES(Namespace, Namespaces)},
    {"load balancer", "zhns_loadbalancer", "HostComputeLoadBalancer", ENTRIES(LoadBalancer, LoadBalancers)},
    {"SDN route", "zhns_route", "HostComputeRoute", ENTRIES(SdnRoute, SdnRoutes)},
    {"attachment", "zhns_attachment", NULL, 0, 0, 0, 0, 0, 0, 0},
};

/* ---------------------------------------------------------------- handle types */
const char *hns_handle_type_name(uintptr_t h)
{
    if (!h)
        return NULL;
    /* no reference is taken and nothing is read: a lookup per type, only on error paths */
    for (int t = HNS_T_FIRST; t <= HNS_T_LAST; t++) {
        if (!zh_handle_get(h, t, NULL))
            continue;
        if (t == HNS_T_SERVICE)
            return "zhns_service";
        if (t == HNS_T_NOTIFY)
            return "zhns_notify";
        return hns_kinds[t - HNS_T_BASE].type;
    }
    return NULL;
}

/* ---------------------------------------------------------------- objects */
static void close_raw(hns_service *svc, hns_kind kind, void *raw)
{
    if (!raw || kind == HNS_ATTACHMENT)
        return;
    zh_hresult(ZH_WINAPI * close_fn)(void *) =
        (zh_hresult(ZH_WINAPI *)(void *))zh_raw_get(svc->lib, hns_kinds[kind].close, NULL);
    /* the HCN handle is ours alone now: no call is in flight on it */
    if (close_fn)
        close_fn(raw);
}

static void destroy(hns_obj *o)
{
    if (o->dtor)
        o->dtor(o);
    close_raw(o->svc, o->kind, o->raw);
    hns_service_unref(o->svc);
    free(o);
}

static void obj_ref_cb(void *obj)
{
    zh_ref_get(&((hns_obj *)obj)->ref);
}

int hns_obj_add(hns_obj *o, hns_service *svc, hns_kind kind, void *raw, const zh_guid *id, const char *function,
                zh_error **err)
{
    o->kind = kind;
    zh_ref_init(&o->ref);
    zh_ref_get(&o->ref); /* the handle's and the caller's */
    o->raw = raw;
    o->svc = hns_service_ref(svc);
    zh_guid_format(id, ZH_GUID_LOWER, o->id);
    uintptr_t h = zh_handle_register(o, HNS_T_BASE + (int)kind);
    if (!h) {
        hns_service_unref(o->svc);
        o->svc = NULL;
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of handles");
    }
    o->handle = h;
    return 0;
}

int hns_obj_new(hns_obj **out, hns_service *svc, hns_kind kind, void *raw, const zh_guid *id, const char *function,
                zh_error **err)
{
    *out = NULL;
    hns_obj *o = calloc(1, sizeof *o);
    if (!o) {
        close_raw(svc, kind, raw);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
    }
    if (hns_obj_add(o, svc, kind, raw, id, function, err) < 0) {
        close_raw(svc, kind, raw);
        free(o);
        return -1;
    }
    *out = o;
    return 0;
}

hns_obj *hns_obj_acquire(const void *h, hns_kind kind, const char *function, zh_error **err)
{
    const hns_kind_info *k = &hns_kinds[kind];
    if (!h) {
        hns_bad_arg(err, function, "the %s is NULL", k->type);
        return NULL;
    }
    hns_obj *o = zh_handle_get((uintptr_t)h, HNS_T_BASE + (int)kind, obj_ref_cb);
    if (o)
        return o;
    /* not a live handle of this kind: say which kind it is when it is another of ours */
    const char *other = hns_handle_type_name((uintptr_t)h);
    if (other)
        hns_bad_arg(err, function, "a %s was passed where a %s belongs", other, k->type);
    else
        zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, function,
                         "the %s is closed or was never opened (a handle must not be used after its _close)", k->type);
    return NULL;
}

void hns_obj_release(hns_obj *o)
{
    if (o && zh_ref_put(&o->ref))
        destroy(o);
}

void hns_obj_close_handle(const void *h, hns_kind kind)
{
    hns_obj_release(zh_handle_unregister((uintptr_t)h, HNS_T_BASE + (int)kind));
}

void hns_obj_close(hns_obj *o)
{
    if (!o)
        return;
    /* the handle's reference, unless a caller closed the handle already (a borrowed one) */
    hns_obj_release(zh_handle_unregister(o->handle, HNS_T_BASE + (int)o->kind));
    hns_obj_release(o);
}

uintptr_t hns_obj_publish(hns_obj *o)
{
    uintptr_t h = o->handle;
    hns_obj_release(o);
    return h;
}

const char *hns_obj_id(const void *h, hns_kind kind)
{
    /* the id never changes and the string lives as long as the object: once the table
     * vouches for the handle, the address of its id is good until the caller's close */
    hns_obj *o = zh_handle_get((uintptr_t)h, HNS_T_BASE + (int)kind, NULL);
    return o ? o->id : "";
}

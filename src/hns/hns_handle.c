/* hns_handle.c - the handle objects behind zhns_network, zhns_endpoint, ...: their table of
 * live handles (so that a call with a closed handle is a CLOSED error, not a use of freed
 * memory), reference counts (so that a close racing calls on other threads is safe), and
 * the raw entries of each family. */
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

/* ---------------------------------------------------------------- the table of live handles */
/* An open-addressing set of pointers (linear probing, deletion by backward shift), freed
 * whenever it empties so that a program that closed everything holds nothing. */
static zh_mutex table_lock = ZH_MUTEX_INIT;
static hns_obj **slots;
static size_t cap, live;

static size_t slot_of(const void *p, size_t mask)
{
    uint64_t h = (uint64_t)(uintptr_t)p;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & mask;
}

/* Position of p, or (size_t)-1. table_lock held. */
static size_t table_find(const void *p)
{
    if (!slots || !p)
        return (size_t)-1;
    for (size_t i = slot_of(p, cap - 1);; i = (i + 1) & (cap - 1)) {
        if (!slots[i])
            return (size_t)-1;
        if ((const void *)slots[i] == p)
            return i;
    }
}

static int table_grow(void)
{
    size_t ncap = cap ? cap * 2 : 64;
    hns_obj **n = calloc(ncap, sizeof *n);
    if (!n)
        return -1;
    for (size_t i = 0; i < cap; i++) {
        if (!slots[i])
            continue;
        size_t j = slot_of(slots[i], ncap - 1);
        while (n[j])
            j = (j + 1) & (ncap - 1);
        n[j] = slots[i];
    }
    free(slots);
    slots = n;
    cap = ncap;
    return 0;
}

static int table_add(hns_obj *o)
{
    if ((live + 1) * 2 > cap && table_grow() < 0)
        return -1;
    size_t i = slot_of(o, cap - 1);
    while (slots[i])
        i = (i + 1) & (cap - 1);
    slots[i] = o;
    live++;
    return 0;
}

static void table_remove(size_t i)
{
    slots[i] = NULL;
    live--;
    /* move later members of the probe run back so lookups still find them */
    for (size_t j = (i + 1) & (cap - 1); slots[j]; j = (j + 1) & (cap - 1)) {
        size_t home = slot_of(slots[j], cap - 1);
        int movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            slots[i] = slots[j];
            slots[j] = NULL;
            i = j;
        }
    }
    if (live == 0) {
        free(slots);
        slots = NULL;
        cap = 0;
    }
}

/* ---------------------------------------------------------------- objects */
static void close_raw(zhns_service *svc, hns_kind kind, void *raw)
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
    zhns_service_close(o->svc);
    free(o);
}

int hns_obj_add(hns_obj *o, zhns_service *svc, hns_kind kind, void *raw, const zh_guid *id, const char *function,
                zh_error **err)
{
    o->kind = kind;
    zh_ref_init(&o->ref);
    o->raw = raw;
    o->svc = hns_service_ref(svc);
    zh_guid_format(id, ZH_GUID_LOWER, o->id);
    zh_mutex_lock(&table_lock);
    int rc = table_add(o);
    zh_mutex_unlock(&table_lock);
    if (rc < 0) {
        zhns_service_close(o->svc);
        o->svc = NULL;
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
    }
    return 0;
}

int hns_obj_new(hns_obj **out, zhns_service *svc, hns_kind kind, void *raw, const zh_guid *id, const char *function,
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

hns_obj *hns_obj_acquire(const void *p, hns_kind kind, const char *function, zh_error **err)
{
    const hns_kind_info *k = &hns_kinds[kind];
    if (!p) {
        hns_bad_arg(err, function, "the %s is NULL", k->type);
        return NULL;
    }
    zh_mutex_lock(&table_lock);
    size_t i = table_find(p);
    hns_obj *o = i == (size_t)-1 ? NULL : slots[i];
    hns_kind found = o ? o->kind : kind;
    if (o && found == kind)
        zh_ref_get(&o->ref);
    zh_mutex_unlock(&table_lock);
    if (!o) {
        zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, function,
                         "the %s is closed or was never opened (a handle must not be used after its _close)", k->type);
        return NULL;
    }
    if (found != kind) {
        hns_bad_arg(err, function, "a %s was passed where a %s belongs", hns_kinds[found].type, k->type);
        return NULL;
    }
    return o;
}

void hns_obj_release(hns_obj *o)
{
    if (o && zh_ref_put(&o->ref))
        destroy(o);
}

void hns_obj_close(const void *p, hns_kind kind)
{
    if (!p)
        return;
    zh_mutex_lock(&table_lock);
    size_t i = table_find(p);
    hns_obj *o = i == (size_t)-1 ? NULL : slots[i];
    if (o && o->kind == kind)
        table_remove(i);
    else
        o = NULL;
    zh_mutex_unlock(&table_lock);
    hns_obj_release(o);
}

const char *hns_obj_id(const void *p, hns_kind kind)
{
    /* the id never changes and the string lives as long as the object: once the table
     * vouches for the pointer, the address of its id is good until the caller's close */
    zh_mutex_lock(&table_lock);
    size_t i = table_find(p);
    const char *id = i != (size_t)-1 && slots[i]->kind == kind ? slots[i]->id : "";
    zh_mutex_unlock(&table_lock);
    return id;
}

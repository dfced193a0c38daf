/* SPDX-License-Identifier: MIT */
/* hns_service.c - zhns_service: a reference-counted connection to the service a URI names,
 * published as a handle like every other zhns object. */
#include <stdlib.h>

#include "hns_internal.h"

int zhns_service_open(zhns_service **out, const char *uri, zhns_error **err)
{
    static const char fn[] = "zhns_service_open";
    if (!out)
        return zh_error_set_cat(err, ZH_E_POINTER, ZH_CAT_INVALID_ARGUMENT, fn, "out is NULL");
    *out = NULL;
    hns_service *s = calloc(1, sizeof *s);
    if (!s)
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    s->svc = zh_svc_open(uri, &zh_raw_hcn_spec, fn, err);
    if (!s->svc) {
        free(s);
        return -1;
    }
    s->lib = zh_svc_lib(s->svc);
    zh_ref_init(&s->ref);
    zh_mutex_init(&s->lock);
    s->handle = zh_handle_register(s, HNS_T_SERVICE);
    if (!s->handle) {
        zh_svc_close(s->svc);
        zh_mutex_destroy(&s->lock);
        free(s);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of handles");
    }
    *out = (zhns_service *)s->handle;
    return 0;
}

static void service_ref_cb(void *obj)
{
    zh_ref_get(&((hns_service *)obj)->ref);
}

hns_service *hns_service_get(const zhns_service *h, const char *fn, zh_error **err)
{
    if (!h) {
        zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn, "the service is NULL");
        return NULL;
    }
    hns_service *s = zh_handle_get((uintptr_t)h, HNS_T_SERVICE, service_ref_cb);
    if (s)
        return s;
    const char *other = hns_handle_type_name((uintptr_t)h);
    if (other)
        hns_bad_arg(err, fn, "a %s was passed where a zhns_service belongs", other);
    else
        zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn, "the service handle is closed or not a service");
    return NULL;
}

hns_service *hns_service_ref(hns_service *s)
{
    if (s)
        zh_ref_get(&s->ref);
    return s;
}

void hns_service_unref(hns_service *s)
{
    if (!s || !zh_ref_put(&s->ref))
        return;
    zh_svc_close(s->svc);
    zh_mutex_destroy(&s->lock);
    free(s);
}

void zhns_service_close(zhns_service *h)
{
    /* NULL, a second close or a value that is no service: nothing to end */
    hns_service_unref(zh_handle_unregister((uintptr_t)h, HNS_T_SERVICE));
}

const char *zhns_service_uri(const zhns_service *h)
{
    hns_service *s = zh_handle_get((uintptr_t)h, HNS_T_SERVICE, NULL);
    /* the URI lives as long as the service; an invalid handle answers "" */
    return s ? zh_svc_uri(s->svc) : "";
}

void zhns_strings_free(char **items, size_t count)
{
    if (!items)
        return;
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

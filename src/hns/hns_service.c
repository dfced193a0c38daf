/* hns_service.c - zhns_service: a reference-counted connection to the service a URI names. */
#include <stdlib.h>

#include "hns_internal.h"

int zhns_service_open(zhns_service **out, const char *uri, zhns_error **err)
{
    if (!out)
        return zh_error_set_cat(err, ZH_E_POINTER, ZH_CAT_INVALID_ARGUMENT, "zhns_service_open", "out is NULL");
    *out = NULL;
    zhns_service *s = calloc(1, sizeof *s);
    if (!s)
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "zhns_service_open", "out of memory");
    s->svc = zh_svc_open(uri, &zh_raw_hcn_spec, "zhns_service_open", err);
    if (!s->svc) {
        free(s);
        return -1;
    }
    s->lib = zh_svc_lib(s->svc);
    zh_ref_init(&s->ref);
    zh_mutex_init(&s->lock);
    *out = s;
    return 0;
}

zhns_service *hns_service_ref(zhns_service *svc)
{
    if (svc)
        zh_ref_get(&svc->ref);
    return svc;
}

void zhns_service_close(zhns_service *svc)
{
    if (!svc || !zh_ref_put(&svc->ref))
        return;
    zh_svc_close(svc->svc);
    zh_mutex_destroy(&svc->lock);
    free(svc);
}

const char *zhns_service_uri(const zhns_service *svc)
{
    return svc ? zh_svc_uri(svc->svc) : "";
}

void zhns_strings_free(char **items, size_t count)
{
    if (!items)
        return;
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

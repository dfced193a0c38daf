/* hcs_service.c - zhcs_service: a reference-counted connection to the service a URI names. */
#include <stdlib.h>

#include "hcs_internal.h"

int zhcs_service_open(zhcs_service **out, const char *uri, zhcs_error **err)
{
    if (!out)
        return zh_error_set_cat(err, ZH_E_POINTER, ZH_CAT_INVALID_ARGUMENT, "zhcs_service_open", "out is NULL");
    *out = NULL;
    zhcs_service *s = calloc(1, sizeof *s);
    if (!s)
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "zhcs_service_open", "out of memory");
    s->svc = zh_svc_open(uri, &zh_raw_hcs_spec, "zhcs_service_open", err);
    if (!s->svc) {
        free(s);
        return -1;
    }
    s->lib = zh_svc_lib(s->svc);
    zh_ref_init(&s->ref);
    *out = s;
    return 0;
}

zhcs_service *hcs_service_ref(zhcs_service *svc)
{
    if (svc)
        zh_ref_get(&svc->ref);
    return svc;
}

void zhcs_service_close(zhcs_service *svc)
{
    if (!svc || !zh_ref_put(&svc->ref))
        return;
    zh_svc_close(svc->svc);
    free(svc);
}

const char *zhcs_service_uri(const zhcs_service *svc)
{
    return svc ? zh_svc_uri(svc->svc) : "";
}

void zhcs_strings_free(char **items, size_t count)
{
    if (!items)
        return;
    for (size_t i = 0; i < count; i++)
        free(items[i]);
    free(items);
}

/* SPDX-License-Identifier: MIT */
/* zh_svc_host.c - the simulator's answers to the host questions of zh_svc_host.h. */
#include "zh_svc_host.h"

#include <stdlib.h>

#include "zh_hresult.h"
#include "zh_sim.h"
#include "zh_svc.h"
#include "zh_str.h"

void zh_host_adapters_free(zh_host_adapter *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free(list[i].name);
        free(list[i].description);
        free(list[i].mac);
        free(list[i].ipv4);
        free(list[i].gateway);
    }
    free(list);
}

/* The simulator behind a sim: service, or NULL with an invalid-state error. */
static const zh_sim_api *want_sim(const zh_svc *svc, const char *function, zh_error **err)
{
    const zh_sim_api *api = zh_svc_sim_api(svc);
    if (!api)
        zh_error_set_cat(err, ZH_E_INVALID_STATE, ZH_CAT_INVALID_STATE, function,
                         "the service \"%s\" is not a simulator", zh_svc_uri(svc));
    return api;
}

int zh_svc_sim_adapters(const zh_svc *svc, zh_host_adapter **out, size_t *n, const char *function,
                        zh_error **err)
{
    *out = NULL;
    *n = 0;
    const zh_sim_api *api = want_sim(svc, function, err);
    if (!api)
        return -1;
    size_t count = 0;
    /* the copy is ours; adapters_free gives it back to whoever allocated it */
    zh_sim_adapter *sim = api->get_adapters(&count);
    if (!sim && count == 0) {
        /* an empty list and a failure look alike; an open simulator always has a list */
        return zh_error_set_cat(err, ZH_E_RPC_SERVER_UNAVAILABLE, ZH_CAT_SERVICE_UNAVAILABLE, function,
                                "the simulator's adapter list is not available");
    }
    zh_host_adapter *list = calloc(count ? count : 1, sizeof *list);
    int ok = list != NULL;
    for (size_t i = 0; ok && i < count; i++) {
        list[i].name = zh_strdup(sim[i].name ? sim[i].name : "");
        list[i].description = zh_strdup(sim[i].description ? sim[i].description : "");
        list[i].mac = zh_strdup(sim[i].mac ? sim[i].mac : "");
        list[i].up = sim[i].up != 0;
        list[i].loopback = sim[i].loopback != 0;
        list[i].tunnel = sim[i].tunnel != 0;
        list[i].ipv4 = sim[i].ipv4 ? zh_strdup(sim[i].ipv4) : NULL;
        list[i].gateway = sim[i].gateway ? zh_strdup(sim[i].gateway) : NULL;
        list[i].metric = sim[i].metric;
        ok = list[i].name && list[i].description && list[i].mac && (!sim[i].ipv4 || list[i].ipv4) &&
             (!sim[i].gateway || list[i].gateway);
    }
    api->adapters_free(sim, count);
    if (!ok) {
        zh_host_adapters_free(list, count);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
    }
    *out = list;
    *n = count;
    return 0;
}

int zh_svc_sim_hnscall(const zh_svc *svc, zh_svc_hnscall_fn *call, zh_raw_free_fn *free_response,
                       const char *function, zh_error **err)
{
    *call = NULL;
    *free_response = NULL;
    const zh_sim_api *api = want_sim(svc, function, err);
    if (!api)
        return -1;
    *call = api->hnscall;
    *free_response = api->free_string;
    return 0;
}

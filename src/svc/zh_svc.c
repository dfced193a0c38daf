/* SPDX-License-Identifier: MIT */
/* zh_svc.c - service URIs: "local", "sim:", "sim:PATH". */
#include "zh_svc.h"

#include <stdlib.h>
#include <string.h>

#include "zh_hresult.h"
#include "zh_sim_link.h"
#include "zh_str.h"

struct zh_svc {
    zh_raw_lib *lib;
    char *uri;
    const zh_sim_api *api; /* the simulator's table; NULL for local */
};

zh_svc *zh_svc_open(const char *uri, const zh_raw_spec *spec, const char *function, zh_error **err)
{
    if (!spec) {
        zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, function, "no service named");
        return NULL;
    }
    if (!uri || !*uri)
        uri = "local";
    bool sim = strncmp(uri, "sim:", 4) == 0;
    if (!sim && strcmp(uri, "local") != 0) {
        zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, function,
                         "unknown service URI \"%.200s\": expected \"local\", \"sim:\" or \"sim:PATH\"", uri);
        return NULL;
    }
    zh_svc *svc = calloc(1, sizeof *svc);
    if (!svc || !(svc->uri = zh_strdup(uri))) {
        free(svc);
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
        return NULL;
    }
    if (sim) {
        const char *path = uri + 4;
        const zh_sim_api *api = zh_sim_link(function, err);
        if (!api || api->open(*path ? path : NULL, err) < 0)
            goto fail;
        const void *table = spec == &zh_raw_hcs_spec    ? (const void *)api->hcs_table()
                            : spec == &zh_raw_hcst_spec ? (const void *)api->storage_table()
                                                        : (const void *)api->hcn_table();
        svc->lib = zh_raw_lib_from_table(spec, table, api->free_string, "table:sim", err);
        if (!svc->lib) {
            api->close();
            goto fail;
        }
        svc->api = api;
    } else {
        svc->lib = zh_raw_lib_open_local(spec, err);
        if (!svc->lib)
            goto fail;
    }
    return svc;
fail:
    free(svc->uri);
    free(svc);
    return NULL;
}

void zh_svc_close(zh_svc *svc)
{
    if (!svc)
        return;
    zh_raw_lib_free(svc->lib);
    if (svc->api)
        svc->api->close();
    free(svc->uri);
    free(svc);
}

zh_raw_lib *zh_svc_lib(const zh_svc *svc)
{
    return svc ? svc->lib : NULL;
}

const char *zh_svc_uri(const zh_svc *svc)
{
    return svc ? svc->uri : "";
}

bool zh_svc_is_sim(const zh_svc *svc)
{
    return svc && svc->api;
}

const zh_sim_api *zh_svc_sim_api(const zh_svc *svc)
{
    return svc ? svc->api : NULL;
}

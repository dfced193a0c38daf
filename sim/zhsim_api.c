/* SPDX-License-Identifier: MIT */
/* zhsim_api.c - the public test controls (include/zhsim/zhsim.h) over the simulator's own
 * (sim/zh_sim.h). Compiled into the simulator library, the simulator plug-in (libzhsim,
 * zhsim.dll) and the simulator DLL computenetwork.dll, which export them. */
#include <zhsim/zhsim.h>

#include <stdlib.h>

#include "zh_sim.h"
#include "sim_server.h"

unsigned zhsim_api_version(void)
{
    return ZHSIM_API_VERSION_MAJOR * 1000u + ZHSIM_API_VERSION_MINOR;
}

int zhsim_fault(const char *entry, unsigned nth, int32_t hr)
{
    return zh_sim_fault(entry, nth, hr);
}

void zhsim_fault_clear(void)
{
    zh_sim_fault_clear();
}

int zhsim_latency(const char *entry, uint32_t ms)
{
    return zh_sim_latency(entry, ms);
}

int zhsim_op_delay(const char *entry, uint32_t ms)
{
    return zh_sim_op_delay(entry, ms);
}

uint64_t zhsim_calls(const char *entry)
{
    return zh_sim_calls(entry);
}

void zhsim_calls_reset(void)
{
    zh_sim_calls_reset();
}

void zhsim_stop_service(void)
{
    zh_sim_stop_service();
}

int zhsim_set_adapters(const zhsim_adapter *list, size_t n)
{
    if (!list)
        return n ? -1 : zh_sim_set_adapters(NULL, 0);
    zh_sim_adapter *tmp = calloc(n ? n : 1, sizeof *tmp);
    if (!tmp)
        return -1;
    for (size_t i = 0; i < n; i++) {
        tmp[i].name = list[i].name;
        tmp[i].description = list[i].description;
        tmp[i].mac = list[i].mac;
        tmp[i].up = list[i].up;
        tmp[i].loopback = list[i].loopback;
        tmp[i].tunnel = list[i].tunnel;
        tmp[i].ipv4 = list[i].ipv4;
        tmp[i].gateway = list[i].gateway;
        tmp[i].metric = list[i].metric;
    }
    int rc = zh_sim_set_adapters(tmp, n); /* copies the strings */
    free(tmp);
    return rc;
}

zhsim_adapter *zhsim_get_adapters(size_t *n)
{
    size_t count = 0;
    if (n)
        *n = 0;
    zh_sim_adapter *src = zh_sim_get_adapters(&count);
    if (!src || !n) {
        zh_sim_adapters_free(src, count);
        return NULL;
    }
    zhsim_adapter *out = calloc(count ? count : 1, sizeof *out);
    if (!out) {
        zh_sim_adapters_free(src, count);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) { /* the strings move over */
        out[i].name = src[i].name;
        out[i].description = src[i].description;
        out[i].mac = src[i].mac;
        out[i].up = src[i].up;
        out[i].loopback = src[i].loopback;
        out[i].tunnel = src[i].tunnel;
        out[i].ipv4 = src[i].ipv4;
        out[i].gateway = src[i].gateway;
        out[i].metric = src[i].metric;
    }
    free(src);
    *n = count;
    return out;
}

void zhsim_adapters_free(zhsim_adapter *list, size_t n)
{
    for (size_t i = 0; list && i < n; i++) {
        free((char *)list[i].name);
        free((char *)list[i].description);
        free((char *)list[i].mac);
        free((char *)list[i].ipv4);
        free((char *)list[i].gateway);
    }
    free(list);
}

int zhsim_set_hns_version(uint32_t major, uint32_t minor)
{
    return zh_sim_set_hns_version(major, minor);
}

int zhsim_fail_writes(uint32_t n)
{
    return sim_client_fail_writes(n);
}

/* the public enumerators are the simulator's own, value for value */
_Static_assert((int)ZHSIM_LAT_COUNT == (int)ZH_SIM_LAT_COUNT, "latitude lists differ");
_Static_assert((int)ZHSIM_LAT_EARLY_EXIT == (int)ZH_SIM_LAT_EARLY_EXIT, "latitude lists differ");
_Static_assert(ZHSIM_HCN_NOTIFY_POOL == ZH_SIM_HCN_NOTIFY_POOL && ZHSIM_HCN_FILTER_LOOSE == ZH_SIM_HCN_FILTER_LOOSE &&
                   ZHSIM_HCN_DROP_OWNER == ZH_SIM_HCN_DROP_OWNER && ZHSIM_HCN_IDS_UPPER == ZH_SIM_HCN_IDS_UPPER &&
                   ZHSIM_HCN_FILTER_STRICT == ZH_SIM_HCN_FILTER_STRICT,
               "HCN latitude flags differ");

int zhsim_latitude_set(zhsim_latitude which, int value)
{
    return zh_sim_latitude((zh_sim_lat)which, value);
}

int zhsim_latitude_get(zhsim_latitude which)
{
    return zh_sim_latitude_get((zh_sim_lat)which);
}

const char *zhsim_latitude_name(zhsim_latitude which)
{
    return zh_sim_latitude_name((zh_sim_lat)which);
}

void zhsim_latitude_defaults(void)
{
    zh_sim_latitude_defaults();
}

uint64_t zhsim_seed(uint64_t seed)
{
    return zh_sim_seed(seed);
}

unsigned zhsim_hcn_latitudes(unsigned flags)
{
    return zh_sim_hcn_latitudes(flags);
}

unsigned zhsim_hcn_seed_latitudes(uint64_t seed)
{
    return zh_sim_hcn_seed_latitudes(seed);
}

int zhsim_fault_made(const char *entry, unsigned nth, int mode)
{
    return zh_sim_fault_made(entry, nth, mode);
}

int zhsim_require_storage(int on)
{
    return zh_sim_require_storage(on);
}

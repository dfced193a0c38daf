/* SPDX-License-Identifier: MIT */
/* sim_dll_shim.c - runs the simulator tests against the simulator DLLs (Windows build).
 *
 * The test programs call zh_sim_*(); linked with this file instead of the simulator
 * library, those calls go to the test controls computenetwork.dll exports (ZhSim*), and
 * the raw tables are filled through the project's win32 loader from the DLLs the Wine
 * prefix's system32 holds - computecore.dll and computenetwork.dll, as on Windows. */
#include <stdlib.h>
#include <string.h>

#include "zh_hresult.h"
#include "zh_raw.h"
#include "zh_sim.h"

static HMODULE net;
static zh_hcs_table hcs;
static zh_hcn_table hcn;
static zh_hcst_table hcst;
static zh_raw_lib *hcs_lib, *hcn_lib, *hcst_lib;

static void (*control(const char *name))(void)
{
    if (!net)
        net = LoadLibraryExW(L"computenetwork.dll", NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    return net ? (void (*)(void))GetProcAddress(net, name) : NULL;
}

#define CONTROL(type, name) ((type)control(name))

/* Every entry of a table, resolved through the loader (once). */
static void fill(zh_raw_lib **lib, const zh_raw_spec *spec, void *table)
{
    if (*lib)
        return;
    *lib = zh_raw_lib_open_local(spec, NULL);
    for (size_t i = 0; *lib && i < spec->count; i++) {
        zh_raw_fnptr fn = zh_raw_get(*lib, i, NULL);
        memcpy((char *)table + spec->offsets[i], &fn, sizeof fn);
    }
}

int zh_sim_open(const char *state_dir, zh_error **err)
{
    int (*open)(const char *, zh_error **) = CONTROL(int (*)(const char *, zh_error **), "ZhSimOpen");
    if (!open)
        return zh_error_set_cat(err, ZH_E_MOD_NOT_FOUND, ZH_CAT_UNSUPPORTED, "zh_sim_open",
                                "computenetwork.dll (the simulator) is not in system32");
    fill(&hcs_lib, &zh_raw_hcs_spec, &hcs);
    fill(&hcn_lib, &zh_raw_hcn_spec, &hcn);
    return open(state_dir, err);
}

void zh_sim_close(void)
{
    void (*f)(void) = CONTROL(void (*)(void), "ZhSimClose");
    if (f)
        f();
}

const zh_hcs_table *zh_sim_hcs_table(void)
{
    fill(&hcs_lib, &zh_raw_hcs_spec, &hcs);
    return &hcs;
}

const zh_hcn_table *zh_sim_hcn_table(void)
{
    fill(&hcn_lib, &zh_raw_hcn_spec, &hcn);
    return &hcn;
}

void zh_sim_free_string(zh_wchar *s)
{
    void (*f)(zh_wchar *) = CONTROL(void (*)(zh_wchar *), "ZhSimFreeString");
    if (f)
        f(s);
}

const zh_hcst_table *zh_sim_storage_table(void)
{
    fill(&hcst_lib, &zh_raw_hcst_spec, &hcst);
    return &hcst;
}

zh_raw_lib *zh_sim_storage_lib(zh_error **err)
{
    return zh_raw_lib_open_local(&zh_raw_hcst_spec, err);
}

int zh_sim_require_storage(int on)
{
    int (*f)(int) = CONTROL(int (*)(int), "ZhSimRequireStorage");
    return f ? f(on) : -1;
}

zh_raw_lib *zh_sim_hcs_lib(zh_error **err)
{
    return zh_raw_lib_open_local(&zh_raw_hcs_spec, err);
}

zh_raw_lib *zh_sim_hcn_lib(zh_error **err)
{
    return zh_raw_lib_open_local(&zh_raw_hcn_spec, err);
}

int zh_sim_fault(const char *entry, unsigned nth, int32_t hr)
{
    int (*f)(const char *, unsigned, int32_t) = CONTROL(int (*)(const char *, unsigned, int32_t), "ZhSimFault");
    return f ? f(entry, nth, hr) : -1;
}

int zh_sim_fault_made(const char *entry, unsigned nth, int mode)
{
    int (*f)(const char *, unsigned, int) = CONTROL(int (*)(const char *, unsigned, int), "ZhSimFaultMade");
    return f ? f(entry, nth, mode) : -1;
}

unsigned zh_sim_hcn_latitudes(unsigned flags)
{
    unsigned (*f)(unsigned) = CONTROL(unsigned (*)(unsigned), "ZhSimHcnLatitudes");
    return f ? f(flags) : 0;
}

unsigned zh_sim_hcn_seed_latitudes(uint64_t seed)
{
    unsigned (*f)(uint64_t) = CONTROL(unsigned (*)(uint64_t), "ZhSimHcnSeedLatitudes");
    return f ? f(seed) : 0;
}

void zh_sim_fault_clear(void)
{
    void (*f)(void) = CONTROL(void (*)(void), "ZhSimFaultClear");
    if (f)
        f();
}

int zh_sim_latency(const char *entry, uint32_t ms)
{
    int (*f)(const char *, uint32_t) = CONTROL(int (*)(const char *, uint32_t), "ZhSimLatency");
    return f ? f(entry, ms) : -1;
}

int zh_sim_op_delay(const char *entry, uint32_t ms)
{
    int (*f)(const char *, uint32_t) = CONTROL(int (*)(const char *, uint32_t), "ZhSimOpDelay");
    return f ? f(entry, ms) : -1;
}

int zh_sim_latitude(zh_sim_lat which, int value)
{
    int (*f)(int, int) = CONTROL(int (*)(int, int), "ZhSimLatitude");
    return f ? f((int)which, value) : -1;
}

int zh_sim_latitude_get(zh_sim_lat which)
{
    int (*f)(int) = CONTROL(int (*)(int), "ZhSimLatitudeGet");
    return f ? f((int)which) : -1;
}

const char *zh_sim_latitude_name(zh_sim_lat which)
{
    static const char *const names[ZH_SIM_LAT_COUNT] = {
        "cancel", "close_waits", "abandoned_create", "stopped_processes",
        "callbacks", "ws2022_create_process", "early_exit", "overlapped_stdio"};
    return (int)which >= 0 && which < ZH_SIM_LAT_COUNT ? names[which] : NULL;
}

void zh_sim_latitude_defaults(void)
{
    void (*f)(void) = CONTROL(void (*)(void), "ZhSimLatitudeDefaults");
    if (f)
        f();
}

uint64_t zh_sim_seed(uint64_t seed)
{
    uint64_t (*f)(uint64_t) = CONTROL(uint64_t (*)(uint64_t), "ZhSimSeed");
    return f ? f(seed) : 0;
}

uint64_t zh_sim_calls(const char *entry)
{
    uint64_t (*f)(const char *) = CONTROL(uint64_t (*)(const char *), "ZhSimCalls");
    return f ? f(entry) : 0;
}

void zh_sim_calls_reset(void)
{
    void (*f)(void) = CONTROL(void (*)(void), "ZhSimCallsReset");
    if (f)
        f();
}

void zh_sim_stop_service(void)
{
    void (*f)(void) = CONTROL(void (*)(void), "ZhSimStopService");
    if (f)
        f();
}

int zh_sim_set_adapters(const zh_sim_adapter *list, size_t n)
{
    int (*f)(const zh_sim_adapter *, size_t) = CONTROL(int (*)(const zh_sim_adapter *, size_t), "ZhSimSetAdapters");
    return f ? f(list, n) : -1;
}

zh_sim_adapter *zh_sim_get_adapters(size_t *n)
{
    zh_sim_adapter *(*f)(size_t *) = CONTROL(zh_sim_adapter * (*)(size_t *), "ZhSimGetAdapters");
    *n = 0;
    return f ? f(n) : NULL;
}

void zh_sim_adapters_free(zh_sim_adapter *list, size_t n)
{
    void (*f)(zh_sim_adapter *, size_t) = CONTROL(void (*)(zh_sim_adapter *, size_t), "ZhSimAdaptersFree");
    if (f)
        f(list, n);
}

zh_hresult ZH_WINAPI zh_sim_hnscall(const zh_wchar *method, const zh_wchar *path, const zh_wchar *request, zh_wchar **response)
{
    zh_hresult (*f)(const zh_wchar *, const zh_wchar *, const zh_wchar *, zh_wchar **) =
        CONTROL(zh_hresult(*)(const zh_wchar *, const zh_wchar *, const zh_wchar *, zh_wchar **), "ZhSimHnsCall");
    if (response)
        *response = NULL;
    return f ? f(method, path, request, response) : ZH_E_PROC_NOT_FOUND;
}

int zh_sim_set_hns_version(uint32_t major, uint32_t minor)
{
    int (*f)(uint32_t, uint32_t) = CONTROL(int (*)(uint32_t, uint32_t), "ZhSimSetHnsVersion");
    return f ? f(major, minor) : -1;
}

/* The table src/svc reaches the simulator through: here, the functions above, so that a
 * "sim:" service of the libraries under test talks to the simulator DLLs as well. */
static const zh_sim_api shim_api = {
    ZH_SIM_API_VERSION, zh_sim_open, zh_sim_close, zh_sim_hcs_table, zh_sim_hcn_table, zh_sim_free_string,
    zh_sim_get_adapters, zh_sim_adapters_free, zh_sim_hnscall, zh_sim_storage_table,
};

const zh_sim_api *zh_sim_api_table(void)
{
    return &shim_api;
}

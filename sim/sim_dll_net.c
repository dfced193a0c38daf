/* SPDX-License-Identifier: MIT */
/* sim_dll_net.c - the simulator as computenetwork.dll (Windows build).
 *
 * This DLL holds the whole simulator, so that HCS and HCN share one world. It exports
 * every computenetwork.dll name, ZhSimHcsTable for computecore.dll (sim_dll_core.c) to
 * forward the HCS names to, and the test controls as ZhSim* functions. A program that
 * simply calls the entry points gets a simulator opened on first use (state from the
 * ZH_SIM_STATE_DIR environment variable when set); a test that calls ZhSimOpen manages the
 * lifecycle itself. */
#include <stdlib.h>

#include "sim.h"

#define EXPORT __declspec(dllexport)

static zh_atomic managed; /* 1 once a test opened the simulator itself */

/* The simulator runs threads inside this DLL: it must never be unloaded under them, so it
 * pins itself the first time it starts (FreeLibrary then leaves it mapped). */
static const char anchor; /* any address inside this DLL's image */

static void pin_self(void)
{
    HMODULE self;
    GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                       (LPCWSTR)(const void *)&anchor, &self);
}

static void ensure_open(void)
{
    if (!zh_atomic_load(&managed) && !sim_world_get()) {
        pin_self();
        zh_sim_open(NULL, NULL); /* failures surface as RPC_S_SERVER_UNAVAILABLE */
    }
}

#define EXP_zh_hresult(name, params, args)                                                        \
    EXPORT zh_hresult WINAPI name params;                                                         \
    zh_hresult WINAPI name params                                                                 \
    {                                                                                             \
        ensure_open();                                                                            \
        return zh_sim_hcn_table()->name args;                                                     \
    }
#define EXP_void(name, params, args)                                                              \
    EXPORT void WINAPI name params;                                                               \
    void WINAPI name params                                                                       \
    {                                                                                             \
        ensure_open();                                                                            \
        zh_sim_hcn_table()->name args;                                                            \
    }
#define EXP_HCN_(ret, name, params, args) EXP_##ret(name, params, args)
ZH_HCN_EXPORTS(EXP_HCN_)

EXPORT const zh_hcs_table *WINAPI ZhSimHcsTable(void);
const zh_hcs_table *WINAPI ZhSimHcsTable(void)
{
    ensure_open();
    return zh_sim_hcs_table();
}

EXPORT const zh_hcst_table *WINAPI ZhSimStorageTable(void);
const zh_hcst_table *WINAPI ZhSimStorageTable(void)
{
    ensure_open();
    return zh_sim_storage_table();
}

/* ---- test controls ---- */
EXPORT int ZhSimOpen(const char *state_dir, zh_error **err);
int ZhSimOpen(const char *state_dir, zh_error **err)
{
    zh_atomic_store(&managed, 1);
    pin_self();
    return zh_sim_open(state_dir, err);
}

EXPORT void ZhSimClose(void);
void ZhSimClose(void)
{
    zh_sim_close();
}

EXPORT void ZhSimFreeString(zh_wchar *s);
void ZhSimFreeString(zh_wchar *s)
{
    zh_sim_free_string(s);
}

EXPORT int ZhSimFault(const char *entry, unsigned nth, int32_t hr);
int ZhSimFault(const char *entry, unsigned nth, int32_t hr)
{
    return zh_sim_fault(entry, nth, hr);
}

EXPORT int ZhSimFaultMade(const char *entry, unsigned nth, int mode);
int ZhSimFaultMade(const char *entry, unsigned nth, int mode)
{
    return zh_sim_fault_made(entry, nth, mode);
}

EXPORT unsigned ZhSimHcnLatitudes(unsigned flags);
unsigned ZhSimHcnLatitudes(unsigned flags)
{
    return zh_sim_hcn_latitudes(flags);
}

EXPORT unsigned ZhSimHcnSeedLatitudes(uint64_t seed);
unsigned ZhSimHcnSeedLatitudes(uint64_t seed)
{
    return zh_sim_hcn_seed_latitudes(seed);
}

EXPORT void ZhSimFaultClear(void);
void ZhSimFaultClear(void)
{
    zh_sim_fault_clear();
}

EXPORT int ZhSimLatency(const char *entry, uint32_t ms);
int ZhSimLatency(const char *entry, uint32_t ms)
{
    return zh_sim_latency(entry, ms);
}

EXPORT int ZhSimOpDelay(const char *entry, uint32_t ms);
int ZhSimOpDelay(const char *entry, uint32_t ms)
{
    return zh_sim_op_delay(entry, ms);
}

EXPORT int ZhSimLatitude(int which, int value);
int ZhSimLatitude(int which, int value)
{
    return zh_sim_latitude((zh_sim_lat)which, value);
}

EXPORT int ZhSimLatitudeGet(int which);
int ZhSimLatitudeGet(int which)
{
    return zh_sim_latitude_get((zh_sim_lat)which);
}

EXPORT void ZhSimLatitudeDefaults(void);
void ZhSimLatitudeDefaults(void)
{
    zh_sim_latitude_defaults();
}

EXPORT uint64_t ZhSimSeed(uint64_t seed);
uint64_t ZhSimSeed(uint64_t seed)
{
    return zh_sim_seed(seed);
}

EXPORT uint64_t ZhSimCalls(const char *entry);
uint64_t ZhSimCalls(const char *entry)
{
    return zh_sim_calls(entry);
}

EXPORT void ZhSimCallsReset(void);
void ZhSimCallsReset(void)
{
    zh_sim_calls_reset();
}

EXPORT void ZhSimStopService(void);
void ZhSimStopService(void)
{
    zh_sim_stop_service();
}

EXPORT int ZhSimSetAdapters(const zh_sim_adapter *list, size_t n);
int ZhSimSetAdapters(const zh_sim_adapter *list, size_t n)
{
    return zh_sim_set_adapters(list, n);
}

EXPORT zh_sim_adapter *ZhSimGetAdapters(size_t *n);
zh_sim_adapter *ZhSimGetAdapters(size_t *n)
{
    return zh_sim_get_adapters(n);
}

EXPORT void ZhSimAdaptersFree(zh_sim_adapter *list, size_t n);
void ZhSimAdaptersFree(zh_sim_adapter *list, size_t n)
{
    zh_sim_adapters_free(list, n);
}

EXPORT zh_hresult ZhSimHnsCall(const zh_wchar *method, const zh_wchar *path, const zh_wchar *request,
                               zh_wchar **response);
zh_hresult ZhSimHnsCall(const zh_wchar *method, const zh_wchar *path, const zh_wchar *request, zh_wchar **response)
{
    ensure_open(); /* a process's first call may be HNSCall's version query */
    return zh_sim_hnscall(method, path, request, response);
}

EXPORT int ZhSimRequireStorage(int on);
int ZhSimRequireStorage(int on)
{
    return zh_sim_require_storage(on);
}

EXPORT int ZhSimSetHnsVersion(uint32_t major, uint32_t minor);
int ZhSimSetHnsVersion(uint32_t major, uint32_t minor)
{
    return zh_sim_set_hns_version(major, minor);
}

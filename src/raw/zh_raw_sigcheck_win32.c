/* SPDX-License-Identifier: MIT */
/* zh_raw_sigcheck_win32.c - proves at compile time that every raw table entry has exactly
 * the prototype Microsoft's SDK header declares.
 *
 * Built (never linked) in the Windows build, under -Werror. For each export declared in
 * computecore.h / computenetwork.h / computestorage.h it
 *   1. assigns the real function to a variable of the table's pointer type - an
 *      incompatible parameter or return type is -Wincompatible-pointer-types, an error;
 *   2. asserts with __builtin_types_compatible_p that the two types are identical.
 * The exports the SDK does not declare are checked against the project's own
 * declarations below (written from the prototypes Microsoft's metadata gives).
 */
#include "zh_raw.h"

/* Exports in no mingw header. */
HRESULT WINAPI HcsAddResourceToOperation(HCS_OPERATION operation, zh_hcs_resource_type type, PCWSTR uri,
                                         HANDLE handle);
HRESULT WINAPI HcnEnumerateSdnRoutes(PCWSTR Query, PWSTR *Routes, PWSTR *ErrorRecord);
HRESULT WINAPI HcnCreateSdnRoute(REFGUID Id, PCWSTR Settings, zh_hcn_sdnroute *Route, PWSTR *ErrorRecord);
HRESULT WINAPI HcnOpenSdnRoute(REFGUID Id, zh_hcn_sdnroute *Route, PWSTR *ErrorRecord);
HRESULT WINAPI HcnModifySdnRoute(zh_hcn_sdnroute Route, PCWSTR Settings, PWSTR *ErrorRecord);
HRESULT WINAPI HcnQuerySdnRouteProperties(zh_hcn_sdnroute Route, PCWSTR Query, PWSTR *Properties,
                                          PWSTR *ErrorRecord);
HRESULT WINAPI HcnDeleteSdnRoute(REFGUID Id, PWSTR *ErrorRecord);
HRESULT WINAPI HcnCloseSdnRoute(zh_hcn_sdnroute Route);
HRESULT WINAPI HcnQueryEndpointStats(HCN_ENDPOINT Endpoint, PCWSTR Query, PWSTR *Stats, PWSTR *ErrorRecord);
HRESULT WINAPI HcnQueryEndpointAddresses(HCN_ENDPOINT Endpoint, PCWSTR Query, PWSTR *Addresses,
                                         PWSTR *ErrorRecord);

#define ZH_SIGCHECK_AS_(name, type)                                                               \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&name), type),                        \
                   #name " in the raw table differs from the SDK prototype");                    \
    {                                                                                            \
        type check_##name = name;                                                                \
        sink = (void (*)(void))check_##name;                                                     \
    }
#define ZH_SIGCHECK_(ret, name, params, args) ZH_SIGCHECK_AS_(name, zh_raw_##name##_fn)

/* tests/sigcheck_drift.cmake compiles this file with a deliberately wrong prototype to
 * show that the check rejects it. */
#if defined(ZH_SIGCHECK_SELFTEST_DRIFT) && ZH_SIGCHECK_SELFTEST_DRIFT == 1
typedef HRESULT(WINAPI *zh_raw_drift_fn)(PCWSTR query, HCS_OPERATION operation, DWORD extra);
#define ZH_SIGCHECK_DRIFT_ ZH_SIGCHECK_AS_(HcsEnumerateComputeSystems, zh_raw_drift_fn)
#elif defined(ZH_SIGCHECK_SELFTEST_DRIFT) && ZH_SIGCHECK_SELFTEST_DRIFT == 2
typedef int32_t(WINAPI *zh_raw_drift_fn)(PCWSTR query, HCS_OPERATION operation);
#define ZH_SIGCHECK_DRIFT_ ZH_SIGCHECK_AS_(HcsEnumerateComputeSystems, zh_raw_drift_fn)
#else
#define ZH_SIGCHECK_DRIFT_
#endif

void zh_raw_sigcheck(void (*volatile *out)(void));
void zh_raw_sigcheck(void (*volatile *out)(void))
{
    void (*sink)(void) = 0;
    ZH_HCS_EXPORTS(ZH_SIGCHECK_)
    ZH_HCN_EXPORTS(ZH_SIGCHECK_)
    ZH_HCST_EXPORTS(ZH_SIGCHECK_)
    ZH_SIGCHECK_DRIFT_
    *out = sink;
}

/* SPDX-License-Identifier: MIT */
/* sim_dll_vmcompute.c - the simulator as vmcompute.dll (Windows build): HNSCall, the HNS v1
 * API that hcsshim's root package and its version query use, forwarded to the simulator in
 * computenetwork.dll (ZhSimHnsCall, sim_hnsv1.c), which opens the simulator on first use. */
#include "zh_raw.h"

#define EXPORT __declspec(dllexport)

__declspec(dllimport) zh_hresult ZhSimHnsCall(const zh_wchar *method, const zh_wchar *path, const zh_wchar *request,
                                              zh_wchar **response);

EXPORT zh_hresult WINAPI HNSCall(const zh_wchar *method, const zh_wchar *path, const zh_wchar *request,
                                 zh_wchar **response);
zh_hresult WINAPI HNSCall(const zh_wchar *method, const zh_wchar *path, const zh_wchar *request, zh_wchar **response)
{
    return ZhSimHnsCall(method, path, request, response);
}

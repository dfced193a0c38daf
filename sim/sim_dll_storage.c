/* SPDX-License-Identifier: MIT */
/* sim_dll_storage.c - the simulator as computestorage.dll (Windows build): every
 * computestorage.dll name, forwarded to the simulator in computenetwork.dll (sim_dll_net.c),
 * so that layers and the containers using them live in one world. */
#include "zh_raw.h"

#define EXPORT __declspec(dllexport)

__declspec(dllimport) const zh_hcst_table *WINAPI ZhSimStorageTable(void);

#define FWD_zh_hresult(name, params, args)                                                        \
    EXPORT zh_hresult WINAPI name params;                                                         \
    zh_hresult WINAPI name params                                                                 \
    {                                                                                             \
        return ZhSimStorageTable()->name args;                                                    \
    }
#define FWD_HCST_(ret, name, params, args) FWD_##ret(name, params, args)
ZH_HCST_EXPORTS(FWD_HCST_)

/* SPDX-License-Identifier: MIT */
/* sim_dll_core.c - the simulator as computecore.dll (Windows build): every HCS name,
 * forwarded to the simulator in computenetwork.dll (sim_dll_net.c), so both DLLs serve
 * one world as the real services do. */
#include "zh_raw.h"

#define EXPORT __declspec(dllexport)

__declspec(dllimport) const zh_hcs_table *WINAPI ZhSimHcsTable(void);

#define FWD_RET_(ret, name, params, args)                                                         \
    EXPORT ret WINAPI name params;                                                                \
    ret WINAPI name params                                                                        \
    {                                                                                             \
        return ZhSimHcsTable()->name args;                                                        \
    }
#define FWD_zh_hresult(name, params, args) FWD_RET_(zh_hresult, name, params, args)
#define FWD_zh_hcs_operation(name, params, args) FWD_RET_(zh_hcs_operation, name, params, args)
#define FWD_zh_voidp(name, params, args) FWD_RET_(zh_voidp, name, params, args)
#define FWD_zh_hcs_system(name, params, args) FWD_RET_(zh_hcs_system, name, params, args)
#define FWD_zh_hcs_process(name, params, args) FWD_RET_(zh_hcs_process, name, params, args)
#define FWD_zh_hcs_operation_type(name, params, args) FWD_RET_(zh_hcs_operation_type, name, params, args)
#define FWD_zh_u64(name, params, args) FWD_RET_(zh_u64, name, params, args)
#define FWD_void(name, params, args)                                                              \
    EXPORT void WINAPI name params;                                                               \
    void WINAPI name params                                                                       \
    {                                                                                             \
        ZhSimHcsTable()->name args;                                                               \
    }
#define FWD_HCS_(ret, name, params, args) FWD_##ret(name, params, args)
ZH_HCS_EXPORTS(FWD_HCS_)

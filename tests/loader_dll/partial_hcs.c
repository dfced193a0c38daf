/* SPDX-License-Identifier: MIT */
/* partial_hcs.c - a stand-in computecore.dll for the loader tests that exports only two of
 * the HCS entry points, so the tests can see one resolve and another be reported missing. */
#include "zh_raw_types.h"

__declspec(dllexport) zh_hcs_operation ZH_WINAPI HcsCreateOperation(const void *context,
                                                                     zh_hcs_operation_completion callback);
__declspec(dllexport) zh_u64 ZH_WINAPI HcsGetOperationId(zh_hcs_operation operation);

zh_hcs_operation ZH_WINAPI HcsCreateOperation(const void *context, zh_hcs_operation_completion callback)
{
    (void)callback;
    return (zh_hcs_operation)context;
}

zh_u64 ZH_WINAPI HcsGetOperationId(zh_hcs_operation operation)
{
    (void)operation;
    return 4242;
}

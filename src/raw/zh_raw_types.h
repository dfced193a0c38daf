/* SPDX-License-Identifier: MIT */
/* zh_raw_types.h - the types of the raw HCS/HCN entry points, portable.
 *
 * On Windows these ARE the SDK's types (computecore.h, computedefs.h, computenetwork.h), so
 * that src/raw/zh_raw_sigcheck_win32.c can prove every table entry has exactly Microsoft's
 * prototype. Elsewhere they are layout-identical stand-ins the simulator implements:
 *   UTF-16 text   zh_wchar   = uint16_t         (WCHAR is unsigned short on Windows too)
 *   HRESULT       zh_hresult = int32_t          (HRESULT/LONG on Windows: also 32-bit signed)
 *   DWORD         zh_dword   = uint32_t         (unsigned long on Windows: also 32-bit)
 *   handles       opaque pointers
 * Types newer than mingw's headers (HCS_RESOURCE_TYPE) are the project's own on every OS.
 */
#ifndef ZH_RAW_TYPES_H
#define ZH_RAW_TYPES_H

#include <stdint.h>

#include "zh_guid.h"

#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#include <computecore.h>
#include <computenetwork.h>
#include <computestorage.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#ifdef _WIN32
#define ZH_WINAPI WINAPI
typedef HRESULT zh_hresult;
typedef DWORD zh_dword;
typedef ULONG zh_ulong;
typedef USHORT zh_ushort;
typedef UINT64 zh_u64;
typedef WCHAR zh_wchar;
typedef HANDLE zh_handle;
typedef GUID zh_raw_guid;
typedef SECURITY_DESCRIPTOR zh_security_descriptor;

typedef HCS_OPERATION zh_hcs_operation;
typedef HCS_SYSTEM zh_hcs_system;
typedef HCS_PROCESS zh_hcs_process;
typedef HCS_OPERATION_TYPE zh_hcs_operation_type;
typedef HCS_OPERATION_COMPLETION zh_hcs_operation_completion;
typedef HCS_EVENT_TYPE zh_hcs_event_type;
typedef HCS_EVENT zh_hcs_event;
typedef HCS_EVENT_OPTIONS zh_hcs_event_options;
typedef HCS_EVENT_CALLBACK zh_hcs_event_callback;
typedef HCS_PROCESS_INFORMATION zh_hcs_process_information;
typedef HCS_CREATE_OPTIONS zh_hcs_create_options;

typedef HCN_NETWORK zh_hcn_network;
typedef HCN_ENDPOINT zh_hcn_endpoint;
typedef HCN_NAMESPACE zh_hcn_namespace;
typedef HCN_LOADBALANCER zh_hcn_loadbalancer;
typedef HCN_CALLBACK zh_hcn_callback;
typedef HCN_GUESTNETWORKSERVICE zh_hcn_guestnetworkservice;
typedef HCN_NOTIFICATION_CALLBACK zh_hcn_notification_callback;
typedef HCN_PORT_PROTOCOL zh_hcn_port_protocol;
typedef HCN_PORT_ACCESS zh_hcn_port_access;
typedef HCN_PORT_RANGE_RESERVATION zh_hcn_port_range_reservation;
typedef HCN_PORT_RANGE_ENTRY zh_hcn_port_range_entry;
#else /* !_WIN32 */
#define ZH_WINAPI
typedef int32_t zh_hresult;
typedef uint32_t zh_dword;
typedef uint32_t zh_ulong;
typedef uint16_t zh_ushort;
typedef uint64_t zh_u64;
typedef uint16_t zh_wchar;
typedef void *zh_handle;
typedef zh_guid zh_raw_guid;
typedef struct zh_security_descriptor zh_security_descriptor; /* opaque off Windows */

typedef struct zh_hcs_operation_s *zh_hcs_operation;
typedef struct zh_hcs_system_s *zh_hcs_system;
typedef struct zh_hcs_process_s *zh_hcs_process;

typedef enum zh_hcs_operation_type {
    HcsOperationTypeNone = -1,
    HcsOperationTypeEnumerate = 0,
    HcsOperationTypeCreate = 1,
    HcsOperationTypeStart = 2,
    HcsOperationTypeShutdown = 3,
    HcsOperationTypePause = 4,
    HcsOperationTypeResume = 5,
    HcsOperationTypeSave = 6,
    HcsOperationTypeTerminate = 7,
    HcsOperationTypeModify = 8,
    HcsOperationTypeGetProperties = 9,
    HcsOperationTypeCreateProcess = 10,
    HcsOperationTypeSignalProcess = 11,
    HcsOperationTypeGetProcessInfo = 12,
    HcsOperationTypeGetProcessProperties = 13,
    HcsOperationTypeModifyProcess = 14,
    HcsOperationTypeCrash = 15
} zh_hcs_operation_type;

typedef void (*zh_hcs_operation_completion)(zh_hcs_operation operation, void *context);

typedef enum zh_hcs_event_type {
    HcsEventInvalid = 0x00000000,
    HcsEventSystemExited = 0x00000001,
    HcsEventSystemCrashInitiated = 0x00000002,
    HcsEventSystemCrashReport = 0x00000003,
    HcsEventSystemRdpEnhancedModeStateChanged = 0x00000004,
    HcsEventSystemSiloJobCreated = 0x00000005,
    HcsEventSystemGuestConnectionClosed = 0x00000006,
    HcsEventProcessExited = 0x00010000,
    HcsEventOperationCallback = 0x01000000,
    HcsEventServiceDisconnect = 0x02000000
} zh_hcs_event_type;

typedef struct zh_hcs_event {
    zh_hcs_event_type Type;
    const zh_wchar *EventData;
    zh_hcs_operation Operation;
} zh_hcs_event;

typedef enum zh_hcs_event_options {
    HcsEventOptionNone = 0x00000000,
    HcsEventOptionEnableOperationCallbacks = 0x00000001
} zh_hcs_event_options;

typedef void (*zh_hcs_event_callback)(zh_hcs_event *event, void *context);

typedef struct zh_hcs_process_information {
    zh_dword ProcessId;
    zh_dword Reserved;
    zh_handle StdInput;
    zh_handle StdOutput;
    zh_handle StdError;
} zh_hcs_process_information;

typedef enum zh_hcs_create_options {
    HcsCreateOptions_1 = 0x00010000
} zh_hcs_create_options;

typedef void *zh_hcn_network;
typedef void *zh_hcn_endpoint;
typedef void *zh_hcn_namespace;
typedef void *zh_hcn_loadbalancer;
typedef void *zh_hcn_callback;
typedef void *zh_hcn_guestnetworkservice;
typedef void (*zh_hcn_notification_callback)(zh_dword NotificationType, void *Context,
                                             zh_hresult NotificationStatus,
                                             const zh_wchar *NotificationData);

typedef enum zh_hcn_port_protocol {
    HCN_PORT_PROTOCOL_TCP = 0x01,
    HCN_PORT_PROTOCOL_UDP = 0x02,
    HCN_PORT_PROTOCOL_BOTH = 0x03
} zh_hcn_port_protocol;

typedef enum zh_hcn_port_access {
    HCN_PORT_ACCESS_EXCLUSIVE = 0x01,
    HCN_PORT_ACCESS_SHARED = 0x02
} zh_hcn_port_access;

typedef struct zh_hcn_port_range_reservation {
    zh_ushort startingPort;
    zh_ushort endingPort;
} zh_hcn_port_range_reservation;

typedef struct zh_hcn_port_range_entry {
    zh_raw_guid OwningPartitionId;
    zh_raw_guid TargetPartitionId;
    zh_hcn_port_protocol Protocol;
    uint64_t Priority;
    uint32_t ReservationType;
    uint32_t SharingFlags;
    uint32_t DeliveryMode;
    uint16_t StartingPort;
    uint16_t EndingPort;
} zh_hcn_port_range_entry;
#endif /* _WIN32 */

/* Newer than mingw's computedefs.h: the resource types of HcsAddResourceToOperation. */
typedef enum zh_hcs_resource_type {
    ZH_HcsResourceTypeNone = 0,
    ZH_HcsResourceTypeFile = 1,
    ZH_HcsResourceTypeJob = 2,
    ZH_HcsResourceTypeComObject = 3,
    ZH_HcsResourceTypeSocket = 4
} zh_hcs_resource_type;

/* HCN handles of the SdnRoute family (exported by computenetwork.dll, in no header). */
typedef void *zh_hcn_sdnroute;

typedef const zh_raw_guid *zh_refguid;

/* `void *` as one token, so the export lists can paste return types into macro names. */
typedef void *zh_voidp;

/* Compile-time checks that the stand-ins keep the layout the APIs assume. */
_Static_assert(sizeof(zh_hresult) == 4, "HRESULT is 32 bits");
_Static_assert(sizeof(zh_dword) == 4, "DWORD is 32 bits");
_Static_assert(sizeof(zh_wchar) == 2, "WCHAR is 16 bits");
_Static_assert(sizeof(zh_raw_guid) == 16 && sizeof(zh_guid) == 16, "GUID is 16 bytes");
_Static_assert(sizeof(zh_hcs_process_information) == 8 + 3 * sizeof(void *),
               "HCS_PROCESS_INFORMATION layout");

#ifdef __cplusplus
}
#endif
#endif /* ZH_RAW_TYPES_H */

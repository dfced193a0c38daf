/* SPDX-License-Identifier: MIT */
/* zh_raw_exports.h - every raw entry point, once, as X-macro lists.
 *
 * ZH_HCS_EXPORTS(X): each computecore.dll export declared in mingw-w64's computecore.h (52),
 *   in the header's order, then the exports newer than that header the design uses.
 * ZH_HCN_EXPORTS(X): each computenetwork.dll export declared in computenetwork.h (41), then
 *   the exported-but-undeclared ones (the SdnRoute family, HcnQueryEndpointStats,
 *   HcnQueryEndpointAddresses), with the prototypes hcsshim and the Windows metadata give.
 * ZH_HCST_EXPORTS(X): each computestorage.dll export declared in computestorage.h (12), in
 *   the header's order.
 *
 * X(return_type, Name, (parameters), (parameters)) - parameter types from zh_raw_types.h. The tables,
 * the loader, the signature check and the simulator are all expanded from these lists.
 */
#ifndef ZH_RAW_EXPORTS_H
#define ZH_RAW_EXPORTS_H

#include "zh_raw_types.h"

/* Declared in computecore.h (mingw-w64 10). */
#define ZH_HCS_DECLARED_EXPORTS(X) \
    X(zh_hresult, HcsEnumerateComputeSystems, (const zh_wchar *query, zh_hcs_operation operation), (query, operation)) \
    X(zh_hresult, HcsEnumerateComputeSystemsInNamespace, (const zh_wchar *idNamespace, const zh_wchar *query, zh_hcs_operation operation), (idNamespace, query, operation)) \
    X(zh_hcs_operation, HcsCreateOperation, (const void *context, zh_hcs_operation_completion callback), (context, callback)) \
    X(void, HcsCloseOperation, (zh_hcs_operation operation), (operation)) \
    X(zh_voidp, HcsGetOperationContext, (zh_hcs_operation operation), (operation)) \
    X(zh_hresult, HcsSetOperationContext, (zh_hcs_operation operation, const void *context), (operation, context)) \
    X(zh_hcs_system, HcsGetComputeSystemFromOperation, (zh_hcs_operation operation), (operation)) \
    X(zh_hcs_process, HcsGetProcessFromOperation, (zh_hcs_operation operation), (operation)) \
    X(zh_hcs_operation_type, HcsGetOperationType, (zh_hcs_operation operation), (operation)) \
    X(zh_u64, HcsGetOperationId, (zh_hcs_operation operation), (operation)) \
    X(zh_hresult, HcsGetOperationResult, (zh_hcs_operation operation, zh_wchar **resultDocument), (operation, resultDocument)) \
    X(zh_hresult, HcsGetOperationResultAndProcessInfo, (zh_hcs_operation operation, zh_hcs_process_information *processInformation, zh_wchar **resultDocument), (operation, processInformation, resultDocument)) \
    X(zh_hresult, HcsGetProcessorCompatibilityFromSavedState, (const zh_wchar *RuntimeFileName, const zh_wchar **ProcessorFeaturesString), (RuntimeFileName, ProcessorFeaturesString)) \
    X(zh_hresult, HcsWaitForOperationResult, (zh_hcs_operation operation, zh_dword timeoutMs, zh_wchar **resultDocument), (operation, timeoutMs, resultDocument)) \
    X(zh_hresult, HcsWaitForOperationResultAndProcessInfo, (zh_hcs_operation operation, zh_dword timeoutMs, zh_hcs_process_information *processInformation, zh_wchar **resultDocument), (operation, timeoutMs, processInformation, resultDocument)) \
    X(zh_hresult, HcsSetOperationCallback, (zh_hcs_operation operation, const void *context, zh_hcs_operation_completion callback), (operation, context, callback)) \
    X(zh_hresult, HcsCancelOperation, (zh_hcs_operation operation), (operation)) \
    X(zh_hresult, HcsCreateComputeSystem, (const zh_wchar *id, const zh_wchar *configuration, zh_hcs_operation operation, const zh_security_descriptor *securityDescriptor, zh_hcs_system *computeSystem), (id, configuration, operation, securityDescriptor, computeSystem)) \
    X(zh_hresult, HcsCreateComputeSystemInNamespace, (const zh_wchar *idNamespace, const zh_wchar *id, const zh_wchar *configuration, zh_hcs_operation operation, const zh_hcs_create_options *options, zh_hcs_system *computeSystem), (idNamespace, id, configuration, operation, options, computeSystem)) \
    X(zh_hresult, HcsOpenComputeSystem, (const zh_wchar *id, zh_dword requestedAccess, zh_hcs_system *computeSystem), (id, requestedAccess, computeSystem)) \
    X(zh_hresult, HcsOpenComputeSystemInNamespace, (const zh_wchar *idNamespace, const zh_wchar *id, zh_dword requestedAccess, zh_hcs_system *computeSystem), (idNamespace, id, requestedAccess, computeSystem)) \
    X(void, HcsCloseComputeSystem, (zh_hcs_system computeSystem), (computeSystem)) \
    X(zh_hresult, HcsStartComputeSystem, (zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *options), (computeSystem, operation, options)) \
    X(zh_hresult, HcsShutDownComputeSystem, (zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *options), (computeSystem, operation, options)) \
    X(zh_hresult, HcsTerminateComputeSystem, (zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *options), (computeSystem, operation, options)) \
    X(zh_hresult, HcsCrashComputeSystem, (zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *options), (computeSystem, operation, options)) \
    X(zh_hresult, HcsPauseComputeSystem, (zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *options), (computeSystem, operation, options)) \
    X(zh_hresult, HcsResumeComputeSystem, (zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *options), (computeSystem, operation, options)) \
    X(zh_hresult, HcsSaveComputeSystem, (zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *options), (computeSystem, operation, options)) \
    X(zh_hresult, HcsGetComputeSystemProperties, (zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *propertyQuery), (computeSystem, operation, propertyQuery)) \
    X(zh_hresult, HcsModifyComputeSystem, (zh_hcs_system computeSystem, zh_hcs_operation operation, const zh_wchar *configuration, zh_handle identity), (computeSystem, operation, configuration, identity)) \
    X(zh_hresult, HcsWaitForComputeSystemExit, (zh_hcs_system computeSystem, zh_dword timeoutMs, zh_wchar **result), (computeSystem, timeoutMs, result)) \
    X(zh_hresult, HcsSetComputeSystemCallback, (zh_hcs_system computeSystem, zh_hcs_event_options callbackOptions, const void *context, zh_hcs_event_callback callback), (computeSystem, callbackOptions, context, callback)) \
    X(zh_hresult, HcsCreateProcess, (zh_hcs_system computeSystem, const zh_wchar *processParameters, zh_hcs_operation operation, const zh_security_descriptor *securityDescriptor, zh_hcs_process *process), (computeSystem, processParameters, operation, securityDescriptor, process)) \
    X(zh_hresult, HcsOpenProcess, (zh_hcs_system computeSystem, zh_dword processId, zh_dword requestedAccess, zh_hcs_process *process), (computeSystem, processId, requestedAccess, process)) \
    X(void, HcsCloseProcess, (zh_hcs_process process), (process)) \
    X(zh_hresult, HcsTerminateProcess, (zh_hcs_process process, zh_hcs_operation operation, const zh_wchar *options), (process, operation, options)) \
    X(zh_hresult, HcsSignalProcess, (zh_hcs_process process, zh_hcs_operation operation, const zh_wchar *options), (process, operation, options)) \
    X(zh_hresult, HcsGetProcessInfo, (zh_hcs_process process, zh_hcs_operation operation), (process, operation)) \
    X(zh_hresult, HcsGetProcessProperties, (zh_hcs_process process, zh_hcs_operation operation, const zh_wchar *propertyQuery), (process, operation, propertyQuery)) \
    X(zh_hresult, HcsModifyProcess, (zh_hcs_process process, zh_hcs_operation operation, const zh_wchar *settings), (process, operation, settings)) \
    X(zh_hresult, HcsSetProcessCallback, (zh_hcs_process process, zh_hcs_event_options callbackOptions, void *context, zh_hcs_event_callback callback), (process, callbackOptions, context, callback)) \
    X(zh_hresult, HcsWaitForProcessExit, (zh_hcs_process computeSystem, zh_dword timeoutMs, zh_wchar **result), (computeSystem, timeoutMs, result)) \
    X(zh_hresult, HcsGetServiceProperties, (const zh_wchar *propertyQuery, zh_wchar **result), (propertyQuery, result)) \
    X(zh_hresult, HcsModifyServiceSettings, (const zh_wchar *settings, zh_wchar **result), (settings, result)) \
    X(zh_hresult, HcsSubmitWerReport, (const zh_wchar *settings), (settings)) \
    X(zh_hresult, HcsCreateEmptyGuestStateFile, (const zh_wchar *guestStateFilePath), (guestStateFilePath)) \
    X(zh_hresult, HcsCreateEmptyRuntimeStateFile, (const zh_wchar *runtimeStateFilePath), (runtimeStateFilePath)) \
    X(zh_hresult, HcsGrantVmAccess, (const zh_wchar *vmId, const zh_wchar *filePath), (vmId, filePath)) \
    X(zh_hresult, HcsRevokeVmAccess, (const zh_wchar *vmId, const zh_wchar *filePath), (vmId, filePath)) \
    X(zh_hresult, HcsGrantVmGroupAccess, (const zh_wchar *filePath), (filePath)) \
    X(zh_hresult, HcsRevokeVmGroupAccess, (const zh_wchar *filePath), (filePath))

/* Exported by newer computecore.dll builds, absent from mingw's header. */
#define ZH_HCS_UNDECLARED_EXPORTS(X) \
    X(zh_hresult, HcsAddResourceToOperation, (zh_hcs_operation operation, zh_hcs_resource_type type, const zh_wchar *uri, zh_handle handle), (operation, type, uri, handle))

#define ZH_HCS_EXPORTS(X) ZH_HCS_DECLARED_EXPORTS(X) ZH_HCS_UNDECLARED_EXPORTS(X)

/* Declared in computenetwork.h (mingw-w64 10). */
#define ZH_HCN_DECLARED_EXPORTS(X) \
    X(zh_hresult, HcnEnumerateNetworks, (const zh_wchar *Query, zh_wchar **Networks, zh_wchar **ErrorRecord), (Query, Networks, ErrorRecord)) \
    X(zh_hresult, HcnCreateNetwork, (zh_refguid Id, const zh_wchar *Settings, zh_hcn_network *Network, zh_wchar **ErrorRecord), (Id, Settings, Network, ErrorRecord)) \
    X(zh_hresult, HcnOpenNetwork, (zh_refguid Id, zh_hcn_network *Network, zh_wchar **ErrorRecord), (Id, Network, ErrorRecord)) \
    X(zh_hresult, HcnModifyNetwork, (zh_hcn_network Network, const zh_wchar *Settings, zh_wchar **ErrorRecord), (Network, Settings, ErrorRecord)) \
    X(zh_hresult, HcnQueryNetworkProperties, (zh_hcn_network Network, const zh_wchar *Query, zh_wchar **Properties, zh_wchar **ErrorRecord), (Network, Query, Properties, ErrorRecord)) \
    X(zh_hresult, HcnDeleteNetwork, (zh_refguid Id, zh_wchar **ErrorRecord), (Id, ErrorRecord)) \
    X(zh_hresult, HcnCloseNetwork, (zh_hcn_network Network), (Network)) \
    X(zh_hresult, HcnEnumerateNamespaces, (const zh_wchar *Query, zh_wchar **Namespaces, zh_wchar **ErrorRecord), (Query, Namespaces, ErrorRecord)) \
    X(zh_hresult, HcnCreateNamespace, (zh_refguid Id, const zh_wchar *Settings, zh_hcn_namespace *Namespace, zh_wchar **ErrorRecord), (Id, Settings, Namespace, ErrorRecord)) \
    X(zh_hresult, HcnOpenNamespace, (zh_refguid Id, zh_hcn_namespace *Namespace, zh_wchar **ErrorRecord), (Id, Namespace, ErrorRecord)) \
    X(zh_hresult, HcnModifyNamespace, (zh_hcn_namespace Namespace, const zh_wchar *Settings, zh_wchar **ErrorRecord), (Namespace, Settings, ErrorRecord)) \
    X(zh_hresult, HcnQueryNamespaceProperties, (zh_hcn_namespace Namespace, const zh_wchar *Query, zh_wchar **Properties, zh_wchar **ErrorRecord), (Namespace, Query, Properties, ErrorRecord)) \
    X(zh_hresult, HcnDeleteNamespace, (zh_refguid Id, zh_wchar **ErrorRecord), (Id, ErrorRecord)) \
    X(zh_hresult, HcnCloseNamespace, (zh_hcn_namespace Namespace), (Namespace)) \
    X(zh_hresult, HcnEnumerateEndpoints, (const zh_wchar *Query, zh_wchar **Endpoints, zh_wchar **ErrorRecord), (Query, Endpoints, ErrorRecord)) \
    X(zh_hresult, HcnCreateEndpoint, (zh_hcn_network Network, zh_refguid Id, const zh_wchar *Settings, zh_hcn_endpoint *Endpoint, zh_wchar **ErrorRecord), (Network, Id, Settings, Endpoint, ErrorRecord)) \
    X(zh_hresult, HcnOpenEndpoint, (zh_refguid Id, zh_hcn_endpoint *Endpoint, zh_wchar **ErrorRecord), (Id, Endpoint, ErrorRecord)) \
    X(zh_hresult, HcnModifyEndpoint, (zh_hcn_endpoint Endpoint, const zh_wchar *Settings, zh_wchar **ErrorRecord), (Endpoint, Settings, ErrorRecord)) \
    X(zh_hresult, HcnQueryEndpointProperties, (zh_hcn_endpoint Endpoint, const zh_wchar *Query, zh_wchar **Properties, zh_wchar **ErrorRecord), (Endpoint, Query, Properties, ErrorRecord)) \
    X(zh_hresult, HcnDeleteEndpoint, (zh_refguid Id, zh_wchar **ErrorRecord), (Id, ErrorRecord)) \
    X(zh_hresult, HcnCloseEndpoint, (zh_hcn_endpoint Endpoint), (Endpoint)) \
    X(zh_hresult, HcnEnumerateLoadBalancers, (const zh_wchar *Query, zh_wchar **LoadBalancer, zh_wchar **ErrorRecord), (Query, LoadBalancer, ErrorRecord)) \
    X(zh_hresult, HcnCreateLoadBalancer, (zh_refguid Id, const zh_wchar *Settings, zh_hcn_loadbalancer *LoadBalancer, zh_wchar **ErrorRecord), (Id, Settings, LoadBalancer, ErrorRecord)) \
    X(zh_hresult, HcnOpenLoadBalancer, (zh_refguid Id, zh_hcn_loadbalancer *LoadBalancer, zh_wchar **ErrorRecord), (Id, LoadBalancer, ErrorRecord)) \
    X(zh_hresult, HcnModifyLoadBalancer, (zh_hcn_loadbalancer LoadBalancer, const zh_wchar *Settings, zh_wchar **ErrorRecord), (LoadBalancer, Settings, ErrorRecord)) \
    X(zh_hresult, HcnQueryLoadBalancerProperties, (zh_hcn_loadbalancer LoadBalancer, const zh_wchar *Query, zh_wchar **Properties, zh_wchar **ErrorRecord), (LoadBalancer, Query, Properties, ErrorRecord)) \
    X(zh_hresult, HcnDeleteLoadBalancer, (zh_refguid Id, zh_wchar **ErrorRecord), (Id, ErrorRecord)) \
    X(zh_hresult, HcnCloseLoadBalancer, (zh_hcn_loadbalancer LoadBalancer), (LoadBalancer)) \
    X(zh_hresult, HcnRegisterServiceCallback, (zh_hcn_notification_callback Callback, void *Context, zh_hcn_callback *CallbackHandle), (Callback, Context, CallbackHandle)) \
    X(zh_hresult, HcnUnregisterServiceCallback, (zh_hcn_callback CallbackHandle), (CallbackHandle)) \
    X(zh_hresult, HcnRegisterGuestNetworkServiceCallback, (zh_hcn_guestnetworkservice GuestNetworkService, zh_hcn_notification_callback Callback, void *Context, zh_hcn_callback *CallbackHandle), (GuestNetworkService, Callback, Context, CallbackHandle)) \
    X(zh_hresult, HcnUnregisterGuestNetworkServiceCallback, (zh_hcn_callback CallbackHandle), (CallbackHandle)) \
    X(zh_hresult, HcnCreateGuestNetworkService, (zh_refguid Id, const zh_wchar *Settings, zh_hcn_guestnetworkservice *GuestNetworkService, zh_wchar **ErrorRecord), (Id, Settings, GuestNetworkService, ErrorRecord)) \
    X(zh_hresult, HcnCloseGuestNetworkService, (zh_hcn_guestnetworkservice GuestNetworkService), (GuestNetworkService)) \
    X(zh_hresult, HcnModifyGuestNetworkService, (zh_hcn_guestnetworkservice GuestNetworkService, const zh_wchar *Settings, zh_wchar **ErrorRecord), (GuestNetworkService, Settings, ErrorRecord)) \
    X(zh_hresult, HcnDeleteGuestNetworkService, (zh_refguid Id, zh_wchar **ErrorRecord), (Id, ErrorRecord)) \
    X(zh_hresult, HcnReserveGuestNetworkServicePort, (zh_hcn_guestnetworkservice GuestNetworkService, zh_hcn_port_protocol Protocol, zh_hcn_port_access Access, zh_ushort Port, zh_handle *PortReservationHandle), (GuestNetworkService, Protocol, Access, Port, PortReservationHandle)) \
    X(zh_hresult, HcnReserveGuestNetworkServicePortRange, (zh_hcn_guestnetworkservice GuestNetworkService, zh_ushort PortCount, zh_hcn_port_range_reservation *PortRangeReservation, zh_handle *PortReservationHandle), (GuestNetworkService, PortCount, PortRangeReservation, PortReservationHandle)) \
    X(zh_hresult, HcnReleaseGuestNetworkServicePortReservationHandle, (zh_handle PortReservationHandle), (PortReservationHandle)) \
    X(zh_hresult, HcnEnumerateGuestNetworkPortReservations, (zh_ulong *ReturnCount, zh_hcn_port_range_entry **PortEntries), (ReturnCount, PortEntries)) \
    X(void, HcnFreeGuestNetworkPortReservations, (zh_hcn_port_range_entry *PortEntries), (PortEntries))

/* Exported by computenetwork.dll but declared in no SDK header. */
#define ZH_HCN_UNDECLARED_EXPORTS(X) \
    X(zh_hresult, HcnEnumerateSdnRoutes, (const zh_wchar *Query, zh_wchar **Routes, zh_wchar **ErrorRecord), (Query, Routes, ErrorRecord)) \
    X(zh_hresult, HcnCreateSdnRoute, (zh_refguid Id, const zh_wchar *Settings, zh_hcn_sdnroute *Route, zh_wchar **ErrorRecord), (Id, Settings, Route, ErrorRecord)) \
    X(zh_hresult, HcnOpenSdnRoute, (zh_refguid Id, zh_hcn_sdnroute *Route, zh_wchar **ErrorRecord), (Id, Route, ErrorRecord)) \
    X(zh_hresult, HcnModifySdnRoute, (zh_hcn_sdnroute Route, const zh_wchar *Settings, zh_wchar **ErrorRecord), (Route, Settings, ErrorRecord)) \
    X(zh_hresult, HcnQuerySdnRouteProperties, (zh_hcn_sdnroute Route, const zh_wchar *Query, zh_wchar **Properties, zh_wchar **ErrorRecord), (Route, Query, Properties, ErrorRecord)) \
    X(zh_hresult, HcnDeleteSdnRoute, (zh_refguid Id, zh_wchar **ErrorRecord), (Id, ErrorRecord)) \
    X(zh_hresult, HcnCloseSdnRoute, (zh_hcn_sdnroute Route), (Route)) \
    X(zh_hresult, HcnQueryEndpointStats, (zh_hcn_endpoint Endpoint, const zh_wchar *Query, zh_wchar **Stats, zh_wchar **ErrorRecord), (Endpoint, Query, Stats, ErrorRecord)) \
    X(zh_hresult, HcnQueryEndpointAddresses, (zh_hcn_endpoint Endpoint, const zh_wchar *Query, zh_wchar **Addresses, zh_wchar **ErrorRecord), (Endpoint, Query, Addresses, ErrorRecord))

#define ZH_HCN_EXPORTS(X) ZH_HCN_DECLARED_EXPORTS(X) ZH_HCN_UNDECLARED_EXPORTS(X)

/* Declared in computestorage.h (mingw-w64 10): container layers. */
#define ZH_HCST_DECLARED_EXPORTS(X) \
    X(zh_hresult, HcsImportLayer, (const zh_wchar *layerPath, const zh_wchar *sourceFolderPath, const zh_wchar *layerData), (layerPath, sourceFolderPath, layerData)) \
    X(zh_hresult, HcsExportLayer, (const zh_wchar *layerPath, const zh_wchar *exportFolderPath, const zh_wchar *layerData, const zh_wchar *options), (layerPath, exportFolderPath, layerData, options)) \
    X(zh_hresult, HcsExportLegacyWritableLayer, (const zh_wchar *writableLayerMountPath, const zh_wchar *writableLayerFolderPath, const zh_wchar *exportFolderPath, const zh_wchar *layerData), (writableLayerMountPath, writableLayerFolderPath, exportFolderPath, layerData)) \
    X(zh_hresult, HcsDestroyLayer, (const zh_wchar *layerPath), (layerPath)) \
    X(zh_hresult, HcsSetupBaseOSLayer, (const zh_wchar *layerPath, zh_handle vhdHandle, const zh_wchar *options), (layerPath, vhdHandle, options)) \
    X(zh_hresult, HcsInitializeWritableLayer, (const zh_wchar *writableLayerPath, const zh_wchar *layerData, const zh_wchar *options), (writableLayerPath, layerData, options)) \
    X(zh_hresult, HcsInitializeLegacyWritableLayer, (const zh_wchar *writableLayerMountPath, const zh_wchar *writableLayerFolderPath, const zh_wchar *layerData, const zh_wchar *options), (writableLayerMountPath, writableLayerFolderPath, layerData, options)) \
    X(zh_hresult, HcsAttachLayerStorageFilter, (const zh_wchar *layerPath, const zh_wchar *layerData), (layerPath, layerData)) \
    X(zh_hresult, HcsDetachLayerStorageFilter, (const zh_wchar *layerPath), (layerPath)) \
    X(zh_hresult, HcsFormatWritableLayerVhd, (zh_handle vhdHandle), (vhdHandle)) \
    X(zh_hresult, HcsGetLayerVhdMountPath, (zh_handle vhdHandle, zh_wchar **mountPath), (vhdHandle, mountPath)) \
    X(zh_hresult, HcsSetupBaseOSVolume, (const zh_wchar *layerPath, const zh_wchar *volumePath, const zh_wchar *options), (layerPath, volumePath, options))

#define ZH_HCST_EXPORTS(X) ZH_HCST_DECLARED_EXPORTS(X)

#endif /* ZH_RAW_EXPORTS_H */

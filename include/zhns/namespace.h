/* SPDX-License-Identifier: MIT */
/* zhns/namespace.h - HCN namespaces, the "netns" a container's network lives in: create
 * (HostDefault, Host or Guest), open, attach and detach endpoints, modify, query, list the
 * endpoints inside, list, delete.
 *
 * A zhns_namespace is an open HCN namespace handle; the rules of zhns/network.h apply
 * (threads, ids, handles after close).
 */
#ifndef ZHNS_NAMESPACE_H
#define ZHNS_NAMESPACE_H

#include <stddef.h>

#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/schema.h>
#include <zhns/service.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhns_namespace zhns_namespace;

/* Creates a namespace from a HostComputeNamespace document (HcnCreateNamespace), e.g.
 * {"Type": "Host"} or {"Type": "Guest"}; Type defaults to Host. The id is the document's ID,
 * else a new GUID chosen here. Resources cannot be given at creation: attach endpoints with
 * zhns_namespace_add_endpoint. One raw call. */
ZHNS_API int zhns_namespace_create(zhns_namespace **out, zhns_service *svc, const zhns_HostComputeNamespace *settings,
                                   zhns_error **err);
ZHNS_API int zhns_namespace_create_json(zhns_namespace **out, zhns_service *svc, const char *settings_json,
                                        zhns_error **err);

/* Creates the host's default namespace ({"Type": "HostDefault"}). There is at most one:
 * a second is an ALREADY_EXISTS error (GCN_E_DEFAULTNAMESPACE_EXISTS). */
ZHNS_API int zhns_namespace_create_host_default(zhns_namespace **out, zhns_service *svc, zhns_error **err);

/* Opens an existing namespace by id (HcnOpenNamespace). NOT_FOUND when there is none. */
ZHNS_API int zhns_namespace_open(zhns_namespace **out, zhns_service *svc, const char *id, zhns_error **err);

/* Releases the handle (see zhns/network.h); accepts NULL. */
ZHNS_API void zhns_namespace_close(zhns_namespace *ns);

/* The namespace's id, lower case; owned by the handle. "" for NULL, a closed handle or any
 * value that is not a live namespace. */
ZHNS_API const char *zhns_namespace_id(const zhns_namespace *ns);

/* Deletes the namespace with this id (HcnDeleteNamespace); one that does not exist counts
 * as deleted. */
ZHNS_API int zhns_namespace_delete(zhns_service *svc, const char *id, zhns_error **err);

/* Attaches / detaches the endpoint with this id (HcnModifyNamespace with
 * {"ResourceType":"Endpoint","RequestType":"Add"|"Remove","Settings":{"EndpointId":id}}).
 * ALREADY_EXISTS (HCN_E_ENDPOINT_ALREADY_ATTACHED) when it is attached already;
 * INVALID_STATE (HCN_E_ENDPOINT_NOT_ATTACHED) when removing one that is not. One raw call. */
ZHNS_API int zhns_namespace_add_endpoint(zhns_namespace *ns, const char *endpoint_id, zhns_error **err);
ZHNS_API int zhns_namespace_remove_endpoint(zhns_namespace *ns, const char *endpoint_id, zhns_error **err);

/* Any ModifyNamespaceSettingRequest, as raw JSON (HcnModifyNamespace). */
ZHNS_API int zhns_namespace_modify_json(zhns_namespace *ns, const char *request_json, zhns_error **err);

/* The namespace's properties (HcnQueryNamespaceProperties); as zhns_network_query. */
ZHNS_API int zhns_namespace_query(zhns_HostComputeNamespace **out, zhns_namespace *ns, zhns_error **err);
ZHNS_API int zhns_namespace_query_json(char **out, zhns_namespace *ns, const char *query_json, zhns_error **err);

/* The ids of the endpoints attached to the namespace: Resources[] of Type "Endpoint",
 * Data.ID, lower case (free with zhns_strings_free). One raw call. */
ZHNS_API int zhns_namespace_list_endpoints(char ***ids, size_t *count, zhns_namespace *ns, zhns_error **err);

/* The ids of the namespaces matching a HostComputeQuery (NULL: all) (HcnEnumerateNamespaces);
 * free with zhns_strings_free. One raw call. */
ZHNS_API int zhns_namespace_list(char ***ids, size_t *count, zhns_service *svc, const zhns_HostComputeQuery *query,
                                 zhns_error **err);
ZHNS_API int zhns_namespace_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json,
                                      zhns_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_NAMESPACE_H */

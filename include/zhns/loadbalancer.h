/* SPDX-License-Identifier: MIT */
/* zhns/loadbalancer.h - HCN load balancers: create, open, modify, query, list, delete.
 *
 * A zhns_loadbalancer is an open HCN load balancer handle; the rules of zhns/network.h
 * apply (threads, ids, handles after close). Leaked load balancers keep their ports
 * (HCN_E_PORT_ALREADY_EXISTS, category ALREADY_EXISTS, on the next create): tag them with
 * an Owner and delete them when done.
 */
#ifndef ZHNS_LOADBALANCER_H
#define ZHNS_LOADBALANCER_H

#include <stddef.h>

#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/schema.h>
#include <zhns/service.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhns_loadbalancer zhns_loadbalancer;

/* Creates a load balancer from a HostComputeLoadBalancer document (HcnCreateLoadBalancer):
 * HostComputeEndpoints, FrontendVIPs, PortMappings, ... The id is the document's ID, else a
 * new GUID chosen here. One raw call. */
ZHNS_API int zhns_loadbalancer_create(zhns_loadbalancer **out, zhns_service *svc,
                                      const zhns_HostComputeLoadBalancer *settings, zhns_error **err);
ZHNS_API int zhns_loadbalancer_create_json(zhns_loadbalancer **out, zhns_service *svc, const char *settings_json,
                                           zhns_error **err);

/* Opens an existing load balancer by id (HcnOpenLoadBalancer). */
ZHNS_API int zhns_loadbalancer_open(zhns_loadbalancer **out, zhns_service *svc, const char *id, zhns_error **err);

/* Releases the handle (see zhns/network.h); accepts NULL. */
ZHNS_API void zhns_loadbalancer_close(zhns_loadbalancer *lb);

/* The load balancer's id, lower case; owned by the handle. "" for NULL, a closed handle or any
 * value that is not a live load balancer. */
ZHNS_API const char *zhns_loadbalancer_id(const zhns_loadbalancer *lb);

/* Deletes the load balancer with this id; one that does not exist counts as deleted. */
ZHNS_API int zhns_loadbalancer_delete(zhns_service *svc, const char *id, zhns_error **err);

/* Replaces the load balancer's settings (HcnModifyLoadBalancer). HNS supports this from
 * version 15.4 (ZHNS_FEATURE_MODIFY_LOAD_BALANCER): when the service reports an older
 * version the call fails with UNSUPPORTED before reaching HCN (delete and create instead).
 * When the version cannot be learnt, the call is made and HCN decides. */
ZHNS_API int zhns_loadbalancer_modify(zhns_loadbalancer *lb, const zhns_HostComputeLoadBalancer *settings,
                                      zhns_error **err);
ZHNS_API int zhns_loadbalancer_modify_json(zhns_loadbalancer *lb, const char *settings_json, zhns_error **err);

/* The load balancer's properties (HcnQueryLoadBalancerProperties); as zhns_network_query. */
ZHNS_API int zhns_loadbalancer_query(zhns_HostComputeLoadBalancer **out, zhns_loadbalancer *lb, zhns_error **err);
ZHNS_API int zhns_loadbalancer_query_json(char **out, zhns_loadbalancer *lb, const char *query_json,
                                          zhns_error **err);

/* The ids of the load balancers matching a HostComputeQuery (NULL: all); free with
 * zhns_strings_free. One raw call. */
ZHNS_API int zhns_loadbalancer_list(char ***ids, size_t *count, zhns_service *svc,
                                    const zhns_HostComputeQuery *query, zhns_error **err);
ZHNS_API int zhns_loadbalancer_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json,
                                         zhns_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_LOADBALANCER_H */

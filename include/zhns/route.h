/* SPDX-License-Identifier: MIT */
/* zhns/route.h - HCN SDN routes (the HcnXxxSdnRoute family, exported by computenetwork.dll
 * but declared in no SDK header): create, open, modify, query, list, delete.
 *
 * A zhns_route is an open SDN route handle; the rules of zhns/network.h apply. On a Windows
 * build whose computenetwork.dll lacks the family every call is an UNSUPPORTED error that
 * names the missing export.
 */
#ifndef ZHNS_ROUTE_H
#define ZHNS_ROUTE_H

#include <stddef.h>

#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/schema.h>
#include <zhns/service.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhns_route zhns_route;

/* Creates an SDN route from a HostComputeRoute document (HcnCreateSdnRoute):
 * HostComputeEndpoints and Routes [{DestinationPrefix, NextHop, NeedEncap}]. The id is the
 * document's ID, else a new GUID chosen here. One raw call. */
ZHNS_API int zhns_route_create(zhns_route **out, zhns_service *svc, const zhns_HostComputeRoute *settings,
                               zhns_error **err);
ZHNS_API int zhns_route_create_json(zhns_route **out, zhns_service *svc, const char *settings_json,
                                    zhns_error **err);

/* Opens an existing SDN route by id (HcnOpenSdnRoute). */
ZHNS_API int zhns_route_open(zhns_route **out, zhns_service *svc, const char *id, zhns_error **err);

/* Releases the handle (see zhns/network.h); accepts NULL. */
ZHNS_API void zhns_route_close(zhns_route *rt);

/* The route's id, lower case; owned by the handle. "" for NULL, a closed handle or any
 * value that is not a live route. */
ZHNS_API const char *zhns_route_id(const zhns_route *rt);

/* Deletes the SDN route with this id; one that does not exist counts as deleted. */
ZHNS_API int zhns_route_delete(zhns_service *svc, const char *id, zhns_error **err);

/* Replaces the route's settings (HcnModifySdnRoute). */
ZHNS_API int zhns_route_modify(zhns_route *rt, const zhns_HostComputeRoute *settings, zhns_error **err);
ZHNS_API int zhns_route_modify_json(zhns_route *rt, const char *settings_json, zhns_error **err);

/* The route's properties (HcnQuerySdnRouteProperties); as zhns_network_query. */
ZHNS_API int zhns_route_query(zhns_HostComputeRoute **out, zhns_route *rt, zhns_error **err);
ZHNS_API int zhns_route_query_json(char **out, zhns_route *rt, const char *query_json, zhns_error **err);

/* The ids of the SDN routes matching a HostComputeQuery (NULL: all); free with
 * zhns_strings_free. One raw call. */
ZHNS_API int zhns_route_list(char ***ids, size_t *count, zhns_service *svc, const zhns_HostComputeQuery *query,
                             zhns_error **err);
ZHNS_API int zhns_route_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json,
                                  zhns_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_ROUTE_H */

/* SPDX-License-Identifier: MIT */
/* zhns/endpoint.h - HCN endpoints: create on a network, open, modify, query properties and
 * statistics, the primary IP address, list, delete.
 *
 * A zhns_endpoint is an open HCN endpoint handle; the rules of zhns/network.h apply
 * (threads, ids, handles after close).
 */
#ifndef ZHNS_ENDPOINT_H
#define ZHNS_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/network.h>
#include <zhns/schema.h>
#include <zhns/service.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhns_endpoint zhns_endpoint;

/* Creates an endpoint on `net` from a HostComputeEndpoint document (HcnCreateEndpoint).
 * The id is the document's ID, else a new GUID chosen here. A HostComputeNetwork member
 * that names another network is refused by HCN. Errors as zhns_network_create, plus what
 * HCN says of addresses (INVALID_ARGUMENT for HCN_E_INVALID_IP, HCN_E_ADDR_INVALID_OR_RESERVED).
 * One raw call. */
ZHNS_API int zhns_endpoint_create(zhns_endpoint **out, zhns_network *net, const zhns_HostComputeEndpoint *settings,
                                  zhns_error **err);
ZHNS_API int zhns_endpoint_create_json(zhns_endpoint **out, zhns_network *net, const char *settings_json,
                                       zhns_error **err);

/* Opens an existing endpoint by id (HcnOpenEndpoint). NOT_FOUND when there is none. */
ZHNS_API int zhns_endpoint_open(zhns_endpoint **out, zhns_service *svc, const char *id, zhns_error **err);
/* Opens the first endpoint whose Name is exactly `name` (byte for byte), as hcsshim's
 * GetEndpointByName finds it: an enumeration filtered by Name, then each candidate's document
 * checked (3 raw calls each: open, query, and close unless it is the one). NOT_FOUND when
 * no endpoint has the name; INVALID_ARGUMENT for a NULL, empty or invalid UTF-8 name. */
ZHNS_API int zhns_endpoint_open_by_name(zhns_endpoint **out, zhns_service *svc, const char *name, zhns_error **err);

/* Releases the handle (see zhns/network.h); accepts NULL. */
ZHNS_API void zhns_endpoint_close(zhns_endpoint *ep);

/* The endpoint's id, lower case; owned by the handle. "" for NULL, a closed handle or any
 * value that is not a live endpoint. */
ZHNS_API const char *zhns_endpoint_id(const zhns_endpoint *ep);

/* Deletes the endpoint with this id (HcnDeleteEndpoint); one that does not exist counts as
 * deleted. */
ZHNS_API int zhns_endpoint_delete(zhns_service *svc, const char *id, zhns_error **err);

/* Applies a ModifyEndpointSettingRequest (HcnModifyEndpoint), e.g. policy Add/Remove. */
ZHNS_API int zhns_endpoint_modify(zhns_endpoint *ep, const zhns_ModifyEndpointSettingRequest *request,
                                  zhns_error **err);
ZHNS_API int zhns_endpoint_modify_json(zhns_endpoint *ep, const char *request_json, zhns_error **err);

/* The endpoint's properties (HcnQueryEndpointProperties); as zhns_network_query. */
ZHNS_API int zhns_endpoint_query_properties(zhns_HostComputeEndpoint **out, zhns_endpoint *ep, zhns_error **err);
ZHNS_API int zhns_endpoint_query_properties_json(char **out, zhns_endpoint *ep, const char *query_json,
                                                 zhns_error **err);

/* Traffic counters of an endpoint (HcnQueryEndpointStats). Counters the service does not
 * report read 0. */
typedef struct zhns_endpoint_stats {
    uint64_t bytes_received;
    uint64_t bytes_sent;
    uint64_t packets_received;
    uint64_t packets_sent;
    uint64_t dropped_packets_incoming;
    uint64_t dropped_packets_outgoing;
} zhns_endpoint_stats;

/* Fills *out (nothing to free). INVALID_JSON when the service's answer is not a JSON object
 * or a counter is not an unsigned integer. The _json form hands back the raw document
 * (free with zhns_string_free). One raw call. */
ZHNS_API int zhns_endpoint_query_stats(zhns_endpoint_stats *out, zhns_endpoint *ep, zhns_error **err);
ZHNS_API int zhns_endpoint_query_stats_json(char **out, zhns_endpoint *ep, zhns_error **err);

/* The endpoint's first IP address ("10.0.0.5", free with zhns_string_free) and, when
 * prefix_length is not NULL, its prefix length (0 when HCN did not say). NOT_FOUND when the
 * endpoint has no address. One raw call. */
ZHNS_API int zhns_endpoint_primary_ip(char **ip, uint8_t *prefix_length, zhns_endpoint *ep, zhns_error **err);

/* The ids of the endpoints on network `network_id` (NULL: every endpoint), with HCN's
 * filter {"VirtualNetwork": id} (HcnEnumerateEndpoints); free with zhns_strings_free.
 * One raw call whatever the number of endpoints. */
ZHNS_API int zhns_endpoint_list(char ***ids, size_t *count, zhns_service *svc, const char *network_id,
                                zhns_error **err);
/* The same with any HostComputeQuery (NULL: all), typed or raw. */
ZHNS_API int zhns_endpoint_list_query(char ***ids, size_t *count, zhns_service *svc,
                                      const zhns_HostComputeQuery *query, zhns_error **err);
ZHNS_API int zhns_endpoint_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json,
                                     zhns_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_ENDPOINT_H */

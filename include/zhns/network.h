/* SPDX-License-Identifier: MIT */
/* zhns/network.h - HCN networks: create (typed, raw JSON, or the transparent helper), open,
 * modify, query, list, delete.
 *
 * A zhns_network is an open HCN network handle. It keeps its service alive, may be used
 * from several threads at once, and is closed with zhns_network_close. Ids are GUID
 * strings, accepted in any case with or without braces, handed back in lower case.
 *
 * Handles: every zhns handle (zhns_service, zhns_network, zhns_endpoint, zhns_namespace,
 * zhns_loadbalancer, zhns_route, zhns_attachment, zhns_notify) is a value from a process-wide
 * table of slots with generations, never an address. zhns_network_close (like every zhns
 * _close) ends the caller's handle: a call that still passes it fails with a CLOSED error
 * instead of touching freed memory, a second close does nothing, and a value that never was
 * a handle is a CLOSED error too. A slot reused by a newer object gets a new generation, so
 * an old handle never names the new object. A NULL object handle, or a zhns handle of
 * another kind (a zhns_namespace * where a zhns_network * belongs), is an INVALID_ARGUMENT
 * error (a NULL service is CLOSED, as in zhcs: zhns/service.h); getters such as
 * zhns_network_id answer "" for every such value. Still, close each handle once, after its
 * last use. A close while other threads are inside calls on the same handle is
 * safe: those calls finish, and the HCN handle is closed when the last of them returns.
 */
#ifndef ZHNS_NETWORK_H
#define ZHNS_NETWORK_H

#include <stddef.h>
#include <stdint.h>

#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/schema.h>
#include <zhns/service.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhns_network zhns_network;

/* Creates a network from a HostComputeNetwork document (HcnCreateNetwork). The id is the
 * document's ID when it has one, else a new random GUID chosen here (so no query is needed
 * to learn it). *out receives the open network. Errors: CLOSED (a NULL, closed or bogus
 * service: zhns/service.h), INVALID_ARGUMENT (other NULL arguments, an ID that is not a
 * GUID, a document over ZHNS_DOCUMENT_MAX), INVALID_JSON (a document that is not JSON or
 * does not fit the HostComputeNetwork schema), and what HCN reports (ALREADY_EXISTS,
 * INVALID_ARGUMENT for HCN_E_INVALID_PREFIX / _SUBNET, ...) with its message. One raw
 * call. */
ZHNS_API int zhns_network_create(zhns_network **out, zhns_service *svc, const zhns_HostComputeNetwork *settings,
                                 zhns_error **err);
ZHNS_API int zhns_network_create_json(zhns_network **out, zhns_service *svc, const char *settings_json,
                                      zhns_error **err);

/* Options of zhns_network_create_transparent. Start from ZHNS_TRANSPARENT_OPTIONS_INIT. */
typedef struct zhns_transparent_options {
    unsigned version;                /* ZHNS_TRANSPARENT_OPTIONS_VERSION */
    const char *name;                /* the network's name; required */
    const char *adapter;             /* the uplink adapter's name; NULL: zhns_adapter_find_primary
                                        (which honours ZLAYER_HCN_UPLINK_ADAPTER) */
    const char *subnet;              /* the L2 segment, "192.168.1.0/24"; required */
    const char *gateway;             /* its router, inside the subnet; required */
    const char *owner;               /* the Owner tag, or NULL */
    const char *id;                  /* the network's id, or NULL for a new one */
    const char *const *dns_servers;  /* DNS servers handed to endpoints, or NULL */
    size_t dns_server_count;
    uint32_t flags;                  /* NetworkFlags; the default is EnableNonPersistent (8), so
                                        that a reboot leaves no stale network behind */
} zhns_transparent_options;

#define ZHNS_TRANSPARENT_OPTIONS_VERSION 1
#define ZHNS_TRANSPARENT_OPTIONS_INIT \
    {ZHNS_TRANSPARENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, ZHNS_NETWORKFLAGS_ENABLENONPERSISTENT}

/* Creates a Transparent network: L2-bridged to the uplink adapter (a NetAdapterName
 * policy), with one static subnet whose default route (0.0.0.0/0, or ::/0 for IPv6) goes
 * to the gateway, as HCN requires of bridged networks. The subnet and gateway are checked
 * here first (INVALID_ARGUMENT naming which is wrong: not a prefix, not a network address,
 * a gateway outside the subnet). Adapter errors are those of zhns_adapter_find_primary.
 * One raw HCN call. */
ZHNS_API int zhns_network_create_transparent(zhns_network **out, zhns_service *svc,
                                             const zhns_transparent_options *opts, zhns_error **err);

/* Opens an existing network by id (HcnOpenNetwork). NOT_FOUND when there is none. */
ZHNS_API int zhns_network_open(zhns_network **out, zhns_service *svc, const char *id, zhns_error **err);
/* Opens the first network whose Name is exactly `name` (byte for byte), as hcsshim's
 * GetNetworkByName finds it: an enumeration filtered by Name, then each candidate's document
 * checked (3 raw calls each: open, query, and close unless it is the one). NOT_FOUND when
 * no network has the name; INVALID_ARGUMENT for a NULL, empty or invalid UTF-8 name. */
ZHNS_API int zhns_network_open_by_name(zhns_network **out, zhns_service *svc, const char *name, zhns_error **err);

/* Releases the handle (see the top of this file); accepts NULL. */
ZHNS_API void zhns_network_close(zhns_network *net);

/* The network's id, lower case; owned by the handle. "" for NULL, a closed handle or any
 * value that is not a live network. */
ZHNS_API const char *zhns_network_id(const zhns_network *net);

/* Deletes the network with this id (HcnDeleteNetwork). A network that does not exist
 * counts as deleted (idempotent teardown). INVALID_STATE (HCN_E_ENTITY_HAS_REFERENCES)
 * while endpoints remain on it. */
ZHNS_API int zhns_network_delete(zhns_service *svc, const char *id, zhns_error **err);

/* Applies a ModifyNetworkSettingRequest (HcnModifyNetwork): policies Add/Remove/Update,
 * DNS Update, ... */
ZHNS_API int zhns_network_modify(zhns_network *net, const zhns_ModifyNetworkSettingRequest *request,
                                 zhns_error **err);
ZHNS_API int zhns_network_modify_json(zhns_network *net, const char *request_json, zhns_error **err);

/* The network's properties (HcnQueryNetworkProperties). The typed form asks with the
 * default query (schema 2.0) and parses the answer (free with zhns_HostComputeNetwork_free);
 * the _json form takes a HostComputeQuery document (NULL: the default) and hands back the
 * raw text (free with zhns_string_free). One raw call. */
ZHNS_API int zhns_network_query(zhns_HostComputeNetwork **out, zhns_network *net, zhns_error **err);
ZHNS_API int zhns_network_query_json(char **out, zhns_network *net, const char *query_json, zhns_error **err);

/* The ids of the networks matching a HostComputeQuery (HcnEnumerateNetworks); NULL: all.
 * *ids (free with zhns_strings_free) receives *count lower-case ids. One raw call whatever
 * the number of networks. */
ZHNS_API int zhns_network_list(char ***ids, size_t *count, zhns_service *svc, const zhns_HostComputeQuery *query,
                               zhns_error **err);
ZHNS_API int zhns_network_list_json(char ***ids, size_t *count, zhns_service *svc, const char *query_json,
                                    zhns_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_NETWORK_H */

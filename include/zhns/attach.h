/* SPDX-License-Identifier: MIT */
/* zhns/attach.h - a container's attachment to a network: an endpoint on the network plus a
 * fresh namespace holding it, made and unmade as one (the seed's EndpointAttachment), and
 * crash recovery for attachments a dead process left behind.
 *
 * Ownership model. Every attachment is tagged with an owner (the Owner member of both the
 * endpoint and the namespace documents), e.g. the agent's name plus its host id. A process
 * that restarts after a crash calls zhns_attachment_list_owned(owner) to find what it left
 * behind - the owner matches exactly, byte for byte, never by prefix or case - and removes
 * it with zhns_attachment_delete_endpoint_and_namespace (or zhns_attachment_cleanup_owner).
 * Deletes treat "not found" as done, so teardown and cleanup can be repeated, interrupted
 * and run concurrently.
 *
 * A zhns_attachment is a handle under the rules of zhns/network.h (closed, bogus and
 * wrong-kind handles are clear errors).
 */
#ifndef ZHNS_ATTACH_H
#define ZHNS_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include <zhns/endpoint.h>
#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/namespace.h>
#include <zhns/network.h>
#include <zhns/schema.h>
#include <zhns/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What create_overlay makes. Start from ZHNS_OVERLAY_OPTIONS_INIT. */
typedef struct zhns_overlay_options {
    unsigned version;                    /* ZHNS_OVERLAY_OPTIONS_VERSION */
    const char *owner;                   /* the owner tag; required, non-empty */
    const char *name;                    /* the endpoint's name, or NULL */
    const char *ip_address;              /* the endpoint's address, or NULL: HCN picks a free one */
    uint8_t prefix_length;               /* with ip_address; 0: the subnet's */
    const char *gateway;                 /* default route 0.0.0.0/0 via this next hop, or NULL */
    const char *const *dns_servers;      /* DNS: server addresses, or NULL */
    size_t dns_server_count;
    const char *const *dns_search;       /* DNS: search suffixes, or NULL */
    size_t dns_search_count;
    const char *dns_domain;              /* DNS: the connection's domain, or NULL */
    const zhns_EndpointPolicy *policies; /* endpoint policies (PortMapping, ACL, OutBoundNAT, ...) */
    size_t policy_count;
    const char *mac_address;             /* "00-15-5D-xx-xx-xx", or NULL: HCN assigns one */
} zhns_overlay_options;

#define ZHNS_OVERLAY_OPTIONS_VERSION 1
#define ZHNS_OVERLAY_OPTIONS_INIT \
    {ZHNS_OVERLAY_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL, NULL, 0, NULL, 0, NULL, NULL, 0, NULL}

typedef struct zhns_attachment zhns_attachment;

/* Creates an endpoint on `net` (with the options' address, route, DNS, policies and owner),
 * a Host namespace with the same owner, and attaches the endpoint to it: HcnCreateEndpoint,
 * HcnQueryEndpointProperties (to learn the address HCN gave), HcnCreateNamespace,
 * HcnModifyNamespace - four raw calls. When any step fails, what was made is deleted again
 * before the error is returned, so nothing is orphaned; if that rollback fails too, the
 * error's message names what is left (list_owned finds it later). Options are checked
 * first: INVALID_ARGUMENT for a missing owner, a count without its array, invalid UTF-8. */
ZHNS_API int zhns_attachment_create_overlay(zhns_attachment **out, zhns_network *net,
                                            const zhns_overlay_options *opts, zhns_error **err);

/* What a compute system's Networking section needs. Owned by the attachment, valid until
 * its close; "" (0 for the prefix length) for NULL, a closed handle or any value that is
 * not a live attachment. */
ZHNS_API const char *zhns_attachment_endpoint_id(const zhns_attachment *att);
ZHNS_API const char *zhns_attachment_namespace_id(const zhns_attachment *att);
ZHNS_API const char *zhns_attachment_ip(const zhns_attachment *att);
ZHNS_API uint8_t zhns_attachment_prefix_length(const zhns_attachment *att);
ZHNS_API const char *zhns_attachment_owner(const zhns_attachment *att);

/* The open endpoint and namespace handles (borrowed: valid until zhns_attachment_close, and
 * CLOSED errors after it), e.g. for zhns_endpoint_query_stats; NULL for a value that is not
 * a live attachment. Do not close them: a close by mistake ends only that borrowed handle,
 * the attachment keeps working. */
ZHNS_API zhns_endpoint *zhns_attachment_endpoint(const zhns_attachment *att);
ZHNS_API zhns_namespace *zhns_attachment_namespace(const zhns_attachment *att);

/* Reverses create_overlay: detaches the endpoint, deletes it, deletes the namespace (not
 * found counts as done at every step). Each step is tried whatever the one before did (a
 * failed detach is no failure once both deletes went through); the first failure is
 * returned. Idempotent and resumable: once it has succeeded, later calls return 0 without
 * calling HCN; after a failure a later call does only the deletes not yet done. Safe from
 * several threads. The attachment stays valid until zhns_attachment_close. */
ZHNS_API int zhns_attachment_teardown(zhns_attachment *att, zhns_error **err);

/* Frees the attachment and closes its handles; deletes nothing (the endpoint and the
 * namespace outlive it, e.g. while the container runs). Accepts NULL. */
ZHNS_API void zhns_attachment_close(zhns_attachment *att);

/* An attachment found by zhns_attachment_list_owned. */
typedef struct zhns_owned_attachment {
    char *endpoint_id;  /* NULL: a namespace left without its endpoint */
    char *namespace_id; /* NULL: an endpoint that was never put into a namespace */
} zhns_owned_attachment;

/* What `owner` left behind: each endpoint whose Owner is exactly `owner`, with the
 * namespace it is attached to, and each namespace of that owner that holds none of them.
 * *list (free with zhns_owned_attachments_free) receives *count entries. Raw calls:
 * 2 enumerations with an Owner filter (what create_overlay made is known by its ids, no
 * document read), + 3 (open, query, close) per other object the filter answers; when
 * both answers are empty, + 4 to ask whether such a filter finds what has an Owner (a
 * probe namespace of owner "zhns-owner-probe", made, looked for by that filter, deleted),
 * and when it does not, + 1 (the probe's document: is Owner kept?) + 2 (every endpoint and
 * namespace id), and + 3 per untagged object when HNS keeps Owner but cannot filter on it.
 * docs/zhns.md has the details. */
ZHNS_API int zhns_attachment_list_owned(zhns_owned_attachment **list, size_t *count, zhns_service *svc,
                                        const char *owner, zhns_error **err);
ZHNS_API void zhns_owned_attachments_free(zhns_owned_attachment *list, size_t count);

/* Deletes an endpoint and a namespace by id: detaches the endpoint from the namespace,
 * deletes the endpoint, deletes the namespace - each step tried whatever the one before
 * did (a failed detach is no failure once both deletes went through). Either id may be
 * NULL. Not found (the family's own code, or ERROR_NOT_FOUND) and not attached count as
 * done. Up to 5 raw calls. */
ZHNS_API int zhns_attachment_delete_endpoint_and_namespace(zhns_service *svc, const char *endpoint_id,
                                                           const char *namespace_id, zhns_error **err);

/* list_owned, then for each entry: the endpoint leaves its namespace and is deleted, and the
 * namespace is deleted only when its Owner is exactly `owner` (an owned endpoint in someone
 * else's namespace leaves that namespace standing). *removed (may be NULL) receives how
 * many entries were removed. Every entry is tried whatever happened to the others; when
 * some failed, the error (with the first failure's code and category) says how many and
 * names each one with its reason. */
ZHNS_API int zhns_attachment_cleanup_owner(size_t *removed, zhns_service *svc, const char *owner, zhns_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_ATTACH_H */

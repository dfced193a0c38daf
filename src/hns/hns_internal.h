/* SPDX-License-Identifier: MIT */
/* hns_internal.h - what the zhns modules share: the service's insides, the handle objects
 * behind the public handles, and the helpers around every raw HCN call.
 *
 * Public handles (zhns_service *, zhns_network *, ..., zhns_notify *) are values from the
 * process-wide handle table (zh_handle.h), never addresses: a closed, bogus or wrong-kind
 * handle is a clear error instead of a use of freed memory, and the generation in the value
 * keeps an old handle from naming a newer object at the same address. Nothing here casts a
 * public pointer to an object: every public entry point looks its handles up (hns_service_get,
 * hns_obj_acquire) and holds a reference for the call.
 */
#ifndef ZHNS_hns_INTERNAL_H
#define ZHNS_hns_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <zhns/zhns.h>

#include "zh_error.h"
#include "zh_guid.h"
#include "zh_handle.h"
#include "zh_hresult.h"
#include "zh_raw.h"
#include "zh_svc.h"
#include "zh_thread.h"

/* ---- handle kinds ---- */
typedef enum hns_kind {
    HNS_NETWORK = 0,
    HNS_ENDPOINT,
    HNS_NAMESPACE,
    HNS_LOADBALANCER,
    HNS_ROUTE,
    HNS_ATTACHMENT, /* not an HCN family: a zhns_attachment, an object like the others */
    HNS_KIND_COUNT
} hns_kind;

/* Handle types in the handle table (zhcs uses 0x11..0x15). An object of kind k is
 * registered as HNS_T_BASE + k: network 0x21, endpoint 0x22, namespace 0x23, load balancer
 * 0x24, SDN route 0x25, attachment 0x26. */
enum {
    HNS_T_SERVICE = 0x20,
    HNS_T_BASE = 0x21,
    HNS_T_NOTIFY = HNS_T_BASE + HNS_KIND_COUNT, /* 0x27 */
    HNS_T_FIRST = HNS_T_SERVICE,
    HNS_T_LAST = HNS_T_NOTIFY
};

/* The public type a live handle of any zhns type names ("zhns_endpoint"), or NULL when it
 * names nothing of zhns (closed, bogus, 0). Only for messages: the answer may be stale. */
const char *hns_handle_type_name(uintptr_t h);

/* ---- the service ---- */
typedef struct hns_service {
    zh_refcount ref;          /* the handle + every object of the service + calls in flight */
    uintptr_t handle;
    zh_svc *svc;
    zh_raw_lib *lib;          /* the raw table: win32 DLL or simulator */
    zh_mutex lock;            /* guards the cached HNS version */
    bool version_known;
    zhns_hns_version version;
} hns_service;

/* The live service `h` with a reference for the caller (hns_service_unref), or NULL with
 * an error naming `fn`: CLOSED for NULL, a closed handle or a value that never was one;
 * INVALID_ARGUMENT for a zhns handle of another kind. */
hns_service *hns_service_get(const zhns_service *h, const char *fn, zh_error **err);
/* Takes a reference (an object that keeps its service alive); returns `s`. */
hns_service *hns_service_ref(hns_service *s);
void hns_service_unref(hns_service *s);

/* Declares `var`, the service `h` held for the rest of the call, or returns -1. */
#define HNS_SERVICE(var, h, fn, err)                          \
    hns_service *var = hns_service_get((h), (fn), (err));     \
    if (!var)                                                 \
        return -1

/* ---- handle objects ---- */
/* The raw entries of one object family and the names used in messages. */
typedef struct hns_kind_info {
    const char *name;     /* "network" */
    const char *type;     /* the public type, "zhns_network" */
    const char *schema;   /* the document type, "HostComputeNetwork" */
    size_t enumerate, create, open, modify, query, del, close; /* ZH_HCN_ID_* */
} hns_kind_info;

extern const hns_kind_info hns_kinds[HNS_KIND_COUNT];

/* Every public object handle (zhns_network, zhns_endpoint, ...) names one of these. The
 * handle is registered from creation until its _close; `ref` counts the handle's reference,
 * every call in flight and every internal holder (an attachment holds its endpoint and
 * namespace); the last one closes the HCN handle. */
typedef struct hns_obj hns_obj;
struct hns_obj {
    hns_kind kind;
    zh_refcount ref;
    uintptr_t handle;     /* the public handle value; set once, before anyone else sees it */
    hns_service *svc;     /* a reference */
    void *raw;            /* the HCN handle (NULL for attachments) */
    char id[ZH_GUID_BUFSIZE];
    void (*dtor)(hns_obj *o); /* attachments: frees what the object holds */
};

/* Registers an object the caller allocated (hns_obj first; freed with free()) as a handle:
 * sets kind, ref, svc (a new reference), raw, id and handle. On success the object has two
 * references: the handle's and the caller's (drop it with hns_obj_release). -1 with an error
 * when the table is full (then nothing was taken: the caller still owns o and raw). */
int hns_obj_add(hns_obj *o, hns_service *svc, hns_kind kind, void *raw, const zh_guid *id, const char *function,
                zh_error **err);

/* A new object around an open HCN handle, registered, with a reference for the caller (as
 * hns_obj_add). On failure the HCN handle is closed and *out is NULL. */
int hns_obj_new(hns_obj **out, hns_service *svc, hns_kind kind, void *raw, const zh_guid *id, const char *function,
                zh_error **err);
/* The live object handle `h` names, of `kind`, with a reference for the caller (release it
 * with hns_obj_release), or NULL with an error: INVALID_ARGUMENT for NULL or a zhns handle of
 * another kind ("a zhns_endpoint was passed where a zhns_network belongs"), CLOSED for a
 * value that is not (or no longer) a live handle. */
hns_obj *hns_obj_acquire(const void *h, hns_kind kind, const char *function, zh_error **err);
void hns_obj_release(hns_obj *o);
/* A public _close: ends handle `h` and drops its reference; a value that is not a live
 * handle of `kind` (NULL, closed, bogus, another kind) is ignored. */
void hns_obj_close_handle(const void *h, hns_kind kind);
/* Ends the handle of an object the caller holds (if it is still live) and drops the
 * caller's reference: the end of an internal object's life. Accepts NULL. */
void hns_obj_close(hns_obj *o);
/* The id of a live handle of `kind`, or "" (getters). */
const char *hns_obj_id(const void *h, hns_kind kind);

/* Hands a new object to a public out-parameter: its handle value, and the caller's
 * reference dropped (the handle keeps the object). */
uintptr_t hns_obj_publish(hns_obj *o);

/* ---- the generic operations of every family ---- */
/* Create and open return the object with a reference for the caller (hns_obj_new). */
int hns_obj_create(hns_obj **out, hns_service *svc, hns_kind kind, hns_obj *network, const char *settings,
                   const char *function, zh_error **err);
int hns_obj_open(hns_obj **out, hns_service *svc, hns_kind kind, const char *id, const char *function,
                 zh_error **err);
/* Deletes by id; not found is success. */
int hns_obj_delete(hns_service *svc, hns_kind kind, const char *id, const char *function, zh_error **err);
/* `doc_type` is the schema type the request is checked against (NULL: JSON only). */
int hns_obj_modify(hns_obj *o, const char *request, const char *doc_type, const char *function, zh_error **err);
/* `query` NULL: the default query. *out: the raw properties text. */
int hns_obj_query(char **out, hns_obj *o, const char *query, const char *function, zh_error **err);
int hns_obj_list(char ***ids, size_t *count, hns_service *svc, hns_kind kind, const char *query, const char *function,
                 zh_error **err);

/* The same for public callers, taking the public service handle (checked and held for the
 * call). `out` NULL is the INVALID_ARGUMENT "out is NULL"; on failure *out is 0. */
int hns_create(uintptr_t *out, const zhns_service *svc, hns_kind kind, const char *settings, const char *function,
               zh_error **err);
int hns_open_by_name(uintptr_t *out, const zhns_service *svc, hns_kind kind, const char *name, const char *function,
                     zh_error **err);
int hns_open(uintptr_t *out, const zhns_service *svc, hns_kind kind, const char *id, const char *function,
             zh_error **err);
int hns_delete(const zhns_service *svc, hns_kind kind, const char *id, const char *function, zh_error **err);
int hns_list(char ***ids, size_t *count, const zhns_service *svc, hns_kind kind, const char *query,
             const char *function, zh_error **err);
/* The same with a typed query (NULL: all). */
int hns_list_query(char ***ids, size_t *count, const zhns_service *svc, hns_kind kind,
                   const zhns_HostComputeQuery *query, const char *function, zh_error **err);

/* The public wrappers of a handle's call: acquire, run, release. */
#define HNS_ACQUIRE(var, h, kind, fn, err)                       \
    hns_obj *var = hns_obj_acquire((const void *)(h), (kind), (fn), (err)); \
    if (!var)                                                    \
        return -1

/* ---- what several modules need on an internal service ---- */
/* vmcompute.dll's HNSCall (the v1 API): the answer's Output as JSON text (malloc'ed), or -1
 * with the answer's Error. */
int hns_v1_call(hns_service *svc, const char *method, const char *path, char **output, const char *function,
                zh_error **err);
int hns_version_get(zhns_hns_version *out, hns_service *svc, const char *function, zh_error **err);
int hns_feature_require(hns_service *svc, zhns_feature feature, const char *function, zh_error **err);
int hns_adapter_find_primary(char **name, hns_service *svc, const char *override_name, const char *function,
                             zh_error **err);

/* ---- helpers around raw calls ---- */
/* {"SchemaVersion":{"Major":2,"Minor":0},"Flags":0} */
extern const char hns_default_query[];

/* Checks a caller's document: not NULL, at most ZHNS_DOCUMENT_MAX bytes, JSON, and - when
 * `doc_type` is not NULL - of that schema type (lenient: unknown members are fine).
 * `what` names the argument. 0 or -1. */
int hns_check_doc(const char *doc, const char *what, const char *doc_type, const char *function, zh_error **err);

/* UTF-8 -> a new UTF-16 string for a raw call (free with free()); NULL with an error. */
zh_wchar *hns_wide(const char *s, const char *what, const char *function, zh_error **err);

/* After a raw call that returns an ErrorRecord: frees the record (on every path) and
 * returns 0 when `hr` succeeded and the record is empty, else -1 with an error naming
 * `function` (the raw call) and carrying HCN's message and record. */
int hns_result(hns_service *svc, zh_hresult hr, zh_wchar *record, const char *function, zh_error **err);

/* A raw out-string -> UTF-8 (*out, caller frees); frees `w` on every path. A NULL `w` is
 * an error naming `function` (the service answered nothing). */
int hns_take(hns_service *svc, zh_wchar *w, char **out, const char *function, zh_error **err);

/* Parses an id argument: NULL, invalid UTF-8 or not a GUID is INVALID_ARGUMENT naming `what`.
 * `canon` (may be NULL) receives the lower-case form. */
int hns_parse_id(const char *id, zh_guid *out, char canon[ZH_GUID_BUFSIZE], const char *what, const char *function,
                 zh_error **err);

/* A JSON array of GUID strings -> a list of lower-case ids (free with zhns_strings_free). */
int hns_ids_from_json(const char *json, char ***ids, size_t *count, const char *function, zh_error **err);

/* The name of raw entry `id` ("HcnCreateNetwork"). */
const char *hns_raw_name(size_t id);

/* An INVALID_ARGUMENT error "function: what". Returns -1. */
int hns_bad_arg(zh_error **err, const char *function, const char *fmt, ...) ZH_PRINTF(3, 4);

/* Is this error "the object does not exist"? */
bool hns_is_not_found(const zh_error *e);
/* Does `e` say that an object of `kind` does not exist? Only that family's own not-found
 * code (HCN_E_NETWORK_NOT_FOUND for networks, HCN_E_ENDPOINT_NOT_FOUND for endpoints) or
 * the generic ERROR_NOT_FOUND: another family's (HCN_E_PORT_NOT_FOUND on an endpoint
 * delete, say) is a failure, not a sign that the object is gone. */
bool hns_is_gone(hns_kind kind, const zh_error *e);

/* ---- the host facts outside computenetwork.dll (hns_win32.c on Windows) ---- */
#include "zh_svc_host.h"
/* Keeps computenetwork.dll mapped for the life of the process (Windows; nothing elsewhere). */
void hns_pin_hcn_module(void);
/* GetAdaptersAddresses -> a list (zh_host_adapters_free). Off Windows UNSUPPORTED. */
int hns_host_adapters(zh_host_adapter **out, size_t *n, const char *function, zh_error **err);
/* vmcompute.dll's HNSCall and the free function of its responses. Off Windows UNSUPPORTED. */
int hns_host_hnscall(zh_svc_hnscall_fn *call, zh_raw_free_fn *free_response, const char *function, zh_error **err);

#endif

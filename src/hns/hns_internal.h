/* hns_internal.h - what the zhns modules share: the service's insides, the handle objects
 * and their table of live handles, and the helpers around every raw HCN call. */
#ifndef ZHNS_hns_INTERNAL_H
#define ZHNS_hns_INTERNAL_H

#include <stdbool.h>

#include <zhns/zhns.h>

#include "zh_error.h"
#include "zh_guid.h"
#include "zh_hresult.h"
#include "zh_raw.h"
#include "zh_svc.h"
#include "zh_thread.h"

struct zhns_service {
    zh_refcount ref;
    zh_svc *svc;
    zh_raw_lib *lib;           /* the raw table: win32 DLL or simulator */
    zh_mutex lock;             /* guards the cached HNS version */
    bool version_known;
    zhns_hns_version version;
};

/* Takes a reference for an object that keeps the service alive; zhns_service_close drops it. */
zhns_service *hns_service_ref(zhns_service *svc);

/* ---- handle objects ---- */
typedef enum hns_kind {
    HNS_NETWORK = 0,
    HNS_ENDPOINT,
    HNS_NAMESPACE,
    HNS_LOADBALANCER,
    HNS_ROUTE,
    HNS_ATTACHMENT, /* not an HCN family: a zhns_attachment, kept in the same table */
    HNS_KIND_COUNT
} hns_kind;

/* The raw entries of one object family and the names used in messages. */
typedef struct hns_kind_info {
    const char *name;     /* "network" */
    const char *type;     /* the public type, "zhns_network" */
    const char *schema;   /* the document type, "HostComputeNetwork" */
    size_t enumerate, create, open, modify, query, del, close; /* ZH_HCN_ID_* */
} hns_kind_info;

extern const hns_kind_info hns_kinds[HNS_KIND_COUNT];

/* Every public handle (zhns_network, zhns_endpoint, ...) is one of these. A handle lives in
 * the table of live handles from creation until its _close; `ref` counts the creator's
 * reference plus every call in flight, and the last one closes the HCN handle. */
typedef struct hns_obj hns_obj;
struct hns_obj {
    hns_kind kind;
    zh_refcount ref;
    zhns_service *svc;    /* a reference */
    void *raw;            /* the HCN handle (NULL for attachments) */
    char id[ZH_GUID_BUFSIZE];
    void (*dtor)(hns_obj *o); /* attachments: frees what the object holds */
};

/* Enters an object the caller allocated (hns_obj first; freed with free()) in the table:
 * sets kind, ref, svc (a new reference), raw and id. 0, or -1 with an error (then nothing
 * was taken: the caller still owns o and raw). */
int hns_obj_add(hns_obj *o, zhns_service *svc, hns_kind kind, void *raw, const zh_guid *id, const char *function,
                zh_error **err);

/* A new object around an open HCN handle (takes a service reference), entered in the
 * table. On failure the HCN handle is closed and *out is NULL. */
int hns_obj_new(hns_obj **out, zhns_service *svc, hns_kind kind, void *raw, const zh_guid *id, const char *function,
                zh_error **err);
/* The live object `p` of `kind` with a reference for the caller (release it with
 * hns_obj_release), or NULL with an error: INVALID_ARGUMENT for NULL or another kind,
 * CLOSED for a pointer that is not (or no longer) a live handle. */
hns_obj *hns_obj_acquire(const void *p, hns_kind kind, const char *function, zh_error **err);
void hns_obj_release(hns_obj *o);
/* Takes `p` out of the table and drops the creator's reference; a pointer that is not a
 * live handle of `kind` is ignored. */
void hns_obj_close(const void *p, hns_kind kind);
/* The id of a live handle, or "" (getters). */
const char *hns_obj_id(const void *p, hns_kind kind);

/* ---- the generic operations of every family ---- */
int hns_obj_create(hns_obj **out, zhns_service *svc, hns_kind kind, hns_obj *network, const char *settings,
                   const char *function, zh_error **err);
int hns_obj_open(hns_obj **out, zhns_service *svc, hns_kind kind, const char *id, const char *function,
                 zh_error **err);
/* Deletes by id; not found is success. */
int hns_obj_delete(zhns_service *svc, hns_kind kind, const char *id, const char *function, zh_error **err);
/* `doc_type` is the schema type the request is checked against (NULL: JSON only). */
int hns_obj_modify(hns_obj *o, const char *request, const char *doc_type, const char *function, zh_error **err);
/* `query` NULL: the default query. *out: the raw properties text. */
int hns_obj_query(char **out, hns_obj *o, const char *query, const char *function, zh_error **err);
int hns_list(char ***ids, size_t *count, zhns_service *svc, hns_kind kind, const char *query, const char *function,
             zh_error **err);
/* The same with a typed query (NULL: all). */
int hns_list_query(char ***ids, size_t *count, zhns_service *svc, hns_kind kind, const zhns_HostComputeQuery *query,
                   const char *function, zh_error **err);

/* The public wrappers of a handle's call: acquire, run, release. */
#define HNS_ACQUIRE(var, ptr, kind, fn, err)                 \
    hns_obj *var = hns_obj_acquire((ptr), (kind), (fn), (err)); \
    if (!var)                                                \
        return -1

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
int hns_result(zhns_service *svc, zh_hresult hr, zh_wchar *record, const char *function, zh_error **err);

/* A raw out-string -> UTF-8 (*out, caller frees); frees `w` on every path. A NULL `w` is
 * an error naming `function` (the service answered nothing). */
int hns_take(zhns_service *svc, zh_wchar *w, char **out, const char *function, zh_error **err);

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

/* ---- the host facts outside computenetwork.dll (hns_win32.c on Windows) ---- */
#include "zh_svc_host.h"
/* GetAdaptersAddresses -> a list (zh_host_adapters_free). Off Windows UNSUPPORTED. */
int hns_host_adapters(zh_host_adapter **out, size_t *n, const char *function, zh_error **err);
/* vmcompute.dll's HNSCall and the free function of its responses. Off Windows UNSUPPORTED. */
int hns_host_hnscall(zh_svc_hnscall_fn *call, zh_raw_free_fn *free_response, const char *function, zh_error **err);

#endif

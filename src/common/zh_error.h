/* SPDX-License-Identifier: MIT */
/* zh_error.h - the one error value every zhcs/zhns call reports.
 *
 * An error carries the HRESULT, a category derived from it (or set explicitly), a
 * human-readable message (from HCS's ResultError document or HCN's ErrorRecord when there
 * is one), the name of the call that failed, and the raw error/result document text.
 *
 * Errors are reported through an out-parameter that comes last (`zh_error **err`, may be
 * NULL). A function that fails sets *err to a new error; the caller frees it with
 * zh_error_free(). Creating an error never fails: when memory runs out, a static
 * out-of-memory error is handed back instead (zh_error_free() ignores it).
 */
#ifndef ZH_ERROR_H
#define ZH_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#include "zh_compat.h"
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Categories only ever grow; the numbers are stable. */
typedef enum zh_category {
    ZH_CAT_NONE = 0,            /* success */
    ZH_CAT_OTHER = 1,           /* a failure that fits no other category */
    ZH_CAT_NOT_FOUND = 2,       /* system, process, network, endpoint ... does not exist */
    ZH_CAT_ALREADY_EXISTS = 3,  /* an object with that id/name/address already exists */
    ZH_CAT_ALREADY_STOPPED = 4, /* the system or process has already stopped */
    ZH_CAT_INVALID_STATE = 5,   /* the object is in the wrong state for the request */
    ZH_CAT_ACCESS_DENIED = 6,   /* the caller lacks the rights (administrator / Hyper-V admins) */
    ZH_CAT_INVALID_ARGUMENT = 7,/* a bad argument: id, address, prefix, UTF-8 text ... */
    ZH_CAT_INVALID_JSON = 8,    /* a document is not valid JSON or does not fit the schema */
    ZH_CAT_TIMEOUT = 9,         /* a bounded wait ran out; the operation may still be running */
    ZH_CAT_CANCELLED = 10,      /* the operation was cancelled */
    ZH_CAT_UNSUPPORTED = 11,    /* not on this build: missing DLL/export, OS too old, not Windows */
    ZH_CAT_SERVICE_UNAVAILABLE = 12, /* the service is not running or cannot be reached */
    ZH_CAT_DISCONNECTED = 13,   /* the service went away while the call was in flight */
    ZH_CAT_OUT_OF_MEMORY = 14,
    ZH_CAT_CLOSED = 15          /* the handle was closed or is no longer valid */
} zh_category;

#define ZH_CAT_COUNT 16

typedef struct zh_error zh_error;

/* Creation. `function` names the failed call (e.g. "HcsCreateComputeSystem"); may be NULL.
 * The category is derived from `hresult` (zh_hresult_category). */
zh_error *zh_error_new(int32_t hresult, const char *function, const char *fmt, ...) ZH_PRINTF(3, 4);
zh_error *zh_error_newv(int32_t hresult, zh_category category, const char *function,
                        const char *fmt, va_list ap) ZH_PRINTF(4, 0);

/* A copy of `e` (the static out-of-memory error stays itself). */
zh_error *zh_error_dup(const zh_error *e);
/* A copy with its message prefixed and (when not NULL) another function name. */
zh_error *zh_error_prefixed(const zh_error *e, const char *function, const char *prefix);

/* Reporting into an out-parameter. No-ops when `err` is NULL; an error already in *err is
 * freed and replaced. Always return -1 so that `return zh_error_set(...)` reads naturally. */
int zh_error_set(zh_error **err, int32_t hresult, const char *function, const char *fmt, ...) ZH_PRINTF(4, 5);
int zh_error_set_cat(zh_error **err, int32_t hresult, zh_category category, const char *function,
                     const char *fmt, ...) ZH_PRINTF(5, 6);

/* Which document a failed call handed back. */
typedef enum zh_errdoc_kind {
    ZH_ERRDOC_HCS_RESULT = 1, /* HCS result document; on failure maybe a ResultError */
    ZH_ERRDOC_HCN_RECORD = 2  /* HCN ErrorRecord */
} zh_errdoc_kind;

/* Reports a failed call together with the document it returned (may be NULL or empty).
 * The message comes from the document when its shape is known, else it is the raw text;
 * the raw text is always kept as the error's document. When `hresult` is a success code
 * (HCN: a non-empty ErrorRecord with S_OK is still a failure), the document's own error
 * code is used, or E_FAIL when it has none. */
int zh_error_set_doc(zh_error **err, int32_t hresult, const char *function, zh_errdoc_kind kind,
                     const char *document);

/* Moves `e` into *err (or frees it when err is NULL). Returns -1. */
int zh_error_put(zh_error **err, zh_error *e);

void zh_error_free(zh_error *e); /* accepts NULL and the static out-of-memory error */

/* Accessors; the strings are owned by the error and never NULL ("" when absent),
 * except zh_error_document(), which is NULL when no document came back. */
int32_t zh_error_hresult(const zh_error *e);
zh_category zh_error_category(const zh_error *e);
const char *zh_error_message(const zh_error *e);
const char *zh_error_function(const zh_error *e);
const char *zh_error_document(const zh_error *e);

/* "HcsStartComputeSystem: HCS_E_INVALID_STATE (0x80370105): <message>", truncated to fit.
 * Returns the length the full text would have (like snprintf). */
size_t zh_error_format(const zh_error *e, char *buf, size_t size);

/* "not-found", "already-exists", ... ; "unknown" outside the enum. */
const char *zh_category_name(zh_category category);

/* The static out-of-memory error (for tests). */
const zh_error *zh_error_oom(void);

#ifdef __cplusplus
}
#endif
#endif /* ZH_ERROR_H */

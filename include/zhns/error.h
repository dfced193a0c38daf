/* SPDX-License-Identifier: MIT */
/* zhns/error.h - the error value every zhns call reports.
 *
 * Calls take `zhns_error **err` as their last parameter (NULL when the caller does not want
 * details). On failure *err receives a new error; free it with zhns_error_free(). The
 * error carries the HRESULT, a category, the service's own message when it gave one, the
 * name of the call that failed and the raw ErrorRecord. See docs/errors.md.
 */
#ifndef ZHNS_ERROR_H
#define ZHNS_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include <zhns/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zh_error zhns_error;

/* Categories only ever grow; the numbers are stable. */
typedef enum zhns_error_category {
    ZHNS_ERROR_NONE = 0,
    ZHNS_ERROR_OTHER = 1,
    ZHNS_ERROR_NOT_FOUND = 2,
    ZHNS_ERROR_ALREADY_EXISTS = 3,
    ZHNS_ERROR_ALREADY_STOPPED = 4,
    ZHNS_ERROR_INVALID_STATE = 5,
    ZHNS_ERROR_ACCESS_DENIED = 6,
    ZHNS_ERROR_INVALID_ARGUMENT = 7,
    ZHNS_ERROR_INVALID_JSON = 8,
    ZHNS_ERROR_TIMEOUT = 9,
    ZHNS_ERROR_CANCELLED = 10,
    ZHNS_ERROR_UNSUPPORTED = 11,
    ZHNS_ERROR_SERVICE_UNAVAILABLE = 12,
    ZHNS_ERROR_DISCONNECTED = 13,
    ZHNS_ERROR_OUT_OF_MEMORY = 14,
    ZHNS_ERROR_CLOSED = 15
} zhns_error_category;

ZHNS_API int32_t zhns_error_hresult(const zhns_error *err);
ZHNS_API zhns_error_category zhns_error_category_of(const zhns_error *err);
/* Never NULL ("" when absent), owned by the error. */
ZHNS_API const char *zhns_error_message(const zhns_error *err);
ZHNS_API const char *zhns_error_function(const zhns_error *err);
/* The raw error/result document, or NULL when none came back. */
ZHNS_API const char *zhns_error_document(const zhns_error *err);
/* One line: "Function: NAME (0xHRESULT): message"; like snprintf. */
ZHNS_API size_t zhns_error_format(const zhns_error *err, char *buf, size_t size);
ZHNS_API void zhns_error_free(zhns_error *err);

/* "not-found", "already-stopped", ... */
ZHNS_API const char *zhns_error_category_name(zhns_error_category category);
/* strerror-style name of an HRESULT ("HCN_E_INVALID_JSON"), or NULL when unknown. */
ZHNS_API const char *zhns_hresult_name(int32_t hresult);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_ERROR_H */

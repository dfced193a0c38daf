/* SPDX-License-Identifier: MIT */
/* zhcs/error.h - the error value every zhcs call reports.
 *
 * Calls take `zhcs_error **err` as their last parameter (NULL when the caller does not want
 * details). On failure *err receives a new error; free it with zhcs_error_free(). The
 * error carries the HRESULT, a category, the service's own message when it gave one, the
 * name of the call that failed and the raw ResultError document. See docs/errors.md.
 */
#ifndef ZHCS_ERROR_H
#define ZHCS_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include <zhcs/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zh_error zhcs_error;

/* Categories only ever grow; the numbers are stable. */
typedef enum zhcs_error_category {
    ZHCS_ERROR_NONE = 0,
    ZHCS_ERROR_OTHER = 1,
    ZHCS_ERROR_NOT_FOUND = 2,
    ZHCS_ERROR_ALREADY_EXISTS = 3,
    ZHCS_ERROR_ALREADY_STOPPED = 4,
    ZHCS_ERROR_INVALID_STATE = 5,
    ZHCS_ERROR_ACCESS_DENIED = 6,
    ZHCS_ERROR_INVALID_ARGUMENT = 7,
    ZHCS_ERROR_INVALID_JSON = 8,
    ZHCS_ERROR_TIMEOUT = 9,
    ZHCS_ERROR_CANCELLED = 10,
    ZHCS_ERROR_UNSUPPORTED = 11,
    ZHCS_ERROR_SERVICE_UNAVAILABLE = 12,
    ZHCS_ERROR_DISCONNECTED = 13,
    ZHCS_ERROR_OUT_OF_MEMORY = 14,
    ZHCS_ERROR_CLOSED = 15
} zhcs_error_category;

ZHCS_API int32_t zhcs_error_hresult(const zhcs_error *err);
ZHCS_API zhcs_error_category zhcs_error_category_of(const zhcs_error *err);
/* Never NULL ("" when absent), owned by the error. */
ZHCS_API const char *zhcs_error_message(const zhcs_error *err);
ZHCS_API const char *zhcs_error_function(const zhcs_error *err);
/* The raw error/result document, or NULL when none came back. */
ZHCS_API const char *zhcs_error_document(const zhcs_error *err);
/* One line: "Function: NAME (0xHRESULT): message"; like snprintf. */
ZHCS_API size_t zhcs_error_format(const zhcs_error *err, char *buf, size_t size);
ZHCS_API void zhcs_error_free(zhcs_error *err);

/* "not-found", "already-stopped", ... */
ZHCS_API const char *zhcs_error_category_name(zhcs_error_category category);
/* strerror-style name of an HRESULT ("HCS_E_INVALID_JSON"), or NULL when unknown. */
ZHCS_API const char *zhcs_hresult_name(int32_t hresult);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_ERROR_H */

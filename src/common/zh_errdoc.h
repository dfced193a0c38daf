/* SPDX-License-Identifier: MIT */
/* zh_errdoc.h - reading the error documents HCS and HCN hand back.
 *
 * HCS: a failed operation's result document may be a ResultError
 *   {"Error": <HRESULT>, "ErrorMessage": "...", "ErrorEvents": [{"Message": "...", ...}], ...}
 * HCN: every call may return an ErrorRecord, e.g. {"Success": false, "Error": "...",
 *   "ErrorCode": <HRESULT>}. Neither shape is guaranteed, so parsing is lenient: a document
 *   whose shape is unknown yields no message and the caller keeps the raw text.
 */
#ifndef ZH_ERRDOC_H
#define ZH_ERRDOC_H

#include <stdint.h>

#include "zh_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest message taken from a document (bytes, excluding the terminator). */
#define ZH_ERRDOC_MESSAGE_MAX 4096

/* Extracts a message (malloc'd, caller frees) and, when the document states one, its
 * HRESULT (*has_hr set to 1). Returns NULL when no message could be taken from a known
 * shape (not JSON, not an object, no message fields) or on allocation failure. */
char *zh_errdoc_message(zh_errdoc_kind kind, const char *document, int32_t *hr, int *has_hr);

#ifdef __cplusplus
}
#endif
#endif /* ZH_ERRDOC_H */

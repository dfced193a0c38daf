/* SPDX-License-Identifier: MIT */
/* zhcs/service.h - the connection to the Host Compute Service (computecore.dll).
 *
 * Every call goes through a service opened from a URI:
 *   "local"     the real service on this Windows host (the default: NULL means "local");
 *               elsewhere an UNSUPPORTED error that names "sim:";
 *   "sim:"      an in-process simulator, private to this process;
 *   "sim:PATH"  a simulator whose state lives in directory PATH, shared by every process
 *               that opens the same PATH.
 * zhcs and zhns opened on the same simulator see one world. Objects opened through a service
 * keep it alive: closing the service first is safe.
 */
#ifndef ZHCS_SERVICE_H
#define ZHCS_SERVICE_H

#include <stddef.h>

#include <zhcs/error.h>
#include <zhcs/export.h>
#include <zhcs/schema.h> /* zhcs_string_free */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhcs_service zhcs_service;

/* Opens the service at `uri`. 0, or -1 with *err (INVALID_ARGUMENT for an unknown URI,
 * UNSUPPORTED for "local" off Windows or when the DLL is missing). */
ZHCS_API int zhcs_service_open(zhcs_service **out, const char *uri, zhcs_error **err);

/* Drops the caller's reference; accepts NULL. */
ZHCS_API void zhcs_service_close(zhcs_service *svc);

/* The URI the service was opened with ("local", "sim:", "sim:PATH"). */
ZHCS_API const char *zhcs_service_uri(const zhcs_service *svc);

/* Frees what the library hands back: a string, or a list of strings with its count.
 * Both accept NULL. zhcs_string_free is declared once, in zhcs/schema.h (included here). */
ZHCS_API void zhcs_strings_free(char **items, size_t count);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_SERVICE_H */

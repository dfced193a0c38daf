/* SPDX-License-Identifier: MIT */
/* zhns/service.h - the connection to the Host Compute Network service (computenetwork.dll).
 *
 * Every call goes through a service opened from a URI:
 *   "local"     the real service on this Windows host (the default: NULL means "local");
 *               elsewhere an UNSUPPORTED error that names "sim:";
 *   "sim:"      an in-process simulator, private to this process;
 *   "sim:PATH"  a simulator whose state lives in directory PATH, shared by every process
 *               that opens the same PATH.
 * zhcs and zhns opened on the same simulator see one world. Objects opened through a service
 * keep it alive: closing the service first is safe.
 *
 * A zhns_service * is a handle like the object handles (see zhns/network.h): a value the
 * library checks, not an address. Every function that takes a service fails with a CLOSED
 * error naming itself when the service is NULL, closed, or a value that never was a
 * service, and with INVALID_ARGUMENT when it is another zhns handle (a zhns_network *).
 * A call holds the service for its duration, so a close on another thread is safe.
 */
#ifndef ZHNS_SERVICE_H
#define ZHNS_SERVICE_H

#include <stddef.h>

#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/schema.h> /* zhns_string_free */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhns_service zhns_service;

/* The largest JSON document (settings, queries, modify requests) a call accepts, in bytes;
 * a larger one is an INVALID_ARGUMENT error before anything reaches the service. */
#define ZHNS_DOCUMENT_MAX ((size_t)16 << 20)

/* Opens the service at `uri`. 0, or -1 with *err (INVALID_ARGUMENT for an unknown URI,
 * UNSUPPORTED for "local" off Windows or when the DLL is missing). */
ZHNS_API int zhns_service_open(zhns_service **out, const char *uri, zhns_error **err);

/* Ends the caller's handle: later calls with it are CLOSED errors, and a second close (or a
 * close of NULL or of anything that is not a live service) does nothing. Objects opened
 * through the service keep the connection alive until the last of them is closed. */
ZHNS_API void zhns_service_close(zhns_service *svc);

/* The URI the service was opened with ("local", "sim:", "sim:PATH"); owned by the service,
 * valid until its close. "" for NULL or any value that is not a live service. */
ZHNS_API const char *zhns_service_uri(const zhns_service *svc);

/* Frees what the library hands back: a string, or a list of strings with its count.
 * Both accept NULL. zhns_string_free is declared once, in zhns/schema.h (included here). */
ZHNS_API void zhns_strings_free(char **items, size_t count);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_SERVICE_H */

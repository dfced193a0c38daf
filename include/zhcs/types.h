/* SPDX-License-Identifier: MIT */
/* zhcs/types.h - small types every zhcs module uses: timeouts, OS handles, free functions. */
#ifndef ZHCS_TYPES_H
#define ZHCS_TYPES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Timeouts are milliseconds. ZHCS_INFINITE waits without bound; no function uses it unless
 * you pass it. */
#define ZHCS_INFINITE UINT32_MAX

/* The largest document (JSON text, in bytes) a zhcs call accepts: 16 MiB. A larger one, or
 * one that is not valid UTF-8, is INVALID_ARGUMENT before anything reaches HCS; a document
 * that is not JSON is INVALID_JSON. */
#define ZHCS_DOCUMENT_MAX ((size_t)16 << 20)

/* An OS handle the library hands out: a process's stdin/stdout/stderr, or a waitable object
 * for event loops. On Windows a HANDLE (ZHCS_FD_NONE is NULL); elsewhere a file descriptor
 * (ZHCS_FD_NONE is -1). Read and write it with the OS's own calls (ReadFile / read). */
#ifdef _WIN32
typedef void *zhcs_fd;
#define ZHCS_FD_NONE ((zhcs_fd)0)
#else
typedef int zhcs_fd;
#define ZHCS_FD_NONE (-1)
#endif

/* Frees a callback's context once the library guarantees the callback will not run again. */
typedef void (*zhcs_free_fn)(void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_TYPES_H */

/* SPDX-License-Identifier: MIT */
/* zhcs.h - zhcs, a C library for the Windows Host Compute Service (computecore.dll).
 *
 * This header includes the others; it grows module by module.
 */
#ifndef ZHCS_ZHCS_H
#define ZHCS_ZHCS_H

#include <zhcs/enumerate.h>
#include <zhcs/error.h>
#include <zhcs/events.h>
#include <zhcs/image.h>
#include <zhcs/export.h>
#include <zhcs/operation.h>
#include <zhcs/process.h>
#include <zhcs/schema.h>
#include <zhcs/service.h>
#include <zhcs/stats.h>
#include <zhcs/storage.h>
#include <zhcs/system.h>
#include <zhcs/trace.h>
#include <zhcs/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZHCS_VERSION_MAJOR 0
#define ZHCS_VERSION_MINOR 1
#define ZHCS_VERSION_PATCH 0
#define ZHCS_VERSION_STRING "0.1.0"

/* The version of the library actually linked: "MAJOR.MINOR.PATCH". */
ZHCS_API const char *zhcs_version(void);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_ZHCS_H */

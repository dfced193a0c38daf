/* SPDX-License-Identifier: MIT */
/* zhns.h - zhns, a C library for the Windows Host Compute Network service (computenetwork.dll).
 *
 * This header includes the others: the service, networks, endpoints, namespaces, attachments,
 * load balancers, SDN routes, supported features, service notifications and adapters.
 * docs/zhns.md is the tour; each header documents its functions.
 */
#ifndef ZHNS_ZHNS_H
#define ZHNS_ZHNS_H

#include <zhns/adapter.h>
#include <zhns/attach.h>
#include <zhns/endpoint.h>
#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/features.h>
#include <zhns/loadbalancer.h>
#include <zhns/namespace.h>
#include <zhns/network.h>
#include <zhns/notify.h>
#include <zhns/route.h>
#include <zhns/schema.h>
#include <zhns/service.h>
#include <zhns/trace.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZHNS_VERSION_MAJOR 0
#define ZHNS_VERSION_MINOR 1
#define ZHNS_VERSION_PATCH 0
#define ZHNS_VERSION_STRING "0.1.0"

/* The version of the library actually linked: "MAJOR.MINOR.PATCH". */
ZHNS_API const char *zhns_version(void);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_ZHNS_H */

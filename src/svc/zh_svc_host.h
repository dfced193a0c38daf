/* SPDX-License-Identifier: MIT */
/* zh_svc_host.h - what a "sim:" service knows about its host beyond the raw HCN table.
 *
 * Two facts the wrappers need do not come from computenetwork.dll: the host's network
 * adapters (GetAdaptersAddresses on Windows) and the HNS version (vmcompute.dll's HNSCall).
 * For "local" services the wrappers ask Windows themselves; for "sim:" services they ask
 * here, and this file alone passes the question on to the simulator. So the libraries never
 * include the simulator's test header (zh_sim.h): only src/svc does, as it already does to
 * start the simulator.
 */
#ifndef ZH_SVC_HOST_H
#define ZH_SVC_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zh_error.h"
#include "zh_raw.h"
#include "zh_svc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A network adapter as the host reports it. Every string is malloc'd and never NULL except
 * ipv4 and gateway, which are NULL when the adapter has none. */
typedef struct zh_host_adapter {
    char *name;        /* friendly name: "Ethernet" */
    char *description; /* "Intel(R) Ethernet Connection" */
    char *mac;         /* "00-15-5D-01-02-03", or "" */
    bool up;
    bool loopback;
    bool tunnel;
    char *ipv4;        /* "192.168.1.10/24" */
    char *gateway;     /* the IPv4 default gateway */
    uint32_t metric;   /* the interface's IPv4 route metric */
} zh_host_adapter;

void zh_host_adapters_free(zh_host_adapter *list, size_t n); /* accepts NULL */

/* The simulator's adapter list. Only for "sim:" services (else an invalid-state error);
 * `function` names the caller for errors. 0, or -1 with an error. */
int zh_svc_sim_adapters(const zh_svc *svc, zh_host_adapter **out, size_t *n, const char *function,
                        zh_error **err);

/* vmcompute.dll's HNSCall: HRESULT HNSCall(PCWSTR method, PCWSTR path, PCWSTR request, PWSTR *response). */
typedef zh_hresult(ZH_WINAPI *zh_svc_hnscall_fn)(const zh_wchar *method, const zh_wchar *path,
                                                 const zh_wchar *request, zh_wchar **response);

/* The simulator's HNSCall and the function that frees its responses. Only for "sim:"
 * services (else an invalid-state error). 0, or -1 with an error. */
int zh_svc_sim_hnscall(const zh_svc *svc, zh_svc_hnscall_fn *call, zh_raw_free_fn *free_response,
                       const char *function, zh_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZH_SVC_HOST_H */

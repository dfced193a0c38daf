/* SPDX-License-Identifier: MIT */
/* zh_svc.h - opening a service by URI: the raw table behind a zhcs/zhns service handle.
 *
 *   "local"     the real service on this Windows host (computecore.dll / computenetwork.dll
 *               from system32); off Windows an unsupported error that names "sim:".
 *   "sim:"      the in-process simulator, private to the process.
 *   "sim:PATH"  the simulator with its state in directory PATH, shared by every process
 *               that opens it.
 *   NULL or ""  "local".
 *
 * zhcs and zhns opened on the same simulator see one world: the simulator is one per
 * process and counts its users.
 */
#ifndef ZH_SVC_H
#define ZH_SVC_H

#include <stdbool.h>

#include "zh_error.h"
#include "zh_raw.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zh_svc zh_svc;

/* Opens the service `spec` names (zh_raw_hcs_spec or zh_raw_hcn_spec) at `uri`.
 * `function` names the caller for errors ("zhcs_service_open"). */
zh_svc *zh_svc_open(const char *uri, const zh_raw_spec *spec, const char *function, zh_error **err);
void zh_svc_close(zh_svc *svc); /* accepts NULL */

zh_raw_lib *zh_svc_lib(const zh_svc *svc);
/* The URI as given, normalised: "local", "sim:" or "sim:PATH". */
const char *zh_svc_uri(const zh_svc *svc);
bool zh_svc_is_sim(const zh_svc *svc);
/* The simulator behind a sim: service (NULL for local). */
struct zh_sim_api;
const struct zh_sim_api *zh_svc_sim_api(const zh_svc *svc);

#ifdef __cplusplus
}
#endif
#endif /* ZH_SVC_H */

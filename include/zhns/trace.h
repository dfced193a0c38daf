/* SPDX-License-Identifier: MIT */
/* zhns/trace.h - a trace of every raw computenetwork.dll call zhns makes.
 *
 * For chasing a hang or a slow path: with a callback set, each raw call of the Host Compute Network service
 * that this library makes is reported when it returns - its name ("HcnCreateEndpoint"), the object
 * it concerns, its HRESULT and how long it took - as hcsshim logs its HCS operations.
 * Without a callback the cost is one predictable branch per call.
 */
#ifndef ZHNS_TRACE_H
#define ZHNS_TRACE_H

#include <stdint.h>

#include <zhns/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Called once per raw call, after it returned, on the thread that made it - which may be
 * one of the library's or the service's own threads (completions), so possibly on several
 * threads at once:
 *   function     the entry point's name, "HcnCreateEndpoint" (static storage)
 *   object_id    the GUID (lower case, no braces, as zhns reports ids) of the network,
 *                endpoint, namespace, load balancer or route, when the call concerns one
 *                and it is known, else NULL; valid during the callback only
 *   hresult      what the call returned (calls that return a handle report 0, or E_FAIL
 *                0x80004005 for a NULL handle; calls that return nothing report 0)
 *   duration_ns  wall time the call took, in nanoseconds
 * It must not block for long: the call's caller waits for it. */
typedef void (*zhns_trace_fn)(void *context, const char *function, const char *object_id, int32_t hresult,
                                uint64_t duration_ns);

/* Sets the process-wide trace callback of zhns (NULL turns tracing off). Calls in
 * flight when it changes may still be reported to the previous callback. Handles opened
 * before tracing was turned on are reported without their object id. */
ZHNS_API void zhns_set_trace(zhns_trace_fn fn, void *context);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_TRACE_H */

/* SPDX-License-Identifier: MIT */
/* zh_trace.h - tracing of raw calls (zhcs_set_trace, zhns_set_trace).
 *
 * With a callback set for a table (HCS or HCN), zh_raw_get hands out a trampoline instead
 * of the entry point: it times the call, works out the object it concerns and reports
 * name, object id, HRESULT and duration. The entry point the trampoline calls is the one
 * zh_raw_get found last for that entry on the calling thread (a thread-local slot), so a
 * pointer must be called on the thread that got it, before that thread gets the same
 * entry of another backend - which is how the wrappers use them. Without a callback,
 * zh_raw_get pays one relaxed atomic load and a branch.
 */
#ifndef ZH_TRACE_H
#define ZH_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "zh_raw.h"
#include "zh_thread.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*zh_trace_fn)(void *context, const char *function, const char *object_id, int32_t hresult,
                            uint64_t duration_ns);

/* Sets (fn NULL: clears) the callback for the calls of one table. */
void zh_trace_set(const zh_raw_spec *spec, zh_trace_fn fn, void *context);

/* 0: HCS, 1: HCN. Non-zero while a callback is set. */
extern zh_atomic zh_trace_flags[2];

static inline int zh_trace_enabled(const zh_raw_spec *spec)
{
    zh_atomic *a = &zh_trace_flags[spec == &zh_raw_hcn_spec];
#ifdef _WIN32
    return a->value != 0;
#else
    return atomic_load_explicit(&a->value, memory_order_relaxed) != 0;
#endif
}

/* The trampoline for entry `id` of `spec`, remembering `real` for this thread. */
zh_raw_fnptr zh_trace_wrap(const zh_raw_spec *spec, size_t id, zh_raw_fnptr real);

#ifdef __cplusplus
}
#endif
#endif /* ZH_TRACE_H */

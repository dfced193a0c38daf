/* SPDX-License-Identifier: MIT */
/* hcs_trace.c - zhcs_set_trace: the raw-call trace of the HCS table (src/raw/zh_trace.c). */
#include <zhcs/trace.h>

#include "zh_trace.h"

void zhcs_set_trace(zhcs_trace_fn fn, void *context)
{
    zh_trace_set(&zh_raw_hcs_spec, fn, context);
}

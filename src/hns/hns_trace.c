/* SPDX-License-Identifier: MIT */
/* hns_trace.c - zhns_set_trace: the raw-call trace of the HCN table (src/raw/zh_trace.c). */
#include <zhns/trace.h>

#include "zh_trace.h"

void zhns_set_trace(zhns_trace_fn fn, void *context)
{
    zh_trace_set(&zh_raw_hcn_spec, fn, context);
}

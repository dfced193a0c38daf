/* SPDX-License-Identifier: MIT */
/* bench_simdjson.h - the C side of bench_simdjson.cpp (ZH_BENCH_SIMDJSON builds only). */
#ifndef ZH_BENCH_SIMDJSON_H
#define ZH_BENCH_SIMDJSON_H

#include <stddef.h>

/* Padded copies of the documents and one reusable parser (simdjson's intended use). */
void *zh_bench_simdjson_new(const char *const *texts, const size_t *lens, size_t count);
/* Parses every document once (DOM, fully validated); 0, or -1 when one fails. */
int zh_bench_simdjson_round(void *handle);
void zh_bench_simdjson_free(void *handle);

#endif

/* SPDX-License-Identifier: MIT */
/* schema_samples.h - the generated sample documents (tests/generated/schema_samples.c). */
#ifndef ZH_SCHEMA_SAMPLES_H
#define ZH_SCHEMA_SAMPLES_H

#include <stddef.h>

typedef struct zh_schema_sample {
    const char *type; /* "hcs:ComputeSystem" */
    const char *json;
} zh_schema_sample;

extern const zh_schema_sample zh_schema_samples[];
extern const size_t zh_schema_sample_count;

#endif

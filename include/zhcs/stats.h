/* SPDX-License-Identifier: MIT */
/* zhcs/stats.h - resource usage of a running system, from HCS Statistics samples.
 *
 * Take a sample now and later (zhcs_system_statistics), then compute CPU, memory and storage
 * figures between the two (zhcs_stats_compute). A system that is stopping or gone is "not
 * running" (ZHCS_STATS_NOT_RUNNING), not a failure.
 */
#ifndef ZHCS_STATS_H
#define ZHCS_STATS_H

#include <stdint.h>

#include <zhcs/error.h>
#include <zhcs/export.h>
#include <zhcs/schema.h>
#include <zhcs/system.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZHCS_STATS_NOT_RUNNING 1

/* 0 with *out (free with zhcs_Statistics_free); ZHCS_STATS_NOT_RUNNING (1) with *out NULL
 * when the system has stopped or is stopping; -1 with *err otherwise. */
ZHCS_API int zhcs_system_statistics(zhcs_Statistics **out, zhcs_system *sys, uint32_t timeout_ms, zhcs_error **err);

typedef struct zhcs_stats {
    double interval_s;             /* time between the samples */
    double cpu_percent_host;       /* of all `host_processors` */
    double cpu_percent_container;  /* of the container's own `container_processors` */
    uint64_t cpu_total_100ns;      /* CPU time in the interval */
    uint64_t memory_commit_bytes;  /* at the second sample */
    uint64_t memory_commit_peak_bytes;
    uint64_t memory_working_set_bytes;
    double read_bytes_per_s;
    double write_bytes_per_s;
    double read_ops_per_s;
    double write_ops_per_s;
    uint64_t uptime_100ns;         /* at the second sample */
} zhcs_stats;

/* Computes the figures between two samples of one system. Processor counts of 0 mean 1.
 * INVALID_ARGUMENT when the samples lack Uptime100ns and Timestamps or go backwards
 * (e.g. a restarted system). */
ZHCS_API int zhcs_stats_compute(zhcs_stats *out, const zhcs_Statistics *before, const zhcs_Statistics *after,
                                uint32_t host_processors, uint32_t container_processors, zhcs_error **err);

/* The number of logical processors of this host (at least 1). */
ZHCS_API uint32_t zhcs_host_processors(void);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_STATS_H */

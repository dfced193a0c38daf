/* SPDX-License-Identifier: MIT */
/* hcs_stats.c - Statistics samples and the rates between two of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcs_internal.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <unistd.h>
#endif

/* Failures that mean "stopping or stopped" when a stats query races the system's end. */
static bool not_running(const zh_error *e)
{
    zh_category c = zh_error_category(e);
    return c == ZH_CAT_ALREADY_STOPPED || c == ZH_CAT_NOT_FOUND || c == ZH_CAT_INVALID_STATE ||
           zh_error_hresult(e) == ZH_E_HANDLE || zh_error_hresult(e) == HCS_E_TERMINATED ||
           zh_error_hresult(e) == HCS_E_UNEXPECTED_EXIT;
}

int zhcs_system_statistics(zhcs_Statistics **out, zhcs_system *sys, uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_system_statistics";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    int exited = zhcs_system_exited(sys);
    if (exited < 0)
        return zh_error_set_cat(err, ZH_E_HANDLE, ZH_CAT_CLOSED, fn,
                                sys ? "the system handle is closed or not a system" : "the system is NULL");
    if (exited)
        return ZHCS_STATS_NOT_RUNNING;
    zh_error *e = NULL;
    zhcs_Properties *p = NULL;
    zhcs_System_PropertyType types[1] = {ZHCS_SYSTEM_PROPERTYTYPE_STATISTICS};
    zhcs_System_PropertyQuery q;
    memset(&q, 0, sizeof q);
    q.PropertyTypes = types;
    q.PropertyTypes_count = 1;
    if (zhcs_system_properties(&p, sys, &q, timeout_ms, &e) < 0) {
        if (not_running(e)) {
            zh_error_free(e);
            return ZHCS_STATS_NOT_RUNNING;
        }
        zh_error_put(err, e);
        return -1;
    }
    int rc = 0;
    if ((p->has_State && (p->State == ZHCS_STATE_STOPPED)) || !p->Statistics) {
        rc = p->Statistics ? ZHCS_STATS_NOT_RUNNING
                           : (p->has_State && p->State != ZHCS_STATE_RUNNING && p->State != ZHCS_STATE_PAUSED)
                                 ? ZHCS_STATS_NOT_RUNNING
                                 : zh_error_set_cat(err, ZH_E_FAIL, ZH_CAT_OTHER, fn,
                                                    "HCS answered without a Statistics section");
    } else {
        /* hand the Statistics subtree out as a document of its own */
        char *json = zhcs_Statistics_emit(p->Statistics, err);
        *out = json ? zhcs_Statistics_parse(json, ZHCS_NUL_TERMINATED, err) : NULL;
        free(json);
        rc = *out ? 0 : -1;
    }
    zhcs_Properties_free(p);
    return rc;
}

/* Seconds since the epoch of an ISO 8601 time "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm)". */
static int parse_time(const char *s, double *out)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n < 19)
        return -1;
    const char *p = s + n;
    double frac = 0, scale = 0.1;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            frac += (*p - '0') * scale;
    }
    int offset = 0;
    if (*p == '+' || *p == '-') {
        int oh = 0, om = 0;
        if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
            return -1;
        offset = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
    } else if (*p != 'Z' && *p != 'z' && *p) {
        return -1;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return -1;
    /* days from the civil date (proleptic Gregorian) */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    double days = (double)era * 146097 + doe - 719468;
    *out = days * 86400.0 + h * 3600 + mi * 60 + sec + frac - offset;
    return 0;
}

int zhcs_stats_compute(zhcs_stats *out, const zhcs_Statistics *a, const zhcs_Statistics *b,
                       uint32_t host_processors, uint32_t container_processors, zhcs_error **err)
{
    static const char fn[] = "zhcs_stats_compute";
    if (!out || !a || !b)
        return hcs_null_arg(fn, !out ? "out" : !a ? "the first sample" : "the second sample", err);
    memset(out, 0, sizeof *out);
    double interval = -1;
    if (a->has_Uptime100ns && b->has_Uptime100ns) {
        if (b->Uptime100ns < a->Uptime100ns)
            return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                    "the second sample's uptime is smaller than the first's (a restarted system?)");
        interval = (double)(b->Uptime100ns - a->Uptime100ns) / 1e7;
    } else {
        double ta, tb;
        if (parse_time(a->Timestamp, &ta) < 0 || parse_time(b->Timestamp, &tb) < 0)
            return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                    "the samples have neither Uptime100ns nor readable Timestamps");
        if (tb < ta)
            return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                    "the second sample is older than the first");
        interval = tb - ta;
    }
    out->interval_s = interval;
    if (b->has_Uptime100ns)
        out->uptime_100ns = b->Uptime100ns;
    if (host_processors == 0)
        host_processors = 1;
    if (container_processors == 0)
        container_processors = 1;
    if (a->Processor && b->Processor && a->Processor->has_TotalRuntime100ns && b->Processor->has_TotalRuntime100ns &&
        b->Processor->TotalRuntime100ns >= a->Processor->TotalRuntime100ns) {
        uint64_t cpu = b->Processor->TotalRuntime100ns - a->Processor->TotalRuntime100ns;
        out->cpu_total_100ns = cpu;
        if (interval > 0) {
            double share = (double)cpu / (interval * 1e7);
            out->cpu_percent_host = 100.0 * share / host_processors;
            out->cpu_percent_container = 100.0 * share / container_processors;
        }
    }
    if (b->Memory) {
        out->memory_commit_bytes = b->Memory->has_MemoryUsageCommitBytes ? b->Memory->MemoryUsageCommitBytes : 0;
        out->memory_commit_peak_bytes =
            b->Memory->has_MemoryUsageCommitPeakBytes ? b->Memory->MemoryUsageCommitPeakBytes : 0;
        out->memory_working_set_bytes =
            b->Memory->has_MemoryUsagePrivateWorkingSetBytes ? b->Memory->MemoryUsagePrivateWorkingSetBytes : 0;
    }
    if (a->Storage && b->Storage && interval > 0) {
#define RATE(field) \
    (a->Storage->has_##field && b->Storage->has_##field && b->Storage->field >= a->Storage->field \
         ? (double)(b->Storage->field - a->Storage->field) / interval                             \
         : 0.0)
        out->read_bytes_per_s = RATE(ReadSizeBytes);
        out->write_bytes_per_s = RATE(WriteSizeBytes);
        out->read_ops_per_s = RATE(ReadCountNormalized);
        out->write_ops_per_s = RATE(WriteCountNormalized);
#undef RATE
    }
    return 0;
}

uint32_t zhcs_host_processors(void)
{
#ifdef _WIN32
    DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);
    return n ? (uint32_t)n : 1;
#else
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint32_t)n : 1;
#endif
}

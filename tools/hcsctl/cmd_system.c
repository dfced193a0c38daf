/* SPDX-License-Identifier: MIT */
/* cmd_system.c - hcsctl's compute-system commands: list, inspect, create, start, stop, kill,
 * pause, resume, save, stats, events, wait. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcsctl.h"

#ifdef _WIN32
#include <windows.h>
#define sleep_ms(ms) Sleep(ms)
#else
#include <unistd.h>
static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}
#endif

#define DEFAULT_TIMEOUT_MS 60000u

static const char *exit_type_name(const zhcs_SystemExitStatus *st)
{
    if (!st || !st->has_ExitType)
        return "unknown";
    switch (st->ExitType) {
    case ZHCS_NOTIFICATIONTYPE_GRACEFULEXIT: return "GracefulExit";
    case ZHCS_NOTIFICATIONTYPE_FORCEDEXIT: return "ForcedExit";
    case ZHCS_NOTIFICATIONTYPE_UNEXPECTEDEXIT: return "UnexpectedExit";
    case ZHCS_NOTIFICATIONTYPE_NONE: return "None";
    default: return "Unknown";
    }
}

/* Equal ignoring ASCII case (--state running matches Running). */
static int same_text(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

/* ------------------------------------------------------------------ list */
static int cmd_list(const hcsctl_opts *o, zhcs_service *svc, int argc, char **argv)
{
    const char *ids[64], *owner = NULL, *name = NULL, *type = NULL, *state = NULL, *v = NULL;
    size_t nids = 0;
    for (int i = 0; i < argc; i++) {
        int r;
        if ((r = hcsctl_opt(&i, argc, argv, "--id", &v)) != 0) {
            if (r < 0 || nids == 64)
                return hcsctl_usage_error("--id needs a value (at most 64 of them)");
            ids[nids++] = v;
        } else if ((r = hcsctl_opt(&i, argc, argv, "--owner", &owner)) != 0 ||
                   (r = hcsctl_opt(&i, argc, argv, "--name", &name)) != 0 ||
                   (r = hcsctl_opt(&i, argc, argv, "--type", &type)) != 0 ||
                   (r = hcsctl_opt(&i, argc, argv, "--state", &state)) != 0) {
            if (r < 0)
                return hcsctl_usage_error("%s needs a value", argv[i]);
        } else {
            return hcsctl_usage_error("list: unexpected \"%s\"", argv[i]);
        }
    }
    if (state) { /* a state HCS knows, in any case: a typo must not silently match nothing */
        int known = 0;
        for (int k = ZHCS_STATE_CREATED; k <= ZHCS_STATE_UNKNOWN && !known; k++)
            known = same_text(zhcs_State_name((zhcs_State)k), state);
        if (!known)
            return hcsctl_usage_error("--state is Created, Running, Paused, Stopped, SavedAsTemplate or Unknown (any "
                                      "case), not \"%s\"",
                                      state);
    }
    zhcs_SystemQuery q;
    memset(&q, 0, sizeof q);
    zhcs_SystemType t = ZHCS_SYSTEMTYPE_CONTAINER;
    if (type) {
        if (same_text(type, "container"))
            t = ZHCS_SYSTEMTYPE_CONTAINER;
        else if (same_text(type, "vm") || same_text(type, "VirtualMachine"))
            t = ZHCS_SYSTEMTYPE_VIRTUALMACHINE;
        else
            return hcsctl_usage_error("--type is container or vm, not \"%s\"", type);
        q.Types = &t;
        q.Types_count = 1;
    }
    char *owners[1] = {(char *)owner}, *names[1] = {(char *)name};
    if (owner) {
        q.Owners = owners;
        q.Owners_count = 1;
    }
    if (name) {
        q.Names = names;
        q.Names_count = 1;
    }
    if (nids) {
        q.Ids = (char **)ids;
        q.Ids_count = nids;
    }
    zhcs_system_list *list = NULL;
    zhcs_error *err = NULL;
    if (zhcs_list(&list, svc, (owner || name || type || nids) ? &q : NULL, DEFAULT_TIMEOUT_MS, &err) < 0)
        return hcsctl_fail(o, "cannot list the compute systems", err);
    static const char *const headers[] = {"ID", "TYPE", "STATE", "OWNER", "NAME"};
    hcsctl_table *tbl = hcsctl_table_new(5, headers);
    for (size_t k = 0; k < list->count; k++) {
        const zhcs_system_info *s = &list->items[k];
        if (state && !same_text(s->state, state))
            continue;
        const char *row[] = {s->id, s->system_type, s->state, s->owner, s->name};
        hcsctl_table_add(tbl, row);
    }
    hcsctl_table_print(o, tbl);
    zhcs_system_list_free(list);
    return HCSCTL_OK;
}

/* ------------------------------------------------------------------ one system */
static int open_system(const hcsctl_opts *o, zhcs_service *svc, const char *id, zhcs_system **sys)
{
    zhcs_error *err = NULL;
    if (zhcs_system_open(sys, svc, id, &err) < 0) {
        char what[300];
        snprintf(what, sizeof what, "cannot open \"%.200s\"", id);
        return hcsctl_fail(o, what, err);
    }
    return 0;
}

static int cmd_inspect(const hcsctl_opts *o, zhcs_service *svc, const char *id, int argc, char **argv)
{
    const char *query = NULL;
    for (int i = 0; i < argc; i++) {
        int r = hcsctl_opt(&i, argc, argv, "--query", &query);
        if (r <= 0)
            return hcsctl_usage_error(r < 0 ? "--query needs a value" : "inspect: unexpected \"%s\"", argv[i]);
    }
    hcsctl_buf q = {0};
    if (query) { /* "Statistics,ProcessList" -> {"PropertyTypes":["Statistics","ProcessList"]} */
        hcsctl_buf_puts(&q, "{\"PropertyTypes\":[");
        for (const char *p = query;;) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            int ok = n > 0 && n <= 64;
            for (size_t k = 0; ok && k < n; k++)
                ok = (p[k] >= 'A' && p[k] <= 'Z') || (p[k] >= 'a' && p[k] <= 'z');
            if (!ok) {
                hcsctl_buf_free(&q);
                return hcsctl_usage_error("--query takes property type names separated by commas, e.g. "
                                          "Statistics,ProcessList");
            }
            hcsctl_buf_printf(&q, "%s\"%.*s\"", p == query ? "" : ",", (int)n, p);
            if (!comma)
                break;
            p = comma + 1;
        }
        hcsctl_buf_puts(&q, "]}");
        if (q.oom) {
            hcsctl_buf_free(&q);
            return hcsctl_failf("out of memory");
        }
    }
    zhcs_system *sys = NULL;
    int rc = open_system(o, svc, id, &sys);
    if (rc) {
        hcsctl_buf_free(&q);
        return rc;
    }
    char *doc = NULL;
    zhcs_error *err = NULL;
    if (zhcs_system_properties_json(&doc, sys, query ? q.s : NULL, DEFAULT_TIMEOUT_MS, &err) < 0) {
        rc = hcsctl_fail(o, "cannot read the properties", err);
    } else if (o->json) {
        puts(doc ? doc : "{}");
    } else {
        hcsctl_print_json_pretty(doc ? doc : "{}");
    }
    zhcs_string_free(doc);
    zhcs_system_close(sys);
    hcsctl_buf_free(&q);
    return rc;
}

static int cmd_create(const hcsctl_opts *o, zhcs_service *svc, int argc, char **argv)
{
    if (argc != 2)
        return hcsctl_usage_error("create ID FILE  (FILE: a ComputeSystem document, - for standard input)");
    char *doc = hcsctl_document(argv[1]);
    if (!doc)
        return HCSCTL_FAILED;
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    int rc = HCSCTL_OK;
    char doing[160];
    snprintf(doing, sizeof doing, "creating %.100s", argv[0]);
    hcsctl_progress *pg = hcsctl_progress_begin(o, doing);
    int created = zhcs_system_create_json(&sys, svc, argv[0], doc, DEFAULT_TIMEOUT_MS, &err);
    hcsctl_progress_end(pg);
    if (created < 0) {
        rc = hcsctl_fail(o, "cannot create the system", err);
    } else if (o->json) {
        printf("{\"id\":");
        hcsctl_print_json_string(zhcs_system_id(sys));
        printf(",\"state\":\"Created\"}\n");
    } else {
        printf("created %s\n", zhcs_system_id(sys));
    }
    zhcs_system_close(sys);
    free(doc);
    return rc;
}

typedef int (*lifecycle_fn)(zhcs_system *, const char *, uint32_t, zhcs_error **);

static int start_fn(zhcs_system *sys, const char *options, uint32_t timeout, zhcs_error **err)
{
    (void)options;
    return zhcs_system_start(sys, timeout, err);
}

/* start, pause, resume, save, kill: one call, an optional --options document, --timeout. */
static int cmd_lifecycle(const hcsctl_opts *o, zhcs_service *svc, const char *cmd, const char *id, int argc,
                         char **argv)
{
    const char *options = NULL, *timeout = NULL;
    for (int i = 0; i < argc; i++) {
        int r;
        if ((r = hcsctl_opt(&i, argc, argv, "--options", &options)) == 0 &&
            (r = hcsctl_opt(&i, argc, argv, "--timeout", &timeout)) == 0)
            return hcsctl_usage_error("%s: unexpected \"%s\"", cmd, argv[i]);
        if (r < 0)
            return hcsctl_usage_error("%s needs a value", argv[i]);
    }
    uint32_t ms = DEFAULT_TIMEOUT_MS;
    if (timeout && hcsctl_parse_seconds("--timeout", timeout, HCSCTL_MAX_TIMEOUT_MS, &ms))
        return HCSCTL_USAGE;
    lifecycle_fn fn = strcmp(cmd, "start") == 0    ? start_fn
                      : strcmp(cmd, "pause") == 0  ? zhcs_system_pause
                      : strcmp(cmd, "resume") == 0 ? zhcs_system_resume
                      : strcmp(cmd, "save") == 0   ? zhcs_system_save
                                                   : zhcs_system_terminate;
    char *doc = options ? hcsctl_document(options) : NULL;
    if (options && !doc)
        return HCSCTL_FAILED;
    zhcs_system *sys = NULL;
    int rc = open_system(o, svc, id, &sys);
    zhcs_error *err = NULL;
    if (rc == 0) {
        char doing[160];
        snprintf(doing, sizeof doing, "%s %.100s", cmd, id);
        hcsctl_progress *pg = hcsctl_progress_begin(o, doing);
        int failed = fn(sys, doc, ms, &err) < 0;
        hcsctl_progress_end(pg);
        if (failed) {
            char what[300];
            snprintf(what, sizeof what, "cannot %s \"%.200s\"", strcmp(cmd, "kill") == 0 ? "terminate" : cmd, id);
            rc = hcsctl_fail(o, what, err);
        } else if (o->json) {
            printf("{\"id\":");
            hcsctl_print_json_string(id);
            printf(",\"done\":\"%s\"}\n", cmd);
        } else {
            static const char *const past[][2] = {{"start", "started"}, {"pause", "paused"}, {"resume", "resumed"},
                                                  {"save", "saved"}, {"kill", "killed"}};
            for (size_t k = 0; k < sizeof past / sizeof past[0]; k++)
                if (strcmp(cmd, past[k][0]) == 0)
                    printf("%s %s\n", past[k][1], id);
        }
    }
    zhcs_system_close(sys);
    free(doc);
    return rc;
}

static int cmd_stop(const hcsctl_opts *o, zhcs_service *svc, const char *id, int argc, char **argv)
{
    const char *timeout = NULL;
    int force = 0;
    for (int i = 0; i < argc; i++) {
        int r = hcsctl_opt(&i, argc, argv, "--timeout", &timeout);
        if (r < 0)
            return hcsctl_usage_error("--timeout needs a value");
        if (r == 0 && strcmp(argv[i], "--force") == 0)
            force = 1;
        else if (r == 0)
            return hcsctl_usage_error("stop: unexpected \"%s\"", argv[i]);
    }
    zhcs_stop_options so = ZHCS_STOP_OPTIONS_INIT;
    if (timeout) {
        uint32_t ms = 0;
        if (hcsctl_parse_seconds("--timeout", timeout, HCSCTL_MAX_TIMEOUT_MS, &ms))
            return HCSCTL_USAGE;
        so.shutdown_timeout_ms = so.terminate_timeout_ms = ms;
    }
    so.skip_shutdown = force;
    zhcs_system *sys = NULL;
    int rc = open_system(o, svc, id, &sys);
    if (rc)
        return rc;
    zhcs_error *err = NULL;
    zhcs_SystemExitStatus *st = NULL;
    char doing[160];
    snprintf(doing, sizeof doing, "stopping %.100s", id);
    hcsctl_progress *pg = hcsctl_progress_begin(o, doing);
    int stop_rc = zhcs_system_stop(sys, &so, &err);
    hcsctl_progress_end(pg);
    if (stop_rc < 0) {
        rc = hcsctl_fail(o, "cannot stop the system", err);
    } else {
        zhcs_system_wait(sys, 0, &st, NULL);
        if (o->json) {
            printf("{\"id\":");
            hcsctl_print_json_string(id);
            printf(",\"exit_type\":\"%s\"}\n", exit_type_name(st));
        } else {
            printf("stopped %s (%s)\n", id, exit_type_name(st));
        }
    }
    zhcs_SystemExitStatus_free(st);
    zhcs_system_close(sys);
    return rc;
}

static int cmd_wait(const hcsctl_opts *o, zhcs_service *svc, const char *id, int argc, char **argv)
{
    const char *timeout = NULL;
    for (int i = 0; i < argc; i++) {
        int r = hcsctl_opt(&i, argc, argv, "--timeout", &timeout);
        if (r <= 0)
            return hcsctl_usage_error(r < 0 ? "--timeout needs a value" : "wait: unexpected \"%s\"", argv[i]);
    }
    uint32_t ms = ZHCS_INFINITE;
    if (timeout && hcsctl_parse_seconds("--timeout", timeout, HCSCTL_MAX_TIMEOUT_MS, &ms))
        return HCSCTL_USAGE;
    zhcs_system *sys = NULL;
    int rc = open_system(o, svc, id, &sys);
    if (rc)
        return rc;
    zhcs_error *err = NULL;
    zhcs_SystemExitStatus *st = NULL;
    char doing[160];
    snprintf(doing, sizeof doing, "waiting for %.100s to stop", id);
    hcsctl_progress *pg = hcsctl_progress_begin(o, doing);
    int wait_rc = zhcs_system_wait(sys, ms, &st, &err);
    hcsctl_progress_end(pg);
    if (wait_rc < 0) {
        rc = hcsctl_fail(o, "the system did not stop", err);
    } else if (o->json) {
        char *doc = st ? zhcs_SystemExitStatus_emit(st, NULL) : NULL;
        printf("{\"id\":");
        hcsctl_print_json_string(id);
        printf(",\"exit_type\":\"%s\",\"status\":%s}\n", exit_type_name(st), doc ? doc : "null");
        zhcs_string_free(doc);
    } else {
        printf("%s exited (%s)\n", id, exit_type_name(st));
    }
    zhcs_SystemExitStatus_free(st);
    zhcs_system_close(sys);
    return rc;
}

/* ------------------------------------------------------------------ stats */
static void print_sample(const hcsctl_opts *o, const zhcs_Statistics *s)
{
    if (o->json) {
        char *doc = zhcs_Statistics_emit(s, NULL);
        puts(doc ? doc : "{}");
        zhcs_string_free(doc);
        return;
    }
    char buf[8][64];
    snprintf(buf[0], sizeof buf[0], "%.1f s", s->has_Uptime100ns ? s->Uptime100ns / 1e7 : 0.0);
    snprintf(buf[1], sizeof buf[1], "%.3f s",
             s->Processor && s->Processor->has_TotalRuntime100ns ? s->Processor->TotalRuntime100ns / 1e7 : 0.0);
    hcsctl_format_bytes(buf[2], sizeof buf[2],
                        s->Memory && s->Memory->has_MemoryUsageCommitBytes ? (double)s->Memory->MemoryUsageCommitBytes
                                                                           : 0.0);
    hcsctl_format_bytes(buf[3], sizeof buf[3],
                        s->Memory && s->Memory->has_MemoryUsageCommitPeakBytes
                            ? (double)s->Memory->MemoryUsageCommitPeakBytes
                            : 0.0);
    hcsctl_format_bytes(buf[4], sizeof buf[4],
                        s->Storage && s->Storage->has_ReadSizeBytes ? (double)s->Storage->ReadSizeBytes : 0.0);
    hcsctl_format_bytes(buf[5], sizeof buf[5],
                        s->Storage && s->Storage->has_WriteSizeBytes ? (double)s->Storage->WriteSizeBytes : 0.0);
    static const char *const headers[] = {"UPTIME", "CPU TIME", "MEMORY", "PEAK", "READ", "WRITTEN"};
    hcsctl_table *t = hcsctl_table_new(6, headers);
    const char *row[] = {buf[0], buf[1], buf[2], buf[3], buf[4], buf[5]};
    hcsctl_table_add(t, row);
    hcsctl_table_print(o, t);
}

static int cmd_stats(const hcsctl_opts *o, zhcs_service *svc, const char *id, int argc, char **argv)
{
    const char *interval = NULL, *count = NULL, *cpus = NULL;
    int watch = 0;
    for (int i = 0; i < argc; i++) {
        int r;
        if (strcmp(argv[i], "--watch") == 0) {
            watch = 1;
            continue;
        }
        if ((r = hcsctl_opt(&i, argc, argv, "--interval", &interval)) == 0 &&
            (r = hcsctl_opt(&i, argc, argv, "--count", &count)) == 0 &&
            (r = hcsctl_opt(&i, argc, argv, "--cpus", &cpus)) == 0)
            return hcsctl_usage_error("stats: unexpected \"%s\"", argv[i]);
        if (r < 0)
            return hcsctl_usage_error("%s needs a value", argv[i]);
    }
    uint32_t every = 1000;
    uint64_t n = 0, ncpu = 1;
    if (interval && hcsctl_parse_seconds("--interval", interval, 86400000u, &every))
        return HCSCTL_USAGE;
    if (interval && every == 0)
        return hcsctl_usage_error("--interval takes seconds, at least 0.001, not \"%s\"", interval);
    if (count && hcsctl_parse_uint("--count", count, 1, 1000000000u, &n))
        return HCSCTL_USAGE;
    if (cpus && hcsctl_parse_uint("--cpus", cpus, 1, 65536, &ncpu))
        return HCSCTL_USAGE;
    if (!watch && (interval || count || cpus))
        return hcsctl_usage_error("--interval, --count and --cpus go with --watch");
    zhcs_system *sys = NULL;
    int rc = open_system(o, svc, id, &sys);
    if (rc)
        return rc;
    zhcs_error *err = NULL;
    zhcs_Statistics *prev = NULL, *cur = NULL;
    int got = zhcs_system_statistics(&prev, sys, DEFAULT_TIMEOUT_MS, &err);
    if (got < 0) {
        rc = hcsctl_fail(o, "cannot read statistics", err);
    } else if (got == ZHCS_STATS_NOT_RUNNING) {
        rc = hcsctl_failf("%s is not running", id);
    } else if (!watch) {
        print_sample(o, prev);
    } else {
        static const char *const headers[] = {"TIME", "CPU %", "MEMORY", "READ/S", "WRITE/S"};
        if (!o->json)
            printf("%-10s %7s %12s %12s %12s\n", headers[0], headers[1], headers[2], headers[3], headers[4]);
        for (uint64_t k = 0; n == 0 || k < n; k++) {
            sleep_ms(every);
            got = zhcs_system_statistics(&cur, sys, DEFAULT_TIMEOUT_MS, &err);
            if (got < 0) {
                rc = hcsctl_fail(o, "cannot read statistics", err);
                break;
            }
            if (got == ZHCS_STATS_NOT_RUNNING) {
                if (!o->json)
                    printf("%s stopped\n", id);
                break;
            }
            zhcs_stats st;
            if (zhcs_stats_compute(&st, prev, cur, zhcs_host_processors(), (uint32_t)ncpu, &err) < 0) {
                rc = hcsctl_fail(o, "cannot compute rates", err);
                break;
            }
            if (o->json)
                printf("{\"interval_s\":%.3f,\"cpu_percent_host\":%.2f,\"cpu_percent_container\":%.2f,"
                       "\"memory_commit_bytes\":%llu,\"read_bytes_per_s\":%.1f,\"write_bytes_per_s\":%.1f}\n",
                       st.interval_s, st.cpu_percent_host, st.cpu_percent_container,
                       (unsigned long long)st.memory_commit_bytes, st.read_bytes_per_s, st.write_bytes_per_s);
            else {
                char mem[32], rd[32], wr[32];
                hcsctl_format_bytes(mem, sizeof mem, (double)st.memory_commit_bytes);
                hcsctl_format_bytes(rd, sizeof rd, st.read_bytes_per_s);
                hcsctl_format_bytes(wr, sizeof wr, st.write_bytes_per_s);
                printf("%-10.1f %7.1f %12s %12s %12s\n", st.uptime_100ns / 1e7, st.cpu_percent_container, mem, rd, wr);
            }
            fflush(stdout);
            zhcs_Statistics_free(prev);
            prev = cur;
            cur = NULL;
        }
    }
    zhcs_Statistics_free(prev);
    zhcs_Statistics_free(cur);
    zhcs_system_close(sys);
    return rc;
}

/* ------------------------------------------------------------------ events */
static int cmd_events(const hcsctl_opts *o, zhcs_service *svc, const char *id, int argc, char **argv)
{
    const char *count = NULL, *timeout = NULL;
    for (int i = 0; i < argc; i++) {
        int r;
        if ((r = hcsctl_opt(&i, argc, argv, "--count", &count)) == 0 &&
            (r = hcsctl_opt(&i, argc, argv, "--timeout", &timeout)) == 0)
            return hcsctl_usage_error("events: unexpected \"%s\"", argv[i]);
        if (r < 0)
            return hcsctl_usage_error("%s needs a value", argv[i]);
    }
    uint64_t n = 0;
    uint32_t ms = ZHCS_INFINITE;
    if (count && hcsctl_parse_uint("--count", count, 1, 1000000000u, &n))
        return HCSCTL_USAGE;
    if (timeout && hcsctl_parse_seconds("--timeout", timeout, HCSCTL_MAX_TIMEOUT_MS, &ms))
        return HCSCTL_USAGE;
    zhcs_system *sys = NULL;
    int rc = open_system(o, svc, id, &sys);
    if (rc)
        return rc;
    zhcs_events *ev = NULL;
    zhcs_error *err = NULL;
    if (zhcs_events_subscribe(&ev, sys, NULL, &err) < 0) {
        zhcs_system_close(sys);
        return hcsctl_fail(o, "cannot follow the events", err);
    }
    if (!o->json)
        fprintf(stderr, "following the events of %s%s\n", id, n ? "" : " (Ctrl-C to stop)");
    for (uint64_t k = 0; n == 0 || k < n; k++) {
        zhcs_event *e = NULL;
        if (zhcs_events_next(ev, ms, &e, &err) < 0) {
            if (zhcs_error_category_of(err) == ZHCS_ERROR_CLOSED) {
                zhcs_error_free(err);
                break;
            }
            rc = hcsctl_fail(o, "no more events", err);
            break;
        }
        if (o->json) {
            printf("{\"sequence\":%llu,\"type\":\"%s\",\"raw_type\":%u,\"data\":%s}\n", (unsigned long long)e->sequence,
                   zhcs_event_type_name(e->type), (unsigned)e->raw_type, e->data && *e->data ? e->data : "null");
        } else {
            printf("%llu %s %s\n", (unsigned long long)e->sequence, zhcs_event_type_name(e->type),
                   e->data ? e->data : "");
        }
        fflush(stdout);
        int exited = e->type == ZHCS_EVENT_SYSTEM_EXITED;
        zhcs_event_free(e);
        if (exited && n == 0)
            break; /* nothing follows an exit */
    }
    zhcs_events_close(ev);
    zhcs_system_close(sys);
    return rc;
}

/* ------------------------------------------------------------------ dispatch */
int hcsctl_system(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    if (strcmp(cmd, "list") != 0 && strcmp(cmd, "create") != 0 && argc < 1)
        return hcsctl_usage_error("%s needs a system id", cmd);
    zhcs_service *svc = NULL;
    int rc = hcsctl_open_hcs(o, &svc);
    if (rc)
        return rc;
    if (strcmp(cmd, "list") == 0)
        rc = cmd_list(o, svc, argc, argv);
    else if (strcmp(cmd, "create") == 0)
        rc = cmd_create(o, svc, argc, argv);
    else if (strcmp(cmd, "inspect") == 0)
        rc = cmd_inspect(o, svc, argv[0], argc - 1, argv + 1);
    else if (strcmp(cmd, "stop") == 0)
        rc = cmd_stop(o, svc, argv[0], argc - 1, argv + 1);
    else if (strcmp(cmd, "wait") == 0)
        rc = cmd_wait(o, svc, argv[0], argc - 1, argv + 1);
    else if (strcmp(cmd, "stats") == 0)
        rc = cmd_stats(o, svc, argv[0], argc - 1, argv + 1);
    else if (strcmp(cmd, "events") == 0)
        rc = cmd_events(o, svc, argv[0], argc - 1, argv + 1);
    else
        rc = cmd_lifecycle(o, svc, cmd, argv[0], argc - 1, argv + 1);
    zhcs_service_close(svc);
    return rc;
}

/* ------------------------------------------------------------------ share */
/* share ID HOST-DIR CONTAINER-DIR [--read-only] [--remove] [--timeout S]: one modify call,
 * as hcsdiag share: {"ResourcePath":"Container/MappedDirectories","RequestType":"Add",
 * "Settings":{"HostPath":...,"ContainerPath":...,"ReadOnly":...}} ("Remove" with --remove). */
int hcsctl_share(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    (void)cmd;
    const char *pos[3] = {NULL, NULL, NULL}, *timeout = NULL;
    int npos = 0, read_only = 0, remove = 0;
    for (int i = 0; i < argc; i++) {
        int r = hcsctl_opt(&i, argc, argv, "--timeout", &timeout);
        if (r < 0)
            return hcsctl_usage_error("--timeout needs a value");
        if (r > 0)
            continue;
        if (strcmp(argv[i], "--read-only") == 0)
            read_only = 1;
        else if (strcmp(argv[i], "--remove") == 0)
            remove = 1;
        else if ((argv[i][0] == '-' && argv[i][1] != '\0') || npos == 3)
            return hcsctl_usage_error("share: unexpected \"%s\"", argv[i]);
        else
            pos[npos++] = argv[i];
    }
    static const char *const arg_names[] = {"system id", "host directory", "container directory"};
    if (npos != 3)
        return hcsctl_usage_error("share ID HOST-DIR CONTAINER-DIR: the %s is missing", arg_names[npos]);
    for (int k = 0; k < 3; k++)
        if (!*pos[k])
            return hcsctl_usage_error("share: an empty %s", arg_names[k]);
    uint32_t ms = DEFAULT_TIMEOUT_MS;
    if (timeout && hcsctl_parse_seconds("--timeout", timeout, HCSCTL_MAX_TIMEOUT_MS, &ms))
        return HCSCTL_USAGE;
    zhcs_MappedDirectory md;
    memset(&md, 0, sizeof md);
    md.HostPath = (char *)pos[1];
    md.ContainerPath = (char *)pos[2];
    if (read_only) {
        md.has_ReadOnly = true;
        md.ReadOnly = true;
    }
    zhcs_error *err = NULL;
    char *settings = zhcs_MappedDirectory_emit(&md, &err);
    if (!settings)
        return hcsctl_fail(o, "cannot write the MappedDirectory document", err);
    zhcs_ModifySettingRequest req;
    memset(&req, 0, sizeof req);
    req.ResourcePath = "Container/MappedDirectories";
    req.has_RequestType = true;
    req.RequestType = remove ? ZHCS_MODIFYREQUESTTYPE_REMOVE : ZHCS_MODIFYREQUESTTYPE_ADD;
    req.Settings = settings;
    zhcs_service *svc = NULL;
    zhcs_system *sys = NULL;
    int rc = hcsctl_open_hcs(o, &svc);
    if (rc == 0)
        rc = open_system(o, svc, pos[0], &sys);
    int modified = 0;
    if (rc == 0) {
        char doing[160];
        snprintf(doing, sizeof doing, "%s %.100s", remove ? "unmapping" : "mapping", pos[1]);
        hcsctl_progress *pg = hcsctl_progress_begin(o, doing);
        modified = zhcs_system_modify(sys, &req, ms, &err);
        hcsctl_progress_end(pg);
    }
    if (rc == 0 && modified < 0) {
        char what[300];
        snprintf(what, sizeof what, "cannot %s \"%.100s\" %s \"%.100s\"", remove ? "unmap" : "map", pos[1],
                 remove ? "from" : "into", pos[0]);
        rc = hcsctl_fail(o, what, err);
    } else if (rc == 0 && o->json) {
        printf("{\"id\":");
        hcsctl_print_json_string(pos[0]);
        printf(",\"host_path\":");
        hcsctl_print_json_string(pos[1]);
        printf(",\"container_path\":");
        hcsctl_print_json_string(pos[2]);
        printf(",\"read_only\":%s,\"done\":\"%s\"}\n", read_only ? "true" : "false", remove ? "removed" : "added");
    } else if (rc == 0) {
        printf("%s %s %s %s:%s%s\n", remove ? "unmapped" : "mapped", pos[1], remove ? "from" : "into", pos[0], pos[2],
               read_only ? " (read-only)" : "");
    }
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    zhcs_string_free(settings);
    return rc;
}

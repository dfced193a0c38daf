/* SPDX-License-Identifier: MIT */
/* bench_zhcs.c - the cost of zhcs on the simulator: time and raw HCS calls per high-level
 * call (the simulator's call counter), stdio throughput of zhcs_process_run, and how long an
 * exit takes to reach an event stream.
 *
 *   bench_zhcs [N]              N repetitions of each case (default 200)
 *   bench_zhcs --overhead [N]   only the blocking-call overhead (e.g. under callgrind)
 *
 * The simulator answers in microseconds, so these numbers are the library's own overhead
 * plus the simulator's; on a real host HCS itself dominates (tens of milliseconds to start
 * a container). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/zhcs.h>

#include "zh_sim.h"
#include "zh_thread.h"

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/resource.h>
#define HAVE_MALLINFO2 (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#else
#define HAVE_MALLINFO2 0
#endif

static long long heap_bytes(void)
{
#if HAVE_MALLINFO2
    return (long long)mallinfo2().uordblks;
#else
    return -1;
#endif
}

static const char *const DOC = "{\"Owner\":\"bench\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"Container\":{}}";

static uint64_t t0;

static void start(void)
{
    zh_sim_calls_reset();
    t0 = zh_monotonic_ns();
}

static void report(const char *what, size_t ops)
{
    uint64_t ns = zh_monotonic_ns() - t0;
    uint64_t calls = zh_sim_calls(NULL);
    printf("| %-44s | %8zu | %12.1f | %8.2f |\n", what, ops, ops ? ns / 1000.0 / (double)ops : 0.0,
           ops ? (double)calls / (double)ops : 0.0);
}

static int check(int rc, zhcs_error *err, const char *what)
{
    if (rc == 0)
        return 0;
    char buf[512];
    zhcs_error_format(err, buf, sizeof buf);
    fprintf(stderr, "bench_zhcs: %s: %s\n", what, buf);
    zhcs_error_free(err);
    return -1;
}

/* The overhead of a blocking query over the raw calls it makes: the same four calls straight
 * on the simulator's table (an open raw handle of the same system), interleaved in both
 * orders so that both see the same machine. */
static int overhead(zhcs_system *sys, size_t n)
{
    zhcs_error *err = NULL;
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_system raw = NULL;
    static const uint16_t wid[] = {'b', 'e', 'n', 'c', 'h', 0};
    if (T->HcsOpenComputeSystem((const zh_wchar *)wid, 0, &raw) != 0)
        return -1;
    enum { ROUNDS = 10 };
    uint64_t raw_ns = 0, lib_ns = 0;
    double ratio[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        uint64_t r = 0, l = 0;
        for (int half = 0; half < 2; half++) {
            uint64_t a = zh_monotonic_ns();
            if ((half + round) % 2 == 0) { /* both orders, alternately */
                for (size_t i = 0; i < n; i++) {
                    char *doc = NULL;
                    if (check(zhcs_system_properties_json(&doc, sys, NULL, 10000, &err), err, "properties"))
                        return -1;
                    free(doc);
                }
                l = zh_monotonic_ns() - a;
            } else {
                for (size_t i = 0; i < n; i++) {
                    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
                    zh_wchar *doc = NULL;
                    if (T->HcsGetComputeSystemProperties(raw, op, NULL) != 0 ||
                        T->HcsWaitForOperationResult(op, 10000, &doc) != 0)
                        return -1;
                    zh_sim_free_string(doc);
                    T->HcsCloseOperation(op);
                }
                r = zh_monotonic_ns() - a;
            }
        }
        raw_ns += r;
        lib_ns += l;
        ratio[round] = r ? (double)l / (double)r : 0.0;
    }
    T->HcsCloseComputeSystem(raw);
    for (int i = 1; i < ROUNDS; i++) /* insertion sort, for the median */
        for (int j = i; j > 0 && ratio[j - 1] > ratio[j]; j--) {
            double t = ratio[j];
            ratio[j] = ratio[j - 1];
            ratio[j - 1] = t;
        }
    printf("| %-44s | %8zu | %12.1f | %8.2f |\n", "properties, raw calls only (HcsWait...)", ROUNDS * n,
           raw_ns / 1000.0 / (double)(ROUNDS * n), 4.0);
    printf("| %-44s | %8zu | %12.1f | %8.2f |\n", "properties, json (blocking, zhcs)", ROUNDS * n,
           lib_ns / 1000.0 / (double)(ROUNDS * n), 4.0);
    printf("\nblocking properties over raw calls: %.2fx (median of %d paired rounds: %.2fx, range %.2f-%.2fx)\n\n",
           raw_ns ? (double)lib_ns / (double)raw_ns : 0.0, ROUNDS, (ratio[ROUNDS / 2 - 1] + ratio[ROUNDS / 2]) / 2,
           ratio[0], ratio[ROUNDS - 1]);
    return 0;
}

int main(int argc, char **argv)
{
    bool only_overhead = argc > 1 && strcmp(argv[1], "--overhead") == 0;
    if (only_overhead) {
        argc--;
        argv++;
    }
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200;
    if (n == 0)
        n = 1;
    zhcs_service *svc = NULL;
    zhcs_error *err = NULL;
    zh_sim_require_storage(0); /* measures zhcs over the raw calls, not storage: no layers */
    if (check(zhcs_service_open(&svc, "sim:", &err), err, "open"))
        return 1;
    if (only_overhead) {
        zhcs_system *sys = NULL;
        int rc = check(zhcs_system_create_json(&sys, svc, "bench", DOC, 10000, &err), err, "create") ||
                 check(zhcs_system_start(sys, 10000, &err), err, "start") || overhead(sys, n) < 0;
        if (sys)
            zhcs_system_terminate(sys, NULL, 10000, NULL);
        zhcs_system_close(sys);
        zhcs_service_close(svc);
        return rc ? 1 : 0;
    }
    printf("| case | ops | us/op | raw calls/op |\n|---|---:|---:|---:|\n");

    /* lifecycle: create, start, stop (graceful), close */
    start();
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "bench-%zu", i);
        zhcs_system *sys = NULL;
        if (check(zhcs_system_create_json(&sys, svc, id, DOC, 10000, &err), err, "create") ||
            check(zhcs_system_start(sys, 10000, &err), err, "start") ||
            check(zhcs_system_stop(sys, NULL, &err), err, "stop"))
            return 1;
        zhcs_system_close(sys);
    }
    report("create + start + stop + close a container", n);

    zhcs_system *sys = NULL;
    if (check(zhcs_system_create_json(&sys, svc, "bench", DOC, 10000, &err), err, "create") ||
        check(zhcs_system_start(sys, 10000, &err), err, "start"))
        return 1;

    start();
    for (size_t i = 0; i < n; i++) {
        zhcs_Properties *p = NULL;
        if (check(zhcs_system_properties(&p, sys, NULL, 10000, &err), err, "properties"))
            return 1;
        zhcs_Properties_free(p);
    }
    report("properties, typed (blocking)", n);

    if (overhead(sys, n) < 0)
        return 1;

    start();
    for (size_t i = 0; i < n; i++) {
        zhcs_Statistics *st = NULL;
        if (zhcs_system_statistics(&st, sys, 10000, &err) != 0)
            return check(-1, err, "statistics");
        zhcs_Statistics_free(st);
    }
    report("statistics sample", n);

    start();
    for (size_t i = 0; i < n; i++) {
        zhcs_operation *op = NULL;
        if (check(zhcs_system_properties_async(&op, sys, NULL, &err), err, "async") ||
            check(zhcs_operation_wait(op, 10000, &err), err, "wait"))
            return 1;
        zhcs_operation_free(op);
    }
    report("properties, async + wait", n);

    start();
    for (size_t i = 0; i < n; i++) {
        zhcs_system_list *list = NULL;
        if (check(zhcs_list_by_owner(&list, svc, "bench", 10000, &err), err, "list"))
            return 1;
        zhcs_system_list_free(list);
    }
    report("list_by_owner (1 system)", n);

    start();
    for (size_t i = 0; i < n; i++) {
        zhcs_run_result r;
        if (check(zhcs_process_run(&r, sys, "cmd /c echo hi", NULL, &err), err, "run"))
            return 1;
        zhcs_run_result_free(&r);
    }
    report("process_run \"cmd /c echo hi\"", n);

    /* stdio throughput: 8 MiB on stdout and 8 MiB on stderr at once */
    size_t runs = n / 50 ? n / 50 : 1;
    start();
    size_t bytes = 0;
    for (size_t i = 0; i < runs; i++) {
        zhcs_run_result r;
        zhcs_run_options o = ZHCS_RUN_OPTIONS_INIT;
        o.max_output = (size_t)32 << 20;
        if (check(zhcs_process_run(&r, sys, "zhsim-write stdout=8388608 stderr=8388608", &o, &err), err, "run big"))
            return 1;
        bytes += r.out_len + r.err_len;
        zhcs_run_result_free(&r);
    }
    double secs = (double)(zh_monotonic_ns() - t0) / 1e9;
    report("process_run, 8 MiB stdout + 8 MiB stderr", runs);

    /* idle guest processes: 3,000 "ping -t" (no stdio) started, then their CPU while idle */
    size_t idle_n = getenv("BENCH_IDLE") ? (size_t)strtoul(getenv("BENCH_IDLE"), NULL, 10) : 3000;
    zhcs_process **idle = calloc(idle_n ? idle_n : 1, sizeof *idle);
    if (!idle)
        return 1;
    start();
    for (size_t i = 0; i < idle_n; i++)
        if (check(zhcs_process_create_json(&idle[i], sys, "{\"CommandLine\":\"ping -t localhost\"}", 10000, &err),
                  err, "idle process"))
            return 1;
    double idle_start_s = (double)(zh_monotonic_ns() - t0) / 1e9;
    report("process create, \"ping -t\" (3,000 kept running)", idle_n);
#if defined(__GLIBC__)
    struct rusage r0, r1;
    getrusage(RUSAGE_SELF, &r0);
    zh_sleep_ms(1000);
    getrusage(RUSAGE_SELF, &r1);
    double idle_cpu = (double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) + (r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e6 +
                      (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) + (r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e6;
#else
    double idle_cpu = -1;
#endif
    for (size_t i = 0; i < idle_n; i++) {
        zhcs_process_terminate(idle[i], 10000, NULL);
        zhcs_process_close(idle[i]);
    }
    free(idle);
    zhcs_system_close(sys);

    /* exit to event: terminate, then time until the stream delivers SystemExited */
    uint64_t total_ns = 0;
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "ev-%zu", i);
        zhcs_system *s = NULL;
        zhcs_events *ev = NULL;
        if (check(zhcs_system_create_json(&s, svc, id, DOC, 10000, &err), err, "create") ||
            check(zhcs_system_start(s, 10000, &err), err, "start") ||
            check(zhcs_events_subscribe(&ev, s, NULL, &err), err, "subscribe"))
            return 1;
        uint64_t a = zh_monotonic_ns();
        zhcs_operation *op = NULL;
        zhcs_event *e = NULL;
        if (check(zhcs_system_terminate_async(&op, s, NULL, &err), err, "terminate") ||
            check(zhcs_events_next(ev, 10000, &e, &err), err, "next"))
            return 1;
        total_ns += zh_monotonic_ns() - a;
        zhcs_event_free(e);
        zhcs_operation_free(op);
        zhcs_events_close(ev);
        zhcs_system_close(s);
    }
    /* memory: what N open system handles and N subscriptions hold on the heap (the
     * simulator's own records included) */
    size_t m = n * 5;
    zhcs_system **many = calloc(m, sizeof *many);
    zhcs_events **subs = calloc(m, sizeof *subs);
    if (!many || !subs)
        return 1;
    long long before = heap_bytes();
    for (size_t i = 0; i < m; i++) {
        char id[32];
        snprintf(id, sizeof id, "mem-%zu", i);
        if (check(zhcs_system_create_json(&many[i], svc, id, DOC, 10000, &err), err, "create"))
            return 1;
    }
    long long after_systems = heap_bytes();
    for (size_t i = 0; i < m; i++)
        if (check(zhcs_events_subscribe(&subs[i], many[i], NULL, &err), err, "subscribe"))
            return 1;
    long long after_subs = heap_bytes();
    for (size_t i = 0; i < m; i++) {
        zhcs_events_close(subs[i]);
        zhcs_system_close(many[i]); /* not started, no terminate flag: they stay in the simulator */
    }
    free(many);
    free(subs);

    printf("\nstdio throughput: %.0f MB/s through zhcs_process_run (both pipes at once)\n", bytes / secs / 1e6);
    if (before >= 0)
        printf("heap per created system with its handle: %.0f bytes (library and simulator); per event "
               "subscription (capacity 256): %.0f bytes\n",
               (double)(after_systems - before) / (double)m, (double)(after_subs - after_systems) / (double)m);
#if defined(__GLIBC__)
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        printf("peak resident set of the whole run: %.1f MiB\n", ru.ru_maxrss / 1024.0);
#endif
    printf("terminate to SystemExited in an event stream: %.1f us on average\n", total_ns / 1000.0 / (double)n);
    printf("%zu idle \"ping -t\" processes: started in %.2f s; CPU while they ran 1 s: %.3f s (each replies once a "
           "second)\n", idle_n, idle_start_s, idle_cpu);
    zhcs_service_close(svc);
    return 0;
}

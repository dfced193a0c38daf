/* SPDX-License-Identifier: MIT */
/* bench_sim.c - the "sim:PATH" service under load (POSIX): the cost of creating a compute
 * system as the service fills up, and how fast a list answers while other clients create.
 *
 *   bench_sim [N]     fill to N systems (default 10000), report the per-create cost around
 *                     N/10 and N; then 4 client processes create while this one lists
 *   bench_sim N sim:  the same fill on the in-process simulator, for comparison
 *
 * Every call is a round trip to the service (zhsimd) over its socket; the numbers are that
 * plus the simulator's own work. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zh_sim.h"
#include "zh_thread.h"
#include "zh_utf.h"

static char dir[256];

static zh_wchar *W(const char *s)
{
    uint16_t *w = NULL;
    zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, "bench", NULL);
    return (zh_wchar *)w;
}

static const char *const DOC = "{\"Owner\":\"bench\",\"Container\":{}}";

static int create(const char *prefix, unsigned i)
{
    const zh_hcs_table *T = zh_sim_hcs_table();
    char id[64];
    snprintf(id, sizeof id, "%s-%u", prefix, i);
    zh_wchar *wid = W(id), *cfg = W(DOC);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_hcs_system sys = NULL;
    int32_t hr = T->HcsCreateComputeSystem(wid, cfg, op, NULL, &sys);
    if (hr == 0)
        hr = T->HcsWaitForOperationResult(op, 60000, NULL);
    T->HcsCloseOperation(op);
    if (sys)
        T->HcsCloseComputeSystem(sys); /* not ephemeral: the system stays */
    free(wid);
    free(cfg);
    return hr == 0 ? 0 : -1;
}

static double list_ms(size_t *len)
{
    const zh_hcs_table *T = zh_sim_hcs_table();
    uint64_t t = zh_monotonic_ns();
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *doc = NULL;
    *len = 0;
    if (T->HcsEnumerateComputeSystems(NULL, op) == 0 && T->HcsWaitForOperationResult(op, 60000, &doc) == 0 && doc)
        while (doc[*len])
            (*len)++;
    zh_sim_free_string(doc);
    T->HcsCloseOperation(op);
    return (double)(zh_monotonic_ns() - t) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 10000u;
    if (n < 100) {
        fprintf(stderr, "usage: bench_sim [N >= 100]\n");
        return 2;
    }
    /* measures creation in the model, not storage: containers without layers, also in the
     * sim:PATH service this process starts (it inherits the variable) */
    setenv("ZH_SIM_REQUIRE_STORAGE", "0", 1);
    snprintf(dir, sizeof dir, "%s/zhbench-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    zh_error *err = NULL;
    int inproc = argc > 2 && strcmp(argv[2], "sim:") == 0;
    if (zh_sim_open(inproc ? NULL : dir, &err) < 0) {
        fprintf(stderr, "bench_sim: %s\n", zh_error_message(err));
        return 1;
    }
    /* the per-create cost over windows of 100 creates, at N/10 and at N */
    unsigned small = n / 10, window = small < 100 ? small : 100;
    double at_small = 0, at_full = 0;
    uint64_t t = 0;
    for (unsigned i = 0; i < n; i++) {
        if (i == small - window || i == n - window)
            t = zh_monotonic_ns();
        if (create("fill", i) < 0) {
            fprintf(stderr, "bench_sim: create %u failed\n", i);
            return 1;
        }
        if (i == small - 1)
            at_small = (double)(zh_monotonic_ns() - t) / 1e3 / window;
        if (i == n - 1)
            at_full = (double)(zh_monotonic_ns() - t) / 1e3 / window;
    }
    const char *where = inproc ? "sim:" : "sim:PATH";
    printf("| %s: create a compute system at %5u systems | %8.1f us |\n", where, small, at_small);
    printf("| %s: create a compute system at %5u systems | %8.1f us |\n", where, n, at_full);
    printf("| ratio | %.2fx |\n", at_full / at_small);
    if (inproc) {
        zh_sim_close();
        rmdir(dir);
        return 0;
    }

    /* 4 clients create while this one lists */
    size_t len = 0;
    double idle = list_ms(&len);
    printf("| list %u systems, nobody else busy | %8.1f ms |\n", n, idle);
    zh_sim_close();
    pid_t kids[4];
    for (int k = 0; k < 4; k++) {
        fflush(stdout);
        kids[k] = fork();
        if (kids[k] == 0) {
            if (zh_sim_open(dir, NULL) < 0)
                _exit(1);
            char prefix[16];
            snprintf(prefix, sizeof prefix, "busy%d", k);
            for (unsigned i = 0;; i++)
                if (create(prefix, i) < 0)
                    _exit(2);
        }
    }
    if (zh_sim_open(dir, NULL) < 0)
        return 1;
    zh_sleep_ms(200);
    double ms[20];
    for (int k = 0; k < 20; k++)
        ms[k] = list_ms(&len);
    for (int k = 0; k < 4; k++) {
        kill(kids[k], SIGKILL);
        waitpid(kids[k], NULL, 0);
    }
    qsort(ms, 20, sizeof ms[0], cmp_double);
    printf("| list while 4 clients create (20 lists) | median %.1f ms, max %.1f ms |\n", ms[10], ms[19]);
    zh_sim_stop_service();
    zh_sim_close();
    char path[400];
    const char *files[] = {"state.db", "state.db-wal", "state.db-shm", "sock", "service.pid", "service.lock",
                           "service.log", "start.lock"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
    zh_sleep_ms(200);
    rmdir(dir);
    return 0;
}

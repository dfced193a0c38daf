/* SPDX-License-Identifier: MIT */
/* test_sim_idle.c - idle guest processes cost no CPU: `cat`/`more`/`findstr` waiting for
 * stdin sleep in the read with no periodic wake-up (issue 10), and still answer at once to
 * input, to a terminate and to CloseHandle StdIn. Natively and under Wine (the mingw build,
 * where the guest's stdin is an overlapped named pipe). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>
#endif

#include "zh_hresult.h"
#include "zh_sim.h"
#include "zh_thread.h"
#include "zh_utf.h"
#include "zt.h"

#define WAITERS 100

static const zh_hcs_table *T;

static zh_wchar *W(const char *s)
{
    uint16_t *w = NULL;
    zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, "test", NULL);
    return (zh_wchar *)w;
}

/* CPU time (user + system) this process has used, in microseconds. */
static uint64_t cpu_us(void)
{
#ifdef _WIN32
    FILETIME c, e, k, u;
    if (!GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u))
        return 0;
    uint64_t kt = ((uint64_t)k.dwHighDateTime << 32) | k.dwLowDateTime;
    uint64_t ut = ((uint64_t)u.dwHighDateTime << 32) | u.dwLowDateTime;
    return (kt + ut) / 10;
#else
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (uint64_t)r.ru_utime.tv_sec * 1000000u + (uint64_t)r.ru_utime.tv_usec +
           (uint64_t)r.ru_stime.tv_sec * 1000000u + (uint64_t)r.ru_stime.tv_usec;
#endif
}

static int32_t op_wait(zh_hcs_operation op, uint32_t ms)
{
    zh_wchar *d = NULL;
    int32_t hr = T->HcsWaitForOperationResult(op, ms, &d);
    zh_sim_free_string(d);
    return hr;
}

static int32_t sys_op(zh_hresult(ZH_WINAPI *fn)(zh_hcs_system, zh_hcs_operation, const zh_wchar *), zh_hcs_system s)
{
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    int32_t hr = fn(s, op, NULL);
    if (hr == 0)
        hr = op_wait(op, 5000);
    T->HcsCloseOperation(op);
    return hr;
}

static int32_t proc_op(zh_hresult(ZH_WINAPI *fn)(zh_hcs_process, zh_hcs_operation, const zh_wchar *),
                       zh_hcs_process p, const char *arg)
{
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *a = arg ? W(arg) : NULL;
    int32_t hr = fn(p, op, a);
    free(a);
    if (hr == 0)
        hr = op_wait(op, 5000);
    T->HcsCloseOperation(op);
    return hr;
}

typedef struct waiter {
    zh_hcs_process proc;
    zh_hcs_process_information pi;
    int32_t hr;
} waiter;

static waiter spawn(zh_hcs_system sys, const char *cmd)
{
    waiter r;
    memset(&r, 0, sizeof r);
    char params[200];
    snprintf(params, sizeof params, "{\"CommandLine\":\"%s\",\"CreateStdInPipe\":true,\"CreateStdOutPipe\":true}", cmd);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *p = W(params);
    r.hr = T->HcsCreateProcess(sys, p, op, NULL, &r.proc);
    free(p);
    if (r.hr == 0) {
        zh_wchar *doc = NULL;
        r.hr = T->HcsWaitForOperationResultAndProcessInfo(op, 5000, &r.pi, &doc);
        zh_sim_free_string(doc);
    }
    T->HcsCloseOperation(op);
    return r;
}

static void host_close(zh_handle h)
{
    if (!h)
        return;
#ifdef _WIN32
    CloseHandle(h);
#else
    close((int)(intptr_t)h);
#endif
}

/* Synchronous host ends (the latitude is set below). */
static int host_write(zh_handle h, const char *s)
{
#ifdef _WIN32
    DWORD n = 0;
    return WriteFile(h, s, (DWORD)strlen(s), &n, NULL) && n == strlen(s) ? 0 : -1;
#else
    return write((int)(intptr_t)h, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
#endif
}

/* Reads until `want` bytes came or ms passed; the bytes read. */
static size_t host_read(zh_handle h, char *buf, size_t want, uint32_t ms)
{
    size_t have = 0;
    uint64_t deadline = zh_monotonic_ms() + ms;
    while (have < want && zh_monotonic_ms() < deadline) {
#ifdef _WIN32
        DWORD avail = 0, n = 0;
        if (!PeekNamedPipe(h, NULL, 0, NULL, &avail, NULL))
            break;
        if (!avail) {
            Sleep(1);
            continue;
        }
        if (!ReadFile(h, buf + have, (DWORD)(want - have < avail ? want - have : avail), &n, NULL))
            break;
        have += n;
#else
        struct pollfd p = {(int)(intptr_t)h, POLLIN, 0};
        if (poll(&p, 1, 5) <= 0)
            continue;
        ssize_t n = read((int)(intptr_t)h, buf + have, want - have);
        if (n <= 0)
            break;
        have += (size_t)n;
#endif
    }
    return have;
}

/* Waits for the exit; the exit code, or -1 when it did not exit within ms. */
static long exit_code(zh_hcs_process p, uint32_t ms)
{
    zh_wchar *doc = NULL;
    int32_t hr = T->HcsWaitForProcessExit(p, ms, &doc);
    char *s = NULL;
    if (doc)
        zh_utf16_to_utf8((const uint16_t *)doc, ZH_NUL_TERMINATED, &s, NULL, "test", NULL);
    zh_sim_free_string(doc);
    const char *k = s ? strstr(s, "\"ExitCode\":") : NULL;
    long code = hr == 0 && k ? strtol(k + 11, NULL, 10) : -1;
    free(s);
    return code;
}

static zh_hcs_system started_system(void)
{
    zh_wchar *id = W("idle"), *cfg = W("{\"Owner\":\"idle-test\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},"
                                      "\"Container\":{\"Storage\":{\"Path\":\"C:\\\\scratch\"}}}");
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_hcs_system sys = NULL;
    int32_t hr = T->HcsCreateComputeSystem(id, cfg, op, NULL, &sys);
    if (hr == 0)
        hr = op_wait(op, 5000);
    T->HcsCloseOperation(op);
    free(id);
    free(cfg);
    if (hr == 0 && sys && sys_op(T->HcsStartComputeSystem, sys) == 0)
        return sys;
    if (sys)
        T->HcsCloseComputeSystem(sys);
    return NULL;
}

/* Writers whose host does not read: blocked on a full stdout, they cost no CPU either, and
 * a terminate still ends them at once. */
static void writers_blocked_on_a_full_stdout_cost_no_cpu(void)
{
    ZT_REQUIRE(zh_sim_open(NULL, NULL) == 0);
    T = zh_sim_hcs_table();
    zh_sim_latitude_defaults();
    zh_sim_latitude(ZH_SIM_LAT_OVERLAPPED_STDIO, 1);
    zh_sim_require_storage(0);
    zh_hcs_system sys = started_system();
    ZT_REQUIRE(sys != NULL);
    enum { WRITERS = 50 };
    static waiter w[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        w[i] = spawn(sys, "zhsim-write stdout=4000000");
        ZT_EQ_HEX(w[i].hr, 0);
    }
    zh_sleep_ms(300); /* each fills its pipe and waits */
    uint64_t c0 = cpu_us();
    zh_sleep_ms(1000);
    uint64_t used = cpu_us() - c0;
    printf("  %d writers blocked on a full stdout: %.2f ms of CPU in a second\n", WRITERS, (double)used / 1000.0);
    ZT_CHECK(used < 10000);
    /* a terminate ends one at once; another, read, writes everything */
    uint64_t s0 = zh_monotonic_ms();
    ZT_EQ_HEX(proc_op(T->HcsTerminateProcess, w[0].proc, NULL), 0);
    ZT_EQ_INT(exit_code(w[0].proc, 5000), 1);
    uint64_t term_ms = zh_monotonic_ms() - s0;
    printf("  terminate after %llu ms\n", (unsigned long long)term_ms);
    ZT_CHECK(term_ms < 1000);
    static char big[65536];
    size_t total = 0, got;
    while ((got = host_read(w[1].pi.StdOutput, big, sizeof big, 2000)) > 0)
        total += got;
    ZT_EQ_INT(total, 4000000);
    ZT_EQ_INT(exit_code(w[1].proc, 5000), 0);
    for (int i = 0; i < WRITERS; i++) {
        if (i >= 2) {
            ZT_EQ_HEX(proc_op(T->HcsTerminateProcess, w[i].proc, NULL), 0);
            ZT_EQ_INT(exit_code(w[i].proc, 5000), 1);
        }
        host_close(w[i].pi.StdInput);
        host_close(w[i].pi.StdOutput);
        T->HcsCloseProcess(w[i].proc);
    }
    ZT_EQ_HEX(sys_op(T->HcsTerminateComputeSystem, sys), 0);
    T->HcsCloseComputeSystem(sys);
    zh_sim_latitude_defaults();
    zh_sim_close();
}

static void idle_stdin_waiters_cost_no_cpu_and_answer_at_once(void)
{
    ZT_REQUIRE(zh_sim_open(NULL, NULL) == 0);
    T = zh_sim_hcs_table();
    zh_sim_latitude_defaults();
    zh_sim_latitude(ZH_SIM_LAT_OVERLAPPED_STDIO, 1); /* synchronous host ends: plain reads here */
    zh_sim_require_storage(0);
    zh_hcs_system sys = started_system();
    ZT_REQUIRE(sys != NULL);

    static waiter w[WAITERS];
    static const char *const cmds[] = {"cat", "more", "findstr x"};
    for (int i = 0; i < WAITERS; i++) {
        w[i] = spawn(sys, cmds[i % 3]);
        ZT_EQ_HEX(w[i].hr, 0);
        ZT_REQUIRE(w[i].pi.StdInput && w[i].pi.StdOutput);
    }
    zh_sleep_ms(300); /* every one of them reaches its read */

    /* the clock works here: 50 ms of spinning shows */
    uint64_t s0 = zh_monotonic_ms(), b0 = cpu_us();
    volatile uint64_t spin = 0;
    while (zh_monotonic_ms() - s0 < 50)
        spin++;
    uint64_t busy = cpu_us() - b0;
    printf("  50 ms of spinning: %.2f ms of CPU\n", (double)busy / 1000.0);
    ZT_CHECK(busy >= 10000);

    /* a second of idleness: the process's CPU time barely moves (it moved by about
     * WAITERS x 50 wake-ups a second when each looked every 20 ms) */
    uint64_t t0 = zh_monotonic_ms(), c0 = cpu_us();
    zh_sleep_ms(1000);
    uint64_t c1 = cpu_us(), t1 = zh_monotonic_ms();
    printf("  %d idle stdin waiters: %.2f ms of CPU in %.0f ms\n", WAITERS, (double)(c1 - c0) / 1000.0,
           (double)(t1 - t0));
    ZT_CHECK(c1 - c0 < 10000); /* under 10 ms of CPU for the second (1%% of one core) */

    /* input: echoed at once */
    s0 = zh_monotonic_ms();
    ZT_EQ_INT(host_write(w[0].pi.StdInput, "ping\r\n"), 0);
    char buf[16];
    ZT_EQ_INT((int)host_read(w[0].pi.StdOutput, buf, 6, 5000), 6);
    uint64_t echo_ms = zh_monotonic_ms() - s0;
    ZT_CHECK(memcmp(buf, "ping\r\n", 6) == 0);
    /* a terminate: the waiter ends at once, exit code 1 */
    s0 = zh_monotonic_ms();
    ZT_EQ_HEX(proc_op(T->HcsTerminateProcess, w[1].proc, NULL), 0);
    ZT_EQ_INT(exit_code(w[1].proc, 5000), 1);
    uint64_t term_ms = zh_monotonic_ms() - s0;
    /* CloseHandle StdIn: what was written before is still read, then the input ends (exit 0) */
    s0 = zh_monotonic_ms();
    ZT_EQ_INT(host_write(w[2].pi.StdInput, "last\r\n"), 0);
    ZT_EQ_HEX(proc_op(T->HcsModifyProcess, w[2].proc, "{\"Operation\":\"CloseHandle\",\"CloseHandle\":{\"Handle\":\"StdIn\"}}"),
              0);
    ZT_EQ_INT(exit_code(w[2].proc, 5000), 0);
    uint64_t close_ms = zh_monotonic_ms() - s0;
    ZT_EQ_INT((int)host_read(w[2].pi.StdOutput, buf, 6, 5000), 6);
    ZT_CHECK(memcmp(buf, "last\r\n", 6) == 0);
    printf("  echo after %llu ms, terminate after %llu ms, CloseHandle StdIn after %llu ms\n",
           (unsigned long long)echo_ms, (unsigned long long)term_ms, (unsigned long long)close_ms);
    ZT_CHECK(echo_ms < 1000 && term_ms < 1000 && close_ms < 1000);

    /* the rest: terminated, each at once */
    for (int i = 0; i < WAITERS; i++) {
        if (i >= 3) {
            ZT_EQ_HEX(proc_op(T->HcsTerminateProcess, w[i].proc, NULL), 0);
            ZT_EQ_INT(exit_code(w[i].proc, 5000), 1);
        }
        host_close(w[i].pi.StdInput);
        host_close(w[i].pi.StdOutput);
        T->HcsCloseProcess(w[i].proc);
    }
    ZT_EQ_HEX(sys_op(T->HcsTerminateComputeSystem, sys), 0);
    T->HcsCloseComputeSystem(sys);
    zh_sim_latitude_defaults();
    zh_sim_close();
}

static const zt_case cases[] = {
    ZT_CASE(idle_stdin_waiters_cost_no_cpu_and_answer_at_once),
    ZT_CASE(writers_blocked_on_a_full_stdout_cost_no_cpu),
};
ZT_MAIN(cases)

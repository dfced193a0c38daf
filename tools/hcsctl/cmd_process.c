/* SPDX-License-Identifier: MIT */
/* cmd_process.c - hcsctl's process commands: exec (stdio attached, exit code passed
 * through), ps, signal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcsctl.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#define DEFAULT_TIMEOUT_MS 60000u

/* ------------------------------------------------------------------ stdio */
typedef struct feeder {
    zhcs_process *proc;
    zhcs_fd in;
} feeder;

/* Copies our standard input to the process's until end-of-file, then closes it there. */
#ifdef _WIN32
static DWORD WINAPI feed_stdin(LPVOID arg)
{
    feeder *f = arg;
    HANDLE ours = GetStdHandle(STD_INPUT_HANDLE);
    char buf[4096];
    DWORD got;
    while (ReadFile(ours, buf, sizeof buf, &got, NULL) && got > 0) /* ours: a synchronous handle */
        if (zhcs_fd_write(f->in, buf, got) < 0)                    /* HCS's: either kind */
            break;
    CloseHandle(f->in);
    zhcs_process_close_stdin(f->proc, 10000, NULL);
    return 0;
}

static DWORD WINAPI copy_stderr(LPVOID arg)
{
    char buf[4096];
    long got;
    while ((got = zhcs_fd_read((zhcs_fd)arg, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)got, stderr);
    return 0;
}

void hcsctl_stream_output(zhcs_fd out, zhcs_fd err)
{
    HANDLE t = err ? CreateThread(NULL, 0, copy_stderr, err, 0, NULL) : NULL;
    char buf[4096];
    long got;
    while (out && (got = zhcs_fd_read(out, buf, sizeof buf)) > 0) {
        fwrite(buf, 1, (size_t)got, stdout);
        fflush(stdout);
    }
    if (t) {
        WaitForSingleObject(t, INFINITE);
        CloseHandle(t);
    }
}

static int start_feeder(feeder *f)
{
    HANDLE t = CreateThread(NULL, 0, feed_stdin, f, 0, NULL);
    if (!t)
        return -1;
    CloseHandle(t); /* runs on; the program ends when the process does */
    return 0;
}
#else
static void *feed_stdin(void *arg)
{
    feeder *f = arg;
    char buf[4096];
    ssize_t got;
    while ((got = read(0, buf, sizeof buf)) > 0 || (got < 0 && errno == EINTR))
        if (got > 0 && zhcs_fd_write(f->in, buf, (size_t)got) < 0)
            break; /* the process stopped reading */
    close(f->in);
    zhcs_process_close_stdin(f->proc, 10000, NULL);
    return NULL;
}

void hcsctl_stream_output(zhcs_fd out, zhcs_fd err)
{
    struct pollfd p[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    int open = (out >= 0) + (err >= 0);
    char buf[4096];
    while (open > 0) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            ssize_t got = read(p[i].fd, buf, sizeof buf);
            if (got <= 0) {
                p[i].fd = -1;
                open--;
                continue;
            }
            fwrite(buf, 1, (size_t)got, i == 0 ? stdout : stderr);
            fflush(i == 0 ? stdout : stderr);
        }
    }
}

static int start_feeder(feeder *f)
{
    pthread_t t;
    if (pthread_create(&t, NULL, feed_stdin, f) != 0)
        return -1;
    pthread_detach(t); /* runs on; the program ends when the process does */
    return 0;
}
#endif

int hcsctl_feed_stdin(zhcs_process *proc, zhcs_fd in)
{
    static feeder f;
    f.proc = proc;
    f.in = in;
    if (start_feeder(&f) == 0)
        return 0;
#ifdef _WIN32
    CloseHandle(in);
#else
    close(in);
#endif
    zhcs_process_close_stdin(proc, 10000, NULL);
    return -1;
}

/* ------------------------------------------------------------------ exec */
static int cmd_exec(const hcsctl_opts *o, zhcs_service *svc, int argc, char **argv)
{
    const char *id = NULL, *tty = NULL, *cwd = NULL;
    int no_stdin = 0, i = 0;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        int r;
        if ((r = hcsctl_opt(&i, argc, argv, "--tty", &tty)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--workdir", &cwd)) != 0) {
            if (r < 0)
                return hcsctl_usage_error("%s needs a value", argv[i]);
        } else if (strcmp(argv[i], "--no-stdin") == 0)
            no_stdin = 1;
        else if (argv[i][0] == '-' && argv[i][1] == '-')
            return hcsctl_usage_error("exec: unknown option %s", argv[i]);
        else if (!id)
            id = argv[i];
        else
            break; /* the command line starts */
    }
    if (!id || i >= argc)
        return hcsctl_usage_error("exec ID [--tty HEIGHTxWIDTH] [--workdir DIR] [--no-stdin] -- COMMAND LINE");
    uint64_t h = 0, w = 0;
    if (tty) { /* HEIGHTxWIDTH, each 1 to 65535 */
        const char *x = strchr(tty, 'x');
        char height[16];
        size_t hl = x ? (size_t)(x - tty) : 0;
        if (!x || hl == 0 || hl >= sizeof height)
            return hcsctl_usage_error("--tty takes HEIGHTxWIDTH, e.g. 30x120, not \"%s\"", tty);
        memcpy(height, tty, hl);
        height[hl] = '\0';
        if (hcsctl_parse_uint("--tty height", height, 1, 65535, &h) ||
            hcsctl_parse_uint("--tty width", x + 1, 1, 65535, &w))
            return HCSCTL_USAGE;
    }
    /* the command line: the words joined by spaces, as typed */
    hcsctl_buf line = {0};
    for (; i < argc; i++) {
        if (line.len)
            hcsctl_buf_puts(&line, " ");
        hcsctl_buf_puts(&line, argv[i]);
    }
    if (line.oom || !line.s) {
        hcsctl_buf_free(&line);
        return hcsctl_usage_error("exec: an empty command line");
    }
    if (line.len > 32767) {
        hcsctl_buf_free(&line);
        return hcsctl_usage_error("the command line is longer than Windows' 32767 characters");
    }
    char *cmdline = line.s;
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    if (zhcs_system_open(&sys, svc, id, &err) < 0) {
        hcsctl_fail(o, "cannot open the system", err);
        free(cmdline);
        return HCSCTL_EXEC_FAILED;
    }
    zhcs_ProcessParameters pp;
    memset(&pp, 0, sizeof pp);
    pp.CommandLine = cmdline;
    pp.WorkingDirectory = (char *)cwd;
    pp.has_CreateStdOutPipe = pp.has_CreateStdErrPipe = pp.has_CreateStdInPipe = true;
    pp.CreateStdOutPipe = pp.CreateStdErrPipe = true;
    pp.CreateStdInPipe = !no_stdin;
    if (tty) {
        pp.has_EmulateConsole = true;
        pp.EmulateConsole = true;
        pp.has_ConsoleSize = true;
        pp.ConsoleSize[0] = (uint16_t)h;
        pp.ConsoleSize[1] = (uint16_t)w;
    }
    zhcs_process *proc = NULL;
    if (zhcs_process_create(&proc, sys, &pp, DEFAULT_TIMEOUT_MS, &err) < 0) {
        hcsctl_fail(o, "cannot start the process", err);
        zhcs_system_close(sys);
        free(cmdline);
        return HCSCTL_EXEC_FAILED;
    }
    static feeder f;
    zhcs_fd out = ZHCS_FD_NONE, errfd = ZHCS_FD_NONE;
    f.proc = proc;
    f.in = ZHCS_FD_NONE;
    zhcs_process_take_stdio(proc, no_stdin ? NULL : &f.in, &out, &errfd, NULL);
    if (f.in != ZHCS_FD_NONE && start_feeder(&f) < 0)
        zhcs_process_close_stdin(proc, 10000, NULL);
    hcsctl_stream_output(out, errfd);
    int64_t code = -1;
    int rc;
    if (zhcs_process_wait(proc, ZHCS_INFINITE, &code, &err) < 0) {
        hcsctl_fail(o, "lost the process", err);
        rc = HCSCTL_EXEC_FAILED;
    } else if (code < 0) {
        fprintf(stderr, "hcsctl: the process's exit code is unknown\n");
        rc = HCSCTL_EXEC_FAILED;
    } else if (code > 255) {
        fprintf(stderr, "hcsctl: the process exited with %lld (0x%llX), more than an exit status holds\n",
                (long long)code, (unsigned long long)code);
        rc = 255;
    } else {
        rc = (int)code;
    }
#ifdef _WIN32
    if (out)
        CloseHandle(out);
    if (errfd)
        CloseHandle(errfd);
#else
    if (out >= 0)
        close(out);
    if (errfd >= 0)
        close(errfd);
#endif
    /* the feeder may still sit in a read of our stdin: the process is gone, so we leave */
    zhcs_process_close(proc);
    zhcs_system_close(sys);
    free(cmdline);
    return rc;
}

/* ------------------------------------------------------------------ ps, signal */
static int cmd_ps(const hcsctl_opts *o, zhcs_service *svc, int argc, char **argv)
{
    if (argc != 1)
        return hcsctl_usage_error("ps ID");
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    if (zhcs_system_open(&sys, svc, argv[0], &err) < 0)
        return hcsctl_fail(o, "cannot open the system", err);
    zhcs_System_PropertyType types[1] = {ZHCS_SYSTEM_PROPERTYTYPE_PROCESSLIST};
    zhcs_System_PropertyQuery q;
    memset(&q, 0, sizeof q);
    q.PropertyTypes = types;
    q.PropertyTypes_count = 1;
    zhcs_Properties *p = NULL;
    int rc = HCSCTL_OK;
    if (zhcs_system_properties(&p, sys, &q, DEFAULT_TIMEOUT_MS, &err) < 0) {
        rc = hcsctl_fail(o, "cannot list the processes", err);
    } else {
        static const char *const headers[] = {"PID", "IMAGE", "CREATED", "CPU TIME", "MEMORY"};
        hcsctl_table *t = hcsctl_table_new(5, headers);
        for (size_t k = 0; k < p->ProcessList_count; k++) {
            const zhcs_ProcessDetails *d = &p->ProcessList[k];
            char pid[16], cpu[48], mem[32];
            snprintf(pid, sizeof pid, "%u", (unsigned)d->ProcessId);
            snprintf(cpu, sizeof cpu, "%.3f s", (double)(d->UserTime100ns + d->KernelTime100ns) / 1e7);
            hcsctl_format_bytes(mem, sizeof mem, (double)d->MemoryCommitBytes);
            const char *row[] = {pid, d->ImageName, d->CreateTimestamp, cpu, mem};
            hcsctl_table_add(t, row);
        }
        hcsctl_table_print(o, t);
    }
    zhcs_Properties_free(p);
    zhcs_system_close(sys);
    return rc;
}

static int cmd_signal(const hcsctl_opts *o, zhcs_service *svc, int argc, char **argv)
{
    if (argc != 3)
        return hcsctl_usage_error("signal ID PID SIGNAL  (SIGNAL: CtrlC, CtrlBreak, CtrlClose, CtrlLogOff, CtrlShutdown)");
    uint64_t pid = 0;
    if (hcsctl_parse_uint("PID", argv[1], 1, 0xFFFFFFFFu, &pid))
        return HCSCTL_USAGE;
    int sig = -1;
    for (int k = 0; k <= ZHCS_SIGNAL_CTRL_SHUTDOWN; k++) {
        const char *name = zhcs_signal_name((zhcs_signal)k);
        size_t n = strlen(name);
        int same = strlen(argv[2]) == n;
        for (size_t c = 0; same && c < n; c++) {
            char a = argv[2][c], b = name[c];
            same = (a | 0x20) == (b | 0x20);
        }
        if (same)
            sig = k;
    }
    if (sig < 0)
        return hcsctl_usage_error("unknown signal \"%s\" (CtrlC, CtrlBreak, CtrlClose, CtrlLogOff, CtrlShutdown)", argv[2]);
    zhcs_system *sys = NULL;
    zhcs_process *proc = NULL;
    zhcs_error *err = NULL;
    int rc = HCSCTL_OK;
    if (zhcs_system_open(&sys, svc, argv[0], &err) < 0)
        rc = hcsctl_fail(o, "cannot open the system", err);
    else if (zhcs_process_open(&proc, sys, (uint32_t)pid, &err) < 0)
        rc = hcsctl_fail(o, "cannot open the process", err);
    else if (zhcs_process_signal(proc, (zhcs_signal)sig, DEFAULT_TIMEOUT_MS, &err) < 0)
        rc = hcsctl_fail(o, "cannot signal the process", err);
    else if (o->json)
        printf("{\"pid\":%u,\"signal\":\"%s\"}\n", (unsigned)pid, zhcs_signal_name((zhcs_signal)sig));
    else
        printf("sent %s to %u\n", zhcs_signal_name((zhcs_signal)sig), (unsigned)pid);
    zhcs_process_close(proc);
    zhcs_system_close(sys);
    return rc;
}

int hcsctl_process(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    zhcs_service *svc = NULL;
    int rc = hcsctl_open_hcs(o, &svc);
    if (rc)
        return strcmp(cmd, "exec") == 0 && rc != HCSCTL_USAGE ? HCSCTL_EXEC_FAILED : rc;
    if (strcmp(cmd, "exec") == 0)
        rc = cmd_exec(o, svc, argc, argv);
    else if (strcmp(cmd, "ps") == 0)
        rc = cmd_ps(o, svc, argc, argv);
    else
        rc = cmd_signal(o, svc, argc, argv);
    zhcs_service_close(svc);
    return rc;
}

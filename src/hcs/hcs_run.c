/* SPDX-License-Identifier: MIT */
/* hcs_run.c - zhcs_process_run: run a command to completion, feeding stdin and capturing
 * stdout and stderr at the same time, so that neither pipe can fill up and stall the
 * process. POSIX: one poll() loop over non-blocking descriptors. Windows (pipes cannot be
 * polled): a thread per stream doing its I/O with an OVERLAPPED (HCS's handles may be opened
 * for overlapped I/O or not), cancelled at the end with CancelIoEx and CancelSynchronousIo.
 * zhcs_fd_read / zhcs_fd_write are that I/O for callers who stream stdio themselves. */
#include <stdlib.h>
#include <string.h>

#include "hcs_internal.h"
#include "zh_str.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

typedef struct sink {
    zh_buf buf;
    size_t max;
    bool truncated;
} sink;

static void sink_add(sink *k, const char *data, size_t n)
{
    size_t room = k->max > k->buf.len ? k->max - k->buf.len : 0;
    if (n > room) {
        k->truncated = true;
        n = room;
    }
    if (n)
        zh_buf_append(&k->buf, data, n);
}

void zhcs_run_result_free(zhcs_run_result *r)
{
    if (!r)
        return;
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
    r->exit_code = -1;
}

static uint32_t left_ms(uint64_t deadline)
{
    if (deadline == UINT64_MAX)
        return ZHCS_INFINITE;
    uint64_t now = zh_monotonic_ns();
    return deadline > now ? (uint32_t)((deadline - now + 999999u) / 1000000u) : 0;
}

#ifndef _WIN32
/* Writes what it can without blocking; -1 when the reader has gone. */
static ssize_t write_some(int fd, const char *data, size_t n)
{
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL); /* a socket: no SIGPIPE */
    if (w < 0 && errno == ENOTSOCK)
        w = write(fd, data, n); /* a pipe: the caller's SIGPIPE disposition applies */
    return w;
}

/* Pumps stdin/stdout/stderr until both outputs reach end-of-file or the deadline passes.
 * Returns 0, or -1 on the deadline. */
static int pump(zhcs_fd in, zhcs_fd out, zhcs_fd errfd, const char *data, size_t len, sink *o, sink *e,
                uint64_t deadline, zhcs_process *proc)
{
    int fds[3] = {in, out, errfd};
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
    size_t off = 0;
    if (fds[0] >= 0 && len == 0) {
        close(fds[0]);
        fds[0] = -1;
        zhcs_process_close_stdin(proc, 10000, NULL);
    }
    char buf[16384];
    while (fds[1] >= 0 || fds[2] >= 0) {
        uint32_t ms = left_ms(deadline);
        if (ms == 0)
            break;
        struct pollfd p[3];
        int n = 0, which[3];
        for (int i = 0; i < 3; i++) {
            if (fds[i] < 0)
                continue;
            p[n].fd = fds[i];
            p[n].events = i == 0 ? POLLOUT : POLLIN;
            p[n].revents = 0;
            which[n++] = i;
        }
        int r = poll(p, (nfds_t)n, ms > 1000 ? 1000 : (int)ms);
        if (r < 0 && errno != EINTR)
            break;
        for (int k = 0; r > 0 && k < n; k++) {
            int i = which[k];
            if (!p[k].revents)
                continue;
            if (i == 0) {
                ssize_t w = write_some(fds[0], data + off, len - off);
                if (w > 0)
                    off += (size_t)w;
                if ((w < 0 && errno != EAGAIN && errno != EINTR) || off == len || (p[k].revents & (POLLERR | POLLHUP))) {
                    close(fds[0]);
                    fds[0] = -1;
                    zhcs_process_close_stdin(proc, 10000, NULL);
                }
                continue;
            }
            ssize_t got = read(fds[i], buf, sizeof buf);
            if (got > 0)
                sink_add(i == 1 ? o : e, buf, (size_t)got);
            else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(fds[i]);
                fds[i] = -1;
            }
        }
    }
    int timed_out = fds[1] >= 0 || fds[2] >= 0;
    for (int i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return timed_out ? -1 : 0;
}

long zhcs_fd_read(zhcs_fd fd, void *buf, size_t size)
{
    if (fd < 0 || !buf)
        return -1;
    for (;;) {
        ssize_t n = read(fd, buf, size);
        if (n >= 0)
            return (long)n;
        if (errno != EINTR)
            return -1;
    }
}

long zhcs_fd_write(zhcs_fd fd, const void *buf, size_t size)
{
    if (fd < 0 || (!buf && size))
        return -1;
    size_t off = 0;
    while (off < size) {
#ifdef MSG_NOSIGNAL
        /* the simulator's ends are sockets: a closed peer is an error, not SIGPIPE */
        ssize_t n = send(fd, (const char *)buf + off, size - off, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = write(fd, (const char *)buf + off, size - off);
#else
        ssize_t n = write(fd, (const char *)buf + off, size - off);
#endif
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return (long)size;
}
#else
/* One read or write with an OVERLAPPED: right for overlapped handles, and for synchronous
 * ones it completes before the call returns. */
static int overlapped_io(HANDLE h, void *buf, DWORD n, DWORD *done, int write)
{
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!ov.hEvent)
        return -1;
    BOOL ok = write ? WriteFile(h, buf, n, NULL, &ov) : ReadFile(h, buf, n, NULL, &ov);
    DWORD e = ok ? 0 : GetLastError();
    if (ok || e == ERROR_IO_PENDING)
        ok = GetOverlappedResult(h, &ov, done, ok ? FALSE : TRUE);
    e = ok ? 0 : GetLastError();
    CloseHandle(ov.hEvent);
    if (!ok)
        SetLastError(e);
    return ok ? 0 : -1;
}

long zhcs_fd_read(zhcs_fd fd, void *buf, size_t size)
{
    DWORD got = 0;
    if (!fd || fd == INVALID_HANDLE_VALUE || !buf)
        return -1;
    if (size > 1u << 30)
        size = 1u << 30;
    if (overlapped_io((HANDLE)fd, buf, (DWORD)size, &got, 0) < 0)
        return GetLastError() == ERROR_BROKEN_PIPE || GetLastError() == ERROR_HANDLE_EOF ? 0 : -1;
    return (long)got;
}

long zhcs_fd_write(zhcs_fd fd, const void *buf, size_t size)
{
    if (!fd || fd == INVALID_HANDLE_VALUE || (!buf && size))
        return -1;
    size_t off = 0;
    while (off < size) {
        DWORD chunk = size - off > 65536 ? 65536 : (DWORD)(size - off), put = 0;
        if (overlapped_io((HANDLE)fd, (char *)buf + off, chunk, &put, 1) < 0 || put == 0)
            return -1;
        off += put;
    }
    return (long)size;
}

typedef struct pipe_job {
    HANDLE h;
    const char *data; /* the writer's */
    size_t len;
    sink *k;          /* a reader's */
    HANDLE thread;
} pipe_job;

static DWORD WINAPI reader_main(LPVOID arg)
{
    pipe_job *j = arg;
    char buf[16384];
    long got;
    while ((got = zhcs_fd_read(j->h, buf, sizeof buf)) > 0)
        sink_add(j->k, buf, (size_t)got);
    return 0;
}

static DWORD WINAPI writer_main(LPVOID arg)
{
    pipe_job *j = arg;
    (void)zhcs_fd_write(j->h, j->data, j->len);
    return 0;
}

static int pump(zhcs_fd in, zhcs_fd out, zhcs_fd errfd, const char *data, size_t len, sink *o, sink *e,
                uint64_t deadline, zhcs_process *proc)
{
    pipe_job jobs[3] = {{in, data, len, NULL, NULL}, {out, NULL, 0, o, NULL}, {errfd, NULL, 0, e, NULL}};
    for (int i = 0; i < 3; i++) {
        if (!jobs[i].h || (i == 0 && len == 0))
            continue;
        jobs[i].thread = CreateThread(NULL, 0, i == 0 ? writer_main : reader_main, &jobs[i], 0, NULL);
    }
    if (jobs[0].h && !jobs[0].thread) {
        CloseHandle(jobs[0].h); /* nothing to write (or no thread): end-of-file at once */
        jobs[0].h = NULL;
        zhcs_process_close_stdin(proc, 10000, NULL);
    }
    int timed_out = 0;
    for (int i = 0; i < 3; i++) {
        if (!jobs[i].thread)
            continue;
        uint32_t ms = left_ms(deadline);
        if (WaitForSingleObject(jobs[i].thread, ms == ZHCS_INFINITE ? INFINITE : ms) != WAIT_OBJECT_0) {
            timed_out = 1;
            CancelSynchronousIo(jobs[i].thread); /* a synchronous handle's I/O */
            CancelIoEx(jobs[i].h, NULL);         /* an overlapped one's */
            WaitForSingleObject(jobs[i].thread, 5000);
        }
        if (i == 0 && jobs[0].h) {
            CloseHandle(jobs[0].h);
            jobs[0].h = NULL;
            zhcs_process_close_stdin(proc, 10000, NULL);
        }
    }
    for (int i = 0; i < 3; i++) {
        if (jobs[i].thread) {
            CancelSynchronousIo(jobs[i].thread);
            if (jobs[i].h)
                CancelIoEx(jobs[i].h, NULL);
            WaitForSingleObject(jobs[i].thread, INFINITE);
            CloseHandle(jobs[i].thread);
        }
        if (jobs[i].h)
            CloseHandle(jobs[i].h);
    }
    return timed_out ? -1 : 0;
}
#endif

int zhcs_process_run(zhcs_run_result *result, zhcs_system *sys, const char *command_line,
                     const zhcs_run_options *options, zhcs_error **err)
{
    static const char fn[] = "zhcs_process_run";
    if (!result)
        return hcs_null_arg(fn, "result", err);
    memset(result, 0, sizeof *result);
    result->exit_code = -1;
    zhcs_run_options defaults = ZHCS_RUN_OPTIONS_INIT;
    const zhcs_run_options *o = options ? options : &defaults;
    if (o->version < 1 || o->version > ZHCS_RUN_OPTIONS_VERSION)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn, "unknown zhcs_run_options version %u",
                                o->version);
    if (!command_line)
        return hcs_null_arg(fn, "the command line", err);
    if (!o->stdin_data && o->stdin_len)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn, "stdin_len without stdin_data");
    uint64_t deadline = hcs_deadline(o->timeout_ms);

    zhcs_ProcessParameters pp;
    memset(&pp, 0, sizeof pp);
    pp.CommandLine = (char *)command_line;
    pp.WorkingDirectory = (char *)o->working_directory;
    pp.has_CreateStdInPipe = pp.has_CreateStdOutPipe = pp.has_CreateStdErrPipe = true;
    pp.CreateStdInPipe = pp.CreateStdOutPipe = pp.CreateStdErrPipe = true;
    zhcs_process *proc = NULL;
    if (zhcs_process_create(&proc, sys, &pp, left_ms(deadline), err) < 0)
        return -1;
    zhcs_fd in = ZHCS_FD_NONE, out = ZHCS_FD_NONE, errfd = ZHCS_FD_NONE;
    zhcs_process_take_stdio(proc, &in, &out, &errfd, NULL);

    sink so = {ZH_BUF_INIT(0), o->max_output, false}, se = {ZH_BUF_INIT(0), o->max_output, false};
    int pumped = pump(in, out, errfd, o->stdin_data ? o->stdin_data : "", o->stdin_len, &so, &se, deadline, proc);
    int rc = 0;
    zh_error *e = NULL;
    if (pumped < 0 || zhcs_process_wait(proc, left_ms(deadline), &result->exit_code, &e) < 0) {
        if (pumped < 0 || zh_error_category(e) == ZH_CAT_TIMEOUT) {
            zhcs_process_terminate(proc, 10000, NULL);
            zh_error_free(e);
            e = NULL;
            zh_error_set_cat(&e, HCS_E_OPERATION_TIMEOUT, ZH_CAT_TIMEOUT, fn,
                             "\"%.200s\" did not finish within %u ms and was killed", command_line, o->timeout_ms);
        }
        result->exit_code = -1;
        rc = -1;
    }
    zhcs_process_close(proc);
    if (rc < 0)
        zh_error_put(err, e);
    result->out_len = so.buf.len;
    result->err_len = se.buf.len;
    result->out = zh_buf_take(&so.buf);
    result->err = zh_buf_take(&se.buf);
    result->truncated = so.truncated || se.truncated;
    if (!result->out || !result->err) {
        zhcs_run_result_free(result);
        if (rc == 0)
            rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    }
    return rc;
}

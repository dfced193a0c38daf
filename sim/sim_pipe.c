/* SPDX-License-Identifier: MIT */
/* sim_pipe.c - stdio channels of simulated processes (see sim_pipe.h). */
#include "sim_pipe.h"

#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#else
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif
#endif

#ifdef _WIN32
#include <stdio.h>
#include <string.h>

#include "sim_hcs.h"

#ifndef PIPE_REJECT_REMOTE_CLIENTS
#define PIPE_REJECT_REMOTE_CLIENTS 0x00000008
#endif

/* A named pipe. The host end (the server) is opened for overlapped I/O when `overlapped`,
 * as HCS's stdio handles are (hcsshim treats them as overlapped files), else synchronous
 * (the latitude's anonymous-pipe behaviour: CreatePipe makes a named pipe too). The guest's
 * end (the client) is overlapped either way, so that a guest waiting for input or for room
 * in a full pipe can wait for a wake-up too (sim_fd_read_wait, sim_fd_write_wait). */
static int pipe_pair(HANDLE *r, HANDLE *w, int host_writes, int overlapped)
{
    static volatile LONG serial;
    char name[96];
    snprintf(name, sizeof name, "\\\\.\\pipe\\zhsim-stdio-%lu-%ld", (unsigned long)GetCurrentProcessId(),
             (long)InterlockedIncrement(&serial));
    HANDLE server = CreateNamedPipeA(name,
                                     (host_writes ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND) |
                                         (overlapped ? FILE_FLAG_OVERLAPPED : 0) | FILE_FLAG_FIRST_PIPE_INSTANCE,
                                     PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1,
                                     65536, 65536, 0, NULL);
    if (server == INVALID_HANDLE_VALUE)
        return -1;
    HANDLE client = CreateFileA(name, host_writes ? GENERIC_READ : GENERIC_WRITE | FILE_READ_ATTRIBUTES, 0, NULL,
                                OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    if (client == INVALID_HANDLE_VALUE) {
        CloseHandle(server);
        return -1;
    }
    *r = host_writes ? client : server;
    *w = host_writes ? server : client;
    return 0;
}

int sim_pipe_open(sim_pipe *p, int host_writes)
{
    HANDLE r, w;
    p->guest = p->host = -1;
    /* the latitude: 0 (the default) overlapped host ends, 1 synchronous ones */
    if (pipe_pair(&r, &w, host_writes, sim_lat(ZH_SIM_LAT_OVERLAPPED_STDIO) == 0) < 0)
        return -1;
    if (host_writes) {
        p->host = (sim_fd)w;
        p->guest = (sim_fd)r;
    } else {
        /* a full pipe never hangs a terminate: the guest's write waits for the wake-up too */
        p->host = (sim_fd)r;
        p->guest = (sim_fd)w;
    }
    return 0;
}

void sim_fd_close(sim_fd *fd)
{
    if (*fd != -1)
        CloseHandle((HANDLE)*fd);
    *fd = -1;
}

zh_handle sim_fd_handle(sim_fd fd)
{
    return fd == -1 ? NULL : (zh_handle)fd;
}

/* A read through an OVERLAPPED (right for overlapped and synchronous handles alike). With a
 * wake event, the wait for the data also ends when it is set: the read is cancelled and
 * FALSE returned with ERROR_OPERATION_ABORTED unless bytes came first. */
static BOOL overlapped_read(HANDLE h, char *buf, DWORD size, DWORD *got, HANDLE wake)
{
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!ov.hEvent)
        return FALSE;
    *got = 0;
    BOOL ok = ReadFile(h, buf, size, NULL, &ov);
    if (!ok && GetLastError() == ERROR_IO_PENDING) {
        HANDLE hs[2] = {ov.hEvent, wake};
        if (WaitForMultipleObjects(wake ? 2 : 1, hs, FALSE, INFINITE) != WAIT_OBJECT_0)
            CancelIoEx(h, &ov);
        ok = GetOverlappedResult(h, &ov, got, TRUE);
        if (!ok && GetLastError() == ERROR_OPERATION_ABORTED && *got > 0)
            ok = TRUE;
    } else if (ok) {
        ok = GetOverlappedResult(h, &ov, got, FALSE);
    }
    DWORD e = GetLastError();
    CloseHandle(ov.hEvent);
    SetLastError(e);
    return ok;
}

int sim_fd_read(sim_fd fd, char *buf, size_t size, uint32_t timeout_ms)
{
    uint64_t waited = 0;
    while (1) {
        DWORD avail = 0;
        if (!PeekNamedPipe((HANDLE)fd, NULL, 0, NULL, &avail, NULL))
            return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
        if (avail) {
            DWORD got = 0;
            if (!overlapped_read((HANDLE)fd, buf, (DWORD)(size < avail ? size : avail), &got, NULL))
                return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
            return (int)got;
        }
        if (waited >= timeout_ms)
            return -2;
        Sleep(5);
        waited += 5;
    }
}

/* An overlapped write of up to 64 KiB: done at once when the pipe has room, else waited for
 * up to timeout_ms (INFINITE: no limit) or until `wake` is set, then cancelled. 0 with
 * *written > 0, -1 when the host end is gone, -2 timed out / -3 woken with nothing written. */
static int overlapped_write(HANDLE h, const char *buf, size_t size, size_t *written, DWORD timeout_ms, HANDLE wake)
{
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    *written = 0;
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!ov.hEvent)
        return -1;
    DWORD got = 0, why = WAIT_OBJECT_0;
    BOOL ok = WriteFile(h, buf, (DWORD)(size > 65536 ? 65536 : size), NULL, &ov);
    if (!ok && GetLastError() == ERROR_IO_PENDING) {
        HANDLE hs[2] = {ov.hEvent, wake};
        why = WaitForMultipleObjects(wake ? 2 : 1, hs, FALSE, timeout_ms);
        if (why != WAIT_OBJECT_0)
            CancelIoEx(h, &ov);
        ok = GetOverlappedResult(h, &ov, &got, TRUE);
    } else if (ok) {
        ok = GetOverlappedResult(h, &ov, &got, FALSE);
    }
    DWORD e = ok ? 0 : GetLastError();
    CloseHandle(ov.hEvent);
    *written = got;
    if (got > 0)
        return 0;
    if (!ok && e != ERROR_OPERATION_ABORTED)
        return -1; /* ERROR_NO_DATA, ERROR_BROKEN_PIPE: the host end is gone */
    return why == WAIT_TIMEOUT ? -2 : -3;
}

int sim_fd_write_some(sim_fd fd, const char *buf, size_t size, size_t *written, uint32_t timeout_ms)
{
    int rc = overlapped_write((HANDLE)fd, buf, size, written, timeout_ms, NULL);
    return rc == -3 ? -2 : rc;
}

int sim_wake_open(sim_wake *k)
{
    HANDLE e = CreateEventW(NULL, TRUE, FALSE, NULL);
    k->r = k->w = e ? (sim_fd)e : -1;
    return e ? 0 : -1;
}

void sim_wake_set(sim_wake *k)
{
    if (k->w != -1)
        SetEvent((HANDLE)k->w);
}

void sim_wake_close(sim_wake *k)
{
    if (k->r != -1)
        CloseHandle((HANDLE)k->r);
    k->r = k->w = -1;
}

int sim_fd_read_wait(sim_fd fd, char *buf, size_t size, const sim_wake *k)
{
    HANDLE wake = k && k->r != -1 ? (HANDLE)k->r : NULL;
    while (1) {
        if (wake && WaitForSingleObject(wake, 0) == WAIT_OBJECT_0)
            return -3;
        DWORD got = 0;
        if (overlapped_read((HANDLE)fd, buf, (DWORD)(size > 65536 ? 65536 : size), &got, wake)) {
            if (got > 0)
                return (int)got;
            continue; /* a zero-byte message: wait again */
        }
        DWORD e = GetLastError();
        if (e == ERROR_OPERATION_ABORTED)
            return -3;
        return e == ERROR_BROKEN_PIPE || e == ERROR_PIPE_NOT_CONNECTED ? 0 : -1;
    }
}
int sim_fd_write_wait(sim_fd fd, const char *buf, size_t size, size_t *written, const sim_wake *k)
{
    HANDLE wake = k && k->r != -1 ? (HANDLE)k->r : NULL;
    if (wake && WaitForSingleObject(wake, 0) == WAIT_OBJECT_0) {
        *written = 0;
        return -3;
    }
    return overlapped_write((HANDLE)fd, buf, size, written, INFINITE, wake);
}
#else
static int high_cloexec(int fd)
{
    /* keep the host's fds away from 0..2 so that a valid one is never "not requested" */
    int hi = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    close(fd);
    return hi;
}

int sim_pipe_open(sim_pipe *p, int host_writes)
{
    int sv[2];
    p->guest = p->host = -1;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        return -1;
    sv[0] = high_cloexec(sv[0]);
    sv[1] = high_cloexec(sv[1]);
    if (sv[0] < 0 || sv[1] < 0) {
        if (sv[0] >= 0)
            close(sv[0]);
        if (sv[1] >= 0)
            close(sv[1]);
        return -1;
    }
    /* one direction only, like a pipe */
    shutdown(sv[0], host_writes ? SHUT_RD : SHUT_WR);
    shutdown(sv[1], host_writes ? SHUT_WR : SHUT_RD);
    fcntl(sv[1], F_SETFL, fcntl(sv[1], F_GETFL) | O_NONBLOCK); /* the guest end */
    p->host = sv[0];
    p->guest = sv[1];
    return 0;
}

void sim_fd_close(sim_fd *fd)
{
    if (*fd >= 0)
        close((int)*fd);
    *fd = -1;
}

zh_handle sim_fd_handle(sim_fd fd)
{
    return fd < 0 ? NULL : (zh_handle)fd;
}

int sim_fd_read(sim_fd fd, char *buf, size_t size, uint32_t timeout_ms)
{
    struct pollfd pfd = {(int)fd, POLLIN, 0};
    int rc = poll(&pfd, 1, (int)timeout_ms);
    if (rc == 0)
        return -2;
    if (rc < 0)
        return errno == EINTR ? -2 : -1;
    ssize_t n = recv((int)fd, buf, size, 0);
    if (n < 0)
        return (errno == EAGAIN || errno == EINTR) ? -2 : -1;
    return (int)n;
}

int sim_fd_write_some(sim_fd fd, const char *buf, size_t size, size_t *written, uint32_t timeout_ms)
{
    *written = 0;
    struct pollfd pfd = {(int)fd, POLLOUT, 0};
    int rc = poll(&pfd, 1, (int)timeout_ms);
    if (rc == 0)
        return -2;
    if (rc < 0)
        return errno == EINTR ? -2 : -1;
    ssize_t n = send((int)fd, buf, size, MSG_NOSIGNAL);
    if (n < 0)
        return (errno == EAGAIN || errno == EINTR) ? -2 : -1;
    *written = (size_t)n;
    return 0;
}
int sim_wake_open(sim_wake *k)
{
#ifdef __linux__
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    k->r = k->w = fd;
    return fd < 0 ? -1 : 0;
#else
    int fds[2];
    k->r = k->w = -1;
    if (pipe(fds) < 0)
        return -1;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    k->r = fds[0];
    k->w = fds[1];
    return 0;
#endif
}

void sim_wake_set(sim_wake *k)
{
    if (k->w < 0)
        return;
#ifdef __linux__
    uint64_t one = 1;
    ssize_t rc = write((int)k->w, &one, sizeof one);
#else
    ssize_t rc = write((int)k->w, "w", 1);
#endif
    (void)rc; /* full (EAGAIN): it is set already */
}

void sim_wake_close(sim_wake *k)
{
    if (k->r >= 0)
        close((int)k->r);
    if (k->w >= 0 && k->w != k->r)
        close((int)k->w);
    k->r = k->w = -1;
}

int sim_fd_read_wait(sim_fd fd, char *buf, size_t size, const sim_wake *k)
{
    while (1) {
        struct pollfd pfd[2] = {{(int)fd, POLLIN, 0}, {k ? (int)k->r : -1, POLLIN, 0}};
        int rc = poll(pfd, k && k->r >= 0 ? 2 : 1, -1); /* no timeout: input, its end, or the wake */
        if (rc < 0 && errno != EINTR)
            return -1;
        if (rc <= 0)
            continue;
        if (pfd[0].revents) {
            ssize_t n = recv((int)fd, buf, size, 0);
            if (n >= 0)
                return (int)n;
            if (errno != EAGAIN && errno != EINTR)
                return -1;
        }
        if (k && k->r >= 0 && pfd[1].revents)
            return -3;
    }
}
int sim_fd_write_wait(sim_fd fd, const char *buf, size_t size, size_t *written, const sim_wake *k)
{
    *written = 0;
    while (1) {
        struct pollfd pfd[2] = {{(int)fd, POLLOUT, 0}, {k ? (int)k->r : -1, POLLIN, 0}};
        int rc = poll(pfd, k && k->r >= 0 ? 2 : 1, -1); /* no timeout: room, the host gone, or the wake */
        if (rc < 0 && errno != EINTR)
            return -1;
        if (rc <= 0)
            continue;
        if (pfd[0].revents) {
            ssize_t n = send((int)fd, buf, size, MSG_NOSIGNAL);
            if (n > 0) {
                *written = (size_t)n;
                return 0;
            }
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                return -1;
        }
        if (k && k->r >= 0 && pfd[1].revents)
            return -3;
    }
}
#endif

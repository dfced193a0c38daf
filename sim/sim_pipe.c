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
#endif

#ifdef _WIN32
#include <stdio.h>

#include "sim_hcs.h"

#ifndef PIPE_REJECT_REMOTE_CLIENTS
#define PIPE_REJECT_REMOTE_CLIENTS 0x00000008
#endif

/* A named pipe whose host end (the server) is opened for overlapped I/O, as HCS's stdio
 * handles are (hcsshim treats them as overlapped files); the guest end is synchronous. */
static int overlapped_pair(HANDLE *r, HANDLE *w, int host_writes)
{
    static volatile LONG serial;
    char name[96];
    snprintf(name, sizeof name, "\\\\.\\pipe\\zhsim-stdio-%lu-%ld", (unsigned long)GetCurrentProcessId(),
             (long)InterlockedIncrement(&serial));
    HANDLE server = CreateNamedPipeA(name,
                                     (host_writes ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND) | FILE_FLAG_OVERLAPPED |
                                         FILE_FLAG_FIRST_PIPE_INSTANCE,
                                     PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1,
                                     65536, 65536, 0, NULL);
    if (server == INVALID_HANDLE_VALUE)
        return -1;
    HANDLE client = CreateFileA(name, host_writes ? GENERIC_READ : GENERIC_WRITE | FILE_READ_ATTRIBUTES, 0, NULL,
                                OPEN_EXISTING, 0, NULL);
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
    /* the latitude: 0 (the default) overlapped host ends, 1 synchronous anonymous pipes */
    if (sim_lat(ZH_SIM_LAT_OVERLAPPED_STDIO) == 0) {
        if (overlapped_pair(&r, &w, host_writes) < 0)
            return -1;
    } else if (!CreatePipe(&r, &w, NULL, 65536)) {
        return -1;
    }
    if (host_writes) {
        p->host = (sim_fd)w;
        p->guest = (sim_fd)r;
    } else {
        /* the guest writes without blocking, so a full pipe never hangs a terminate */
        DWORD mode = PIPE_READMODE_BYTE | PIPE_NOWAIT;
        SetNamedPipeHandleState(w, &mode, NULL, NULL);
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

int sim_fd_read(sim_fd fd, char *buf, size_t size, uint32_t timeout_ms)
{
    uint64_t waited = 0;
    while (1) {
        DWORD avail = 0;
        if (!PeekNamedPipe((HANDLE)fd, NULL, 0, NULL, &avail, NULL))
            return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
        if (avail) {
            DWORD got = 0;
            if (!ReadFile((HANDLE)fd, buf, (DWORD)(size < avail ? size : avail), &got, NULL))
                return GetLastError() == ERROR_BROKEN_PIPE ? 0 : -1;
            return (int)got;
        }
        if (waited >= timeout_ms)
            return -2;
        Sleep(5);
        waited += 5;
    }
}

int sim_fd_write_some(sim_fd fd, const char *buf, size_t size, size_t *written, uint32_t timeout_ms)
{
    uint64_t waited = 0;
    *written = 0;
    while (1) {
        DWORD n = 0;
        if (!WriteFile((HANDLE)fd, buf, (DWORD)(size > 65536 ? 65536 : size), &n, NULL)) {
            DWORD e = GetLastError();
            return (e == ERROR_NO_DATA || e == ERROR_BROKEN_PIPE) ? -1 : -1;
        }
        if (n) {
            *written = n;
            return 0;
        }
        if (waited >= timeout_ms)
            return -2;
        Sleep(5);
        waited += 5;
    }
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
#endif

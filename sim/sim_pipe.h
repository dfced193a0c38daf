/* SPDX-License-Identifier: MIT */
/* sim_pipe.h - the stdio channels of simulated processes.
 *
 * Each channel has a host end (handed to the caller in HCS_PROCESS_INFORMATION) and a guest
 * end (used by the simulated process's thread). On Windows both are pipe HANDLEs, as from
 * HCS. On POSIX they are the two ends of a stream socket pair, and the host end is given as
 * a file descriptor cast to the handle type, (zh_handle)(intptr_t)fd, always >= 3 (so never
 * NULL): read(), write(), poll() and close() work on it as on a pipe. The guest writes
 * without raising SIGPIPE when the host has closed its end.
 */
#ifndef SIM_PIPE_H
#define SIM_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "zh_raw.h"

typedef intptr_t sim_fd; /* an fd on POSIX, a HANDLE on Windows; -1 when none */

typedef struct sim_pipe {
    sim_fd guest;
    sim_fd host;
} sim_pipe;

/* host_writes: the host writes and the guest reads (stdin); else the reverse. 0 or -1. */
int sim_pipe_open(sim_pipe *p, int host_writes);
void sim_fd_close(sim_fd *fd); /* sets it to -1 */
zh_handle sim_fd_handle(sim_fd fd);

/* Guest side. read: bytes (> 0), 0 at end of input, -1 on error, -2 when nothing arrived
 * within timeout_ms. write: 0 when all was written, -1 when the host end is gone, -2 when
 * nothing could be written within timeout_ms (the caller checks for signals and retries). */
int sim_fd_read(sim_fd fd, char *buf, size_t size, uint32_t timeout_ms);
int sim_fd_write_some(sim_fd fd, const char *buf, size_t size, size_t *written, uint32_t timeout_ms);

/* A wake-up for a guest blocked in sim_fd_read_wait: once set it stays set (it is set for
 * conditions that end the wait for good: terminate, stdin closed). POSIX: an eventfd (a
 * pipe elsewhere); Windows: a manual-reset event. */
typedef struct sim_wake {
    sim_fd r, w; /* -1 when not open; on Linux and Windows r == w */
} sim_wake;

#define SIM_WAKE_INIT {-1, -1}
int sim_wake_open(sim_wake *k); /* 0 or -1 */
void sim_wake_set(sim_wake *k); /* nothing when not open */
void sim_wake_close(sim_wake *k);

/* Guest side: blocks, with no periodic wake-up, until input arrives (bytes, > 0), the input
 * ends (0), an error (-1), or `k` is set (-3). */
int sim_fd_read_wait(sim_fd fd, char *buf, size_t size, const sim_wake *k);
/* Guest side: blocks, with no periodic wake-up, until some of buf could be written (0,
 * *written > 0), the host end is gone (-1) or `k` is set (-3). On Windows an overlapped
 * WriteFile, cancelled when `k` is set (what it wrote by then is in *written). */
int sim_fd_write_wait(sim_fd fd, const char *buf, size_t size, size_t *written, const sim_wake *k);

#endif /* SIM_PIPE_H */

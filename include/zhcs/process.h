/* SPDX-License-Identifier: MIT */
/* zhcs/process.h - processes inside a compute system, with their stdio.
 *
 * Standard input, output and error are OS handles (zhcs_fd: HANDLEs on Windows, file
 * descriptors elsewhere) that the process object owns until you take them. Read the output
 * handles promptly (or use zhcs_process_run, which does it for you): a process blocks when
 * a pipe it writes to is full. On POSIX, writing to stdin after the process has gone raises
 * SIGPIPE unless you ignore it or write with send(..., MSG_NOSIGNAL).
 *
 * The handle listens to the process's exit from the moment it is created or opened; a
 * process that exits before that still reports its exit code (zhcs_process_wait and a new
 * event subscription ask HCS), and its ProcessExited reaches each subscription once.
 * Windows Server 2022 may fail a create although the process runs (E_INVALIDARG): zhcs
 * recovers the process with HcsGetProcessInfo.
 */
#ifndef ZHCS_PROCESS_H
#define ZHCS_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include <zhcs/error.h>
#include <zhcs/export.h>
#include <zhcs/operation.h>
#include <zhcs/schema.h>
#include <zhcs/system.h>
#include <zhcs/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhcs_process zhcs_process;

/* Creates a process from ProcessParameters (CommandLine, pipes wanted, environment, ...). */
ZHCS_API int zhcs_process_create(zhcs_process **out, zhcs_system *sys, const zhcs_ProcessParameters *params,
                                 uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_process_create_json(zhcs_process **out, zhcs_system *sys, const char *params_json,
                                      uint32_t timeout_ms, zhcs_error **err);
/* The handle comes back at once; pid and stdio are there once the operation completed. */
ZHCS_API int zhcs_process_create_async(zhcs_process **out, zhcs_operation **op, zhcs_system *sys,
                                       const char *params_json, zhcs_error **err);

/* Runs `command_line` with all three pipes (stdin, stdout, stderr) created. */
ZHCS_API int zhcs_process_spawn(zhcs_process **out, zhcs_system *sys, const char *command_line, uint32_t timeout_ms,
                                zhcs_error **err);

/* Opens a process of the system by id (NOT_FOUND when there is none). No stdio. */
ZHCS_API int zhcs_process_open(zhcs_process **out, zhcs_system *sys, uint32_t pid, zhcs_error **err);

/* The process id (0 until the create completed, or for an invalid handle). */
ZHCS_API uint32_t zhcs_process_pid(zhcs_process *proc);

/* The stdio handles, owned by the process object (closed with it): ZHCS_FD_NONE when not
 * requested, not yet known, or already taken. */
ZHCS_API zhcs_fd zhcs_process_stdin(zhcs_process *proc);
ZHCS_API zhcs_fd zhcs_process_stdout(zhcs_process *proc);
ZHCS_API zhcs_fd zhcs_process_stderr(zhcs_process *proc);
/* Takes the stdio handles over: from now on the caller closes them. Any pointer may be
 * NULL (that handle stays with the process). */
ZHCS_API int zhcs_process_take_stdio(zhcs_process *proc, zhcs_fd *in, zhcs_fd *out, zhcs_fd *err_out,
                                     zhcs_error **err);

/* Reads up to `size` bytes from a stdio handle of a process: the count, 0 at the end of the
 * stream, -1 on an error. On Windows HCS may hand out handles opened for overlapped I/O (as
 * hcsshim treats them) or synchronous ones; these two work with both, where a plain
 * ReadFile/WriteFile without an OVERLAPPED is wrong for the first kind. Blocks until data,
 * the end, or an error (another thread may cancel it with CancelIoEx on Windows). */
ZHCS_API long zhcs_fd_read(zhcs_fd fd, void *buf, size_t size);
/* Writes all `size` bytes: `size`, or -1 when the stream is closed or on an error. */
ZHCS_API long zhcs_fd_write(zhcs_fd fd, const void *buf, size_t size);

typedef enum zhcs_signal {
    ZHCS_SIGNAL_CTRL_C = 0,
    ZHCS_SIGNAL_CTRL_BREAK = 1,
    ZHCS_SIGNAL_CTRL_CLOSE = 2,
    ZHCS_SIGNAL_CTRL_LOGOFF = 3,
    ZHCS_SIGNAL_CTRL_SHUTDOWN = 4
} zhcs_signal;

/* "CtrlC", "CtrlBreak", ...; NULL for a value outside the enum. */
ZHCS_API const char *zhcs_signal_name(zhcs_signal sig);

ZHCS_API int zhcs_process_signal(zhcs_process *proc, zhcs_signal sig, uint32_t timeout_ms, zhcs_error **err);
/* Linux guests (LCOW) take POSIX signal numbers: {"Signal": signum}, 1..64 (else
 * INVALID_ARGUMENT). Windows guests answer such a request with HCS's error. */
ZHCS_API int zhcs_process_signal_number(zhcs_process *proc, int signum, uint32_t timeout_ms, zhcs_error **err);
/* A SignalProcessOptions document as JSON, passed on as it is (checked for size, UTF-8 and
 * JSON only): for what the two forms above do not say. */
ZHCS_API int zhcs_process_signal_json(zhcs_process *proc, const char *options_json, uint32_t timeout_ms,
                                      zhcs_error **err);
/* Kills the process. Killing one that has already exited (or twice) is not an error. */
ZHCS_API int zhcs_process_terminate(zhcs_process *proc, uint32_t timeout_ms, zhcs_error **err);
/* Closes the process's standard input (it reads end-of-file), and the handle's own end. */
ZHCS_API int zhcs_process_close_stdin(zhcs_process *proc, uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_process_resize_console(zhcs_process *proc, uint16_t height, uint16_t width, uint32_t timeout_ms,
                                         zhcs_error **err);

ZHCS_API int zhcs_process_signal_async(zhcs_operation **op, zhcs_process *proc, zhcs_signal sig, zhcs_error **err);
ZHCS_API int zhcs_process_terminate_async(zhcs_operation **op, zhcs_process *proc, zhcs_error **err);
/* A ProcessModifyRequest as JSON (CloseHandle, ConsoleSize). */
ZHCS_API int zhcs_process_modify_async(zhcs_operation **op, zhcs_process *proc, const char *request_json,
                                       zhcs_error **err);

/* ProcessStatus: ProcessId, Exited, ExitCode, LastWaitResult. */
ZHCS_API int zhcs_process_properties(zhcs_ProcessStatus **out, zhcs_process *proc, uint32_t timeout_ms,
                                     zhcs_error **err);
ZHCS_API int zhcs_process_properties_json(char **out, zhcs_process *proc, const char *query_json, uint32_t timeout_ms,
                                          zhcs_error **err);

/* Waits for the process to exit. 0 with *exit_code (when not NULL): the exit code, or -1
 * when HCS could not read it (ProcessStatus.LastWaitResult not 0) or said nothing of the
 * process after its system stopped: the wait also ends when the system is seen to stop,
 * whether or not HCS reports the process's exit. -1 with TIMEOUT, DISCONNECTED or CLOSED.
 * The timeout is honoured; with 0 it asks HCS once (one raw call). */
ZHCS_API int zhcs_process_wait(zhcs_process *proc, uint32_t timeout_ms, int64_t *exit_code, zhcs_error **err);

/* Closes the handle (and the stdio handles it still owns). The process goes on. */
ZHCS_API void zhcs_process_close(zhcs_process *proc);

/* Runs a command to completion, feeding it `stdin_data` and capturing stdout and stderr at
 * the same time (no deadlock whichever pipe fills first). */
typedef struct zhcs_run_options {
    unsigned version;
    uint32_t timeout_ms;       /* for the whole run (default 60 s); the process is killed then */
    const char *stdin_data;    /* NULL: stdin is closed at once */
    size_t stdin_len;
    size_t max_output;         /* per stream; what comes after is read and dropped (default 16 MiB) */
    const char *working_directory; /* NULL: the system's default */
} zhcs_run_options;
#define ZHCS_RUN_OPTIONS_VERSION 1
#define ZHCS_RUN_OPTIONS_INIT {ZHCS_RUN_OPTIONS_VERSION, 60000, NULL, 0, (size_t)16 << 20, NULL}

typedef struct zhcs_run_result {
    int64_t exit_code;   /* -1 when unknown */
    char *out;           /* NUL-terminated (binary output may hold NULs: use out_len) */
    size_t out_len;
    char *err;
    size_t err_len;
    int truncated;       /* 1 when a stream passed max_output */
} zhcs_run_result;

/* 0 with *result filled (free with zhcs_run_result_free); -1 with TIMEOUT (the process was
 * killed; *result holds what it wrote until then) or another error (*result empty). */
ZHCS_API int zhcs_process_run(zhcs_run_result *result, zhcs_system *sys, const char *command_line,
                              const zhcs_run_options *options, zhcs_error **err);
ZHCS_API void zhcs_run_result_free(zhcs_run_result *result);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_PROCESS_H */

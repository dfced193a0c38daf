/* SPDX-License-Identifier: MIT */
/* zhcs/events.h - a system's or a process's events as a stream.
 *
 * A subscription buffers the events HCS reports (exit, crash, process exit, service
 * disconnect, ...) in a bounded queue: HCS's threads never wait for you, and when the queue
 * is full the newest event is dropped and counted. Read it with zhcs_events_next (with a
 * timeout), poll its waitable from an event loop, or have a callback called for each event
 * on the service's dispatcher thread. The stream ends when the system or process handle it
 * watches is closed: next() returns what is still queued, then CLOSED; no callback runs
 * after that close returns.
 */
#ifndef ZHCS_EVENTS_H
#define ZHCS_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include <zhcs/error.h>
#include <zhcs/export.h>
#include <zhcs/process.h>
#include <zhcs/schema.h>
#include <zhcs/system.h>
#include <zhcs/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* HCS's event types (computecore's numbering, not vmcompute's). */
typedef enum zhcs_event_type {
    ZHCS_EVENT_UNKNOWN = 0,                  /* a type this library does not know: see raw_type */
    ZHCS_EVENT_SYSTEM_EXITED = 0x00000001,
    ZHCS_EVENT_SYSTEM_CRASH_INITIATED = 0x00000002,
    ZHCS_EVENT_SYSTEM_CRASH_REPORT = 0x00000003,
    ZHCS_EVENT_SYSTEM_RDP_ENHANCED_MODE_STATE_CHANGED = 0x00000004,
    ZHCS_EVENT_SYSTEM_SILO_JOB_CREATED = 0x00000005,
    ZHCS_EVENT_SYSTEM_GUEST_CONNECTION_CLOSED = 0x00000006,
    ZHCS_EVENT_PROCESS_EXITED = 0x00010000,
    ZHCS_EVENT_OPERATION_CALLBACK = 0x01000000,
    ZHCS_EVENT_SERVICE_DISCONNECT = 0x02000000
} zhcs_event_type;

/* "SystemExited", ...; "Unknown" for anything else. */
ZHCS_API const char *zhcs_event_type_name(zhcs_event_type type);

/* One event. The typed payload that fits its type is decoded (the others are NULL); `data`
 * keeps HCS's JSON as it came (NULL when there was none). */
typedef struct zhcs_event {
    zhcs_event_type type;
    uint32_t raw_type;
    uint64_t sequence;                    /* 1, 2, ... per subscription, dropped ones included */
    const char *data;
    zhcs_SystemExitStatus *exit_status;   /* SYSTEM_EXITED */
    zhcs_CrashReport *crash_report;       /* SYSTEM_CRASH_REPORT and SYSTEM_CRASH_INITIATED */
    zhcs_ProcessStatus *process_status;   /* PROCESS_EXITED */
} zhcs_event;

ZHCS_API void zhcs_event_free(zhcs_event *event); /* accepts NULL */

typedef struct zhcs_events zhcs_events;

typedef struct zhcs_events_options {
    unsigned version;
    size_t capacity; /* events queued at most (default 256) */
} zhcs_events_options;
#define ZHCS_EVENTS_OPTIONS_VERSION 1
#define ZHCS_EVENTS_OPTIONS_INIT {ZHCS_EVENTS_OPTIONS_VERSION, 256}

/* Subscribes to a system's (or a process's) events from now on. `options` may be NULL. */
ZHCS_API int zhcs_events_subscribe(zhcs_events **out, zhcs_system *sys, const zhcs_events_options *options,
                                   zhcs_error **err);
ZHCS_API int zhcs_events_subscribe_process(zhcs_events **out, zhcs_process *proc, const zhcs_events_options *options,
                                           zhcs_error **err);

/* The next event, waiting up to `timeout_ms`. -1 with TIMEOUT when none came, or CLOSED when
 * the stream has ended and nothing is left. */
ZHCS_API int zhcs_events_next(zhcs_events *events, uint32_t timeout_ms, zhcs_event **out, zhcs_error **err);

/* Events dropped because the queue was full (or memory ran out). */
ZHCS_API uint64_t zhcs_events_dropped(zhcs_events *events);

/* Readable/signalled while events are queued or the stream has ended. Owned by the
 * subscription. */
ZHCS_API int zhcs_events_waitable(zhcs_events *events, zhcs_fd *out, zhcs_error **err);

/* Delivers every event (queued ones first) to `cb` on the dispatcher thread instead of
 * next(). The event belongs to the library; the callback must not keep it. `ctx_free` runs
 * once, when the callback will not run again. One callback per subscription. */
typedef void (*zhcs_events_cb)(const zhcs_event *event, void *ctx);
ZHCS_API int zhcs_events_set_callback(zhcs_events *events, zhcs_events_cb cb, void *ctx, zhcs_free_fn ctx_free,
                                      zhcs_error **err);

/* Ends the subscription; a callback running finishes first. NULL is fine. */
ZHCS_API void zhcs_events_close(zhcs_events *events);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_EVENTS_H */

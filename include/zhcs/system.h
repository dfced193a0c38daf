/* SPDX-License-Identifier: MIT */
/* zhcs/system.h - compute systems: Windows containers and Hyper-V virtual machines.
 *
 * A zhcs_system is one HCS_SYSTEM handle. Blocking calls take a timeout; each has an
 * `_async` twin returning a zhcs_operation (see zhcs/operation.h). States: Created ->
 * Running <-> Paused -> Stopped (and SavedAsTemplate). After a system stops, its handle
 * answers queries and waits only.
 *
 * The handle listens to the system's events from the moment it is created or opened, so
 * zhcs_system_wait sees an exit that happened at any time, and zhcs_events_subscribe
 * (zhcs/events.h) may be called whenever you like.
 */
#ifndef ZHCS_SYSTEM_H
#define ZHCS_SYSTEM_H

#include <stdint.h>

#include <zhcs/error.h>
#include <zhcs/export.h>
#include <zhcs/operation.h>
#include <zhcs/schema.h>
#include <zhcs/service.h>
#include <zhcs/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhcs_system zhcs_system;

/* Creates system `id` from a configuration document and waits for HCS to finish. On any
 * failure nothing is left behind: no handle, and no system - when HCS goes on creating after
 * a timeout, a reaper thread waits for the create to end, then terminates the system and
 * closes its handle. Errors: ALREADY_EXISTS, INVALID_JSON (with HCS's message),
 * INVALID_ARGUMENT (a document over ZHCS_DOCUMENT_MAX or not UTF-8), TIMEOUT, ... */
ZHCS_API int zhcs_system_create(zhcs_system **out, zhcs_service *svc, const char *id, const zhcs_ComputeSystem *config,
                                uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_system_create_json(zhcs_system **out, zhcs_service *svc, const char *id, const char *config_json,
                                     uint32_t timeout_ms, zhcs_error **err);
/* The handle comes back at once and is usable when the operation has completed
 * successfully; if it fails, close the handle. */
ZHCS_API int zhcs_system_create_async(zhcs_system **out, zhcs_operation **op, zhcs_service *svc, const char *id,
                                      const char *config_json, zhcs_error **err);

/* Opens an existing system (NOT_FOUND when there is none). */
ZHCS_API int zhcs_system_open(zhcs_system **out, zhcs_service *svc, const char *id, zhcs_error **err);

/* Lifecycle. `options_json` may be NULL (ShutdownOptions, SaveOptions, a crash's options).
 * Shutdown asks the guest to stop; terminate stops it at once. Shutdown and terminate of a
 * system that has already stopped succeed (blocking forms); every other call on a stopped
 * system fails with ALREADY_STOPPED. Pause, resume and save need a VM or a Hyper-V
 * isolated container (a process-isolated one: UNSUPPORTED, ERROR_NOT_SUPPORTED). */
ZHCS_API int zhcs_system_start(zhcs_system *sys, uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_system_shutdown(zhcs_system *sys, const char *options_json, uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_system_terminate(zhcs_system *sys, const char *options_json, uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_system_pause(zhcs_system *sys, const char *options_json, uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_system_resume(zhcs_system *sys, const char *options_json, uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_system_save(zhcs_system *sys, const char *options_json, uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_system_crash(zhcs_system *sys, const char *options_json, uint32_t timeout_ms, zhcs_error **err);

ZHCS_API int zhcs_system_start_async(zhcs_operation **op, zhcs_system *sys, zhcs_error **err);
ZHCS_API int zhcs_system_shutdown_async(zhcs_operation **op, zhcs_system *sys, const char *options_json, zhcs_error **err);
ZHCS_API int zhcs_system_terminate_async(zhcs_operation **op, zhcs_system *sys, const char *options_json, zhcs_error **err);
ZHCS_API int zhcs_system_pause_async(zhcs_operation **op, zhcs_system *sys, const char *options_json, zhcs_error **err);
ZHCS_API int zhcs_system_resume_async(zhcs_operation **op, zhcs_system *sys, const char *options_json, zhcs_error **err);
ZHCS_API int zhcs_system_save_async(zhcs_operation **op, zhcs_system *sys, const char *options_json, zhcs_error **err);
ZHCS_API int zhcs_system_crash_async(zhcs_operation **op, zhcs_system *sys, const char *options_json, zhcs_error **err);

/* Changes a running system (ModifySettingRequest). */
ZHCS_API int zhcs_system_modify(zhcs_system *sys, const zhcs_ModifySettingRequest *request, uint32_t timeout_ms,
                                zhcs_error **err);
ZHCS_API int zhcs_system_modify_json(zhcs_system *sys, const char *request_json, uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_system_modify_async(zhcs_operation **op, zhcs_system *sys, const char *request_json, zhcs_error **err);

/* Properties. `query` NULL asks for the basic properties (Id, State, Owner, ...); with
 * PropertyTypes (Statistics, ProcessList, Memory, ...) HCS adds those sections. */
ZHCS_API int zhcs_system_properties(zhcs_Properties **out, zhcs_system *sys, const zhcs_System_PropertyQuery *query,
                                    uint32_t timeout_ms, zhcs_error **err);
ZHCS_API int zhcs_system_properties_json(char **out, zhcs_system *sys, const char *query_json, uint32_t timeout_ms,
                                         zhcs_error **err);
ZHCS_API int zhcs_system_properties_async(zhcs_operation **op, zhcs_system *sys, const char *query_json,
                                          zhcs_error **err);

/* Waits until the system has stopped. 0 with *status (when not NULL; free it with
 * zhcs_SystemExitStatus_free; it may be NULL if HCS gave no status); -1 with TIMEOUT,
 * DISCONNECTED (the service went away), or CLOSED (the handle was closed meanwhile). */
ZHCS_API int zhcs_system_wait(zhcs_system *sys, uint32_t timeout_ms, zhcs_SystemExitStatus **status, zhcs_error **err);

/* 1 once the system has been seen to stop, 0 while not, -1 for an invalid handle. */
ZHCS_API int zhcs_system_exited(zhcs_system *sys);

/* Stops a system whatever it takes: shutdown, a bounded wait for the exit, terminate, a
 * second bounded wait. A system that is already stopped or gone counts as stopped (0). */
typedef struct zhcs_stop_options {
    unsigned version;
    uint32_t shutdown_timeout_ms;  /* the wait after shutdown (default 30 s) */
    uint32_t terminate_timeout_ms; /* the wait after terminate (default 30 s) */
    int skip_shutdown;             /* go straight to terminate */
} zhcs_stop_options;
#define ZHCS_STOP_OPTIONS_VERSION 1
#define ZHCS_STOP_OPTIONS_INIT {ZHCS_STOP_OPTIONS_VERSION, 30000, 30000, 0}
ZHCS_API int zhcs_system_stop(zhcs_system *sys, const zhcs_stop_options *options, zhcs_error **err);

/* The system's id, owned by the handle (valid until it is closed); "" for an invalid handle. */
ZHCS_API const char *zhcs_system_id(zhcs_system *sys);

/* Closes the handle: waits and event streams on it end with CLOSED, and no callback of it
 * runs after this returns. The system itself goes on (unless it was created with
 * ShouldTerminateOnLastHandleClosed and this was its last handle). NULL is fine. */
ZHCS_API void zhcs_system_close(zhcs_system *sys);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_SYSTEM_H */

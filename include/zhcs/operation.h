/* SPDX-License-Identifier: MIT */
/* zhcs/operation.h - HCS operations: one asynchronous HCS call each.
 *
 * Every zhcs call that HCS runs asynchronously (create, start, shutdown, properties, create
 * process, ...) has a blocking form taking a timeout and an `_async` form that hands back a
 * zhcs_operation. An operation can be waited for with a timeout, polled, cancelled, given a
 * completion callback, or watched through a waitable OS object from an event loop. Whatever
 * you do, nothing HCS may still use is freed under it: blocking calls hand HCS no callback
 * at all (they wait with HcsWaitForOperationResult), and the callback of an `_async`
 * operation gets an id, not an address, so HCS calling back late (after HcsCloseOperation
 * returned, which Microsoft does not exclude) finds nothing. HCS usually cannot cancel
 * (HcsCancelOperation is documented as E_NOTIMPL): an operation that timed out goes on.
 *
 * Completion callbacks run on the library's dispatcher thread (one per service), never on
 * HCS's threads and never with library locks held. They may call any zhcs function, blocking
 * ones included, and may free or close the objects they were called for; a slow callback
 * only delays the service's other callbacks.
 */
#ifndef ZHCS_OPERATION_H
#define ZHCS_OPERATION_H

#include <stdint.h>

#include <zhcs/error.h>
#include <zhcs/export.h>
#include <zhcs/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhcs_operation zhcs_operation;

typedef void (*zhcs_operation_cb)(zhcs_operation *op, void *ctx);

/* Waits up to `timeout_ms` for the operation to complete. 0 when it completed successfully;
 * -1 with *err: the operation's own failure (a copy, as often as you ask), TIMEOUT when it
 * is still running (it goes on; wait again, cancel or free it), CLOSED for a freed handle. */
ZHCS_API int zhcs_operation_wait(zhcs_operation *op, uint32_t timeout_ms, zhcs_error **err);

/* 1 when completed (successfully or not), 0 while running, -1 for an invalid handle. */
ZHCS_API int zhcs_operation_poll(zhcs_operation *op);

/* Asks HCS to cancel. 0 when HCS took the request (the operation then completes, usually
 * with a CANCELLED error); -1 with UNSUPPORTED when this HCS cannot cancel (E_NOTIMPL), or
 * INVALID_STATE when the operation has already completed or its work is under way. */
ZHCS_API int zhcs_operation_cancel(zhcs_operation *op, zhcs_error **err);

/* Runs `cb(op, ctx)` once when the operation completes (at once if it already has), on the
 * dispatcher thread. One callback per operation (a second is INVALID_STATE). `ctx_free`
 * (may be NULL) runs once, after the callback ran or when the operation is freed first. */
ZHCS_API int zhcs_operation_set_callback(zhcs_operation *op, zhcs_operation_cb cb, void *ctx, zhcs_free_fn ctx_free,
                                         zhcs_error **err);

/* An OS object that becomes signalled/readable when the operation completes: a manual-reset
 * event HANDLE on Windows, a pipe's read end elsewhere (poll for POLLIN; do not read it).
 * Owned by the operation: valid until zhcs_operation_free. */
ZHCS_API int zhcs_operation_waitable(zhcs_operation *op, zhcs_fd *out, zhcs_error **err);

/* The result document of a completed operation (a copy; NULL when HCS returned none), or
 * -1 with INVALID_STATE while it runs. Free with zhcs_string_free. A failed operation's
 * document is in its error (zhcs_error_document). */
ZHCS_API int zhcs_operation_result(char **out, zhcs_operation *op, zhcs_error **err);

/* The HCS call the operation tracks ("HcsStartComputeSystem"); "" for an invalid handle. */
ZHCS_API const char *zhcs_operation_name(zhcs_operation *op);

/* Frees the operation. Allowed while it runs: HCS finishes it and the result is discarded.
 * A callback already running finishes first; one not yet started never runs. NULL is fine. */
ZHCS_API void zhcs_operation_free(zhcs_operation *op);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_OPERATION_H */

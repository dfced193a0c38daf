/* SPDX-License-Identifier: MIT */
/* test_zhcs_operation.c - zhcs_operation: waits, polls, results, callbacks, waitables,
 * timeouts, cancellation (and HCS builds that cannot cancel), freeing while HCS still runs
 * the operation, and a thousand races between a completion callback and the free. */
#include "hcs_test.h"

#ifndef _WIN32
#include <poll.h>
#endif

static void wait_poll_and_result(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = NULL;
    zhcs_operation *op = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_create_async(&sys, &op, svc, "op-sys", HYPERV_CONTAINER_DOC, &err), 0);
    ZT_REQUIRE(sys && op);
    ZT_EQ_STR(zhcs_operation_name(op), "HcsCreateComputeSystem");
    ZT_EQ_INT(zhcs_operation_wait(op, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_operation_poll(op), 1);
    zhcs_operation_free(op);

    zh_sim_op_delay("HcsStartComputeSystem", 200);
    ZT_EQ_INT(zhcs_system_start_async(&op, sys, &err), 0);
    ZT_EQ_INT(zhcs_operation_poll(op), 0);
    char *doc = (char *)1;
    ZT_EQ_INT(zhcs_operation_result(&doc, op, &err), -1); /* still running */
    ZT_CHECK(doc == NULL);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_STATE);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_operation_wait(op, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_operation_wait(op, 0, &err), 0); /* as often as you like */
    zhcs_operation_free(op);
    zh_sim_op_delay(NULL, 0);

    ZT_EQ_INT(zhcs_system_properties_async(&op, sys, "{\"PropertyTypes\":[\"Statistics\"]}", &err), 0);
    ZT_EQ_INT(zhcs_operation_wait(op, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_operation_result(&doc, op, &err), 0);
    ZT_CONTAINS(doc, "\"State\":\"Running\"");
    ZT_CONTAINS(doc, "\"Statistics\"");
    zhcs_string_free(doc);
    zhcs_operation_free(op);

    /* a failed operation: its error, every time it is asked */
    ZT_EQ_INT(zhcs_system_resume_async(&op, sys, NULL, &err), 0);
    ZT_EQ_INT(zhcs_operation_wait(op, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_STATE);
    ZT_EQ_STR(zhcs_error_function(err), "HcsResumeComputeSystem");
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_operation_wait(op, 0, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_STATE);
    zhcs_error_free(err);
    err = NULL;
    zhcs_operation_free(op);

    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

typedef struct probe {
    zh_mutex lock;
    zh_cond cond;
    int calls;
    int frees;
    uint64_t thread;
    zhcs_operation *seen;
    int free_inside;
} probe;

static void probe_init(probe *p)
{
    memset(p, 0, sizeof *p);
    zh_mutex_init(&p->lock);
    zh_cond_init(&p->cond);
}

static void probe_fini(probe *p)
{
    zh_cond_destroy(&p->cond);
    zh_mutex_destroy(&p->lock);
}

static void on_done(zhcs_operation *op, void *ctx)
{
    probe *p = ctx;
    zh_mutex_lock(&p->lock);
    p->calls++;
    p->thread = zh_thread_self_id();
    p->seen = op;
    int free_it = p->free_inside;
    zh_cond_broadcast(&p->cond);
    zh_mutex_unlock(&p->lock);
    if (free_it)
        zhcs_operation_free(op); /* allowed from inside its own callback */
}

static void on_free(void *ctx)
{
    probe *p = ctx;
    zh_mutex_lock(&p->lock);
    p->frees++;
    zh_cond_broadcast(&p->cond);
    zh_mutex_unlock(&p->lock);
}

static int probe_wait(probe *p, int calls, int frees)
{
    uint64_t deadline = zh_monotonic_ns() + 5000000000ull;
    zh_mutex_lock(&p->lock);
    while ((p->calls < calls || p->frees < frees) && zh_cond_wait_until(&p->cond, &p->lock, deadline) == 0) {
    }
    int ok = p->calls == calls && p->frees == frees;
    zh_mutex_unlock(&p->lock);
    return ok;
}

static void completion_callbacks(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "op-cb");
    ZT_REQUIRE(sys != NULL);
    zhcs_error *err = NULL;
    probe p;
    probe_init(&p);

    /* set while running: called once on the dispatcher, then the context is freed */
    zhcs_operation *op = NULL;
    zh_sim_op_delay("HcsPauseComputeSystem", 100);
    ZT_EQ_INT(zhcs_system_pause_async(&op, sys, NULL, &err), 0);
    ZT_EQ_INT(zhcs_operation_set_callback(op, on_done, &p, on_free, &err), 0);
    ZT_CHECK(probe_wait(&p, 1, 1));
    ZT_CHECK(p.thread != zh_thread_self_id());
    ZT_CHECK(p.seen == op);
    ZT_EQ_INT(zhcs_operation_set_callback(op, on_done, &p, NULL, &err), -1); /* one per operation */
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_STATE);
    zhcs_error_free(err);
    err = NULL;
    zhcs_operation_free(op);
    ZT_EQ_INT(p.frees, 1); /* not twice */

    /* set after completion: called at once */
    zh_sim_op_delay(NULL, 0);
    ZT_EQ_INT(zhcs_system_resume_async(&op, sys, NULL, &err), 0);
    ZT_EQ_INT(zhcs_operation_wait(op, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_operation_set_callback(op, on_done, &p, on_free, &err), 0);
    ZT_CHECK(probe_wait(&p, 2, 2));
    zhcs_operation_free(op);

    /* freed from inside: fine, and the context still goes exactly once */
    p.free_inside = 1;
    ZT_EQ_INT(zhcs_system_properties_async(&op, sys, NULL, &err), 0);
    ZT_EQ_INT(zhcs_operation_set_callback(op, on_done, &p, on_free, &err), 0);
    ZT_CHECK(probe_wait(&p, 3, 3));
    p.free_inside = 0;
    zh_sleep_ms(50);
    ZT_EQ_INT(p.frees, 3);
    ZT_EQ_STR(zhcs_operation_name(op), ""); /* freed */

    /* freed before it completes: the callback never runs, the context goes at the free */
    zh_sim_op_delay("HcsPauseComputeSystem", 300);
    ZT_EQ_INT(zhcs_system_pause_async(&op, sys, NULL, &err), 0);
    ZT_EQ_INT(zhcs_operation_set_callback(op, on_done, &p, on_free, &err), 0);
    zhcs_operation_free(op);
    ZT_EQ_INT(p.frees, 4);
    zh_sleep_ms(500);
    ZT_EQ_INT(p.calls, 3);
    zh_sim_op_delay(NULL, 0);

    ZT_EQ_INT(zhcs_operation_set_callback(op, on_done, &p, NULL, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    err = NULL;
    probe_fini(&p);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

static int readable(zhcs_fd fd, int ms)
{
#ifdef _WIN32
    return WaitForSingleObject(fd, (DWORD)ms) == WAIT_OBJECT_0;
#else
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
#endif
}

static void waitables_for_event_loops(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "op-fd");
    ZT_REQUIRE(sys != NULL);
    zhcs_error *err = NULL;
    zhcs_operation *op = NULL;
    zh_sim_op_delay("HcsPauseComputeSystem", 200);
    ZT_EQ_INT(zhcs_system_pause_async(&op, sys, NULL, &err), 0);
    zhcs_fd fd = ZHCS_FD_NONE;
    ZT_EQ_INT(zhcs_operation_waitable(op, &fd, &err), 0);
    ZT_CHECK(fd != ZHCS_FD_NONE);
    ZT_EQ_INT(readable(fd, 0), 0);
    ZT_EQ_INT(readable(fd, 5000), 1);
    ZT_EQ_INT(zhcs_operation_poll(op), 1);
    zhcs_operation_free(op);
    zh_sim_op_delay(NULL, 0);

    /* asked for after completion: readable at once */
    ZT_EQ_INT(zhcs_system_resume_async(&op, sys, NULL, &err), 0);
    ZT_EQ_INT(zhcs_operation_wait(op, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_operation_waitable(op, &fd, &err), 0);
    ZT_EQ_INT(readable(fd, 0), 1);
    zhcs_operation_free(op);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    ZT_REQUIRE(err == NULL);
}

static void timeouts_and_cancellation(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "op-cancel");
    ZT_REQUIRE(sys != NULL);
    zhcs_error *err = NULL;
    zhcs_operation *op = NULL;

    /* a blocking call that times out: TIMEOUT, and HCS is asked to cancel it - which HCS
     * documents as not implemented (E_NOTIMPL): the pause goes on ... */
    int cancel_works = zh_sim_latitude(ZH_SIM_LAT_CANCEL, 0);
    zh_sim_op_delay("HcsPauseComputeSystem", 400);
    ZT_EQ_INT(zhcs_system_pause(sys, NULL, 30, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    ZT_EQ_STR(zhcs_error_function(err), "HcsPauseComputeSystem");
    zhcs_error_free(err);
    err = NULL;
    zh_sleep_ms(600);
    zhcs_Properties *props = NULL;
    ZT_EQ_INT(zhcs_system_properties(&props, sys, NULL, T_TIMEOUT, &err), 0);
    ZT_CHECK(props && props->State == ZHCS_STATE_PAUSED);
    zhcs_Properties_free(props);
    ZT_EQ_INT(zhcs_system_resume(sys, NULL, T_TIMEOUT, &err), 0);
    /* ... and where HCS can cancel, it is cancelled */
    zh_sim_latitude(ZH_SIM_LAT_CANCEL, 1);
    ZT_EQ_INT(zhcs_system_pause(sys, NULL, 30, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    zhcs_error_free(err);
    err = NULL;
    zh_sleep_ms(600);
    props = NULL;
    ZT_EQ_INT(zhcs_system_properties(&props, sys, NULL, T_TIMEOUT, &err), 0);
    ZT_CHECK(props && props->State == ZHCS_STATE_RUNNING); /* the pause was cancelled */
    zhcs_Properties_free(props);

    /* async: wait times out, the operation goes on; cancel ends it (an HCS that can) */
    ZT_EQ_INT(zhcs_system_pause_async(&op, sys, NULL, &err), 0);
    ZT_EQ_INT(zhcs_operation_wait(op, 20, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_operation_cancel(op, &err), 0);
    ZT_EQ_INT(zhcs_operation_wait(op, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CANCELLED);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_operation_cancel(op, &err), -1); /* done already */
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_STATE);
    zhcs_error_free(err);
    err = NULL;
    zhcs_operation_free(op);

    /* an HCS that cannot cancel says so */
    zh_sim_latitude(ZH_SIM_LAT_CANCEL, cancel_works);
    ZT_EQ_INT(zhcs_system_pause_async(&op, sys, NULL, &err), 0);
    zh_sim_fault("HcsCancelOperation", 0, (int32_t)0x80004001);
    ZT_EQ_INT(zhcs_operation_cancel(op, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_UNSUPPORTED);
    ZT_CONTAINS(zhcs_error_message(err), "cannot cancel");
    zhcs_error_free(err);
    err = NULL;
    zh_sim_fault_clear();
    ZT_EQ_INT(zhcs_operation_wait(op, T_TIMEOUT, &err), 0); /* it went on */
    zhcs_operation_free(op);

    /* freed while HCS still runs it: HCS finishes, nothing is touched */
    zh_sim_op_delay("HcsTerminateComputeSystem", 200);
    ZT_EQ_INT(zhcs_system_terminate_async(&op, sys, NULL, &err), 0);
    zhcs_operation_free(op);
    ZT_EQ_INT(zhcs_system_wait(sys, T_TIMEOUT, NULL, &err), 0);
    zh_sim_op_delay(NULL, 0);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    ZT_REQUIRE(err == NULL);
}

typedef struct race {
    zh_atomic after_free;
    zh_atomic calls;
    zh_atomic late;
    zh_atomic frees;
} race;

static void race_cb(zhcs_operation *op, void *ctx)
{
    (void)op;
    race *r = ctx;
    if (zh_atomic_load(&r->after_free))
        zh_atomic_add(&r->late, 1);
    zh_atomic_add(&r->calls, 1);
}

static void race_free(void *ctx)
{
    zh_atomic_add(&((race *)ctx)->frees, 1);
}

static void a_thousand_frees_race_their_callbacks(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "op-race");
    ZT_REQUIRE(sys != NULL);
    race r;
    int bad = 0;
    for (int i = 0; i < 1000 && !bad; i++) {
        zh_atomic_init(&r.after_free, 0);
        zh_atomic_init(&r.calls, 0);
        zh_atomic_init(&r.late, 0);
        zh_atomic_init(&r.frees, 0);
        zhcs_operation *op = NULL;
        if (zhcs_system_properties_async(&op, sys, NULL, NULL) < 0 ||
            zhcs_operation_set_callback(op, race_cb, &r, race_free, NULL) < 0) {
            bad = 1;
            break;
        }
        if (i % 3 == 1)
            zh_sleep_ms(0);
        zhcs_operation_free(op);
        zh_atomic_store(&r.after_free, 1);
        /* no callback after free returned, and the context went exactly once */
        if (zh_atomic_load(&r.late) != 0 || zh_atomic_load(&r.frees) != 1 || zh_atomic_load(&r.calls) > 1)
            bad = 1;
    }
    zh_sleep_ms(50);
    ZT_EQ_INT(bad, 0);
    ZT_EQ_INT(zh_atomic_load(&r.late), 0);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

static void invalid_operation_handles(void)
{
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_operation_wait(NULL, 0, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_operation_poll((zhcs_operation *)(uintptr_t)0x5151), -1);
    ZT_EQ_INT(zhcs_operation_cancel(NULL, &err), -1);
    zhcs_error_free(err);
    err = NULL;
    zhcs_fd fd;
    ZT_EQ_INT(zhcs_operation_waitable(NULL, &fd, &err), -1);
    ZT_CHECK(fd == ZHCS_FD_NONE);
    zhcs_error_free(err);
    zhcs_operation_free(NULL);
    zhcs_operation_free((zhcs_operation *)(uintptr_t)0x5151);
}

static const zt_case cases[] = {
    ZT_CASE(wait_poll_and_result),
    ZT_CASE(completion_callbacks),
    ZT_CASE(waitables_for_event_loops),
    ZT_CASE(timeouts_and_cancellation),
    ZT_CASE(a_thousand_frees_race_their_callbacks),
    ZT_CASE(invalid_operation_handles),
};
ZT_MAIN(cases)

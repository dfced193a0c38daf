/* SPDX-License-Identifier: MIT */
/* test_zhcs_events.c - zhcs_events: typed events from systems and processes, the bounded
 * queue and its drop count, callbacks on the dispatcher, waitables, service disconnect, the
 * end of a stream when its handle closes, and a thousand closes racing callbacks. */
#include "hcs_test.h"

#ifndef _WIN32
#include <poll.h>
#endif

static void system_events_are_typed(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "ev-sys");
    ZT_REQUIRE(sys != NULL);
    zhcs_events *ev = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_events_subscribe(&ev, sys, NULL, &err), 0);
    zhcs_event *e = NULL;
    ZT_EQ_INT(zhcs_events_next(ev, 30, &e, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    zhcs_error_free(err);
    err = NULL;

    ZT_EQ_INT(zhcs_system_crash(sys, NULL, T_TIMEOUT, &err), 0);
    /* three events, each once; HCS may call back on several threads, so in any order */
    int seen[3] = {0, 0, 0};
    for (uint64_t k = 1; k <= 3; k++) {
        e = NULL;
        ZT_EQ_INT(zhcs_events_next(ev, T_TIMEOUT, &e, &err), 0);
        if (!e)
            break;
        ZT_EQ_INT(e->sequence, k);
        if (e->type == ZHCS_EVENT_SYSTEM_CRASH_INITIATED) {
            seen[0]++;
            ZT_CHECK(e->crash_report != NULL); /* its CrashReport, decoded */
            ZT_EQ_STR(e->crash_report ? e->crash_report->SystemId : NULL, "ev-sys");
        } else if (e->type == ZHCS_EVENT_SYSTEM_CRASH_REPORT) {
            seen[1]++;
            ZT_CHECK(e->crash_report != NULL);
            ZT_EQ_STR(e->crash_report ? e->crash_report->SystemId : NULL, "ev-sys");
            ZT_EQ_STR(zhcs_event_type_name(e->type), "SystemCrashReport");
        } else if (e->type == ZHCS_EVENT_SYSTEM_EXITED) {
            seen[2]++;
            ZT_EQ_INT(e->raw_type, 1);
            ZT_CHECK(e->exit_status && e->exit_status->ExitType == ZHCS_NOTIFICATIONTYPE_UNEXPECTEDEXIT);
            ZT_CONTAINS(e->data, "UnexpectedExit");
        }
        zhcs_event_free(e);
    }
    ZT_EQ_INT(seen[0], 1);
    ZT_EQ_INT(seen[1], 1);
    ZT_EQ_INT(seen[2], 1);
    ZT_EQ_INT(zhcs_events_next(ev, 50, &e, &err), -1); /* and nothing more */
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_events_dropped(ev), 0);

    /* a stream opened after the exit starts with it */
    zhcs_events *late = NULL;
    ZT_EQ_INT(zhcs_events_subscribe(&late, sys, NULL, &err), 0);
    ZT_EQ_INT(zhcs_events_next(late, 0, &e, &err), 0);
    ZT_EQ_INT(e->type, ZHCS_EVENT_SYSTEM_EXITED);
    zhcs_event_free(e);

    /* the handle closes: the streams end */
    zhcs_system_close(sys);
    ZT_EQ_INT(zhcs_events_next(ev, T_TIMEOUT, &e, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    err = NULL;
    zhcs_events_close(ev);
    zhcs_events_close(late);
    ZT_EQ_INT(zhcs_events_next(ev, 0, &e, &err), -1); /* a closed stream handle */
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    zhcs_service_close(svc);
}

static void a_full_queue_drops_and_counts(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "ev-full");
    ZT_REQUIRE(sys != NULL);
    zhcs_events_options o = ZHCS_EVENTS_OPTIONS_INIT;
    o.capacity = 2;
    zhcs_events *ev = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_events_subscribe(&ev, sys, &o, &err), 0);
    ZT_EQ_INT(zhcs_system_crash(sys, NULL, T_TIMEOUT, &err), 0); /* three events */
    ZT_EQ_INT(zhcs_system_wait(sys, T_TIMEOUT, NULL, &err), 0);
    for (int i = 0; i < 100 && zhcs_events_dropped(ev) < 1; i++)
        zh_sleep_ms(10);
    ZT_EQ_INT(zhcs_events_dropped(ev), 1);
    zhcs_event *e = NULL;
    ZT_EQ_INT(zhcs_events_next(ev, 0, &e, &err), 0);
    ZT_EQ_INT(e->sequence, 1);
    zhcs_event_free(e);
    ZT_EQ_INT(zhcs_events_next(ev, 0, &e, &err), 0);
    ZT_EQ_INT(e->sequence, 2);
    zhcs_event_free(e);
    ZT_EQ_INT(zhcs_events_next(ev, 0, &e, &err), -1); /* the third was dropped */
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    zhcs_error_free(err);
    err = NULL;

    o.capacity = 0;
    zhcs_events *bad = NULL;
    ZT_EQ_INT(zhcs_events_subscribe(&bad, sys, &o, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    zhcs_events_close(ev);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

typedef struct collector {
    zh_mutex lock;
    zh_cond cond;
    int count;
    zhcs_event_type types[8];
    uint64_t thread;
    int freed;
} collector;

static void collect(const zhcs_event *e, void *ctx)
{
    collector *c = ctx;
    zh_mutex_lock(&c->lock);
    if (c->count < 8)
        c->types[c->count] = e->type;
    c->count++;
    c->thread = zh_thread_self_id();
    zh_cond_broadcast(&c->cond);
    zh_mutex_unlock(&c->lock);
}

static void collector_free(void *ctx)
{
    collector *c = ctx;
    zh_mutex_lock(&c->lock);
    c->freed++;
    zh_mutex_unlock(&c->lock);
}

static int collected(collector *c, int n)
{
    uint64_t deadline = zh_monotonic_ns() + 5000000000ull;
    zh_mutex_lock(&c->lock);
    while (c->count < n && zh_cond_wait_until(&c->cond, &c->lock, deadline) == 0) {
    }
    int got = c->count;
    zh_mutex_unlock(&c->lock);
    return got;
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

static void callbacks_waitables_and_processes(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "ev-cb");
    ZT_REQUIRE(sys != NULL);
    zhcs_error *err = NULL;

    /* a process's exit, with its status */
    zhcs_process *p = NULL;
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "timeout /t 30", T_TIMEOUT, &err), 0);
    zhcs_events *pev = NULL;
    ZT_EQ_INT(zhcs_events_subscribe_process(&pev, p, NULL, &err), 0);
    zhcs_fd fd = ZHCS_FD_NONE;
    ZT_EQ_INT(zhcs_events_waitable(pev, &fd, &err), 0);
    ZT_EQ_INT(readable(fd, 0), 0);
    ZT_EQ_INT(zhcs_process_terminate(p, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(readable(fd, 5000), 1);
    zhcs_event *e = NULL;
    ZT_EQ_INT(zhcs_events_next(pev, 0, &e, &err), 0);
    ZT_EQ_INT(e->type, ZHCS_EVENT_PROCESS_EXITED);
    ZT_REQUIRE(e->process_status != NULL);
    ZT_EQ_INT(e->process_status->ExitCode, 1);
    zhcs_event_free(e);
    ZT_EQ_INT(readable(fd, 0), 0); /* drained */
    zhcs_process_close(p);
    ZT_EQ_INT(readable(fd, 0), 1); /* the end is news too */
    zhcs_events_close(pev);

    /* the callback form, on the dispatcher; the context goes at the close */
    collector c;
    memset(&c, 0, sizeof c);
    zh_mutex_init(&c.lock);
    zh_cond_init(&c.cond);
    zhcs_events *ev = NULL;
    ZT_EQ_INT(zhcs_events_subscribe(&ev, sys, NULL, &err), 0);
    ZT_EQ_INT(zhcs_events_set_callback(ev, collect, &c, collector_free, &err), 0);
    ZT_EQ_INT(zhcs_events_set_callback(ev, collect, &c, NULL, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_STATE);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_events_next(ev, 0, &e, &err), -1); /* it is the callback's */
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_STATE);
    zhcs_error_free(err);
    err = NULL;
    zh_sim_stop_service(); /* ServiceDisconnect reaches every handle */
    ZT_EQ_INT(collected(&c, 1), 1);
    ZT_EQ_INT(c.types[0], ZHCS_EVENT_SERVICE_DISCONNECT);
    ZT_CHECK(c.thread != zh_thread_self_id());
    ZT_EQ_INT(c.freed, 0);
    zhcs_events_close(ev);
    ZT_EQ_INT(c.freed, 1);
    zh_cond_destroy(&c.cond);
    zh_mutex_destroy(&c.lock);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

typedef struct racer {
    zh_atomic after_close;
    zh_atomic late;
    zh_atomic calls;
} racer;

static void race_cb(const zhcs_event *e, void *ctx)
{
    (void)e;
    racer *r = ctx;
    zh_atomic_add(&r->calls, 1);
    zh_sleep_ms(0);
    if (zh_atomic_load(&r->after_close))
        zh_atomic_add(&r->late, 1);
}

static void a_thousand_closes_race_callbacks(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    racer r;
    zh_atomic_init(&r.late, 0);
    zh_atomic_init(&r.calls, 0);
    int failures = 0;
    for (int i = 0; i < 1000; i++) {
        zh_atomic_init(&r.after_close, 0);
        char id[32];
        snprintf(id, sizeof id, "race-%d", i);
        zhcs_system *sys = NULL;
        zhcs_events *ev = NULL;
        zhcs_error *err = NULL;
        if (zhcs_system_create_json(&sys, svc, id, CONTAINER_DOC, T_TIMEOUT, &err) < 0 ||
            zhcs_events_subscribe(&ev, sys, NULL, &err) < 0 ||
            zhcs_events_set_callback(ev, race_cb, &r, NULL, &err) < 0) {
            if (failures++ == 0)
                printf("  %s: %s\n", id, zhcs_error_message(err));
            zhcs_error_free(err);
            zhcs_system_close(sys);
            continue;
        }
        zhcs_operation *op = NULL;
        if (zhcs_system_terminate_async(&op, sys, NULL, NULL) == 0) {
            if (i % 2)
                zhcs_operation_wait(op, T_TIMEOUT, NULL); /* half the time the event is on its way */
            zhcs_operation_free(op);
        }
        zhcs_system_close(sys); /* no callback runs after this returns */
        zh_atomic_store(&r.after_close, 1);
        zhcs_events_close(ev);
    }
    zh_sleep_ms(50);
    ZT_EQ_INT(failures, 0);
    ZT_EQ_INT(zh_atomic_load(&r.late), 0);
    ZT_CHECK(zh_atomic_load(&r.calls) > 0); /* the race was real: events did arrive */
    ZT_EQ_INT(t_count_systems(svc), 0);
    zhcs_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(system_events_are_typed),
    ZT_CASE(a_full_queue_drops_and_counts),
    ZT_CASE(callbacks_waitables_and_processes),
    ZT_CASE(a_thousand_closes_race_callbacks),
};
ZT_MAIN(cases)

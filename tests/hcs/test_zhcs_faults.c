/* SPDX-License-Identifier: MIT */
/* test_zhcs_faults.c - every raw call of each high-level zhcs operation failing in turn.
 *
 * For each scenario the suite first counts the raw calls a clean run makes (the
 * simulator's call counter), then runs it once per call with exactly that call failing.
 * Each run must end with either success or a clear error (a message and the call that
 * failed), leave no system or process behind once the caller has cleaned up as documented,
 * and leak nothing (the sanitizer builds check that). */
#include "hcs_test.h"

#include "zh_handle.h"

#define INJECTED ((int32_t)0x80370114) /* HCS_E_SERVICE_NOT_AVAILABLE */

typedef struct scenario {
    const char *name;
    /* before the faults: what the scenario needs (may be NULL) */
    int (*setup)(zhcs_service *svc, zhcs_system **sys);
    /* under the faults */
    int (*body)(zhcs_service *svc, zhcs_system *sys, zhcs_error **err);
    /* 1: no single failing call may make it fail (stop escalates past any one) */
    int absorbs_all;
} scenario;

static int setup_running(zhcs_service *svc, zhcs_system **sys)
{
    *sys = t_running(svc, "victim");
    return *sys ? 0 : -1;
}

/* What a careful caller writes: create, start, and on a failed start stop and close. */
static int body_create_start(zhcs_service *svc, zhcs_system *unused, zhcs_error **err)
{
    (void)unused;
    zhcs_system *sys = NULL;
    if (zhcs_system_create_json(&sys, svc, "fresh", CONTAINER_DOC, T_TIMEOUT, err) < 0)
        return -1;
    int rc = zhcs_system_start(sys, T_TIMEOUT, err);
    zhcs_system_stop(sys, NULL, NULL);
    zhcs_system_close(sys);
    return rc;
}

static int body_run(zhcs_service *svc, zhcs_system *sys, zhcs_error **err)
{
    (void)svc;
    zhcs_run_result r;
    zhcs_run_options o = ZHCS_RUN_OPTIONS_INIT;
    o.stdin_data = "abc";
    o.stdin_len = 3;
    int rc = zhcs_process_run(&r, sys, "more", &o, err);
    if (rc == 0 && (r.out_len != 3 || r.exit_code != 0))
        rc = zh_error_set(err, (int32_t)0x80004005, "body_run", "wrong result despite success");
    zhcs_run_result_free(&r);
    return rc;
}

static int body_stop(zhcs_service *svc, zhcs_system *sys, zhcs_error **err)
{
    (void)svc;
    zhcs_stop_options o = ZHCS_STOP_OPTIONS_INIT;
    o.shutdown_timeout_ms = 2000;
    o.terminate_timeout_ms = 2000;
    return zhcs_system_stop(sys, &o, err);
}

static int body_list(zhcs_service *svc, zhcs_system *sys, zhcs_error **err)
{
    (void)sys;
    zhcs_system_list *list = NULL;
    int rc = zhcs_list_by_owner(&list, svc, "zhcs-test", T_TIMEOUT, err);
    if (rc == 0 && list->count != 1)
        rc = zh_error_set(err, (int32_t)0x80004005, "body_list", "wrong count despite success");
    zhcs_system_list_free(list);
    return rc;
}

static int body_events(zhcs_service *svc, zhcs_system *sys, zhcs_error **err)
{
    (void)svc;
    zhcs_events *ev = NULL;
    if (zhcs_events_subscribe(&ev, sys, NULL, err) < 0)
        return -1;
    int rc = zhcs_system_terminate(sys, NULL, T_TIMEOUT, err);
    zhcs_event *e = NULL;
    if (rc == 0 && (rc = zhcs_events_next(ev, T_TIMEOUT, &e, err)) == 0 && e->type != ZHCS_EVENT_SYSTEM_EXITED)
        rc = zh_error_set(err, (int32_t)0x80004005, "body_events", "wrong event despite success");
    zhcs_event_free(e);
    zhcs_events_close(ev);
    return rc;
}

static int body_stats(zhcs_service *svc, zhcs_system *sys, zhcs_error **err)
{
    (void)svc;
    zhcs_Statistics *a = NULL;
    int rc = zhcs_system_statistics(&a, sys, T_TIMEOUT, err);
    if (rc == ZHCS_STATS_NOT_RUNNING)
        rc = zh_error_set(err, (int32_t)0x80004005, "body_stats", "a running system reported as not running");
    zhcs_Statistics_free(a);
    return rc;
}

static int body_open_pause_resume(zhcs_service *svc, zhcs_system *unused, zhcs_error **err)
{
    (void)unused;
    zhcs_system *sys = NULL;
    if (zhcs_system_open(&sys, svc, "victim", err) < 0)
        return -1;
    int rc = zhcs_system_pause(sys, NULL, T_TIMEOUT, err);
    if (rc == 0)
        rc = zhcs_system_resume(sys, NULL, T_TIMEOUT, err);
    zhcs_system_close(sys);
    return rc;
}

static int body_properties_modify(zhcs_service *svc, zhcs_system *sys, zhcs_error **err)
{
    (void)svc;
    zhcs_Properties *p = NULL;
    int rc = zhcs_system_properties(&p, sys, NULL, T_TIMEOUT, err);
    zhcs_Properties_free(p);
    if (rc == 0)
        rc = zhcs_system_modify_json(sys, "{\"ResourcePath\":\"VirtualMachine/ComputeTopology/Memory/SizeInMB\","
                                          "\"RequestType\":\"Update\",\"Settings\":2048}",
                                     T_TIMEOUT, err);
    return rc;
}

/* spawn, signal, kill, wait: the process life by hand */
static int body_process_signals(zhcs_service *svc, zhcs_system *sys, zhcs_error **err)
{
    (void)svc;
    zhcs_process *p = NULL;
    if (zhcs_process_spawn(&p, sys, "ping -t 127.0.0.1", T_TIMEOUT, err) < 0)
        return -1;
    int rc = zhcs_process_signal(p, ZHCS_SIGNAL_CTRL_BREAK, T_TIMEOUT, err);
    if (rc == 0)
        rc = zhcs_process_terminate(p, T_TIMEOUT, err);
    int64_t code = 0;
    if (rc == 0)
        rc = zhcs_process_wait(p, T_TIMEOUT, &code, err);
    if (rc < 0)
        zhcs_process_terminate(p, T_TIMEOUT, NULL); /* the caller's cleanup */
    zhcs_process_close(p);
    return rc;
}

static int body_crash(zhcs_service *svc, zhcs_system *sys, zhcs_error **err)
{
    (void)svc;
    int rc = zhcs_system_crash(sys, NULL, T_TIMEOUT, err);
    if (rc == 0)
        rc = zhcs_system_wait(sys, T_TIMEOUT, NULL, err);
    return rc;
}

static const scenario scenarios[] = {
    {"create+start", NULL, body_create_start, 0},
    {"process run", setup_running, body_run, 0},
    {"stop", setup_running, body_stop, 1},
    {"list by owner", setup_running, body_list, 0},
    {"events", setup_running, body_events, 0},
    {"statistics", setup_running, body_stats, 0},
    {"open+pause+resume", setup_running, body_open_pause_resume, 0},
    {"properties+modify", setup_running, body_properties_modify, 0},
    {"process signals", setup_running, body_process_signals, 0},
    {"crash", setup_running, body_crash, 0},
};

/* Runs one scenario with the nth raw call failing (0: none). Returns the raw calls made
 * under the fault window, or -1 when a check failed. */
static long run_once(const scenario *sc, unsigned nth, int *failed_runs)
{
    zhcs_service *svc = t_open();
    if (!svc)
        return -1;
    zhcs_system *sys = NULL;
    if (sc->setup && sc->setup(svc, &sys) < 0) {
        zhcs_service_close(svc);
        return -1;
    }
    zh_sim_calls_reset();
    if (nth)
        zh_sim_fault(NULL, nth, INJECTED);
    zhcs_error *err = NULL;
    int rc = sc->body(svc, sys, &err);
    long calls = (long)zh_sim_calls(NULL);
    zh_sim_fault_clear();
    long result = calls;
    if (rc < 0) {
        (*failed_runs)++;
        if (!err || !zhcs_error_message(err)[0] || !zhcs_error_function(err)[0] ||
            zhcs_error_category_of(err) == ZHCS_ERROR_NONE) {
            printf("  %s, call %u failing: an unclear error (%s)\n", sc->name, nth, err ? t_errstr(err) : "none");
            result = -1;
        }
    } else if (nth == 0 && err) {
        result = -1;
    }
    zhcs_error_free(err);
    /* no process may be left running in the system (a kill takes effect a moment later) */
    if (sys && zhcs_system_exited(sys) == 0) {
        zhcs_System_PropertyType types[1] = {ZHCS_SYSTEM_PROPERTYTYPE_PROCESSLIST};
        zhcs_System_PropertyQuery q;
        memset(&q, 0, sizeof q);
        q.PropertyTypes = types;
        q.PropertyTypes_count = 1;
        size_t running = 0;
        for (int tries = 0; tries < 60; tries++) {
            zhcs_Properties *p = NULL;
            running = zhcs_system_properties(&p, sys, &q, T_TIMEOUT, NULL) == 0 ? p->ProcessList_count : 0;
            zhcs_Properties_free(p);
            if (!running)
                break;
            zh_sleep_ms(50);
        }
        if (running) {
            printf("  %s, call %u failing: %zu process(es) left running\n", sc->name, nth, running);
            result = -1;
        }
    }
    /* the caller's cleanup, then nothing may be left */
    if (sys) {
        zhcs_system_stop(sys, NULL, NULL);
        zhcs_system_close(sys);
    }
    int left = t_count_systems(svc);
    /* a create HCS goes on with is reaped in the background: give it a moment */
    for (int i = 0; i < 100 && left > 0; i++) {
        zh_sleep_ms(20);
        left = t_count_systems(svc);
    }
    if (left != 0) {
        printf("  %s, call %u failing: %d system(s) left behind\n", sc->name, nth, left);
        result = -1;
    }
    zhcs_service_close(svc);
    for (int i = 0; i < 100 && zh_handle_live() != 0; i++)
        zh_sleep_ms(20); /* a reaper finishing its last steps */
    if (zh_handle_live() != 0) {
        printf("  %s, call %u failing: %zu handle(s) still live\n", sc->name, nth, zh_handle_live());
        result = -1;
    }
    return result;
}

static void every_raw_call_failing_in_turn(void)
{
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
        const scenario *sc = &scenarios[i];
        int failed_runs = 0;
        long n = run_once(sc, 0, &failed_runs);
        if (n <= 0 || failed_runs) {
            ZT_FAIL_("%s: the clean run failed", sc->name);
            continue;
        }
        int bad = 0;
        for (unsigned k = 1; k <= (unsigned)n; k++)
            if (run_once(sc, k, &failed_runs) < 0)
                bad++;
        printf("  %-14s %2ld raw calls; %d of them failing made it fail clearly, the rest were absorbed\n",
               sc->name, n, failed_runs);
        ZT_EQ_INT(bad, 0);
        if (sc->absorbs_all)
            ZT_EQ_INT(failed_runs, 0);
        else
            ZT_CHECK(failed_runs > 0); /* the faults were real */
    }
}

static const zt_case cases[] = {
    ZT_CASE(every_raw_call_failing_in_turn),
};
ZT_MAIN(cases)

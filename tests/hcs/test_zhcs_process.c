/* SPDX-License-Identifier: MIT */
/* test_zhcs_process.c - zhcs_process against the simulator: stdio round trips, megabytes on
 * both output pipes, exit codes, signals, kills, stdin close, console size, the run helper,
 * exits seen late, and classified errors. */
#include "hcs_test.h"

#define T_CONTROL_C_EXIT 0xC000013A

static void echo_exit_codes_and_unknown_commands(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "p-echo");
    ZT_REQUIRE(sys != NULL);
    zhcs_process *p = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "cmd /c echo hello world", T_TIMEOUT, &err), 0);
    ZT_REQUIRE(p != NULL);
    ZT_CHECK(zhcs_process_pid(p) != 0);
    ZT_CHECK(zhcs_process_stdout(p) != ZHCS_FD_NONE);
    char out[256];
    t_read_all(zhcs_process_stdout(p), out, sizeof out);
    ZT_EQ_STR(out, "hello world\r\n");
    int64_t code = 99;
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &code, &err), 0);
    ZT_EQ_INT(code, 0);
    zhcs_process_close(p);

    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "cmd /c exit 7", T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &code, &err), 0);
    ZT_EQ_INT(code, 7);
    zhcs_ProcessStatus *st = NULL;
    ZT_EQ_INT(zhcs_process_properties(&st, p, T_TIMEOUT, &err), 0);
    ZT_CHECK(st && st->has_Exited && st->Exited && st->ExitCode == 7);
    zhcs_ProcessStatus_free(st);
    zhcs_process_close(p);

    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "no-such-tool --flag", T_TIMEOUT, &err), 0);
    t_read_all(zhcs_process_stderr(p), out, sizeof out);
    ZT_CONTAINS(out, "is not recognized");
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &code, &err), 0);
    ZT_EQ_INT(code, 9009);
    zhcs_process_close(p);

    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    ZT_REQUIRE(err == NULL);
}

static void stdin_round_trip_and_close_stdin(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "p-stdin");
    ZT_REQUIRE(sys != NULL);
    zhcs_process *p = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "more", T_TIMEOUT, &err), 0);
    ZT_REQUIRE(p != NULL);
    const char msg[] = "first line\nsecond line\n";
    ZT_EQ_INT(t_write(zhcs_process_stdin(p), msg, sizeof msg - 1), (long)(sizeof msg - 1));
    ZT_EQ_INT(zhcs_process_resize_console(p, 40, 120, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_process_close_stdin(p, T_TIMEOUT, &err), 0);
    ZT_CHECK(zhcs_process_stdin(p) == ZHCS_FD_NONE); /* our end went too */
    char out[256];
    t_read_all(zhcs_process_stdout(p), out, sizeof out);
    ZT_EQ_STR(out, msg);
    int64_t code = -5;
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &code, &err), 0);
    ZT_EQ_INT(code, 0);
    /* closing stdin of a process that has gone is not an error either */
    ZT_EQ_INT(zhcs_process_close_stdin(p, T_TIMEOUT, &err), 0);
    zhcs_process_close(p);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    ZT_REQUIRE(err == NULL);
}

static void megabytes_on_both_pipes_do_not_deadlock(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "p-big");
    ZT_REQUIRE(sys != NULL);
    zhcs_run_result r;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_process_run(&r, sys, "zhsim-write stdout=3000000 stderr=2500000 exit=3", NULL, &err), 0);
    ZT_EQ_INT(r.exit_code, 3);
    ZT_EQ_INT(r.out_len, 3000000);
    ZT_EQ_INT(r.err_len, 2500000);
    ZT_EQ_INT(r.truncated, 0);
    int pattern_ok = 1;
    for (size_t i = 0; i < r.out_len; i += 4099)
        pattern_ok &= r.out[i] >= 'a' && r.out[i] <= 'z';
    ZT_CHECK(pattern_ok);
    zhcs_run_result_free(&r);

    /* a cap per stream: what passes it is read and dropped */
    zhcs_run_options o = ZHCS_RUN_OPTIONS_INIT;
    o.max_output = 1000;
    ZT_EQ_INT(zhcs_process_run(&r, sys, "zhsim-write stdout=200000 stderr=10", &o, &err), 0);
    ZT_EQ_INT(r.out_len, 1000);
    ZT_EQ_INT(r.err_len, 10);
    ZT_EQ_INT(r.truncated, 1);
    ZT_EQ_INT(r.exit_code, 0);
    zhcs_run_result_free(&r);

    /* stdin fed while output is read */
    zhcs_run_options in = ZHCS_RUN_OPTIONS_INIT;
    static char big[600000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)('0' + i % 10);
    in.stdin_data = big;
    in.stdin_len = sizeof big;
    ZT_EQ_INT(zhcs_process_run(&r, sys, "cat", &in, &err), 0);
    ZT_EQ_INT(r.out_len, sizeof big);
    ZT_CHECK(r.out && memcmp(r.out, big, sizeof big) == 0);
    zhcs_run_result_free(&r);

    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    ZT_REQUIRE(err == NULL);
}

static void a_run_that_overstays_is_killed(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "p-slow");
    ZT_REQUIRE(sys != NULL);
    zhcs_run_options o = ZHCS_RUN_OPTIONS_INIT;
    o.timeout_ms = 450;
    zhcs_run_result r;
    zhcs_error *err = NULL;
    uint64_t t0 = zh_monotonic_ms();
    ZT_EQ_INT(zhcs_process_run(&r, sys, "ping -t localhost", &o, &err), -1);
    ZT_CHECK(zh_monotonic_ms() - t0 < 5000);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    ZT_CONTAINS(zhcs_error_message(err), "killed");
    ZT_CONTAINS(r.out, "Reply from"); /* what it wrote until then */
    ZT_EQ_INT(r.exit_code, -1);
    zhcs_error_free(err);
    err = NULL;
    zhcs_run_result_free(&r);

    zhcs_run_options bad = ZHCS_RUN_OPTIONS_INIT;
    bad.stdin_len = 5;
    ZT_EQ_INT(zhcs_process_run(&r, sys, "cat", &bad, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

static void signals_and_kills(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "p-signal");
    ZT_REQUIRE(sys != NULL);
    zhcs_process *p = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "ping -t 10.0.0.1", T_TIMEOUT, &err), 0);
    char line[64];
    ZT_CHECK(t_read(zhcs_process_stdout(p), line, sizeof line) > 0); /* it runs */
    ZT_EQ_INT(zhcs_process_signal(p, ZHCS_SIGNAL_CTRL_C, T_TIMEOUT, &err), 0);
    int64_t code = 0;
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &code, &err), 0);
    ZT_EQ_INT(code, (int64_t)T_CONTROL_C_EXIT);
    ZT_EQ_INT(zhcs_process_signal(p, (zhcs_signal)42, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_STR(zhcs_signal_name(ZHCS_SIGNAL_CTRL_BREAK), "CtrlBreak");
    zhcs_process_close(p);

    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "timeout /t 30", T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_process_terminate(p, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &code, &err), 0);
    ZT_EQ_INT(code, 1);
    /* a second kill, a kill of the exited: what the caller wanted, not "access denied" */
    ZT_EQ_INT(zhcs_process_terminate(p, T_TIMEOUT, &err), 0);
    zh_sim_fault("HcsTerminateProcess", 1, (int32_t)0x80070005); /* HCS says access denied */
    ZT_EQ_INT(zhcs_process_terminate(p, T_TIMEOUT, &err), 0);
    zhcs_process_close(p);

    /* access denied for a process that still runs is a real error */
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "timeout /t 30", T_TIMEOUT, &err), 0);
    zh_sim_fault("HcsTerminateProcess", 1, (int32_t)0x80070005);
    ZT_EQ_INT(zhcs_process_terminate(p, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_ACCESS_DENIED);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_process_terminate(p, T_TIMEOUT, &err), 0);
    zhcs_process_close(p);

    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

static void exits_seen_late_still_report_their_code(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "p-late");
    ZT_REQUIRE(sys != NULL);
    zhcs_process *p = NULL, *again = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_process_create_json(&p, sys, "{\"CommandLine\":\"cmd /c exit 5\"}", T_TIMEOUT, &err), 0);
    uint32_t pid = zhcs_process_pid(p);
    ZT_CHECK(pid != 0);
    ZT_CHECK(zhcs_process_stdout(p) == ZHCS_FD_NONE); /* no pipes asked for */
    int64_t code = 0;
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &code, &err), 0);
    ZT_EQ_INT(code, 5);
    /* a handle opened after the exit never hears the exit event: it asks */
    ZT_EQ_INT(zhcs_process_open(&again, sys, pid, &err), 0);
    ZT_EQ_INT(zhcs_process_pid(again), pid);
    code = 0;
    ZT_EQ_INT(zhcs_process_wait(again, 1000, &code, &err), 0);
    ZT_EQ_INT(code, 5);
    zhcs_process_close(again);
    zhcs_process_close(p);

    /* the seed's open_nonexistent_process_errors_cleanly */
    ZT_EQ_INT(zhcs_process_open(&again, sys, 987654, &err), -1);
    ZT_CHECK(again == NULL);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_NOT_FOUND);
    ZT_EQ_STR(zhcs_error_function(err), "HcsOpenProcess");
    ZT_CONTAINS(zhcs_error_message(err), "987654");
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_process_open(&again, NULL, 1, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    err = NULL;

    /* processes of a system that stops exit with it: the wait ends whether or not HCS
     * sends ProcessExited (a latitude); without it the exit code is unknown (-1) */
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "timeout /t 60", T_TIMEOUT, &err), 0);
    zhcs_events *pev = NULL;
    ZT_EQ_INT(zhcs_events_subscribe_process(&pev, p, NULL, &err), 0);
    /* another one that nobody waits for: only its subscription hears of the end */
    zhcs_process *p2 = NULL;
    zhcs_events *pev2 = NULL;
    ZT_EQ_INT(zhcs_process_spawn(&p2, sys, "timeout /t 60", T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_events_subscribe_process(&pev2, p2, NULL, &err), 0);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_event *pe2 = NULL;
    ZT_EQ_INT(zhcs_events_next(pev2, T_TIMEOUT, &pe2, &err), 0);
    ZT_CHECK(pe2 && pe2->type == ZHCS_EVENT_PROCESS_EXITED);
    zhcs_event_free(pe2);
    pe2 = NULL;
    ZT_EQ_INT(zhcs_events_next(pev2, 50, &pe2, NULL), -1); /* once */
    zhcs_events_close(pev2);
    zhcs_process_close(p2);
    uint64_t t0 = zh_monotonic_ms();
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &code, &err), 0);
    ZT_CHECK(zh_monotonic_ms() - t0 < 2000);
    ZT_EQ_INT(code, zh_sim_latitude_get(ZH_SIM_LAT_STOPPED_PROCESSES) ? 1 : -1);
    zhcs_event *pe = NULL; /* the subscription hears of it once */
    ZT_EQ_INT(zhcs_events_next(pev, T_TIMEOUT, &pe, &err), 0);
    ZT_CHECK(pe && pe->type == ZHCS_EVENT_PROCESS_EXITED);
    zhcs_event_free(pe);
    pe = NULL;
    ZT_EQ_INT(zhcs_events_next(pev, 50, &pe, NULL), -1);
    zhcs_events_close(pev);
    if (!zh_sim_latitude_get(ZH_SIM_LAT_STOPPED_PROCESSES)) {
        /* HCS answers E_HANDLE for it now: ALREADY_STOPPED, not the caller's CLOSED */
        ZT_EQ_INT(zhcs_process_signal(p, ZHCS_SIGNAL_CTRL_C, T_TIMEOUT, &err), -1);
        ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_ALREADY_STOPPED);
        ZT_EQ_HEX(zhcs_error_hresult(err), 0x80070006);
        zhcs_error_free(err);
        err = NULL;
    }
    ZT_EQ_INT(zhcs_process_terminate(p, T_TIMEOUT, &err), 0); /* already stopped: done */
    zhcs_process_close(p);
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "cmd /c echo late", T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_ALREADY_STOPPED);
    zhcs_error_free(err);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

/* HCS's stdio handles may be overlapped (the default on Windows, as hcsshim treats them) or
 * synchronous (the other side of the latitude): the run helper and zhcs_fd_read/_write work
 * with both. Off Windows the latitude changes nothing and the same checks run. */
static void either_kind_of_stdio_handle(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "p-overlapped");
    ZT_REQUIRE(sys != NULL);
    int before = zh_sim_latitude_get(ZH_SIM_LAT_OVERLAPPED_STDIO);
    for (int v = 0; v <= 1; v++) {
        ZT_REQUIRE(zh_sim_latitude(ZH_SIM_LAT_OVERLAPPED_STDIO, v) >= 0);
        zhcs_error *err = NULL;
        zhcs_run_result run;
        ZT_EQ_INT(zhcs_process_run(&run, sys, "cmd /c echo either kind", NULL, &err), 0);
        ZT_EQ_STR(run.out, "either kind\r\n");
        zhcs_run_result_free(&run);
        zhcs_process *p = NULL;
        ZT_EQ_INT(zhcs_process_spawn(&p, sys, "more", T_TIMEOUT, &err), 0);
        ZT_REQUIRE(p != NULL);
        ZT_EQ_INT(zhcs_fd_write(zhcs_process_stdin(p), "line\n", 5), 5);
        ZT_EQ_INT(zhcs_process_close_stdin(p, T_TIMEOUT, &err), 0);
        char out[64];
        t_read_all(zhcs_process_stdout(p), out, sizeof out);
        ZT_EQ_STR(out, "line\n");
        ZT_EQ_INT(zhcs_fd_read(ZHCS_FD_NONE, out, sizeof out), -1); /* no handle: an error, no crash */
        zhcs_process_close(p);
        ZT_REQUIRE(err == NULL);
    }
    zh_sim_latitude(ZH_SIM_LAT_OVERLAPPED_STDIO, before);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

static void typed_parameters_async_create_and_taken_stdio(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "p-typed");
    ZT_REQUIRE(sys != NULL);
    zhcs_error *err = NULL;
    zhcs_ProcessParameters pp;
    memset(&pp, 0, sizeof pp);
    pp.CommandLine = "cmd /c echo typed";
    pp.WorkingDirectory = "C:\\";
    zhcs_ProcessParameters_Environment_entry env[1] = {{"ZH", "1"}};
    pp.Environment = env;
    pp.Environment_count = 1;
    pp.has_CreateStdOutPipe = true;
    pp.CreateStdOutPipe = true;
    zhcs_process *p = NULL;
    ZT_EQ_INT(zhcs_process_create(&p, sys, &pp, T_TIMEOUT, &err), 0);
    zhcs_fd in = (zhcs_fd)0, out = ZHCS_FD_NONE;
    ZT_EQ_INT(zhcs_process_take_stdio(p, &in, &out, NULL, &err), 0);
    ZT_CHECK(in == ZHCS_FD_NONE); /* not asked for */
    ZT_CHECK(out != ZHCS_FD_NONE);
    ZT_CHECK(zhcs_process_stdout(p) == ZHCS_FD_NONE); /* taken */
    char buf[64];
    t_read_all(out, buf, sizeof buf);
    ZT_EQ_STR(buf, "typed\r\n");
#ifdef _WIN32
    CloseHandle(out);
#else
    close(out);
#endif
    zhcs_process_close(p);

    /* async: the handle at once, pid and stdio once the operation completed */
    zhcs_operation *op = NULL;
    ZT_EQ_INT(zhcs_process_create_async(&p, &op, sys, "{\"CommandLine\":\"cmd /c exit 4\"}", &err), 0);
    ZT_EQ_INT(zhcs_operation_wait(op, T_TIMEOUT, &err), 0);
    ZT_CHECK(zhcs_process_pid(p) != 0);
    ZT_EQ_STR(zhcs_operation_name(op), "HcsCreateProcess");
    zhcs_operation_free(op);
    int64_t code = 0;
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &code, &err), 0);
    ZT_EQ_INT(code, 4);
    zhcs_process_close(p);

    ZT_EQ_INT(zhcs_process_create_json(&p, sys, "{\"CommandLine\":", T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_process_wait(p, 10, NULL, &err), -1); /* p was closed above */
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

typedef struct pwaiter {
    zhcs_process *p;
    int rc;
    zhcs_error_category cat;
} pwaiter;

static void pwait_thread(void *arg)
{
    pwaiter *w = arg;
    zhcs_error *err = NULL;
    w->rc = zhcs_process_wait(w->p, 20000, NULL, &err);
    w->cat = zhcs_error_category_of(err);
    zhcs_error_free(err);
}

static void closing_a_process_wakes_its_waiter(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "p-close");
    ZT_REQUIRE(sys != NULL);
    zhcs_process *p = NULL;
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "timeout /t 30", T_TIMEOUT, NULL), 0);
    pwaiter w = {p, 0, ZHCS_ERROR_NONE};
    zh_thread *t = NULL;
    ZT_REQUIRE(zh_thread_start(&t, pwait_thread, &w, NULL) == 0);
    zh_sleep_ms(100);
    zhcs_process_close(p);
    zh_thread_join(t);
    ZT_EQ_INT(w.rc, -1);
    ZT_EQ_INT(w.cat, ZHCS_ERROR_CLOSED);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

/* HCS's latitudes around process creation (docs/simulator.md, "Latitudes"). */
static void creation_latitudes(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "lat-procs");
    ZT_REQUIRE(sys != NULL);
    zhcs_error *err = NULL;

    /* Windows Server 2022: the create's operation fails with E_INVALIDARG although the
     * process runs; zhcs recovers it with HcsGetProcessInfo, stdio included */
    zh_sim_latitude(ZH_SIM_LAT_WS2022_CREATE_PROCESS, 1);
    zhcs_run_result r;
    ZT_EQ_INT(zhcs_process_run(&r, sys, "cmd /c echo quirk", NULL, &err), 0);
    ZT_CONTAINS(r.out ? r.out : "", "quirk");
    ZT_EQ_INT(r.exit_code, 0);
    zhcs_run_result_free(&r);
    zh_sim_latitude(ZH_SIM_LAT_WS2022_CREATE_PROCESS, 0);
    if (err) {
        printf("  %s\n", zhcs_error_message(err));
        zhcs_error_free(err);
        err = NULL;
    }

    /* a process that exits before its callback is registered: a subscription still gets
     * ProcessExited, once, with its status */
    int early = zh_sim_latitude(ZH_SIM_LAT_EARLY_EXIT, 1);
    zhcs_process *p = NULL;
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "exit 3", T_TIMEOUT, &err), 0);
    zhcs_events *ev = NULL;
    ZT_EQ_INT(zhcs_events_subscribe_process(&ev, p, NULL, &err), 0);
    zhcs_event *e = NULL;
    ZT_EQ_INT(zhcs_events_next(ev, 2000, &e, &err), 0);
    ZT_CHECK(e && e->type == ZHCS_EVENT_PROCESS_EXITED && e->process_status && e->process_status->ExitCode == 3);
    zhcs_event_free(e);
    e = NULL;
    ZT_EQ_INT(zhcs_events_next(ev, 50, &e, NULL), -1);
    zhcs_events_close(ev);
    zhcs_process_close(p);
    zh_sim_latitude(ZH_SIM_LAT_EARLY_EXIT, early);

    /* Linux-guest signals: a number, or the raw options */
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "ping -t localhost", T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_process_signal_number(p, 0, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_process_signal_json(p, "{\"Signal\":", T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_process_signal_number(p, 15, T_TIMEOUT, &err), 0); /* SIGTERM: the guest's Ctrl-C */
    int64_t sc = 0;
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &sc, &err), 0);
    ZT_EQ_INT(sc, (int64_t)0xC000013A);
    zhcs_process_close(p);
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "ping -t localhost", T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_process_signal_json(p, "{\"Signal\":9}", T_TIMEOUT, &err), 0); /* SIGKILL */
    ZT_EQ_INT(zhcs_process_wait(p, T_TIMEOUT, &sc, &err), 0);
    ZT_EQ_INT(sc, 1);
    zhcs_process_close(p);

    /* a create that times out while HCS goes on leaves no process running */
    zh_sim_op_delay("HcsCreateProcess", 300);
    ZT_EQ_INT(zhcs_process_create_json(&p, sys, "{\"CommandLine\":\"ping -t localhost\"}", 30, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    zhcs_error_free(err);
    err = NULL;
    zh_sim_op_delay(NULL, 0);
    size_t running = 1;
    for (int i = 0; i < 100 && running > 0; i++) {
        zh_sleep_ms(20);
        zhcs_System_PropertyType pl = ZHCS_SYSTEM_PROPERTYTYPE_PROCESSLIST;
        zhcs_System_PropertyQuery q;
        memset(&q, 0, sizeof q);
        q.PropertyTypes = &pl;
        q.PropertyTypes_count = 1;
        zhcs_Properties *props = NULL;
        if (zhcs_system_properties(&props, sys, &q, T_TIMEOUT, NULL) == 0)
            running = props->ProcessList_count;
        zhcs_Properties_free(props);
    }
    ZT_EQ_INT(running, 0);

    /* a wait of 0 ms on a running process is one question to HCS */
    ZT_EQ_INT(zhcs_process_spawn(&p, sys, "timeout /t 30", T_TIMEOUT, &err), 0);
    zh_sim_calls_reset();
    int64_t code = 0;
    ZT_EQ_INT(zhcs_process_wait(p, 0, &code, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT((long long)zh_sim_calls(NULL), 1);
    ZT_EQ_INT(zhcs_process_terminate(p, T_TIMEOUT, &err), 0);
    zhcs_process_close(p);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    ZT_CHECK(err == NULL);
}

static const zt_case cases[] = {
    ZT_CASE(echo_exit_codes_and_unknown_commands),
    ZT_CASE(stdin_round_trip_and_close_stdin),
    ZT_CASE(megabytes_on_both_pipes_do_not_deadlock),
    ZT_CASE(a_run_that_overstays_is_killed),
    ZT_CASE(signals_and_kills),
    ZT_CASE(exits_seen_late_still_report_their_code),
    ZT_CASE(either_kind_of_stdio_handle),
    ZT_CASE(typed_parameters_async_create_and_taken_stdio),
    ZT_CASE(closing_a_process_wakes_its_waiter),
    ZT_CASE(creation_latitudes),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_zhcs_system.c - zhcs_system against the simulator: lifecycle of containers and VMs,
 * properties, modify, waits, the stop escalation, failed creates, enumeration, and what
 * closed and invalid handles answer. */
#include "hcs_test.h"

static void a_container_goes_through_its_life(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "life", CONTAINER_DOC, T_TIMEOUT, &err), 0);
    ZT_REQUIRE(sys != NULL);
    ZT_EQ_STR(zhcs_system_id(sys), "life");

    zhcs_Properties *p = NULL;
    ZT_EQ_INT(zhcs_system_properties(&p, sys, NULL, T_TIMEOUT, &err), 0);
    ZT_REQUIRE(p != NULL);
    ZT_EQ_STR(p->Id, "life");
    ZT_EQ_STR(p->Owner, "zhcs-test");
    ZT_CHECK(p->has_State && p->State == ZHCS_STATE_CREATED);
    zhcs_Properties_free(p);

    ZT_EQ_INT(zhcs_system_start(sys, T_TIMEOUT, &err), 0);
    /* a process-isolated container cannot be paused, saved or resumed (Hyper-V only) */
    ZT_EQ_INT(zhcs_system_pause(sys, NULL, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_UNSUPPORTED);
    ZT_EQ_HEX(zhcs_error_hresult(err), 0x80070032);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_system_resume(sys, NULL, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_UNSUPPORTED);
    zhcs_error_free(err);
    err = NULL;
    /* a Hyper-V isolated one can */
    zhcs_system *hv = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&hv, svc, "life-hv", HYPERV_CONTAINER_DOC, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_start(hv, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_pause(hv, NULL, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_save(hv, "{\"SaveType\":\"ToFile\"}", T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_resume(hv, NULL, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_terminate(hv, NULL, T_TIMEOUT, &err), 0);
    zhcs_system_close(hv);

    /* a typed query: Statistics and ProcessList */
    zhcs_System_PropertyType types[2] = {ZHCS_SYSTEM_PROPERTYTYPE_STATISTICS, ZHCS_SYSTEM_PROPERTYTYPE_PROCESSLIST};
    zhcs_System_PropertyQuery q;
    memset(&q, 0, sizeof q);
    q.PropertyTypes = types;
    q.PropertyTypes_count = 2;
    ZT_EQ_INT(zhcs_system_properties(&p, sys, &q, T_TIMEOUT, &err), 0);
    ZT_REQUIRE(p != NULL);
    ZT_CHECK(p->has_State && p->State == ZHCS_STATE_RUNNING);
    ZT_CHECK(p->Statistics != NULL && p->Statistics->has_Uptime100ns);
    zhcs_Properties_free(p);

    /* the raw form */
    char *json = NULL;
    ZT_EQ_INT(zhcs_system_properties_json(&json, sys, "{\"PropertyTypes\":[\"Memory\"]}", T_TIMEOUT, &err), 0);
    ZT_CONTAINS(json, "\"State\":\"Running\"");
    zhcs_string_free(json);

    ZT_EQ_INT(zhcs_system_exited(sys), 0);
    ZT_EQ_INT(zhcs_system_shutdown(sys, NULL, T_TIMEOUT, &err), 0);
    zhcs_SystemExitStatus *st = NULL;
    ZT_EQ_INT(zhcs_system_wait(sys, T_TIMEOUT, &st, &err), 0);
    ZT_REQUIRE(st != NULL);
    ZT_CHECK(st->has_ExitType && st->ExitType == ZHCS_NOTIFICATIONTYPE_GRACEFULEXIT);
    zhcs_SystemExitStatus_free(st);
    ZT_EQ_INT(zhcs_system_exited(sys), 1);

    /* terminate and shutdown of a stopped system succeed: it is stopped */
    ZT_EQ_INT(zhcs_system_terminate(sys, NULL, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_shutdown(sys, NULL, T_TIMEOUT, &err), 0);
    /* a stopped system answers queries only */
    ZT_EQ_INT(zhcs_system_start(sys, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_ALREADY_STOPPED);
    ZT_EQ_STR(zhcs_error_function(err), "HcsStartComputeSystem");
    ZT_CHECK(zhcs_error_message(err)[0] != '\0');
    zhcs_error_free(err);
    err = NULL;
    zhcs_system_close(sys);
    zhcs_service_close(svc);
    ZT_REQUIRE(err == NULL);
}

/* The seed's empty_vm_create_and_terminate, on the simulator. */
static void an_empty_vm_is_created_and_terminated(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *vm = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&vm, svc, "empty-vm", VM_DOC, T_TIMEOUT, &err), 0);
    ZT_REQUIRE(vm != NULL);
    ZT_EQ_INT(zhcs_system_start(vm, T_TIMEOUT, &err), 0);
    zhcs_system_list *list = NULL;
    ZT_EQ_INT(zhcs_list(&list, svc, NULL, T_TIMEOUT, &err), 0);
    ZT_REQUIRE(list && list->count == 1);
    ZT_EQ_STR(list->items[0].system_type, "VirtualMachine");
    ZT_EQ_STR(list->items[0].state, "Running");
    zhcs_system_list_free(list);
    ZT_EQ_INT(zhcs_system_terminate(vm, NULL, T_TIMEOUT, &err), 0);
    zhcs_SystemExitStatus *st = NULL;
    ZT_EQ_INT(zhcs_system_wait(vm, T_TIMEOUT, &st, &err), 0);
    ZT_CHECK(st && st->has_ExitType && st->ExitType == ZHCS_NOTIFICATIONTYPE_FORCEDEXIT);
    zhcs_SystemExitStatus_free(st);
    zhcs_system_close(vm);
    ZT_EQ_INT(t_count_systems(svc), 0); /* ShouldTerminateOnLastHandleClosed and stopped: gone */
    zhcs_service_close(svc);
    ZT_REQUIRE(err == NULL);
}

static void failed_creates_leave_nothing_behind(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = (zhcs_system *)1, *first = NULL;
    zhcs_error *err = NULL;

    /* not JSON: refused before HCS sees it */
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "bad", "{\"Container\":", T_TIMEOUT, &err), -1);
    ZT_CHECK(sys == NULL);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
    ZT_EQ_STR(zhcs_error_function(err), "zhcs_system_create");
    ZT_CONTAINS(zhcs_error_message(err), "configuration");
    zhcs_error_free(err);
    err = NULL;

    /* JSON that HCS refuses: its message comes through */
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "bad", "{\"Owner\":\"x\"}", T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
    ZT_EQ_STR(zhcs_error_function(err), "HcsCreateComputeSystem");
    ZT_CONTAINS(zhcs_error_message(err), "neither a Container nor a VirtualMachine");
    zhcs_error_free(err);
    err = NULL;

    /* an id that exists */
    ZT_EQ_INT(zhcs_system_create_json(&first, svc, "taken", CONTAINER_DOC, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "taken", CONTAINER_DOC, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_ALREADY_EXISTS);
    zhcs_error_free(err);
    err = NULL;

    /* bad arguments */
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "", CONTAINER_DOC, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "bad\xC3(utf8", CONTAINER_DOC, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    ZT_CONTAINS(zhcs_error_message(err), "id");
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "x", NULL, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&sys, NULL, "x", CONTAINER_DOC, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_system_create(&sys, svc, "x", NULL, T_TIMEOUT, &err), -1);
    zhcs_error_free(err);
    err = NULL;

    /* a create that outlasts its timeout: nothing stays, even though HCS finishes it later */
    zh_sim_op_delay("HcsCreateComputeSystem", 300);
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "slow", CONTAINER_DOC, 50, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    zhcs_error_free(err);
    err = NULL;
    zh_sim_op_delay(NULL, 0);
    zh_sleep_ms(400);
    zhcs_system *slow = NULL;
    ZT_EQ_INT(zhcs_system_open(&slow, svc, "slow", &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_NOT_FOUND);
    zhcs_error_free(err);
    err = NULL;

    ZT_EQ_INT(t_count_systems(svc), 1); /* only "taken" */
    zhcs_system_terminate(first, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(first);
    zhcs_service_close(svc);
}

static void a_typed_configuration_creates_the_same(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_ComputeSystem cs;
    zhcs_Container c;
    memset(&cs, 0, sizeof cs);
    memset(&c, 0, sizeof c);
    cs.Owner = "typed-owner";
    zhcs_ComputeSystem *layered = zhcs_ComputeSystem_parse(CONTAINER_DOC, ZHCS_NUL_TERMINATED, NULL);
    ZT_REQUIRE(layered && layered->Container);
    c.Storage = layered->Container->Storage; /* the suites' layers (zt_layers.h) */
    cs.Container = &c;
    cs.has_ShouldTerminateOnLastHandleClosed = true;
    cs.ShouldTerminateOnLastHandleClosed = true;
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_create(&sys, svc, "typed", &cs, T_TIMEOUT, &err), 0);
    zhcs_system_list *list = NULL;
    ZT_EQ_INT(zhcs_list_by_owner(&list, svc, "typed-owner", T_TIMEOUT, &err), 0);
    ZT_REQUIRE(list != NULL);
    ZT_EQ_INT(list->count, 1);
    ZT_EQ_STR(list->items[0].id, "typed");
    ZT_EQ_STR(list->items[0].state, "Created");
    zhcs_system_list_free(list);
    zhcs_system_close(sys); /* its last handle: HCS ends it */
    ZT_EQ_INT(t_count_systems(svc), 0);
    zhcs_service_close(svc);
    zhcs_ComputeSystem_free(layered);
    ZT_REQUIRE(err == NULL);
}

static void enumeration_filters_and_owners(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *a = t_running(svc, "enum-a");
    zhcs_system *b = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&b, svc, "enum-b", VM_DOC, T_TIMEOUT, &err), 0);
    ZT_REQUIRE(a && b);

    zhcs_system_list *list = NULL;
    ZT_EQ_INT(zhcs_list(&list, svc, NULL, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(list->count, 2);
    zhcs_system_list_free(list);

    /* the seed's enumerate_self_empty: an owner nobody uses lists nothing */
    ZT_EQ_INT(zhcs_list_by_owner(&list, svc, "zhcs-test-unused-owner-7f3a", T_TIMEOUT, &err), 0);
    ZT_REQUIRE(list != NULL);
    ZT_EQ_INT(list->count, 0);
    zhcs_system_list_free(list);
    ZT_EQ_INT(zhcs_list_by_owner(&list, svc, "zhcs-test", T_TIMEOUT, &err), 0);
    ZT_EQ_INT(list->count, 2);
    zhcs_system_list_free(list);

    zhcs_SystemQuery q;
    memset(&q, 0, sizeof q);
    char *ids[1] = {"enum-b"};
    q.Ids = ids;
    q.Ids_count = 1;
    ZT_EQ_INT(zhcs_list(&list, svc, &q, T_TIMEOUT, &err), 0);
    ZT_REQUIRE(list->count == 1);
    ZT_EQ_STR(list->items[0].id, "enum-b");
    ZT_EQ_STR(list->items[0].system_type, "VirtualMachine");
    ZT_CHECK(list->items[0].properties != NULL);
    zhcs_system_list_free(list);

    char *json = NULL;
    ZT_EQ_INT(zhcs_list_json(&json, svc, "{\"Types\":[\"Container\"]}", T_TIMEOUT, &err), 0);
    ZT_CONTAINS(json, "enum-a");
    ZT_CHECK(json && !strstr(json, "enum-b"));
    zhcs_string_free(json);

    ZT_EQ_INT(zhcs_list_json(&json, svc, "{\"Ids\":", T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_list_by_owner(&list, svc, NULL, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    err = NULL;

    zhcs_system_terminate(a, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(a);
    zhcs_system_close(b);
    zhcs_service_close(svc);
}

static void another_handle_sees_the_exit(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "shared");
    ZT_REQUIRE(sys != NULL);
    zhcs_system *other = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_open(&other, svc, "shared", &err), 0);
    ZT_EQ_INT(zhcs_system_wait(other, 50, NULL, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_system_terminate(sys, NULL, T_TIMEOUT, &err), 0);
    zhcs_SystemExitStatus *st = NULL;
    ZT_EQ_INT(zhcs_system_wait(other, T_TIMEOUT, &st, &err), 0);
    ZT_CHECK(st && st->ExitType == ZHCS_NOTIFICATIONTYPE_FORCEDEXIT);
    zhcs_SystemExitStatus_free(st);

    /* a handle opened after the exit still learns of it */
    zhcs_system *late = NULL;
    ZT_EQ_INT(zhcs_system_open(&late, svc, "shared", &err), 0);
    ZT_EQ_INT(zhcs_system_wait(late, 1000, NULL, &err), 0);
    zhcs_system_close(late);

    ZT_EQ_INT(zhcs_system_open(&late, svc, "no-such-system", &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_NOT_FOUND);
    ZT_EQ_STR(zhcs_error_function(err), "HcsOpenComputeSystem");
    ZT_CONTAINS(zhcs_error_message(err), "no-such-system");
    zhcs_error_free(err);
    err = NULL;
    zhcs_system_close(other);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

static void stop_escalates_and_treats_gone_as_done(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_error *err = NULL;

    /* a guest that ignores shutdown: terminate does it */
    zhcs_system *stubborn = t_running(svc, "stubborn");
    ZT_REQUIRE(stubborn != NULL);
    zh_sim_op_delay("HcsShutDownComputeSystem", 3000);
    zhcs_stop_options o = ZHCS_STOP_OPTIONS_INIT;
    o.shutdown_timeout_ms = 100;
    o.terminate_timeout_ms = 5000;
    uint64_t t0 = zh_monotonic_ms();
    ZT_EQ_INT(zhcs_system_stop(stubborn, &o, &err), 0);
    ZT_CHECK(zh_monotonic_ms() - t0 < 2500);
    zhcs_SystemExitStatus *st = NULL;
    ZT_EQ_INT(zhcs_system_wait(stubborn, 0, &st, &err), 0);
    ZT_CHECK(st && st->ExitType == ZHCS_NOTIFICATIONTYPE_FORCEDEXIT);
    zhcs_SystemExitStatus_free(st);
    zh_sim_op_delay(NULL, 0);

    /* a cooperative one stops gracefully */
    zhcs_system *polite = t_running(svc, "polite");
    ZT_REQUIRE(polite != NULL);
    ZT_EQ_INT(zhcs_system_stop(polite, NULL, &err), 0);
    ZT_EQ_INT(zhcs_system_wait(polite, 0, &st, &err), 0);
    ZT_CHECK(st && st->ExitType == ZHCS_NOTIFICATIONTYPE_GRACEFULEXIT);
    zhcs_SystemExitStatus_free(st);

    /* stopped already, or never started: still 0 */
    ZT_EQ_INT(zhcs_system_stop(polite, NULL, &err), 0);
    zhcs_system *created = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&created, svc, "created", CONTAINER_DOC, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_stop(created, NULL, &err), 0);
    ZT_EQ_INT(zhcs_system_exited(created), 1);

    zhcs_stop_options bad = ZHCS_STOP_OPTIONS_INIT;
    bad.version = 99;
    ZT_EQ_INT(zhcs_system_stop(created, &bad, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    err = NULL;
    zhcs_system_close(created);
    zhcs_system_close(polite);
    zhcs_system_close(stubborn);
    zhcs_service_close(svc);
}

static void modify_checks_its_request(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "modify");
    ZT_REQUIRE(sys != NULL);
    zhcs_error *err = NULL;
    zhcs_ModifySettingRequest req;
    memset(&req, 0, sizeof req);
    req.ResourcePath = "VirtualMachine/ComputeTopology/Memory/SizeInMB";
    req.has_RequestType = true;
    req.RequestType = ZHCS_MODIFYREQUESTTYPE_UPDATE;
    req.Settings = "2048";
    ZT_EQ_INT(zhcs_system_modify(sys, &req, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_modify_json(sys, "{\"ResourcePath\":", T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_system_modify_json(sys, NULL, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);
    err = NULL;
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    ZT_EQ_INT(zhcs_system_modify(sys, &req, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_ALREADY_STOPPED);
    zhcs_error_free(err);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

static void closed_and_invalid_handles_are_clear_errors(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "closing");
    ZT_REQUIRE(sys != NULL);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_system_close(sys); /* twice: harmless */
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_start(sys, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    ZT_CONTAINS(zhcs_error_message(err), "closed");
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_STR(zhcs_system_id(sys), "");
    ZT_EQ_INT(zhcs_system_exited(sys), -1);
    ZT_EQ_INT(zhcs_system_wait(sys, 10, NULL, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_system_start(NULL, T_TIMEOUT, &err), -1);
    ZT_CONTAINS(zhcs_error_message(err), "NULL");
    zhcs_error_free(err);
    err = NULL;
    /* a value that never was a handle */
    ZT_EQ_INT(zhcs_system_terminate((zhcs_system *)(uintptr_t)0x12345678, NULL, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    err = NULL;
    /* a service handle is not a system handle */
    ZT_EQ_INT(zhcs_system_start((zhcs_system *)svc, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    err = NULL;
    zhcs_service_close(svc);
    zhcs_system *again = NULL;
    ZT_EQ_INT(zhcs_system_open(&again, svc, "closing", &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
}

static void objects_keep_their_service(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "outlives");
    ZT_REQUIRE(sys != NULL);
    zhcs_service_close(svc); /* the system handle still works */
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_pause(sys, NULL, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_terminate(sys, NULL, T_TIMEOUT, &err), 0);
    ZT_EQ_INT(zhcs_system_wait(sys, T_TIMEOUT, NULL, &err), 0);
    zhcs_system_close(sys);
    ZT_REQUIRE(err == NULL);
}

typedef struct waiter {
    zhcs_system *sys;
    int rc;
    zhcs_error_category cat;
} waiter;

static void wait_thread(void *arg)
{
    waiter *w = arg;
    zhcs_error *err = NULL;
    w->rc = zhcs_system_wait(w->sys, 20000, NULL, &err);
    w->cat = zhcs_error_category_of(err);
    zhcs_error_free(err);
}

static void close_and_disconnect_wake_waiters(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_system *sys = t_running(svc, "waited");
    ZT_REQUIRE(sys != NULL);
    waiter w = {sys, 0, ZHCS_ERROR_NONE};
    zh_thread *t = NULL;
    ZT_REQUIRE(zh_thread_start(&t, wait_thread, &w, NULL) == 0);
    zh_sleep_ms(100);
    uint64_t t0 = zh_monotonic_ms();
    zhcs_system_close(sys);
    zh_thread_join(t);
    ZT_EQ_INT(w.rc, -1);
    ZT_EQ_INT(w.cat, ZHCS_ERROR_CLOSED);
    ZT_CHECK(zh_monotonic_ms() - t0 < 5000);

    /* the service goes away: waits fail with DISCONNECTED, later calls clearly too */
    sys = t_running(svc, "orphan");
    ZT_REQUIRE(sys != NULL);
    w.sys = sys;
    ZT_REQUIRE(zh_thread_start(&t, wait_thread, &w, NULL) == 0);
    zh_sleep_ms(100);
    zh_sim_stop_service();
    zh_thread_join(t);
    ZT_EQ_INT(w.rc, -1);
    ZT_EQ_INT(w.cat, ZHCS_ERROR_DISCONNECTED);
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_pause(sys, NULL, T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_SERVICE_UNAVAILABLE);
    zhcs_error_free(err);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

/* A create that times out while HCS goes on with it (HcsCancelOperation: E_NOTIMPL) leaves
 * no system behind: zhcs reaps it once HCS finishes. Blocking calls hand HCS no callback. */
static void timed_out_creates_are_reaped(void)
{
    zhcs_service *svc = t_open();
    ZT_REQUIRE(svc != NULL);
    zhcs_error *err = NULL;
    /* invalid UTF-8 in a _json document: INVALID_ARGUMENT, as zhns and docs/api.md say */
    zhcs_system *bad = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&bad, svc, "utf", "{\"Owner\":\"\xC3\x28\"}", T_TIMEOUT, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    ZT_CONTAINS(zhcs_error_message(err), "UTF-8");
    zhcs_error_free(err);
    err = NULL;
    zh_sim_op_delay("HcsCreateComputeSystem", 300);
    zhcs_system *sys = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&sys, svc, "slow-create", CONTAINER_DOC, 30, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_TIMEOUT);
    ZT_CHECK(sys == NULL);
    zhcs_error_free(err);
    err = NULL;
    zh_sim_op_delay(NULL, 0);
    zh_sleep_ms(600); /* the create has completed in HCS by now */
    int left = t_count_systems(svc);
    for (int i = 0; i < 100 && left != 0; i++) {
        zh_sleep_ms(20);
        left = t_count_systems(svc);
    }
    ZT_EQ_INT(left, 0);

    sys = t_running(svc, "no-callbacks");
    ZT_REQUIRE(sys != NULL);
    zh_sim_calls_reset();
    char *doc = NULL;
    ZT_EQ_INT(zhcs_system_properties_json(&doc, sys, NULL, T_TIMEOUT, &err), 0);
    free(doc);
    ZT_EQ_INT((long long)zh_sim_calls("HcsWaitForOperationResult"), 1);
    ZT_EQ_INT((long long)zh_sim_calls("HcsGetOperationResult"), 0);
    ZT_EQ_INT((long long)zh_sim_calls("HcsSetOperationCallback"), 0);
    zhcs_system_terminate(sys, NULL, T_TIMEOUT, NULL);
    zhcs_system_close(sys);
    zhcs_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(a_container_goes_through_its_life),
    ZT_CASE(an_empty_vm_is_created_and_terminated),
    ZT_CASE(failed_creates_leave_nothing_behind),
    ZT_CASE(a_typed_configuration_creates_the_same),
    ZT_CASE(enumeration_filters_and_owners),
    ZT_CASE(another_handle_sees_the_exit),
    ZT_CASE(stop_escalates_and_treats_gone_as_done),
    ZT_CASE(modify_checks_its_request),
    ZT_CASE(closed_and_invalid_handles_are_clear_errors),
    ZT_CASE(objects_keep_their_service),
    ZT_CASE(close_and_disconnect_wake_waiters),
    ZT_CASE(timed_out_creates_are_reaped),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_zhcs_live.c - the seed's integration tests against the real Host Compute Service.
 *
 * They run only when ZHCS_LIVE_TESTS=1 on a Windows host where the caller may use HCS
 * (an administrator, or a member of "Hyper-V Administrators"; the VM case needs the
 * Hyper-V role). Everywhere else every case is skipped with the reason printed, and the
 * suite reports itself as not run - never as passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/zhcs.h>

#include "zt.h"

static zhcs_service *live(void)
{
    const char *on = getenv("ZHCS_LIVE_TESTS");
    if (!on || strcmp(on, "1") != 0)
        return NULL;
    zhcs_service *svc = NULL;
    zhcs_error *err = NULL;
    if (zhcs_service_open(&svc, "local", &err) < 0) {
        char buf[512];
        zhcs_error_format(err, buf, sizeof buf);
        printf("  cannot open the local service: %s\n", buf);
        zhcs_error_free(err);
        return NULL;
    }
    return svc;
}

#define NEED_LIVE(svc)                                                                              \
    do {                                                                                            \
        if (!(svc)) {                                                                               \
            const char *on_ = getenv("ZHCS_LIVE_TESTS");                                            \
            if (on_ && strcmp(on_, "1") == 0)                                                       \
                ZT_FAIL_("ZHCS_LIVE_TESTS=1 but the local service cannot be opened");               \
            else                                                                                    \
                ZT_SKIP("needs the real HCS: set ZHCS_LIVE_TESTS=1 on a Windows host, as admin");   \
            return;                                                                                 \
        }                                                                                           \
    } while (0)

static void live_empty_vm_create_and_terminate(void)
{
    zhcs_service *svc = live();
    NEED_LIVE(svc);
    static const char doc[] =
        "{\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"Owner\":\"zhcs-live-test\","
        "\"ShouldTerminateOnLastHandleClosed\":true,\"VirtualMachine\":{\"Chipset\":{\"Uefi\":{}},"
        "\"ComputeTopology\":{\"Memory\":{\"SizeInMB\":256},\"Processor\":{\"Count\":1}}}}";
    zhcs_system *vm = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_create_json(&vm, svc, "zhcs-live-empty-vm", doc, 60000, &err), 0);
    if (vm) {
        ZT_EQ_INT(zhcs_system_terminate(vm, NULL, 60000, &err), 0);
        ZT_EQ_INT(zhcs_system_wait(vm, 60000, NULL, &err), 0);
        zhcs_system_close(vm);
    }
    if (err)
        printf("  %s\n", zhcs_error_message(err));
    zhcs_error_free(err);
    zhcs_service_close(svc);
}

static void live_enumerate_self_empty(void)
{
    zhcs_service *svc = live();
    NEED_LIVE(svc);
    zhcs_system_list *list = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_list_by_owner(&list, svc, "zhcs-live-owner-nobody-uses-8d1e", 60000, &err), 0);
    ZT_CHECK(list && list->count == 0);
    zhcs_system_list_free(list);
    zhcs_error_free(err);
    zhcs_service_close(svc);
}

static void live_open_nonexistent_system_errors_cleanly(void)
{
    zhcs_service *svc = live();
    NEED_LIVE(svc);
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_system_open(&sys, svc, "zhcs-live-no-such-system", &err), -1);
    ZT_CHECK(sys == NULL);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_NOT_FOUND);
    zhcs_process *p = NULL;
    zhcs_error *perr = NULL;
    ZT_EQ_INT(zhcs_process_open(&p, sys, 4, &perr), -1); /* no system handle at all */
    ZT_EQ_INT(zhcs_error_category_of(perr), ZHCS_ERROR_CLOSED);
    zhcs_error_free(perr);
    zhcs_error_free(err);
    zhcs_service_close(svc);
}

static const zt_case cases[] = {
    ZT_CASE(live_empty_vm_create_and_terminate),
    ZT_CASE(live_enumerate_self_empty),
    ZT_CASE(live_open_nonexistent_system_errors_cleanly),
};
ZT_MAIN(cases)

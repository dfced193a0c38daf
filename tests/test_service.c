/* SPDX-License-Identifier: MIT */
/* test_service.c - zhcs_service / zhns_service: URIs, errors, reference counting, and the
 * two libraries' handles kept apart in the one handle table. */
#include <zhcs/zhcs.h>
#include <zhns/zhns.h>

#include "zh_sim.h"
#include "zt.h"

static void sim_uris_open_and_close(void)
{
    zhcs_service *hcs = NULL;
    zhns_service *hcn = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_service_open(&hcs, "sim:", &err), 0);
    ZT_REQUIRE(hcs != NULL);
    ZT_EQ_STR(zhcs_service_uri(hcs), "sim:");
    ZT_EQ_INT(zhns_service_open(&hcn, "sim:", &err), 0);
    ZT_EQ_STR(zhns_service_uri(hcn), "sim:");
    zhcs_service_close(hcs);
    zhns_service_close(hcn);
    zhcs_service_close(NULL);
    zhns_service_close(NULL);
    ZT_REQUIRE(err == NULL);
}

static void bad_uris_are_clear_errors(void)
{
    zhcs_service *hcs = (zhcs_service *)1;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_service_open(&hcs, "qemu:///system", &err), -1);
    ZT_REQUIRE(hcs == NULL);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    ZT_CONTAINS(zhcs_error_message(err), "unknown service URI \"qemu:///system\"");
    ZT_CONTAINS(zhcs_error_message(err), "sim:PATH");
    ZT_EQ_STR(zhcs_error_function(err), "zhcs_service_open");
    zhcs_error_free(err);
    err = NULL;
    ZT_EQ_INT(zhcs_service_open(NULL, "sim:", &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err);

    zhns_service *hcn = NULL;
    zhns_error *nerr = NULL;
    ZT_EQ_INT(zhns_service_open(&hcn, "Sim:", &nerr), -1);
    ZT_EQ_INT(zhns_error_category_of(nerr), ZHNS_ERROR_INVALID_ARGUMENT);
    zhns_error_free(nerr);
    /* NULL err is allowed */
    ZT_EQ_INT(zhns_service_open(&hcn, "nope", NULL), -1);
}

static void local_is_windows_only(void)
{
    zhcs_service *hcs = NULL;
    zhcs_error *err = NULL;
    int rc = zhcs_service_open(&hcs, "local", &err);
#ifdef _WIN32
    /* the prefix's system32 holds the simulator DLLs: "local" loads them */
    ZT_EQ_INT(rc, 0);
    ZT_EQ_STR(zhcs_service_uri(hcs), "local");
    zhcs_service_close(hcs);
#else
    ZT_EQ_INT(rc, -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_UNSUPPORTED);
    ZT_CONTAINS(zhcs_error_message(err), "sim:");
    zhcs_error_free(err);
    err = NULL;
    /* NULL means local */
    ZT_EQ_INT(zhcs_service_open(&hcs, NULL, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_UNSUPPORTED);
    zhcs_error_free(err);
#endif
}

static void a_private_and_a_shared_simulator_do_not_mix(void)
{
    zhcs_service *a = NULL, *b = NULL;
    zhcs_error *err = NULL;
    ZT_EQ_INT(zhcs_service_open(&a, "sim:", &err), 0);
    ZT_EQ_INT(zhcs_service_open(&b, "sim:/nonexistent-dir/zh", &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_STATE);
    zhcs_error_free(err);
    zhcs_service_close(a);
}

/* Both libraries register their handles in one table under their own type numbers: a
 * handle of one is no handle of the other. */
static void the_libraries_handles_do_not_mix(void)
{
    zhcs_service *hcs = NULL;
    zhns_service *hcn = NULL;
    ZT_REQUIRE(zhcs_service_open(&hcs, "sim:", NULL) == 0);
    ZT_REQUIRE(zhns_service_open(&hcn, "sim:", NULL) == 0);
    zhns_error *err = NULL;
    char **ids = NULL;
    size_t n = 0;
    ZT_EQ_INT(zhns_network_list_json(&ids, &n, (zhns_service *)(uintptr_t)hcs, NULL, &err), -1);
    ZT_EQ_INT(zhns_error_category_of(err), ZHNS_ERROR_CLOSED);
    ZT_CONTAINS(zhns_error_message(err), "closed or not a service");
    zhns_error_free(err);
    err = NULL;
    char *json = NULL;
    ZT_EQ_INT(zhcs_list_json(&json, (zhcs_service *)(uintptr_t)hcn, NULL, 1000, &err), -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_CLOSED);
    zhcs_error_free(err);
    ZT_EQ_STR(zhns_service_uri((zhns_service *)(uintptr_t)hcs), "");
    ZT_EQ_STR(zhcs_service_uri((zhcs_service *)(uintptr_t)hcn), "");
    /* a close through the other library ends nothing */
    zhns_service_close((zhns_service *)(uintptr_t)hcs);
    zhcs_service_close((zhcs_service *)(uintptr_t)hcn);
    ZT_EQ_STR(zhcs_service_uri(hcs), "sim:");
    ZT_EQ_STR(zhns_service_uri(hcn), "sim:");
    zhcs_service_close(hcs);
    zhns_service_close(hcn);
}

static const zt_case cases[] = {
    ZT_CASE(sim_uris_open_and_close),
    ZT_CASE(bad_uris_are_clear_errors),
    ZT_CASE(local_is_windows_only),
    ZT_CASE(a_private_and_a_shared_simulator_do_not_mix),
    ZT_CASE(the_libraries_handles_do_not_mix),
};
ZT_MAIN(cases)

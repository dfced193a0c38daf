/* SPDX-License-Identifier: MIT */
/* test_loader_win32.c - the win32 loader (Windows build, run under Wine).
 *
 * The setup fixture installs zhtest_partial_hcs.dll and the simulator (computecore.dll,
 * computenetwork.dll) into the prefix's system32; a copy named zhtest_exedir_only.dll sits
 * only beside this program; zhtest_absent.dll exists nowhere.
 */
#include <objbase.h>

#include "zh_hresult.h"
#include "zh_raw.h"
#include "zh_thread.h"
#include "zt.h"

static void missing_dll_is_unsupported_naming_the_function(void)
{
    const zh_raw_spec *specs[] = {&zh_raw_hcs_spec, &zh_raw_hcn_spec};
    const size_t ids[] = {ZH_HCS_ID_HcsCreateOperation, ZH_HCN_ID_HcnEnumerateNetworks};
    for (size_t i = 0; i < 2; i++) {
        zh_error *err = NULL;
        zh_raw_lib *lib = zh_raw_lib_open_system_dll(specs[i], "zhtest_absent.dll", &err);
        ZT_REQUIRE(lib != NULL); /* opening loads nothing yet */
        ZT_EQ_STR(zh_raw_lib_backend(lib), "win32:zhtest_absent.dll");
        for (int round = 0; round < 2; round++) { /* the answer is cached and stays the same */
            ZT_CHECK(zh_raw_get(lib, ids[i], &err) == NULL);
            ZT_REQUIRE(err != NULL);
            ZT_EQ_INT(zh_error_category(err), ZH_CAT_UNSUPPORTED);
            ZT_EQ_HEX(zh_error_hresult(err), 0x8007007E); /* ERROR_MOD_NOT_FOUND */
            ZT_EQ_STR(zh_error_function(err), specs[i]->names[ids[i]]);
            ZT_CONTAINS(zh_error_message(err), "not available on this Windows build");
            ZT_CONTAINS(zh_error_message(err), "zhtest_absent.dll");
            ZT_CONTAINS(zh_error_message(err), "ERROR_MOD_NOT_FOUND");
            ZT_CONTAINS(zh_error_message(err), specs[i]->service);
            zh_error_free(err);
            err = NULL;
        }
        zh_raw_lib_free(lib);
    }
}

static void the_simulator_dlls_load_from_system32(void)
{
    /* wine_setup installs the simulator as computecore.dll and computenetwork.dll */
    zh_error *err = NULL;
    zh_raw_lib *hcs = zh_raw_lib_open_local(&zh_raw_hcs_spec, &err);
    zh_raw_lib *hcn = zh_raw_lib_open_local(&zh_raw_hcn_spec, &err);
    ZT_REQUIRE(hcs && hcn);
    for (size_t i = 0; i < ZH_HCS_ID_COUNT; i++)
        if (!zh_raw_get(hcs, i, NULL))
            ZT_FAIL_("computecore.dll lacks %s", zh_raw_hcs_spec.names[i]);
    for (size_t i = 0; i < ZH_HCN_ID_COUNT; i++)
        if (!zh_raw_get(hcn, i, NULL))
            ZT_FAIL_("computenetwork.dll lacks %s", zh_raw_hcn_spec.names[i]);
    /* calls go through: the simulator starts on first use, as the real service is there */
    zh_raw_HcsCreateOperation_fn create = ZH_HCS(hcs, HcsCreateOperation, &err);
    zh_raw_HcsCloseOperation_fn close_op = ZH_HCS(hcs, HcsCloseOperation, &err);
    ZT_REQUIRE(create && close_op);
    zh_hcs_operation op = create(NULL, NULL);
    ZT_CHECK(op != NULL);
    close_op(op);
    zh_raw_HcnEnumerateNetworks_fn en = ZH_HCN(hcn, HcnEnumerateNetworks, &err);
    ZT_REQUIRE(en != NULL);
    zh_wchar *ids = NULL, *rec = NULL;
    ZT_EQ_HEX(en(NULL, &ids, &rec), 0);
    ZT_REQUIRE(ids != NULL);
    ZT_EQ_INT(ids[0], '[');
    zh_raw_free_string(hcn, ids); /* CoTaskMemFree of what the DLL allocated */
    zh_raw_free_string(hcn, rec);
    zh_raw_lib_free(hcs);
    zh_raw_lib_free(hcn);
}

static void present_exports_resolve_and_missing_ones_are_named(void)
{
    zh_error *err = NULL;
    zh_raw_lib *lib = zh_raw_lib_open_system_dll(&zh_raw_hcs_spec, "zhtest_partial_hcs.dll", &err);
    ZT_REQUIRE(lib != NULL);
    zh_raw_HcsCreateOperation_fn create = ZH_HCS(lib, HcsCreateOperation, &err);
    ZT_REQUIRE(create != NULL);
    ZT_CHECK(create((void *)(uintptr_t)0x5150, NULL) == (zh_hcs_operation)(uintptr_t)0x5150);
    zh_raw_HcsGetOperationId_fn id = ZH_HCS(lib, HcsGetOperationId, &err);
    ZT_REQUIRE(id != NULL);
    ZT_EQ_INT(id(NULL), 4242);
    ZT_CHECK(err == NULL);

    for (int round = 0; round < 2; round++) {
        ZT_CHECK(ZH_HCS(lib, HcsCloseOperation, &err) == NULL);
        ZT_REQUIRE(err != NULL);
        ZT_EQ_INT(zh_error_category(err), ZH_CAT_UNSUPPORTED);
        ZT_EQ_HEX(zh_error_hresult(err), 0x8007007F); /* ERROR_PROC_NOT_FOUND */
        ZT_EQ_STR(zh_error_function(err), "HcsCloseOperation");
        ZT_CONTAINS(zh_error_message(err), "HcsCloseOperation is not supported on this Windows build");
        ZT_CONTAINS(zh_error_message(err), "zhtest_partial_hcs.dll does not export it");
        zh_error_free(err);
        err = NULL;
    }
    /* the undeclared export is looked up the same way */
    ZT_CHECK(ZH_HCS(lib, HcsAddResourceToOperation, &err) == NULL);
    ZT_EQ_STR(zh_error_function(err), "HcsAddResourceToOperation");
    zh_error_free(err);
    zh_raw_lib_free(lib);
}

static void dlls_beside_the_program_are_not_loaded(void)
{
    /* zhtest_exedir_only.dll exists next to this .exe but not in system32. */
    zh_error *err = NULL;
    zh_raw_lib *lib = zh_raw_lib_open_system_dll(&zh_raw_hcs_spec, "zhtest_exedir_only.dll", &err);
    ZT_REQUIRE(lib != NULL);
    ZT_CHECK(ZH_HCS(lib, HcsCreateOperation, &err) == NULL);
    ZT_EQ_HEX(zh_error_hresult(err), 0x8007007E);
    zh_error_free(err);
    zh_raw_lib_free(lib);
}

struct job {
    zh_raw_lib *lib;
    zh_raw_fnptr seen;
    int failures;
};

static void resolve_worker(void *arg)
{
    struct job *j = arg;
    for (int i = 0; i < 2000; i++) {
        zh_raw_fnptr fn = zh_raw_get(j->lib, ZH_HCS_ID_HcsGetOperationId, NULL);
        if (!fn)
            j->failures++;
        j->seen = fn;
        zh_error *err = NULL;
        if (zh_raw_get(j->lib, ZH_HCS_ID_HcsCancelOperation, &err) != NULL)
            j->failures++;
        zh_error_free(err);
    }
}

static void lazy_resolution_is_thread_safe(void)
{
    zh_raw_lib *lib = zh_raw_lib_open_system_dll(&zh_raw_hcs_spec, "zhtest_partial_hcs.dll", NULL);
    ZT_REQUIRE(lib != NULL);
    struct job jobs[4];
    zh_thread *t[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].lib = lib;
        jobs[i].seen = NULL;
        jobs[i].failures = 0;
        ZT_REQUIRE(zh_thread_start(&t[i], resolve_worker, &jobs[i], NULL) == 0);
    }
    for (int i = 0; i < 4; i++) {
        zh_thread_join(t[i]);
        ZT_EQ_INT(jobs[i].failures, 0);
        ZT_CHECK(jobs[i].seen == jobs[0].seen && jobs[i].seen != NULL);
    }
    zh_raw_lib_free(lib);
}

static void result_strings_are_freed_with_their_allocator(void)
{
    zh_raw_lib *hcs = zh_raw_lib_open_system_dll(&zh_raw_hcs_spec, "zhtest_absent.dll", NULL);
    zh_raw_lib *hcn = zh_raw_lib_open_system_dll(&zh_raw_hcn_spec, "zhtest_absent.dll", NULL);
    ZT_REQUIRE(hcs && hcn);
#ifdef ZH_HCS_RESULT_FREE_LOCAL
    zh_wchar *a = LocalAlloc(LMEM_FIXED, 16);
#else
    zh_wchar *a = CoTaskMemAlloc(16);
#endif
    zh_wchar *b = CoTaskMemAlloc(16);
    ZT_REQUIRE(a && b);
    zh_raw_free_string(hcs, a); /* with the configured allocator; a wrong one corrupts the heap */
    zh_raw_free_string(hcn, b);
    zh_raw_free_string(hcn, NULL);
    zh_raw_lib_free(hcs);
    zh_raw_lib_free(hcn);
}

static const zt_case cases[] = {
    ZT_CASE(missing_dll_is_unsupported_naming_the_function),
    ZT_CASE(the_simulator_dlls_load_from_system32),
    ZT_CASE(present_exports_resolve_and_missing_ones_are_named),
    ZT_CASE(dlls_beside_the_program_are_not_loaded),
    ZT_CASE(lazy_resolution_is_thread_safe),
    ZT_CASE(result_strings_are_freed_with_their_allocator),
};
ZT_MAIN(cases)

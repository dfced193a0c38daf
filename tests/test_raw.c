/* SPDX-License-Identifier: MIT */
/* test_raw.c - the raw entry-point tables and the table backend (every platform). */
#include "zh_hresult.h"
#include "zh_raw.h"
#include "zh_thread.h"
#include "zt.h"

static int freed_strings;

static void test_free(zh_wchar *s)
{
    freed_strings++;
    free(s);
}

static zh_hcs_operation ZH_WINAPI fake_create_operation(const void *context, zh_hcs_operation_completion cb)
{
    (void)cb;
    return (zh_hcs_operation)(uintptr_t)context;
}

static zh_u64 ZH_WINAPI fake_operation_id(zh_hcs_operation op)
{
    (void)op;
    return 77;
}

static zh_hresult ZH_WINAPI fake_enumerate_networks(const zh_wchar *query, zh_wchar **networks, zh_wchar **record)
{
    (void)query;
    *record = NULL;
    *networks = calloc(3, sizeof(zh_wchar));
    (*networks)[0] = '[';
    (*networks)[1] = ']';
    return 0;
}

static void specs_list_every_export(void)
{
    ZT_EQ_INT(zh_raw_hcs_spec.count, 53);
    ZT_EQ_INT(zh_raw_hcs_spec.declared_count, 52); /* computecore.h declares 52 */
    ZT_EQ_INT(zh_raw_hcn_spec.count, 50);
    ZT_EQ_INT(zh_raw_hcn_spec.declared_count, 41); /* computenetwork.h declares 41 */
    ZT_EQ_STR(zh_raw_hcs_spec.dll_name, "computecore.dll");
    ZT_EQ_STR(zh_raw_hcn_spec.dll_name, "computenetwork.dll");
    ZT_EQ_INT(zh_raw_spec_find(&zh_raw_hcs_spec, "HcsCreateOperation"), ZH_HCS_ID_HcsCreateOperation);
    ZT_EQ_INT(zh_raw_spec_find(&zh_raw_hcs_spec, "HcsAddResourceToOperation"), ZH_HCS_ID_HcsAddResourceToOperation);
    ZT_EQ_INT(zh_raw_spec_find(&zh_raw_hcn_spec, "HcnQueryEndpointStats"), ZH_HCN_ID_HcnQueryEndpointStats);
    ZT_EQ_INT(zh_raw_spec_find(&zh_raw_hcn_spec, "HcnCloseSdnRoute"), ZH_HCN_ID_HcnCloseSdnRoute);
    ZT_EQ_INT(zh_raw_spec_find(&zh_raw_hcn_spec, "HcsCreateOperation"), (size_t)-1);
    const zh_raw_spec *specs[] = {&zh_raw_hcs_spec, &zh_raw_hcn_spec};
    for (size_t s = 0; s < 2; s++) {
        const char *prefix = s == 0 ? "Hcs" : "Hcn";
        for (size_t i = 0; i < specs[s]->count; i++) {
            ZT_CHECK(strncmp(specs[s]->names[i], prefix, 3) == 0);
            ZT_EQ_INT(zh_raw_spec_find(specs[s], specs[s]->names[i]), i);
            ZT_EQ_INT(specs[s]->offsets[i], i * sizeof(zh_raw_fnptr));
        }
    }
}

static void table_backend_hands_out_its_entries(void)
{
    zh_hcs_table hcs = {0};
    hcs.HcsCreateOperation = fake_create_operation;
    hcs.HcsGetOperationId = fake_operation_id;
    zh_error *err = NULL;
    zh_raw_lib *lib = zh_raw_lib_from_table(&zh_raw_hcs_spec, &hcs, test_free, "test", &err);
    ZT_REQUIRE(lib != NULL);
    ZT_EQ_STR(zh_raw_lib_backend(lib), "table:test");
    ZT_CHECK(zh_raw_lib_spec(lib) == &zh_raw_hcs_spec);

    zh_raw_HcsCreateOperation_fn create = ZH_HCS(lib, HcsCreateOperation, &err);
    ZT_REQUIRE(create != NULL);
    ZT_CHECK(create((void *)(uintptr_t)0x1234, NULL) == (zh_hcs_operation)(uintptr_t)0x1234);
    zh_raw_HcsGetOperationId_fn id = ZH_HCS(lib, HcsGetOperationId, &err);
    ZT_REQUIRE(id != NULL);
    ZT_EQ_INT(id(NULL), 77);
    ZT_CHECK(err == NULL);

    /* an entry the backend lacks: unsupported, naming the function */
    ZT_CHECK(ZH_HCS(lib, HcsCloseOperation, &err) == NULL);
    ZT_REQUIRE(err != NULL);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_UNSUPPORTED);
    ZT_EQ_HEX(zh_error_hresult(err), 0x8007007F);
    ZT_EQ_STR(zh_error_function(err), "HcsCloseOperation");
    ZT_CONTAINS(zh_error_message(err), "table:test does not implement HcsCloseOperation");
    zh_error_free(err);
    err = NULL;

    /* an id outside the table */
    ZT_CHECK(zh_raw_get(lib, ZH_HCS_ID_COUNT, &err) == NULL);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_ARGUMENT);
    zh_error_free(err);
    zh_raw_lib_free(lib);
    zh_raw_lib_free(NULL);
}

static void strings_are_freed_by_the_backend_allocator(void)
{
    zh_hcn_table hcn = {0};
    hcn.HcnEnumerateNetworks = fake_enumerate_networks;
    zh_raw_lib *lib = zh_raw_lib_from_table(&zh_raw_hcn_spec, &hcn, test_free, "test", NULL);
    ZT_REQUIRE(lib != NULL);
    zh_raw_HcnEnumerateNetworks_fn en = ZH_HCN(lib, HcnEnumerateNetworks, NULL);
    ZT_REQUIRE(en != NULL);
    zh_wchar *ids = NULL, *record = NULL;
    ZT_EQ_INT(en(NULL, &ids, &record), 0);
    ZT_EQ_INT(ids[0], '[');
    freed_strings = 0;
    zh_raw_free_string(lib, ids);
    zh_raw_free_string(lib, record); /* NULL is fine */
    ZT_EQ_INT(freed_strings, 1);
    zh_raw_lib_free(lib);
}

static void table_backend_rejects_missing_parts(void)
{
    zh_hcs_table hcs = {0};
    zh_error *err = NULL;
    ZT_CHECK(zh_raw_lib_from_table(&zh_raw_hcs_spec, &hcs, NULL, "x", &err) == NULL);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_ARGUMENT);
    zh_error_free(err);
}

#ifndef _WIN32
static void local_is_unsupported_off_windows(void)
{
    const zh_raw_spec *specs[] = {&zh_raw_hcs_spec, &zh_raw_hcn_spec};
    for (size_t i = 0; i < 2; i++) {
        zh_error *err = NULL;
        ZT_CHECK(zh_raw_lib_open_local(specs[i], &err) == NULL);
        ZT_REQUIRE(err != NULL);
        ZT_EQ_INT(zh_error_category(err), ZH_CAT_UNSUPPORTED);
        ZT_CONTAINS(zh_error_message(err), "only on Windows");
        ZT_CONTAINS(zh_error_message(err), "\"sim:\"");
        ZT_CONTAINS(zh_error_message(err), specs[i]->dll_name);
        zh_error_free(err);
    }
}
#endif

struct resolve_job {
    zh_raw_lib *lib;
    zh_raw_fnptr seen;
};

static void resolve_worker(void *arg)
{
    struct resolve_job *job = arg;
    for (int i = 0; i < 5000; i++)
        job->seen = zh_raw_get(job->lib, ZH_HCS_ID_HcsCreateOperation, NULL);
}

static void concurrent_lookups_agree(void)
{
    zh_hcs_table hcs = {0};
    hcs.HcsCreateOperation = fake_create_operation;
    zh_raw_lib *lib = zh_raw_lib_from_table(&zh_raw_hcs_spec, &hcs, test_free, "test", NULL);
    ZT_REQUIRE(lib != NULL);
    struct resolve_job jobs[4];
    zh_thread *t[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].lib = lib;
        jobs[i].seen = NULL;
        ZT_REQUIRE(zh_thread_start(&t[i], resolve_worker, &jobs[i], NULL) == 0);
    }
    for (int i = 0; i < 4; i++) {
        zh_thread_join(t[i]);
        ZT_CHECK(jobs[i].seen == (zh_raw_fnptr)fake_create_operation);
    }
    zh_raw_lib_free(lib);
}

static const zt_case cases[] = {
    ZT_CASE(specs_list_every_export),
    ZT_CASE(table_backend_hands_out_its_entries),
    ZT_CASE(strings_are_freed_by_the_backend_allocator),
    ZT_CASE(table_backend_rejects_missing_parts),
#ifndef _WIN32
    ZT_CASE(local_is_unsupported_off_windows),
#endif
    ZT_CASE(concurrent_lookups_agree),
};
ZT_MAIN(cases)

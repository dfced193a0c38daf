/* SPDX-License-Identifier: MIT */
/* test_hns_internal.c - the helpers behind every zhns call, driven directly: an ErrorRecord
 * returned with S_OK is a failure (and freed), HCN's id lists are normalised, many handles
 * live and closed side by side, and an object's address is no handle. */
#include <stdio.h>

#include "hns_internal.h"
#include "hns_test.h"

static void an_error_record_with_s_ok_is_a_failure(void)
{
    zhns_service *hsvc = ht_open(NULL);
    hns_service *svc = hns_service_get(hsvc, "test", NULL);
    ZT_REQUIRE(svc);
    /* a real ErrorRecord, allocated by the service: opening a network that does not exist */
    zh_raw_HcnOpenNetwork_fn open = ZH_HCN(svc->lib, HcnOpenNetwork, NULL);
    ZT_REQUIRE(open);
    zh_guid g;
    zh_guid_parse("00000000-0000-0000-0000-0000000000ee", &g, NULL);
    zh_raw_guid id;
    memcpy(&id, &g, sizeof id);
    void *h = NULL;
    zh_wchar *record = NULL;
    ZT_CHECK(open(&id, &h, &record) < 0);
    ZT_REQUIRE(record != NULL);
    /* handed on as if the call had succeeded: still a failure, with the record's own code */
    zh_error *err = NULL;
    ZT_EQ_INT(hns_result(svc, 0, record, "HcnSomething", &err), -1);
    ZT_REQUIRE(err);
    ZT_EQ_HEX(zh_error_hresult(err), 0x803B0001);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_NOT_FOUND);
    ZT_EQ_STR(zh_error_function(err), "HcnSomething");
    ZT_CONTAINS(zh_error_document(err), "ErrorCode");
    zh_error_free(err);
    err = NULL;
    /* a failed HRESULT without a record: its name */
    ZT_EQ_INT(hns_result(svc, (zh_hresult)0x80070005, NULL, "HcnX", &err), -1);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_ACCESS_DENIED);
    ZT_CHECK(zh_error_document(err) == NULL);
    zh_error_free(err);
    err = NULL;
    /* S_OK and an empty record: success, and the empty record is freed too (ASan) */
    ZT_EQ_INT(hns_result(svc, 0, NULL, "HcnX", &err), 0);
    ZT_CHECK(err == NULL);
    hns_service_unref(svc);
    zhns_service_close(hsvc);
}

static void id_lists_are_normalised(void)
{
    char **ids = NULL;
    size_t n = 0;
    zh_error *err = NULL;
    ZT_EQ_INT(hns_ids_from_json("[\"{0D9A4B63-2F8C-4B1E-9A6F-3C2D1E0F9A8B}\",\"not-a-guid\"]", &ids, &n, "f", &err), 0);
    ZT_REQUIRE(n == 2);
    ZT_EQ_STR(ids[0], "0d9a4b63-2f8c-4b1e-9a6f-3c2d1e0f9a8b");
    ZT_EQ_STR(ids[1], "not-a-guid");
    zhns_strings_free(ids, n);
    ZT_EQ_INT(hns_ids_from_json("[]", &ids, &n, "f", &err), 0);
    ZT_EQ_INT(n, 0);
    zhns_strings_free(ids, n);
    ZT_EQ_INT(hns_ids_from_json("[1]", &ids, &n, "f", &err), -1);
    ZT_CHECK(ids == NULL && n == 0);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_JSON);
    zh_error_free(err);
    err = NULL;
    ZT_EQ_INT(hns_ids_from_json("{\"a\":1}", &ids, &n, "f", &err), -1);
    ZT_CONTAINS(zh_error_message(err), "not a JSON array");
    zh_error_free(err);
}

static void the_table_of_live_handles(void)
{
    zhns_service *svc = ht_open(NULL);
    enum { MANY = 300 };
    static zhns_namespace *ns[MANY];
    for (int i = 0; i < MANY; i++)
        HT_OK(zhns_namespace_create_json(&ns[i], svc, "{}", HT_E));
    /* close every other one: the rest stay reachable beside the freed slots */
    for (int i = 0; i < MANY; i += 2) {
        HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(ns[i]), HT_E));
        zhns_namespace_close(ns[i]);
    }
    int live = 0, closed = 0;
    for (int i = 0; i < MANY; i++) {
        zhns_HostComputeNamespace *doc = NULL;
        zhns_error *err = NULL;
        if (zhns_namespace_query(&doc, ns[i], &err) == 0)
            live += i % 2 == 1;
        else
            closed += i % 2 == 0 && zhns_error_category_of(err) == ZHNS_ERROR_CLOSED;
        zhns_HostComputeNamespace_free(doc);
        zhns_error_free(err);
    }
    ZT_EQ_INT(live, MANY / 2);
    ZT_EQ_INT(closed, MANY / 2);
    for (int i = 1; i < MANY; i += 2) {
        HT_OK(zhns_namespace_delete(svc, zhns_namespace_id(ns[i]), HT_E));
        zhns_namespace_close(ns[i]);
    }
    ZT_EQ_STR(zhns_namespace_id(ns[1]), "");
    zhns_service_close(svc);
}

/* The public value is the handle, never the address: the old scheme's handles were
 * addresses, and an address is now just a bogus value. */
static void an_address_is_not_a_handle(void)
{
    zhns_service *hsvc = ht_open(NULL);
    zhns_namespace *ns = NULL;
    HT_OK(zhns_namespace_create_json(&ns, hsvc, "{}", HT_E));
    hns_obj *o = hns_obj_acquire(ns, HNS_NAMESPACE, "test", NULL);
    hns_service *s = hns_service_get(hsvc, "test", NULL);
    ZT_REQUIRE(o && s);
    ZT_CHECK(o->handle == (uintptr_t)ns && (void *)o != (void *)ns);
    ZT_CHECK(s->handle == (uintptr_t)hsvc && (void *)s != (void *)hsvc);
    zh_error *err = NULL;
    ZT_CHECK(hns_obj_acquire(o, HNS_NAMESPACE, "test", &err) == NULL);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_CLOSED);
    zh_error_free(err);
    err = NULL;
    ZT_EQ_STR(zhns_namespace_id((zhns_namespace *)(void *)o), "");
    ZT_CHECK(hns_service_get((zhns_service *)(void *)s, "test", &err) == NULL);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_CLOSED);
    zh_error_free(err);
    ZT_EQ_STR(zhns_service_uri((zhns_service *)(void *)s), "");
    /* the type names on the error path */
    ZT_EQ_STR(hns_handle_type_name((uintptr_t)ns), "zhns_namespace");
    ZT_EQ_STR(hns_handle_type_name((uintptr_t)hsvc), "zhns_service");
    ZT_CHECK(hns_handle_type_name((uintptr_t)o) == NULL);
    ZT_CHECK(hns_handle_type_name(0) == NULL);
    hns_obj_release(o);
    hns_service_unref(s);
    HT_OK(zhns_namespace_delete(hsvc, zhns_namespace_id(ns), HT_E));
    zhns_namespace_close(ns);
    zhns_service_close(hsvc);
}

static const zt_case cases[] = {
    ZT_CASE(an_error_record_with_s_ok_is_a_failure),
    ZT_CASE(id_lists_are_normalised),
    ZT_CASE(the_table_of_live_handles),
    ZT_CASE(an_address_is_not_a_handle),
};
HT_MAIN(cases)

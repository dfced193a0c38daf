/* SPDX-License-Identifier: MIT */
/* test_error.c - the error object and the parsing of HCS/HCN error documents. */
#include "zh_errdoc.h"
#include "zh_error.h"
#include "zh_hresult.h"
#include "zt.h"

static void set_derives_category_and_keeps_function(void)
{
    zh_error *err = NULL;
    ZT_EQ_INT(zh_error_set(&err, HCS_E_SYSTEM_NOT_FOUND, "HcsOpenComputeSystem", "system %s", "web-1"), -1);
    ZT_REQUIRE(err != NULL);
    ZT_EQ_HEX(zh_error_hresult(err), 0x8037010E);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_NOT_FOUND);
    ZT_EQ_STR(zh_error_function(err), "HcsOpenComputeSystem");
    ZT_EQ_STR(zh_error_message(err), "system web-1");
    ZT_CHECK(zh_error_document(err) == NULL);
    char buf[256];
    zh_error_format(err, buf, sizeof buf);
    ZT_EQ_STR(buf, "HcsOpenComputeSystem: HCS_E_SYSTEM_NOT_FOUND (0x8037010E): system web-1");
    zh_error_free(err);
}

static void set_replaces_an_earlier_error_without_leaking(void)
{
    zh_error *err = NULL;
    zh_error_set(&err, ZH_E_INVALIDARG, "first", "one");
    zh_error_set(&err, ZH_E_ACCESSDENIED, "second", "two");
    ZT_EQ_STR(zh_error_function(err), "second");
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_ACCESS_DENIED);
    zh_error_free(err);
    /* a NULL out-parameter is allowed and reports nothing */
    ZT_EQ_INT(zh_error_set(NULL, ZH_E_FAIL, "x", "y"), -1);
    ZT_EQ_INT(zh_error_set_doc(NULL, ZH_E_FAIL, "x", ZH_ERRDOC_HCS_RESULT, "{}"), -1);
}

static void explicit_category_overrides_the_table(void)
{
    zh_error *err = NULL;
    zh_error_set_cat(&err, ZH_E_HANDLE, ZH_CAT_CLOSED, "zhcs_system_start", "the system handle was closed");
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_CLOSED);
    zh_error_free(err);
    err = NULL;
    zh_error_set_cat(&err, ZH_E_NOT_SUPPORTED, ZH_CAT_UNSUPPORTED, NULL, "not here");
    ZT_EQ_STR(zh_error_function(err), "");
    char buf[128];
    zh_error_format(err, buf, sizeof buf);
    ZT_EQ_STR(buf, "ERROR_NOT_SUPPORTED (0x80070032): not here");
    zh_error_free(err);
}

static void format_truncates_safely(void)
{
    zh_error *err = zh_error_new(HCS_E_INVALID_JSON, "HcsCreateComputeSystem", "a long message");
    char small[10];
    size_t full = zh_error_format(err, small, sizeof small);
    ZT_EQ_INT(strlen(small), 9);
    ZT_CHECK(full > 9);
    ZT_EQ_INT(zh_error_format(err, NULL, 0), full);
    zh_error_free(err);
}

static void category_names_are_stable(void)
{
    ZT_EQ_STR(zh_category_name(ZH_CAT_NONE), "none");
    ZT_EQ_STR(zh_category_name(ZH_CAT_NOT_FOUND), "not-found");
    ZT_EQ_STR(zh_category_name(ZH_CAT_ALREADY_STOPPED), "already-stopped");
    ZT_EQ_STR(zh_category_name(ZH_CAT_SERVICE_UNAVAILABLE), "service-unavailable");
    ZT_EQ_STR(zh_category_name(ZH_CAT_CLOSED), "closed");
    ZT_EQ_STR(zh_category_name((zh_category)99), "unknown");
    for (int c = 0; c < ZH_CAT_COUNT; c++)
        ZT_CHECK(strcmp(zh_category_name((zh_category)c), "unknown") != 0);
}

static void the_static_oom_error_is_never_freed(void)
{
    const zh_error *oom = zh_error_oom();
    ZT_EQ_INT(zh_error_category(oom), ZH_CAT_OUT_OF_MEMORY);
    ZT_EQ_HEX(zh_error_hresult(oom), 0x8007000E);
    zh_error_free((zh_error *)oom); /* a no-op: ASan would report a bad free otherwise */
    ZT_EQ_STR(zh_error_message(oom), "out of memory");
    zh_error *err = NULL;
    zh_error_put(&err, (zh_error *)oom);
    zh_error_free(err);
    ZT_EQ_STR(zh_error_message(NULL), "");
    ZT_EQ_INT(zh_error_category(NULL), ZH_CAT_NONE);
}

/* ---- HCS ResultError documents ---- */

static void result_error_message_and_events(void)
{
    const char *doc =
        "{\"Error\":-2143878899,\"ErrorMessage\":\"The JSON document is invalid.\","
        "\"ErrorEvents\":[{\"Message\":\"Missing member VirtualMachine\",\"Provider\":\"17103E3F\","
        "\"EventId\":11,\"Flags\":0,\"Source\":\"vmcompute.dll\"},"
        "{\"Message\":\"The JSON document is invalid.\"},{\"Message\":\"at $.Chipset\"}],"
        "\"Attribution\":[]}";
    zh_error *err = NULL;
    zh_error_set_doc(&err, HCS_E_INVALID_JSON, "HcsCreateComputeSystem", ZH_ERRDOC_HCS_RESULT, doc);
    ZT_REQUIRE(err != NULL);
    ZT_EQ_HEX(zh_error_hresult(err), 0x8037010D);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_JSON);
    ZT_EQ_STR(zh_error_message(err),
              "The JSON document is invalid. (Missing member VirtualMachine; at $.Chipset)");
    ZT_EQ_STR(zh_error_document(err), doc);
    zh_error_free(err);
}

static void result_error_code_used_when_the_call_succeeded(void)
{
    /* unsigned spelling of 0x8037010E */
    const char *doc = "{\"Error\":2151088398,\"ErrorMessage\":\"A virtual machine or container with the specified identifier does not exist.\"}";
    zh_error *err = NULL;
    zh_error_set_doc(&err, 0, "HcsWaitForOperationResult", ZH_ERRDOC_HCS_RESULT, doc);
    ZT_EQ_HEX(zh_error_hresult(err), 0x8037010E);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_NOT_FOUND);
    ZT_CONTAINS(zh_error_message(err), "does not exist");
    zh_error_free(err);
}

static void unknown_shapes_keep_the_raw_text(void)
{
    static const char *const docs[] = {
        "not json at all",
        "[1,2,3]",
        "{\"Something\":\"else\"}",
        "{\"ErrorMessage\":",           /* truncated */
        "{\"ErrorMessage\":42}",        /* wrong type */
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        zh_error *err = NULL;
        zh_error_set_doc(&err, HCS_E_INVALID_STATE, "HcsStartComputeSystem", ZH_ERRDOC_HCS_RESULT, docs[i]);
        ZT_EQ_STR(zh_error_message(err), docs[i]);
        ZT_EQ_STR(zh_error_document(err), docs[i]);
        ZT_EQ_HEX(zh_error_hresult(err), 0x80370105);
        zh_error_free(err);
    }
}

static void empty_document_falls_back_to_the_code_name(void)
{
    zh_error *err = NULL;
    zh_error_set_doc(&err, HCS_E_SYSTEM_ALREADY_STOPPED, "HcsShutDownComputeSystem", ZH_ERRDOC_HCS_RESULT, "");
    ZT_EQ_STR(zh_error_message(err), "HCS_E_SYSTEM_ALREADY_STOPPED");
    ZT_CHECK(zh_error_document(err) == NULL);
    zh_error_free(err);
    err = NULL;
    zh_error_set_doc(&err, HCS_E_SYSTEM_ALREADY_STOPPED, "HcsShutDownComputeSystem", ZH_ERRDOC_HCS_RESULT, NULL);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_ALREADY_STOPPED);
    zh_error_free(err);
}

static void very_long_messages_are_bounded(void)
{
    size_t n = 3 * ZH_ERRDOC_MESSAGE_MAX;
    char *doc = malloc(n + 64);
    ZT_REQUIRE(doc != NULL);
    strcpy(doc, "{\"ErrorMessage\":\"");
    size_t k = strlen(doc);
    memset(doc + k, 'x', n);
    strcpy(doc + k + n, "\"}");
    zh_error *err = NULL;
    zh_error_set_doc(&err, HCS_E_INVALID_JSON, "HcsCreateComputeSystem", ZH_ERRDOC_HCS_RESULT, doc);
    ZT_EQ_INT(strlen(zh_error_message(err)), ZH_ERRDOC_MESSAGE_MAX);
    ZT_EQ_INT(strlen(zh_error_document(err)), strlen(doc)); /* the document is kept whole */
    zh_error_free(err);
    free(doc);
}

/* ---- HCN ErrorRecords ---- */

static void error_record_with_s_ok_is_a_failure(void)
{
    const char *rec = "{\"Success\":false,\"Error\":\"Network not found\",\"ErrorCode\":2151350273}";
    zh_error *err = NULL;
    zh_error_set_doc(&err, 0, "HcnOpenNetwork", ZH_ERRDOC_HCN_RECORD, rec);
    ZT_REQUIRE(err != NULL);
    ZT_EQ_HEX(zh_error_hresult(err), 0x803B0001);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_NOT_FOUND);
    ZT_EQ_STR(zh_error_message(err), "Network not found");
    ZT_EQ_STR(zh_error_document(err), rec);
    zh_error_free(err);
}

static void error_record_without_code_is_e_fail(void)
{
    zh_error *err = NULL;
    zh_error_set_doc(&err, 0, "HcnCreateEndpoint", ZH_ERRDOC_HCN_RECORD, "something went wrong");
    ZT_EQ_HEX(zh_error_hresult(err), 0x80004005);
    ZT_EQ_STR(zh_error_message(err), "something went wrong");
    zh_error_free(err);
}

static void failed_hresult_wins_over_the_record_code(void)
{
    const char *rec = "{\"Error\":\"IP address is either invalid or not part of any configured subnet(s).\",\"ErrorCode\":2151350319,\"Success\":false}";
    zh_error *err = NULL;
    zh_error_set_doc(&err, HCN_E_INVALID_IP, "HcnCreateEndpoint", ZH_ERRDOC_HCN_RECORD, rec);
    ZT_EQ_HEX(zh_error_hresult(err), 0x803B001E);
    ZT_CONTAINS(zh_error_message(err), "not part of any configured subnet");
    zh_error_free(err);
}

static void errdoc_reports_codes_in_both_spellings(void)
{
    int32_t hr = 0;
    int has = 0;
    char *m = zh_errdoc_message(ZH_ERRDOC_HCS_RESULT, "{\"Error\":-2143878898,\"ErrorMessage\":\"gone\"}", &hr, &has);
    ZT_EQ_STR(m, "gone");
    ZT_EQ_INT(has, 1);
    ZT_EQ_HEX(hr, 0x8037010E);
    free(m);
    m = zh_errdoc_message(ZH_ERRDOC_HCS_RESULT, "{\"Error\":99999999999,\"ErrorMessage\":\"x\"}", &hr, &has);
    ZT_EQ_INT(has, 0); /* out of 32-bit range: not an HRESULT */
    free(m);
    m = zh_errdoc_message(ZH_ERRDOC_HCS_RESULT, "{\"Error\":18446744073709551615,\"ErrorMessage\":\"x\"}", &hr, &has);
    ZT_EQ_INT(has, 0);
    free(m);
    ZT_CHECK(zh_errdoc_message(ZH_ERRDOC_HCN_RECORD, "", &hr, &has) == NULL);
    ZT_CHECK(zh_errdoc_message(ZH_ERRDOC_HCN_RECORD, NULL, &hr, &has) == NULL);
}

static const zt_case cases[] = {
    ZT_CASE(set_derives_category_and_keeps_function),
    ZT_CASE(set_replaces_an_earlier_error_without_leaking),
    ZT_CASE(explicit_category_overrides_the_table),
    ZT_CASE(format_truncates_safely),
    ZT_CASE(category_names_are_stable),
    ZT_CASE(the_static_oom_error_is_never_freed),
    ZT_CASE(result_error_message_and_events),
    ZT_CASE(result_error_code_used_when_the_call_succeeded),
    ZT_CASE(unknown_shapes_keep_the_raw_text),
    ZT_CASE(empty_document_falls_back_to_the_code_name),
    ZT_CASE(very_long_messages_are_bounded),
    ZT_CASE(error_record_with_s_ok_is_a_failure),
    ZT_CASE(error_record_without_code_is_e_fail),
    ZT_CASE(failed_hresult_wins_over_the_record_code),
    ZT_CASE(errdoc_reports_codes_in_both_spellings),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_guid.c - GUID parsing, formatting and generation. */
#include "zh_guid.h"
#include "zt.h"

static void parses_bare_and_braced_in_any_case(void)
{
    static const char *const forms[] = {
        "1c2b3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d",
        "1C2B3D4E-5F60-4A7B-8C9D-0E1F2A3B4C5D",
        "{1c2b3d4e-5F60-4a7B-8c9d-0E1F2a3b4c5d}",
    };
    for (size_t i = 0; i < 3; i++) {
        zh_guid g;
        ZT_REQUIRE(zh_guid_parse(forms[i], &g, NULL) == 0);
        ZT_EQ_HEX(g.data1, 0x1c2b3d4e);
        ZT_EQ_HEX(g.data2, 0x5f60);
        ZT_EQ_HEX(g.data3, 0x4a7b);
        ZT_EQ_HEX(g.data4[0], 0x8c);
        ZT_EQ_HEX(g.data4[1], 0x9d);
        ZT_EQ_HEX(g.data4[7], 0x5d);
    }
}

static void formats_as_the_apis_need(void)
{
    zh_guid g;
    char buf[ZH_GUID_BUFSIZE];
    ZT_REQUIRE(zh_guid_parse("{AABBCCDD-EEFF-0011-2233-445566778899}", &g, NULL) == 0);
    ZT_EQ_STR(zh_guid_format(&g, ZH_GUID_LOWER, buf), "aabbccdd-eeff-0011-2233-445566778899");
    ZT_EQ_STR(zh_guid_format(&g, ZH_GUID_UPPER, buf), "AABBCCDD-EEFF-0011-2233-445566778899");
    ZT_EQ_STR(zh_guid_format(&g, ZH_GUID_UPPER | ZH_GUID_BRACES, buf), "{AABBCCDD-EEFF-0011-2233-445566778899}");
    ZT_EQ_INT(strlen(zh_guid_format(&g, ZH_GUID_BRACES, buf)), ZH_GUID_BUFSIZE - 1);
}

static void rejects_malformed_guids_clearly(void)
{
    struct { const char *s; const char *want; } bad[] = {
        {"", "expected 36 characters"},
        {"1c2b3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5", "got 35"},
        {"1c2b3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d0", "got 37"},
        {"{1c2b3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d", "got 37"},
        {"(1c2b3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d)", "got 38"},
        {"1c2b3d4e_5f60-4a7b-8c9d-0e1f2a3b4c5d", "expected '-' at position 8"},
        {"1c2b3d4e-5f60-4a7b-8c9d-0e1f2a3b4cXd", "not a hex digit at position 34"},
        {"g c2b3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d", "got 37"},
        {"gc2b3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d", "not a hex digit at position 0"},
        {"{1c2b3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5z}", "not a hex digit at position 36"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zh_guid g;
        zh_error *err = NULL;
        ZT_EQ_INT(zh_guid_parse(bad[i].s, &g, &err), -1);
        ZT_REQUIRE(err != NULL);
        ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_ARGUMENT);
        ZT_CONTAINS(zh_error_message(err), bad[i].want);
        zh_error_free(err);
    }
    zh_guid g;
    zh_error *err = NULL;
    ZT_EQ_INT(zh_guid_parse(NULL, &g, &err), -1);
    zh_error_free(err);
}

static void random_guids_are_v4_and_distinct(void)
{
    zh_guid a, b;
    ZT_REQUIRE(zh_guid_random(&a, NULL) == 0);
    ZT_REQUIRE(zh_guid_random(&b, NULL) == 0);
    ZT_CHECK(!zh_guid_equal(&a, &b));
    ZT_EQ_HEX(a.data3 >> 12, 4);
    ZT_EQ_HEX(a.data4[0] >> 6, 2);
    ZT_CHECK(!zh_guid_is_nil(&a));
    zh_guid nil;
    ZT_REQUIRE(zh_guid_parse("00000000-0000-0000-0000-000000000000", &nil, NULL) == 0);
    ZT_CHECK(zh_guid_is_nil(&nil));
    char buf[ZH_GUID_BUFSIZE];
    zh_guid again;
    ZT_REQUIRE(zh_guid_parse(zh_guid_format(&a, ZH_GUID_UPPER, buf), &again, NULL) == 0);
    ZT_CHECK(zh_guid_equal(&a, &again));
}

static const zt_case cases[] = {
    ZT_CASE(parses_bare_and_braced_in_any_case),
    ZT_CASE(formats_as_the_apis_need),
    ZT_CASE(rejects_malformed_guids_clearly),
    ZT_CASE(random_guids_are_v4_and_distinct),
};
ZT_MAIN(cases)

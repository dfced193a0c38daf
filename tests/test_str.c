/* SPDX-License-Identifier: MIT */
/* test_str.c - bounded string helpers and zh_buf. */
#include "zh_str.h"
#include "zt.h"

static void dup_and_ndup(void)
{
    char *a = zh_strdup("endpoint");
    ZT_EQ_STR(a, "endpoint");
    free(a);
    ZT_CHECK(zh_strdup(NULL) == NULL);
    char *b = zh_strndup("namespace", 4);
    ZT_EQ_STR(b, "name");
    free(b);
    char *c = zh_strndup("ab", 10);
    ZT_EQ_STR(c, "ab");
    free(c);
}

static void asprintf_formats(void)
{
    char *s = zh_asprintf("%s-%d-%zu", "sys", 42, (size_t)7);
    ZT_EQ_STR(s, "sys-42-7");
    free(s);
}

static void strlcpy_truncates_and_reports(void)
{
    char buf[5];
    ZT_EQ_INT(zh_strlcpy(buf, "abcdefgh", sizeof buf), 8);
    ZT_EQ_STR(buf, "abcd");
    ZT_EQ_INT(zh_strlcpy(buf, "ab", sizeof buf), 2);
    ZT_EQ_STR(buf, "ab");
    ZT_EQ_INT(zh_strlcpy(buf, "xyz", 0), 3);
    ZT_EQ_STR(buf, "ab");
}

static void case_insensitive_compare(void)
{
    ZT_EQ_INT(zh_strcasecmp_ascii("ID", "Id"), 0);
    ZT_EQ_INT(zh_strcasecmp_ascii("VirtualNetwork", "virtualnetwork"), 0);
    ZT_CHECK(zh_strcasecmp_ascii("Id", "Ids") < 0);
    ZT_CHECK(zh_strcasecmp_ascii("b", "A") > 0);
    ZT_CHECK(zh_strcasecmp_ascii("\xC3\xA9", "\xC3\x89") != 0); /* ASCII only */
}

static void buf_grows_and_respects_its_limit(void)
{
    zh_buf b = ZH_BUF_INIT(16);
    ZT_EQ_INT(zh_buf_puts(&b, "0123456789"), 0);
    ZT_EQ_INT(zh_buf_printf(&b, "%d", 12345), 0);
    ZT_EQ_INT(b.len, 15);
    ZT_EQ_INT(zh_buf_puts(&b, "xy"), -1); /* would exceed 16 */
    ZT_EQ_INT(b.failed, 1);
    ZT_EQ_INT(zh_buf_puts(&b, "z"), -1);  /* sticky failure */
    ZT_EQ_STR(b.data, "012345678912345");
    zh_buf_free(&b);

    zh_buf big = ZH_BUF_INIT(0);
    for (int i = 0; i < 10000; i++)
        ZT_REQUIRE(zh_buf_append(&big, "abcdefgh", 8) == 0);
    ZT_EQ_INT(big.len, 80000);
    char *s = zh_buf_take(&big);
    ZT_EQ_INT(strlen(s), 80000);
    ZT_CHECK(big.data == NULL && big.len == 0);
    free(s);

    zh_buf empty = ZH_BUF_INIT(0);
    char *e = zh_buf_take(&empty);
    ZT_EQ_STR(e, "");
    free(e);
}

static const zt_case cases[] = {
    ZT_CASE(dup_and_ndup),
    ZT_CASE(asprintf_formats),
    ZT_CASE(strlcpy_truncates_and_reports),
    ZT_CASE(case_insensitive_compare),
    ZT_CASE(buf_grows_and_respects_its_limit),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_utf.c - strict UTF-8 <-> UTF-16 conversion. */
#include "zh_hresult.h"
#include "zh_utf.h"
#include "zt.h"

static void ascii_round_trip(void)
{
    uint16_t *w = NULL;
    size_t n = 0;
    ZT_REQUIRE(zh_utf8_to_utf16("HcsCreateComputeSystem", ZH_NUL_TERMINATED, &w, &n, "id", NULL) == 0);
    ZT_EQ_INT(n, 22);
    ZT_EQ_INT(w[0], 'H');
    ZT_EQ_INT(w[22], 0);
    char *back = NULL;
    ZT_REQUIRE(zh_utf16_to_utf8(w, ZH_NUL_TERMINATED, &back, &n, "id", NULL) == 0);
    ZT_EQ_STR(back, "HcsCreateComputeSystem");
    ZT_EQ_INT(n, 22);
    free(w);
    free(back);
}

static void every_encoding_length_round_trips(void)
{
    /* U+0024, U+00E9, U+20AC, U+1F600 (surrogate pair), U+10FFFF */
    const char *s = "$\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF";
    uint16_t *w = NULL;
    size_t n = 0;
    ZT_REQUIRE(zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, &n, NULL, NULL) == 0);
    ZT_EQ_INT(n, 7);
    ZT_EQ_HEX(w[0], 0x24);
    ZT_EQ_HEX(w[1], 0xE9);
    ZT_EQ_HEX(w[2], 0x20AC);
    ZT_EQ_HEX(w[3], 0xD83D);
    ZT_EQ_HEX(w[4], 0xDE00);
    ZT_EQ_HEX(w[5], 0xDBFF);
    ZT_EQ_HEX(w[6], 0xDFFF);
    char *back = NULL;
    ZT_REQUIRE(zh_utf16_to_utf8(w, n, &back, &n, NULL, NULL) == 0);
    ZT_EQ_STR(back, s);
    ZT_EQ_INT(n, strlen(s));
    free(w);
    free(back);
}

static void empty_strings(void)
{
    uint16_t *w = NULL;
    size_t n = 99;
    ZT_REQUIRE(zh_utf8_to_utf16("", 0, &w, &n, NULL, NULL) == 0);
    ZT_EQ_INT(n, 0);
    ZT_EQ_INT(w[0], 0);
    char *s = NULL;
    ZT_REQUIRE(zh_utf16_to_utf8(w, 0, &s, &n, NULL, NULL) == 0);
    ZT_EQ_STR(s, "");
    free(w);
    free(s);
}

static void expect_utf8_error(const char *bytes, size_t len, const char *want)
{
    uint16_t *w = (uint16_t *)1;
    zh_error *err = NULL;
    ZT_EQ_INT(zh_utf8_to_utf16(bytes, len, &w, NULL, "configuration", &err), -1);
    ZT_CHECK(w == NULL);
    ZT_REQUIRE(err != NULL);
    ZT_EQ_HEX(zh_error_hresult(err), 0x80070459);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_ARGUMENT);
    ZT_CONTAINS(zh_error_message(err), "configuration:");
    ZT_CONTAINS(zh_error_message(err), want);
    zh_error_free(err);
}

static void invalid_utf8_is_rejected_with_the_offset(void)
{
    expect_utf8_error("ab\xC0\xAF", 4, "at byte 2: overlong encoding");
    expect_utf8_error("\xE0\x80\xAF", 3, "overlong encoding");            /* overlong 3-byte */
    expect_utf8_error("\xF0\x80\x80\xAF", 4, "overlong encoding");        /* overlong 4-byte */
    expect_utf8_error("x\xED\xA0\x80", 4, "at byte 1: encoded surrogate"); /* U+D800 */
    expect_utf8_error("\xED\xBF\xBF", 3, "encoded surrogate");            /* U+DFFF */
    expect_utf8_error("\xF4\x90\x80\x80", 4, "above U+10FFFF");
    expect_utf8_error("\xF5\x80\x80\x80", 4, "invalid lead byte");
    expect_utf8_error("\xFF", 1, "invalid lead byte");
    expect_utf8_error("abc\x80", 4, "at byte 3: unexpected continuation byte");
    expect_utf8_error("\xE2\x82", 2, "truncated sequence");
    expect_utf8_error("\xE2\x82x", 3, "truncated sequence");
    expect_utf8_error("a\0b", 3, "embedded NUL at byte 1");
}

static void invalid_utf16_is_rejected(void)
{
    static const uint16_t lone_high[] = {'a', 0xD800, 'b', 0};
    static const uint16_t lone_low[] = {0xDC00, 0};
    static const uint16_t high_at_end[] = {'x', 0xDBFF, 0};
    static const uint16_t reversed[] = {0xDC00, 0xD800, 0};
    static const uint16_t embedded_nul[] = {'a', 0, 'b'};
    struct { const uint16_t *s; size_t len; const char *want; } cases[] = {
        {lone_high, ZH_NUL_TERMINATED, "code unit 1: lone high surrogate"},
        {lone_low, ZH_NUL_TERMINATED, "code unit 0: lone low surrogate"},
        {high_at_end, ZH_NUL_TERMINATED, "code unit 1: lone high surrogate"},
        {reversed, ZH_NUL_TERMINATED, "lone low surrogate"},
        {embedded_nul, 3, "embedded NUL at code unit 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = (char *)1;
        zh_error *err = NULL;
        ZT_EQ_INT(zh_utf16_to_utf8(cases[i].s, cases[i].len, &out, NULL, "result document", &err), -1);
        ZT_CHECK(out == NULL);
        ZT_EQ_HEX(zh_error_hresult(err), 0x80070459);
        ZT_CONTAINS(zh_error_message(err), "result document: ");
        ZT_CONTAINS(zh_error_message(err), cases[i].want);
        zh_error_free(err);
    }
}

static void null_input_is_an_error_not_a_crash(void)
{
    uint16_t *w;
    char *s;
    zh_error *err = NULL;
    ZT_EQ_INT(zh_utf8_to_utf16(NULL, 0, &w, NULL, "id", &err), -1);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_ARGUMENT);
    zh_error_free(err);
    err = NULL;
    ZT_EQ_INT(zh_utf16_to_utf8(NULL, 0, &s, NULL, "id", &err), -1);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_ARGUMENT);
    zh_error_free(err);
}

static void validate_reports_the_offset(void)
{
    size_t at = 0;
    ZT_EQ_INT(zh_utf8_validate("fine \xE2\x82\xAC", ZH_NUL_TERMINATED, &at), 0);
    ZT_EQ_INT(zh_utf8_validate("bad \xC3", ZH_NUL_TERMINATED, &at), -1);
    ZT_EQ_INT(at, 4);
}

static void large_strings_convert(void)
{
    size_t n = 1u << 20;
    char *s = malloc(n + 1);
    ZT_REQUIRE(s != NULL);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('a' + i % 26);
    s[n] = '\0';
    uint16_t *w = NULL;
    size_t units = 0;
    ZT_REQUIRE(zh_utf8_to_utf16(s, n, &w, &units, NULL, NULL) == 0);
    ZT_EQ_INT(units, n);
    char *back = NULL;
    ZT_REQUIRE(zh_utf16_to_utf8(w, units, &back, NULL, NULL, NULL) == 0);
    ZT_CHECK(memcmp(back, s, n + 1) == 0);
    free(s);
    free(w);
    free(back);
}

/* The fast paths take ASCII eight bytes (four code units) at a time: a bad unit or byte at
 * every position of a longer ASCII run is still found, at its own offset, and everything
 * around it converts exactly. */
static void bad_input_inside_ascii_runs(void)
{
    char s[40], want[96];
    uint16_t w[40];
    for (size_t at = 0; at < 24; at++) {
        for (size_t i = 0; i < 32; i++)
            s[i] = (char)('a' + i % 26);
        s[32] = '\0';
        zh_error *err = NULL;
        uint16_t *out = NULL;
        char *back = NULL;
        size_t n = 0;
        /* UTF-8 -> UTF-16: a stray continuation byte, then an embedded NUL */
        s[at] = (char)0x80;
        ZT_CHECK(zh_utf8_to_utf16(s, 32, &out, &n, "id", &err) == -1);
        snprintf(want, sizeof want, "id: invalid UTF-8 at byte %zu: unexpected continuation byte", at);
        ZT_EQ_STR(zh_error_message(err), want);
        zh_error_free(err);
        err = NULL;
        s[at] = '\0';
        ZT_CHECK(zh_utf8_to_utf16(s, 32, &out, &n, "id", &err) == -1);
        snprintf(want, sizeof want, "id: embedded NUL at byte %zu", at);
        ZT_EQ_STR(zh_error_message(err), want);
        zh_error_free(err);
        err = NULL;
        /* a two-byte character in the run converts exactly, both ways */
        s[at] = (char)0xC3;
        s[at + 1] = (char)0xA9; /* U+00E9 */
        ZT_REQUIRE(zh_utf8_to_utf16(s, 32, &out, &n, "id", &err) == 0);
        ZT_EQ_INT(n, 31);
        ZT_EQ_INT(out[at], 0xE9);
        ZT_EQ_INT(out[30], s[31]);
        ZT_EQ_INT(out[31], 0);
        ZT_REQUIRE(zh_utf16_to_utf8(out, n, &back, &n, "id", &err) == 0);
        ZT_EQ_INT(n, 32);
        ZT_CHECK(memcmp(back, s, 33) == 0);
        free(back);
        /* UTF-16 -> UTF-8: a lone low surrogate, then an embedded NUL */
        for (size_t i = 0; i < 32; i++)
            w[i] = (uint16_t)('A' + i % 26);
        w[32] = 0;
        w[at] = 0xDC00;
        ZT_CHECK(zh_utf16_to_utf8(w, 32, &back, &n, "id", &err) == -1);
        snprintf(want, sizeof want, "id: invalid UTF-16 at code unit %zu: lone low surrogate", at);
        ZT_EQ_STR(zh_error_message(err), want);
        zh_error_free(err);
        err = NULL;
        w[at] = 0;
        ZT_CHECK(zh_utf16_to_utf8(w, 32, &back, &n, "id", &err) == -1);
        snprintf(want, sizeof want, "id: embedded NUL at code unit %zu", at);
        ZT_EQ_STR(zh_error_message(err), want);
        zh_error_free(err);
        err = NULL;
        w[at] = 0x20AC; /* the euro sign: three bytes */
        ZT_REQUIRE(zh_utf16_to_utf8(w, ZH_NUL_TERMINATED, &back, &n, "id", &err) == 0);
        ZT_EQ_INT(n, 34);
        ZT_CHECK((unsigned char)back[at] == 0xE2 && (unsigned char)back[at + 2] == 0xAC);
        ZT_EQ_INT(back[33], 'A' + 31 % 26);
        free(back);
        free(out);
    }
}

/* The SSE2 paths read eight units at a time (zh_utf16_len in aligned blocks): every start
 * alignment and every length up to a few blocks gives the exact length and bytes, and a
 * non-ASCII or NUL unit in the last, partial block is still seen. */
static void every_alignment_and_length(void)
{
    uint16_t buf[64];
    for (size_t off = 0; off < 9; off++) {
        for (size_t len = 0; len < 41; len++) {
            uint16_t *w = buf + off;
            for (size_t i = 0; i < len; i++)
                w[i] = (uint16_t)('a' + (off + i) % 26);
            w[len] = 0;
            for (size_t i = len + 1; off + i < 64; i++)
                w[i] = 'x'; /* what follows the NUL must not count */
            ZT_EQ_INT(zh_utf16_len(w), len);
            char *back = NULL;
            size_t n = 99;
            ZT_REQUIRE(zh_utf16_to_utf8(w, ZH_NUL_TERMINATED, &back, &n, "id", NULL) == 0);
            ZT_EQ_INT(n, len);
            for (size_t i = 0; i < len; i++)
                ZT_EQ_INT(back[i], 'a' + (off + i) % 26);
            ZT_EQ_INT(back[len], 0);
            free(back);
            if (len == 0)
                continue;
            /* the last unit two bytes wide: not ASCII, converted exactly */
            w[len - 1] = 0xE9;
            ZT_REQUIRE(zh_utf16_to_utf8(w, len, &back, &n, "id", NULL) == 0);
            ZT_EQ_INT(n, len + 1);
            ZT_CHECK((unsigned char)back[len - 1] == 0xC3 && (unsigned char)back[len] == 0xA9);
            free(back);
            /* an embedded NUL as the last unit of an explicit length */
            w[len - 1] = 0;
            zh_error *err = NULL;
            ZT_CHECK(zh_utf16_to_utf8(w, len, &back, &n, "id", &err) == -1);
            ZT_CHECK(strstr(zh_error_message(err), "embedded NUL") != NULL);
            zh_error_free(err);
        }
    }
}

static const zt_case cases[] = {
    ZT_CASE(every_alignment_and_length),
    ZT_CASE(bad_input_inside_ascii_runs),
    ZT_CASE(ascii_round_trip),
    ZT_CASE(every_encoding_length_round_trips),
    ZT_CASE(empty_strings),
    ZT_CASE(invalid_utf8_is_rejected_with_the_offset),
    ZT_CASE(invalid_utf16_is_rejected),
    ZT_CASE(null_input_is_an_error_not_a_crash),
    ZT_CASE(validate_reports_the_offset),
    ZT_CASE(large_strings_convert),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* zh_jscan.h - the one-pass JSON scanner behind zh_json_validate() and the typed parser of
 * zh_schema.c (private to src/schema).
 *
 * The scanner walks the text once and keeps nothing: the typed parser calls it token by
 * token and writes straight into the generated structs. Strings are scanned eight bytes
 * at a time (a word with no quote, backslash, control byte or non-ASCII byte is skipped
 * whole); escapes and multi-byte UTF-8 go through the checks of zh_json.c, with the same
 * messages and byte offsets as the tree reader (zh_json_parse).
 */
#ifndef ZH_JSCAN_H
#define ZH_JSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "zh_error.h"

typedef struct zh_jscan {
    const char *s;
    size_t len;
    size_t pos;
    int depth;
    int failed;
    const char *what; /* names the document in syntax errors */
    const char *fn;   /* the public function in errors (may be NULL) */
    zh_error **err;
} zh_jscan;

/* Sets the invalid-json error "WHAT: invalid JSON at byte N (line L, column C): WHY" once. */
int zh_jscan_fail(zh_jscan *r, size_t at, const char *why);

/* One value (leading whitespace allowed), validated; r->pos ends after it. 0 or -1. */
int zh_jscan_skip(zh_jscan *r);

/* A string byte that needs a look of its own at s[*i] (backslash, control byte, non-ASCII):
 * validates it and moves *i past it. Returns 1 for an escape, 0 for UTF-8, -1 on error. */
int zh_jscan_string_special(zh_jscan *r, size_t *i, size_t start);

/* Decodes the validated, escaped string body s[from, to) into out (at most to - from bytes);
 * returns the decoded length. */
size_t zh_jscan_decode(const char *s, size_t from, size_t to, char *out);

/* Counts the elements of the array at r->pos, validating it; r->pos ends after it. */
int zh_jscan_count_array(zh_jscan *r, size_t *count);

#define ZH_JSCAN_ONES 0x0101010101010101ull
#define ZH_JSCAN_HIGHS 0x8080808080808080ull

/* Non-zero when the 8 bytes of w hold a quote, a backslash, a byte below 0x20 or a byte of
 * 0x80 and above. */
static inline uint64_t zh_jscan_word_special(uint64_t w)
{
    uint64_t q = w ^ (ZH_JSCAN_ONES * 0x22u);
    uint64_t b = w ^ (ZH_JSCAN_ONES * 0x5Cu);
    uint64_t hq = (q - ZH_JSCAN_ONES) & ~q;
    uint64_t hb = (b - ZH_JSCAN_ONES) & ~b;
    uint64_t lo = (w - ZH_JSCAN_ONES * 0x20u) & ~w;
    return (hq | hb | lo | w) & ZH_JSCAN_HIGHS;
}

/* How many plain bytes (no quote, backslash, control or non-ASCII byte) s[0, 8) starts with,
 * given m = zh_jscan_word_special() of it, not zero. The lowest flagged byte is always a true
 * one (the subtractions borrow only upwards). */
static inline size_t zh_jscan_plain_prefix(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && (defined(__GNUC__) || defined(__clang__))
    return (size_t)__builtin_ctzll(m) / 8;
#else
    (void)m;
    return 0;
#endif
}

#define ZH_JSCAN_WS_MASK ((1ull << ' ') | (1ull << '\n') | (1ull << '\r') | (1ull << '\t'))

static inline void zh_jscan_ws(zh_jscan *r)
{
    const char *s = r->s;
    size_t pos = r->pos, len = r->len;
    while (pos < len) {
        unsigned char c = (unsigned char)s[pos];
        if (c > ' ' || !((ZH_JSCAN_WS_MASK >> c) & 1))
            break; /* compact JSON: one comparison */
        pos++;
        if (c == '\n' && len - pos >= 8) { /* indentation follows a line break */
            uint64_t w;
            memcpy(&w, s + pos, 8);
            while (w == ZH_JSCAN_ONES * 0x20u) { /* indentation: eight spaces at once */
                pos += 8;
                if (len - pos < 8)
                    break;
                memcpy(&w, s + pos, 8);
            }
        }
    }
    r->pos = pos;
}

/* The string at r->pos (its opening quote): validated; *end is the index of the closing
 * quote, *escaped whether the body holds an escape. r->pos ends after the closing quote. */
static inline int zh_jscan_string(zh_jscan *r, size_t *end, int *escaped)
{
    const char *s = r->s;
    size_t start = r->pos, len = r->len, i = start + 1;
    int esc = 0;
    for (;;) {
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            uint64_t m = zh_jscan_word_special(w);
            if (m) {
                i += zh_jscan_plain_prefix(m);
                break;
            }
            i += 8;
        }
        if (i >= len)
            return zh_jscan_fail(r, start, "unterminated string");
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            break;
        if (c >= 0x20 && c < 0x80 && c != '\\') {
            i++;
            continue;
        }
        int rc = zh_jscan_string_special(r, &i, start);
        if (rc < 0)
            return -1;
        esc |= rc;
    }
    *end = i;
    *escaped = esc;
    r->pos = i + 1;
    return 0;
}

/* The number at r->pos (RFC 8259 grammar); *is_integer: no fraction and no exponent. */
static inline int zh_jscan_number(zh_jscan *r, int *is_integer)
{
    const char *s = r->s;
    size_t start = r->pos, pos = r->pos, len = r->len;
    *is_integer = 1;
    if (s[pos] == '-')
        pos++;
    if (pos >= len || s[pos] < '0' || s[pos] > '9')
        return zh_jscan_fail(r, start, "invalid number");
    if (s[pos] == '0') {
        pos++;
        if (pos < len && s[pos] >= '0' && s[pos] <= '9')
            return zh_jscan_fail(r, start, "leading zero in number");
    } else {
        while (pos < len && s[pos] >= '0' && s[pos] <= '9')
            pos++;
    }
    if (pos < len && s[pos] == '.') {
        *is_integer = 0;
        pos++;
        if (pos >= len || s[pos] < '0' || s[pos] > '9')
            return zh_jscan_fail(r, start, "invalid number: digits expected after '.'");
        while (pos < len && s[pos] >= '0' && s[pos] <= '9')
            pos++;
    }
    if (pos < len && (s[pos] == 'e' || s[pos] == 'E')) {
        *is_integer = 0;
        pos++;
        if (pos < len && (s[pos] == '+' || s[pos] == '-'))
            pos++;
        if (pos >= len || s[pos] < '0' || s[pos] > '9')
            return zh_jscan_fail(r, start, "invalid number: digits expected in exponent");
        while (pos < len && s[pos] >= '0' && s[pos] <= '9')
            pos++;
    }
    r->pos = pos;
    return 0;
}

static inline int zh_jscan_literal(zh_jscan *r, const char *word, size_t n)
{
    if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n) != 0)
        return zh_jscan_fail(r, r->pos, "unexpected character");
    r->pos += n;
    return 0;
}

#endif /* ZH_JSCAN_H */

/* SPDX-License-Identifier: MIT */
/* zh_utf.c - strict UTF-8 <-> UTF-16 conversion. */
#include "zh_utf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zh_hresult.h"

/* SSE2 (every x86-64) takes ASCII eight code units at a time. zh_utf16_len reads whole
 * aligned 16-byte blocks, which may reach past the string's end inside its block (never
 * into another page): fine for the hardware, not for a sanitizer (AddressSanitizer calls
 * it an overflow, ThreadSanitizer a use after free), so sanitized builds count with the
 * plain loop. The conversions never read past their length. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ZH_UTF_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ZH_UTF_SANITIZED 1
#endif
#endif
#if defined(__SSE2__) || defined(_M_X64)
#define ZH_UTF_SSE2 1
#include <emmintrin.h>
#endif

/* Decodes one scalar value at s[i..len). Returns its length in bytes, or 0 when the
 * sequence is invalid; *why explains. */
static size_t decode_utf8(const unsigned char *s, size_t len, size_t i, uint32_t *cp, const char **why)
{
    unsigned char c = s[i];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2; v = c & 0x1Fu; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; v = c & 0x0Fu; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; v = c & 0x07u; min = 0x10000;
    } else {
        *why = (c == 0xC0 || c == 0xC1) ? "overlong encoding"
             : (c >= 0x80 && c <= 0xBF) ? "unexpected continuation byte" : "invalid lead byte";
        return 0;
    }
    if (len - i < n) {
        *why = "truncated sequence";
        return 0;
    }
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xC0u) != 0x80u) {
            *why = "truncated sequence";
            return 0;
        }
        v = (v << 6) | (s[i + k] & 0x3Fu);
    }
    if (v < min) {
        *why = "overlong encoding";
        return 0;
    }
    if (v >= 0xD800 && v <= 0xDFFF) {
        *why = "encoded surrogate";
        return 0;
    }
    if (v > 0x10FFFF) {
        *why = "code point above U+10FFFF";
        return 0;
    }
    *cp = v;
    return n;
}

int zh_utf8_validate(const char *s, size_t len, size_t *bad_offset)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == ZH_NUL_TERMINATED)
        len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        const char *why;
        size_t n = decode_utf8(u, len, i, &cp, &why);
        if (!n) {
            if (bad_offset)
                *bad_offset = i;
            return -1;
        }
        i += n;
    }
    return 0;
}

int zh_utf8_to_utf16(const char *s, size_t len, uint16_t **out, size_t *out_len, const char *what,
                     zh_error **err)
{
    *out = NULL;
    if (!what)
        what = "string";
    if (!s)
        return zh_error_set(err, ZH_E_POINTER, NULL, "%s: NULL string", what);
    if (len == ZH_NUL_TERMINATED)
        len = strlen(s);
    const unsigned char *u = (const unsigned char *)s;

    /* One pass: at most one code unit per byte, validated and encoded as it goes; ASCII
     * eight bytes at a time. */
    if (len >= SIZE_MAX / sizeof(uint16_t) - 1)
        return zh_error_set(err, ZH_E_OUTOFMEMORY, NULL, "%s: too long", what);
    uint16_t *w = malloc((len + 1) * sizeof *w);
    if (!w)
        return zh_error_set(err, ZH_E_OUTOFMEMORY, NULL, "%s: out of memory", what);
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        if (len - i >= 8) {
            uint64_t v;
            memcpy(&v, u + i, 8);
            /* no byte with the high bit set, and no zero byte */
            if (!(v & 0x8080808080808080ull) && !((v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull)) {
                for (int b = 0; b < 8; b++)
                    w[k + (size_t)b] = u[i + (size_t)b];
                k += 8;
                i += 8;
                continue;
            }
        }
        uint32_t cp;
        const char *why = NULL;
        size_t n = decode_utf8(u, len, i, &cp, &why);
        if (!n) {
            free(w);
            return zh_error_set(err, ZH_E_NO_UNICODE_TRANSLATION, NULL,
                                "%s: invalid UTF-8 at byte %zu: %s", what, i, why);
        }
        if (cp == 0) {
            free(w);
            return zh_error_set(err, ZH_E_NO_UNICODE_TRANSLATION, NULL,
                                "%s: embedded NUL at byte %zu", what, i);
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            w[k++] = (uint16_t)(0xD800 | (cp >> 10));
            w[k++] = (uint16_t)(0xDC00 | (cp & 0x3FF));
        } else {
            w[k++] = (uint16_t)cp;
        }
        i += n;
    }
    w[k] = 0;
    *out = w;
    if (out_len)
        *out_len = k;
    return 0;
}

size_t zh_utf16_len(const uint16_t *s)
{
    size_t n = 0;
#if defined(ZH_UTF_SSE2) && !defined(ZH_UTF_SANITIZED)
    if (((uintptr_t)s & 1) == 0) {
        while (((uintptr_t)(s + n) & 15) != 0) {
            if (!s[n])
                return n;
            n++;
        }
        const __m128i zero = _mm_setzero_si128();
        for (;;) {
            __m128i v = _mm_load_si128((const __m128i *)(const void *)(s + n));
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi16(v, zero));
            if (m) {
#if defined(__GNUC__)
                unsigned b = (unsigned)__builtin_ctz(m);
#else
                unsigned b = 0;
                while (!(m & 1u)) {
                    m >>= 1;
                    b++;
                }
#endif
                return n + b / 2;
            }
            n += 8;
        }
    }
#endif
    while (s[n])
        n++;
    return n;
}

#ifdef ZH_UTF_SSE2
/* Whether every one of the len units is in 1..0x7F. */
static bool all_ascii16(const uint16_t *s, size_t len)
{
    const __m128i one = _mm_set1_epi16(1), top = _mm_set1_epi16(0x7E);
    __m128i acc = _mm_setzero_si128();
    size_t i = 0;
    for (; len - i >= 8; i += 8) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        acc = _mm_or_si128(acc, _mm_subs_epu16(_mm_sub_epi16(v, one), top)); /* (unit - 1) > 0x7E */
    }
    if (_mm_movemask_epi8(_mm_cmpeq_epi16(acc, _mm_setzero_si128())) != 0xFFFF)
        return false;
    for (; i < len; i++)
        if (s[i] == 0 || s[i] > 0x7F)
            return false;
    return true;
}
#endif

int zh_utf16_to_utf8(const uint16_t *s, size_t len, char **out, size_t *out_len, const char *what,
                     zh_error **err)
{
    *out = NULL;
    if (!what)
        what = "string";
    if (!s)
        return zh_error_set(err, ZH_E_POINTER, NULL, "%s: NULL string", what);
    if (len == ZH_NUL_TERMINATED)
        len = zh_utf16_len(s);

#ifdef ZH_UTF_SSE2
    /* All ASCII (the usual JSON document): exactly len bytes, eight units at a time. */
    if (all_ascii16(s, len)) {
        char *a = malloc(len + 1);
        if (!a)
            return zh_error_set(err, ZH_E_OUTOFMEMORY, NULL, "%s: out of memory", what);
        size_t i = 0;
        for (; len - i >= 8; i += 8) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            _mm_storel_epi64((__m128i *)(void *)(a + i), _mm_packus_epi16(v, v));
        }
        for (; i < len; i++)
            a[i] = (char)s[i];
        a[len] = '\0';
        *out = a;
        if (out_len)
            *out_len = len;
        return 0;
    }
#endif
    /* One pass into room for the worst case (three bytes a unit), validated as it goes,
     * ASCII four units at a time; then the block shrinks to what was written. */
    if (len >= (SIZE_MAX - 1) / 3)
        return zh_error_set(err, ZH_E_OUTOFMEMORY, NULL, "%s: too long", what);
    char *p = malloc(len * 3 + 1);
    if (!p)
        return zh_error_set(err, ZH_E_OUTOFMEMORY, NULL, "%s: out of memory", what);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
#ifdef ZH_UTF_SSE2
        if (len - i >= 8) {
            /* eight units in 1..0x7F: (unit - 1) <= 0x7E, unsigned */
            const __m128i one = _mm_set1_epi16(1), top = _mm_set1_epi16(0x7E), zero = _mm_setzero_si128();
            size_t start = i;
            while (len - i >= 8) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
                __m128i over = _mm_subs_epu16(_mm_sub_epi16(v, one), top);
                if (_mm_movemask_epi8(_mm_cmpeq_epi16(over, zero)) != 0xFFFF)
                    break;
                _mm_storel_epi64((__m128i *)(void *)(p + k), _mm_packus_epi16(v, v));
                k += 8;
                i += 8;
            }
            if (i != start) {
                i--; /* the loop's i++ */
                continue;
            }
        }
#endif
        if (len - i >= 4) {
            uint64_t v;
            memcpy(&v, s + i, 8);
            /* four units below 0x80, none of them zero */
            if (!(v & 0xFF80FF80FF80FF80ull) && !((v - 0x0001000100010001ull) & ~v & 0x8000800080008000ull)) {
                p[k] = (char)s[i];
                p[k + 1] = (char)s[i + 1];
                p[k + 2] = (char)s[i + 2];
                p[k + 3] = (char)s[i + 3];
                k += 4;
                i += 3;
                continue;
            }
        }
        uint32_t cp = s[i];
        if (cp == 0) {
            free(p);
            return zh_error_set(err, ZH_E_NO_UNICODE_TRANSLATION, NULL,
                                "%s: embedded NUL at code unit %zu", what, i);
        }
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (i + 1 >= len || s[i + 1] < 0xDC00 || s[i + 1] > 0xDFFF) {
                free(p);
                return zh_error_set(err, ZH_E_NO_UNICODE_TRANSLATION, NULL,
                                    "%s: invalid UTF-16 at code unit %zu: lone high surrogate", what, i);
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (uint32_t)(s[i + 1] - 0xDC00);
            i++;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            free(p);
            return zh_error_set(err, ZH_E_NO_UNICODE_TRANSLATION, NULL,
                                "%s: invalid UTF-16 at code unit %zu: lone low surrogate", what, i);
        }
        if (cp < 0x80) {
            p[k++] = (char)cp;
        } else if (cp < 0x800) {
            p[k++] = (char)(0xC0 | (cp >> 6));
            p[k++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            p[k++] = (char)(0xE0 | (cp >> 12));
            p[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            p[k++] = (char)(0x80 | (cp & 0x3F));
        } else {
            p[k++] = (char)(0xF0 | (cp >> 18));
            p[k++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            p[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            p[k++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    if (k + 1 < len * 3 + 1) {
        char *q = realloc(p, k + 1); /* shrinks in place */
        if (q)
            p = q;
    }
    p[k] = '\0';
    *out = p;
    if (out_len)
        *out_len = k;
    return 0;
}

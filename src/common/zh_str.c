/* SPDX-License-Identifier: MIT */
/* zh_str.c - bounded string helpers and zh_buf. */
#include "zh_str.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *zh_strdup(const char *s)
{
    return s ? zh_strndup(s, strlen(s)) : NULL;
}

char *zh_strndup(const char *s, size_t n)
{
    if (!s)
        return NULL;
    size_t len = 0;
    while (len < n && s[len])
        len++;
    if (len == SIZE_MAX)
        return NULL;
    char *p = malloc(len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *zh_vasprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (!p)
        return NULL;
    if (vsnprintf(p, (size_t)n + 1, fmt, ap) != n) {
        free(p);
        return NULL;
    }
    return p;
}

char *zh_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = zh_vasprintf(fmt, ap);
    va_end(ap);
    return p;
}

size_t zh_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size > 0) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

static int lower_ascii(int c)
{
    return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

int zh_strcasecmp_ascii(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = lower_ascii((unsigned char)*a), cb = lower_ascii((unsigned char)*b);
        if (ca != cb || ca == 0)
            return ca - cb;
    }
}

int zh_buf_append(zh_buf *b, const char *data, size_t len)
{
    if (b->failed)
        return -1;
    size_t limit = b->limit ? b->limit : SIZE_MAX - 1;
    if (len > limit || b->len > limit - len) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + len + 1;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < need)
            cap = cap > SIZE_MAX / 2 ? need : cap * 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->failed = 1;
            return -1;
        }
        b->data = p;
        b->cap = cap;
    }
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int zh_buf_puts(zh_buf *b, const char *s)
{
    return zh_buf_append(b, s, strlen(s));
}

int zh_buf_printf(zh_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = zh_vasprintf(fmt, ap);
    va_end(ap);
    if (!s) {
        b->failed = 1;
        return -1;
    }
    int rc = zh_buf_puts(b, s);
    free(s);
    return rc;
}

char *zh_buf_take(zh_buf *b)
{
    char *p = b->data;
    if (!p && !b->failed)
        p = zh_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
    return p;
}

void zh_buf_free(zh_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

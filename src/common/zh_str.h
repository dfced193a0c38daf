/* SPDX-License-Identifier: MIT */
/* zh_str.h - bounded string helpers and a growable byte buffer with a size limit.
 *
 * All allocation failures are reported by return value (NULL / -1); nothing aborts.
 */
#ifndef ZH_STR_H
#define ZH_STR_H

#include <stdarg.h>
#include <stddef.h>

#include "zh_compat.h"

#ifdef __cplusplus
extern "C" {
#endif

char *zh_strdup(const char *s);                 /* NULL in -> NULL out */
char *zh_strndup(const char *s, size_t n);      /* at most n bytes, always terminated */
char *zh_asprintf(const char *fmt, ...) ZH_PRINTF(1, 2);
char *zh_vasprintf(const char *fmt, va_list ap) ZH_PRINTF(1, 0);

/* Copies at most size-1 bytes and terminates (when size > 0). Returns strlen(src), so
 * truncation happened when the result is >= size. */
size_t zh_strlcpy(char *dst, const char *src, size_t size);

/* ASCII case-insensitive comparison (JSON keys, enum names); 0 when equal. */
int zh_strcasecmp_ascii(const char *a, const char *b);

/* A growable buffer that refuses to grow past `limit` bytes (0 = no limit but SIZE_MAX). */
typedef struct zh_buf {
    char *data;   /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t limit;
    int failed;   /* set once an append failed (allocation or limit); later appends no-op */
} zh_buf;

#define ZH_BUF_INIT(limit_) {NULL, 0, 0, (limit_), 0}

int zh_buf_append(zh_buf *b, const char *data, size_t len); /* 0 or -1 */
int zh_buf_puts(zh_buf *b, const char *s);
int zh_buf_printf(zh_buf *b, const char *fmt, ...) ZH_PRINTF(2, 3);
/* Hands over the data (never NULL unless allocation failed) and resets the buffer. */
char *zh_buf_take(zh_buf *b);
void zh_buf_free(zh_buf *b);

#ifdef __cplusplus
}
#endif
#endif /* ZH_STR_H */

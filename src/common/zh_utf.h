/* SPDX-License-Identifier: MIT */
/* zh_utf.h - strict UTF-8 <-> UTF-16 conversion for the Win32 string boundary.
 *
 * HCS and HCN take and return UTF-16 (PCWSTR / PWSTR); the libraries speak UTF-8. Both
 * directions are strict: overlong forms, encoded surrogates, code points above U+10FFFF,
 * truncated sequences and lone UTF-16 surrogates are errors (ERROR_NO_UNICODE_TRANSLATION,
 * category invalid-argument) that name the offset. An embedded NUL is an error too, since
 * the result is a NUL-terminated string for an API that would silently cut it there.
 */
#ifndef ZH_UTF_H
#define ZH_UTF_H

#include <stddef.h>
#include <stdint.h>

#include "zh_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Pass as a length to mean "up to the terminating NUL". */
#define ZH_NUL_TERMINATED ((size_t)-1)

/* Converts `len` bytes of UTF-8 to a new NUL-terminated UTF-16 string (caller frees with
 * free()); *out_len (optional) receives its length in code units. Returns 0 or -1.
 * `what` names the argument in error messages ("configuration", "id", ...). */
int zh_utf8_to_utf16(const char *s, size_t len, uint16_t **out, size_t *out_len, const char *what,
                     zh_error **err);

/* Converts `len` UTF-16 code units to new NUL-terminated UTF-8 (caller frees). */
int zh_utf16_to_utf8(const uint16_t *s, size_t len, char **out, size_t *out_len, const char *what,
                     zh_error **err);

/* Length in code units of a NUL-terminated UTF-16 string. */
size_t zh_utf16_len(const uint16_t *s);

/* Validates UTF-8 without converting; returns 0, or -1 with *bad_offset set. */
int zh_utf8_validate(const char *s, size_t len, size_t *bad_offset);

#ifdef __cplusplus
}
#endif
#endif /* ZH_UTF_H */

/* SPDX-License-Identifier: MIT */
/* zh_json.h - the strict JSON reader and writer behind the schema types.
 *
 * Why not json-c here: json-c 0.16 clamps integers outside the 64-bit range without a
 * word (18446744073709551616 reads as 18446744073709551615) and accepts NaN even in strict
 * mode. Schema documents need exact range checks, so this reader keeps every number's
 * text, and every value's raw span in the input (unknown fields and `Any` values are
 * re-emitted byte for byte). It is RFC 8259 strict: UTF-8 validated, no NUL in strings, no
 * lone surrogates in \u escapes, no leading zeros, no trailing commas, a depth limit.
 *
 * Values live in a zh_arena; one zh_arena_free() releases a whole document.
 */
#ifndef ZH_JSON_H
#define ZH_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "zh_error.h"
#include "zh_str.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- arena ---- */
typedef struct zh_arena_chunk zh_arena_chunk;
typedef struct zh_arena {
    zh_arena_chunk *head;
    size_t total;
    size_t first; /* size of the first chunk (0: zh_json_parse sizes it from the text, else 16 KiB) */
} zh_arena;

void *zh_arena_alloc(zh_arena *a, size_t size); /* zeroed, max-aligned; NULL when out of memory */
char *zh_arena_bytes(zh_arena *a, size_t size); /* not zeroed, not aligned (string bytes) */
char *zh_arena_strndup(zh_arena *a, const char *s, size_t n);
void zh_arena_free(zh_arena *a);

/* ---- values ---- */
typedef enum zh_jtype {
    ZH_JNULL = 0,
    ZH_JFALSE,
    ZH_JTRUE,
    ZH_JNUMBER,
    ZH_JSTRING,
    ZH_JARRAY,
    ZH_JOBJECT
} zh_jtype;

typedef struct zh_jv zh_jv;
struct zh_jv {
    zh_jtype type;
    int is_integer;     /* numbers: no fraction and no exponent */
    const char *raw;    /* the value's text in the input */
    size_t raw_len;
    const char *str;    /* strings: decoded UTF-8 (no NUL inside) */
    size_t str_len;
    const char *key;    /* members of an object: the decoded key */
    size_t key_len;
    zh_jv *first;       /* arrays and objects: children in document order */
    zh_jv *next;
    size_t count;
};

#define ZH_JSON_MAX_DEPTH 128
#define ZH_JSON_MAX_DOCUMENT ((size_t)64 << 20) /* 64 MiB */

/* Parses exactly one JSON value (surrounding whitespace allowed). `what` names the
 * document in errors. Returns NULL with an invalid-json error naming the byte offset. */
zh_jv *zh_json_parse(zh_arena *a, const char *text, size_t len, const char *what, zh_error **err);

/* Validates without keeping anything (for caller-supplied raw JSON). 0 or -1. */
int zh_json_validate(const char *text, size_t len, const char *what, zh_error **err);
/* The same check through the tree reader (the reference for the one-pass scanner's tests). */
int zh_json_validate_tree(const char *text, size_t len, const char *what, zh_error **err);

/* Integers from a number's text, exact. Return 0, or -1 when the text is not an integer
 * or lies outside [min, max]. */
int zh_json_int64(const zh_jv *v, int64_t min, int64_t max, int64_t *out);
int zh_json_uint64(const zh_jv *v, uint64_t max, uint64_t *out);

const char *zh_json_type_name(zh_jtype type);

/* ---- writing ---- */
/* Appends s as a JSON string (quotes and escapes); s must be valid UTF-8 without NUL. */
int zh_json_write_string(zh_buf *b, const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* ZH_JSON_H */

/* SPDX-License-Identifier: MIT */
/* zh_schema.h - the engine behind every generated schema type.
 *
 * tools/schemagen.py writes, for each HCS/HCN type, a C struct (include/zhcs/schema.h,
 * include/zhns/schema.h) and a descriptor (zh_stype) saying where each JSON member lives in
 * that struct. This engine walks the descriptors: parse (text -> struct tree in one arena),
 * emit (struct tree -> compact JSON text) and free. See docs/schema.md for the mapping.
 */
#ifndef ZH_SCHEMA_H
#define ZH_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zh_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum zh_skind {
    ZH_SK_BOOL = 1,
    ZH_SK_I8, ZH_SK_I16, ZH_SK_I32, ZH_SK_I64,
    ZH_SK_U8, ZH_SK_U16, ZH_SK_U32, ZH_SK_U64,
    ZH_SK_DOUBLE,
    ZH_SK_STRING,  /* string, Guid, DateTime, MacAddress, ByteArray, ...: char * */
    ZH_SK_ANY,     /* any JSON value, kept as its text: char * */
    ZH_SK_ENUM,    /* 32-bit: the C enum, or uint32_t for flag sets */
    ZH_SK_STRUCT
} zh_skind;

typedef enum zh_sshape {
    ZH_SHAPE_ONE = 0, /* a single value; structs by pointer */
    ZH_SHAPE_ARRAY,   /* items pointer + count; structs embedded */
    ZH_SHAPE_FIXED,   /* a C array of fixed length + presence flag */
    ZH_SHAPE_MAP      /* entries pointer + count; entry = {key, value} */
} zh_sshape;

#define ZH_NO_OFFSET ((size_t)-1)
#define ZH_SCHEMA_MAX_FIELDS 128

typedef struct zh_stype zh_stype;

typedef struct zh_sfield {
    const char *key;        /* JSON member name */
    unsigned short key_len; /* strlen(key) */
    unsigned char shape;    /* zh_sshape */
    unsigned char kind;     /* zh_skind of the value (elements, map values) */
    unsigned char map_key;  /* maps: ZH_SK_STRING or an unsigned integer kind */
    unsigned short fixed_len;
    size_t offset;          /* the value / items pointer / first element / entries pointer */
    size_t has_offset;      /* bool presence flag (ONE scalars, FIXED) or ZH_NO_OFFSET */
    size_t count_offset;    /* size_t count (ARRAY, MAP) or ZH_NO_OFFSET */
    size_t unknown_offset;  /* enums: char * (ONE) or char ** (ARRAY) of unrecognised JSON */
    size_t elem_size;       /* ARRAY element or MAP entry size */
    size_t value_offset;    /* MAP: offset of the value in the entry (the key is first) */
    const zh_stype *type;   /* ENUM and STRUCT kinds */
} zh_sfield;

typedef struct zh_senum {
    const char *name;
    int64_t value;
    unsigned short name_len; /* strlen(name) */
} zh_senum;

struct zh_stype {
    const char *name;        /* Microsoft's type name */
    const char *family;      /* "hcs" or "hcn" */
    unsigned char is_enum;
    unsigned char flags;         /* enum: a bit set (uint32_t storage) */
    unsigned char emit_number;   /* enum: emitted as its number */
    unsigned char accept_number; /* enum: numbers accepted on input */
    size_t size;                 /* struct size */
    const zh_sfield *fields;
    size_t nfields;
    size_t extra_offset;         /* zh_schema_extra * */
    size_t extra_count_offset;   /* size_t */
    const zh_senum *members;
    size_t nmembers;
};

/* Unknown members of an object, kept as raw JSON; same layout as zhcs_schema_extra and
 * zhns_schema_extra. */
typedef struct zh_schema_extra {
    char *key;
    char *json;
} zh_schema_extra;

/* Storage of an enum value parsed at the root (hcsctl checks enum documents too). */
typedef struct zh_schema_enum_root {
    int32_t value;
    char *unknown;
} zh_schema_enum_root;

/* Parses `len` bytes (SIZE_MAX: up to the terminating NUL) as type t. Returns the root (a struct of type t, or a
 * zh_schema_enum_root for enums) owned by one arena; free it with zh_schema_free().
 * `fn` names the public function in errors. */
void *zh_schema_parse(const zh_stype *t, const char *json, size_t len, const char *fn, zh_error **err);

/* Compact JSON for `value` (malloc'd, NUL-terminated; free with free()). */
char *zh_schema_emit(const zh_stype *t, const void *value, const char *fn, zh_error **err);

void zh_schema_free(void *root); /* accepts NULL; only for what zh_schema_parse returned */

/* The former two-step parser (a JSON tree, then the mapping): same result and errors as
 * zh_schema_parse for any valid JSON; kept as the reference of the differential tests. */
void *zh_schema_parse_tree(const zh_stype *t, const char *json, size_t len, const char *fn, zh_error **err);

/* Name of an enum value (NULL when not a member). */
const char *zh_schema_enum_name(const zh_stype *t, int64_t value);

/* ---- the registry of generated types ---- */
typedef struct zh_schema_family {
    const char *family;        /* "hcs" / "hcn" */
    const zh_stype *const *types;
    size_t count;
} zh_schema_family;

extern const zh_schema_family zh_schema_hcs;
extern const zh_schema_family zh_schema_hcn;

/* The type of that exact name in a family, or NULL. */
const zh_stype *zh_schema_family_find(const zh_schema_family *fam, const char *name);

/* Counts what a parsed tree kept without understanding: unknown members and enum values
 * the tables do not know. The JSON path of the first goes into `first` (may be NULL). */
size_t zh_schema_unknowns(const zh_stype *t, const void *value, char *first, size_t first_size);

/* Bytes of the C structs a parsed tree holds (structs, arrays, map entries, the arrays of
 * unknown members and values), without the strings: what bench_schema weighs the heap of a
 * parsed document against. */
size_t zh_schema_struct_bytes(const zh_stype *t, const void *value);

#define ZH_SCHEMA_STRICT 1u /* zh_schema_check: anything unknown is an error */

/* Parses `json` as the named type of `fam`; with ZH_SCHEMA_STRICT anything unknown is an
 * invalid-json error naming its path. When `out` is not NULL the document is emitted again
 * into it (malloc'd). Returns 0, or -1 with an error (an unknown type name is
 * invalid-argument). */
int zh_schema_check(const zh_schema_family *fam, const char *type, const char *json, size_t len, unsigned flags,
                    char **out, const char *fn, zh_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZH_SCHEMA_H */

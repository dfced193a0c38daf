/* SPDX-License-Identifier: MIT */
/* zh_schema.c - parse / emit / free for every generated schema type, driven by the
 * descriptors tools/schemagen.py writes. */
#include "zh_schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zh_hresult.h"
#include "zh_jscan.h"
#include "zh_json.h"
#include "zh_str.h"
#include "zh_utf.h"

/* Non-NULL items pointer of an empty array or map ("present, with no elements"). */
static const max_align_t empty_items[1];

/* ---------------------------------------------------------------- JSON paths */
typedef struct path {
    const struct path *up;
    const char *key; /* NULL: an index */
    size_t key_len;
    size_t index;
} path;

static int is_ident(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            return 0;
    }
    return 1;
}

static void format_path(zh_buf *b, const path *p)
{
    if (!p) {
        zh_buf_puts(b, "$");
        return;
    }
    format_path(b, p->up);
    if (!p->key) {
        zh_buf_printf(b, "[%zu]", p->index);
    } else if (is_ident(p->key, p->key_len)) {
        zh_buf_puts(b, ".");
        zh_buf_append(b, p->key, p->key_len);
    } else {
        zh_buf_puts(b, "[");
        zh_json_write_string(b, p->key, p->key_len);
        zh_buf_puts(b, "]");
    }
}

typedef struct ctx {
    zh_arena *arena;
    const char *fn;
    zh_error **err;
    int failed;
} ctx;

static int path_fail(ctx *c, const path *p, const char *fmt, ...) ZH_PRINTF(3, 4);

static int path_fail(ctx *c, const path *p, const char *fmt, ...)
{
    if (c->failed)
        return -1;
    c->failed = 1;
    zh_buf b = ZH_BUF_INIT(4096);
    format_path(&b, p);
    zh_buf_puts(&b, ": ");
    va_list ap;
    va_start(ap, fmt);
    char *msg = zh_vasprintf(fmt, ap);
    va_end(ap);
    if (msg)
        zh_buf_puts(&b, msg);
    free(msg);
    char *text = zh_buf_take(&b);
    zh_error_set_cat(c->err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, c->fn, "%s", text ? text : "invalid document");
    free(text);
    return -1;
}

static int oom(ctx *c, const path *p)
{
    if (!c->failed) {
        c->failed = 1;
        (void)p;
        zh_error_set(c->err, ZH_E_OUTOFMEMORY, c->fn, "out of memory");
    }
    return -1;
}

/* ---------------------------------------------------------------- scalars */
static const char *kind_name(zh_skind k)
{
    switch (k) {
    case ZH_SK_BOOL: return "boolean";
    case ZH_SK_I8: return "integer (int8)";
    case ZH_SK_I16: return "integer (int16)";
    case ZH_SK_I32: return "integer (int32)";
    case ZH_SK_I64: return "integer (int64)";
    case ZH_SK_U8: return "integer (uint8)";
    case ZH_SK_U16: return "integer (uint16)";
    case ZH_SK_U32: return "integer (uint32)";
    case ZH_SK_U64: return "integer (uint64)";
    case ZH_SK_DOUBLE: return "number";
    case ZH_SK_STRING: return "string";
    case ZH_SK_ANY: return "any value";
    case ZH_SK_ENUM: return "enum value";
    case ZH_SK_STRUCT: return "object";
    }
    return "?";
}

static const char *got(const zh_jv *v)
{
    if (v->type == ZH_JNUMBER)
        return v->is_integer ? "an integer" : "a number with a fraction or exponent";
    switch (v->type) {
    case ZH_JNULL: return "null";
    case ZH_JFALSE:
    case ZH_JTRUE: return "a boolean";
    case ZH_JSTRING: return "a string";
    case ZH_JARRAY: return "an array";
    case ZH_JOBJECT: return "an object";
    default: return "?";
    }
}

static int read_int(ctx *c, zh_skind k, const zh_jv *v, void *dst, const path *p)
{
    if (v->type != ZH_JNUMBER || !v->is_integer)
        return path_fail(c, p, "expected %s, got %s", kind_name(k), got(v));
    int64_t s;
    uint64_t u;
    int rc;
    switch (k) {
    case ZH_SK_I8: rc = zh_json_int64(v, INT8_MIN, INT8_MAX, &s); if (!rc) { int8_t x = (int8_t)s; memcpy(dst, &x, 1); } break;
    case ZH_SK_I16: rc = zh_json_int64(v, INT16_MIN, INT16_MAX, &s); if (!rc) { int16_t x = (int16_t)s; memcpy(dst, &x, 2); } break;
    case ZH_SK_I32: rc = zh_json_int64(v, INT32_MIN, INT32_MAX, &s); if (!rc) { int32_t x = (int32_t)s; memcpy(dst, &x, 4); } break;
    case ZH_SK_I64: rc = zh_json_int64(v, INT64_MIN, INT64_MAX, &s); if (!rc) memcpy(dst, &s, 8); break;
    case ZH_SK_U8: rc = zh_json_uint64(v, UINT8_MAX, &u); if (!rc) { uint8_t x = (uint8_t)u; memcpy(dst, &x, 1); } break;
    case ZH_SK_U16: rc = zh_json_uint64(v, UINT16_MAX, &u); if (!rc) { uint16_t x = (uint16_t)u; memcpy(dst, &x, 2); } break;
    case ZH_SK_U32: rc = zh_json_uint64(v, UINT32_MAX, &u); if (!rc) { uint32_t x = (uint32_t)u; memcpy(dst, &x, 4); } break;
    default: rc = zh_json_uint64(v, UINT64_MAX, &u); if (!rc) memcpy(dst, &u, 8); break;
    }
    if (rc)
        return path_fail(c, p, "%.*s is out of range for %s", (int)(v->raw_len > 64 ? 64 : v->raw_len), v->raw,
                         kind_name(k));
    return 0;
}

static int names_equal_ci(const char *a, const char *b, size_t blen)
{
    size_t i = 0;
    for (; i < blen; i++) {
        char x = a[i], y = b[i];
        if (x == '\0')
            return 0;
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return a[i] == '\0';
}

static int names_equal(const char *a, const char *b, size_t blen)
{
    return strncmp(a, b, blen) == 0 && a[blen] == '\0';
}

static int read_enum(ctx *c, const zh_stype *t, const zh_jv *v, void *dst, char **unknown, const path *p)
{
    int32_t value = -1; /* the __UNKNOWN value (all bits for flag sets) */
    if (v->type == ZH_JSTRING) {
        for (size_t i = 0; i < t->nmembers && value == -1; i++)
            if (names_equal(t->members[i].name, v->str, v->str_len))
                value = (int32_t)t->members[i].value;
        for (size_t i = 0; i < t->nmembers && value == -1; i++)
            if (names_equal_ci(t->members[i].name, v->str, v->str_len))
                value = (int32_t)t->members[i].value;
    } else if (v->type == ZH_JNUMBER && t->accept_number) {
        int64_t n;
        if (zh_json_int64(v, t->flags ? 0 : INT32_MIN, t->flags ? (int64_t)UINT32_MAX : INT32_MAX, &n) < 0)
            return path_fail(c, p, "%.*s is not a value of %s", (int)(v->raw_len > 64 ? 64 : v->raw_len), v->raw,
                             t->name);
        value = (int32_t)(uint32_t)(uint64_t)n;
        memcpy(dst, &value, 4);
        return 0;
    } else if (!(v->type == ZH_JNUMBER && v->is_integer && strcmp(t->family, "hcn") == 0)) {
        return path_fail(c, p, "expected a %s name (string), got %s", t->name, got(v));
    }
    if (value == -1) {
        /* Unknown names (and HCN numbers without a known table) are kept, not rejected. */
        if (!unknown)
            return path_fail(c, p, "\"%.*s\" is not a %s", (int)(v->raw_len > 64 ? 64 : v->raw_len), v->raw, t->name);
        *unknown = zh_arena_strndup(c->arena, v->raw, v->raw_len);
        if (!*unknown)
            return oom(c, p);
    }
    memcpy(dst, &value, 4);
    return 0;
}

static int fill_struct(ctx *c, const zh_stype *t, const zh_jv *obj, void *dst, const path *p);

static int read_value(ctx *c, zh_skind k, const zh_stype *t, const zh_jv *v, void *dst, char **unknown,
                      const path *p)
{
    switch (k) {
    case ZH_SK_BOOL:
        if (v->type != ZH_JTRUE && v->type != ZH_JFALSE)
            return path_fail(c, p, "expected a boolean, got %s", got(v));
        *(bool *)dst = v->type == ZH_JTRUE;
        return 0;
    case ZH_SK_I8: case ZH_SK_I16: case ZH_SK_I32: case ZH_SK_I64:
    case ZH_SK_U8: case ZH_SK_U16: case ZH_SK_U32: case ZH_SK_U64:
        return read_int(c, k, v, dst, p);
    case ZH_SK_DOUBLE: {
        if (v->type != ZH_JNUMBER)
            return path_fail(c, p, "expected a number, got %s", got(v));
        char tmp[64];
        if (v->raw_len >= sizeof tmp)
            return path_fail(c, p, "number too long");
        memcpy(tmp, v->raw, v->raw_len);
        tmp[v->raw_len] = '\0';
        double d = strtod(tmp, NULL);
        if (!isfinite(d))
            return path_fail(c, p, "%s is out of range for a double", tmp);
        memcpy(dst, &d, sizeof d);
        return 0;
    }
    case ZH_SK_STRING: {
        if (v->type != ZH_JSTRING)
            return path_fail(c, p, "expected a string, got %s", got(v));
        char *s = zh_arena_strndup(c->arena, v->str, v->str_len);
        if (!s)
            return oom(c, p);
        memcpy(dst, &s, sizeof s);
        return 0;
    }
    case ZH_SK_ANY: {
        char *s = zh_arena_strndup(c->arena, v->raw, v->raw_len);
        if (!s)
            return oom(c, p);
        memcpy(dst, &s, sizeof s);
        return 0;
    }
    case ZH_SK_ENUM:
        return read_enum(c, t, v, dst, unknown, p);
    case ZH_SK_STRUCT:
        return fill_struct(c, t, v, dst, p);
    }
    return path_fail(c, p, "internal: unknown kind %d", (int)k);
}

/* ---------------------------------------------------------------- parse */
static int read_map_key(ctx *c, zh_skind k, const zh_jv *m, void *dst, const path *p)
{
    if (k == ZH_SK_STRING) {
        char *s = zh_arena_strndup(c->arena, m->key, m->key_len);
        if (!s)
            return oom(c, p);
        memcpy(dst, &s, sizeof s);
        return 0;
    }
    /* integer keys are decimal strings: "0", "12" */
    zh_jv num = {0};
    num.type = ZH_JNUMBER;
    num.is_integer = 1;
    num.raw = m->key;
    num.raw_len = m->key_len;
    int ok = m->key_len > 0 && m->key_len <= 20 && !(m->key_len > 1 && m->key[0] == '0');
    for (size_t i = 0; ok && i < m->key_len; i++)
        ok = m->key[i] >= '0' && m->key[i] <= '9';
    if (!ok)
        return path_fail(c, p, "map key is not a decimal %s", kind_name(k));
    return read_int(c, k, &num, dst, p);
}

static int fill_field(ctx *c, const zh_sfield *f, const zh_jv *v, char *dst, const path *p)
{
    switch ((zh_sshape)f->shape) {
    case ZH_SHAPE_ONE:
        if (f->kind == ZH_SK_STRUCT) {
            if (v->type != ZH_JOBJECT)
                return path_fail(c, p, "expected an object (%s), got %s", f->type->name, got(v));
            void *sub = zh_arena_alloc(c->arena, f->type->size);
            if (!sub)
                return oom(c, p);
            memcpy(dst + f->offset, &sub, sizeof sub);
            return fill_struct(c, f->type, v, sub, p);
        }
        if (read_value(c, (zh_skind)f->kind, f->type, v, dst + f->offset,
                       f->unknown_offset != ZH_NO_OFFSET ? (char **)(void *)(dst + f->unknown_offset) : NULL, p) < 0)
            return -1;
        if (f->has_offset != ZH_NO_OFFSET)
            *(bool *)(dst + f->has_offset) = true;
        return 0;
    case ZH_SHAPE_ARRAY:
    case ZH_SHAPE_FIXED: {
        if (v->type != ZH_JARRAY)
            return path_fail(c, p, "expected an array of %s, got %s",
                             f->kind == ZH_SK_STRUCT ? f->type->name : kind_name((zh_skind)f->kind), got(v));
        size_t n = v->count;
        char *items;
        if (f->shape == ZH_SHAPE_FIXED) {
            if (n != f->fixed_len)
                return path_fail(c, p, "expected an array of exactly %u elements, got %zu", f->fixed_len, n);
            items = dst + f->offset;
        } else if (n == 0) {
            items = (char *)(void *)empty_items;
        } else {
            if (n > SIZE_MAX / f->elem_size)
                return oom(c, p);
            items = zh_arena_alloc(c->arena, n * f->elem_size);
            if (!items)
                return oom(c, p);
        }
        char **unknowns = NULL;
        size_t i = 0;
        for (const zh_jv *e = v->first; e; e = e->next, i++) {
            path ep = {p, NULL, 0, i};
            char *u = NULL;
            if (read_value(c, (zh_skind)f->kind, f->type, e, items + i * f->elem_size,
                           f->unknown_offset != ZH_NO_OFFSET ? &u : NULL, &ep) < 0)
                return -1;
            if (u) {
                if (!unknowns) {
                    unknowns = zh_arena_alloc(c->arena, n * sizeof *unknowns);
                    if (!unknowns)
                        return oom(c, p);
                }
                unknowns[i] = u;
            }
        }
        if (f->shape == ZH_SHAPE_FIXED) {
            *(bool *)(dst + f->has_offset) = true;
        } else {
            memcpy(dst + f->offset, &items, sizeof items);
            memcpy(dst + f->count_offset, &n, sizeof n);
            if (f->unknown_offset != ZH_NO_OFFSET)
                memcpy(dst + f->unknown_offset, &unknowns, sizeof unknowns);
        }
        return 0;
    }
    case ZH_SHAPE_MAP: {
        if (v->type != ZH_JOBJECT)
            return path_fail(c, p, "expected an object (a map), got %s", got(v));
        size_t n = v->count;
        char *entries = (char *)(void *)empty_items;
        if (n) {
            if (n > SIZE_MAX / f->elem_size)
                return oom(c, p);
            entries = zh_arena_alloc(c->arena, n * f->elem_size);
            if (!entries)
                return oom(c, p);
        }
        size_t i = 0;
        for (const zh_jv *m = v->first; m; m = m->next, i++) {
            path mp = {p, m->key, m->key_len, 0};
            char *entry = entries + i * f->elem_size;
            if (read_map_key(c, (zh_skind)f->map_key, m, entry, &mp) < 0)
                return -1;
            if (read_value(c, (zh_skind)f->kind, f->type, m, entry + f->value_offset, NULL, &mp) < 0)
                return -1;
        }
        memcpy(dst + f->offset, &entries, sizeof entries);
        memcpy(dst + f->count_offset, &n, sizeof n);
        return 0;
    }
    }
    return path_fail(c, p, "internal: unknown shape");
}

static int fill_struct(ctx *c, const zh_stype *t, const zh_jv *obj, void *dst_, const path *p)
{
    char *dst = dst_;
    if (obj->type != ZH_JOBJECT)
        return path_fail(c, p, "expected an object (%s), got %s", t->name, got(obj));
    unsigned char seen[ZH_SCHEMA_MAX_FIELDS] = {0};
    zh_schema_extra *extra = NULL;
    size_t nextra = 0, remaining = obj->count;
    for (const zh_jv *m = obj->first; m; m = m->next, remaining--) {
        size_t idx = t->nfields;
        for (size_t i = 0; i < t->nfields; i++) {
            if (names_equal(t->fields[i].key, m->key, m->key_len)) {
                idx = i;
                break;
            }
        }
        if (idx == t->nfields) { /* HCN answers "ID" where the schema says "Id": a second try */
            for (size_t i = 0; i < t->nfields; i++) {
                if (!seen[i] && names_equal_ci(t->fields[i].key, m->key, m->key_len)) {
                    idx = i;
                    break;
                }
            }
        }
        path mp = {p, m->key, m->key_len, 0};
        if (idx < t->nfields && !seen[idx] && m->type != ZH_JNULL) {
            seen[idx] = 1;
            if (fill_field(c, &t->fields[idx], m, dst, &mp) < 0)
                return -1;
            continue;
        }
        /* Unknown, duplicate or null: kept verbatim and emitted again. */
        if (!extra) {
            extra = zh_arena_alloc(c->arena, remaining * sizeof *extra);
            if (!extra)
                return oom(c, p);
        }
        extra[nextra].key = zh_arena_strndup(c->arena, m->key, m->key_len);
        extra[nextra].json = zh_arena_strndup(c->arena, m->raw, m->raw_len);
        if (!extra[nextra].key || !extra[nextra].json)
            return oom(c, p);
        nextra++;
    }
    memcpy(dst + t->extra_offset, &extra, sizeof extra);
    memcpy(dst + t->extra_count_offset, &nextra, sizeof nextra);
    return 0;
}

typedef struct root {
    zh_arena arena;
    const zh_stype *type;
    max_align_t value[];
} root;

/* The tree-walking parser this engine used before the one-pass parser below: kept as the
 * reference the differential tests and the fuzzers compare against. */
void *zh_schema_parse_tree(const zh_stype *t, const char *json, size_t len, const char *fn, zh_error **err)
{
    zh_arena dom = {0}, out = {0};
    ctx c = {&out, fn, err, 0};
    if (!json) {
        zh_error_set(err, ZH_E_POINTER, fn, "no document (NULL)");
        return NULL;
    }
    if (len == SIZE_MAX)
        len = strlen(json);
    zh_error *jerr = NULL;
    zh_jv *v = zh_json_parse(&dom, json, len, t->name, &jerr);
    if (!v) {
        /* keep the reader's message, name the public function */
        zh_error_set_cat(err, zh_error_hresult(jerr), zh_error_category(jerr), fn, "%s", zh_error_message(jerr));
        zh_error_free(jerr);
        zh_arena_free(&dom);
        return NULL;
    }
    size_t size = t->is_enum ? sizeof(zh_schema_enum_root) : t->size;
    /* the typed tree is about as big as the text plus its structs: size the first chunk to
     * match, so that a small document does not hold a whole 16 KiB chunk */
    out.first = len + 2 * size + 512;
    root *r = zh_arena_alloc(&out, sizeof(root) + size);
    int rc = -1;
    if (!r) {
        oom(&c, NULL);
    } else if (t->is_enum) {
        zh_schema_enum_root *e = (zh_schema_enum_root *)(void *)r->value;
        rc = read_enum(&c, t, v, &e->value, &e->unknown, NULL);
    } else {
        rc = fill_struct(&c, t, v, r->value, NULL);
    }
    zh_arena_free(&dom);
    if (rc < 0) {
        zh_arena_free(&out);
        return NULL;
    }
    r->arena = out; /* the arena now lives in its own first chunk's root */
    r->type = t;
    return r->value;
}

void zh_schema_free(void *value)
{
    if (!value)
        return;
    root *r = (root *)(void *)((char *)value - offsetof(root, value));
    zh_arena a = r->arena;
    zh_arena_free(&a);
}

/* ---------------------------------------------------------------- one-pass parse
 * Text to typed structs in a single pass: the scanner (zh_jscan.h) reads one token at a
 * time and each value is written where its descriptor says. Arrays, maps and unknown
 * members do not know their length up front: their elements gather on a scratch stack
 * (nested containers push above and pop back before the next element) and move into the
 * arena once, exactly sized, when the container closes. */
typedef struct tp {
    zh_jscan j;
    ctx c;
    char *stk; /* scratch stack */
    size_t top, cap;
    int stk_heap; /* stk is malloc'd */
} tp;

#define TP_S(t) ((t)->j.s)

static int tp_oom(tp *t)
{
    t->j.failed = 1;
    return oom(&t->c, NULL);
}

static int tp_reserve(tp *t, size_t n)
{
    if (t->cap - t->top >= n)
        return 0;
    size_t cap = t->cap * 2;
    if (cap - t->top < n)
        cap = t->top + n + 256;
    char *p = t->stk_heap ? realloc(t->stk, cap) : malloc(cap);
    if (!p)
        return tp_oom(t);
    if (!t->stk_heap && t->top)
        memcpy(p, t->stk, t->top);
    t->stk = p;
    t->cap = cap;
    t->stk_heap = 1;
    return 0;
}

static int tp_path_fail(tp *t, const path *p, const char *fmt, ...) ZH_PRINTF(3, 4);

static int tp_path_fail(tp *t, const path *p, const char *fmt, ...)
{
    if (t->j.failed || t->c.failed)
        return -1;
    t->j.failed = 1;
    va_list ap;
    va_start(ap, fmt);
    char *msg = zh_vasprintf(fmt, ap);
    va_end(ap);
    path_fail(&t->c, p, "%s", msg ? msg : "invalid document");
    free(msg);
    return -1;
}

static int tp_syntax(tp *t, size_t at, const char *why)
{
    if (t->c.failed)
        return -1;
    t->c.failed = 1;
    return zh_jscan_fail(&t->j, at, why);
}

/* The value at j.pos has the wrong type: check its syntax first (a syntax error wins), then
 * report "expected EXPECTED, got WHAT". */
static int tp_type_fail(tp *t, const path *p, const char *expected)
{
    size_t start = t->j.pos;
    if (zh_jscan_skip(&t->j) < 0) {
        t->c.failed = 1;
        return -1;
    }
    const char *what;
    switch (TP_S(t)[start]) {
    case '{': what = "an object"; break;
    case '[': what = "an array"; break;
    case '"': what = "a string"; break;
    case 't':
    case 'f': what = "a boolean"; break;
    case 'n': what = "null"; break;
    default: {
        what = "an integer";
        for (size_t i = start; i < t->j.pos; i++) {
            char ch = TP_S(t)[i];
            if (ch == '.' || ch == 'e' || ch == 'E')
                what = "a number with a fraction or exponent";
        }
    }
    }
    return tp_path_fail(t, p, "expected %s, got %s", expected, what);
}

/* A string's text (decoded when it holds escapes) into the arena, NUL-terminated. */
static char *tp_string(tp *t, size_t *out_len)
{
    size_t end = 0;
    int esc = 0;
    size_t body = t->j.pos + 1;
    if (zh_jscan_string(&t->j, &end, &esc) < 0) {
        t->c.failed = 1;
        return NULL;
    }
    char *d = zh_arena_bytes(t->c.arena, end - body + 1);
    if (!d) {
        tp_oom(t);
        return NULL;
    }
    size_t n;
    if (esc) {
        n = zh_jscan_decode(TP_S(t), body, end, d);
    } else {
        memcpy(d, TP_S(t) + body, end - body);
        n = end - body;
    }
    d[n] = '\0';
    if (out_len)
        *out_len = n;
    return d;
}

/* An object key at j.pos: *key points into the text, or to its decoded copy in the arena. */
static int tp_key(tp *t, const char **key, size_t *key_len)
{
    zh_jscan_ws(&t->j);
    if (t->j.pos >= t->j.len || TP_S(t)[t->j.pos] != '"')
        return tp_syntax(t, t->j.pos, t->j.pos >= t->j.len ? "unexpected end of input" : "object key (a string) expected");
    size_t body = t->j.pos + 1, end = 0;
    int esc = 0;
    if (zh_jscan_string(&t->j, &end, &esc) < 0) {
        t->c.failed = 1;
        return -1;
    }
    if (esc) {
        char *d = zh_arena_bytes(t->c.arena, end - body + 1);
        if (!d)
            return tp_oom(t);
        size_t n = zh_jscan_decode(TP_S(t), body, end, d);
        d[n] = '\0';
        *key = d;
        *key_len = n;
    } else {
        *key = TP_S(t) + body;
        *key_len = end - body;
    }
    zh_jscan_ws(&t->j);
    if (t->j.pos >= t->j.len || TP_S(t)[t->j.pos] != ':')
        return tp_syntax(t, t->j.pos, "':' expected after object key");
    t->j.pos++;
    zh_jscan_ws(&t->j);
    if (t->j.pos >= t->j.len)
        return tp_syntax(t, t->j.pos, "unexpected end of input");
    return 0;
}

/* After a member or element: ',' (1: another follows) or the closing byte (0). */
static int tp_next(tp *t, char close)
{
    zh_jscan_ws(&t->j);
    if (t->j.pos >= t->j.len)
        return tp_syntax(t, t->j.pos, "unexpected end of input");
    char ch = TP_S(t)[t->j.pos++];
    if (ch == ',')
        return 1;
    if (ch == close)
        return 0;
    return tp_syntax(t, t->j.pos - 1, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
}

/* Opens a container at j.pos; 1: it is empty (and closed), 0: elements follow. */
static int tp_open(tp *t, char close)
{
    if (++t->j.depth > ZH_JSON_MAX_DEPTH)
        return tp_syntax(t, t->j.pos, "nesting deeper than 128 levels");
    t->j.pos++;
    zh_jscan_ws(&t->j);
    if (t->j.pos < t->j.len && TP_S(t)[t->j.pos] == close) {
        t->j.pos++;
        t->j.depth--;
        return 1;
    }
    if (close == ']') {
        if (t->j.pos >= t->j.len)
            return tp_syntax(t, t->j.pos, "unexpected end of input");
    }
    return 0;
}

/* An integer's digits s[from, to) (validated, optional '-') as sign and magnitude. */
static int digits_magnitude(const char *s, size_t from, size_t to, int *neg, uint64_t *mag)
{
    *neg = 0;
    if (from < to && s[from] == '-') {
        *neg = 1;
        from++;
    }
    uint64_t m = 0;
    size_t i = from, safe = to - from > 19 ? from + 19 : to; /* 19 digits never overflow */
    for (; i < safe; i++)
        m = m * 10 + (unsigned)(s[i] - '0');
    for (; i < to; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (m > (UINT64_MAX - d) / 10)
            return -1;
        m = m * 10 + d;
    }
    *mag = m;
    return 0;
}

/* Range-checks the integer text s[from, to) for kind k and stores it. */
static int store_int(zh_skind k, const char *s, size_t from, size_t to, void *dst)
{
    int neg;
    uint64_t mag;
    if (digits_magnitude(s, from, to, &neg, &mag) < 0)
        return -1;
    if (k >= ZH_SK_U8 && k <= ZH_SK_U64) {
        if (neg && mag != 0)
            return -1;
        switch (k) {
        case ZH_SK_U8: { if (mag > UINT8_MAX) return -1; uint8_t x = (uint8_t)mag; memcpy(dst, &x, 1); return 0; }
        case ZH_SK_U16: { if (mag > UINT16_MAX) return -1; uint16_t x = (uint16_t)mag; memcpy(dst, &x, 2); return 0; }
        case ZH_SK_U32: { if (mag > UINT32_MAX) return -1; uint32_t x = (uint32_t)mag; memcpy(dst, &x, 4); return 0; }
        default: memcpy(dst, &mag, 8); return 0;
        }
    }
    int64_t v;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return -1;
        v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return -1;
        v = (int64_t)mag;
    }
    switch (k) {
    case ZH_SK_I8: { if (v < INT8_MIN || v > INT8_MAX) return -1; int8_t x = (int8_t)v; memcpy(dst, &x, 1); return 0; }
    case ZH_SK_I16: { if (v < INT16_MIN || v > INT16_MAX) return -1; int16_t x = (int16_t)v; memcpy(dst, &x, 2); return 0; }
    case ZH_SK_I32: { if (v < INT32_MIN || v > INT32_MAX) return -1; int32_t x = (int32_t)v; memcpy(dst, &x, 4); return 0; }
    default: memcpy(dst, &v, 8); return 0;
    }
}

static int tp_int(tp *t, zh_skind k, void *dst, const path *p)
{
    size_t start = t->j.pos;
    char ch = TP_S(t)[start];
    if (ch != '-' && (ch < '0' || ch > '9'))
        return tp_type_fail(t, p, kind_name(k));
    int is_integer;
    if (zh_jscan_number(&t->j, &is_integer) < 0) {
        t->c.failed = 1;
        return -1;
    }
    if (!is_integer)
        return tp_path_fail(t, p, "expected %s, got a number with a fraction or exponent", kind_name(k));
    if (store_int(k, TP_S(t), start, t->j.pos, dst) < 0) {
        size_t n = t->j.pos - start;
        return tp_path_fail(t, p, "%.*s is out of range for %s", (int)(n > 64 ? 64 : n), TP_S(t) + start, kind_name(k));
    }
    return 0;
}

static int tp_enum(tp *t, const zh_stype *ty, void *dst, char **unknown, const path *p)
{
    int32_t value = -1;
    size_t start = t->j.pos;
    char ch = TP_S(t)[start];
    if (ch == '"') {
        size_t end = 0, body = start + 1;
        int esc = 0;
        if (zh_jscan_string(&t->j, &end, &esc) < 0) {
            t->c.failed = 1;
            return -1;
        }
        char small[256];
        const char *str = TP_S(t) + body;
        size_t n = end - body;
        if (esc) {
            char *d = n < sizeof small ? small : zh_arena_bytes(t->c.arena, n);
            if (!d)
                return tp_oom(t);
            n = zh_jscan_decode(TP_S(t), body, end, d);
            str = d;
        }
        const zh_senum *m = ty->members;
        for (size_t i = 0; i < ty->nmembers && value == -1; i++)
            if (m[i].name_len == n && memcmp(m[i].name, str, n) == 0)
                value = (int32_t)m[i].value;
        for (size_t i = 0; i < ty->nmembers && value == -1; i++)
            if (m[i].name_len == n && names_equal_ci(m[i].name, str, n))
                value = (int32_t)m[i].value;
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
        int is_integer;
        if (zh_jscan_number(&t->j, &is_integer) < 0) {
            t->c.failed = 1;
            return -1;
        }
        size_t n = t->j.pos - start;
        if (ty->accept_number) {
            int64_t lo = ty->flags ? 0 : INT32_MIN, hi = ty->flags ? (int64_t)UINT32_MAX : INT32_MAX, v;
            if (!is_integer || store_int(ZH_SK_I64, TP_S(t), start, t->j.pos, &v) < 0 || v < lo || v > hi)
                return tp_path_fail(t, p, "%.*s is not a value of %s", (int)(n > 64 ? 64 : n), TP_S(t) + start,
                                    ty->name);
            value = (int32_t)(uint32_t)(uint64_t)v;
            memcpy(dst, &value, 4);
            return 0;
        }
        if (!(is_integer && strcmp(ty->family, "hcn") == 0)) {
            t->j.pos = start;
            char expected[160];
            snprintf(expected, sizeof expected, "a %s name (string)", ty->name);
            return tp_type_fail(t, p, expected);
        }
    } else {
        char expected[160];
        snprintf(expected, sizeof expected, "a %s name (string)", ty->name);
        return tp_type_fail(t, p, expected);
    }
    if (value == -1) {
        size_t n = t->j.pos - start;
        if (!unknown)
            return tp_path_fail(t, p, "\"%.*s\" is not a %s", (int)(n > 64 ? 64 : n), TP_S(t) + start, ty->name);
        *unknown = zh_arena_strndup(t->c.arena, TP_S(t) + start, n);
        if (!*unknown)
            return tp_oom(t);
    }
    memcpy(dst, &value, 4);
    return 0;
}

static int tp_struct(tp *t, const zh_stype *ty, char *dst, const path *p);

/* One value of kind k at j.pos (whitespace skipped) into dst. */
static int tp_value(tp *t, zh_skind k, const zh_stype *ty, char *dst, char **unknown, const path *p)
{
    const char *s = TP_S(t);
    size_t pos = t->j.pos;
    switch (k) {
    case ZH_SK_BOOL:
        if (s[pos] == 't' && t->j.len - pos >= 4 && memcmp(s + pos, "true", 4) == 0) {
            *(bool *)(void *)dst = true;
            t->j.pos += 4;
            return 0;
        }
        if (s[pos] == 'f' && t->j.len - pos >= 5 && memcmp(s + pos, "false", 5) == 0) {
            *(bool *)(void *)dst = false;
            t->j.pos += 5;
            return 0;
        }
        return tp_type_fail(t, p, "a boolean");
    case ZH_SK_I8: case ZH_SK_I16: case ZH_SK_I32: case ZH_SK_I64:
    case ZH_SK_U8: case ZH_SK_U16: case ZH_SK_U32: case ZH_SK_U64:
        return tp_int(t, k, dst, p);
    case ZH_SK_DOUBLE: {
        if (s[pos] != '-' && (s[pos] < '0' || s[pos] > '9'))
            return tp_type_fail(t, p, "a number");
        int is_integer;
        if (zh_jscan_number(&t->j, &is_integer) < 0) {
            t->c.failed = 1;
            return -1;
        }
        size_t n = t->j.pos - pos;
        char tmp[64];
        if (n >= sizeof tmp)
            return tp_path_fail(t, p, "number too long");
        memcpy(tmp, s + pos, n);
        tmp[n] = '\0';
        double d = strtod(tmp, NULL);
        if (!isfinite(d))
            return tp_path_fail(t, p, "%s is out of range for a double", tmp);
        memcpy(dst, &d, sizeof d);
        return 0;
    }
    case ZH_SK_STRING: {
        if (s[pos] != '"')
            return tp_type_fail(t, p, "a string");
        char *str = tp_string(t, NULL);
        if (!str)
            return -1;
        memcpy(dst, &str, sizeof str);
        return 0;
    }
    case ZH_SK_ANY: {
        if (zh_jscan_skip(&t->j) < 0) {
            t->c.failed = 1;
            return -1;
        }
        char *str = zh_arena_strndup(t->c.arena, s + pos, t->j.pos - pos);
        if (!str)
            return tp_oom(t);
        memcpy(dst, &str, sizeof str);
        return 0;
    }
    case ZH_SK_ENUM:
        return tp_enum(t, ty, dst, unknown, p);
    case ZH_SK_STRUCT:
        return tp_struct(t, ty, dst, p);
    }
    return tp_path_fail(t, p, "internal: unknown kind %d", (int)k);
}

/* Elements of kind k, each elem_size bytes, gathered on the scratch stack from its top;
 * *n receives their count. Structs are filled in `tmp` first (their own members may push
 * onto the stack), everything else in place. Enum values the table does not know go to
 * *unknowns (a parallel, malloc'd array; NULL when there are none). */
static int tp_elements(tp *t, const zh_sfield *f, char *tmp, size_t *n, char ***unknowns, const path *p)
{
    size_t count = 0, cap_unknown = 0, size = f->elem_size;
    *unknowns = NULL;
    int empty = tp_open(t, ']');
    if (empty < 0)
        return -1;
    if (empty) {
        *n = 0;
        return 0;
    }
    for (;;) {
        zh_jscan_ws(&t->j);
        if (t->j.pos >= t->j.len)
            return tp_syntax(t, t->j.pos, "unexpected end of input");
        path ep = {p, NULL, 0, count};
        char *u = NULL;
        char **up = f->unknown_offset != ZH_NO_OFFSET ? &u : NULL;
        if (f->kind == ZH_SK_STRUCT) {
            memset(tmp, 0, size);
            if (tp_value(t, (zh_skind)f->kind, f->type, tmp, up, &ep) < 0 || tp_reserve(t, size) < 0)
                return -1;
            memcpy(t->stk + t->top, tmp, size);
        } else {
            if (tp_reserve(t, size) < 0)
                return -1;
            memset(t->stk + t->top, 0, size);
            if (tp_value(t, (zh_skind)f->kind, f->type, t->stk + t->top, up, &ep) < 0)
                return -1;
        }
        t->top += size;
        if (u) {
            if (count >= cap_unknown) {
                size_t nc = cap_unknown ? cap_unknown * 2 : count + 8;
                char **nu = realloc(*unknowns, nc * sizeof *nu);
                if (!nu)
                    return tp_oom(t);
                memset(nu + cap_unknown, 0, (nc - cap_unknown) * sizeof *nu);
                *unknowns = nu;
                cap_unknown = nc;
            }
            (*unknowns)[count] = u;
        }
        count++;
        int more = tp_next(t, ']');
        if (more < 0)
            return -1;
        if (!more)
            break;
    }
    t->j.depth--;
    if (*unknowns && cap_unknown < count) {
        char **nu = realloc(*unknowns, count * sizeof *nu);
        if (!nu)
            return tp_oom(t);
        memset(nu + cap_unknown, 0, (count - cap_unknown) * sizeof *nu);
        *unknowns = nu;
    }
    *n = count;
    return 0;
}

/* The scratch buffer for one struct element: on the C stack when small. */
#define TP_TMP 1024

static int tp_array(tp *t, const zh_sfield *f, char *dst, const path *p)
{
    if (TP_S(t)[t->j.pos] != '[') {
        char expected[200];
        snprintf(expected, sizeof expected, "an array of %s",
                 f->kind == ZH_SK_STRUCT ? f->type->name : kind_name((zh_skind)f->kind));
        return tp_type_fail(t, p, expected);
    }
    max_align_t local[TP_TMP / sizeof(max_align_t)];
    char *tmp = (char *)local;
    if (f->kind == ZH_SK_STRUCT && f->elem_size > sizeof local) {
        tmp = malloc(f->elem_size);
        if (!tmp)
            return tp_oom(t);
    }
    size_t base = t->top, n = 0;
    char **unknowns = NULL;
    int rc = 0;
    if (f->shape == ZH_SHAPE_FIXED) {
        /* the old reader checked the count before the elements: so does this one */
        zh_jscan probe = t->j;
        size_t count;
        if (zh_jscan_count_array(&probe, &count) < 0) {
            t->j.failed = probe.failed;
            t->c.failed = 1;
            rc = -1;
        } else if (count != f->fixed_len) {
            rc = tp_path_fail(t, p, "expected an array of exactly %u elements, got %zu", f->fixed_len, count);
        }
    }
    if (rc == 0)
        rc = tp_elements(t, f, tmp, &n, &unknowns, p);
    if (rc == 0) {
        char *items = (char *)(void *)empty_items;
        if (f->shape == ZH_SHAPE_FIXED) {
            memcpy(dst + f->offset, t->stk + base, n * f->elem_size);
            *(bool *)(void *)(dst + f->has_offset) = true;
        } else {
            if (n) {
                items = zh_arena_alloc(t->c.arena, n * f->elem_size);
                if (!items)
                    rc = tp_oom(t);
                else
                    memcpy(items, t->stk + base, n * f->elem_size);
            }
            if (rc == 0) {
                memcpy(dst + f->offset, &items, sizeof items);
                memcpy(dst + f->count_offset, &n, sizeof n);
            }
            if (rc == 0 && f->unknown_offset != ZH_NO_OFFSET) {
                char **kept = NULL;
                if (unknowns) {
                    kept = zh_arena_alloc(t->c.arena, n * sizeof *kept);
                    if (!kept)
                        rc = tp_oom(t);
                    else
                        for (size_t i = 0; i < n; i++)
                            kept[i] = unknowns[i];
                }
                memcpy(dst + f->unknown_offset, &kept, sizeof kept);
            }
        }
    }
    free(unknowns);
    if (tmp != (char *)local)
        free(tmp);
    t->top = base;
    return rc;
}

static int tp_map(tp *t, const zh_sfield *f, char *dst, const path *p)
{
    if (TP_S(t)[t->j.pos] != '{')
        return tp_type_fail(t, p, "an object (a map)");
    max_align_t local[TP_TMP / sizeof(max_align_t)];
    char *tmp = (char *)local;
    size_t size = f->elem_size, base = t->top, n = 0;
    if (size > sizeof local) {
        tmp = malloc(size);
        if (!tmp)
            return tp_oom(t);
    }
    int rc = tp_open(t, '}');
    if (rc == 0) {
        for (;;) {
            const char *key;
            size_t key_len;
            if ((rc = tp_key(t, &key, &key_len)) < 0)
                break;
            path mp = {p, key, key_len, 0};
            memset(tmp, 0, size);
            if (f->map_key == ZH_SK_STRING) {
                char *k = zh_arena_strndup(t->c.arena, key, key_len);
                if (!k) {
                    rc = tp_oom(t);
                    break;
                }
                memcpy(tmp, &k, sizeof k);
            } else {
                /* integer keys are decimal strings: "0", "12" */
                int ok = key_len > 0 && key_len <= 20 && !(key_len > 1 && key[0] == '0');
                for (size_t i = 0; ok && i < key_len; i++)
                    ok = key[i] >= '0' && key[i] <= '9';
                if (!ok) {
                    rc = tp_path_fail(t, &mp, "map key is not a decimal %s", kind_name((zh_skind)f->map_key));
                    break;
                }
                if (store_int((zh_skind)f->map_key, key, 0, key_len, tmp) < 0) {
                    rc = tp_path_fail(t, &mp, "%.*s is out of range for %s", (int)(key_len > 64 ? 64 : key_len), key,
                                      kind_name((zh_skind)f->map_key));
                    break;
                }
            }
            if ((rc = tp_value(t, (zh_skind)f->kind, f->type, tmp + f->value_offset, NULL, &mp)) < 0 ||
                (rc = tp_reserve(t, size)) < 0)
                break;
            memcpy(t->stk + t->top, tmp, size);
            t->top += size;
            n++;
            int more = tp_next(t, '}');
            if (more < 0) {
                rc = -1;
                break;
            }
            if (!more) {
                t->j.depth--;
                break;
            }
        }
    } else if (rc == 1) {
        rc = 0;
    }
    if (rc == 0) {
        char *entries = (char *)(void *)empty_items;
        if (n) {
            entries = zh_arena_alloc(t->c.arena, n * size);
            if (!entries)
                rc = tp_oom(t);
            else
                memcpy(entries, t->stk + base, n * size);
        }
        if (rc == 0) {
            memcpy(dst + f->offset, &entries, sizeof entries);
            memcpy(dst + f->count_offset, &n, sizeof n);
        }
    }
    if (tmp != (char *)local)
        free(tmp);
    t->top = base;
    return rc;
}

static int tp_field(tp *t, const zh_sfield *f, char *dst, const path *p)
{
    switch ((zh_sshape)f->shape) {
    case ZH_SHAPE_ONE:
        if (f->kind == ZH_SK_STRUCT) {
            if (TP_S(t)[t->j.pos] != '{') {
                char expected[160];
                snprintf(expected, sizeof expected, "an object (%s)", f->type->name);
                return tp_type_fail(t, p, expected);
            }
            void *sub = zh_arena_alloc(t->c.arena, f->type->size);
            if (!sub)
                return tp_oom(t);
            memcpy(dst + f->offset, &sub, sizeof sub);
            return tp_struct(t, f->type, sub, p);
        }
        if (tp_value(t, (zh_skind)f->kind, f->type, dst + f->offset,
                     f->unknown_offset != ZH_NO_OFFSET ? (char **)(void *)(dst + f->unknown_offset) : NULL, p) < 0)
            return -1;
        if (f->has_offset != ZH_NO_OFFSET)
            *(bool *)(void *)(dst + f->has_offset) = true;
        return 0;
    case ZH_SHAPE_ARRAY:
    case ZH_SHAPE_FIXED:
        return tp_array(t, f, dst, p);
    case ZH_SHAPE_MAP:
        return tp_map(t, f, dst, p);
    }
    return tp_path_fail(t, p, "internal: unknown shape");
}

/* The field named key[0, n): exact (trying the one after the last match first: documents
 * mostly follow the schema's order), then case-insensitive among those not yet seen. */
static size_t find_field(const zh_stype *ty, const char *key, size_t n, size_t hint, const unsigned char *seen)
{
    const zh_sfield *f = ty->fields;
    size_t nf = ty->nfields;
    if (hint < nf && f[hint].key_len == n && memcmp(f[hint].key, key, n) == 0)
        return hint;
    for (size_t i = 0; i < nf; i++)
        if (f[i].key_len == n && memcmp(f[i].key, key, n) == 0)
            return i;
    for (size_t i = 0; i < nf; i++) /* HCN answers "ID" where the schema says "Id": a second try */
        if (!seen[i] && f[i].key_len == n && names_equal_ci(f[i].key, key, n))
            return i;
    return nf;
}

static int tp_struct(tp *t, const zh_stype *ty, char *dst, const path *p)
{
    if (TP_S(t)[t->j.pos] != '{') {
        char expected[160];
        snprintf(expected, sizeof expected, "an object (%s)", ty->name);
        return tp_type_fail(t, p, expected);
    }
    size_t base = t->top, nextra = 0, hint = 0;
    unsigned char seen[ZH_SCHEMA_MAX_FIELDS];
    memset(seen, 0, ty->nfields);
    int rc = tp_open(t, '}');
    if (rc < 0)
        return -1;
    if (rc == 0) {
        for (;;) {
            const char *key;
            size_t key_len;
            if (tp_key(t, &key, &key_len) < 0)
                return -1;
            size_t idx = find_field(ty, key, key_len, hint, seen);
            path mp = {p, key, key_len, 0};
            if (idx < ty->nfields && !seen[idx] && TP_S(t)[t->j.pos] != 'n') {
                seen[idx] = 1;
                hint = idx + 1;
                if (tp_field(t, &ty->fields[idx], dst, &mp) < 0)
                    return -1;
            } else {
                /* Unknown, duplicate or null: kept verbatim and emitted again. */
                size_t vstart = t->j.pos;
                if (zh_jscan_skip(&t->j) < 0) {
                    t->c.failed = 1;
                    return -1;
                }
                zh_schema_extra x;
                x.key = zh_arena_strndup(t->c.arena, key, key_len);
                x.json = zh_arena_strndup(t->c.arena, TP_S(t) + vstart, t->j.pos - vstart);
                if (!x.key || !x.json || tp_reserve(t, sizeof x) < 0)
                    return tp_oom(t);
                memcpy(t->stk + t->top, &x, sizeof x);
                t->top += sizeof x;
                nextra++;
            }
            int more = tp_next(t, '}');
            if (more < 0)
                return -1;
            if (!more)
                break;
        }
        t->j.depth--;
    }
    if (nextra) {
        zh_schema_extra *extra = zh_arena_alloc(t->c.arena, nextra * sizeof *extra);
        if (!extra)
            return tp_oom(t);
        memcpy(extra, t->stk + base, nextra * sizeof *extra);
        memcpy(dst + ty->extra_offset, &extra, sizeof extra);
        memcpy(dst + ty->extra_count_offset, &nextra, sizeof nextra);
    }
    t->top = base;
    return 0;
}

void *zh_schema_parse(const zh_stype *ty, const char *json, size_t len, const char *fn, zh_error **err)
{
    if (!json) {
        zh_error_set(err, ZH_E_POINTER, fn, "no document (NULL)");
        return NULL;
    }
    if (len == SIZE_MAX)
        len = strlen(json);
    if (len > ZH_JSON_MAX_DOCUMENT) {
        zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, fn, "%s: %zu bytes is more than the %zu-byte limit",
                         ty->name, len, ZH_JSON_MAX_DOCUMENT);
        return NULL;
    }
    zh_arena out = {0};
    max_align_t stack[2048 / sizeof(max_align_t)];
    tp t;
    memset(&t, 0, sizeof t);
    t.j = (zh_jscan){json, len, 0, 0, 0, ty->name, fn, err};
    t.c = (ctx){&out, fn, err, 0};
    t.stk = (char *)stack;
    t.cap = sizeof stack;
    size_t size = ty->is_enum ? sizeof(zh_schema_enum_root) : ty->size;
    /* the typed tree is about as big as the text plus its structs: the first chunk is sized
     * to match, and later ones add half of what is there */
    out.first = len + 2 * size + 256;
    root *r = zh_arena_alloc(&out, sizeof(root) + size);
    int rc = -1;
    if (!r) {
        tp_oom(&t);
    } else {
        zh_jscan_ws(&t.j);
        if (t.j.pos >= len) {
            rc = tp_syntax(&t, t.j.pos, "unexpected end of input");
        } else if (ty->is_enum) {
            zh_schema_enum_root *e = (zh_schema_enum_root *)(void *)r->value;
            rc = tp_enum(&t, ty, &e->value, &e->unknown, NULL);
        } else {
            rc = tp_struct(&t, ty, (char *)r->value, NULL);
        }
        if (rc == 0) {
            zh_jscan_ws(&t.j);
            if (t.j.pos != len)
                rc = tp_syntax(&t, t.j.pos, "unexpected data after the JSON value");
        }
    }
    if (t.stk_heap)
        free(t.stk);
    if (rc < 0) {
        zh_arena_free(&out);
        return NULL;
    }
    r->arena = out; /* the arena now lives in its own first chunk's root */
    r->type = ty;
    return r->value;
}

/* ---------------------------------------------------------------- emit
 * Straight into one growable buffer: a reservation before each piece (the first from an
 * estimate of the document's size), member names copied with their generated lengths,
 * each string validated and escaped in one pass, integers converted without printf. */
typedef struct emitter {
    char *p;
    size_t len, cap;
    int oom;
    const char *fn;
    zh_error **err;
    int failed;
} emitter;

static int emit_fail(emitter *e, const path *p, const char *fmt, ...) ZH_PRINTF(3, 4);

static int emit_fail(emitter *e, const path *p, const char *fmt, ...)
{
    if (e->failed)
        return -1;
    e->failed = 1;
    zh_buf b = ZH_BUF_INIT(4096);
    format_path(&b, p);
    va_list ap;
    va_start(ap, fmt);
    char *msg = zh_vasprintf(fmt, ap);
    va_end(ap);
    zh_buf_printf(&b, ": %s", msg ? msg : "?");
    free(msg);
    char *text = zh_buf_take(&b);
    zh_error_set_cat(e->err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, e->fn, "%s", text ? text : "cannot emit");
    free(text);
    return -1;
}

static int emit_grow(emitter *e, size_t n)
{
    if (e->oom)
        return -1;
    size_t cap = e->cap ? e->cap : 256;
    while (cap - e->len < n) {
        if (cap > SIZE_MAX / 2) {
            e->oom = 1;
            return -1;
        }
        cap *= 2;
    }
    char *q = realloc(e->p, cap);
    if (!q) {
        e->oom = 1;
        return -1;
    }
    e->p = q;
    e->cap = cap;
    return 0;
}

/* Room for n more bytes (and the final NUL). */
static inline int emit_reserve(emitter *e, size_t n)
{
    if (n < SIZE_MAX - 1 && e->cap - e->len > n)
        return 0;
    return n >= SIZE_MAX - 1 ? (e->oom = 1, -1) : emit_grow(e, n + 1);
}

static inline int emit_bytes(emitter *e, const char *s, size_t n)
{
    if (emit_reserve(e, n) < 0)
        return -1;
    memcpy(e->p + e->len, s, n);
    e->len += n;
    return 0;
}

static inline int emit_byte(emitter *e, char c)
{
    if (emit_reserve(e, 1) < 0)
        return -1;
    e->p[e->len++] = c;
    return 0;
}

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                   "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                   "8081828384858687888990919293949596979899";

/* Decimal digits of v, right-aligned to end; returns where they start. */
static char *u64_digits(uint64_t v, char *end)
{
    char *o = end;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--o = digit_pairs[d + 1];
        *--o = digit_pairs[d];
    }
    if (v >= 10) {
        unsigned d = (unsigned)v * 2;
        *--o = digit_pairs[d + 1];
        *--o = digit_pairs[d];
    } else {
        *--o = (char)('0' + v);
    }
    return o;
}

static int emit_u64(emitter *e, uint64_t v)
{
    char tmp[24];
    char *s = u64_digits(v, tmp + sizeof tmp);
    return emit_bytes(e, s, (size_t)(tmp + sizeof tmp - s));
}

static int emit_i64(emitter *e, int64_t v)
{
    char tmp[24];
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *s = u64_digits(mag, tmp + sizeof tmp);
    if (v < 0)
        *--s = '-';
    return emit_bytes(e, s, (size_t)(tmp + sizeof tmp - s));
}

/* One UTF-8 sequence at s[i] (a byte of 0x80 or above): its length, or 0 when invalid. */
static size_t utf8_seq(const char *s, size_t len, size_t i)
{
    unsigned char c = (unsigned char)s[i];
    size_t n = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
    if (n > len - i || zh_utf8_validate(s + i, n, NULL) < 0)
        return 0;
    return n;
}

/* s as a JSON string: validated (UTF-8) and escaped in one pass. */
static int emit_string_n(emitter *e, const char *s, size_t len, const path *p)
{
    static const char hex[] = "0123456789abcdef";
    if (emit_reserve(e, len + 2) < 0)
        return -1;
    char *o = e->p + e->len;
    *o++ = '"';
    size_t i = 0;
    while (i < len) {
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            memcpy(o, &w, 8); /* room was reserved for all of s */
            uint64_t m = zh_jscan_word_special(w);
            if (m) {
                size_t k = zh_jscan_plain_prefix(m);
                o += k;
                i += k;
                break;
            }
            o += 8;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            *o++ = (char)c;
            i++;
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_seq(s, len, i);
            if (!n) {
                e->len = (size_t)(o - e->p);
                return emit_fail(e, p, "invalid UTF-8 at byte %zu", i);
            }
            memcpy(o, s + i, n);
            o += n;
            i += n;
            continue;
        }
        /* an escape: up to 6 bytes where the input had 1 */
        e->len = (size_t)(o - e->p);
        if (emit_reserve(e, 6 + (len - i) + 1) < 0)
            return -1;
        o = e->p + e->len;
        *o++ = '\\';
        switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        case '\b': *o++ = 'b'; break;
        case '\f': *o++ = 'f'; break;
        default:
            *o++ = 'u';
            *o++ = '0';
            *o++ = '0';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
        i++;
    }
    *o++ = '"';
    e->len = (size_t)(o - e->p);
    return 0;
}

static int emit_string(emitter *e, const char *s, const path *p)
{
    return emit_string_n(e, s, strlen(s), p);
}

static int emit_raw(emitter *e, const char *json, const path *p)
{
    zh_error *verr = NULL;
    size_t n = strlen(json);
    if (zh_json_validate(json, n, "value", &verr) < 0) {
        emit_fail(e, p, "%s", zh_error_message(verr));
        zh_error_free(verr);
        return -1;
    }
    return emit_bytes(e, json, n);
}

static int emit_struct(emitter *e, const zh_stype *t, const char *src, const path *p);

static int emit_value(emitter *e, zh_skind k, const zh_stype *t, const char *src, const char *unknown,
                      const path *p)
{
    switch (k) {
    case ZH_SK_BOOL:
        return *(const bool *)(const void *)src ? emit_bytes(e, "true", 4) : emit_bytes(e, "false", 5);
    case ZH_SK_I8: { int8_t x; memcpy(&x, src, 1); return emit_i64(e, x); }
    case ZH_SK_I16: { int16_t x; memcpy(&x, src, 2); return emit_i64(e, x); }
    case ZH_SK_I32: { int32_t x; memcpy(&x, src, 4); return emit_i64(e, x); }
    case ZH_SK_I64: { int64_t x; memcpy(&x, src, 8); return emit_i64(e, x); }
    case ZH_SK_U8: { uint8_t x; memcpy(&x, src, 1); return emit_u64(e, x); }
    case ZH_SK_U16: { uint16_t x; memcpy(&x, src, 2); return emit_u64(e, x); }
    case ZH_SK_U32: { uint32_t x; memcpy(&x, src, 4); return emit_u64(e, x); }
    case ZH_SK_U64: { uint64_t x; memcpy(&x, src, 8); return emit_u64(e, x); }
    case ZH_SK_DOUBLE: {
        double d;
        char num[64];
        memcpy(&d, src, sizeof d);
        if (!isfinite(d))
            return emit_fail(e, p, "a double must be finite");
        snprintf(num, sizeof num, "%.17g", d);
        if (!strpbrk(num, ".eE"))
            strcat(num, ".0");
        return emit_bytes(e, num, strlen(num));
    }
    case ZH_SK_STRING: {
        const char *s;
        memcpy(&s, src, sizeof s);
        if (!s)
            return emit_fail(e, p, "NULL string");
        return emit_string(e, s, p);
    }
    case ZH_SK_ANY: {
        const char *s;
        memcpy(&s, src, sizeof s);
        if (!s)
            return emit_fail(e, p, "NULL value");
        return emit_raw(e, s, p);
    }
    case ZH_SK_ENUM: {
        int32_t v;
        memcpy(&v, src, 4);
        if (v == -1 && unknown)
            return emit_raw(e, unknown, p);
        if (t->flags)
            return emit_u64(e, (uint32_t)v);
        if (t->emit_number)
            return emit_i64(e, v);
        const char *name = zh_schema_enum_name(t, v);
        if (!name)
            return emit_fail(e, p, "%ld is not a value of %s", (long)v, t->name);
        return emit_string(e, name, p);
    }
    case ZH_SK_STRUCT:
        return emit_struct(e, t, src, p);
    }
    return emit_fail(e, p, "internal: unknown kind %d", (int)k);
}

static int emit_field(emitter *e, const zh_sfield *f, const char *src, const path *p)
{
    switch ((zh_sshape)f->shape) {
    case ZH_SHAPE_ONE:
        if (f->kind == ZH_SK_STRUCT) {
            const char *sub;
            memcpy(&sub, src + f->offset, sizeof sub);
            return emit_struct(e, f->type, sub, p);
        } else {
            const char *unknown = NULL;
            if (f->unknown_offset != ZH_NO_OFFSET)
                memcpy(&unknown, src + f->unknown_offset, sizeof unknown);
            return emit_value(e, (zh_skind)f->kind, f->type, src + f->offset, unknown, p);
        }
    case ZH_SHAPE_ARRAY:
    case ZH_SHAPE_FIXED: {
        const char *items;
        size_t n;
        char *const *unknowns = NULL;
        if (f->shape == ZH_SHAPE_FIXED) {
            items = src + f->offset;
            n = f->fixed_len;
        } else {
            memcpy(&items, src + f->offset, sizeof items);
            memcpy(&n, src + f->count_offset, sizeof n);
            if (n && !items)
                return emit_fail(e, p, "count is %zu but there are no items", n);
            if (f->unknown_offset != ZH_NO_OFFSET)
                memcpy(&unknowns, src + f->unknown_offset, sizeof unknowns);
        }
        if (emit_byte(e, '[') < 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            path ep = {p, NULL, 0, i};
            if (i && emit_byte(e, ',') < 0)
                return -1;
            if (emit_value(e, (zh_skind)f->kind, f->type, items + i * f->elem_size, unknowns ? unknowns[i] : NULL,
                           &ep) < 0)
                return -1;
        }
        return emit_byte(e, ']');
    }
    case ZH_SHAPE_MAP: {
        const char *entries;
        size_t n;
        memcpy(&entries, src + f->offset, sizeof entries);
        memcpy(&n, src + f->count_offset, sizeof n);
        if (n && !entries)
            return emit_fail(e, p, "count is %zu but there are no entries", n);
        if (emit_byte(e, '{') < 0)
            return -1;
        for (size_t i = 0; i < n; i++) {
            const char *entry = entries + i * f->elem_size;
            char keybuf[24];
            const char *key;
            size_t key_len;
            if (f->map_key == ZH_SK_STRING) {
                memcpy(&key, entry, sizeof key);
                if (!key)
                    return emit_fail(e, p, "map entry %zu has a NULL key", i);
                key_len = strlen(key);
            } else {
                uint64_t k = 0;
                switch (f->map_key) {
                case ZH_SK_U8: { uint8_t x; memcpy(&x, entry, 1); k = x; break; }
                case ZH_SK_U16: { uint16_t x; memcpy(&x, entry, 2); k = x; break; }
                case ZH_SK_U32: { uint32_t x; memcpy(&x, entry, 4); k = x; break; }
                default: memcpy(&k, entry, 8); break;
                }
                key = u64_digits(k, keybuf + sizeof keybuf - 1);
                keybuf[sizeof keybuf - 1] = '\0';
                key_len = (size_t)(keybuf + sizeof keybuf - 1 - key);
            }
            path mp = {p, key, key_len, 0};
            if (i && emit_byte(e, ',') < 0)
                return -1;
            if (emit_string_n(e, key, key_len, &mp) < 0 || emit_byte(e, ':') < 0)
                return -1;
            if (emit_value(e, (zh_skind)f->kind, f->type, entry + f->value_offset, NULL, &mp) < 0)
                return -1;
        }
        return emit_byte(e, '}');
    }
    }
    return emit_fail(e, p, "internal: unknown shape");
}

static int field_present(const zh_sfield *f, const char *src)
{
    switch ((zh_sshape)f->shape) {
    case ZH_SHAPE_ONE:
        if (f->has_offset != ZH_NO_OFFSET)
            return *(const bool *)(src + f->has_offset);
        {
            const void *ptr;
            memcpy(&ptr, src + f->offset, sizeof ptr);
            return ptr != NULL;
        }
    case ZH_SHAPE_FIXED:
        return *(const bool *)(src + f->has_offset);
    case ZH_SHAPE_ARRAY:
    case ZH_SHAPE_MAP: {
        const void *ptr;
        size_t n;
        memcpy(&ptr, src + f->offset, sizeof ptr);
        memcpy(&n, src + f->count_offset, sizeof n);
        return ptr != NULL || n > 0;
    }
    }
    return 0;
}

static int emit_struct(emitter *e, const zh_stype *t, const char *src, const path *p)
{
    if (emit_byte(e, '{') < 0)
        return -1;
    int first = 1;
    for (size_t i = 0; i < t->nfields; i++) {
        const zh_sfield *f = &t->fields[i];
        if (!field_present(f, src))
            continue;
        path fp = {p, f->key, f->key_len, 0};
        /* ,"Key": - member names never need escaping (the generator checks) */
        if (emit_reserve(e, (size_t)f->key_len + 4) < 0)
            return -1;
        char *o = e->p + e->len;
        if (!first)
            *o++ = ',';
        first = 0;
        *o++ = '"';
        memcpy(o, f->key, f->key_len);
        o += f->key_len;
        *o++ = '"';
        *o++ = ':';
        e->len = (size_t)(o - e->p);
        if (emit_field(e, f, src, &fp) < 0)
            return -1;
    }
    const zh_schema_extra *extra;
    size_t nextra;
    memcpy(&extra, src + t->extra_offset, sizeof extra);
    memcpy(&nextra, src + t->extra_count_offset, sizeof nextra);
    if (nextra && !extra)
        return emit_fail(e, p, "extra count is %zu but there are no extras", nextra);
    for (size_t i = 0; i < nextra; i++) {
        if (!extra[i].key || !extra[i].json)
            return emit_fail(e, p, "unknown member %zu has no key or value", i);
        path xp = {p, extra[i].key, strlen(extra[i].key), 0};
        if (!first && emit_byte(e, ',') < 0)
            return -1;
        first = 0;
        if (emit_string(e, extra[i].key, &xp) < 0 || emit_byte(e, ':') < 0)
            return -1;
        if (emit_raw(e, extra[i].json, &xp) < 0)
            return -1;
    }
    return emit_byte(e, '}');
}

char *zh_schema_emit(const zh_stype *t, const void *value, const char *fn, zh_error **err)
{
    emitter e = {NULL, 0, 0, 0, fn, err, 0};
    if (!value) {
        zh_error_set(err, ZH_E_POINTER, fn, "no value (NULL)");
        return NULL;
    }
    /* one reservation up front from an estimate: a parsed tree's text is about four times
     * its top-level struct; documents built by hand are mostly smaller */
    emit_grow(&e, 4 * (t->is_enum ? 16 : t->size) + 64);
    int rc;
    if (t->is_enum) {
        const zh_schema_enum_root *r = value;
        rc = emit_value(&e, ZH_SK_ENUM, t, (const char *)&r->value, r->unknown, NULL);
    } else {
        rc = emit_struct(&e, t, value, NULL);
    }
    if (rc < 0 || e.oom) {
        if (!e.failed)
            zh_error_set(err, ZH_E_OUTOFMEMORY, fn, "out of memory");
        free(e.p);
        return NULL;
    }
    e.p[e.len] = '\0';
    return e.p;
}

const char *zh_schema_enum_name(const zh_stype *t, int64_t value)
{
    for (size_t i = 0; i < t->nmembers; i++)
        if (t->members[i].value == value)
            return t->members[i].name;
    return NULL;
}

/* ---------------------------------------------------------------- registry */
const zh_stype *zh_schema_family_find(const zh_schema_family *fam, const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < fam->count; i++)
        if (strcmp(fam->types[i]->name, name) == 0)
            return fam->types[i];
    return NULL;
}

/* ---------------------------------------------------------------- unknowns */
typedef struct unknowns {
    size_t count;
    char *first;
    size_t first_size;
} unknowns;

static void note_unknown(unknowns *u, const path *p, const char *key)
{
    if (u->count++ == 0 && u->first && u->first_size) {
        zh_buf b = ZH_BUF_INIT(0);
        path kp = {p, key, key ? strlen(key) : 0, 0};
        format_path(&b, key ? &kp : p);
        char *s = zh_buf_take(&b);
        if (s)
            zh_strlcpy(u->first, s, u->first_size);
        free(s);
    }
}

static void walk_struct(unknowns *u, const zh_stype *t, const char *src, const path *p);

static void walk_value(unknowns *u, const zh_sfield *f, const char *item, const char *unknown, const path *p)
{
    if (f->kind == ZH_SK_STRUCT) {
        walk_struct(u, f->type, item, p);
    } else if (f->kind == ZH_SK_ENUM && unknown) {
        int32_t v;
        memcpy(&v, item, 4);
        if (v == -1)
            note_unknown(u, p, NULL);
    }
}

static void walk_struct(unknowns *u, const zh_stype *t, const char *src, const path *p)
{
    if (!src)
        return;
    for (size_t i = 0; i < t->nfields; i++) {
        const zh_sfield *f = &t->fields[i];
        if (!field_present(f, src))
            continue;
        path fp = {p, f->key, strlen(f->key), 0};
        if (f->shape == ZH_SHAPE_ONE) {
            const char *item = src + f->offset, *unknown = NULL;
            if (f->kind == ZH_SK_STRUCT)
                memcpy(&item, src + f->offset, sizeof item);
            if (f->unknown_offset != ZH_NO_OFFSET)
                memcpy(&unknown, src + f->unknown_offset, sizeof unknown);
            walk_value(u, f, item, unknown, &fp);
        } else if (f->shape == ZH_SHAPE_ARRAY) {
            const char *items;
            size_t n;
            char *const *unk = NULL;
            memcpy(&items, src + f->offset, sizeof items);
            memcpy(&n, src + f->count_offset, sizeof n);
            if (f->unknown_offset != ZH_NO_OFFSET)
                memcpy(&unk, src + f->unknown_offset, sizeof unk);
            for (size_t k = 0; items && k < n; k++) {
                path ep = {&fp, NULL, 0, k};
                walk_value(u, f, items + k * f->elem_size, unk ? unk[k] : NULL, &ep);
            }
        } else if (f->shape == ZH_SHAPE_MAP && f->kind == ZH_SK_STRUCT) {
            const char *entries;
            size_t n;
            memcpy(&entries, src + f->offset, sizeof entries);
            memcpy(&n, src + f->count_offset, sizeof n);
            for (size_t k = 0; entries && k < n; k++) {
                char keybuf[32];
                const char *key = keybuf;
                const char *entry = entries + k * f->elem_size;
                if (f->map_key == ZH_SK_STRING)
                    memcpy(&key, entry, sizeof key);
                else
                    snprintf(keybuf, sizeof keybuf, "%zu", k);
                path mp = {&fp, key ? key : "", key ? strlen(key) : 0, 0};
                walk_struct(u, f->type, entry + f->value_offset, &mp);
            }
        }
    }
    const zh_schema_extra *extra;
    size_t nextra;
    memcpy(&extra, src + t->extra_offset, sizeof extra);
    memcpy(&nextra, src + t->extra_count_offset, sizeof nextra);
    for (size_t i = 0; extra && i < nextra; i++)
        note_unknown(u, p, extra[i].key);
}

size_t zh_schema_unknowns(const zh_stype *t, const void *value, char *first, size_t first_size)
{
    unknowns u = {0, first, first_size};
    if (first && first_size)
        first[0] = '\0';
    if (!value)
        return 0;
    if (t->is_enum) {
        const zh_schema_enum_root *r = value;
        if (r->value == -1 && r->unknown)
            note_unknown(&u, NULL, NULL);
        return u.count;
    }
    walk_struct(&u, t, value, NULL);
    return u.count;
}

/* The bytes below a struct of type t (its own size not counted). */
static size_t inner_bytes(const zh_stype *t, const char *src)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nfields; i++) {
        const zh_sfield *f = &t->fields[i];
        if (!field_present(f, src))
            continue;
        if (f->shape == ZH_SHAPE_ONE && f->kind == ZH_SK_STRUCT) {
            const char *sub;
            memcpy(&sub, src + f->offset, sizeof sub);
            if (sub)
                n += f->type->size + inner_bytes(f->type, sub);
        } else if (f->shape == ZH_SHAPE_ARRAY || f->shape == ZH_SHAPE_FIXED || f->shape == ZH_SHAPE_MAP) {
            const char *items = src + f->offset;
            size_t count = f->fixed_len;
            if (f->shape != ZH_SHAPE_FIXED) {
                memcpy(&items, src + f->offset, sizeof items);
                memcpy(&count, src + f->count_offset, sizeof count);
                n += count * f->elem_size;
            }
            if (f->unknown_offset != ZH_NO_OFFSET) {
                const void *unk;
                memcpy(&unk, src + f->unknown_offset, sizeof unk);
                if (unk)
                    n += count * sizeof(char *);
            }
            if (f->kind == ZH_SK_STRUCT && items)
                for (size_t k = 0; k < count; k++)
                    n += inner_bytes(f->type, items + k * f->elem_size + (f->shape == ZH_SHAPE_MAP ? f->value_offset : 0));
        }
    }
    size_t nextra;
    memcpy(&nextra, src + t->extra_count_offset, sizeof nextra);
    return n + nextra * sizeof(zh_schema_extra);
}

size_t zh_schema_struct_bytes(const zh_stype *t, const void *value)
{
    if (!value)
        return 0;
    if (t->is_enum)
        return sizeof(zh_schema_enum_root);
    return t->size + inner_bytes(t, value);
}

int zh_schema_check(const zh_schema_family *fam, const char *type, const char *json, size_t len, unsigned flags,
                    char **out, const char *fn, zh_error **err)
{
    if (out)
        *out = NULL;
    const zh_stype *t = zh_schema_family_find(fam, type);
    if (!t)
        return zh_error_set(err, ZH_E_INVALIDARG, fn, "%s is not a %s schema type", type ? type : "(null)",
                            fam->family);
    void *v = zh_schema_parse(t, json, len, fn, err);
    if (!v)
        return -1;
    int rc = 0;
    char first[512];
    size_t n = (flags & ZH_SCHEMA_STRICT) ? zh_schema_unknowns(t, v, first, sizeof first) : 0;
    if (n) {
        rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, fn,
                              "%s: not part of the %s schema (%zu unknown member%s or value%s in all)", first, t->name,
                              n, n == 1 ? "" : "s", n == 1 ? "" : "s");
    } else if (out) {
        *out = zh_schema_emit(t, v, fn, err);
        rc = *out ? 0 : -1;
    }
    zh_schema_free(v);
    return rc;
}

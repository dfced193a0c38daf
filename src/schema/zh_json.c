/* SPDX-License-Identifier: MIT */
/* zh_json.c - strict JSON reader and string writer; the arena. */
#include "zh_json.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "zh_hresult.h"
#include "zh_jscan.h"
#include "zh_utf.h"

/* ---------------------------------------------------------------- arena */
struct zh_arena_chunk {
    zh_arena_chunk *next;
    size_t size;
    size_t used;
    max_align_t data[];
};

#define ARENA_ALIGN (sizeof(max_align_t))
#define ARENA_CHUNK ((size_t)16 << 10)

/* A new chunk with room for `size` bytes (the first one is sized from a->first). */
static zh_arena_chunk *arena_grow(zh_arena *a, size_t size)
{
    /* small documents start small (a->first) and grow by half up to the usual chunk */
    size_t base = ARENA_CHUNK;
    if (a->first && a->total < ARENA_CHUNK)
        base = a->total ? a->total / 2 : a->first; /* grow by half: at most a third unused */
    if (size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size_t cap = size > base ? size : base;
    if (a->total > ARENA_CHUNK * 4 && cap < a->total / 4)
        cap = a->total / 4; /* grow geometrically for big documents */
    cap = (cap + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    if (cap > SIZE_MAX - sizeof(zh_arena_chunk))
        return NULL;
    zh_arena_chunk *c = malloc(sizeof(zh_arena_chunk) + cap);
    if (!c)
        return NULL;
    c->size = cap;
    c->used = 0;
    c->next = a->head;
    a->head = c;
    a->total += cap;
    return c;
}

void *zh_arena_alloc(zh_arena *a, size_t size)
{
    if (size > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    size = (size + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN;
    if (size == 0)
        size = ARENA_ALIGN;
    zh_arena_chunk *c = a->head;
    size_t at = c ? (c->used + ARENA_ALIGN - 1) / ARENA_ALIGN * ARENA_ALIGN : 0;
    if (!c || at > c->size || c->size - at < size) {
        c = arena_grow(a, size);
        if (!c)
            return NULL;
        at = 0;
    }
    void *p = (char *)c->data + at;
    c->used = at + size;
    memset(p, 0, size);
    return p;
}

char *zh_arena_bytes(zh_arena *a, size_t size)
{
    zh_arena_chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        c = arena_grow(a, size);
        if (!c)
            return NULL;
    }
    char *p = (char *)c->data + c->used;
    c->used += size;
    return p;
}

char *zh_arena_strndup(zh_arena *a, const char *s, size_t n)
{
    if (n == SIZE_MAX)
        return NULL;
    char *p = zh_arena_bytes(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void zh_arena_free(zh_arena *a)
{
    zh_arena_chunk *c = a->head;
    while (c) {
        zh_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

/* ---------------------------------------------------------------- reader */
typedef struct reader {
    zh_arena *arena; /* NULL: validate only */
    const char *s;
    size_t len;
    size_t pos;
    int depth;
    const char *what;
    zh_error **err;
    int failed;
} reader;

/* The 1-based line and column of byte `at`, for error messages. */
static void line_col(const char *s, size_t len, size_t at, size_t *line, size_t *col)
{
    *line = *col = 1;
    for (size_t i = 0; i < at && i < len; i++) {
        if (s[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

static int fail(reader *r, size_t at, const char *why)
{
    if (!r->failed) {
        r->failed = 1;
        size_t line, col;
        line_col(r->s, r->len, at, &line, &col);
        zh_error_set_cat(r->err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, NULL,
                         "%s: invalid JSON at byte %zu (line %zu, column %zu): %s", r->what, at, line, col, why);
    }
    return -1;
}

static void skip_ws(reader *r)
{
    while (r->pos < r->len) {
        char c = r->s[r->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        r->pos++;
    }
}

static zh_jv *new_value(reader *r, zh_jtype type, size_t start)
{
    static zh_jv scratch; /* validate-only mode never reads it */
    if (!r->arena) {
        return &scratch;
    }
    zh_jv *v = zh_arena_alloc(r->arena, sizeof *v);
    if (!v) {
        fail(r, start, "out of memory");
        return NULL;
    }
    v->type = type;
    v->raw = r->s + start;
    return v;
}

static int hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads a string token at r->pos (the opening quote). Decoded text goes to *out (arena)
 * unless validating. */
static int read_string(reader *r, const char **out, size_t *out_len)
{
    size_t start = r->pos++;
    size_t run = r->pos;
    int escaped = 0;
    /* First pass: find the end, validate, and learn whether decoding is needed. */
    while (1) {
        if (r->pos >= r->len)
            return fail(r, start, "unterminated string");
        unsigned char c = (unsigned char)r->s[r->pos];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(r, r->pos, "control character in string (must be escaped)");
        if (c == '\\') {
            escaped = 1;
            if (r->pos + 1 >= r->len)
                return fail(r, r->pos, "unterminated string");
            char e = r->s[r->pos + 1];
            if (e == 'u') {
                uint32_t u;
                if (r->pos + 6 > r->len || hex4(r->s + r->pos + 2, &u) < 0)
                    return fail(r, r->pos, "invalid \\u escape");
                if (u == 0)
                    return fail(r, r->pos, "\\u0000 (NUL) is not allowed in strings");
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return fail(r, r->pos, "invalid \\u escape: lone low surrogate");
                if (u >= 0xD800 && u <= 0xDBFF) {
                    uint32_t lo;
                    if (r->pos + 12 > r->len || r->s[r->pos + 6] != '\\' || r->s[r->pos + 7] != 'u' ||
                        hex4(r->s + r->pos + 8, &lo) < 0 || lo < 0xDC00 || lo > 0xDFFF)
                        return fail(r, r->pos, "invalid \\u escape: lone high surrogate");
                    r->pos += 12;
                } else {
                    r->pos += 6;
                }
                continue;
            }
            if (!strchr("\"\\/bfnrt", e) || e == '\0')
                return fail(r, r->pos, "invalid escape in string");
            r->pos += 2;
            continue;
        }
        if (c < 0x80) {
            r->pos++;
            continue;
        }
        /* a multi-byte sequence: validate it alone */
        size_t n = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
        size_t bad;
        if (r->pos + n > r->len || zh_utf8_validate(r->s + r->pos, n, &bad) < 0)
            return fail(r, r->pos, "invalid UTF-8 in string");
        r->pos += n;
    }
    size_t end = r->pos; /* the closing quote */
    r->pos++;
    if (!r->arena)
        return 0;
    if (!escaped) {
        *out = r->s + run;
        *out_len = end - run;
        return 0;
    }
    char *d = zh_arena_alloc(r->arena, end - run + 1);
    if (!d)
        return fail(r, start, "out of memory");
    size_t k = 0;
    for (size_t i = run; i < end;) {
        char c = r->s[i];
        if (c != '\\') {
            d[k++] = c;
            i++;
            continue;
        }
        char e = r->s[i + 1];
        switch (e) {
        case 'b': d[k++] = '\b'; i += 2; break;
        case 'f': d[k++] = '\f'; i += 2; break;
        case 'n': d[k++] = '\n'; i += 2; break;
        case 'r': d[k++] = '\r'; i += 2; break;
        case 't': d[k++] = '\t'; i += 2; break;
        case 'u': {
            uint32_t u = 0, lo = 0xDC00; /* validated in the first pass */
            hex4(r->s + i + 2, &u);
            i += 6;
            if (u >= 0xD800 && u <= 0xDBFF) {
                hex4(r->s + i + 2, &lo);
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            k += put_utf8(d + k, u);
            break;
        }
        default: d[k++] = e; i += 2; break;
        }
    }
    d[k] = '\0';
    *out = d;
    *out_len = k;
    return 0;
}

static int read_number(reader *r, int *is_integer)
{
    size_t start = r->pos;
    *is_integer = 1;
    if (r->s[r->pos] == '-')
        r->pos++;
    if (r->pos >= r->len || r->s[r->pos] < '0' || r->s[r->pos] > '9')
        return fail(r, start, "invalid number");
    if (r->s[r->pos] == '0') {
        r->pos++;
        if (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
            return fail(r, start, "leading zero in number");
    } else {
        while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
            r->pos++;
    }
    if (r->pos < r->len && r->s[r->pos] == '.') {
        *is_integer = 0;
        r->pos++;
        if (r->pos >= r->len || r->s[r->pos] < '0' || r->s[r->pos] > '9')
            return fail(r, start, "invalid number: digits expected after '.'");
        while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
            r->pos++;
    }
    if (r->pos < r->len && (r->s[r->pos] == 'e' || r->s[r->pos] == 'E')) {
        *is_integer = 0;
        r->pos++;
        if (r->pos < r->len && (r->s[r->pos] == '+' || r->s[r->pos] == '-'))
            r->pos++;
        if (r->pos >= r->len || r->s[r->pos] < '0' || r->s[r->pos] > '9')
            return fail(r, start, "invalid number: digits expected in exponent");
        while (r->pos < r->len && r->s[r->pos] >= '0' && r->s[r->pos] <= '9')
            r->pos++;
    }
    return 0;
}

static zh_jv *read_value(reader *r);

static int literal(reader *r, const char *word)
{
    size_t n = strlen(word);
    if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n) != 0)
        return fail(r, r->pos, "unexpected character");
    r->pos += n;
    return 0;
}

static zh_jv *read_container(reader *r, int object)
{
    size_t start = r->pos;
    if (++r->depth > ZH_JSON_MAX_DEPTH) {
        fail(r, start, "nesting deeper than 128 levels");
        return NULL;
    }
    zh_jv *v = new_value(r, object ? ZH_JOBJECT : ZH_JARRAY, start);
    if (!v)
        return NULL;
    zh_jv **tail = &v->first;
    size_t count = 0;
    r->pos++;
    skip_ws(r);
    char close = object ? '}' : ']';
    if (r->pos < r->len && r->s[r->pos] == close) {
        r->pos++;
    } else {
        while (1) {
            const char *key = NULL;
            size_t key_len = 0;
            if (object) {
                skip_ws(r);
                if (r->pos >= r->len || r->s[r->pos] != '"') {
                    fail(r, r->pos, r->pos >= r->len ? "unexpected end of input" : "object key (a string) expected");
                    return NULL;
                }
                if (read_string(r, &key, &key_len) < 0)
                    return NULL;
                skip_ws(r);
                if (r->pos >= r->len || r->s[r->pos] != ':') {
                    fail(r, r->pos, "':' expected after object key");
                    return NULL;
                }
                r->pos++;
            }
            zh_jv *child = read_value(r);
            if (!child)
                return NULL;
            if (r->arena) {
                child->key = key;
                child->key_len = key_len;
                *tail = child;
                tail = &child->next;
            }
            count++;
            skip_ws(r);
            if (r->pos >= r->len) {
                fail(r, r->pos, "unexpected end of input");
                return NULL;
            }
            char c = r->s[r->pos++];
            if (c == close)
                break;
            if (c != ',') {
                fail(r, r->pos - 1, object ? "',' or '}' expected" : "',' or ']' expected");
                return NULL;
            }
        }
    }
    r->depth--;
    if (r->arena) {
        v->count = count;
        v->raw_len = r->pos - start;
    }
    return v;
}

static zh_jv *read_value(reader *r)
{
    skip_ws(r);
    if (r->pos >= r->len) {
        fail(r, r->pos, "unexpected end of input");
        return NULL;
    }
    size_t start = r->pos;
    char c = r->s[r->pos];
    zh_jv *v;
    switch (c) {
    case '{':
        return read_container(r, 1);
    case '[':
        return read_container(r, 0);
    case '"': {
        const char *s = NULL;
        size_t n = 0;
        if (read_string(r, &s, &n) < 0)
            return NULL;
        v = new_value(r, ZH_JSTRING, start);
        if (v && r->arena) {
            v->str = s;
            v->str_len = n;
        }
        break;
    }
    case 't':
        if (literal(r, "true") < 0)
            return NULL;
        v = new_value(r, ZH_JTRUE, start);
        break;
    case 'f':
        if (literal(r, "false") < 0)
            return NULL;
        v = new_value(r, ZH_JFALSE, start);
        break;
    case 'n':
        if (literal(r, "null") < 0)
            return NULL;
        v = new_value(r, ZH_JNULL, start);
        break;
    default: {
        if (c != '-' && (c < '0' || c > '9')) {
            fail(r, start, "unexpected character");
            return NULL;
        }
        int is_integer;
        if (read_number(r, &is_integer) < 0)
            return NULL;
        v = new_value(r, ZH_JNUMBER, start);
        if (v && r->arena)
            v->is_integer = is_integer;
        break;
    }
    }
    if (v && r->arena)
        v->raw_len = r->pos - start;
    return v;
}

static zh_jv *parse(zh_arena *a, const char *text, size_t len, const char *what, zh_error **err)
{
    reader r = {a, text, len, 0, 0, what ? what : "document", err, 0};
    if (!text) {
        fail(&r, 0, "no text (NULL)");
        return NULL;
    }
    if (len > ZH_JSON_MAX_DOCUMENT) {
        zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, NULL,
                         "%s: %zu bytes is more than the %zu-byte limit", r.what, len, ZH_JSON_MAX_DOCUMENT);
        return NULL;
    }
    if (a && !a->head && !a->first)
        a->first = 4 * len + 512; /* a tree is a few times its text: no fixed first chunk */
    zh_jv *v = read_value(&r);
    if (!v)
        return NULL;
    skip_ws(&r);
    if (r.pos != len) {
        fail(&r, r.pos, "unexpected data after the JSON value");
        return NULL;
    }
    return v;
}

zh_jv *zh_json_parse(zh_arena *a, const char *text, size_t len, const char *what, zh_error **err)
{
    return parse(a, text, len, what, err);
}

/* ---------------------------------------------------------------- one-pass scanner */
int zh_jscan_fail(zh_jscan *r, size_t at, const char *why)
{
    if (!r->failed) {
        r->failed = 1;
        size_t line, col;
        line_col(r->s, r->len, at, &line, &col);
        zh_error_set_cat(r->err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, r->fn,
                         "%s: invalid JSON at byte %zu (line %zu, column %zu): %s", r->what, at, line, col, why);
    }
    return -1;
}

int zh_jscan_string_special(zh_jscan *r, size_t *ip, size_t start)
{
    const char *s = r->s;
    size_t i = *ip, len = r->len;
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20)
        return zh_jscan_fail(r, i, "control character in string (must be escaped)");
    if (c == '\\') {
        if (i + 1 >= len)
            return zh_jscan_fail(r, i, "unterminated string");
        char e = s[i + 1];
        if (e == 'u') {
            uint32_t u;
            if (i + 6 > len || hex4(s + i + 2, &u) < 0)
                return zh_jscan_fail(r, i, "invalid \\u escape");
            if (u == 0)
                return zh_jscan_fail(r, i, "\\u0000 (NUL) is not allowed in strings");
            if (u >= 0xDC00 && u <= 0xDFFF)
                return zh_jscan_fail(r, i, "invalid \\u escape: lone low surrogate");
            if (u >= 0xD800 && u <= 0xDBFF) {
                uint32_t lo;
                if (i + 12 > len || s[i + 6] != '\\' || s[i + 7] != 'u' || hex4(s + i + 8, &lo) < 0 || lo < 0xDC00 ||
                    lo > 0xDFFF)
                    return zh_jscan_fail(r, i, "invalid \\u escape: lone high surrogate");
                *ip = i + 12;
            } else {
                *ip = i + 6;
            }
            return 1;
        }
        if (e == '\0' || !strchr("\"\\/bfnrt", e))
            return zh_jscan_fail(r, i, "invalid escape in string");
        *ip = i + 2;
        return 1;
    }
    (void)start;
    /* a multi-byte sequence: validate it alone */
    size_t n = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
    size_t bad;
    if (i + n > len || zh_utf8_validate(s + i, n, &bad) < 0)
        return zh_jscan_fail(r, i, "invalid UTF-8 in string");
    *ip = i + n;
    return 0;
}

size_t zh_jscan_decode(const char *s, size_t from, size_t to, char *d)
{
    size_t k = 0;
    for (size_t i = from; i < to;) {
        const char *bs = memchr(s + i, '\\', to - i);
        size_t run = bs ? (size_t)(bs - s) - i : to - i;
        memcpy(d + k, s + i, run);
        k += run;
        i += run;
        if (i >= to)
            break;
        char e = s[i + 1];
        switch (e) {
        case 'b': d[k++] = '\b'; i += 2; break;
        case 'f': d[k++] = '\f'; i += 2; break;
        case 'n': d[k++] = '\n'; i += 2; break;
        case 'r': d[k++] = '\r'; i += 2; break;
        case 't': d[k++] = '\t'; i += 2; break;
        case 'u': {
            uint32_t u = 0, lo = 0xDC00; /* validated by the scan */
            hex4(s + i + 2, &u);
            i += 6;
            if (u >= 0xD800 && u <= 0xDBFF) {
                hex4(s + i + 2, &lo);
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
            k += put_utf8(d + k, u);
            break;
        }
        default: d[k++] = e; i += 2; break;
        }
    }
    return k;
}

/* One value, iteratively: open containers are bits of `objects` (1: an object), so that deep
 * nesting costs no C stack. Errors and offsets are the tree reader's. */
int zh_jscan_skip(zh_jscan *r)
{
    const char *s = r->s;
    size_t len = r->len;
    uint64_t objects[(ZH_JSON_MAX_DEPTH + 64) / 64] = {0};
    int base = r->depth;
    zh_jscan_ws(r);
    if (r->pos >= len)
        return zh_jscan_fail(r, r->pos, "unexpected end of input");
    for (;;) {
        /* a value starts at r->pos */
        char c = s[r->pos];
        switch (c) {
        case '{':
        case '[': {
            int object = c == '{';
            if (r->depth + 1 > ZH_JSON_MAX_DEPTH || r->depth - base >= ZH_JSON_MAX_DEPTH)
                return zh_jscan_fail(r, r->pos, "nesting deeper than 128 levels");
            int level = ++r->depth - base - 1;
            if (object)
                objects[level / 64] |= (uint64_t)1 << (level % 64);
            else
                objects[level / 64] &= ~((uint64_t)1 << (level % 64));
            r->pos++;
            zh_jscan_ws(r);
            if (r->pos < len && s[r->pos] == (object ? '}' : ']')) {
                r->pos++;
                r->depth--;
                goto after_value;
            }
            if (object)
                goto member;
            if (r->pos >= len)
                return zh_jscan_fail(r, r->pos, "unexpected end of input");
            continue;
        }
        case '"': {
            size_t end = 0;
            int esc = 0;
            if (zh_jscan_string(r, &end, &esc) < 0)
                return -1;
            goto after_value;
        }
        case 't':
            if (zh_jscan_literal(r, "true", 4) < 0)
                return -1;
            goto after_value;
        case 'f':
            if (zh_jscan_literal(r, "false", 5) < 0)
                return -1;
            goto after_value;
        case 'n':
            if (zh_jscan_literal(r, "null", 4) < 0)
                return -1;
            goto after_value;
        default: {
            if (c != '-' && (c < '0' || c > '9'))
                return zh_jscan_fail(r, r->pos, "unexpected character");
            int is_integer;
            if (zh_jscan_number(r, &is_integer) < 0)
                return -1;
            goto after_value;
        }
        }
    member:
        /* an object member's key and colon; then its value */
        zh_jscan_ws(r);
        if (r->pos >= len || s[r->pos] != '"')
            return zh_jscan_fail(r, r->pos, r->pos >= len ? "unexpected end of input" : "object key (a string) expected");
        {
            size_t end = 0;
            int esc = 0;
            if (zh_jscan_string(r, &end, &esc) < 0)
                return -1;
        }
        zh_jscan_ws(r);
        if (r->pos >= len || s[r->pos] != ':')
            return zh_jscan_fail(r, r->pos, "':' expected after object key");
        r->pos++;
        zh_jscan_ws(r);
        if (r->pos >= len)
            return zh_jscan_fail(r, r->pos, "unexpected end of input");
        continue;
    after_value:
        for (;;) {
            if (r->depth == base)
                return 0;
            int level = r->depth - base - 1;
            int object = (int)((objects[level / 64] >> (level % 64)) & 1);
            zh_jscan_ws(r);
            if (r->pos >= len)
                return zh_jscan_fail(r, r->pos, "unexpected end of input");
            char d = s[r->pos++];
            if (d == ',')
                break;
            if (d == (object ? '}' : ']')) {
                r->depth--;
                continue;
            }
            return zh_jscan_fail(r, r->pos - 1, object ? "',' or '}' expected" : "',' or ']' expected");
        }
        {
            int level = r->depth - base - 1;
            if ((objects[level / 64] >> (level % 64)) & 1)
                goto member;
        }
        zh_jscan_ws(r);
        if (r->pos >= len)
            return zh_jscan_fail(r, r->pos, "unexpected end of input");
    }
}

int zh_jscan_count_array(zh_jscan *r, size_t *count)
{
    /* the array at r->pos: its elements one by one */
    const char *s = r->s;
    size_t n = 0;
    if (++r->depth > ZH_JSON_MAX_DEPTH)
        return zh_jscan_fail(r, r->pos, "nesting deeper than 128 levels");
    r->pos++;
    zh_jscan_ws(r);
    if (r->pos < r->len && s[r->pos] == ']') {
        r->pos++;
    } else {
        for (;;) {
            if (zh_jscan_skip(r) < 0)
                return -1;
            n++;
            zh_jscan_ws(r);
            if (r->pos >= r->len)
                return zh_jscan_fail(r, r->pos, "unexpected end of input");
            char c = s[r->pos++];
            if (c == ']')
                break;
            if (c != ',')
                return zh_jscan_fail(r, r->pos - 1, "',' or ']' expected");
        }
    }
    r->depth--;
    *count = n;
    return 0;
}

int zh_json_validate(const char *text, size_t len, const char *what, zh_error **err)
{
    zh_jscan r = {text, len, 0, 0, 0, what ? what : "document", NULL, err};
    if (!text)
        return zh_jscan_fail(&r, 0, "no text (NULL)");
    if (len > ZH_JSON_MAX_DOCUMENT)
        return zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, NULL,
                                "%s: %zu bytes is more than the %zu-byte limit", r.what, len, ZH_JSON_MAX_DOCUMENT);
    if (zh_jscan_skip(&r) < 0)
        return -1;
    zh_jscan_ws(&r);
    if (r.pos != len)
        return zh_jscan_fail(&r, r.pos, "unexpected data after the JSON value");
    return 0;
}

/* The tree reader in validate-only mode: the reference the one-pass scanner is tested against. */
int zh_json_validate_tree(const char *text, size_t len, const char *what, zh_error **err)
{
    return parse(NULL, text, len, what, err) ? 0 : -1;
}

/* ---------------------------------------------------------------- numbers */
static int parse_magnitude(const zh_jv *v, int *negative, uint64_t *mag)
{
    if (v->type != ZH_JNUMBER || !v->is_integer)
        return -1;
    const char *p = v->raw, *end = v->raw + v->raw_len;
    *negative = 0;
    if (p < end && *p == '-') {
        *negative = 1;
        p++;
    }
    uint64_t m = 0;
    for (; p < end; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (m > (UINT64_MAX - d) / 10)
            return -1; /* beyond 64 bits */
        m = m * 10 + d;
    }
    *mag = m;
    return 0;
}

int zh_json_int64(const zh_jv *v, int64_t min, int64_t max, int64_t *out)
{
    int neg;
    uint64_t mag;
    if (parse_magnitude(v, &neg, &mag) < 0)
        return -1;
    int64_t val;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1)
            return -1;
        val = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
    } else {
        if (mag > (uint64_t)INT64_MAX)
            return -1;
        val = (int64_t)mag;
    }
    if (val < min || val > max)
        return -1;
    *out = val;
    return 0;
}

int zh_json_uint64(const zh_jv *v, uint64_t max, uint64_t *out)
{
    int neg;
    uint64_t mag;
    if (parse_magnitude(v, &neg, &mag) < 0)
        return -1;
    if (neg && mag != 0)
        return -1;
    if (mag > max)
        return -1;
    *out = mag;
    return 0;
}

const char *zh_json_type_name(zh_jtype type)
{
    static const char *const names[] = {"null", "false", "true", "number", "string", "array", "object"};
    return (unsigned)type < sizeof names / sizeof names[0] ? names[type] : "?";
}

/* ---------------------------------------------------------------- writer */
int zh_json_write_string(zh_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    zh_buf_append(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        zh_buf_append(b, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        zh_buf_append(b, esc, n);
    }
    zh_buf_append(b, s + run, len - run);
    return zh_buf_append(b, "\"", 1);
}

/* SPDX-License-Identifier: MIT */
/* test_schema_diff.c - the one-pass schema parser against the former tree-walking one
 * (zh_schema_parse_tree, which built a JSON tree with zh_json_parse and mapped it).
 *
 * Every document of tests/data (hcs, hcn, bad) and of the fuzz seed corpus
 * (fuzz/corpus/edge), parsed as every struct type of both families, then each document cut
 * short and with single bytes replaced (at every byte of small documents, at about 100
 * places of larger ones), as its own type: both parsers accept
 * or both reject; what they accept emits byte for byte the same text with the same
 * unknowns; what they reject fails with the same HRESULT and category, and with the same
 * message whenever the text is valid JSON (for invalid JSON the one-pass parser may report
 * a type error met before the syntax error, which the tree reader reached first). The
 * one-pass validator (zh_json_validate) gives exactly the tree reader's verdict and
 * message on every input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_docs.h"
#include "zh_json.h"
#include "zh_schema.h"
#include "zt.h"

static size_t compared, accepted;

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void compare(const zh_stype *t, const char *text, size_t len, const char *label)
{
    zh_error *e1 = NULL, *e2 = NULL;
    void *v1 = zh_schema_parse_tree(t, text, len, "f", &e1);
    void *v2 = zh_schema_parse(t, text, len, "f", &e2);
    compared++;
    if (!v1 != !v2) {
        ZT_FAIL_("%s as %s (%zu bytes): the tree parser %s (%s), the one-pass parser %s (%s)", label, t->name, len,
                 v1 ? "accepts" : "rejects", e1 ? zh_error_message(e1) : "-", v2 ? "accepts" : "rejects",
                 e2 ? zh_error_message(e2) : "-");
    } else if (v1) {
        accepted++;
        zh_error *x1 = NULL, *x2 = NULL;
        char *o1 = zh_schema_emit(t, v1, "f", &x1), *o2 = zh_schema_emit(t, v2, "f", &x2);
        if (!same(o1, o2))
            ZT_FAIL_("%s as %s: emitted differently:\n  %s\n  %s", label, t->name, o1 ? o1 : zh_error_message(x1),
                     o2 ? o2 : zh_error_message(x2));
        char p1[256], p2[256];
        size_t n1 = zh_schema_unknowns(t, v1, p1, sizeof p1), n2 = zh_schema_unknowns(t, v2, p2, sizeof p2);
        if (n1 != n2 || strcmp(p1, p2) != 0)
            ZT_FAIL_("%s as %s: unknowns %zu (%s) against %zu (%s)", label, t->name, n1, p1, n2, p2);
        free(o1);
        free(o2);
        zh_error_free(x1);
        zh_error_free(x2);
    } else {
        if (zh_error_hresult(e1) != zh_error_hresult(e2) || zh_error_category(e1) != zh_error_category(e2))
            ZT_FAIL_("%s as %s: errors differ in kind: %s / %s", label, t->name, zh_error_message(e1),
                     zh_error_message(e2));
        else if (zh_json_validate_tree(text, len, "d", NULL) == 0 &&
                 strcmp(zh_error_message(e1), zh_error_message(e2)) != 0)
            ZT_FAIL_("%s as %s: messages differ:\n  %s\n  %s", label, t->name, zh_error_message(e1),
                     zh_error_message(e2));
    }
    zh_schema_free(v1);
    zh_schema_free(v2);
    zh_error_free(e1);
    zh_error_free(e2);
}

static void compare_validate(const char *text, size_t len, const char *label)
{
    zh_error *e1 = NULL, *e2 = NULL;
    int r1 = zh_json_validate_tree(text, len, "d", &e1), r2 = zh_json_validate(text, len, "d", &e2);
    if (r1 != r2 || (r1 < 0 && strcmp(zh_error_message(e1), zh_error_message(e2)) != 0))
        ZT_FAIL_("%s: validators differ: %d %s / %d %s", label, r1, e1 ? zh_error_message(e1) : "-", r2,
                 e2 ? zh_error_message(e2) : "-");
    zh_error_free(e1);
    zh_error_free(e2);
}

static const zh_stype *type_of(const char *name)
{
    const zh_schema_family *fam = strncmp(name, "hcn:", 4) == 0 ? &zh_schema_hcn : &zh_schema_hcs;
    const char *colon = strchr(name, ':');
    return zh_schema_family_find(fam, colon ? colon + 1 : name);
}

static void every_document_as_every_type(void)
{
    ZT_CHECK(zh_test_doc_count >= 40);
    const zh_schema_family *fams[] = {&zh_schema_hcs, &zh_schema_hcn};
    for (size_t d = 0; d < zh_test_doc_count; d++) {
        const char *text = zh_test_docs[d].text;
        size_t len = strlen(text);
        compare_validate(text, len, zh_test_docs[d].file);
        for (size_t f = 0; f < 2; f++)
            for (size_t i = 0; i < fams[f]->count; i++)
                compare(fams[f]->types[i], text, len, zh_test_docs[d].file);
    }
    printf("  %zu parses compared, %zu accepted by both\n", compared, accepted);
    ZT_CHECK(accepted > 1000);
}

static void every_document_cut_and_damaged(void)
{
    static const char bytes[] = {'"', '1', '}', '\\', 'n', (char)0xC3, ' '};
    size_t before = compared;
    for (size_t d = 0; d < zh_test_doc_count; d++) {
        const zh_test_doc *doc = &zh_test_docs[d];
        const zh_stype *t = type_of(doc->type);
        ZT_REQUIRE(t != NULL);
        size_t len = strlen(doc->text);
        char *buf = malloc(len + 1);
        ZT_REQUIRE(buf != NULL);
        /* every byte of small documents; about 100 places spread over a large one (each
         * parse reads the whole document: every byte of every document would take minutes
         * under the sanitizers) */
        size_t step = 1 + len / 96, k = 0;
        for (size_t cut = 0; cut < len; cut += step) {
            memcpy(buf, doc->text, cut); /* exactly `cut` bytes: no NUL to lean on */
            compare(t, buf, cut, doc->file);
            compare_validate(buf, cut, doc->file);
        }
        for (size_t at = 0; at < len; at += step, k++) {
            for (size_t b = 0; b < 3; b++) { /* three of the replacement bytes, in turn */
                memcpy(buf, doc->text, len + 1);
                buf[at] = bytes[(k + b) % sizeof bytes];
                compare(t, buf, len, doc->file);
                compare_validate(buf, len, doc->file);
            }
        }
        free(buf);
    }
    printf("  %zu damaged documents compared\n", compared - before);
}

/* Nesting around the 128-level limit, in an unknown member and in an `Any` value. */
static void deep_nesting_agrees(void)
{
    const zh_stype *cs = type_of("hcs:ComputeSystem"), *pp = type_of("hcs:ProcessParameters");
    ZT_REQUIRE(cs && pp);
    char *buf = malloc(4096);
    ZT_REQUIRE(buf != NULL);
    for (int depth = 120; depth <= 131; depth++) {
        for (int form = 0; form < 4; form++) {
            size_t n = 0;
            n += (size_t)sprintf(buf + n, form < 2 ? "{\"Unknown\":" : "{\"Environment\":{\"A\":\"b\"},\"X\":");
            for (int i = 0; i < depth; i++)
                n += (size_t)sprintf(buf + n, form % 2 ? "{\"k\":" : "[");
            n += (size_t)sprintf(buf + n, "1");
            for (int i = 0; i < depth; i++)
                buf[n++] = form % 2 ? '}' : ']';
            buf[n++] = '}';
            buf[n] = '\0';
            compare(form < 2 ? cs : pp, buf, n, "deep");
            compare_validate(buf, n, "deep");
        }
    }
    free(buf);
}

static const zt_case cases[] = {
    ZT_CASE(deep_nesting_agrees),
    ZT_CASE(every_document_as_every_type),
    ZT_CASE(every_document_cut_and_damaged),
};
ZT_MAIN(cases)

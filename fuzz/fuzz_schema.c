/* SPDX-License-Identifier: MIT */
/* fuzz_schema.c - libFuzzer target for one schema document family.
 *
 * Built once per family with -DZH_FUZZ_FAMILY=hcs|hcn and -DZH_FUZZ_TYPE="TypeName"
 * (fuzz/CMakeLists.txt). For every input: parsing never crashes or leaks; a document that
 * parses emits, the emitted text parses again and emits to exactly the same text, and the
 * strict walk agrees between the two trees. The one-pass parser and the former tree parser
 * (zh_schema_parse_tree) agree: both accept or both reject, and what they accept emits the
 * same text. Any broken invariant aborts, which libFuzzer reports with the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "zh_schema.h"

#define STR_(x) #x
#define STR(x) STR_(x)

#define FAMILY_(f) zh_schema_##f
#define FAMILY(f) FAMILY_(f)
extern const zh_schema_family FAMILY(ZH_FUZZ_FAMILY);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const zh_stype *type;
    if (!type) {
        type = zh_schema_family_find(&FAMILY(ZH_FUZZ_FAMILY), ZH_FUZZ_TYPE);
        if (!type)
            abort();
    }
    zh_error *err = NULL;
    void *v = zh_schema_parse(type, (const char *)data, size, "fuzz", &err);
    void *ref = zh_schema_parse_tree(type, (const char *)data, size, "fuzz", NULL);
    if (!v != !ref)
        abort(); /* the one-pass parser and the tree parser disagree */
    if (!v) {
        if (!err || !zh_error_message(err)[0])
            abort(); /* a failure always says why */
        zh_error_free(err);
        return 0;
    }
    char *out = zh_schema_emit(type, v, "fuzz", &err);
    if (!out)
        abort(); /* whatever parsed must emit */
    char *ref_out = zh_schema_emit(type, ref, "fuzz", NULL);
    if (!ref_out || strcmp(out, ref_out) != 0)
        abort(); /* and the same text as the tree parser's result */
    free(ref_out);
    zh_schema_free(ref);
    void *v2 = zh_schema_parse(type, out, strlen(out), "fuzz", &err);
    if (!v2)
        abort(); /* and what we emit must parse */
    char *out2 = zh_schema_emit(type, v2, "fuzz", &err);
    if (!out2 || strcmp(out, out2) != 0)
        abort(); /* emitting is deterministic and a fixed point */
    if (zh_schema_unknowns(type, v, NULL, 0) != zh_schema_unknowns(type, v2, NULL, 0))
        abort(); /* unknown members and values survive the round trip */
    free(out);
    free(out2);
    zh_schema_free(v);
    zh_schema_free(v2);
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* cmd_schema.c - hcsctl schema list | check: the schema conformance tool.
 *
 * Type names are Microsoft's; a name both schemas use (Version, ModifySettingRequest,
 * RegistryKey, ...) needs an hcs: or hcn: prefix, and every name is accepted with one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/schema.h>
#include <zhns/schema.h>

#include "hcsctl.h"

#define MAX_DOCUMENT ((size_t)64 << 20)

static int in_hcs(const char *name)
{
    for (size_t i = 0; i < zhcs_schema_type_count(); i++)
        if (strcmp(zhcs_schema_type_name(i), name) == 0)
            return 1;
    return 0;
}

static int in_hcn(const char *name)
{
    for (size_t i = 0; i < zhns_schema_type_count(); i++)
        if (strcmp(zhns_schema_type_name(i), name) == 0)
            return 1;
    return 0;
}

static int list(const hcsctl_opts *o)
{
    if (o->json)
        putchar('[');
    int first = 1;
    for (int fam = 0; fam < 2; fam++) {
        size_t n = fam == 0 ? zhcs_schema_type_count() : zhns_schema_type_count();
        for (size_t i = 0; i < n; i++) {
            const char *name = fam == 0 ? zhcs_schema_type_name(i) : zhns_schema_type_name(i);
            int shared = fam == 0 ? in_hcn(name) : in_hcs(name);
            if (o->json) {
                printf("%s{\"family\":\"%s\",\"name\":", first ? "" : ",", fam == 0 ? "hcs" : "hcn");
                hcsctl_print_json_string(name);
                printf(",\"needs_prefix\":%s}", shared ? "true" : "false");
            } else {
                printf("%s%s%s\n", shared ? (fam == 0 ? "hcs:" : "hcn:") : "", name, "");
            }
            first = 0;
        }
    }
    if (o->json)
        puts("]");
    return HCSCTL_OK;
}

static int check(const hcsctl_opts *o, int argc, char **argv)
{
    const char *type = NULL, *file = "-";
    int emit = 0, strict = 0, positional = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--emit") == 0)
            emit = 1;
        else if (strcmp(argv[i], "--strict") == 0)
            strict = 1;
        else if (positional == 0 && (positional = 1))
            type = argv[i];
        else if (positional == 1 && (positional = 2))
            file = argv[i];
        else
            return hcsctl_usage_error("schema check: unexpected \"%s\"", argv[i]);
    }
    if (!type)
        return hcsctl_usage_error("schema check needs a TYPE (hcsctl schema list shows them)");
    int hcs;
    const char *name = type;
    if (strncmp(type, "hcs:", 4) == 0) {
        hcs = 1;
        name = type + 4;
    } else if (strncmp(type, "hcn:", 4) == 0) {
        hcs = 0;
        name = type + 4;
    } else if (in_hcs(type) && in_hcn(type)) {
        return hcsctl_usage_error("%s is a type of both schemas: say hcs:%s or hcn:%s", type, type, type);
    } else {
        hcs = in_hcs(type);
    }
    if (!(hcs ? in_hcs(name) : in_hcn(name))) {
        return hcsctl_usage_error("%s is not a schema type (hcsctl schema list shows them)", type);
    }
    size_t len = 0;
    char *text = hcsctl_read_input(file, MAX_DOCUMENT, &len);
    if (!text)
        return HCSCTL_FAILED;
    char *out = NULL;
    const char *message = NULL;
    zhcs_error *cerr = NULL;
    zhns_error *nerr = NULL;
    unsigned flags = strict ? ZHCS_SCHEMA_STRICT : 0;
    char **want = emit ? &out : NULL;
    int rc = hcs ? zhcs_schema_check(name, text, len, flags, want, &cerr)
                 : zhns_schema_check(name, text, len, flags, want, &nerr);
    if (rc < 0)
        message = hcs ? zhcs_error_message(cerr) : zhns_error_message(nerr);
    if (o->json) {
        printf("{\"type\":");
        hcsctl_print_json_string(type);
        printf(",\"valid\":%s", rc == 0 ? "true" : "false");
        if (rc < 0) {
            printf(",\"error\":");
            hcsctl_print_json_string(message);
        } else if (emit) {
            printf(",\"document\":%s", out);
        }
        puts("}");
    } else if (rc < 0) {
        fprintf(stderr, "%s: %s\n", strcmp(file, "-") == 0 ? "<stdin>" : file, message);
    } else if (emit) {
        puts(out);
    } else {
        printf("%s: valid %s\n", strcmp(file, "-") == 0 ? "<stdin>" : file, type);
    }
    if (hcs)
        zhcs_string_free(out);
    else
        zhns_string_free(out);
    zhcs_error_free(cerr);
    zhns_error_free(nerr);
    free(text);
    return rc == 0 ? HCSCTL_OK : HCSCTL_FAILED;
}

int hcsctl_schema(const hcsctl_opts *o, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "list") == 0)
        return argc == 1 ? list(o) : hcsctl_usage_error("schema list: unexpected \"%s\"", argv[1]);
    if (argc >= 1 && strcmp(argv[0], "check") == 0)
        return check(o, argc - 1, argv + 1);
    if (argc == 0)
        return hcsctl_usage_error("schema needs a subcommand: list or check");
    return hcsctl_usage_error("schema: unknown subcommand \"%s\" (list, check)", argv[0]);
}

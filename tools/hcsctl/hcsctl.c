/* hcsctl.c - the command-line tool over zhcs and zhns, in the spirit of hcsdiag and
 * hnsdiag. This file parses the global options and dispatches to the command groups. */
#include "hcsctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/zhcs.h>
#include <zhns/zhns.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: hcsctl [--connect URI] [--json] COMMAND ...\n"
            "\n"
            "commands:\n"
            "  schema list                    the HCS and HCN schema type names\n"
            "  schema check TYPE [FILE|-]     parse a document as TYPE (e.g. ComputeSystem,\n"
            "                                 HostComputeEndpoint, hcs:Version); --emit prints it re-emitted,\n"
            "                                 --strict rejects members and values the schema does not know\n"
            "  version                        the library versions\n"
            "\n"
            "exit status: 0 success, 1 failure or invalid document, 2 bad command line\n");
}

char *hcsctl_read_input(const char *path, size_t limit, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "hcsctl: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap - 1) {
            if (cap > limit) {
                fprintf(stderr, "hcsctl: %s: larger than the %zu-byte limit\n", path, limit);
                free(buf);
                buf = NULL;
                break;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                fprintf(stderr, "hcsctl: %s: read error\n", path);
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    if (!buf)
        return NULL;
    if (n > limit) {
        fprintf(stderr, "hcsctl: %s: larger than the %zu-byte limit\n", path, limit);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

void hcsctl_print_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    hcsctl_opts o = {NULL, 0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            o.json = 1;
        } else if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc) {
            o.connect = argv[++i];
        } else if (strncmp(argv[i], "--connect=", 10) == 0) {
            o.connect = argv[i] + 10;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return HCSCTL_OK;
        } else {
            fprintf(stderr, "hcsctl: unknown option %s\n", argv[i]);
            usage(stderr);
            return HCSCTL_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return HCSCTL_USAGE;
    }
    const char *cmd = argv[i];
    if (strcmp(cmd, "schema") == 0)
        return hcsctl_schema(&o, argc - i - 1, argv + i + 1);
    if (strcmp(cmd, "version") == 0) {
        if (o.json)
            printf("{\"zhcs\":\"%s\",\"zhns\":\"%s\"}\n", zhcs_version(), zhns_version());
        else
            printf("zhcs %s\nzhns %s\n", zhcs_version(), zhns_version());
        return HCSCTL_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        usage(stdout);
        return HCSCTL_OK;
    }
    fprintf(stderr, "hcsctl: unknown command \"%s\"\n", cmd);
    usage(stderr);
    return HCSCTL_USAGE;
}

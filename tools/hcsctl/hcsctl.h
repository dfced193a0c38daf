/* hcsctl.h - shared pieces of the hcsctl command-line tool. */
#ifndef HCSCTL_H
#define HCSCTL_H

#include <stddef.h>

/* Exit codes (documented in docs/hcsctl.md). */
enum {
    HCSCTL_OK = 0,
    HCSCTL_FAILED = 1, /* the operation failed or the document is invalid */
    HCSCTL_USAGE = 2   /* bad command line */
};

typedef struct hcsctl_opts {
    const char *connect; /* --connect URI */
    int json;            /* --json */
} hcsctl_opts;

int hcsctl_schema(const hcsctl_opts *o, int argc, char **argv);

/* Reads a whole file ("-" = standard input), at most `limit` bytes; NULL on failure (the
 * reason printed). *len receives the length; the text is NUL-terminated. */
char *hcsctl_read_input(const char *path, size_t limit, size_t *len);

/* Prints `s` as a JSON string to stdout. */
void hcsctl_print_json_string(const char *s);

#endif /* HCSCTL_H */

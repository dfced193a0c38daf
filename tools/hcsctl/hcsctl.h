/* hcsctl.h - shared pieces of the hcsctl command-line tool: options, connecting, output
 * (aligned tables, JSON), errors. */
#ifndef HCSCTL_H
#define HCSCTL_H

#include <stddef.h>
#include <stdint.h>

#include <zhcs/zhcs.h>
#include <zhns/zhns.h>

/* Exit codes (documented in docs/hcsctl.md). `exec` passes the process's own exit code
 * through and uses HCSCTL_EXEC_FAILED when it could not run the process at all. */
enum {
    HCSCTL_OK = 0,
    HCSCTL_FAILED = 1, /* the operation failed or the document is invalid */
    HCSCTL_USAGE = 2,  /* bad command line */
    HCSCTL_EXEC_FAILED = 125
};

typedef struct hcsctl_opts {
    const char *connect; /* --connect URI, else $HCSCTL_CONNECT, else "local" on Windows */
    int json;            /* --json */
} hcsctl_opts;

int hcsctl_schema(const hcsctl_opts *o, int argc, char **argv);
int hcsctl_system(const hcsctl_opts *o, const char *cmd, int argc, char **argv);
int hcsctl_process(const hcsctl_opts *o, const char *cmd, int argc, char **argv);
int hcsctl_network(const hcsctl_opts *o, const char *cmd, int argc, char **argv);
int hcsctl_sim(const hcsctl_opts *o, int argc, char **argv); /* cmd_sim.c */
/* 1 when `cmd` belongs to that group */
int hcsctl_is_system_command(const char *cmd);
int hcsctl_is_process_command(const char *cmd);
int hcsctl_is_network_command(const char *cmd);

/* ---- connecting ---- */
/* The URI to use, or NULL after printing how to choose one (off Windows, no default). */
const char *hcsctl_uri(const hcsctl_opts *o);
/* 0, or HCSCTL_FAILED/HCSCTL_USAGE with the reason printed. */
int hcsctl_open_hcs(const hcsctl_opts *o, zhcs_service **svc);
int hcsctl_open_hcn(const hcsctl_opts *o, zhns_service **svc);

/* ---- errors: one line on standard error (a JSON object with --json); returns
 * HCSCTL_FAILED and frees the error ---- */
int hcsctl_fail(const hcsctl_opts *o, const char *what, zhcs_error *err);
int hcsctl_fail_hcn(const hcsctl_opts *o, const char *what, zhns_error *err);
/* A usage error: "hcsctl: <message>" and HCSCTL_USAGE. */
#if defined(__MINGW32__)
#define HCSCTL_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__)
#define HCSCTL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HCSCTL_PRINTF(f, a)
#endif
int hcsctl_usage_error(const char *fmt, ...) HCSCTL_PRINTF(1, 2);

/* ---- input ---- */
/* "--name VALUE" or "--name=VALUE" at argv[*i]: 1 with *out set (and *i advanced past the
 * value), 0 when argv[*i] is not that option, -1 when its value is missing. */
int hcsctl_opt(int *i, int argc, char **argv, const char *name, const char **out);
/* Reads a whole file ("-" = standard input), at most `limit` bytes; NULL on failure (the
 * reason printed). *len receives the length; the text is NUL-terminated. */
char *hcsctl_read_input(const char *path, size_t limit, size_t *len);
/* A document argument: "@FILE", "-" (standard input), a file name, or inline JSON
 * (starting with '{' or '['). NULL with the reason printed. */
char *hcsctl_document(const char *arg);
/* Parses seconds ("30", "1.5") into milliseconds; -1 when not a number. */
long hcsctl_seconds(const char *s);

/* ---- output ---- */
/* Prints `s` as a JSON string to stdout (NULL as null). */
void hcsctl_print_json_string(const char *s);
/* Prints a JSON document indented, for people. */
void hcsctl_print_json_pretty(const char *json);

typedef struct hcsctl_table hcsctl_table;
/* A table with `ncols` columns named in `headers` (also the JSON member names, lower-cased
 * with spaces as '_'). Cells are copied; NULL cells print "-" (null in JSON). */
hcsctl_table *hcsctl_table_new(size_t ncols, const char *const *headers);
void hcsctl_table_add(hcsctl_table *t, const char *const *cells);
/* Aligned columns for people, or with --json an array of objects. Frees the table. */
void hcsctl_table_print(const hcsctl_opts *o, hcsctl_table *t);
/* Frees a table without printing it (accepts NULL). */
void hcsctl_table_free(hcsctl_table *t);

#endif /* HCSCTL_H */

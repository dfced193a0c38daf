/* SPDX-License-Identifier: MIT */
/* hcsctl.h - shared pieces of the hcsctl command-line tool: options, connecting, output
 * (aligned tables, JSON), errors. */
#ifndef HCSCTL_H
#define HCSCTL_H

#include <stddef.h>
#include <stdio.h>
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

/* Every command runs as `run(o, name, argc, argv)`: `name` is the command word (the table
 * entry's name), argv what follows it (global options taken out). Returns an exit code. */
typedef int (*hcsctl_run_fn)(const hcsctl_opts *o, const char *cmd, int argc, char **argv);

int hcsctl_schema(const hcsctl_opts *o, int argc, char **argv);
int hcsctl_system(const hcsctl_opts *o, const char *cmd, int argc, char **argv);
int hcsctl_process(const hcsctl_opts *o, const char *cmd, int argc, char **argv);
int hcsctl_network(const hcsctl_opts *o, const char *cmd, int argc, char **argv);
/* share ID HOST-DIR CONTAINER-DIR [--read-only] [--remove] (cmd_system.c) */
int hcsctl_share(const hcsctl_opts *o, const char *cmd, int argc, char **argv);
/* list all: every HCN object kind (cmd_network.c) */
int hcsctl_list_all(const hcsctl_opts *o, int argc, char **argv);

/* ---- the command table (hcsctl.c) ----
 * One entry per command word drives the dispatch, `--help` of every command and
 * subcommand, the usage summary, the man page (`hcsctl --man`) and the bash completion
 * (`hcsctl --completion bash`); options offered by the completion are the `--words` of the
 * entry's synopses. A new command group is one entry in COMMANDS[] (hcsctl.c) with its
 * texts, and its run function declared here. */
typedef struct hcsctl_subcommand {
    const char *name;    /* "list" */
    const char *args;    /* its synopsis after "hcsctl CMD SUB", e.g. "[--owner O] [--quiet]" */
    const char *summary; /* one line */
} hcsctl_subcommand;

typedef struct hcsctl_command {
    const char *name;    /* the command word */
    const char *section; /* the usage and man page section: "compute systems", ... */
    const char *args;    /* its synopsis after "hcsctl CMD" ("SUBCOMMAND ..." with subcommands) */
    const char *summary; /* one line */
    const char *help;    /* more lines for `CMD --help` and the man page (options...), or NULL */
    const hcsctl_subcommand *subs; /* {NULL}-terminated, or NULL */
    hcsctl_run_fn run;
} hcsctl_command;

/* The table, ended by an entry whose name is NULL. */
extern const hcsctl_command hcsctl_commands[];
const hcsctl_command *hcsctl_find_command(const char *name);

/* The whole program (main.c calls it; the argv fuzz test too). */
int hcsctl_main(int argc, char **argv);

/* ---- texts from the table (help.c) ---- */
/* `hcsctl --help`: the global options and one line per command. */
void hcsctl_print_usage(FILE *out);
/* `hcsctl CMD --help` (sub NULL) or `hcsctl CMD SUB --help`. */
void hcsctl_print_help(FILE *out, const hcsctl_command *c, const hcsctl_subcommand *sub);
/* hcsctl.1, in roff (man(7)). */
void hcsctl_print_man(FILE *out);
/* A bash completion script for hcsctl. */
void hcsctl_print_bash_completion(FILE *out);
/* Copies a process's output and error to ours as they come, until both end (cmd_process.c;
 * exec and run). The handles stay open. */
void hcsctl_stream_output(zhcs_fd out, zhcs_fd err);
/* Copies our standard input to the process's `in` on a thread of its own, closing it there
 * at end of file (cmd_process.c; exec and run). -1 when no thread could start (the
 * process's stdin is then closed). One feeder per program. */
int hcsctl_feed_stdin(zhcs_process *proc, zhcs_fd in);
/* image, layer, run (cmd_image.c) */
int hcsctl_image(const hcsctl_opts *o, const char *cmd, int argc, char **argv);
/* sim start|stop|status: the simulator service of sim:PATH (cmd_sim.c) */
int hcsctl_sim(const hcsctl_opts *o, int argc, char **argv);

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
/* A usage error: one line "hcsctl: <message>; see 'hcsctl CMD --help'" on standard error
 * (with --json the object {"error":{"what":"usage","message":...,"help":...}} there
 * instead) and HCSCTL_USAGE. CMD is the command being run (hcsctl_set_context). */
#if defined(__MINGW32__)
#define HCSCTL_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__)
#define HCSCTL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HCSCTL_PRINTF(f, a)
#endif
int hcsctl_usage_error(const char *fmt, ...) HCSCTL_PRINTF(1, 2);
/* The options and the command words ("network list") usage errors refer to. */
void hcsctl_set_context(const hcsctl_opts *o, const char *words);
/* A failure that has no zhcs/zhns error (a file that cannot be read, ...): one line
 * "hcsctl: <message>" on standard error, or {"error":{"what":...}} with --json. Returns
 * HCSCTL_FAILED. */
int hcsctl_failf(const char *fmt, ...) HCSCTL_PRINTF(1, 2);

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
/* Strict numbers: only decimal digits (and for seconds one '.' and more digits); no sign,
 * space, exponent, "nan" or "inf"; in range. 0, or HCSCTL_USAGE after a usage error that
 * names `opt`. Seconds become milliseconds, rounded; at most max_ms. */
int hcsctl_parse_seconds(const char *opt, const char *s, uint32_t max_ms, uint32_t *ms);
int hcsctl_parse_uint(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out);
/* The longest timeout: one less than INFINITE (0xFFFFFFFF ms), 4294967.294 s */
#define HCSCTL_MAX_TIMEOUT_MS 0xFFFFFFFEu

/* ---- a growing string; on allocation failure it stays as it was and `oom` is set ---- */
typedef struct hcsctl_buf {
    char *s;
    size_t len, cap;
    int oom;
} hcsctl_buf;
void hcsctl_buf_put(hcsctl_buf *b, const char *s, size_t n);
void hcsctl_buf_puts(hcsctl_buf *b, const char *s);
void hcsctl_buf_printf(hcsctl_buf *b, const char *fmt, ...) HCSCTL_PRINTF(2, 3);
/* `s` as a JSON string literal */
void hcsctl_buf_json(hcsctl_buf *b, const char *s);
void hcsctl_buf_free(hcsctl_buf *b);

/* A byte count for people: "512 B", "399.8 KiB", "64.0 MiB" (IEC, one decimal). */
void hcsctl_format_bytes(char *buf, size_t size, double bytes);

/* ---- progress: while a call waits, after a second, a line on standard error that counts
 * the seconds ("starting web1... 3 s"), wiped when done. Only when standard error is a
 * terminal and not with --json; NULL (a no-op) otherwise. ---- */
typedef struct hcsctl_progress hcsctl_progress;
hcsctl_progress *hcsctl_progress_begin(const hcsctl_opts *o, const char *what);
void hcsctl_progress_end(hcsctl_progress *p);

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

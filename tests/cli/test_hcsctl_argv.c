/* SPDX-License-Identifier: MIT */
/* test_hcsctl_argv.c - an argv fuzz matrix for hcsctl, run in one process (fast enough to
 * try thousands of command lines in seconds; under the asan preset every buffer, leak
 * and undefined behaviour counts). Every command and subcommand of hcsctl's own table
 * (so a new command is covered as soon as it is registered) is run with hostile
 * arguments: empty, huge, NaN, infinities, negative and out-of-range numbers, trailing
 * garbage, non-UTF-8 and NUL-free binary bytes, "--", unknown options, options without
 * their value, documents that are directories, missing or broken. Each run must end with
 * exit status 0, 1 or 2 (exec: also 125, "could not run it"); a crash or a sanitizer
 * report ends the test, naming the command line. Against "sim:", a private simulator
 * that is empty, so nothing waits: ids name nothing, standard input is empty. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/hcsctl/hcsctl.h"

#ifdef __has_feature
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define HAVE_DEATH_CALLBACK 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_DEATH_CALLBACK 1
#endif
#ifdef HAVE_DEATH_CALLBACK
#include <sanitizer/common_interface_defs.h>
#endif

static int report_fd = 2;         /* the real standard error; hcsctl's output goes to /dev/null */
static char current[4096];        /* the command line being run, for a crash report */

static void say(const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(report_fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

#ifdef HAVE_DEATH_CALLBACK
static void on_death(void)
{
    say("\ntest_hcsctl_argv: the sanitizer stopped hcsctl running: ");
    say(current);
    say("\n");
}
#endif

static char huge[65537];
static char non_utf8[] = "\xff\xfe\xc3\x28\xe2\x82\x80\xf0\x90";
static char binary[] = "\x01\x02\x1b[31m\x7f\x80\t\r\n\x9b";
static char *hostile[] = {
    "", huge, "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-1", "-0", "0", "1x", "abc", "1e999", "0x10",
    " 5", "5 ", "1.", ".5", "4294967.295", "4294967296", "18446744073709551616", "99999999999999999999999",
    "0.0001", non_utf8, binary, "--", "-", "--bogus", "-x", "--json=1", "@", "@/nonexistent/x", "/", ".",
    "{", "[", "{\"a\":", "{\"Container\":{}}", "%s%n%x%p", ",", "a,,b", "Statistics,", "30x", "x30", "0x0",
    "65536x1", "10.", ".10", "1.2.3", "CtrlC", "all", "list", "help"};
#define NHOSTILE (sizeof hostile / sizeof hostile[0])

/* Commands the matrix leaves out: one whose hostile arguments could reach outside the
 * private simulator (start a daemon, write files named by them) goes here, with why. */
/* image and run write and remove files in an image store their arguments can name (--store,
 * a layout path), outside the private simulator: tests/cli/flow_image.txt covers them. */
/* sim starts and stops a service process (zhsimd) for a sim:PATH. */
static const char *const LEFT_OUT[] = {"image", "run", "sim", NULL};

static int left_out(const char *name)
{
    for (size_t i = 0; LEFT_OUT[i]; i++)
        if (strcmp(LEFT_OUT[i], name) == 0)
            return 1;
    return 0;
}

static unsigned long runs, failures;

/* Runs hcsctl with "--connect sim:" (unless no_connect) and `words`; checks its exit. */
static void run(int no_connect, const char *cmd, char **words, int n)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = "hcsctl";
    if (!no_connect) {
        argv[argc++] = "--connect";
        argv[argc++] = "sim:";
    }
    for (int i = 0; i < n && argc < 15; i++)
        argv[argc++] = words[i];
    argv[argc] = NULL;
    size_t len = 0;
    current[0] = '\0';
    for (int i = 0; i < argc && len + 80 < sizeof current; i++)
        len += (size_t)snprintf(current + len, sizeof current - len, "%s'%.60s%s'", i ? " " : "", argv[i],
                                strlen(argv[i]) > 60 ? "..." : "");
    int rc = hcsctl_main(argc, argv);
    runs++;
    int ok = rc == 0 || rc == 1 || rc == 2 || (cmd && strcmp(cmd, "exec") == 0 && rc == 125);
    if (!ok) {
        char line[64];
        snprintf(line, sizeof line, "exit status %d: ", rc);
        say(line);
        say(current);
        say("\n");
        failures++;
    }
}

/* The distinct --options named in a synopsis or help text. */
static int options_of(const char *text, char opts[][32], int n, int max)
{
    for (const char *p = text ? strstr(text, "--") : NULL; p && n < max; p = strstr(p + 2, "--")) {
        if (!(p[2] >= 'a' && p[2] <= 'z'))
            continue;
        size_t k = 2;
        while ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9') || p[k] == '-')
            k++;
        if (k >= 32)
            continue;
        int seen = 0;
        for (int i = 0; i < n && !seen; i++)
            seen = strncmp(opts[i], p, k) == 0 && opts[i][k] == '\0';
        if (!seen) {
            memcpy(opts[n], p, k);
            opts[n][k] = '\0';
            n++;
        }
    }
    return n;
}

/* Every shape of command line for one command (and subcommand). */
static void matrix(const hcsctl_command *c, const hcsctl_subcommand *s)
{
    char opts[32][32];
    int nopts = options_of(c->args, opts, 0, 32);
    nopts = options_of(c->help, opts, nopts, 32);
    if (s)
        nopts = options_of(s->args, opts, nopts, 32);
    char *w[12];
    int base = 0;
    w[base++] = (char *)c->name;
    if (s)
        w[base++] = (char *)s->name;
    run(0, c->name, w, base);
    run(1, c->name, w, base); /* no service named */
    for (int k = 0; k < nopts; k++) {
        w[base] = "x";
        w[base + 1] = opts[k]; /* an option without its value */
        run(0, c->name, w, base + 2);
    }
    for (size_t h = 0; h < NHOSTILE; h++) {
        w[base] = hostile[h];
        run(0, c->name, w, base + 1);
        w[base] = "x";
        w[base + 1] = hostile[h];
        run(0, c->name, w, base + 2);
        w[base + 2] = hostile[h];
        w[base + 3] = hostile[h];
        run(0, c->name, w, base + 4);
        w[base] = hostile[h];
        w[base + 1] = "x";
        w[base + 2] = "y";
        run(0, c->name, w, base + 3);
        for (int k = 0; k < nopts; k++) {
            w[base] = "x";
            w[base + 1] = opts[k];
            w[base + 2] = hostile[h];
            run(0, c->name, w, base + 3);
            char joined[96];
            snprintf(joined, sizeof joined, "%.31s=%.40s", opts[k], hostile[h]);
            w[base + 1] = joined;
            w[base + 2] = "y";
            w[base + 3] = "z";
            run(0, c->name, w, base + 4);
        }
    }
}

int main(void)
{
    memset(huge, 'A', sizeof huge - 1);
    for (size_t i = 0; i < sizeof huge - 1; i += 11)
        huge[i] = ','; /* "AAAAAAAAAA,AAAA...": also a long --query list */
#ifdef HAVE_DEATH_CALLBACK
    __sanitizer_set_death_callback(on_death);
#endif
    unsetenv("HCSCTL_CONNECT");
    unsetenv("HCSCTL_PROGRESS");
    fflush(stdout);
    report_fd = dup(2);
    if (report_fd < 0 || !freopen("/dev/null", "r", stdin) || !freopen("/dev/null", "w", stdout) ||
        !freopen("/dev/null", "w", stderr)) {
        perror("test_hcsctl_argv: cannot redirect the standard streams");
        return 1;
    }
#ifdef HAVE_DEATH_CALLBACK
    __sanitizer_set_report_fd((void *)(intptr_t)report_fd); /* the report, where people see it */
#endif
    size_t commands = 0;
    for (const hcsctl_command *c = hcsctl_commands; c->name; c++) {
        if (left_out(c->name))
            continue;
        matrix(c, NULL);
        commands++;
        for (const hcsctl_subcommand *s = c->subs; s && s->name; s++) {
            matrix(c, s);
            commands++;
        }
    }
    /* global options with hostile values, and hostile words as the command */
    for (size_t h = 0; h < NHOSTILE; h++) {
        char *w[3] = {"--connect", hostile[h], "list"};
        if (strncmp(hostile[h], "sim:", 4) != 0)
            run(1, NULL, w, 3);
        run(0, NULL, &hostile[h], 1);
        char *j[2] = {"--json", hostile[h]};
        run(0, NULL, j, 2);
    }
    /* under --json an error is valid JSON even when an argument is not UTF-8 */
    const char *out = "test_hcsctl_argv.stderr";
    char *bad[] = {"--json", "start", non_utf8, "--timeout", binary};
    if (freopen(out, "w", stderr)) {
        run(0, "start", bad, 5);
        fflush(stderr);
    }
    if (!freopen("/dev/null", "w", stderr))
        return 1;
    FILE *f = fopen(out, "rb");
    char text[512] = "";
    size_t got = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[got] = '\0';
    if (f)
        fclose(f);
    remove(out);
    int valid = strncmp(text, "{\"error\":{\"what\":\"usage\",\"message\":\"--timeout takes seconds", 58) == 0 &&
                strstr(text, "\\u0001\\u0002\\u001b[31m\\u007f\\ufffd\\u0009\\u000d\\n\\ufffd") != NULL;
    for (size_t i = 0; i < got; i++)
        valid = valid && (unsigned char)text[i] < 0x80 && (text[i] >= 0x20 || text[i] == '\n');
    if (!valid) {
        say("test_hcsctl_argv: the --json usage error is not the escaped, ASCII-only JSON expected: ");
        say(text);
        say("\n");
        failures++;
    }

    char msg[160];
    snprintf(msg, sizeof msg, "test_hcsctl_argv: %zu commands and subcommands, %lu command lines, %lu failed\n",
             commands, runs, failures);
    say(msg);
    if (commands < 30 || runs < 1000) {
        say("test_hcsctl_argv: the matrix is smaller than it must be\n");
        return 1;
    }
    return failures ? 1 : 0;
}

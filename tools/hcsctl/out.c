/* SPDX-License-Identifier: MIT */
/* out.c - hcsctl's plumbing: choosing and opening the service, reporting errors, reading
 * documents, aligned tables and JSON output. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "hcsctl.h"

#ifdef _WIN32
#include <io.h>
#include <windows.h>
#define stderr_is_tty() _isatty(_fileno(stderr))
#else
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#define stderr_is_tty() isatty(2)
#endif

/* ------------------------------------------------------------------ connecting */
const char *hcsctl_uri(const hcsctl_opts *o)
{
    if (o->connect)
        return o->connect;
    const char *env = getenv("HCSCTL_CONNECT");
    if (env && *env)
        return env;
#ifdef _WIN32
    return "local";
#else
    hcsctl_usage_error("which service? The Windows compute services exist only on Windows: here give --connect "
                       "sim:PATH (a simulator keeping its state in directory PATH) or set HCSCTL_CONNECT=sim:PATH");
    return NULL;
#endif
}

int hcsctl_open_hcs(const hcsctl_opts *o, zhcs_service **svc)
{
    const char *uri = hcsctl_uri(o);
    if (!uri)
        return HCSCTL_USAGE;
    zhcs_error *err = NULL;
    if (zhcs_service_open(svc, uri, &err) < 0)
        return hcsctl_fail(o, "cannot open the compute service", err);
    return 0;
}

int hcsctl_open_hcn(const hcsctl_opts *o, zhns_service **svc)
{
    const char *uri = hcsctl_uri(o);
    if (!uri)
        return HCSCTL_USAGE;
    zhns_error *err = NULL;
    if (zhns_service_open(svc, uri, &err) < 0)
        return hcsctl_fail_hcn(o, "cannot open the network service", err);
    return 0;
}

/* ------------------------------------------------------------------ errors */
static void json_string_to(FILE *f, const char *s);

/* {"error":{"what":...,"hresult":"0x...","name":...,"category":...,"function":...,"message":...}}
 * on standard error. */
static void print_error_json(const char *what, int32_t hr, const char *name, const char *category,
                             const char *function, const char *message)
{
    char code[16];
    snprintf(code, sizeof code, "0x%08X", (unsigned)hr);
    const char *fields[][2] = {{"what", what}, {"hresult", code}, {"name", name},
                               {"category", category}, {"function", function}, {"message", message}};
    fflush(stdout);
    fputs("{\"error\":{", stderr);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        fprintf(stderr, "%s\"%s\":", i ? "," : "", fields[i][0]);
        const char *s = fields[i][1];
        json_string_to(stderr, s && *s ? s : NULL);
    }
    fputs("}}\n", stderr);
}

int hcsctl_fail(const hcsctl_opts *o, const char *what, zhcs_error *err)
{
    if (o && o->json) {
        print_error_json(what, zhcs_error_hresult(err), zhcs_hresult_name(zhcs_error_hresult(err)),
                         zhcs_error_category_name(zhcs_error_category_of(err)), zhcs_error_function(err),
                         zhcs_error_message(err));
    } else { /* the whole message, however long */
        size_t n = zhcs_error_format(err, NULL, 0);
        char *buf = malloc(n + 1);
        if (buf)
            zhcs_error_format(err, buf, n + 1);
        fprintf(stderr, "hcsctl: %s: %s\n", what, buf ? buf : "(out of memory)");
        free(buf);
    }
    zhcs_error_free(err);
    return HCSCTL_FAILED;
}

int hcsctl_fail_hcn(const hcsctl_opts *o, const char *what, zhns_error *err)
{
    if (o && o->json) {
        print_error_json(what, zhns_error_hresult(err), zhns_hresult_name(zhns_error_hresult(err)),
                         zhns_error_category_name(zhns_error_category_of(err)), zhns_error_function(err),
                         zhns_error_message(err));
    } else { /* the whole message, however long */
        size_t n = zhns_error_format(err, NULL, 0);
        char *buf = malloc(n + 1);
        if (buf)
            zhns_error_format(err, buf, n + 1);
        fprintf(stderr, "hcsctl: %s: %s\n", what, buf ? buf : "(out of memory)");
        free(buf);
    }
    zhns_error_free(err);
    return HCSCTL_FAILED;
}

/* What usage errors refer to: set by main before a command runs. */
static const hcsctl_opts *ctx_opts;
static char ctx_words[64];

void hcsctl_set_context(const hcsctl_opts *o, const char *words)
{
    ctx_opts = o;
    snprintf(ctx_words, sizeof ctx_words, "%s", words ? words : "");
}

/* The length of the valid UTF-8 sequence at `s`, 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F) || (c == 0xF0 && s[1] < 0x90) ||
        (c == 0xF4 && s[1] > 0x8F))
        return 0; /* overlong, a surrogate, or past U+10FFFF */
    return n;
}

/* `s` as a JSON string on `f`: control characters escaped, bytes that are not UTF-8 as
 * U+FFFD (arguments may be anything; the output stays valid JSON). */
static void json_string_to(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        unsigned char c = *p;
        size_t n = utf8_len(p);
        if (n == 0) {
            fputs("\\ufffd", f);
            p++;
            continue;
        }
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20 || c == 0x7F)
            fprintf(f, "\\u%04x", c);
        else
            fwrite(p, 1, n, f);
        p += n;
    }
    fputc('"', f);
}

/* The message, with control characters (from hostile arguments) shown as '?': one line. */
static void one_line_to(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7F ? '?' : *s, f);
}

static char *vformat(const char *fmt, va_list ap) HCSCTL_PRINTF(1, 0);
static char *vformat(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *msg = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (msg)
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    return msg;
}

int hcsctl_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    char help[96];
    snprintf(help, sizeof help, "hcsctl%s%s --help", *ctx_words ? " " : "", ctx_words);
    fflush(stdout);
    if (ctx_opts && ctx_opts->json) {
        fputs("{\"error\":{\"what\":\"usage\",\"message\":", stderr);
        json_string_to(stderr, msg ? msg : "bad command line");
        fputs(",\"help\":", stderr);
        json_string_to(stderr, help);
        fputs("}}\n", stderr);
    } else {
        fputs("hcsctl: ", stderr);
        one_line_to(stderr, msg ? msg : "bad command line");
        fprintf(stderr, "; see '%s'\n", help);
    }
    free(msg);
    return HCSCTL_USAGE;
}

int hcsctl_failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = vformat(fmt, ap);
    va_end(ap);
    fflush(stdout);
    if (ctx_opts && ctx_opts->json) {
        fputs("{\"error\":{\"what\":", stderr);
        json_string_to(stderr, msg ? msg : "out of memory");
        fputs("}}\n", stderr);
    } else {
        fputs("hcsctl: ", stderr);
        one_line_to(stderr, msg ? msg : "out of memory");
        fputc('\n', stderr);
    }
    free(msg);
    return HCSCTL_FAILED;
}

/* ------------------------------------------------------------------ input */
char *hcsctl_read_input(const char *path, size_t limit, size_t *len)
{
    int is_stdin = strcmp(path, "-") == 0;
    if (!*path) {
        hcsctl_failf("an empty file name");
        return NULL;
    }
    struct stat st;
    if (!is_stdin && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        hcsctl_failf("%s: is a directory, not a document", path);
        return NULL;
    }
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        hcsctl_failf("%s: %s", path, strerror(errno));
        return NULL;
    }
    const char *name = is_stdin ? "<stdin>" : path;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        hcsctl_failf("out of memory");
    while (buf) {
        if (n == cap - 1) {
            if (cap > limit) {
                hcsctl_failf("%s: larger than the %zu-byte limit", name, limit);
                free(buf);
                buf = NULL;
                break;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                hcsctl_failf("out of memory");
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
                hcsctl_failf("%s: read error: %s", name, strerror(errno));
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
        hcsctl_failf("%s: larger than the %zu-byte limit", name, limit);
        free(buf);
        return NULL;
    }
    /* the text is read whole: a NUL inside would cut it short unseen */
    const char *nul = memchr(buf, '\0', n);
    if (nul) {
        hcsctl_failf("%s: a NUL byte at offset %zu: not a text document", name, (size_t)(nul - buf));
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int hcsctl_opt(int *i, int argc, char **argv, const char *name, const char **out)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return 0;
    if (argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        return 1;
    }
    if (argv[*i][n] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *out = argv[++*i];
    return 1;
}

char *hcsctl_document(const char *arg)
{
    size_t len = 0;
    if (!*arg) {
        hcsctl_failf("an empty document argument (a file, -, @FILE or the JSON itself)");
        return NULL;
    }
    if (arg[0] == '{' || arg[0] == '[') {
        char *copy = malloc(strlen(arg) + 1);
        if (copy)
            strcpy(copy, arg);
        return copy;
    }
    return hcsctl_read_input(arg[0] == '@' ? arg + 1 : arg, (size_t)64 << 20, &len);
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

int hcsctl_parse_seconds(const char *opt, const char *s, uint32_t max_ms, uint32_t *ms)
{
    /* DIGITS[.DIGITS]: the integer part is bounded first, so nothing overflows */
    const char *dot = strchr(s, '.');
    size_t whole = dot ? (size_t)(dot - s) : strlen(s);
    int ok = all_digits(s, whole) && (!dot || all_digits(dot + 1, strlen(dot + 1)));
    uint64_t v = 0;
    for (size_t i = 0; ok && i < whole; i++) {
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > max_ms / 1000 + 1)
            break; /* out of range already */
    }
    if (ok) {
        v *= 1000;
        /* milliseconds from the first three decimals, rounded by the fourth */
        const char *frac = dot ? dot + 1 : "";
        uint64_t scale = 100;
        for (size_t i = 0; i < 3 && frac[i]; i++, scale /= 10)
            v += (uint64_t)(frac[i] - '0') * scale;
        if (strlen(frac) > 3 && frac[3] >= '5')
            v++;
    }
    if (!ok)
        return hcsctl_usage_error("%s takes seconds (digits, e.g. 30 or 1.5), not \"%s\"", opt, s);
    if (v > max_ms)
        return hcsctl_usage_error("%s: %s seconds is more than the longest, %u.%03u", opt, s, (unsigned)(max_ms / 1000),
                                  (unsigned)(max_ms % 1000));
    *ms = (uint32_t)v;
    return 0;
}

int hcsctl_parse_uint(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    size_t n = strlen(s);
    uint64_t v = 0;
    int ok = all_digits(s, n), over = 0;
    for (size_t i = 0; ok && i < n && !over; i++) {
        if (v > (UINT64_MAX - 9) / 10)
            over = 1;
        else
            v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (!ok)
        return hcsctl_usage_error("%s takes a whole number (digits), not \"%s\"", opt, s);
    if (over || v < min || v > max)
        return hcsctl_usage_error("%s takes a number from %llu to %llu, not %s", opt, (unsigned long long)min,
                                  (unsigned long long)max, s);
    *out = v;
    return 0;
}

/* ------------------------------------------------------------------ strings */
void hcsctl_buf_put(hcsctl_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->s, cap);
        if (!grown) {
            b->oom = 1;
            return;
        }
        b->s = grown;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void hcsctl_buf_puts(hcsctl_buf *b, const char *s)
{
    hcsctl_buf_put(b, s, strlen(s));
}

void hcsctl_buf_printf(hcsctl_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = vformat(fmt, ap);
    va_end(ap);
    if (!text) {
        b->oom = 1;
        return;
    }
    hcsctl_buf_puts(b, text);
    free(text);
}

void hcsctl_buf_json(hcsctl_buf *b, const char *s)
{
    hcsctl_buf_puts(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            hcsctl_buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            hcsctl_buf_printf(b, "\\u%04x", c);
        else
            hcsctl_buf_put(b, s, 1);
    }
    hcsctl_buf_puts(b, "\"");
}

void hcsctl_buf_free(hcsctl_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

void hcsctl_format_bytes(char *buf, size_t size, double bytes)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (!(bytes >= 0)) /* NaN too */
        bytes = 0;
    if (bytes < 1024) {
        snprintf(buf, size, "%.0f B", bytes);
        return;
    }
    size_t u = 0;
    bytes /= 1024;
    while (bytes >= 1023.95 && u + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, size, "%.1f %s", bytes, units[u]);
}

/* ------------------------------------------------------------------ progress */
struct hcsctl_progress {
    char what[128];
    int done, shown;
#ifdef _WIN32
    HANDLE wake, thread;
#else
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
#endif
};

/* After a second, and every second after it, "\rWHAT... N s" until done; then the line
 * is wiped. */
#ifdef _WIN32
static DWORD WINAPI progress_main(LPVOID arg)
{
    hcsctl_progress *p = arg;
    for (unsigned s = 1; WaitForSingleObject(p->wake, 1000) == WAIT_TIMEOUT; s++) {
        fprintf(stderr, "\r%s... %u s ", p->what, s);
        fflush(stderr);
        p->shown = 1;
    }
    return 0;
}
#else
static void *progress_main(void *arg)
{
    hcsctl_progress *p = arg;
    struct timespec at;
    clock_gettime(CLOCK_REALTIME, &at);
    pthread_mutex_lock(&p->mu);
    for (unsigned s = 1;; s++) {
        at.tv_sec += 1;
        while (!p->done && pthread_cond_timedwait(&p->cv, &p->mu, &at) == 0)
            ;
        if (p->done)
            break;
        fprintf(stderr, "\r%s... %u s ", p->what, s);
        fflush(stderr);
        p->shown = 1;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}
#endif

hcsctl_progress *hcsctl_progress_begin(const hcsctl_opts *o, const char *what)
{
    const char *force = getenv("HCSCTL_PROGRESS"); /* "always": also when not a terminal (tests) */
    if (o->json || !(stderr_is_tty() || (force && strcmp(force, "always") == 0)))
        return NULL;
    hcsctl_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    snprintf(p->what, sizeof p->what, "%s", what);
    for (char *c = p->what; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = '?';
#ifdef _WIN32
    p->wake = CreateEventW(NULL, TRUE, FALSE, NULL);
    p->thread = p->wake ? CreateThread(NULL, 0, progress_main, p, 0, NULL) : NULL;
    if (!p->thread) {
        if (p->wake)
            CloseHandle(p->wake);
        free(p);
        return NULL;
    }
#else
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, progress_main, p) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        free(p);
        return NULL;
    }
#endif
    return p;
}

void hcsctl_progress_end(hcsctl_progress *p)
{
    if (!p)
        return;
#ifdef _WIN32
    SetEvent(p->wake);
    WaitForSingleObject(p->thread, INFINITE);
    CloseHandle(p->thread);
    CloseHandle(p->wake);
#else
    pthread_mutex_lock(&p->mu);
    p->done = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
#endif
    if (p->shown) {
        /* wipe the line: spaces over it, back to its start */
        fprintf(stderr, "\r%*s\r", (int)strlen(p->what) + 16, "");
        fflush(stderr);
    }
    free(p);
}

/* ------------------------------------------------------------------ JSON output */
void hcsctl_print_json_string(const char *s)
{
    json_string_to(stdout, s);
}

void hcsctl_print_json_pretty(const char *json)
{
    int depth = 0, in_string = 0;
    for (const char *p = json; *p; p++) {
        char c = *p;
        if (in_string) {
            putchar(c);
            if (c == '\\' && p[1])
                putchar(*++p);
            else if (c == '"')
                in_string = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_string = 1;
            putchar(c);
            break;
        case '{':
        case '[':
            if ((p[1] == '}' && c == '{') || (p[1] == ']' && c == '[')) {
                putchar(c);
                putchar(*++p);
                break;
            }
            putchar(c);
            depth++;
            printf("\n%*s", depth * 2, "");
            break;
        case '}':
        case ']':
            depth--;
            printf("\n%*s%c", depth * 2, "", c);
            break;
        case ',':
            printf(",\n%*s", depth * 2, "");
            break;
        case ':':
            fputs(": ", stdout);
            break;
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            break;
        default:
            putchar(c);
        }
    }
    putchar('\n');
}

/* ------------------------------------------------------------------ tables */
struct hcsctl_table {
    size_t ncols, nrows, cap;
    char **headers;
    char **cells; /* nrows * ncols */
};

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = malloc(strlen(s) + 1);
    if (d)
        strcpy(d, s);
    return d;
}

hcsctl_table *hcsctl_table_new(size_t ncols, const char *const *headers)
{
    hcsctl_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->headers = calloc(ncols, sizeof *t->headers);
    if (!t->headers) {
        free(t);
        return NULL;
    }
    for (size_t i = 0; i < ncols; i++)
        t->headers[i] = dup_or_null(headers[i]);
    return t;
}

void hcsctl_table_add(hcsctl_table *t, const char *const *cells)
{
    if (!t)
        return;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **grown = realloc(t->cells, cap * t->ncols * sizeof *grown);
        if (!grown)
            return;
        t->cells = grown;
        t->cap = cap;
    }
    for (size_t i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = dup_or_null(cells[i]);
    t->nrows++;
}

static void json_key(const char *header)
{
    putchar('"');
    for (const char *p = header; *p; p++)
        putchar(*p == ' ' ? '_' : (*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
    putchar('"');
}

/* Display width of UTF-8 text (code points; good enough for ids and names). */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

void hcsctl_table_print(const hcsctl_opts *o, hcsctl_table *t)
{
    if (!t)
        return;
    if (o->json) {
        putchar('[');
        for (size_t r = 0; r < t->nrows; r++) {
            printf("%s{", r ? "," : "");
            for (size_t c = 0; c < t->ncols; c++) {
                if (c)
                    putchar(',');
                json_key(t->headers[c]);
                putchar(':');
                hcsctl_print_json_string(t->cells[r * t->ncols + c]);
            }
            putchar('}');
        }
        puts("]");
    } else {
        size_t *w = calloc(t->ncols, sizeof *w);
        for (size_t c = 0; w && c < t->ncols; c++) {
            w[c] = width(t->headers[c]);
            for (size_t r = 0; r < t->nrows; r++) {
                const char *cell = t->cells[r * t->ncols + c];
                size_t cw = width(cell ? cell : "-");
                if (cw > w[c])
                    w[c] = cw;
            }
        }
        for (size_t r = 0; w && r <= t->nrows; r++) {
            for (size_t c = 0; c < t->ncols; c++) {
                const char *cell = r == 0 ? t->headers[c] : t->cells[(r - 1) * t->ncols + c];
                if (!cell)
                    cell = "-";
                if (c + 1 == t->ncols)
                    fputs(cell, stdout);
                else
                    printf("%s%*s", cell, (int)(w[c] - width(cell) + 2), "");
            }
            putchar('\n');
        }
        free(w);
    }
    hcsctl_table_free(t);
}

void hcsctl_table_free(hcsctl_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    for (size_t i = 0; i < t->ncols; i++)
        free(t->headers[i]);
    free(t->cells);
    free(t->headers);
    free(t);
}

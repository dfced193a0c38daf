/* out.c - hcsctl's plumbing: choosing and opening the service, reporting errors, reading
 * documents, aligned tables and JSON output. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcsctl.h"

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
    fprintf(stderr, "hcsctl: the Windows compute services exist only on Windows; here, use the simulator:\n"
                    "        hcsctl --connect sim:PATH ...   (state kept in directory PATH, shared by every\n"
                    "                                         hcsctl and program that opens it)\n"
                    "        or set HCSCTL_CONNECT=sim:PATH\n");
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
        if (!s || !*s) {
            fputs("null", stderr);
            continue;
        }
        fputc('"', stderr);
        for (; *s; s++) {
            unsigned char c = (unsigned char)*s;
            if (c == '"' || c == '\\')
                fprintf(stderr, "\\%c", c);
            else if (c < 0x20)
                fprintf(stderr, "\\u%04x", c);
            else
                fputc(c, stderr);
        }
        fputc('"', stderr);
    }
    fputs("}}\n", stderr);
}

int hcsctl_fail(const hcsctl_opts *o, const char *what, zhcs_error *err)
{
    if (o && o->json) {
        print_error_json(what, zhcs_error_hresult(err), zhcs_hresult_name(zhcs_error_hresult(err)),
                         zhcs_error_category_name(zhcs_error_category_of(err)), zhcs_error_function(err),
                         zhcs_error_message(err));
    } else {
        char buf[2048];
        zhcs_error_format(err, buf, sizeof buf);
        fprintf(stderr, "hcsctl: %s: %s\n", what, buf);
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
    } else {
        char buf[2048];
        zhns_error_format(err, buf, sizeof buf);
        fprintf(stderr, "hcsctl: %s: %s\n", what, buf);
    }
    zhns_error_free(err);
    return HCSCTL_FAILED;
}

int hcsctl_usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hcsctl: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (hcsctl --help)\n", stderr);
    va_end(ap);
    return HCSCTL_USAGE;
}

/* ------------------------------------------------------------------ input */
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
    if (arg[0] == '{' || arg[0] == '[') {
        char *copy = malloc(strlen(arg) + 1);
        if (copy)
            strcpy(copy, arg);
        return copy;
    }
    return hcsctl_read_input(arg[0] == '@' ? arg + 1 : arg, (size_t)64 << 20, &len);
}

long hcsctl_seconds(const char *s)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < 0 || v > 86400.0 * 365)
        return -1;
    return (long)(v * 1000.0 + 0.5);
}

/* ------------------------------------------------------------------ JSON output */
void hcsctl_print_json_string(const char *s)
{
    if (!s) {
        fputs("null", stdout);
        return;
    }
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

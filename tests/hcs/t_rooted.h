/* SPDX-License-Identifier: MIT */
/* t_rooted.h - test paths under one absolute root (HCS needs absolute layer paths):
 * t_rooted(NAME, per_process, "@ROOT@/x") is "<current directory>/NAME/x" (or
 * ".../NAME-<pid>/x" per process), with '/' separators (no JSON escaping needed); one string
 * per template, kept until exit. */
#ifndef T_ROOTED_H
#define T_ROOTED_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "zh_fs.h"
#include "zh_str.h"
#ifdef _WIN32
#include <process.h>
#define t_rooted_pid _getpid
#else
#include <unistd.h>
#define t_rooted_pid getpid
#endif

static char **t_rooted_cache;
static size_t t_rooted_count;

static void t_rooted_free(void)
{
    for (size_t i = 0; i < t_rooted_count; i++)
        free(t_rooted_cache[i]);
    free(t_rooted_cache);
    t_rooted_cache = NULL;
    t_rooted_count = 0;
}

static const char *t_rooted(const char *name, bool per_process, const char *tmpl)
{
    if (!t_rooted_cache) {
        char *abs = zh_fs_absolute(name);
        char *root = abs && per_process ? zh_asprintf("%s-%ld", abs, (long)t_rooted_pid()) : abs;
        if (root != abs)
            free(abs);
        for (char *p = root; p && *p; p++)
            if (*p == '\\')
                *p = '/';
        t_rooted_cache = calloc(1, sizeof *t_rooted_cache);
        if (!root || !t_rooted_cache)
            abort();
        t_rooted_cache[t_rooted_count++] = root;
        atexit(t_rooted_free);
    }
    zh_buf b = ZH_BUF_INIT(0);
    for (const char *p = tmpl; *p;) {
        const char *at = strstr(p, "@ROOT@");
        size_t n = at ? (size_t)(at - p) : strlen(p);
        zh_buf_append(&b, p, n);
        if (!at)
            break;
        zh_buf_puts(&b, t_rooted_cache[0]);
        p = at + 6;
    }
    char *s = zh_buf_take(&b);
    for (size_t i = 1; s && i < t_rooted_count; i++)
        if (strcmp(t_rooted_cache[i], s) == 0) {
            free(s);
            return t_rooted_cache[i];
        }
    char **grown = s ? realloc(t_rooted_cache, (t_rooted_count + 1) * sizeof *t_rooted_cache) : NULL;
    if (!grown)
        abort();
    t_rooted_cache = grown;
    t_rooted_cache[t_rooted_count++] = s;
    return s;
}

#endif

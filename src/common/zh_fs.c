/* SPDX-License-Identifier: MIT */
/* zh_fs.c - portable file-system helpers for container layers (see zh_fs.h). */
#include "zh_fs.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#define ZH_MKDIR(p) _mkdir(p)
#define ZH_LSTAT(p, st) stat((p), (st))
#else
#include <unistd.h>
#define ZH_MKDIR(p) mkdir((p), 0777)
#define ZH_LSTAT(p, st) lstat((p), (st))
#endif

#include "zh_str.h"

static bool is_sep(char c)
{
#ifdef _WIN32
    return c == '/' || c == '\\';
#else
    return c == '/';
#endif
}

bool zh_fs_is_dir(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool zh_fs_is_file(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool zh_fs_exists(const char *path)
{
    struct stat st;
    return path && ZH_LSTAT(path, &st) == 0;
}

int zh_fs_mkdirs(const char *path)
{
    if (!path || !*path) {
        errno = EINVAL;
        return -1;
    }
    if (zh_fs_is_dir(path))
        return 0;
    char *p = zh_strdup(path);
    if (!p)
        return -1;
    size_t n = strlen(p);
    while (n > 1 && is_sep(p[n - 1]))
        p[--n] = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i < n && !is_sep(p[i]))
            continue;
        char c = p[i];
        p[i] = 0;
#ifdef _WIN32
        bool drive = i == 2 && p[1] == ':';
#else
        bool drive = false;
#endif
        if (!drive && !zh_fs_is_dir(p) && ZH_MKDIR(p) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        p[i] = c;
    }
    free(p);
    return zh_fs_is_dir(path) ? 0 : -1;
}

bool zh_fs_is_absolute(const char *path)
{
    if (!path)
        return false;
#ifdef _WIN32
    if (((path[0] >= 'A' && path[0] <= 'Z') || (path[0] >= 'a' && path[0] <= 'z')) && path[1] == ':')
        return is_sep(path[2]);
    return is_sep(path[0]) && is_sep(path[1]);
#else
    return path[0] == '/';
#endif
}

char *zh_fs_absolute(const char *path)
{
    if (!path)
        return NULL;
    if (zh_fs_is_absolute(path))
        return zh_strdup(path);
    char cwd[4096];
#ifdef _WIN32
    if (!_getcwd(cwd, (int)sizeof cwd))
        return NULL;
#else
    if (!getcwd(cwd, sizeof cwd))
        return NULL;
#endif
    if (!*path || (path[0] == '.' && !path[1]))
        return zh_strdup(cwd);
    return zh_fs_join(cwd, path);
}

char *zh_fs_join(const char *a, const char *b)
{
    size_t n = strlen(a);
    return zh_asprintf("%s%s%s", a, n && is_sep(a[n - 1]) ? "" : "/", b);
}

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

char **zh_fs_list(const char *dir, size_t *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    size_t cap = 8, count = 0;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (count == cap) {
            char **bigger = realloc(names, 2 * cap * sizeof *names);
            if (!bigger) {
                zh_fs_names_free(names, count);
                names = NULL;
                break;
            }
            names = bigger;
            cap *= 2;
        }
        if (!(names[count] = zh_strdup(e->d_name))) {
            zh_fs_names_free(names, count);
            names = NULL;
            break;
        }
        count++;
    }
    closedir(d);
    if (!names)
        return NULL;
    qsort(names, count, sizeof *names, cmp_names);
    *n = count;
    return names;
}

void zh_fs_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

int zh_fs_rmtree(const char *path)
{
    struct stat st;
    if (ZH_LSTAT(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return remove(path);
    size_t n = 0;
    char **names = zh_fs_list(path, &n);
    if (!names)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *child = zh_fs_join(path, names[i]);
        if (!child || zh_fs_rmtree(child) != 0)
            rc = -1;
        free(child);
    }
    zh_fs_names_free(names, n);
    if (rc == 0 && rmdir(path) != 0)
        rc = -1;
    return rc;
}

static int copy_file(const char *src, const char *dst)
{
    FILE *in = fopen(src, "rb");
    if (!in)
        return -1;
    FILE *out = fopen(dst, "wb");
    if (!out) {
        fclose(in);
        return -1;
    }
    char buf[16384];
    size_t got;
    int rc = 0;
    while ((got = fread(buf, 1, sizeof buf, in)) > 0) {
        if (fwrite(buf, 1, got, out) != got) {
            rc = -1;
            break;
        }
    }
    if (ferror(in))
        rc = -1;
    fclose(in);
    if (fclose(out) != 0)
        rc = -1;
    return rc;
}

int zh_fs_copytree(const char *src, const char *dst)
{
    struct stat st;
    if (ZH_LSTAT(src, &st) != 0)
        return -1;
#ifndef _WIN32
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t len = readlink(src, target, sizeof target - 1);
        if (len < 0)
            return -1;
        target[len] = 0;
        remove(dst);
        return symlink(target, dst);
    }
#endif
    if (!S_ISDIR(st.st_mode))
        return copy_file(src, dst);
    if (zh_fs_mkdirs(dst) != 0)
        return -1;
    size_t n = 0;
    char **names = zh_fs_list(src, &n);
    if (!names)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *s = zh_fs_join(src, names[i]);
        char *d = zh_fs_join(dst, names[i]);
        rc = s && d ? zh_fs_copytree(s, d) : -1;
        free(s);
        free(d);
    }
    zh_fs_names_free(names, n);
    return rc;
}

char *zh_fs_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    zh_buf b = ZH_BUF_INIT(0);
    char buf[8192];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        zh_buf_append(&b, buf, got);
    int bad = ferror(f) || b.failed;
    fclose(f);
    if (bad) {
        zh_buf_free(&b);
        return NULL;
    }
    if (len)
        *len = b.len;
    char *data = zh_buf_take(&b);
    return data ? data : zh_strdup("");
}

int zh_fs_write(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int rc = fwrite(data, 1, len, f) == len ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

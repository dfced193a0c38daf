/* SPDX-License-Identifier: MIT */
/* zh_fs.h - the few file-system operations container layers need, portable (POSIX and
 * Windows C runtime). Paths are UTF-8 on POSIX; on Windows they go through the C runtime's
 * narrow functions, so they must be ASCII there. Every function reports failure by return
 * value (-1 / NULL) and leaves errno set; nothing aborts. */
#ifndef ZH_FS_H
#define ZH_FS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

bool zh_fs_is_dir(const char *path);
bool zh_fs_is_file(const char *path);
bool zh_fs_exists(const char *path); /* anything, a dangling symbolic link included */

/* Creates `path` and its missing parents; 0 when it exists as a directory afterwards. */
int zh_fs_mkdirs(const char *path);

/* Removes `path` and everything under it (symbolic links are removed, never followed).
 * 0 when nothing is left, a missing path included. */
int zh_fs_rmtree(const char *path);

/* Copies the tree `src` into `dst` (created; existing files are replaced). Symbolic links are
 * copied as links (POSIX). 0 or -1. */
int zh_fs_copytree(const char *src, const char *dst);

/* The whole file (NUL-terminated; *len without the NUL when len is not NULL), or NULL. */
char *zh_fs_read(const char *path, size_t *len);
/* Writes `len` bytes to `path`, replacing it. 0 or -1. */
int zh_fs_write(const char *path, const void *data, size_t len);

/* Whether `path` is absolute: on Windows a drive letter and a separator ("C:\\x", "C:/x") or a
 * UNC or device path ("\\\\server\\share", "\\\\?\\C:\\x"); elsewhere a leading '/'. A
 * drive-relative "C:x" or a rooted "\\x" (on the current drive) is not: HCS, a service with a
 * working directory of its own, could not tell what they mean. */
bool zh_fs_is_absolute(const char *path);

/* `path` against the current directory (a copy when it is absolute already); ".." is kept
 * as it is. NULL when out of memory or the current directory is unknown. */
char *zh_fs_absolute(const char *path);

/* "a/b" (a separator added when `a` lacks one). NULL when out of memory. */
char *zh_fs_join(const char *a, const char *b);

/* The names in directory `dir` ("." and ".." left out), sorted; NULL with *n = 0 on failure
 * (an empty directory: a non-NULL array with *n = 0). Free with zh_fs_names_free. */
char **zh_fs_list(const char *dir, size_t *n);
void zh_fs_names_free(char **names, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* ZH_FS_H */

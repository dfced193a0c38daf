/* SPDX-License-Identifier: MIT */
/* sim_store.c - "sim:PATH" state: a lock file and an atomically replaced state file. */
#include "sim_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zh_hresult.h"
#include "zh_str.h"
#include "zh_utf.h"

#ifdef _WIN32
#include <io.h>
#include <winsock2.h>
#include <windows.h>
#else
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#ifdef _WIN32
static WCHAR *wide(const char *s)
{
    uint16_t *w = NULL;
    zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, "path", NULL);
    return (WCHAR *)w;
}
#endif

int sim_store_open(sim_store *s, const char *dir, zh_error **err)
{
    memset(s, 0, sizeof *s);
    s->lock = -1;
    s->dir = zh_strdup(dir);
    s->state_path = zh_asprintf("%s/state.json", dir);
    s->tmp_path = zh_asprintf("%s/state.json.tmp", dir);
    char *lock_path = zh_asprintf("%s/lock", dir);
    if (!s->dir || !s->state_path || !s->tmp_path || !lock_path) {
        free(lock_path);
        sim_store_close(s);
        return zh_error_set(err, ZH_E_OUTOFMEMORY, "zh_sim_open", "out of memory");
    }
#ifdef _WIN32
    WCHAR *wd = wide(dir), *wl = wide(lock_path);
    if (wd)
        CreateDirectoryW(wd, NULL);
    HANDLE h = wl ? CreateFileW(wl, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL)
                  : INVALID_HANDLE_VALUE;
    free(wd);
    free(wl);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        free(lock_path);
        sim_store_close(s);
        return zh_error_set(err, ZH_HR_FROM_WIN32(e), "zh_sim_open", "sim:%s: cannot open the lock file", dir);
    }
    s->lock = (intptr_t)h;
#else
    mkdir(dir, 0777); /* one level; an existing directory is fine */
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        int e = errno;
        free(lock_path);
        sim_store_close(s);
        return zh_error_set(err, e == EACCES ? ZH_E_ACCESSDENIED : ZH_E_PATH_NOT_FOUND, "zh_sim_open",
                            "sim:%s: cannot open the lock file: %s", dir, strerror(e));
    }
    s->lock = fd;
#endif
    free(lock_path);
    return 0;
}

void sim_store_close(sim_store *s)
{
    if (s->locked)
        sim_store_unlock(s);
#ifdef _WIN32
    if (s->lock != -1)
        CloseHandle((HANDLE)s->lock);
#else
    if (s->lock >= 0)
        close((int)s->lock);
#endif
    s->lock = -1;
    free(s->dir);
    free(s->state_path);
    free(s->tmp_path);
    s->dir = s->state_path = s->tmp_path = NULL;
}

int sim_store_lock(sim_store *s)
{
#ifdef _WIN32
    OVERLAPPED ov = {0};
    if (!LockFileEx((HANDLE)s->lock, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &ov))
        return -1;
#else
    while (flock((int)s->lock, LOCK_EX) < 0)
        if (errno != EINTR)
            return -1;
#endif
    s->locked = 1;
    return 0;
}

void sim_store_unlock(sim_store *s)
{
#ifdef _WIN32
    OVERLAPPED ov = {0};
    UnlockFileEx((HANDLE)s->lock, 0, 1, 0, &ov);
#else
    flock((int)s->lock, LOCK_UN);
#endif
    s->locked = 0;
}

char *sim_store_read(sim_store *s)
{
    FILE *f = fopen(s->state_path, "rb");
    if (!f)
        return NULL;
    zh_buf b = ZH_BUF_INIT(0);
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        zh_buf_append(&b, chunk, n);
    fclose(f);
    return zh_buf_take(&b);
}

int sim_store_write(sim_store *s, const char *text)
{
    /* The lock makes this process the only writer, so one temporary name suffices. */
    FILE *f = fopen(s->tmp_path, "wb");
    if (!f)
        return -1;
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len && fflush(f) == 0;
#ifdef _WIN32
    ok = ok && FlushFileBuffers((HANDLE)_get_osfhandle(_fileno(f)));
#else
    ok = ok && fsync(fileno(f)) == 0;
#endif
    ok = fclose(f) == 0 && ok;
    if (!ok)
        return -1;
#ifdef _WIN32
    WCHAR *from = wide(s->tmp_path), *to = wide(s->state_path);
    ok = from && to && MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH);
    free(from);
    free(to);
    return ok ? 0 : -1;
#else
    return rename(s->tmp_path, s->state_path) == 0 ? 0 : -1;
#endif
}

/* SPDX-License-Identifier: MIT */
/* zt_layers.h - container layers for the suites' container configurations. A container
 * needs Storage (image layers and a scratch layer), as on Windows; this makes one small
 * base layer and one scratch layer on it per process, through the simulated
 * computestorage.dll (its in-process table, or the DLL's in the Windows build), in a
 * temporary directory that is removed when the process that made it exits.
 *
 *   zt_layered("{\"Owner\":\"t\",\"Container\":{@STORAGE@}}")
 *
 * answers the document with @STORAGE@ replaced by "Storage":{"Layers":[...],"Path":...}
 * (absolute paths, JSON-escaped); the string lives until the process exits. NULL (printed)
 * when the layers cannot be made. Thread-safe. */
#ifndef ZT_LAYERS_H
#define ZT_LAYERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zh_fs.h"
#include "zh_raw.h"
#include "zh_sim.h"
#include "zh_str.h"
#include "zh_thread.h"
#include "zh_utf.h"

#ifdef _WIN32
#include <direct.h>
#include <process.h>
#include <windows.h>
#define zt_layers_pid_() ((long)_getpid())
#else
#include <unistd.h>
#define zt_layers_pid_() ((long)getpid())
#endif

#define ZT_LAYER_ID "5a7e0c1d-6b2f-5e3a-9c4d-7f8e9a0b1c2d"

static zh_mutex zt_layers_lock_ = ZH_MUTEX_INIT;
static char *zt_layers_dir_;      /* the temporary directory */
static char *zt_layers_storage_;  /* the Storage member */
static long zt_layers_owner_;     /* the process that made them */
static char **zt_layers_docs_;    /* documents handed out */
static size_t zt_layers_ndocs_;

static inline void zt_layers_cleanup_(void)
{
    if (zt_layers_dir_ && zt_layers_owner_ == zt_layers_pid_())
        zh_fs_rmtree(zt_layers_dir_);
    free(zt_layers_dir_);
    free(zt_layers_storage_);
    for (size_t i = 0; i < zt_layers_ndocs_; i++)
        free(zt_layers_docs_[i]);
    free(zt_layers_docs_);
    zt_layers_dir_ = zt_layers_storage_ = NULL;
    zt_layers_docs_ = NULL;
    zt_layers_ndocs_ = 0;
}

static inline zh_wchar *zt_layers_w_(const char *s)
{
    uint16_t *w = NULL;
    return zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, "path", NULL) < 0 ? NULL : (zh_wchar *)w;
}

/* JSON string body of s (backslashes and quotes escaped). */
static inline char *zt_layers_esc_(const char *s)
{
    zh_buf b = ZH_BUF_INIT(0);
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            zh_buf_append(&b, "\\", 1);
        zh_buf_append(&b, s, 1);
    }
    return zh_buf_take(&b);
}

static inline char *zt_layers_mkdtemp_(void)
{
#ifdef _WIN32
    char tmp[MAX_PATH];
    DWORD n = GetTempPathA(sizeof tmp, tmp);
    if (n == 0 || n >= sizeof tmp)
        return NULL;
    for (unsigned i = 0; i < 100; i++) {
        char *d = zh_asprintf("%szt-layers-%ld-%lu-%u", tmp, zt_layers_pid_(), (unsigned long)GetTickCount(), i);
        if (d && _mkdir(d) == 0)
            return d;
        free(d);
    }
    return NULL;
#else
    const char *tmp = getenv("TMPDIR");
    char *d = zh_asprintf("%s/zt-layers-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
    if (d && !mkdtemp(d)) {
        free(d);
        return NULL;
    }
    return d;
#endif
}

/* Makes the layers once; 0 or -1 (printed). Called under the lock. */
static inline int zt_layers_make_(void)
{
    if (zt_layers_storage_)
        return 0;
    const zh_hcst_table *t = zh_sim_storage_table();
    char *dir = zt_layers_mkdtemp_();
    if (!t || !dir) {
        printf("  zt_layers: no storage table or temporary directory\n");
        free(dir);
        return -1;
    }
    static int registered;
    if (!registered++)
        atexit(zt_layers_cleanup_);
    char *src = zh_fs_join(dir, "source"), *files = src ? zh_fs_join(src, "Files") : NULL;
    char *hello = files ? zh_fs_join(files, "hello.txt") : NULL;
    char *base = zh_fs_join(dir, "base"), *scratch = zh_fs_join(dir, "scratch");
    char *base_esc = base ? zt_layers_esc_(base) : NULL, *scratch_esc = scratch ? zt_layers_esc_(scratch) : NULL;
    char *data = base_esc ? zh_asprintf("{\"Layers\":[{\"Id\":\"%s\",\"Path\":\"%s\"}]}", ZT_LAYER_ID, base_esc) : NULL;
    zh_wchar *wbase = base ? zt_layers_w_(base) : NULL, *wsrc = src ? zt_layers_w_(src) : NULL;
    zh_wchar *wscratch = scratch ? zt_layers_w_(scratch) : NULL, *wdata = data ? zt_layers_w_(data) : NULL;
    zh_hresult hr = -1;
    if (hello && wbase && wsrc && wscratch && wdata && zh_fs_mkdirs(files) == 0 &&
        zh_fs_write(hello, "hello from the base layer\r\n", 27) == 0) {
        hr = t->HcsImportLayer(wbase, wsrc, NULL);
        if (hr == (zh_hresult)0x800706BA && zh_sim_open(NULL, NULL) == 0) {
            /* RPC_S_SERVER_UNAVAILABLE: no simulator is open here now (a test between two
             * of its own): one for these calls, closed again */
            hr = t->HcsImportLayer(wbase, wsrc, NULL);
            if (hr >= 0)
                hr = t->HcsInitializeWritableLayer(wscratch, wdata, NULL);
            zh_sim_close();
        } else if (hr >= 0) {
            hr = t->HcsInitializeWritableLayer(wscratch, wdata, NULL);
        }
    }
    if (hr >= 0) {
        zt_layers_dir_ = dir;
        zt_layers_owner_ = zt_layers_pid_();
    } else {
        zh_fs_rmtree(dir);
        free(dir);
    }
    if (hr >= 0)
        zt_layers_storage_ =
            zh_asprintf("\"Storage\":{\"Layers\":[{\"Id\":\"%s\",\"Path\":\"%s\"}],\"Path\":\"%s\"}", ZT_LAYER_ID,
                        base_esc, scratch_esc);
    else
        printf("  zt_layers: the layers could not be made (0x%08X)\n", (unsigned)hr);
    free(src);
    free(files);
    free(hello);
    free(base);
    free(scratch);
    free(base_esc);
    free(scratch_esc);
    free(data);
    free(wbase);
    free(wsrc);
    free(wscratch);
    free(wdata);
    return zt_layers_storage_ ? 0 : -1;
}

static inline const char *zt_layered(const char *doc)
{
    const char *at = strstr(doc, "@STORAGE@");
    char *out = NULL;
    zh_mutex_lock(&zt_layers_lock_);
    char **grown = zt_layers_make_() == 0
                       ? (char **)realloc(zt_layers_docs_, (zt_layers_ndocs_ + 1) * sizeof *zt_layers_docs_)
                       : NULL;
    if (grown) {
        zt_layers_docs_ = grown;
        out = at ? zh_asprintf("%.*s%s%s", (int)(at - doc), doc, zt_layers_storage_, at + 9) : zh_strdup(doc);
        if (out)
            zt_layers_docs_[zt_layers_ndocs_++] = out;
    }
    zh_mutex_unlock(&zt_layers_lock_);
    return out;
}

/* The Storage member alone ("Storage":{...}), or NULL (printed). */
static inline const char *zt_layers_storage(void)
{
    zh_mutex_lock(&zt_layers_lock_);
    const char *s = zt_layers_make_() == 0 ? zt_layers_storage_ : NULL;
    zh_mutex_unlock(&zt_layers_lock_);
    return s;
}

#endif /* ZT_LAYERS_H */

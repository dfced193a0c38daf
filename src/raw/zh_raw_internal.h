/* SPDX-License-Identifier: MIT */
/* zh_raw_internal.h - the zh_raw_lib structure shared by zh_raw.c and zh_raw_win32.c. */
#ifndef ZH_RAW_INTERNAL_H
#define ZH_RAW_INTERNAL_H

#include "zh_raw.h"
#include "zh_thread.h"

struct zh_raw_lib {
    const zh_raw_spec *spec;
    char *backend;
    /* table backend */
    const void *table;
    zh_raw_free_fn free_string;
#ifdef _WIN32
    /* win32 backend: everything below is guarded by `lock` */
    zh_mutex lock;
    char *dll_name;
    HMODULE module;
    int load_tried;
    DWORD load_error;
    zh_raw_fnptr *resolved;    /* spec->count entries */
    unsigned char *missing;    /* 1 once GetProcAddress said no */
#endif
};

zh_raw_fnptr zh_raw_win32_get(zh_raw_lib *lib, size_t id, zh_error **err);
void zh_raw_win32_free_string(zh_raw_lib *lib, zh_wchar *s);
void zh_raw_win32_close(zh_raw_lib *lib);

#endif /* ZH_RAW_INTERNAL_H */

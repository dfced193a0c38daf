/* SPDX-License-Identifier: MIT */
/* zh_raw.c - the table specs and the table backend; the non-Windows "local" answer. */
#include "zh_raw.h"

#include <stdlib.h>
#include <string.h>

#include "zh_hresult.h"
#include "zh_raw_internal.h"
#include "zh_str.h"
#include "zh_trace.h"

#define NAME_(ret, name, params, args) #name,
#define OFFSET_HCS_(ret, name, params, args) offsetof(zh_hcs_table, name),
#define OFFSET_HCN_(ret, name, params, args) offsetof(zh_hcn_table, name),
#define OFFSET_HCST_(ret, name, params, args) offsetof(zh_hcst_table, name),
#define COUNT_(ret, name, params, args) +1

static const char *const hcs_names[] = {ZH_HCS_EXPORTS(NAME_)};
static const size_t hcs_offsets[] = {ZH_HCS_EXPORTS(OFFSET_HCS_)};
static const char *const hcn_names[] = {ZH_HCN_EXPORTS(NAME_)};
static const size_t hcn_offsets[] = {ZH_HCN_EXPORTS(OFFSET_HCN_)};
static const char *const hcst_names[] = {ZH_HCST_EXPORTS(NAME_)};
static const size_t hcst_offsets[] = {ZH_HCST_EXPORTS(OFFSET_HCST_)};

const zh_raw_spec zh_raw_hcs_spec = {
    "computecore.dll", "HCS", ZH_HCS_ID_COUNT, hcs_names, hcs_offsets, ZH_RAW_ALLOC_HCS_RESULT,
    0 ZH_HCS_DECLARED_EXPORTS(COUNT_),
};
const zh_raw_spec zh_raw_hcn_spec = {
    "computenetwork.dll", "HCN", ZH_HCN_ID_COUNT, hcn_names, hcn_offsets, ZH_RAW_ALLOC_COTASKMEM,
    0 ZH_HCN_DECLARED_EXPORTS(COUNT_),
};
/* HcsGetLayerVhdMountPath's string: hcsshim's computestorage package frees it with
 * CoTaskMemFree. */
const zh_raw_spec zh_raw_hcst_spec = {
    "computestorage.dll", "HCS storage", ZH_HCST_ID_COUNT, hcst_names, hcst_offsets, ZH_RAW_ALLOC_COTASKMEM,
    0 ZH_HCST_DECLARED_EXPORTS(COUNT_),
};

_Static_assert(sizeof hcs_names / sizeof hcs_names[0] == ZH_HCS_ID_COUNT, "HCS names");
_Static_assert(sizeof hcn_names / sizeof hcn_names[0] == ZH_HCN_ID_COUNT, "HCN names");
_Static_assert(sizeof hcst_names / sizeof hcst_names[0] == ZH_HCST_ID_COUNT, "HCS storage names");

size_t zh_raw_spec_find(const zh_raw_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->count; i++) {
        if (strcmp(spec->names[i], name) == 0)
            return i;
    }
    return (size_t)-1;
}

zh_raw_lib *zh_raw_lib_from_table(const zh_raw_spec *spec, const void *table, zh_raw_free_fn free_string,
                                  const char *backend, zh_error **err)
{
    if (!spec || !table || !free_string) {
        zh_error_set(err, ZH_E_INVALIDARG, "zh_raw_lib_from_table", "spec, table and free function are required");
        return NULL;
    }
    zh_raw_lib *lib = calloc(1, sizeof *lib);
    char *name = zh_asprintf("table:%s", backend ? backend : "?");
    if (!lib || !name) {
        free(lib);
        free(name);
        zh_error_set(err, ZH_E_OUTOFMEMORY, "zh_raw_lib_from_table", "out of memory");
        return NULL;
    }
    lib->spec = spec;
    lib->table = table;
    lib->free_string = free_string;
    lib->backend = name;
    return lib;
}

const zh_raw_spec *zh_raw_lib_spec(const zh_raw_lib *lib)
{
    return lib->spec;
}

const char *zh_raw_lib_backend(const zh_raw_lib *lib)
{
    return lib->backend;
}

zh_raw_fnptr zh_raw_get(zh_raw_lib *lib, size_t id, zh_error **err)
{
    if (!lib || id >= lib->spec->count) {
        zh_error_set(err, ZH_E_INVALIDARG, "zh_raw_get", "no such entry point (index %zu)", id);
        return NULL;
    }
    zh_raw_fnptr fn;
    if (!lib->table) {
        fn = zh_raw_win32_get(lib, id, err);
    } else {
        memcpy(&fn, (const char *)lib->table + lib->spec->offsets[id], sizeof fn);
        if (!fn)
            zh_error_set_cat(err, ZH_E_PROC_NOT_FOUND, ZH_CAT_UNSUPPORTED, lib->spec->names[id],
                             "%s does not implement %s", lib->backend, lib->spec->names[id]);
    }
    if (fn && zh_trace_enabled(lib->spec)) /* zhcs_set_trace / zhns_set_trace */
        fn = zh_trace_wrap(lib->spec, id, fn);
    return fn;
}

void zh_raw_free_string(zh_raw_lib *lib, zh_wchar *s)
{
    if (!s)
        return;
    if (lib->table)
        lib->free_string(s);
    else
        zh_raw_win32_free_string(lib, s);
}

void zh_raw_lib_free(zh_raw_lib *lib)
{
    if (!lib)
        return;
    if (!lib->table)
        zh_raw_win32_close(lib);
    free(lib->backend);
    free(lib);
}

#ifndef _WIN32
/* Off Windows there is no real service; the win32 hooks are never reached because every
 * lib here has a table. */
zh_raw_lib *zh_raw_lib_open_local(const zh_raw_spec *spec, zh_error **err)
{
    zh_error_set_cat(err, ZH_E_NOT_SUPPORTED, ZH_CAT_UNSUPPORTED, NULL,
                     "the local %s service (%s) exists only on Windows; on this system open "
                     "\"sim:\" or \"sim:PATH\" to use the simulator",
                     spec->service, spec->dll_name);
    return NULL;
}

zh_raw_lib *zh_raw_lib_open_system_dll(const zh_raw_spec *spec, const char *dll_name, zh_error **err)
{
    zh_error_set_cat(err, ZH_E_NOT_SUPPORTED, ZH_CAT_UNSUPPORTED, NULL,
                     "%s (%s) can be loaded only on Windows", dll_name, spec->service);
    return NULL;
}

zh_raw_fnptr zh_raw_win32_get(zh_raw_lib *lib, size_t id, zh_error **err)
{
    (void)lib;
    (void)id;
    zh_error_set(err, ZH_E_UNEXPECTED, "zh_raw_get", "no backend");
    return NULL;
}

void zh_raw_win32_free_string(zh_raw_lib *lib, zh_wchar *s)
{
    (void)lib;
    (void)s;
}

void zh_raw_win32_close(zh_raw_lib *lib)
{
    (void)lib;
}
#endif

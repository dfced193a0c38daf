/* SPDX-License-Identifier: MIT */
/* zh_raw_win32.c - the win32 backend: computecore.dll / computenetwork.dll from system32.
 *
 * The DLL is loaded with LoadLibraryExW(..., LOAD_LIBRARY_SEARCH_SYSTEM32) on the first
 * request for one of its entries, never from the program's folder or the current
 * directory. Each export is resolved with GetProcAddress on first use and cached; a DLL or
 * export that is missing is reported as "unsupported on this Windows build" with the
 * function's name, and the answer is cached too, so every later request gets the same one.
 * Loader state is guarded by the lib's mutex: zh_raw_get() may be called from any thread.
 */
#include <stdlib.h>
#include <string.h>

#include <objbase.h>

#include "zh_hresult.h"
#include "zh_raw_internal.h"
#include "zh_str.h"
#include "zh_utf.h"

/* The one place HCS result documents are freed. The HCS reference says LocalFree;
 * Microsoft's own callers (hcsshim, WSL) use CoTaskMemFree, which is the default. Build with
 * -DZH_HCS_RESULT_ALLOCATOR=Local to switch. */
#if defined(ZH_HCS_RESULT_FREE_LOCAL)
static void free_hcs_result(zh_wchar *s) { LocalFree(s); }
#else
static void free_hcs_result(zh_wchar *s) { CoTaskMemFree(s); }
#endif

static void free_cotaskmem(zh_wchar *s) { CoTaskMemFree(s); }

zh_raw_lib *zh_raw_lib_open_system_dll(const zh_raw_spec *spec, const char *dll_name, zh_error **err)
{
    zh_raw_lib *lib = calloc(1, sizeof *lib);
    if (!lib)
        goto oom;
    lib->spec = spec;
    lib->dll_name = zh_strdup(dll_name);
    lib->backend = zh_asprintf("win32:%s", dll_name);
    lib->resolved = calloc(spec->count, sizeof *lib->resolved);
    lib->missing = calloc(spec->count, 1);
    if (!lib->dll_name || !lib->backend || !lib->resolved || !lib->missing)
        goto oom;
    zh_mutex_init(&lib->lock);
    return lib;
oom:
    if (lib) {
        free(lib->dll_name);
        free(lib->backend);
        free(lib->resolved);
        free(lib->missing);
        free(lib);
    }
    zh_error_set(err, ZH_E_OUTOFMEMORY, "zh_raw_lib_open_local", "out of memory");
    return NULL;
}

zh_raw_lib *zh_raw_lib_open_local(const zh_raw_spec *spec, zh_error **err)
{
    return zh_raw_lib_open_system_dll(spec, spec->dll_name, err);
}

/* Called with lib->lock held. */
static int load_module(zh_raw_lib *lib)
{
    if (lib->load_tried)
        return lib->module ? 0 : -1;
    lib->load_tried = 1;
    uint16_t *wname = NULL;
    if (zh_utf8_to_utf16(lib->dll_name, ZH_NUL_TERMINATED, &wname, NULL, "DLL name", NULL) < 0) {
        lib->load_error = ERROR_INVALID_NAME;
        return -1;
    }
    /* Ownership: the module stays loaded until zh_raw_lib_free(); wname is ours. */
    lib->module = LoadLibraryExW((const WCHAR *)wname, NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (!lib->module)
        lib->load_error = GetLastError();
    free(wname);
    return lib->module ? 0 : -1;
}

zh_raw_fnptr zh_raw_win32_get(zh_raw_lib *lib, size_t id, zh_error **err)
{
    const char *name = lib->spec->names[id];
    zh_raw_fnptr fn = NULL;
    zh_mutex_lock(&lib->lock);
    if (lib->resolved[id]) {
        fn = lib->resolved[id];
    } else if (load_module(lib) < 0) {
        DWORD code = lib->load_error;
        zh_mutex_unlock(&lib->lock);
        int32_t hr = ZH_HR_FROM_WIN32(code);
        const char *hrname = zh_hresult_name(hr);
        char codebuf[32];
        if (!hrname) {
            zh_hresult_describe(hr, codebuf, sizeof codebuf);
            hrname = codebuf;
        }
        zh_error_set_cat(err, hr, ZH_CAT_UNSUPPORTED, name,
                         "%s is not available on this Windows build (%s could not be loaded from "
                         "system32: %s); the %s service needs Windows 10 1809 / Server 2019 or later "
                         "with the Containers feature",
                         name, lib->dll_name, hrname, lib->spec->service);
        return NULL;
    } else if (!lib->missing[id]) {
        /* GetProcAddress returns FARPROC; casting through a generic function pointer keeps
         * -Wcast-function-type quiet. The caller casts to the entry's exact type. */
        fn = (zh_raw_fnptr)(void (*)(void))GetProcAddress(lib->module, name);
        if (fn)
            lib->resolved[id] = fn;
        else
            lib->missing[id] = 1;
    }
    zh_mutex_unlock(&lib->lock);
    if (!fn)
        zh_error_set_cat(err, ZH_E_PROC_NOT_FOUND, ZH_CAT_UNSUPPORTED, name,
                         "%s is not supported on this Windows build (%s does not export it)", name,
                         lib->dll_name);
    return fn;
}

void zh_raw_win32_free_string(zh_raw_lib *lib, zh_wchar *s)
{
    if (lib->spec->allocator == ZH_RAW_ALLOC_HCS_RESULT)
        free_hcs_result(s);
    else
        free_cotaskmem(s);
}

void zh_raw_win32_close(zh_raw_lib *lib)
{
    /* computecore.dll is never unloaded: HCS may still run callbacks (or be about to) on
     * its threads inside it after every handle closed (HcsClose* does not promise to
     * wait for them). The other DLLs go with their last user. */
    if (lib->module && lib->spec != &zh_raw_hcs_spec)
        FreeLibrary(lib->module);
    zh_mutex_destroy(&lib->lock);
    free(lib->dll_name);
    free(lib->resolved);
    free(lib->missing);
}

/* SPDX-License-Identifier: MIT */
/* zh_sim_link.c - the simulator, linked in (static libraries) or loaded as a plug-in
 * (shared libraries: libzhsim.so / zhsim.dll next to the library, or where ZH_SIM_PLUGIN
 * names it). The plug-in stays loaded for the life of the process: its threads may run. */
#if defined(ZH_SIM_PLUGIN) && !defined(_WIN32)
#define _GNU_SOURCE /* dladdr */
#endif
#include "zh_sim_link.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zh_hresult.h"

#ifndef ZH_SIM_PLUGIN
const zh_sim_api *zh_sim_link(const char *function, zh_error **err)
{
    (void)function;
    (void)err;
    return zh_sim_api_table();
}
#else

#include "zh_str.h"
#include "zh_thread.h"

#ifdef _WIN32
#include <windows.h>
#define PLUGIN_NAME "zhsim.dll"
#else
#include <dlfcn.h>
#ifdef ZH_SIM_PLUGIN_FILE /* the versioned name the build gives it: "libzhsim.so.0.1" */
#define PLUGIN_NAME ZH_SIM_PLUGIN_FILE
#else
#define PLUGIN_NAME "libzhsim.so"
#endif
#endif

static zh_once once = ZH_ONCE_INIT;
static const char anchor; /* an address inside this library's image */
static const zh_sim_api *api;
static char why[512];

static const zh_sim_api *from(zh_sim_plugin_api_fn fn)
{
    const zh_sim_api *a = fn ? fn() : NULL;
    if (a && a->version == ZH_SIM_API_VERSION)
        return a;
    snprintf(why, sizeof why, "the simulator plug-in " PLUGIN_NAME " does not fit this library (%s)",
             a ? "another version" : "no table");
    return NULL;
}

#ifdef _WIN32
static const zh_sim_api *try_load(const wchar_t *path)
{
    HMODULE m = LoadLibraryExW(path, NULL, 0);
    return m ? from((zh_sim_plugin_api_fn)(void (*)(void))GetProcAddress(m, ZH_SIM_PLUGIN_ENTRY)) : NULL;
}

static void load(void)
{
    const char *env = getenv("ZH_SIM_PLUGIN");
    wchar_t path[MAX_PATH + 16];
    if (env && *env && MultiByteToWideChar(CP_UTF8, 0, env, -1, path, MAX_PATH) > 0 && (api = try_load(path)))
        return;
    HMODULE self = NULL;
    if (GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                           (LPCWSTR)(const void *)&anchor, &self)) {
        DWORD n = GetModuleFileNameW(self, path, MAX_PATH);
        while (n > 0 && path[n - 1] != L'\\' && path[n - 1] != L'/')
            n--;
        if (n > 0 && n < MAX_PATH) {
            wcscpy(path + n, L"zhsim.dll");
            if ((api = try_load(path)))
                return;
        }
    }
    if (!why[0] && !(api = try_load(L"zhsim.dll")))
        snprintf(why, sizeof why, "the simulator plug-in zhsim.dll was found neither next to this library nor "
                                  "on the DLL search path (ZH_SIM_PLUGIN may name it)");
}
#else
static const zh_sim_api *try_load(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return NULL;
    zh_sim_plugin_api_fn fn;
    void *sym = dlsym(h, ZH_SIM_PLUGIN_ENTRY);
    memcpy(&fn, &sym, sizeof fn); /* object pointer to function pointer, as POSIX allows */
    return from(fn);
}

static void load(void)
{
    const char *env = getenv("ZH_SIM_PLUGIN");
    if (env && *env && (api = try_load(env)))
        return;
    Dl_info info;
    if (dladdr(&anchor, &info) && info.dli_fname) {
        const char *slash = strrchr(info.dli_fname, '/');
        if (slash) {
            char *path = zh_asprintf("%.*s/" PLUGIN_NAME, (int)(slash - info.dli_fname), info.dli_fname);
            if (path && (api = try_load(path))) {
                free(path);
                return;
            }
            free(path);
        }
    }
    if (!why[0] && !(api = try_load(PLUGIN_NAME)))
        snprintf(why, sizeof why, "the simulator plug-in " PLUGIN_NAME " was found neither next to this library "
                                  "nor on the library path (ZH_SIM_PLUGIN may name it)");
}
#endif

const zh_sim_api *zh_sim_link(const char *function, zh_error **err)
{
    zh_once_run(&once, load);
    if (!api)
        zh_error_set_cat(err, ZH_E_MOD_NOT_FOUND, ZH_CAT_UNSUPPORTED, function, "%s", why);
    return api;
}
#endif

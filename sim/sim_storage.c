/* SPDX-License-Identifier: MIT */
/* sim_storage.c - the simulated computestorage.dll (container layers), the Storage check of
 * a container's creation, and the container's C:\ as its guest commands see it.
 *
 * A layer is a directory, identified by its path, holding what Windows keeps in one:
 *   Files/       the layer's file system (C:\ of the container)
 *   Hives/       registry hives (image layers)
 *   UtilityVM/   the utility VM's files (base layers, optional)
 * and the simulator's own record, zhsim-layer.json (where Windows keeps its metadata in
 * the layer's reparse points and VHDs): a LayerData document of the layer's parents
 * (immediate parent first, as HcsImportLayer gets them) with the member "ZhSimKind":
 * "Layer" (imported), "Writable" (HcsInitializeWritableLayer), "BaseOS"
 * (HcsSetupBaseOSLayer / Volume), and "ZhSimAttached" while the storage filter is attached.
 *
 * The HRESULTs for bad input are guesses where the reference says nothing (docs/storage.md
 * lists them): a path that does not exist is ERROR_PATH_NOT_FOUND, a directory that is not
 * a layer or a chain that does not fit HCS_E_INVALID_LAYER, bad LayerData HCS_E_INVALID_JSON;
 * a container without Storage (or without layers, scratch or layer ids) E_INVALIDARG,
 * "The parameter is incorrect", which is what users report HcsCreateComputeSystem answering
 * for container configurations Windows refuses.
 * Calls are serialised by one lock (a real host serialises per layer). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/schema.h>

#include "sim.h"
#include "sim_hcs.h"
#include "sim_storage.h"
#include "zh_fs.h"
#include "zh_hresult.h"
#include "zh_json.h"
#include "zh_str.h"

#define MARKER "zhsim-layer.json"

static zh_mutex storage_lock = ZH_MUTEX_INIT;

static zh_hresult vhd_check(zh_handle h); /* VHDs: below */

/* ---------------------------------------------------------------- layer records */
typedef struct layer_rec {
    zhcs_LayerData *data; /* parents */
    const char *kind;     /* points into data's extras, or a literal */
    bool attached;
} layer_rec;

static char *marker_path(const char *layer)
{
    return zh_fs_join(layer, MARKER);
}

/* Reads a layer's record. 0, or an HRESULT: PATH_NOT_FOUND when `path` is no directory,
 * HCS_E_INVALID_LAYER when it is not a layer. */
static zh_hresult read_rec(const char *path, layer_rec *rec)
{
    memset(rec, 0, sizeof *rec);
    if (!zh_fs_is_dir(path))
        return ZH_E_PATH_NOT_FOUND;
    char *m = marker_path(path);
    char *text = m ? zh_fs_read(m, NULL) : NULL;
    free(m);
    if (!text)
        return HCS_E_INVALID_LAYER;
    rec->data = zhcs_LayerData_parse(text, ZHCS_NUL_TERMINATED, NULL);
    free(text);
    if (!rec->data)
        return HCS_E_INVALID_LAYER;
    rec->kind = "Layer";
    for (size_t i = 0; i < rec->data->extra_count; i++) {
        const zhcs_schema_extra *x = &rec->data->extra[i];
        if (strcmp(x->key, "ZhSimKind") == 0) {
            if (strstr(x->json, "Writable"))
                rec->kind = "Writable";
            else if (strstr(x->json, "BaseOS"))
                rec->kind = "BaseOS";
        } else if (strcmp(x->key, "ZhSimAttached") == 0) {
            rec->attached = strcmp(x->json, "true") == 0;
        }
    }
    return 0;
}

static void free_rec(layer_rec *rec)
{
    zhcs_LayerData_free(rec->data);
    rec->data = NULL;
}

/* Writes a record: `parents` (may be NULL) with kind and attachment. 0 or an HRESULT. */
static zh_hresult write_rec(const char *path, const zhcs_LayerData *parents, const char *kind, bool attached)
{
    zhcs_LayerData d = {0};
    if (parents) {
        d.Layers = parents->Layers;
        d.Layers_count = parents->Layers_count;
    }
    char kind_json[32];
    snprintf(kind_json, sizeof kind_json, "\"%s\"", kind);
    zhcs_schema_extra extra[2] = {{(char *)"ZhSimKind", kind_json}, {(char *)"ZhSimAttached", (char *)"true"}};
    d.extra = extra;
    d.extra_count = attached ? 2 : 1;
    char *json = zhcs_LayerData_emit(&d, NULL);
    char *m = marker_path(path);
    zh_hresult hr = json && m ? (zh_fs_write(m, json, strlen(json)) == 0 ? 0 : ZH_E_ACCESSDENIED) : ZH_E_OUTOFMEMORY;
    zhcs_string_free(json);
    free(m);
    return hr;
}

/* ---------------------------------------------------------------- arguments */
/* A path argument. Layer and folder paths must be absolute: HCS is a service with a working
 * directory of its own (hcsshim's wclayer makes every path absolute before it calls
 * computestorage). What Windows answers for a relative one is a guess: E_INVALIDARG. Mount
 * paths (`any_path`) are not checked. */
static char *path_arg_as(const zh_wchar *w, zh_hresult *hr, bool any_path)
{
    int bad = 0;
    char *s = sim_utf8(w, &bad);
    if (!*hr && (bad || !s || !*s))
        *hr = bad ? ZH_E_NO_UNICODE_TRANSLATION : ZH_E_INVALIDARG;
    if (!*hr && !any_path && !zh_fs_is_absolute(s))
        *hr = ZH_E_INVALIDARG;
    return s;
}

static char *path_arg(const zh_wchar *w, zh_hresult *hr)
{
    return path_arg_as(w, hr, false);
}

/* LayerData: NULL or "" means no parents. Every parent must be a layer. */
static zhcs_LayerData *layer_data_arg(const zh_wchar *w, zh_hresult *hr)
{
    if (*hr)
        return NULL;
    int bad = 0;
    char *s = sim_utf8(w, &bad);
    if (bad) {
        *hr = ZH_E_NO_UNICODE_TRANSLATION;
        return NULL;
    }
    zhcs_LayerData *d = zhcs_LayerData_parse(s && *s ? s : "{}", ZHCS_NUL_TERMINATED, NULL);
    free(s);
    if (!d) {
        *hr = HCS_E_INVALID_JSON;
        return NULL;
    }
    for (size_t i = 0; i < d->Layers_count && !*hr; i++) {
        zh_guid g;
        if (!d->Layers[i].Path || !d->Layers[i].Id || zh_guid_parse(d->Layers[i].Id, &g, NULL) < 0) {
            *hr = HCS_E_INVALID_JSON;
            break;
        }
        if (!zh_fs_is_absolute(d->Layers[i].Path)) {
            *hr = ZH_E_INVALIDARG; /* a relative path: see path_arg_as */
            break;
        }
        layer_rec rec;
        *hr = read_rec(d->Layers[i].Path, &rec);
        if (!*hr && strcmp(rec.kind, "Writable") == 0)
            *hr = HCS_E_INVALID_LAYER; /* a scratch layer is nobody's parent */
        free_rec(&rec);
    }
    if (*hr) {
        zhcs_LayerData_free(d);
        return NULL;
    }
    return d;
}

static void free_layer_data(zhcs_LayerData *d)
{
    zhcs_LayerData_free(d);
}

static int options_ok(const zh_wchar *w, zh_hresult *hr)
{
    if (*hr || !w)
        return !*hr;
    int bad = 0;
    char *s = sim_utf8(w, &bad);
    if (bad)
        *hr = ZH_E_NO_UNICODE_TRANSLATION;
    else if (s && *s && zh_json_validate(s, strlen(s), "options", NULL) < 0)
        *hr = HCS_E_INVALID_JSON;
    free(s);
    return !*hr;
}

/* ---------------------------------------------------------------- the entry points */
zh_hresult ZH_WINAPI sim_HcsImportLayer(const zh_wchar *layerPath, const zh_wchar *sourceFolderPath,
                                        const zh_wchar *layerData)
{
    zh_hresult hr = 0;
    char *layer = path_arg(layerPath, &hr), *src = path_arg(sourceFolderPath, &hr);
    zh_mutex_lock(&storage_lock);
    zhcs_LayerData *parents = layer_data_arg(layerData, &hr);
    if (!hr && !zh_fs_is_dir(src))
        hr = ZH_E_PATH_NOT_FOUND;
    if (!hr) {
        char *files = zh_fs_join(src, "Files");
        if (!files || !zh_fs_is_dir(files))
            hr = HCS_E_INVALID_LAYER; /* an exported layer has Files/ */
        free(files);
    }
    if (!hr) {
        char *m = marker_path(layer);
        if (m && zh_fs_exists(m))
            hr = ZH_E_ALREADY_EXISTS;
        free(m);
    }
    if (!hr) {
        bool existed = zh_fs_exists(layer);
        if (zh_fs_copytree(src, layer) != 0 || (hr = write_rec(layer, parents, "Layer", false)) != 0) {
            if (!existed)
                zh_fs_rmtree(layer);
            if (!hr)
                hr = ZH_E_ACCESSDENIED;
        }
    }
    zh_mutex_unlock(&storage_lock);
    free_layer_data(parents);
    free(layer);
    free(src);
    return hr;
}

/* Copies the layer's content (everything but the record) into `dst`. */
static zh_hresult export_tree(const char *layer, const char *dst)
{
    if (zh_fs_mkdirs(dst) != 0)
        return ZH_E_PATH_NOT_FOUND;
    size_t n = 0;
    char **names = zh_fs_list(layer, &n);
    if (!names)
        return ZH_E_ACCESSDENIED;
    zh_hresult hr = 0;
    for (size_t i = 0; i < n && !hr; i++) {
        if (strcmp(names[i], MARKER) == 0)
            continue;
        char *s = zh_fs_join(layer, names[i]), *d = zh_fs_join(dst, names[i]);
        if (!s || !d || zh_fs_copytree(s, d) != 0)
            hr = ZH_E_ACCESSDENIED;
        free(s);
        free(d);
    }
    zh_fs_names_free(names, n);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsExportLayer(const zh_wchar *layerPath, const zh_wchar *exportFolderPath,
                                        const zh_wchar *layerData, const zh_wchar *options)
{
    zh_hresult hr = 0;
    char *layer = path_arg(layerPath, &hr), *dst = path_arg(exportFolderPath, &hr);
    zh_mutex_lock(&storage_lock);
    zhcs_LayerData *parents = layer_data_arg(layerData, &hr);
    options_ok(options, &hr);
    layer_rec rec = {0};
    if (!hr)
        hr = read_rec(layer, &rec);
    if (!hr)
        hr = export_tree(layer, dst);
    free_rec(&rec);
    zh_mutex_unlock(&storage_lock);
    free_layer_data(parents);
    free(layer);
    free(dst);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsExportLegacyWritableLayer(const zh_wchar *writableLayerMountPath,
                                                      const zh_wchar *writableLayerFolderPath,
                                                      const zh_wchar *exportFolderPath, const zh_wchar *layerData)
{
    zh_hresult hr = 0;
    char *mount = path_arg_as(writableLayerMountPath, &hr, true), *folder = path_arg(writableLayerFolderPath, &hr),
         *dst = path_arg(exportFolderPath, &hr);
    zh_mutex_lock(&storage_lock);
    zhcs_LayerData *parents = layer_data_arg(layerData, &hr);
    layer_rec rec = {0};
    if (!hr)
        hr = read_rec(folder, &rec);
    if (!hr && strcmp(rec.kind, "Writable") != 0)
        hr = HCS_E_INVALID_LAYER;
    if (!hr)
        hr = export_tree(folder, dst);
    free_rec(&rec);
    zh_mutex_unlock(&storage_lock);
    free_layer_data(parents);
    free(mount);
    free(folder);
    free(dst);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsDestroyLayer(const zh_wchar *layerPath)
{
    zh_hresult hr = 0;
    char *layer = path_arg(layerPath, &hr);
    zh_mutex_lock(&storage_lock);
    /* a missing layer is already destroyed (a guess: callers clean up half-made layers) */
    if (!hr && zh_fs_rmtree(layer) != 0)
        hr = ZH_E_ACCESSDENIED;
    zh_mutex_unlock(&storage_lock);
    free(layer);
    return hr;
}

/* Marks a layer (which must hold Files/) as a base OS layer. */
static zh_hresult setup_base(const char *layer, const zh_wchar *options)
{
    zh_hresult hr = 0;
    options_ok(options, &hr);
    if (hr)
        return hr;
    if (!zh_fs_is_dir(layer))
        return ZH_E_PATH_NOT_FOUND;
    char *files = zh_fs_join(layer, "Files");
    bool ok = files && zh_fs_is_dir(files);
    free(files);
    if (!ok)
        return HCS_E_INVALID_LAYER;
    layer_rec rec;
    hr = read_rec(layer, &rec);
    if (hr == HCS_E_INVALID_LAYER)
        hr = 0; /* a folder of files becomes a layer */
    if (!hr)
        hr = write_rec(layer, rec.data, "BaseOS", rec.attached);
    free_rec(&rec);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsSetupBaseOSLayer(const zh_wchar *layerPath, zh_handle vhdHandle, const zh_wchar *options)
{
    zh_hresult hr = 0;
    char *layer = path_arg(layerPath, &hr);
    zh_mutex_lock(&storage_lock);
    if (!hr)
        hr = vhd_check(vhdHandle); /* the base OS layer's VHD (see VHDs below) */
    if (!hr)
        hr = setup_base(layer, options);
    zh_mutex_unlock(&storage_lock);
    free(layer);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsSetupBaseOSVolume(const zh_wchar *layerPath, const zh_wchar *volumePath,
                                              const zh_wchar *options)
{
    zh_hresult hr = 0;
    char *layer = path_arg(layerPath, &hr), *volume = path_arg(volumePath, &hr);
    zh_mutex_lock(&storage_lock);
    if (!hr && !zh_fs_is_dir(volume))
        hr = ZH_E_PATH_NOT_FOUND;
    if (!hr)
        hr = setup_base(layer, options);
    zh_mutex_unlock(&storage_lock);
    free(layer);
    free(volume);
    return hr;
}

/* A writable layer: Files/ (empty) and the record of its parents. */
static zh_hresult init_writable(const char *folder, const zh_wchar *layerData, const zh_wchar *options)
{
    zh_hresult hr = 0;
    zhcs_LayerData *parents = layer_data_arg(layerData, &hr);
    options_ok(options, &hr);
    if (!hr && (!parents || parents->Layers_count == 0))
        hr = HCS_E_INVALID_LAYER; /* a scratch layer sits on an image */
    bool existed = zh_fs_exists(folder);
    if (!hr) {
        char *m = marker_path(folder);
        if (m && zh_fs_exists(m))
            hr = ZH_E_ALREADY_EXISTS;
        free(m);
    }
    if (!hr) {
        char *files = zh_fs_join(folder, "Files");
        if (!files || zh_fs_mkdirs(files) != 0)
            hr = ZH_E_PATH_NOT_FOUND;
        free(files);
    }
    if (!hr)
        hr = write_rec(folder, parents, "Writable", false);
    if (hr && !existed)
        zh_fs_rmtree(folder);
    free_layer_data(parents);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsInitializeWritableLayer(const zh_wchar *writableLayerPath, const zh_wchar *layerData,
                                                    const zh_wchar *options)
{
    zh_hresult hr = 0;
    char *folder = path_arg(writableLayerPath, &hr);
    zh_mutex_lock(&storage_lock);
    if (!hr)
        hr = init_writable(folder, layerData, options);
    zh_mutex_unlock(&storage_lock);
    free(folder);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsInitializeLegacyWritableLayer(const zh_wchar *writableLayerMountPath,
                                                          const zh_wchar *writableLayerFolderPath,
                                                          const zh_wchar *layerData, const zh_wchar *options)
{
    zh_hresult hr = 0;
    char *mount = path_arg_as(writableLayerMountPath, &hr, true), *folder = path_arg(writableLayerFolderPath, &hr);
    zh_mutex_lock(&storage_lock);
    if (!hr)
        hr = init_writable(folder, layerData, options);
    zh_mutex_unlock(&storage_lock);
    free(mount);
    free(folder);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsAttachLayerStorageFilter(const zh_wchar *layerPath, const zh_wchar *layerData)
{
    zh_hresult hr = 0;
    char *layer = path_arg(layerPath, &hr);
    zh_mutex_lock(&storage_lock);
    zhcs_LayerData *parents = layer_data_arg(layerData, &hr);
    layer_rec rec = {0};
    if (!hr)
        hr = read_rec(layer, &rec);
    if (!hr)
        hr = write_rec(layer, rec.data, rec.kind, true);
    free_rec(&rec);
    zh_mutex_unlock(&storage_lock);
    free_layer_data(parents);
    free(layer);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcsDetachLayerStorageFilter(const zh_wchar *layerPath)
{
    zh_hresult hr = 0;
    char *layer = path_arg(layerPath, &hr);
    zh_mutex_lock(&storage_lock);
    layer_rec rec = {0};
    if (!hr)
        hr = read_rec(layer, &rec);
    if (!hr && !rec.attached)
        hr = ZH_E_INVALID_STATE; /* a guess: nothing attached */
    if (!hr)
        hr = write_rec(layer, rec.data, rec.kind, false);
    free_rec(&rec);
    zh_mutex_unlock(&storage_lock);
    free(layer);
    return hr;
}

/* ---------------------------------------------------------------- VHDs
 * A VHD is modelled as a file, handed over as an open handle (a descriptor + 1 off Windows,
 * as zhcs passes it): a file that begins with "vhdxfile" (a VHDX's file type identifier) or
 * "conectix" (a VHD's footer, copied to the start of dynamic VHDs). Formatting writes the
 * simulator's partition record into its second sector (offset 512): "ZHSIM-NTFS {volume
 * GUID}\n"; the volume path of a formatted VHD is \\?\Volume{GUID}\. Attaching (mounting) is
 * not modelled: a formatted VHD counts as mounted. Errors (guesses, docs/storage.md): no
 * handle or no file behind it E_HANDLE, a file that is no VHD E_INVALIDARG, a VHD without
 * the record (unformatted) HRESULT_FROM_WIN32(ERROR_UNRECOGNIZED_VOLUME), a handle that
 * cannot be written E_ACCESSDENIED. */
#define VHD_RECORD_AT 512
#define VHD_RECORD "ZHSIM-NTFS "
#define SIM_E_UNRECOGNIZED_VOLUME ((zh_hresult)0x800703ED) /* ERROR_UNRECOGNIZED_VOLUME */

#ifdef _WIN32
#include <windows.h>

static bool vhd_file(zh_handle h)
{
    return h && h != INVALID_HANDLE_VALUE && GetFileType((HANDLE)h) == FILE_TYPE_DISK;
}

/* Positioned read / write; the bytes moved, or -1. */
static long vhd_pread(zh_handle h, void *buf, size_t n, uint64_t at)
{
    OVERLAPPED o = {0};
    o.Offset = (DWORD)at;
    o.OffsetHigh = (DWORD)(at >> 32);
    DWORD got = 0;
    return ReadFile((HANDLE)h, buf, (DWORD)n, &got, &o) || GetLastError() == ERROR_HANDLE_EOF ? (long)got : -1;
}

static long vhd_pwrite(zh_handle h, const void *buf, size_t n, uint64_t at)
{
    OVERLAPPED o = {0};
    o.Offset = (DWORD)at;
    o.OffsetHigh = (DWORD)(at >> 32);
    DWORD put = 0;
    return WriteFile((HANDLE)h, buf, (DWORD)n, &put, &o) ? (long)put : -1;
}
#else
#include <sys/stat.h>
#include <unistd.h>

static int vhd_fd(zh_handle h)
{
    intptr_t v = (intptr_t)h;
    return v > 0 && v <= 0x7fffffff ? (int)(v - 1) : -1;
}

static bool vhd_file(zh_handle h)
{
    struct stat st;
    int fd = vhd_fd(h);
    return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static long vhd_pread(zh_handle h, void *buf, size_t n, uint64_t at)
{
    return (long)pread(vhd_fd(h), buf, n, (off_t)at);
}

static long vhd_pwrite(zh_handle h, const void *buf, size_t n, uint64_t at)
{
    return (long)pwrite(vhd_fd(h), buf, n, (off_t)at);
}
#endif

/* 0 when `h` is a VHD, else the HRESULT. */
static zh_hresult vhd_check(zh_handle h)
{
    if (!vhd_file(h))
        return ZH_E_HANDLE;
    char sig[8];
    if (vhd_pread(h, sig, sizeof sig, 0) != (long)sizeof sig ||
        (memcmp(sig, "vhdxfile", 8) != 0 && memcmp(sig, "conectix", 8) != 0))
        return ZH_E_INVALIDARG;
    return 0;
}

/* The volume GUID of a formatted VHD into buf; 0 or an HRESULT. */
static zh_hresult vhd_volume(zh_handle h, char buf[ZH_GUID_BUFSIZE])
{
    zh_hresult hr = vhd_check(h);
    if (hr)
        return hr;
    char rec[64] = {0};
    long got = vhd_pread(h, rec, sizeof rec - 1, VHD_RECORD_AT);
    size_t k = strlen(VHD_RECORD);
    zh_guid g;
    if (got < (long)(k + ZH_GUID_BUFSIZE - 1) || memcmp(rec, VHD_RECORD, k) != 0)
        return SIM_E_UNRECOGNIZED_VOLUME;
    char *nl = strchr(rec + k, '\n');
    if (nl)
        *nl = 0;
    if (zh_guid_parse(rec + k, &g, NULL) < 0)
        return SIM_E_UNRECOGNIZED_VOLUME;
    zh_guid_format(&g, ZH_GUID_BRACES, buf);
    return 0;
}

zh_hresult ZH_WINAPI sim_HcsFormatWritableLayerVhd(zh_handle vhdHandle)
{
    zh_hresult hr = vhd_check(vhdHandle);
    if (hr)
        return hr;
    zh_guid g;
    char id[ZH_GUID_BUFSIZE], rec[64];
    if (zh_guid_random(&g, NULL) < 0)
        return ZH_E_OUTOFMEMORY;
    int n = snprintf(rec, sizeof rec, "%s%s\n", VHD_RECORD, zh_guid_format(&g, ZH_GUID_BRACES, id));
    zh_mutex_lock(&storage_lock);
    long put = vhd_pwrite(vhdHandle, rec, (size_t)n, VHD_RECORD_AT);
    zh_mutex_unlock(&storage_lock);
    return put == n ? 0 : ZH_E_ACCESSDENIED;
}

zh_hresult ZH_WINAPI sim_HcsGetLayerVhdMountPath(zh_handle vhdHandle, zh_wchar **mountPath)
{
    if (!mountPath)
        return ZH_E_POINTER;
    *mountPath = NULL;
    char id[ZH_GUID_BUFSIZE];
    zh_mutex_lock(&storage_lock);
    zh_hresult hr = vhd_volume(vhdHandle, id);
    zh_mutex_unlock(&storage_lock);
    if (hr)
        return hr;
    char path[80];
    snprintf(path, sizeof path, "\\\\?\\Volume%s\\", id);
    *mountPath = sim_wstr(path);
    return *mountPath ? 0 : ZH_E_OUTOFMEMORY;
}

/* ---------------------------------------------------------------- a container's Storage */
/* Sets the message and yields the HRESULT. */
#define storage_fail(msg, n, hr, ...) (snprintf((msg), (n), __VA_ARGS__), (zh_hresult)(hr))

/* Whether layer records list the same paths in the same order. */
static bool same_chain(const zhcs_Layer *a, size_t na, const zhcs_Layer *b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!a[i].Path || !b[i].Path || strcmp(a[i].Path, b[i].Path) != 0)
            return false;
    return true;
}

/* Whether a container needs Storage with layers: 1 (as Windows), 0, or -1 until decided
 * (zh_sim_require_storage, else the environment variable ZH_SIM_REQUIRE_STORAGE, "0" to
 * relax, read at the first check; a sim:PATH service inherits it from the client that
 * started it). */
static int require_storage = -1;

int zh_sim_require_storage(int on)
{
    zh_mutex_lock(&storage_lock);
    require_storage = on != 0;
    zh_mutex_unlock(&storage_lock);
    return 0;
}

zh_hresult sim_storage_check(const zhcs_Container *c, char *msg, size_t n)
{
    const zhcs_Storage *st = c->Storage;
    zh_mutex_lock(&storage_lock);
    if (require_storage < 0) {
        const char *env = getenv("ZH_SIM_REQUIRE_STORAGE");
        require_storage = !(env && strcmp(env, "0") == 0);
    }
    bool required = require_storage != 0;
    zh_mutex_unlock(&storage_lock);
    if (!st)
        return required ? storage_fail(msg, n, ZH_E_INVALIDARG,
                                       "The container configuration has no Storage (layers and scratch).")
                        : 0;
    if (st->Layers_count == 0 && !required)
        return 0; /* the lenient default: a Storage without layers, as before layers existed */
    if (st->Layers_count == 0)
        return storage_fail(msg, n, ZH_E_INVALIDARG, "Storage.Layers is empty: a container needs its image layers.");
    if (!st->Path)
        return storage_fail(msg, n, ZH_E_INVALIDARG, "Storage.Path (the scratch layer) is missing.");
    zh_hresult hr = 0;
    zh_mutex_lock(&storage_lock);
    for (size_t i = 0; i < st->Layers_count && !hr; i++) {
        const zhcs_Layer *l = &st->Layers[i];
        zh_guid g;
        if (!l->Path || !l->Id || zh_guid_parse(l->Id, &g, NULL) < 0) {
            hr = storage_fail(msg, n, ZH_E_INVALIDARG,
                              "A layer of Storage.Layers (%.64s) needs an Id (a GUID) and a Path.",
                              l->Id ? l->Id : "?");
            break;
        }
        if (!zh_fs_is_absolute(l->Path)) {
            hr = storage_fail(msg, n, ZH_E_INVALIDARG, "The layer path %.300s is relative: it must be absolute.",
                              l->Path);
            break;
        }
        layer_rec rec;
        hr = read_rec(l->Path, &rec);
        if (hr == ZH_E_PATH_NOT_FOUND)
            storage_fail(msg, n, hr, "The layer %.300s does not exist.", l->Path);
        else if (hr)
            storage_fail(msg, n, hr, "%.300s is not a container layer.", l->Path);
        else if (strcmp(rec.kind, "Writable") == 0)
            hr = storage_fail(msg, n, HCS_E_INVALID_LAYER, "%.300s is a writable layer, not an image layer.", l->Path);
        else if (!same_chain(rec.data->Layers, rec.data->Layers_count, st->Layers + i + 1, st->Layers_count - i - 1))
            hr = storage_fail(msg, n, HCS_E_INVALID_LAYER,
                              "The layer %.300s was imported with other parents than the layers after it in "
                              "Storage.Layers.",
                              l->Path);
        free_rec(&rec);
    }
    if (!hr && !zh_fs_is_absolute(st->Path))
        hr = storage_fail(msg, n, ZH_E_INVALIDARG, "The scratch layer path %.300s is relative: it must be absolute.",
                          st->Path);
    if (!hr) {
        layer_rec rec;
        hr = read_rec(st->Path, &rec);
        if (hr == ZH_E_PATH_NOT_FOUND)
            storage_fail(msg, n, hr, "The scratch layer %.300s does not exist.", st->Path);
        else if (hr || strcmp(rec.kind, "Writable") != 0)
            hr = storage_fail(msg, n, HCS_E_INVALID_LAYER,
                              "%.300s is not a writable layer (HcsInitializeWritableLayer prepares one).", st->Path);
        else if (!same_chain(rec.data->Layers, rec.data->Layers_count, st->Layers, st->Layers_count))
            hr = storage_fail(msg, n, HCS_E_INVALID_LAYER,
                              "The scratch layer %.300s was prepared for other layers than Storage.Layers.", st->Path);
        free_rec(&rec);
    }
    zh_mutex_unlock(&storage_lock);
    return hr;
}

/* ---------------------------------------------------------------- C:\ in the container */
/* "C:\dir\file.txt" (or "\dir\file.txt", "c:/dir/file.txt") -> "dir/file.txt"; NULL when the
 * path is not on C:, is relative or climbs out with "..". */
static char *c_relative(const char *p)
{
    if ((p[0] == 'C' || p[0] == 'c') && p[1] == ':')
        p += 2;
    if (*p != '\\' && *p != '/')
        return NULL;
    zh_buf b = ZH_BUF_INIT(0);
    while (*p) {
        while (*p == '\\' || *p == '/')
            p++;
        size_t len = strcspn(p, "\\/");
        if (len == 0)
            break;
        if ((len == 2 && strncmp(p, "..", 2) == 0) || (len == 1 && *p == '.') || memchr(p, ':', len)) {
            zh_buf_free(&b);
            return NULL;
        }
        if (b.len)
            zh_buf_append(&b, "/", 1);
        zh_buf_append(&b, p, len);
        p += len;
    }
    if (b.len == 0) {
        zh_buf_free(&b);
        return NULL;
    }
    return zh_buf_take(&b);
}

/* The container's Storage from its creation document (NULL when it has none). */
static zhcs_ComputeSystem *storage_of(const char *config, const zhcs_Storage **st)
{
    *st = NULL;
    zhcs_ComputeSystem *cs = config ? zhcs_ComputeSystem_parse(config, ZHCS_NUL_TERMINATED, NULL) : NULL;
    if (cs && cs->Container && cs->Container->Storage && cs->Container->Storage->Path)
        *st = cs->Container->Storage;
    return cs;
}

static char *layer_file(const char *layer, const char *rel)
{
    char *files = zh_fs_join(layer, "Files");
    char *p = files ? zh_fs_join(files, rel) : NULL;
    free(files);
    return p;
}

/* type PATH: the scratch layer first, then the image layers from the top. */
static uint32_t cmd_type(const zhcs_Storage *st, const char *arg, sim_guest_write out, void *ctx)
{
    char *rel = c_relative(arg);
    if (!rel) {
        out(ctx, 2, "The system cannot find the path specified.\r\n");
        return 1;
    }
    char *data = NULL;
    size_t len = 0;
    for (size_t i = 0; !data && i <= st->Layers_count; i++) {
        char *p = layer_file(i == 0 ? st->Path : st->Layers[i - 1].Path, rel);
        if (p && zh_fs_is_file(p))
            data = zh_fs_read(p, &len);
        free(p);
    }
    free(rel);
    if (!data) {
        out(ctx, 2, "The system cannot find the file specified.\r\n");
        return 1;
    }
    int rc = out(ctx, 1, data);
    free(data);
    return rc < 0 ? 1 : 0;
}

/* echo TEXT > PATH / >> PATH: into the scratch layer only. */
static uint32_t cmd_echo_to(const zhcs_Storage *st, const char *text, size_t text_len, bool append, const char *arg,
                            sim_guest_write out, void *ctx)
{
    char *rel = c_relative(arg);
    char *p = rel ? layer_file(st->Path, rel) : NULL;
    free(rel);
    if (!p) {
        out(ctx, 2, "The system cannot find the path specified.\r\n");
        return 1;
    }
    while (text_len > 0 && text[text_len - 1] == ' ')
        text_len--;
    char *dir = zh_strdup(p);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash)
        *slash = 0;
    size_t old_len = 0;
    char *old = append && zh_fs_is_file(p) ? zh_fs_read(p, &old_len) : NULL;
    if (!old && append) {
        /* appending to a file of a lower layer copies it up first */
        for (size_t i = 0; !old && i < st->Layers_count; i++) {
            char *r = c_relative(arg), *lp = r ? layer_file(st->Layers[i].Path, r) : NULL;
            if (lp && zh_fs_is_file(lp))
                old = zh_fs_read(lp, &old_len);
            free(r);
            free(lp);
        }
    }
    char *line = zh_asprintf("%s%.*s\r\n", old ? old : "", (int)text_len, text);
    int rc = dir && line && zh_fs_mkdirs(dir) == 0 && zh_fs_write(p, line, strlen(line)) == 0 ? 0 : -1;
    free(old);
    free(line);
    free(dir);
    free(p);
    if (rc < 0) {
        out(ctx, 2, "Access is denied.\r\n");
        return 1;
    }
    return 0;
}

static bool starts_with_word(const char *line, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; i < n; i++) {
        char c = line[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return false;
    }
    return line[n] == ' ';
}

int sim_storage_command(const char *config, const char *line, sim_guest_write out, void *ctx, uint32_t *code)
{
    while (*line == ' ')
        line++;
    bool is_type = starts_with_word(line, "type");
    bool is_echo = starts_with_word(line, "echo") && strchr(line, '>');
    if (!is_type && !is_echo)
        return 0;
    const zhcs_Storage *st;
    zhcs_ComputeSystem *cs = storage_of(config, &st);
    if (!st) {
        zhcs_ComputeSystem_free(cs);
        return 0; /* no layers: the command set without a C:\ answers */
    }
    if (is_type) {
        const char *arg = line + 5;
        while (*arg == ' ')
            arg++;
        char *a = zh_strdup(arg);
        if (a) {
            size_t n = strlen(a);
            while (n && (a[n - 1] == ' ' || a[n - 1] == '\r' || a[n - 1] == '\n'))
                a[--n] = 0;
            if (n >= 2 && a[0] == '"' && a[n - 1] == '"')
                a[n - 1] = 0, memmove(a, a + 1, n - 1);
        }
        *code = a ? cmd_type(st, a, out, ctx) : 1;
        free(a);
    } else {
        const char *text = line + 5, *gt = strchr(line, '>');
        bool append = gt[1] == '>';
        const char *arg = gt + (append ? 2 : 1);
        while (*arg == ' ')
            arg++;
        char *a = zh_strdup(arg);
        if (a) {
            size_t n = strlen(a);
            while (n && a[n - 1] == ' ')
                a[--n] = 0;
        }
        *code = a ? cmd_echo_to(st, text, (size_t)(gt - text), append, a, out, ctx) : 1;
        free(a);
    }
    zhcs_ComputeSystem_free(cs);
    return 1;
}

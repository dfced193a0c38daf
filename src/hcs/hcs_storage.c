/* SPDX-License-Identifier: MIT */
/* hcs_storage.c - zhcs_storage: container layers through computestorage.dll (or the
 * simulator's table of it). Every call is one raw call: arguments to UTF-16 and JSON, the
 * HRESULT to an error naming the call and the path. */
#include <stdlib.h>
#include <string.h>

#include <zhcs/storage.h>

#include "hcs_internal.h"
#include "zh_fs.h"
#include "zh_str.h"
#include "zh_utf.h"

struct zhcs_storage {
    zh_svc *svc;
};

int zhcs_storage_open(zhcs_storage **out, const char *uri, zhcs_error **err)
{
    if (!out)
        return hcs_null_arg("zhcs_storage_open", "out", err);
    *out = NULL;
    zhcs_storage *st = calloc(1, sizeof *st);
    if (!st)
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "zhcs_storage_open", "out of memory");
    st->svc = zh_svc_open(uri, &zh_raw_hcst_spec, "zhcs_storage_open", err);
    if (!st->svc) {
        free(st);
        return -1;
    }
    *out = st;
    return 0;
}

void zhcs_storage_close(zhcs_storage *st)
{
    if (!st)
        return;
    zh_svc_close(st->svc);
    free(st);
}

const char *zhcs_storage_uri(const zhcs_storage *st)
{
    return st ? zh_svc_uri(st->svc) : "";
}

/* The arguments of one raw call, converted; freed by args_free. */
typedef struct args {
    zh_wchar *w[4];
    char *json[2];
} args;

static void args_free(args *a)
{
    for (size_t i = 0; i < 4; i++)
        free(a->w[i]);
    for (size_t i = 0; i < 2; i++)
        zhcs_string_free(a->json[i]);
}

/* A relative path is refused before the raw call: HCS is a service with a working directory
 * of its own (hcsshim's wclayer makes every layer path absolute before computestorage sees
 * it), so "layer" would not name the caller's ./layer there. */
static int absolute_path(const char *path, const char *fn, const char *what, zh_error **err)
{
    if (zh_fs_is_absolute(path))
        return 0;
    return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                            "%s \"%.300s\" is relative: HCS resolves paths in its own working directory, "
                            "give an absolute one (zhcs_path_absolute makes one)",
                            what, path);
}

/* A path argument: required, UTF-8; absolute unless it is a mount path. */
static int path_arg(args *a, size_t i, const char *path, const char *fn, const char *what, zh_error **err)
{
    if (!path || !*path)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn, "%s is %s", what,
                                path ? "empty" : "NULL");
    if (strcmp(what, "mount path") != 0 && absolute_path(path, fn, what, err) < 0)
        return -1;
    return hcs_wide(path, &a->w[i], fn, what, err);
}

int zhcs_path_absolute(char **out, const char *path, zhcs_error **err)
{
    static const char fn[] = "zhcs_path_absolute";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    if (!path)
        return hcs_null_arg(fn, "path", err);
    char *abs = zh_fs_absolute(path);
    if (!abs)
        return zh_error_set(err, ZH_E_FAIL, fn, "cannot make \"%.300s\" absolute: the current directory is unknown",
                            path);
    *out = abs;
    return 0;
}

static int layer_data_arg(args *a, size_t i, size_t j, const zhcs_LayerData *d, const char *fn, zh_error **err)
{
    if (!d)
        return 0;
    for (size_t k = 0; k < d->Layers_count; k++)
        if (d->Layers[k].Path && absolute_path(d->Layers[k].Path, fn, "the path of a layer in the layer data", err) < 0)
            return -1;
    zh_error *e = NULL;
    a->json[j] = zhcs_LayerData_emit(d, &e);
    if (!a->json[j]) {
        zh_error_put(err, zh_error_prefixed(e, fn, "layer data: "));
        zh_error_free(e);
        return -1;
    }
    return hcs_wide(a->json[j], &a->w[i], fn, "layer data", err);
}

static int json_arg(args *a, size_t i, const char *json, const char *fn, const char *what, zh_error **err)
{
    if (!json)
        return 0;
    if (hcs_check_json(json, fn, what, err) < 0)
        return -1;
    return hcs_wide(json, &a->w[i], fn, what, err);
}

static zh_raw_lib *lib_of(zhcs_storage *st, const char *fn, zh_error **err)
{
    if (!st) {
        hcs_null_arg(fn, "storage", err);
        return NULL;
    }
    return zh_svc_lib(st->svc);
}

/* Turns a raw HRESULT into the result: 0, or -1 with the raw call as the error's function
 * and the message "<path>: <HRESULT name>". */
static int result(zh_hresult hr, const char *raw, const char *path, zh_error **err)
{
    if (hr >= 0)
        return 0;
    char *what = zh_asprintf("%.400s", path ? path : "");
    int rc = hcs_raw_error(err, hr, raw, what ? what : raw);
    free(what);
    return rc;
}

#define GET_RAW(name, fn)                                                                         \
    zh_raw_lib *lib = lib_of(st, fn, err);                                                        \
    zh_raw_##name##_fn raw = lib ? ZH_HCST(lib, name, err) : NULL;                                \
    if (!raw)                                                                                     \
        return -1

int zhcs_layer_import(zhcs_storage *st, const char *layer_path, const char *source_dir,
                      const zhcs_LayerData *parents, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_import";
    GET_RAW(HcsImportLayer, fn);
    args a = {0};
    int rc = path_arg(&a, 0, layer_path, fn, "layer path", err);
    if (rc == 0)
        rc = path_arg(&a, 1, source_dir, fn, "source folder", err);
    if (rc == 0)
        rc = layer_data_arg(&a, 2, 0, parents, fn, err);
    if (rc == 0)
        rc = result(raw(a.w[0], a.w[1], a.w[2]), "HcsImportLayer", layer_path, err);
    args_free(&a);
    return rc;
}

int zhcs_layer_export(zhcs_storage *st, const char *layer_path, const char *export_dir, const zhcs_LayerData *parents,
                      const zhcs_ExportLayerOptions *options, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_export";
    GET_RAW(HcsExportLayer, fn);
    args a = {0};
    int rc = path_arg(&a, 0, layer_path, fn, "layer path", err);
    if (rc == 0)
        rc = path_arg(&a, 1, export_dir, fn, "export folder", err);
    if (rc == 0)
        rc = layer_data_arg(&a, 2, 0, parents, fn, err);
    if (rc == 0 && options) {
        zh_error *e = NULL;
        a.json[1] = zhcs_ExportLayerOptions_emit(options, &e);
        if (!a.json[1]) {
            zh_error_put(err, zh_error_prefixed(e, fn, "options: "));
            zh_error_free(e);
            rc = -1;
        } else {
            rc = hcs_wide(a.json[1], &a.w[3], fn, "options", err);
        }
    }
    if (rc == 0)
        rc = result(raw(a.w[0], a.w[1], a.w[2], a.w[3]), "HcsExportLayer", layer_path, err);
    args_free(&a);
    return rc;
}

int zhcs_layer_export_legacy_writable(zhcs_storage *st, const char *mount_path, const char *folder_path,
                                      const char *export_dir, const zhcs_LayerData *parents, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_export_legacy_writable";
    GET_RAW(HcsExportLegacyWritableLayer, fn);
    args a = {0};
    int rc = path_arg(&a, 0, mount_path, fn, "mount path", err);
    if (rc == 0)
        rc = path_arg(&a, 1, folder_path, fn, "writable layer folder", err);
    if (rc == 0)
        rc = path_arg(&a, 2, export_dir, fn, "export folder", err);
    if (rc == 0)
        rc = layer_data_arg(&a, 3, 0, parents, fn, err);
    if (rc == 0)
        rc = result(raw(a.w[0], a.w[1], a.w[2], a.w[3]), "HcsExportLegacyWritableLayer", folder_path, err);
    args_free(&a);
    return rc;
}

int zhcs_layer_destroy(zhcs_storage *st, const char *layer_path, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_destroy";
    GET_RAW(HcsDestroyLayer, fn);
    args a = {0};
    int rc = path_arg(&a, 0, layer_path, fn, "layer path", err);
    if (rc == 0)
        rc = result(raw(a.w[0]), "HcsDestroyLayer", layer_path, err);
    args_free(&a);
    return rc;
}

int zhcs_layer_init_writable(zhcs_storage *st, const char *layer_path, const zhcs_LayerData *layers,
                             const char *options_json, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_init_writable";
    GET_RAW(HcsInitializeWritableLayer, fn);
    args a = {0};
    int rc = path_arg(&a, 0, layer_path, fn, "writable layer path", err);
    if (rc == 0)
        rc = layer_data_arg(&a, 1, 0, layers, fn, err);
    if (rc == 0)
        rc = json_arg(&a, 2, options_json, fn, "options", err);
    if (rc == 0)
        rc = result(raw(a.w[0], a.w[1], a.w[2]), "HcsInitializeWritableLayer", layer_path, err);
    args_free(&a);
    return rc;
}

int zhcs_layer_init_legacy_writable(zhcs_storage *st, const char *mount_path, const char *folder_path,
                                    const zhcs_LayerData *layers, const char *options_json, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_init_legacy_writable";
    GET_RAW(HcsInitializeLegacyWritableLayer, fn);
    args a = {0};
    int rc = path_arg(&a, 0, mount_path, fn, "mount path", err);
    if (rc == 0)
        rc = path_arg(&a, 1, folder_path, fn, "writable layer folder", err);
    if (rc == 0)
        rc = layer_data_arg(&a, 2, 0, layers, fn, err);
    if (rc == 0)
        rc = json_arg(&a, 3, options_json, fn, "options", err);
    if (rc == 0)
        rc = result(raw(a.w[0], a.w[1], a.w[2], a.w[3]), "HcsInitializeLegacyWritableLayer", folder_path, err);
    args_free(&a);
    return rc;
}

int zhcs_layer_attach_filter(zhcs_storage *st, const char *layer_path, const zhcs_LayerData *layers, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_attach_filter";
    GET_RAW(HcsAttachLayerStorageFilter, fn);
    args a = {0};
    int rc = path_arg(&a, 0, layer_path, fn, "layer path", err);
    if (rc == 0)
        rc = layer_data_arg(&a, 1, 0, layers, fn, err);
    if (rc == 0)
        rc = result(raw(a.w[0], a.w[1]), "HcsAttachLayerStorageFilter", layer_path, err);
    args_free(&a);
    return rc;
}

int zhcs_layer_detach_filter(zhcs_storage *st, const char *layer_path, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_detach_filter";
    GET_RAW(HcsDetachLayerStorageFilter, fn);
    args a = {0};
    int rc = path_arg(&a, 0, layer_path, fn, "layer path", err);
    if (rc == 0)
        rc = result(raw(a.w[0]), "HcsDetachLayerStorageFilter", layer_path, err);
    args_free(&a);
    return rc;
}

static int os_options_arg(args *a, size_t i, const zhcs_OsLayerOptions *o, const char *fn, zh_error **err)
{
    if (!o)
        return 0;
    zh_error *e = NULL;
    a->json[0] = zhcs_OsLayerOptions_emit(o, &e);
    if (!a->json[0]) {
        zh_error_put(err, zh_error_prefixed(e, fn, "options: "));
        zh_error_free(e);
        return -1;
    }
    return hcs_wide(a->json[0], &a->w[i], fn, "options", err);
}

/* A zhcs_fd as the raw HANDLE of a VHD (see storage.h). */
static zh_handle vhd_handle(zhcs_fd fd)
{
#ifdef _WIN32
    return (zh_handle)fd;
#else
    return fd < 0 ? NULL : (zh_handle)(intptr_t)(fd + 1); /* descriptor 0 must not read as NULL */
#endif
}

int zhcs_layer_setup_base_os(zhcs_storage *st, const char *layer_path, zhcs_fd vhd, const zhcs_OsLayerOptions *options,
                             zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_setup_base_os";
    GET_RAW(HcsSetupBaseOSLayer, fn);
    args a = {0};
    int rc = path_arg(&a, 0, layer_path, fn, "layer path", err);
    if (rc == 0)
        rc = os_options_arg(&a, 1, options, fn, err);
    if (rc == 0)
        rc = result(raw(a.w[0], vhd_handle(vhd), a.w[1]), "HcsSetupBaseOSLayer", layer_path, err);
    args_free(&a);
    return rc;
}

int zhcs_layer_setup_base_os_volume(zhcs_storage *st, const char *layer_path, const char *volume_path,
                                    const zhcs_OsLayerOptions *options, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_setup_base_os_volume";
    GET_RAW(HcsSetupBaseOSVolume, fn);
    args a = {0};
    int rc = path_arg(&a, 0, layer_path, fn, "layer path", err);
    if (rc == 0)
        rc = path_arg(&a, 1, volume_path, fn, "volume path", err);
    if (rc == 0)
        rc = os_options_arg(&a, 2, options, fn, err);
    if (rc == 0)
        rc = result(raw(a.w[0], a.w[1], a.w[2]), "HcsSetupBaseOSVolume", layer_path, err);
    args_free(&a);
    return rc;
}

int zhcs_layer_format_writable_vhd(zhcs_storage *st, zhcs_fd vhd, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_format_writable_vhd";
    GET_RAW(HcsFormatWritableLayerVhd, fn);
    return result(raw(vhd_handle(vhd)), "HcsFormatWritableLayerVhd", "(VHD)", err);
}

int zhcs_layer_vhd_mount_path(zhcs_storage *st, zhcs_fd vhd, char **mount_path, zhcs_error **err)
{
    static const char fn[] = "zhcs_layer_vhd_mount_path";
    if (!mount_path)
        return hcs_null_arg(fn, "mount_path", err);
    *mount_path = NULL;
    GET_RAW(HcsGetLayerVhdMountPath, fn);
    zh_wchar *w = NULL;
    zh_hresult hr = raw(vhd_handle(vhd), &w);
    if (result(hr, "HcsGetLayerVhdMountPath", "(VHD)", err) < 0) {
        zh_raw_free_string(lib, w);
        return -1;
    }
    char *s = NULL;
    if (w && zh_utf16_to_utf8((const uint16_t *)w, ZH_NUL_TERMINATED, &s, NULL, "mount path", err) < 0)
        s = NULL;
    zh_raw_free_string(lib, w);
    if (!s)
        return w ? -1 : zh_error_set(err, ZH_E_UNEXPECTED, fn, "HcsGetLayerVhdMountPath returned no path");
    *mount_path = s;
    return 0;
}

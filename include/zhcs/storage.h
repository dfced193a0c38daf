/* SPDX-License-Identifier: MIT */
/* zhcs/storage.h - container layers (computestorage.dll): import, export and destroy
 * image layers, prepare a container's writable (scratch) layer, attach the storage filter,
 * set up base OS layers.
 *
 * A layer is a directory identified by its path. An exported (or OCI-unpacked) layer holds
 * Files/ (the container's C:\), Hives/ (registry) and, in base layers, UtilityVM/. Calls that
 * need the layers below a layer take them as a LayerData document (zhcs/schema.h): its
 * Layers list the parents {Id, Path}, the immediate parent first, the base layer last.
 *
 * A storage connection is opened from the same URIs as zhcs_service_open ("local", "sim:",
 * "sim:PATH"): on Windows "local" loads computestorage.dll from system32 on first use; the
 * simulator keeps layers as plain directories (docs/storage.md). Every call is synchronous
 * and returns 0, or -1 with *err naming the raw call, the path and the HRESULT.
 * Paths are UTF-8. Thread-safe: one connection may be used from several threads.
 */
#ifndef ZHCS_STORAGE_H
#define ZHCS_STORAGE_H

#include <zhcs/error.h>
#include <zhcs/export.h>
#include <zhcs/schema.h>
#include <zhcs/types.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zhcs_storage zhcs_storage;

/* Opens container storage at `uri` (NULL: "local"). 0, or -1 (INVALID_ARGUMENT for an
 * unknown URI, UNSUPPORTED for "local" off Windows). */
ZHCS_API int zhcs_storage_open(zhcs_storage **out, const char *uri, zhcs_error **err);
/* Accepts NULL. */
ZHCS_API void zhcs_storage_close(zhcs_storage *st);
ZHCS_API const char *zhcs_storage_uri(const zhcs_storage *st);

/* Every path below (layers, folders, the paths of LayerData's layers) must be absolute, as
 * HCS, a service with a working directory of its own, needs them: a relative one is refused
 * with INVALID_ARGUMENT naming it, before the raw call (mount paths excepted).
 * zhcs_path_absolute makes `path` absolute against the current directory (a copy when it is
 * already; ".." is kept): 0 with *out set (free with zhcs_string_free), or -1. */
ZHCS_API int zhcs_path_absolute(char **out, const char *path, zhcs_error **err);

/* HcsImportLayer: makes `layer_path` a layer from `source_dir` (an exported layer: Files/,
 * Hives/, ...) on top of `parents` (NULL or no Layers: a base layer). */
ZHCS_API int zhcs_layer_import(zhcs_storage *st, const char *layer_path, const char *source_dir,
                               const zhcs_LayerData *parents, zhcs_error **err);

/* HcsExportLayer: writes the layer's content into `export_dir`. `options` may be NULL. */
ZHCS_API int zhcs_layer_export(zhcs_storage *st, const char *layer_path, const char *export_dir,
                               const zhcs_LayerData *parents, const zhcs_ExportLayerOptions *options,
                               zhcs_error **err);

/* HcsExportLegacyWritableLayer. */
ZHCS_API int zhcs_layer_export_legacy_writable(zhcs_storage *st, const char *mount_path, const char *folder_path,
                                               const char *export_dir, const zhcs_LayerData *parents,
                                               zhcs_error **err);

/* HcsDestroyLayer: removes the layer (image or writable) and everything in it. */
ZHCS_API int zhcs_layer_destroy(zhcs_storage *st, const char *layer_path, zhcs_error **err);

/* HcsInitializeWritableLayer: prepares `layer_path` as the writable (scratch) layer of a
 * container on `layers` (the image's layers, topmost first). `options_json` may be NULL. */
ZHCS_API int zhcs_layer_init_writable(zhcs_storage *st, const char *layer_path, const zhcs_LayerData *layers,
                                      const char *options_json, zhcs_error **err);

/* HcsInitializeLegacyWritableLayer. */
ZHCS_API int zhcs_layer_init_legacy_writable(zhcs_storage *st, const char *mount_path, const char *folder_path,
                                             const zhcs_LayerData *layers, const char *options_json,
                                             zhcs_error **err);

/* HcsAttachLayerStorageFilter / HcsDetachLayerStorageFilter. */
ZHCS_API int zhcs_layer_attach_filter(zhcs_storage *st, const char *layer_path, const zhcs_LayerData *layers,
                                      zhcs_error **err);
ZHCS_API int zhcs_layer_detach_filter(zhcs_storage *st, const char *layer_path, zhcs_error **err);

/* HcsSetupBaseOSLayer (with the handle of an attached VHD) and HcsSetupBaseOSVolume (with
 * a mounted volume's path). `options` may be NULL. */
ZHCS_API int zhcs_layer_setup_base_os(zhcs_storage *st, const char *layer_path, zhcs_fd vhd,
                                      const zhcs_OsLayerOptions *options, zhcs_error **err);
ZHCS_API int zhcs_layer_setup_base_os_volume(zhcs_storage *st, const char *layer_path, const char *volume_path,
                                             const zhcs_OsLayerOptions *options, zhcs_error **err);

/* HcsFormatWritableLayerVhd and HcsGetLayerVhdMountPath (the volume path; free with
 * zhcs_string_free). VHD handles are Windows handles; off Windows the simulator takes a
 * descriptor of an open file (its VHD model: docs/storage.md). */
ZHCS_API int zhcs_layer_format_writable_vhd(zhcs_storage *st, zhcs_fd vhd, zhcs_error **err);
ZHCS_API int zhcs_layer_vhd_mount_path(zhcs_storage *st, zhcs_fd vhd, char **mount_path, zhcs_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_STORAGE_H */

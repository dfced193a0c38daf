/* SPDX-License-Identifier: MIT */
/* zhcs/image.h - OCI images as container layers: import an OCI image layout (index.json,
 * manifest, config, layer blobs in the Windows layer format: Files/, Hives/, UtilityVM/,
 * gzip or plain tar) into layers with their parent chain, prepare a container's writable
 * layer, and produce the configuration's Storage section.
 *
 * Images live in a store directory:
 *   STORE/layers/<sha256 of the blob>   one layer per blob, shared by the images using it
 *   STORE/images/<name>.json            the image: a LayerData document (topmost layer first)
 * Every blob's digest is verified; a damaged layout (a missing blob, a wrong digest, a bad
 * tar, a path escaping the layer, a link pointing outside it) is an error and leaves no
 * layer of this import behind.
 *
 * The store must be an absolute path (its layers' paths go to HCS, a service: storage.h);
 * a relative one is refused with INVALID_ARGUMENT.
 *
 * Available where the library was built with libarchive (Linux builds, with nettle; the
 * Windows build, with the system's BCrypt); elsewhere these calls fail with UNSUPPORTED
 * (docs/storage.md).
 */
#ifndef ZHCS_IMAGE_H
#define ZHCS_IMAGE_H

#include <stddef.h>

#include <zhcs/error.h>
#include <zhcs/export.h>
#include <zhcs/schema.h>
#include <zhcs/storage.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Imports the image of the OCI layout directory `layout` into `store`. `name` NULL: the
 * index's org.opencontainers.image.ref.name annotation, else "image". Names are letters,
 * digits and ".-_:". *out_name (when not NULL) gets the name (free with zhcs_string_free).
 * Importing a name again replaces the image (layers are shared by digest). */
ZHCS_API int zhcs_image_import(zhcs_storage *st, const char *layout, const char *store, const char *name,
                               char **out_name, zhcs_error **err);

/* The image's layers, topmost first (free with zhcs_LayerData_free). NOT_FOUND when the
 * store has no such image. */
ZHCS_API int zhcs_image_layers(const char *store, const char *name, zhcs_LayerData **out, zhcs_error **err);

/* The images of a store, sorted (free with zhcs_strings_free). */
ZHCS_API int zhcs_image_list(const char *store, char ***names, size_t *count, zhcs_error **err);

/* Removes the image and destroys the layers no other image of the store uses. */
ZHCS_API int zhcs_image_remove(zhcs_storage *st, const char *store, const char *name, zhcs_error **err);

/* Prepares `scratch` as the writable layer of a container of image `name` and gives the
 * configuration's Storage section {Layers, Path} (free with zhcs_Storage_free).
 * Release the scratch with zhcs_layer_destroy when the container is gone. */
ZHCS_API int zhcs_image_prepare(zhcs_storage *st, const char *store, const char *name, const char *scratch,
                                zhcs_Storage **out, zhcs_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_IMAGE_H */

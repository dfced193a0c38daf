/* SPDX-License-Identifier: MIT */
/* hcs_image.c - OCI image layouts imported as container layers (zhcs/image.h).
 *
 * index.json -> manifest -> config and layer blobs (base first). Each blob is checked
 * against its sha256 digest (nettle; BCrypt on Windows), unpacked (libarchive: tar, gzip or not) into
 * STORE/tmp with every entry checked to stay inside the layer, then imported with
 * HcsImportLayer on top of the layers below it. A failure destroys the layers this import
 * created and removes what it unpacked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/image.h>

#ifdef _WIN32
#include <direct.h>
#define rmdir_empty(p) _rmdir(p) /* the C runtime's remove() takes no directory there */
#else
#include <unistd.h>
#define rmdir_empty(p) rmdir(p)
#endif

#include "hcs_internal.h"
#include "zh_fs.h"
#include "zh_str.h"

#define FN_IMPORT "zhcs_image_import"

static int name_ok(const char *name)
{
    if (!name || !*name || strlen(name) > 128 || name[0] == '.')
        return 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_' || c == ':'))
            return 0;
    }
    return 1;
}

static char *image_file(const char *store, const char *name)
{
    char *safe = zh_strdup(name);
    for (char *p = safe; p && *p; p++)
        if (*p == ':')
            *p = '@'; /* no ':' in Windows file names */
    char *path = safe ? zh_asprintf("%s/images/%s.json", store, safe) : NULL;
    free(safe);
    return path;
}

static int check_store_args(const char *store, const char *name, const char *fn, zh_error **err)
{
    if (!store || !*store)
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn, "the store directory is %s",
                                store ? "empty" : "NULL");
    if (!zh_fs_is_absolute(store)) /* its layers' paths go to HCS, a service: see storage.h */
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                "the store directory \"%.300s\" is relative: HCS resolves layer paths in its own "
                                "working directory, give an absolute one (zhcs_path_absolute makes one)",
                                store);
    if (name && !name_ok(name))
        return zh_error_set_cat(err, ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, fn,
                                "\"%.140s\" is not an image name (letters, digits and .-_: only)", name);
    return 0;
}

int zhcs_image_layers(const char *store, const char *name, zhcs_LayerData **out, zhcs_error **err)
{
    static const char fn[] = "zhcs_image_layers";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    if (!name)
        return hcs_null_arg(fn, "name", err);
    if (check_store_args(store, name, fn, err) < 0)
        return -1;
    char *path = image_file(store, name);
    char *text = path ? zh_fs_read(path, NULL) : NULL;
    free(path);
    if (!text)
        return zh_error_set_cat(err, ZH_E_NOT_FOUND, ZH_CAT_NOT_FOUND, fn, "the store %.300s has no image \"%s\"",
                                store, name);
    zh_error *e = NULL;
    *out = zhcs_LayerData_parse(text, ZHCS_NUL_TERMINATED, &e);
    free(text);
    if (!*out) {
        zh_error_put(err, zh_error_prefixed(e, fn, "image record: "));
        zh_error_free(e);
        return -1;
    }
    return 0;
}

int zhcs_image_list(const char *store, char ***names, size_t *count, zhcs_error **err)
{
    static const char fn[] = "zhcs_image_list";
    if (!names || !count)
        return hcs_null_arg(fn, names ? "count" : "names", err);
    *names = NULL;
    *count = 0;
    if (check_store_args(store, NULL, fn, err) < 0)
        return -1;
    char *dir = zh_fs_join(store, "images");
    size_t n = 0;
    char **all = dir && zh_fs_is_dir(dir) ? zh_fs_list(dir, &n) : calloc(1, sizeof *all);
    free(dir);
    if (!all)
        return zh_error_set(err, ZH_E_ACCESSDENIED, fn, "cannot list the images of %.300s", store);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(all[i]);
        if (len > 5 && strcmp(all[i] + len - 5, ".json") == 0) {
            all[i][len - 5] = 0;
            for (char *p = all[i]; *p; p++)
                if (*p == '@')
                    *p = ':';
            all[k++] = all[i];
        } else {
            free(all[i]);
        }
    }
    *names = all;
    *count = k;
    return 0;
}

/* Whether another image of the store than `name` uses layer `path`. */
static int layer_in_use(const char *store, const char *name, const char *path)
{
    char **names = NULL;
    size_t n = 0;
    if (zhcs_image_list(store, &names, &n, NULL) < 0)
        return 1; /* when in doubt, keep it */
    int used = 0;
    for (size_t i = 0; i < n && !used; i++) {
        if (strcmp(names[i], name) == 0)
            continue;
        zhcs_LayerData *d = NULL;
        if (zhcs_image_layers(store, names[i], &d, NULL) < 0) {
            used = 1;
            continue;
        }
        for (size_t j = 0; j < d->Layers_count && !used; j++)
            used = d->Layers[j].Path && strcmp(d->Layers[j].Path, path) == 0;
        zhcs_LayerData_free(d);
    }
    zhcs_strings_free(names, n);
    return used;
}

int zhcs_image_remove(zhcs_storage *st, const char *store, const char *name, zhcs_error **err)
{
    static const char fn[] = "zhcs_image_remove";
    zhcs_LayerData *d = NULL;
    if (zhcs_image_layers(store, name, &d, err) < 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < d->Layers_count && rc == 0; i++) {
        if (!layer_in_use(store, name, d->Layers[i].Path))
            rc = zhcs_layer_destroy(st, d->Layers[i].Path, err);
    }
    zhcs_LayerData_free(d);
    if (rc == 0) {
        char *path = image_file(store, name);
        if (!path || remove(path) != 0)
            rc = zh_error_set(err, ZH_E_ACCESSDENIED, fn, "cannot remove the record of image \"%s\"", name);
        free(path);
    }
    return rc;
}

int zhcs_image_prepare(zhcs_storage *st, const char *store, const char *name, const char *scratch, zhcs_Storage **out,
                       zhcs_error **err)
{
    static const char fn[] = "zhcs_image_prepare";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    zhcs_LayerData *d = NULL;
    if (zhcs_image_layers(store, name, &d, err) < 0)
        return -1;
    int rc = zhcs_layer_init_writable(st, scratch, d, NULL, err);
    if (rc == 0) {
        zhcs_Storage s = {.Layers = d->Layers, .Layers_count = d->Layers_count, .Path = (char *)scratch};
        zh_error *e = NULL;
        char *json = zhcs_Storage_emit(&s, &e);
        *out = json ? zhcs_Storage_parse(json, ZHCS_NUL_TERMINATED, &e) : NULL;
        zhcs_string_free(json);
        if (!*out) {
            zh_error_put(err, zh_error_prefixed(e, fn, "Storage: "));
            zh_error_free(e);
            zhcs_layer_destroy(st, scratch, NULL);
            rc = -1;
        }
    }
    zhcs_LayerData_free(d);
    return rc;
}

#ifndef ZH_HAVE_IMAGE_IMPORT
int zhcs_image_import(zhcs_storage *st, const char *layout, const char *store, const char *name, char **out_name,
                      zhcs_error **err)
{
    (void)st;
    (void)layout;
    (void)store;
    (void)name;
    if (out_name)
        *out_name = NULL;
    return zh_error_set_cat(err, ZH_E_NOT_SUPPORTED, ZH_CAT_UNSUPPORTED, FN_IMPORT,
                            "this build of zhcs cannot import OCI images (it was built without libarchive); "
                            "import layers with zhcs_layer_import instead");
}
#else

#include <archive.h>
#include <archive_entry.h>
#include <json.h>

/* ---------------------------------------------------------------- sha256 */
/* nettle on Linux; on Windows the system's own BCrypt (CNG), no library to ship. */
#define SHA256_SIZE 32
#ifdef _WIN32
#include <windows.h>
#include <bcrypt.h>

typedef struct sha256 {
    BCRYPT_ALG_HANDLE alg;
    BCRYPT_HASH_HANDLE hash;
    bool ok;
} sha256;

static void sha256_begin(sha256 *c)
{
    c->alg = NULL;
    c->hash = NULL;
    c->ok = BCryptOpenAlgorithmProvider(&c->alg, BCRYPT_SHA256_ALGORITHM, NULL, 0) >= 0 &&
            BCryptCreateHash(c->alg, &c->hash, NULL, 0, NULL, 0, 0) >= 0;
}

static void sha256_add(sha256 *c, size_t len, const void *data)
{
    if (c->ok && BCryptHashData(c->hash, (PUCHAR)(uintptr_t)data, (ULONG)len, 0) < 0)
        c->ok = false;
}

/* 0 with sum set, or -1 when the system could not hash. */
static int sha256_end(sha256 *c, unsigned char sum[SHA256_SIZE])
{
    if (c->ok && BCryptFinishHash(c->hash, sum, SHA256_SIZE, 0) < 0)
        c->ok = false;
    if (c->hash)
        BCryptDestroyHash(c->hash);
    if (c->alg)
        BCryptCloseAlgorithmProvider(c->alg, 0);
    return c->ok ? 0 : -1;
}
#else
#include <nettle/sha2.h>

typedef struct sha256 {
    struct sha256_ctx ctx;
} sha256;

static void sha256_begin(sha256 *c)
{
    sha256_init(&c->ctx);
}

static void sha256_add(sha256 *c, size_t len, const void *data)
{
    sha256_update(&c->ctx, len, data);
}

static int sha256_end(sha256 *c, unsigned char sum[SHA256_SIZE])
{
    sha256_digest(&c->ctx, SHA256_SIZE, sum);
    return 0;
}
#endif

/* ---------------------------------------------------------------- digests */
/* "sha256:<64 hex>" -> the hex part, or NULL. */
static const char *sha256_hex(const char *digest)
{
    if (!digest || strncmp(digest, "sha256:", 7) != 0 || strlen(digest) != 7 + 64)
        return NULL;
    for (const char *p = digest + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return NULL;
    return digest + 7;
}

/* The blob file of a digest, checked: 0 with *path, or -1 naming what is wrong. */
static int blob_checked(const char *layout, const char *digest, char **path, zh_error **err)
{
    *path = NULL;
    const char *hex = sha256_hex(digest);
    if (!hex)
        return zh_error_set_cat(err, HCS_E_INVALID_JSON, ZH_CAT_INVALID_JSON, FN_IMPORT,
                                "the digest \"%.100s\" is not sha256:<64 lowercase hex digits>", digest ? digest : "");
    char *p = zh_asprintf("%s/blobs/sha256/%s", layout, hex);
    FILE *f = p ? fopen(p, "rb") : NULL;
    if (!f) {
        free(p);
        return zh_error_set_cat(err, ZH_E_FILE_NOT_FOUND, ZH_CAT_NOT_FOUND, FN_IMPORT,
                                "the blob %s is missing from the layout %.300s", digest, layout);
    }
    sha256 ctx;
    sha256_begin(&ctx);
    unsigned char buf[65536];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_add(&ctx, got, buf);
    int bad = ferror(f);
    fclose(f);
    unsigned char sum[SHA256_SIZE];
    if (sha256_end(&ctx, sum) < 0)
        bad = 1;
    char hexsum[2 * SHA256_SIZE + 1];
    for (size_t i = 0; i < sizeof sum; i++)
        snprintf(hexsum + 2 * i, 3, "%02x", sum[i]);
    if (bad || strcmp(hexsum, hex) != 0) {
        free(p);
        return zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_ARGUMENT, FN_IMPORT,
                                bad ? "the blob %s cannot be read"
                                    : "the blob %s is damaged: its content has sha256:%s",
                                digest, bad ? "" : hexsum);
    }
    *path = p;
    return 0;
}

static json_object *json_blob(const char *layout, const char *digest, const char *what, zh_error **err)
{
    char *path = NULL;
    if (blob_checked(layout, digest, &path, err) < 0)
        return NULL;
    char *text = zh_fs_read(path, NULL);
    free(path);
    json_object *o = text ? json_tokener_parse(text) : NULL;
    free(text);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        zh_error_set_cat(err, HCS_E_INVALID_JSON, ZH_CAT_INVALID_JSON, FN_IMPORT, "the %s %s is not a JSON object",
                         what, digest);
        return NULL;
    }
    return o;
}

static const char *str_member(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

/* ---------------------------------------------------------------- unpacking */
/* A tar member's path inside the layer: no "..", not absolute, no drive. The normalised
 * relative path (free), or NULL. */
static char *inside_path(const char *name)
{
    if (!name || name[0] == '/' || name[0] == '\\' || strchr(name, ':'))
        return NULL;
    zh_buf b = ZH_BUF_INIT(0);
    const char *p = name;
    while (*p) {
        while (*p == '/' || *p == '\\')
            p++;
        size_t len = strcspn(p, "/\\");
        if (len == 0)
            break;
        if (len == 2 && strncmp(p, "..", 2) == 0) {
            zh_buf_free(&b);
            return NULL;
        }
        if (!(len == 1 && *p == '.')) {
            if (b.len)
                zh_buf_append(&b, "/", 1);
            zh_buf_append(&b, p, len);
        }
        p += len;
    }
    if (b.len == 0) {
        zh_buf_free(&b);
        return zh_strdup(".");
    }
    return zh_buf_take(&b);
}

/* Whether a symbolic link at `rel` with `target` stays inside the layer. */
static int link_inside(const char *rel, const char *target)
{
    if (!target || !*target || target[0] == '/' || target[0] == '\\' || strchr(target, ':'))
        return 0;
    int depth = 0; /* directories below the root where the link sits */
    for (const char *p = rel; *p; p++)
        if (*p == '/')
            depth++;
    const char *p = target;
    while (*p) {
        size_t len = strcspn(p, "/\\");
        if (len == 2 && strncmp(p, "..", 2) == 0) {
            if (--depth < 0)
                return 0;
        } else if (len > 0 && !(len == 1 && *p == '.')) {
            depth++;
        }
        p += len;
        while (*p == '/' || *p == '\\')
            p++;
    }
    return 1;
}

/* Unpacks the tar (gzip or plain) `blob` into `dir`. 0 or -1 naming the member. */
static int unpack(const char *blob, const char *digest, const char *dir, zh_error **err)
{
    struct archive *in = archive_read_new(), *out = archive_write_disk_new();
    if (!in || !out) {
        archive_read_free(in);
        archive_write_free(out);
        return zh_error_set(err, ZH_E_OUTOFMEMORY, FN_IMPORT, "out of memory");
    }
    archive_read_support_filter_gzip(in);
    archive_read_support_filter_none(in);
    archive_read_support_format_tar(in);
    /* members are checked above; libarchive checks again that nothing climbs out or writes
     * through a link (the destination itself is our, possibly absolute, directory) */
    archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS);
    int rc = 0, entries = 0;
    if (archive_read_open_filename(in, blob, 65536) != ARCHIVE_OK) {
        rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_ARGUMENT, FN_IMPORT,
                              "the %s %s is not a tar archive: %s", strcmp(digest, "archive") ? "layer" : "image",
                              digest, archive_error_string(in));
        goto done;
    }
    for (;;) {
        struct archive_entry *e;
        int r = archive_read_next_header(in, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK) {
            rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_ARGUMENT, FN_IMPORT,
                                  "the layer %s is not a valid tar archive: %s", digest, archive_error_string(in));
            goto done;
        }
        entries++;
        char name[256];
        snprintf(name, sizeof name, "%s", archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
        char *rel = inside_path(name);
        if (!rel) {
            rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_ARGUMENT, FN_IMPORT,
                                  "the layer %s holds \"%.200s\", a path outside the layer", digest, name);
            goto done;
        }
        const char *sym = archive_entry_symlink(e), *hard = archive_entry_hardlink(e);
        char *hard_rel = hard ? inside_path(hard) : NULL;
        if ((sym && !link_inside(rel, sym)) || (hard && !hard_rel)) {
            rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_ARGUMENT, FN_IMPORT,
                                  "the layer %s holds the link \"%.200s\" -> \"%.200s\", which points outside "
                                  "the layer",
                                  digest, rel, sym ? sym : hard);
            free(rel);
            free(hard_rel);
            goto done;
        }
        char *dst = zh_fs_join(dir, rel), *hard_dst = hard_rel ? zh_fs_join(dir, hard_rel) : NULL;
        free(rel);
        free(hard_rel);
        if (!dst || (hard && !hard_dst)) {
            free(dst);
            free(hard_dst);
            rc = zh_error_set(err, ZH_E_OUTOFMEMORY, FN_IMPORT, "out of memory");
            goto done;
        }
        archive_entry_set_pathname(e, dst);
        if (hard_dst)
            archive_entry_set_hardlink(e, hard_dst);
        free(dst);
        free(hard_dst);
        archive_entry_set_perm(e, archive_entry_filetype(e) == AE_IFDIR ? 0755 : 0644);
        r = archive_write_header(out, e);
        const void *buf;
        size_t size;
        int64_t offset;
        while (r == ARCHIVE_OK && (r = archive_read_data_block(in, &buf, &size, &offset)) == ARCHIVE_OK)
            if (archive_write_data_block(out, buf, size, offset) != ARCHIVE_OK)
                r = ARCHIVE_FATAL;
        if (r != ARCHIVE_EOF && r != ARCHIVE_OK) {
            struct archive *which = archive_errno(out) || archive_error_string(out) ? out : in;
            rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_ARGUMENT, FN_IMPORT,
                                  "the layer %s cannot be unpacked at \"%.200s\": %s", digest, name,
                                  archive_error_string(which) ? archive_error_string(which) : "truncated");
            goto done;
        }
        if (archive_write_finish_entry(out) != ARCHIVE_OK) {
            rc = zh_error_set(err, ZH_E_ACCESSDENIED, FN_IMPORT, "the layer %s cannot be unpacked at \"%.200s\": %s",
                              digest, name, archive_error_string(out));
            goto done;
        }
    }
    if (entries == 0)
        rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_ARGUMENT, FN_IMPORT,
                              "the layer %s is an empty archive", digest);
done:
    archive_read_free(in);
    archive_write_free(out);
    return rc;
}

/* ---------------------------------------------------------------- the import */
/* A layer's Id: a GUID from the blob's digest (stable: the same blob, the same Id). */
static void layer_id(const char *hex, char out[37])
{
    sha256 ctx;
    unsigned char sum[SHA256_SIZE] = {0};
    sha256_begin(&ctx);
    sha256_add(&ctx, strlen(hex), hex);
    sha256_end(&ctx, sum); /* a failure leaves zeros: the id stays a well-formed GUID */
    sum[6] = (unsigned char)((sum[6] & 0x0f) | 0x50); /* name-based (version 5 layout) */
    sum[8] = (unsigned char)((sum[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", sum[0], sum[1], sum[2],
             sum[3], sum[4], sum[5], sum[6], sum[7], sum[8], sum[9], sum[10], sum[11], sum[12], sum[13], sum[14],
             sum[15]);
}

typedef struct imported {
    zhcs_Layer *layers; /* base first */
    size_t count;
    bool *created;      /* by this import */
} imported;

static void rollback(zhcs_storage *st, imported *im)
{
    for (size_t i = im->count; i-- > 0;)
        if (im->created[i])
            zhcs_layer_destroy(st, im->layers[i].Path, NULL);
}

/* Chooses the manifest in index.json: the one named `name` if given, else the first. */
static const char *pick_manifest(json_object *index, const char *name, const char **ref_name, zh_error **err)
{
    json_object *ms = NULL;
    *ref_name = NULL;
    if (!json_object_object_get_ex(index, "manifests", &ms) || !json_object_is_type(ms, json_type_array) ||
        json_object_array_length(ms) == 0) {
        zh_error_set_cat(err, HCS_E_INVALID_JSON, ZH_CAT_INVALID_JSON, FN_IMPORT, "index.json lists no manifests");
        return NULL;
    }
    for (size_t i = 0; i < json_object_array_length(ms); i++) {
        json_object *m = json_object_array_get_idx(ms, i), *ann = NULL;
        const char *ref = json_object_object_get_ex(m, "annotations", &ann)
                              ? str_member(ann, "org.opencontainers.image.ref.name")
                              : NULL;
        if (!name || (ref && strcmp(ref, name) == 0) || i + 1 == json_object_array_length(ms)) {
            if (name && !(ref && strcmp(ref, name) == 0) && json_object_array_length(ms) > 1)
                continue;
            *ref_name = ref;
            const char *d = str_member(m, "digest");
            if (!d)
                zh_error_set_cat(err, HCS_E_INVALID_JSON, ZH_CAT_INVALID_JSON, FN_IMPORT,
                                 "index.json: a manifest without a digest");
            return d;
        }
    }
    zh_error_set_cat(err, ZH_E_NOT_FOUND, ZH_CAT_NOT_FOUND, FN_IMPORT, "index.json has no image named \"%s\"", name);
    return NULL;
}

static int import_layout(zhcs_storage *st, const char *layout, const char *store, const char *name, char **out_name,
                         zhcs_error **err)
{
    char *index_path = zh_fs_join(layout, "index.json");
    char *index_text = index_path ? zh_fs_read(index_path, NULL) : NULL;
    free(index_path);
    if (!index_text)
        return zh_error_set_cat(err, ZH_E_FILE_NOT_FOUND, ZH_CAT_NOT_FOUND, FN_IMPORT,
                                "%.300s is not an OCI image layout: it has no index.json", layout);
    json_object *index = json_tokener_parse(index_text), *manifest = NULL, *config = NULL;
    free(index_text);
    imported im = {0};
    char *tmp = NULL, *final_name = NULL;
    int rc = -1;
    if (!index || !json_object_is_type(index, json_type_object)) {
        zh_error_set_cat(err, HCS_E_INVALID_JSON, ZH_CAT_INVALID_JSON, FN_IMPORT, "%.300s/index.json is not JSON",
                         layout);
        goto out;
    }
    const char *ref = NULL, *mdigest = pick_manifest(index, name, &ref, err);
    if (!mdigest || !(manifest = json_blob(layout, mdigest, "manifest", err)))
        goto out;
    final_name = zh_strdup(name ? name : ref && name_ok(ref) ? ref : "image");
    json_object *cfg = NULL, *layers = NULL;
    if (!json_object_object_get_ex(manifest, "config", &cfg) ||
        !(config = json_blob(layout, str_member(cfg, "digest"), "config", err))) {
        if (!cfg)
            zh_error_set_cat(err, HCS_E_INVALID_JSON, ZH_CAT_INVALID_JSON, FN_IMPORT, "the manifest has no config");
        goto out;
    }
    const char *os = str_member(config, "os");
    if (os && strcmp(os, "windows") != 0) {
        zh_error_set_cat(err, ZH_E_NOT_SUPPORTED, ZH_CAT_UNSUPPORTED, FN_IMPORT,
                         "the image is for \"%.40s\": Windows containers need a windows image", os);
        goto out;
    }
    if (!json_object_object_get_ex(manifest, "layers", &layers) || !json_object_is_type(layers, json_type_array) ||
        json_object_array_length(layers) == 0) {
        zh_error_set_cat(err, HCS_E_INVALID_JSON, ZH_CAT_INVALID_JSON, FN_IMPORT, "the manifest lists no layers");
        goto out;
    }
    size_t n = json_object_array_length(layers);
    im.layers = calloc(n, sizeof *im.layers);
    im.created = calloc(n, sizeof *im.created);
    tmp = zh_fs_join(store, "tmp");
    char *layers_dir = zh_fs_join(store, "layers"), *images_dir = zh_fs_join(store, "images");
    int dirs_ok = im.layers && im.created && tmp && layers_dir && images_dir && zh_fs_mkdirs(layers_dir) == 0 &&
                  zh_fs_mkdirs(images_dir) == 0;
    free(layers_dir);
    free(images_dir);
    if (!dirs_ok) {
        zh_error_set(err, ZH_E_ACCESSDENIED, FN_IMPORT, "cannot create the store %.300s", store);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const char *digest = str_member(json_object_array_get_idx(layers, i), "digest");
        char *blob = NULL;
        if (blob_checked(layout, digest, &blob, err) < 0)
            goto out;
        const char *hex = sha256_hex(digest);
        char id[37];
        layer_id(hex, id);
        im.layers[i].Id = zh_strdup(id);
        im.layers[i].Path = zh_asprintf("%s/layers/%s", store, hex);
        im.count = i + 1;
        if (!im.layers[i].Id || !im.layers[i].Path) {
            free(blob);
            zh_error_set(err, ZH_E_OUTOFMEMORY, FN_IMPORT, "out of memory");
            goto out;
        }
        if (zh_fs_is_dir(im.layers[i].Path)) { /* imported before, by this or another image */
            free(blob);
            continue;
        }
        char *src = zh_fs_join(tmp, hex);
        int ok = src && zh_fs_rmtree(src) == 0 && zh_fs_mkdirs(src) == 0 && unpack(blob, digest, src, err) == 0;
        free(blob);
        if (ok) {
            /* the parents: the layers below, the immediate one first */
            zhcs_Layer *parents = calloc(i ? i : 1, sizeof *parents);
            for (size_t k = 0; parents && k < i; k++)
                parents[k] = im.layers[i - 1 - k];
            zhcs_LayerData d = {.Layers = parents, .Layers_count = i};
            ok = parents && zhcs_layer_import(st, im.layers[i].Path, src, &d, err) == 0;
            free(parents);
            if (ok)
                im.created[i] = true;
        }
        if (src)
            zh_fs_rmtree(src);
        free(src);
        if (!ok)
            goto out;
    }
    /* the image record: topmost first, as Storage.Layers wants them */
    {
        zhcs_Layer *top_first = calloc(n, sizeof *top_first);
        for (size_t k = 0; top_first && k < n; k++)
            top_first[k] = im.layers[n - 1 - k];
        zhcs_LayerData d = {.Layers = top_first, .Layers_count = n};
        char *json = top_first ? zhcs_LayerData_emit(&d, NULL) : NULL;
        char *path = image_file(store, final_name);
        int ok = json && path && zh_fs_write(path, json, strlen(json)) == 0;
        zhcs_string_free(json);
        free(path);
        free(top_first);
        if (!ok) {
            zh_error_set(err, ZH_E_ACCESSDENIED, FN_IMPORT, "cannot write the image record in %.300s", store);
            goto out;
        }
    }
    rc = 0;
out:
    if (rc < 0)
        rollback(st, &im);
    if (tmp)
        rmdir_empty(tmp); /* only when empty: another import may be using it */
    for (size_t i = 0; i < im.count; i++) {
        free(im.layers[i].Id);
        free(im.layers[i].Path);
    }
    free(im.layers);
    free(im.created);
    free(tmp);
    json_object_put(index);
    json_object_put(manifest);
    json_object_put(config);
    if (rc == 0 && out_name)
        *out_name = final_name;
    else
        free(final_name);
    return rc;
}
int zhcs_image_import(zhcs_storage *st, const char *layout, const char *store, const char *name, char **out_name,
                      zhcs_error **err)
{
    if (out_name)
        *out_name = NULL;
    if (!st)
        return hcs_null_arg(FN_IMPORT, "storage", err);
    if (!layout || !*layout)
        return hcs_null_arg(FN_IMPORT, "layout", err);
    if (check_store_args(store, name, FN_IMPORT, err) < 0)
        return -1;
    if (zh_fs_is_dir(layout))
        return import_layout(st, layout, store, name, out_name, err);
    if (!zh_fs_is_file(layout))
        return zh_error_set_cat(err, ZH_E_FILE_NOT_FOUND, ZH_CAT_NOT_FOUND, FN_IMPORT,
                                "%.300s is neither an OCI image layout directory nor an archive of one", layout);
    /* an archive of a layout (tar, or tar.gz): unpacked into the store's tmp first */
    char suffix[40];
    zh_guid g;
    zh_guid_random(&g, NULL);
    char gs[ZH_GUID_BUFSIZE];
    zh_guid_format(&g, ZH_GUID_LOWER, gs);
    snprintf(suffix, sizeof suffix, "tmp/layout-%.8s", gs);
    char *dir = zh_fs_join(store, suffix);
    if (!dir || zh_fs_mkdirs(dir) != 0) {
        free(dir);
        return zh_error_set(err, ZH_E_ACCESSDENIED, FN_IMPORT, "cannot create the store %.300s", store);
    }
    int rc = unpack(layout, "archive", dir, err);
    if (rc == 0)
        rc = import_layout(st, dir, store, name, out_name, err);
    zh_fs_rmtree(dir);
    free(dir);
    char *tmp = zh_fs_join(store, "tmp");
    if (tmp)
        rmdir_empty(tmp); /* when empty */
    free(tmp);
    return rc;
}
#endif /* ZH_HAVE_IMAGE_IMPORT */

/* SPDX-License-Identifier: MIT */
/* test_zhcs_image.c - OCI image layouts (zhcs/image.h) on the simulator: a generated
 * layout (a base layer and an application layer, gzip and plain tar) imported with its
 * chain, a container created from it that prints a file of the image, cleanup; every kind
 * of damaged layout refused with nothing left behind; a fault in the middle of an import
 * rolled back. */
#include <archive.h>
#include <archive_entry.h>
#ifdef _WIN32
#include <windows.h>
#include <bcrypt.h>
#include <process.h>
#else
#include <nettle/sha2.h>
#include <unistd.h>
#endif

#include "hcs_test.h"
#include "t_rooted.h"
#include "zh_fs.h"
#include "zh_hresult.h"
#include "zh_str.h"

#define ROOT_NAME "zhcs-image.tmp"

/* "@ROOT@/x" under ROOT_NAME, made absolute (t_rooted.h) */
#define R(tmpl) t_rooted(ROOT_NAME, true, (tmpl))

static zhcs_storage *st;
static zhcs_service *svc;

static void hex_of(const void *data, size_t len, char out[65])
{
    unsigned char sum[32] = {0};
#ifdef _WIN32 /* zhcs uses Windows' BCrypt there, and so does this test */
    BCRYPT_ALG_HANDLE alg = NULL;
    BCRYPT_HASH_HANDLE h = NULL;
    if (BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0) >= 0 &&
        BCryptCreateHash(alg, &h, NULL, 0, NULL, 0, 0) >= 0) {
        BCryptHashData(h, (PUCHAR)(uintptr_t)data, (ULONG)len, 0);
        BCryptFinishHash(h, sum, sizeof sum, 0);
    }
    if (h)
        BCryptDestroyHash(h);
    if (alg)
        BCryptCloseAlgorithmProvider(alg, 0);
#else
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, len, data);
    sha256_digest(&c, sizeof sum, sum);
#endif
    for (size_t i = 0; i < sizeof sum; i++)
        snprintf(out + 2 * i, 3, "%02x", sum[i]);
}

/* Writes a blob; its digest into `digest` ("sha256:..."). */
static int put_blob(const void *data, size_t len, char digest[72])
{
    char hex[65];
    hex_of(data, len, hex);
    snprintf(digest, 72, "sha256:%s", hex);
    char *path = zh_asprintf("%s/blobs/sha256/%s", R("@ROOT@/layout"), hex);
    int rc = path ? zh_fs_write(path, data, len) : -1;
    free(path);
    return rc;
}

/* A tar member: a directory (text NULL, link NULL), a file, or a symbolic link. */
typedef struct member {
    const char *path;
    const char *text;
    const char *symlink;
} member;

/* A tar (gzip when asked) of the members, in memory. */
static char *make_tar(const member *m, size_t n, int gzip, size_t *len)
{
    size_t cap = 1 << 20;
    char *buf = malloc(cap);
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (gzip)
        archive_write_add_filter_gzip(a);
    archive_write_open_memory(a, buf, cap, len);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, m[i].path);
        if (m[i].symlink) {
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, m[i].symlink);
        } else if (m[i].text) {
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, (la_int64_t)strlen(m[i].text));
        } else {
            archive_entry_set_filetype(e, AE_IFDIR);
        }
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        if (m[i].text)
            archive_write_data(a, m[i].text, strlen(m[i].text));
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return buf;
}

static const member BASE[] = {{"Files", NULL, NULL}, {"Files/Windows", NULL, NULL},
                              {"Files/Windows/win.ini", "[fonts]\r\n", NULL}, {"Hives", NULL, NULL},
                              {"Hives/Software_Delta", "hive", NULL}};
static const member APP[] = {{"Files", NULL, NULL}, {"Files/hello.txt", "hello from the image\r\n", NULL},
                             {"Hives", NULL, NULL}};

/* A layout: base (gzip) and app (plain tar, or `app` when given). Damage: 1 no app blob,
 * 2 wrong app digest. */
static int make_layout(const member *app, size_t app_n, int damage)
{
    zh_fs_rmtree(R("@ROOT@/layout"));
    if (zh_fs_mkdirs(R("@ROOT@/layout/blobs/sha256")) != 0)
        return -1;
    if (!app)
        app = APP, app_n = sizeof APP / sizeof APP[0];
    size_t blen = 0, alen = 0;
    char *b = make_tar(BASE, sizeof BASE / sizeof BASE[0], 1, &blen), *a = make_tar(app, app_n, 0, &alen);
    char bd[72], ad[72], cd[72], md[72];
    const char *config = "{\"architecture\":\"amd64\",\"os\":\"windows\",\"rootfs\":{\"type\":\"layers\"}}";
    int rc = put_blob(b, blen, bd) | put_blob(a, alen, ad) | put_blob(config, strlen(config), cd);
    if (damage == 1) {
        char *p = zh_asprintf("%s/blobs/sha256/%s", R("@ROOT@/layout"), ad + 7);
        remove(p);
        free(p);
    } else if (damage == 2) {
        char *p = zh_asprintf("%s/blobs/sha256/%s", R("@ROOT@/layout"), ad + 7);
        a[alen / 2] ^= 1;
        zh_fs_write(p, a, alen);
        free(p);
    }
    char *manifest = zh_asprintf(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"%s\",\"size\":%zu},"
        "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\",\"size\":%zu},"
        "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":%zu}]}",
        cd, strlen(config), bd, blen, ad, alen);
    rc |= put_blob(manifest, strlen(manifest), md);
    char *index = zh_asprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                              "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
                              "\"annotations\":{\"org.opencontainers.image.ref.name\":\"hello:1\"}}]}",
                              md, strlen(manifest));
    rc |= zh_fs_write(R("@ROOT@/layout/index.json"), index, strlen(index));
    rc |= zh_fs_write(R("@ROOT@/layout/oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
    free(b);
    free(a);
    free(manifest);
    free(index);
    return rc ? -1 : 0;
}

/* Adds the tree `dir` (as `prefix`) to an archive being written. */
static void add_tree(struct archive *a, const char *dir, const char *prefix)
{
    size_t n = 0;
    char **names = zh_fs_list(dir, &n);
    for (size_t i = 0; names && i < n; i++) {
        char *path = zh_asprintf("%s/%s", dir, names[i]);
        char *name = prefix[0] ? zh_asprintf("%s/%s", prefix, names[i]) : zh_strdup(names[i]);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_perm(e, 0644);
        if (zh_fs_is_dir(path)) {
            archive_entry_set_filetype(e, AE_IFDIR);
            archive_write_header(a, e);
            add_tree(a, path, name);
        } else {
            size_t len = 0;
            char *data = zh_fs_read(path, &len);
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, (la_int64_t)len);
            archive_write_header(a, e);
            archive_write_data(a, data, len);
            free(data);
        }
        archive_entry_free(e);
        free(path);
        free(name);
    }
    zh_fs_names_free(names, n);
}

/* The layout as R("@ROOT@")/layout.tar.gz. */
static int archive_layout(void)
{
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    if (archive_write_open_filename(a, R("@ROOT@/layout.tar.gz")) != ARCHIVE_OK) {
        archive_write_free(a);
        return -1;
    }
    add_tree(a, R("@ROOT@/layout"), "");
    archive_write_close(a);
    archive_write_free(a);
    return 0;
}

static int setup(void)
{
    zh_fs_rmtree(R("@ROOT@"));
    zhcs_error *err = NULL;
    svc = t_open();
    if (!svc || zhcs_storage_open(&st, "sim:", &err) < 0) {
        printf("  %s\n", t_errstr(err));
        zhcs_error_free(err);
        return -1;
    }
    return 0;
}

static void teardown(void)
{
    zh_sim_fault_clear();
    zhcs_storage_close(st);
    zhcs_service_close(svc);
    st = NULL;
    svc = NULL;
    zh_fs_rmtree(R("@ROOT@"));
}

/* How many layers the store holds. */
static size_t store_layers(void)
{
    size_t n = 0;
    char **names = zh_fs_list(R("@ROOT@/store/layers"), &n);
    zh_fs_names_free(names, n);
    return n;
}

static void an_image_runs_as_a_container(void)
{
    ZT_REQUIRE(setup() == 0);
    ZT_REQUIRE(make_layout(NULL, 0, 0) == 0);
    zhcs_error *err = NULL;
    char *name = NULL;
    ZT_REQUIRE(zhcs_image_import(st, R("@ROOT@/layout"), R("@ROOT@/store"), NULL, &name, &err) == 0);
    ZT_EQ_STR(name, "hello:1");
    ZT_EQ_INT(store_layers(), 2);
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/store/tmp")));

    zhcs_LayerData *d = NULL;
    ZT_REQUIRE(zhcs_image_layers(R("@ROOT@/store"), name, &d, &err) == 0);
    ZT_EQ_INT(d->Layers_count, 2);
    char *hello = zh_asprintf("%s/Files/hello.txt", d->Layers[0].Path);
    char *winini = zh_asprintf("%s/Files/Windows/win.ini", d->Layers[1].Path);
    ZT_CHECK(zh_fs_is_file(hello)); /* topmost first */
    ZT_CHECK(zh_fs_is_file(winini));
    free(hello);
    free(winini);
    zhcs_LayerData_free(d);

    char **names = NULL;
    size_t count = 0;
    ZT_REQUIRE(zhcs_image_list(R("@ROOT@/store"), &names, &count, &err) == 0);
    ZT_EQ_INT(count, 1);
    ZT_EQ_STR(count ? names[0] : "", "hello:1");
    zhcs_strings_free(names, count);

    /* importing again shares the layers */
    ZT_CHECK(zhcs_image_import(st, R("@ROOT@/layout"), R("@ROOT@/store"), "again", NULL, &err) == 0);
    ZT_EQ_INT(store_layers(), 2);

    zhcs_Storage *storage = NULL;
    ZT_REQUIRE(zhcs_image_prepare(st, R("@ROOT@/store"), name, R("@ROOT@/scratch"), &storage, &err) == 0);
    ZT_EQ_INT(storage->Layers_count, 2);
    ZT_EQ_STR(storage->Path, R("@ROOT@/scratch"));
    zhcs_Container c = {.Storage = storage};
    zhcs_Version v = {.Major = 2, .Minor = 1};
    zhcs_ComputeSystem cs = {.Owner = (char *)"zhcs-test", .SchemaVersion = &v, .Container = &c};
    zhcs_system *sys = NULL;
    ZT_REQUIRE(zhcs_system_create(&sys, svc, "from-image", &cs, T_TIMEOUT, &err) == 0);
    ZT_REQUIRE(zhcs_system_start(sys, T_TIMEOUT, &err) == 0);
    zhcs_run_result r = {0};
    ZT_CHECK(zhcs_process_run(&r, sys, "cmd /c type C:\\hello.txt", NULL, &err) == 0);
    ZT_EQ_INT(r.exit_code, 0);
    ZT_EQ_STR(r.out ? r.out : "", "hello from the image\r\n");
    zhcs_run_result_free(&r);
    ZT_CHECK(zhcs_system_terminate(sys, NULL, T_TIMEOUT, &err) == 0);
    zhcs_system_close(sys);
    zhcs_Storage_free(storage);

    ZT_CHECK(zhcs_layer_destroy(st, R("@ROOT@/scratch"), &err) == 0);
    ZT_CHECK(zhcs_image_remove(st, R("@ROOT@/store"), "again", &err) == 0);
    ZT_EQ_INT(store_layers(), 2); /* still used by hello:1 */
    ZT_CHECK(zhcs_image_remove(st, R("@ROOT@/store"), name, &err) == 0);
    ZT_EQ_INT(store_layers(), 0);
    ZT_CHECK(zhcs_image_layers(R("@ROOT@/store"), name, &d, &err) == -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_NOT_FOUND);
    zhcs_error_free(err);
    zhcs_string_free(name);
    teardown();
}

/* The import fails naming `needle` and leaves no layer, record or unpacked files. */
static void refused(const char *needle)
{
    zhcs_error *err = NULL;
    ZT_CHECK(zhcs_image_import(st, R("@ROOT@/layout"), R("@ROOT@/store"), NULL, NULL, &err) == -1);
    ZT_CONTAINS(err ? zhcs_error_message(err) : "", needle);
    zhcs_error_free(err);
    ZT_EQ_INT(store_layers(), 0);
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/store/tmp")));
    char **names = NULL;
    size_t count = 0;
    ZT_CHECK(zhcs_image_list(R("@ROOT@/store"), &names, &count, NULL) == 0);
    ZT_EQ_INT(count, 0);
    zhcs_strings_free(names, count);
}

static void damaged_layouts_leave_nothing(void)
{
    ZT_REQUIRE(setup() == 0);
    ZT_REQUIRE(make_layout(NULL, 0, 1) == 0);
    refused("is missing from the layout");
    ZT_REQUIRE(make_layout(NULL, 0, 2) == 0);
    refused("is damaged");
    static const member escape[] = {{"Files", NULL, NULL}, {"Files/../../evil.txt", "x", NULL}};
    ZT_REQUIRE(make_layout(escape, 2, 0) == 0);
    refused("a path outside the layer");
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/evil.txt")));
    static const member link_out[] = {{"Files", NULL, NULL}, {"Files/out", NULL, "../../../etc"}};
    ZT_REQUIRE(make_layout(link_out, 2, 0) == 0);
    refused("points outside the layer");
    static const member link_abs[] = {{"Files", NULL, NULL}, {"Files/abs", NULL, "/etc/passwd"}};
    ZT_REQUIRE(make_layout(link_abs, 2, 0) == 0);
    refused("points outside the layer");
    /* a layer that is no tar at all */
    ZT_REQUIRE(make_layout(NULL, 0, 0) == 0);
    {
        char *index = zh_fs_read(R("@ROOT@/layout/index.json"), NULL);
        ZT_REQUIRE(index != NULL);
        free(index);
        /* replace the app blob by garbage with a matching digest: rewrite the layout */
        zh_fs_rmtree(R("@ROOT@/layout"));
        zh_fs_mkdirs(R("@ROOT@/layout/blobs/sha256"));
        char bd[72], cd[72], md[72];
        const char *junk = "this is not a tar archive at all, just some words.";
        const char *config = "{\"os\":\"windows\"}";
        put_blob(junk, strlen(junk), bd);
        put_blob(config, strlen(config), cd);
        char *m = zh_asprintf("{\"schemaVersion\":2,\"config\":{\"digest\":\"%s\"},\"layers\":[{\"digest\":\"%s\"}]}",
                              cd, bd);
        put_blob(m, strlen(m), md);
        char *ix = zh_asprintf("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"%s\"}]}", md);
        zh_fs_write(R("@ROOT@/layout/index.json"), ix, strlen(ix));
        free(m);
        free(ix);
    }
    refused("not a");
    /* no index.json */
    zh_fs_rmtree(R("@ROOT@/layout"));
    zh_fs_mkdirs(R("@ROOT@/layout"));
    refused("no index.json");
    /* a bad name */
    zhcs_error *err = NULL;
    ZT_CHECK(zhcs_image_import(st, R("@ROOT@/layout"), R("@ROOT@/store"), "../x", NULL, &err) == -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    zhcs_error_free(err), err = NULL;
    /* a relative store: its layers' paths would go to HCS, a service */
    ZT_CHECK(zhcs_image_import(st, R("@ROOT@/layout"), ROOT_NAME "/store", NULL, NULL, &err) == -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    ZT_CONTAINS(zhcs_error_message(err), "the store directory \"" ROOT_NAME "/store\" is relative");
    zhcs_error_free(err);
    teardown();
}

static void an_archived_layout_imports(void)
{
    ZT_REQUIRE(setup() == 0);
    ZT_REQUIRE(make_layout(NULL, 0, 0) == 0);
    ZT_REQUIRE(archive_layout() == 0);
    zh_fs_rmtree(R("@ROOT@/layout"));
    zhcs_error *err = NULL;
    char *name = NULL;
    ZT_CHECK(zhcs_image_import(st, R("@ROOT@/layout.tar.gz"), R("@ROOT@/store"), "archived", &name, &err) == 0);
    ZT_EQ_STR(name ? name : "", "archived");
    ZT_EQ_INT(store_layers(), 2);
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/store/tmp")));
    zhcs_string_free(name);
    /* a file that is no archive */
    ZT_REQUIRE(zh_fs_write(R("@ROOT@/junk.tar"), "junk", 4) == 0);
    ZT_CHECK(zhcs_image_import(st, R("@ROOT@/junk.tar"), R("@ROOT@/store"), "junk", NULL, &err) == -1);
    ZT_CONTAINS(err ? zhcs_error_message(err) : "", "the image archive is not a tar archive");
    zhcs_error_free(err);
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/store/tmp")));
    teardown();
}

static void a_fault_in_the_middle_rolls_back(void)
{
    ZT_REQUIRE(setup() == 0);
    ZT_REQUIRE(make_layout(NULL, 0, 0) == 0);
    /* the second HcsImportLayer (the app layer) fails: the base layer goes too */
    ZT_REQUIRE(zh_sim_fault("HcsImportLayer", 2, ZH_E_ACCESSDENIED) == 0);
    zhcs_error *err = NULL;
    ZT_CHECK(zhcs_image_import(st, R("@ROOT@/layout"), R("@ROOT@/store"), NULL, NULL, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_ACCESSDENIED);
    zhcs_error_free(err), err = NULL;
    ZT_EQ_INT(store_layers(), 0);
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/store/tmp")));
    /* a failed scratch leaves no scratch and no Storage */
    zh_sim_fault_clear();
    ZT_REQUIRE(zhcs_image_import(st, R("@ROOT@/layout"), R("@ROOT@/store"), NULL, NULL, &err) == 0);
    ZT_REQUIRE(zh_sim_fault("HcsInitializeWritableLayer", 0, ZH_E_ACCESSDENIED) == 0);
    zhcs_Storage *s = NULL;
    ZT_CHECK(zhcs_image_prepare(st, R("@ROOT@/store"), "hello:1", R("@ROOT@/scratch"), &s, &err) == -1);
    ZT_CHECK(s == NULL);
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/scratch")));
    zhcs_error_free(err);
    teardown();
}

static const zt_case cases[] = {
    ZT_CASE(an_image_runs_as_a_container),
    ZT_CASE(damaged_layouts_leave_nothing),
    ZT_CASE(an_archived_layout_imports),
    ZT_CASE(a_fault_in_the_middle_rolls_back),
};
ZT_MAIN(cases)

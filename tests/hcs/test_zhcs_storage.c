/* SPDX-License-Identifier: MIT */
/* test_zhcs_storage.c - container layers (zhcs/storage.h) on the simulated
 * computestorage.dll: import with a parent chain, export, writable layers, the storage
 * filter, base OS layers, a container created on its layers whose guest commands see them
 * as C:\ (writes land in the scratch layer only), the Storage check of creation, and fault
 * injection on every raw storage call leaving no layer or scratch behind. */
#include "hcs_test.h"
#include "t_rooted.h"
#include "zh_fs.h"
#include "zh_hresult.h"
#include "zh_str.h"
#include "zh_utf.h"

#include <stdio.h>
#include <stdlib.h>
#ifdef _WIN32
#include <direct.h>
#include <process.h>
#define t_chdir _chdir
#define t_getpid _getpid
#else
#include <fcntl.h>
#include <unistd.h>
#define t_chdir chdir
#define t_getpid getpid
#endif

#define ROOT_NAME "zhcs-storage.tmp"
#define BASE_ID "0b7a1a6f-0000-5000-8000-000000000001"
#define APP_ID "0b7a1a6f-0000-5000-8000-000000000002"

static zhcs_Layer image_layers[2]; /* defined below */

/* "@ROOT@/x" under ROOT_NAME, made absolute (t_rooted.h) */
#define R(tmpl) t_rooted(ROOT_NAME, false, (tmpl))

static zhcs_storage *st;
static zhcs_service *svc;

/* The native, DLL and seeded runs of this suite may run at once: each works in a
 * directory of its own, removed when it exits. */
static char workdir[64];

static void leave_workdir(void)
{
    if (t_chdir("..") == 0)
        zh_fs_rmtree(workdir);
}

static int enter_workdir(void)
{
    if (workdir[0])
        return 0;
    snprintf(workdir, sizeof workdir, "zhcs-storage-%ld.d", (long)t_getpid());
    zh_fs_rmtree(workdir);
    if (zh_fs_mkdirs(workdir) != 0 || t_chdir(workdir) != 0)
        return -1;
    atexit(leave_workdir);
    return 0;
}

/* A fresh root and connections for one case. */
static int setup(void)
{
    if (enter_workdir() < 0)
        return -1;
    image_layers[0].Path = (char *)R("@ROOT@/app");
    image_layers[1].Path = (char *)R("@ROOT@/base");
    zh_fs_rmtree(R("@ROOT@"));
    if (zh_fs_mkdirs(R("@ROOT@")) != 0)
        return -1;
    zhcs_error *err = NULL;
    svc = t_open();
    if (!svc || zhcs_storage_open(&st, "sim:", &err) < 0) {
        printf("  %s\n", t_errstr(err));
        zhcs_error_free(err);
        return -1;
    }
    zh_sim_require_storage(1); /* the default */
    return 0;
}

static void teardown(void)
{
    zh_sim_fault_clear();
    zh_sim_require_storage(1);
    zhcs_storage_close(st);
    zhcs_service_close(svc);
    st = NULL;
    svc = NULL;
    zh_fs_rmtree(R("@ROOT@"));
}

/* An exported layer in ROOT/name.src: Files/<file> = text, and Hives/. */
static char *make_source(const char *name, const char *file, const char *text)
{
    char *src = zh_asprintf("%s/%s.src", R("@ROOT@"), name);
    char *files = zh_asprintf("%s/Files", src), *hives = zh_asprintf("%s/Hives", src);
    char *path = zh_asprintf("%s/%s", files, file);
    int ok = src && files && hives && path && zh_fs_mkdirs(files) == 0 && zh_fs_mkdirs(hives) == 0 &&
             zh_fs_write(path, text, strlen(text)) == 0;
    free(files);
    free(hives);
    free(path);
    if (!ok) {
        free(src);
        return NULL;
    }
    return src;
}

/* ROOT/name holding `head` and zeros up to 1 KiB, opened for reading and writing as zhcs
 * takes a VHD (a HANDLE on Windows, a descriptor elsewhere); ZHCS_FD_NONE on failure. */
static zhcs_fd make_vhd(const char *name, const char *head)
{
    char data[1024] = {0};
    size_t n = strlen(head);
    memcpy(data, head, n);
    char *path = zh_asprintf("%s/%s", R("@ROOT@"), name);
    /* a text file keeps just its text */
    int ok = path && zh_fs_write(path, data, strncmp(head, "just", 4) == 0 ? n : sizeof data) == 0;
#ifdef _WIN32
    HANDLE h = ok ? CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL)
                  : INVALID_HANDLE_VALUE;
    free(path);
    return h == INVALID_HANDLE_VALUE ? ZHCS_FD_NONE : (zhcs_fd)h;
#else
    int fd = ok ? open(path, O_RDWR) : -1;
    free(path);
    return fd < 0 ? ZHCS_FD_NONE : fd;
#endif
}

static void close_fd(zhcs_fd fd)
{
    if (fd == ZHCS_FD_NONE)
        return;
#ifdef _WIN32
    CloseHandle(fd);
#else
    close(fd);
#endif
}

/* Imports base (Files/base.txt) and app (Files/hello.txt) on it. 0 or -1. */
static int import_two(zhcs_error **err)
{
    char *b = make_source("base", "base.txt", "base layer\r\n");
    char *a = make_source("app", "hello.txt", "hello from the image\r\n");
    int rc = -1;
    if (b && a && zhcs_layer_import(st, R("@ROOT@/base"), b, NULL, err) == 0) {
        zhcs_Layer parent = {.Id = (char *)BASE_ID, .Path = (char *)R("@ROOT@/base")};
        zhcs_LayerData d = {.Layers = &parent, .Layers_count = 1};
        rc = zhcs_layer_import(st, R("@ROOT@/app"), a, &d, err);
    }
    free(a);
    free(b);
    return rc;
}

static zhcs_Layer image_layers[2] = {{.Id = (char *)APP_ID}, {.Id = (char *)BASE_ID}}; /* paths: setup() */
static zhcs_LayerData image_data = {.Layers = image_layers, .Layers_count = 2};

#define CONFIG_ON_LAYERS                                                                                               \
    R("{\"Owner\":\"zhcs-test\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"Container\":{\"Storage\":{" \
    "\"Layers\":[{\"Id\":\"" APP_ID "\",\"Path\":\"@ROOT@/app\"},{\"Id\":\"" BASE_ID "\",\"Path\":\"@ROOT@" \
    "/base\"}],\"Path\":\"@ROOT@/scratch\"}}}")

static void layers_import_with_their_chain_and_export(void)
{
    ZT_REQUIRE(setup() == 0);
    zhcs_error *err = NULL;
    ZT_REQUIRE(import_two(&err) == 0);
    ZT_CHECK(zh_fs_is_file(R("@ROOT@/app/Files/hello.txt")));
    ZT_CHECK(zh_fs_is_dir(R("@ROOT@/app/Hives")));
    ZT_CHECK(zh_fs_is_file(R("@ROOT@/base/Files/base.txt")));

    /* importing over an existing layer is refused and leaves it alone */
    char *again = make_source("again", "x.txt", "x");
    ZT_CHECK(zhcs_layer_import(st, R("@ROOT@/base"), again, NULL, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_ALREADY_EXISTS);
    ZT_EQ_STR(zhcs_error_function(err), "HcsImportLayer");
    ZT_CONTAINS(zhcs_error_message(err), R("@ROOT@/base"));
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/base/Files/x.txt")));

    /* a parent that is no layer */
    zhcs_Layer bogus = {.Id = (char *)BASE_ID, .Path = (char *)R("@ROOT@/again.src")};
    zhcs_LayerData bd = {.Layers = &bogus, .Layers_count = 1};
    ZT_CHECK(zhcs_layer_import(st, R("@ROOT@/orphan"), again, &bd, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), HCS_E_INVALID_LAYER);
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/orphan")));

    /* a source without Files/ is no exported layer */
    ZT_CHECK(zhcs_layer_import(st, R("@ROOT@/nofiles"), R("@ROOT@/app/Hives"), NULL, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), HCS_E_INVALID_LAYER);
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/nofiles")));

    /* export gives the content back, without the simulator's record */
    zhcs_Layer parent = {.Id = (char *)BASE_ID, .Path = (char *)R("@ROOT@/base")};
    zhcs_LayerData d = {.Layers = &parent, .Layers_count = 1};
    ZT_CHECK(zhcs_layer_export(st, R("@ROOT@/app"), R("@ROOT@/exported"), &d, NULL, &err) == 0);
    char *text = zh_fs_read(R("@ROOT@/exported/Files/hello.txt"), NULL);
    ZT_EQ_STR(text ? text : "(none)", "hello from the image\r\n");
    free(text);
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/exported/zhsim-layer.json")));
    ZT_CHECK(zhcs_layer_export(st, R("@ROOT@/nothing"), R("@ROOT@/exported2"), NULL, NULL, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_PATH_NOT_FOUND);
    zhcs_error_free(err), err = NULL;

    ZT_CHECK(zhcs_layer_destroy(st, R("@ROOT@/app"), &err) == 0);
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/app")));
    ZT_CHECK(zhcs_layer_destroy(st, R("@ROOT@/app"), &err) == 0); /* already gone */
    free(again);
    teardown();
}

static void bad_arguments_are_named(void)
{
    ZT_REQUIRE(setup() == 0);
    zhcs_error *err = NULL;
    ZT_CHECK(zhcs_layer_import(st, NULL, R("@ROOT@"), NULL, &err) == -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    ZT_CONTAINS(zhcs_error_message(err), "layer path is NULL");
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(zhcs_layer_destroy(st, "", &err) == -1);
    ZT_CONTAINS(zhcs_error_message(err), "layer path is empty");
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(zhcs_layer_init_writable(st, R("@ROOT@/s"), &image_data, "{not json", &err) == -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_JSON);
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(zhcs_layer_import(NULL, R("@ROOT@/x"), R("@ROOT@"), NULL, &err) == -1);
    zhcs_error_free(err), err = NULL;
    /* relative paths are refused before the raw call, naming the path (HCS, a service,
     * would resolve them in its own working directory) */
    zh_sim_calls_reset();
    ZT_CHECK(zhcs_layer_import(st, ROOT_NAME "/rel", R("@ROOT@"), NULL, &err) == -1);
    ZT_EQ_INT(zhcs_error_category_of(err), ZHCS_ERROR_INVALID_ARGUMENT);
    ZT_CONTAINS(zhcs_error_message(err), "layer path \"" ROOT_NAME "/rel\" is relative");
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(zhcs_layer_import(st, R("@ROOT@/rel"), "source", NULL, &err) == -1);
    ZT_CONTAINS(zhcs_error_message(err), "source folder \"source\" is relative");
    zhcs_error_free(err), err = NULL;
    zhcs_Layer rel = {.Id = (char *)BASE_ID, .Path = (char *)"base"};
    zhcs_LayerData rd = {.Layers = &rel, .Layers_count = 1};
    ZT_CHECK(zhcs_layer_init_writable(st, R("@ROOT@/s"), &rd, NULL, &err) == -1);
    ZT_CONTAINS(zhcs_error_message(err), "\"base\" is relative");
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(zhcs_layer_destroy(st, ".", &err) == -1);
    zhcs_error_free(err), err = NULL;
    ZT_EQ_INT((long long)zh_sim_calls("HcsImportLayer"), 0);
    ZT_EQ_INT((long long)zh_sim_calls("HcsInitializeWritableLayer"), 0);
    ZT_EQ_INT((long long)zh_sim_calls("HcsDestroyLayer"), 0);
    /* the simulated computestorage.dll refuses them too (E_INVALIDARG, a guess) */
    uint16_t *wrel = NULL, *wsrc = NULL;
    ZT_REQUIRE(zh_utf8_to_utf16("rel", ZH_NUL_TERMINATED, &wrel, NULL, "t", NULL) == 0);
    ZT_REQUIRE(zh_utf8_to_utf16(R("@ROOT@"), ZH_NUL_TERMINATED, &wsrc, NULL, "t", NULL) == 0);
    ZT_EQ_HEX(zh_sim_storage_table()->HcsImportLayer((zh_wchar *)wrel, (zh_wchar *)wsrc, NULL), ZH_E_INVALIDARG);
    ZT_EQ_HEX(zh_sim_storage_table()->HcsDestroyLayer((zh_wchar *)wrel), ZH_E_INVALIDARG);
    free(wrel);
    free(wsrc);
    /* zhcs_path_absolute makes one */
    char *abs = NULL;
    ZT_EQ_INT(zhcs_path_absolute(&abs, "layer-x", &err), 0);
    ZT_CHECK(abs && zh_fs_is_absolute(abs) && strlen(abs) > 8 && strcmp(abs + strlen(abs) - 8, "/layer-x") == 0);
    zhcs_string_free(abs);
    ZT_EQ_INT(zhcs_path_absolute(&abs, R("@ROOT@/y"), &err), 0);
    ZT_EQ_STR(abs, R("@ROOT@/y"));
    zhcs_string_free(abs);
    ZT_EQ_INT(zhcs_path_absolute(NULL, "x", &err), -1);
    zhcs_error_free(err), err = NULL;
    zhcs_storage *bad = NULL;
    ZT_CHECK(zhcs_storage_open(&bad, "bogus:", &err) == -1);
    ZT_CHECK(bad == NULL);
    zhcs_error_free(err), err = NULL;
    teardown();
}

static void writable_layer_filter_and_base_os(void)
{
    ZT_REQUIRE(setup() == 0);
    zhcs_error *err = NULL;
    ZT_REQUIRE(import_two(&err) == 0);
    ZT_CHECK(zhcs_layer_init_writable(st, R("@ROOT@/scratch"), &image_data, NULL, &err) == 0);
    ZT_CHECK(zh_fs_is_dir(R("@ROOT@/scratch/Files")));
    /* twice is refused */
    ZT_CHECK(zhcs_layer_init_writable(st, R("@ROOT@/scratch"), &image_data, NULL, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_ALREADY_EXISTS);
    zhcs_error_free(err), err = NULL;
    /* a writable layer on no layers, or on a scratch layer, is refused and leaves nothing */
    ZT_CHECK(zhcs_layer_init_writable(st, R("@ROOT@/s2"), NULL, NULL, &err) == -1);
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/s2")));
    zhcs_Layer on_scratch = {.Id = (char *)APP_ID, .Path = (char *)R("@ROOT@/scratch")};
    zhcs_LayerData sd = {.Layers = &on_scratch, .Layers_count = 1};
    ZT_CHECK(zhcs_layer_init_writable(st, R("@ROOT@/s3"), &sd, NULL, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), HCS_E_INVALID_LAYER);
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/s3")));

    ZT_CHECK(zhcs_layer_attach_filter(st, R("@ROOT@/scratch"), &image_data, &err) == 0);
    ZT_CHECK(zhcs_layer_detach_filter(st, R("@ROOT@/scratch"), &err) == 0);
    ZT_CHECK(zhcs_layer_detach_filter(st, R("@ROOT@/scratch"), &err) == -1); /* not attached */
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_INVALID_STATE);
    zhcs_error_free(err), err = NULL;

    zhcs_OsLayerOptions o = {.has_Type = true, .Type = ZHCS_OSLAYERTYPE_CONTAINER};
    ZT_CHECK(zhcs_layer_setup_base_os_volume(st, R("@ROOT@/base"), R("@ROOT@/base/Files"), &o, &err) == 0);
    ZT_CHECK(zhcs_layer_setup_base_os_volume(st, R("@ROOT@/base"), R("@ROOT@/no-volume"), &o, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_PATH_NOT_FOUND);
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(zhcs_layer_setup_base_os(st, R("@ROOT@/base"), ZHCS_FD_NONE, &o, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_HANDLE);
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(zhcs_layer_format_writable_vhd(st, ZHCS_FD_NONE, &err) == -1);
    zhcs_error_free(err), err = NULL;

    ZT_CHECK(zhcs_layer_destroy(st, R("@ROOT@/scratch"), &err) == 0);
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/scratch")));
    teardown();
}

/* Runs `cmd` in `sys`; returns the exit code, stdout in out. */
static int64_t run(zhcs_system *sys, const char *cmd, char *out, size_t cap)
{
    zhcs_run_result r = {0};
    zhcs_error *err = NULL;
    zhcs_run_options o = ZHCS_RUN_OPTIONS_INIT;
    o.timeout_ms = T_TIMEOUT;
    if (zhcs_process_run(&r, sys, cmd, &o, &err) < 0) {
        printf("  run %s: %s\n", cmd, t_errstr(err));
        zhcs_error_free(err);
        return -1;
    }
    zh_strlcpy(out, r.out ? r.out : "", cap);
    int64_t code = r.exit_code;
    zhcs_run_result_free(&r);
    return code;
}

static void a_container_sees_its_layers_as_c(void)
{
    ZT_REQUIRE(setup() == 0);
    zhcs_error *err = NULL;
    ZT_REQUIRE(import_two(&err) == 0);
    ZT_REQUIRE(zhcs_layer_init_writable(st, R("@ROOT@/scratch"), &image_data, NULL, &err) == 0);
    zhcs_system *sys = NULL;
    ZT_REQUIRE(zhcs_system_create_json(&sys, svc, "storage-c", CONFIG_ON_LAYERS, T_TIMEOUT, &err) == 0);
    ZT_REQUIRE(zhcs_system_start(sys, T_TIMEOUT, &err) == 0);
    char out[1024];
    ZT_EQ_INT(run(sys, "cmd /c type C:\\hello.txt", out, sizeof out), 0);
    ZT_EQ_STR(out, "hello from the image\r\n");
    ZT_EQ_INT(run(sys, "type C:\\base.txt", out, sizeof out), 0);
    ZT_EQ_STR(out, "base layer\r\n");
    ZT_EQ_INT(run(sys, "type C:\\missing.txt", out, sizeof out), 1);
    ZT_EQ_INT(run(sys, "type C:\\..\\escape.txt", out, sizeof out), 1);

    ZT_EQ_INT(run(sys, "cmd /c echo written in the container > C:\\out.txt", out, sizeof out), 0);
    ZT_EQ_INT(run(sys, "type C:\\out.txt", out, sizeof out), 0);
    ZT_EQ_STR(out, "written in the container\r\n");
    ZT_CHECK(zh_fs_is_file(R("@ROOT@/scratch/Files/out.txt")));
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/app/Files/out.txt")));
    ZT_CHECK(!zh_fs_exists(R("@ROOT@/base/Files/out.txt")));

    /* changing an image file copies it up: the layer keeps its own */
    ZT_EQ_INT(run(sys, "cmd /c echo more >> C:\\hello.txt", out, sizeof out), 0);
    ZT_EQ_INT(run(sys, "type C:\\hello.txt", out, sizeof out), 0);
    ZT_EQ_STR(out, "hello from the image\r\nmore\r\n");
    char *orig = zh_fs_read(R("@ROOT@/app/Files/hello.txt"), NULL);
    ZT_EQ_STR(orig ? orig : "(none)", "hello from the image\r\n");
    free(orig);

    ZT_CHECK(zhcs_system_terminate(sys, NULL, T_TIMEOUT, &err) == 0);
    zhcs_system_close(sys);
    ZT_CHECK(zhcs_layer_destroy(st, R("@ROOT@/scratch"), &err) == 0);
    teardown();
}

/* Creation with `config` fails with `hr`, naming `needle`. */
static void create_fails(const char *config, int32_t hr, const char *needle)
{
    zhcs_system *sys = NULL;
    zhcs_error *err = NULL;
    ZT_CHECK(zhcs_system_create_json(&sys, svc, "storage-bad", config, T_TIMEOUT, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), hr);
    char buf[1024];
    zhcs_error_format(err, buf, sizeof buf);
    ZT_CONTAINS(buf, needle);
    zhcs_error_free(err);
    zhcs_system_close(sys);
}

static void creation_checks_storage(void)
{
    ZT_REQUIRE(setup() == 0);
    zhcs_error *err = NULL;
    ZT_REQUIRE(import_two(&err) == 0);
    /* the scratch is not prepared yet */
    create_fails(CONFIG_ON_LAYERS, ZH_E_PATH_NOT_FOUND, "scratch layer");
    /* a layer missing */
    create_fails(R("{\"Container\":{\"Storage\":{\"Layers\":[{\"Id\":\"" APP_ID "\",\"Path\":\"@ROOT@"
                 "/gone\"}],\"Path\":\"@ROOT@/scratch\"}}}"),
                 ZH_E_PATH_NOT_FOUND, "does not exist");
    /* the chain does not fit: app without its base */
    create_fails(R("{\"Container\":{\"Storage\":{\"Layers\":[{\"Id\":\"" APP_ID "\",\"Path\":\"@ROOT@"
                 "/app\"}],\"Path\":\"@ROOT@/scratch\"}}}"),
                 HCS_E_INVALID_LAYER, "other parents");
    /* the scratch prepared for other layers */
    zhcs_Layer base_only = {.Id = (char *)BASE_ID, .Path = (char *)R("@ROOT@/base")};
    zhcs_LayerData bd = {.Layers = &base_only, .Layers_count = 1};
    ZT_REQUIRE(zhcs_layer_init_writable(st, R("@ROOT@/scratch"), &bd, NULL, &err) == 0);
    create_fails(CONFIG_ON_LAYERS, HCS_E_INVALID_LAYER, "prepared for other layers");
    /* a layer Id that is no GUID */
    create_fails(R("{\"Container\":{\"Storage\":{\"Layers\":[{\"Id\":\"nope\",\"Path\":\"@ROOT@"
                 "/base\"}],\"Path\":\"@ROOT@/scratch\"}}}"),
                 ZH_E_INVALIDARG, "GUID");
    /* by default, as on Windows: no Storage at all, or none with layers, is refused */
    create_fails("{\"Container\":{}}", ZH_E_INVALIDARG, "no Storage");
    create_fails(R("{\"Container\":{\"Storage\":{\"Path\":\"@ROOT@/scratch\"}}}"), ZH_E_INVALIDARG,
                 "Storage.Layers is empty");
    /* relative layer paths: the service could not tell what they mean */
    create_fails("{\"Container\":{\"Storage\":{\"Layers\":[{\"Id\":\"" BASE_ID "\",\"Path\":\"" ROOT_NAME
                 "/base\"}],\"Path\":\"" ROOT_NAME "/scratch\"}}}",
                 ZH_E_INVALIDARG, "The layer path " ROOT_NAME "/base is relative");
    create_fails(R("{\"Container\":{\"Storage\":{\"Layers\":[{\"Id\":\"" BASE_ID "\",\"Path\":\"@ROOT@/base\"}],"
                   "\"Path\":\"scratch\"}}}"),
                 ZH_E_INVALIDARG, "The scratch layer path scratch is relative");
    ZT_EQ_INT(t_count_systems(svc), 0);
    /* relaxed for configurations about something else */
    zh_sim_require_storage(0);
    zhcs_system *sys = NULL;
    ZT_CHECK(zhcs_system_create_json(&sys, svc, "storage-relaxed", "{\"Container\":{}}", T_TIMEOUT, &err) == 0);
    zhcs_system_close(sys);
    zh_sim_require_storage(1);
    teardown();
}

/* Every raw storage call, failed by injection, leaves no layer or scratch behind. */
static void injected_faults_leave_nothing(void)
{
    static const char *const entries[] = {"HcsImportLayer", "HcsInitializeWritableLayer", "HcsExportLayer",
                                          "HcsDestroyLayer", "HcsAttachLayerStorageFilter",
                                          "HcsDetachLayerStorageFilter", "HcsSetupBaseOSLayer",
                                          "HcsSetupBaseOSVolume", "HcsFormatWritableLayerVhd",
                                          "HcsGetLayerVhdMountPath", "HcsExportLegacyWritableLayer",
                                          "HcsInitializeLegacyWritableLayer"};
    ZT_REQUIRE(setup() == 0);
    zhcs_error *err = NULL;
    char *src = make_source("f", "f.txt", "f");
    ZT_REQUIRE(src != NULL);
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        ZT_CHECK(zh_sim_fault(entries[i], 0, ZH_E_ACCESSDENIED) == 0);
        int rc = 0;
        const char *left = NULL;
        switch (i) {
        case 0: rc = zhcs_layer_import(st, R("@ROOT@/L"), src, NULL, &err), left = R("@ROOT@/L"); break;
        case 1: rc = zhcs_layer_init_writable(st, R("@ROOT@/W"), &image_data, NULL, &err), left = R("@ROOT@/W"); break;
        case 2: rc = zhcs_layer_export(st, R("@ROOT@/f.src"), R("@ROOT@/E"), NULL, NULL, &err), left = R("@ROOT@/E"); break;
        case 3: rc = zhcs_layer_destroy(st, R("@ROOT@/f.src"), &err); break;
        case 4: rc = zhcs_layer_attach_filter(st, R("@ROOT@/f.src"), NULL, &err); break;
        case 5: rc = zhcs_layer_detach_filter(st, R("@ROOT@/f.src"), &err); break;
#ifdef _WIN32
        case 6: rc = zhcs_layer_setup_base_os(st, R("@ROOT@/f.src"), (zhcs_fd)(intptr_t)1, NULL, &err); break;
        case 8: rc = zhcs_layer_format_writable_vhd(st, (zhcs_fd)(intptr_t)1, &err); break;
#else
        case 6: rc = zhcs_layer_setup_base_os(st, R("@ROOT@/f.src"), 1, NULL, &err); break;
        case 8: rc = zhcs_layer_format_writable_vhd(st, 1, &err); break;
#endif
        case 7: rc = zhcs_layer_setup_base_os_volume(st, R("@ROOT@/f.src"), R("@ROOT@"), NULL, &err); break;
        case 9: {
            char *mp = NULL;
#ifdef _WIN32
            rc = zhcs_layer_vhd_mount_path(st, (zhcs_fd)(intptr_t)1, &mp, &err);
#else
            rc = zhcs_layer_vhd_mount_path(st, 1, &mp, &err);
#endif
            ZT_CHECK(mp == NULL);
            break;
        }
        case 10: rc = zhcs_layer_export_legacy_writable(st, R("@ROOT@"), R("@ROOT@/f.src"), R("@ROOT@/E"), NULL, &err),
                 left = R("@ROOT@/E"); break;
        default: rc = zhcs_layer_init_legacy_writable(st, R("@ROOT@"), R("@ROOT@/W"), &image_data, NULL, &err),
                 left = R("@ROOT@/W"); break;
        }
        ZT_CHECK(rc == -1);
        ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_ACCESSDENIED);
        ZT_EQ_STR(err ? zhcs_error_function(err) : "", entries[i]);
        zhcs_error_free(err), err = NULL;
        ZT_CHECK(zh_sim_calls(entries[i]) >= 1);
        if (left)
            ZT_CHECK(!zh_fs_exists(left));
        ZT_CHECK(zh_fs_is_file(R("@ROOT@/f.src/Files/f.txt"))); /* nothing destroyed */
        zh_sim_fault_clear();
    }
    /* without faults, a formatted VHD's mount path comes back */
    char *mp = NULL;
    zhcs_fd vhd = make_vhd("faults.vhdx", "vhdxfile");
    ZT_CHECK(zhcs_layer_format_writable_vhd(st, vhd, &err) == 0);
    ZT_CHECK(zhcs_layer_vhd_mount_path(st, vhd, &mp, &err) == 0);
    ZT_CONTAINS(mp ? mp : "", "\\\\?\\Volume{");
    zhcs_string_free(mp);
    close_fd(vhd);
    free(src);
    teardown();
}

/* VHDs are files (docs/storage.md): formatting writes a volume into one, the mount path
 * names that volume; a file that is no VHD, an unformatted VHD and no handle are errors. */
static void vhds_are_formatted_and_give_a_volume_path(void)
{
    ZT_REQUIRE(setup() == 0);
    zhcs_error *err = NULL;
    zhcs_fd vhd = make_vhd("scratch.vhdx", "vhdxfile"), old_vhd = make_vhd("old.vhd", "conectix"),
            text = make_vhd("notes.txt", "just text");
    ZT_REQUIRE(vhd != ZHCS_FD_NONE && old_vhd != ZHCS_FD_NONE && text != ZHCS_FD_NONE);
    char *mp = NULL;
    /* not formatted yet: no volume */
    ZT_CHECK(zhcs_layer_vhd_mount_path(st, vhd, &mp, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), (int32_t)0x800703ED); /* ERROR_UNRECOGNIZED_VOLUME */
    ZT_EQ_STR(zhcs_error_function(err), "HcsGetLayerVhdMountPath");
    ZT_CHECK(mp == NULL);
    zhcs_error_free(err), err = NULL;
    /* formatted: a volume path, the same each time */
    ZT_CHECK(zhcs_layer_format_writable_vhd(st, vhd, &err) == 0);
    ZT_CHECK(zhcs_layer_vhd_mount_path(st, vhd, &mp, &err) == 0);
    ZT_REQUIRE(mp != NULL);
    ZT_CHECK(strncmp(mp, "\\\\?\\Volume{", 11) == 0 && strlen(mp) == 11 + 37 + 1 && mp[strlen(mp) - 1] == '\\');
    char *again = NULL;
    ZT_CHECK(zhcs_layer_vhd_mount_path(st, vhd, &again, &err) == 0);
    ZT_EQ_STR(again ? again : "", mp);
    zhcs_string_free(again);
    /* formatting again makes a new volume */
    ZT_CHECK(zhcs_layer_format_writable_vhd(st, vhd, &err) == 0);
    ZT_CHECK(zhcs_layer_vhd_mount_path(st, vhd, &again, &err) == 0);
    ZT_CHECK(again && strcmp(again, mp) != 0);
    zhcs_string_free(again);
    zhcs_string_free(mp);
    mp = NULL;
    ZT_CHECK(zhcs_layer_format_writable_vhd(st, old_vhd, &err) == 0); /* a VHD, not only VHDX */
    /* a file that is no VHD */
    ZT_CHECK(zhcs_layer_format_writable_vhd(st, text, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_INVALIDARG);
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(zhcs_layer_vhd_mount_path(st, text, &mp, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_INVALIDARG);
    zhcs_error_free(err), err = NULL;
    char *content = zh_fs_read(R("@ROOT@/notes.txt"), NULL);
    ZT_EQ_STR(content ? content : "", "just text"); /* left alone */
    free(content);
    /* no handle */
    ZT_CHECK(zhcs_layer_vhd_mount_path(st, ZHCS_FD_NONE, &mp, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_HANDLE);
    zhcs_error_free(err), err = NULL;
    /* a base OS layer takes a VHD */
    ZT_REQUIRE(import_two(&err) == 0);
    zhcs_OsLayerOptions o = {.has_Type = true, .Type = ZHCS_OSLAYERTYPE_CONTAINER};
    ZT_CHECK(zhcs_layer_setup_base_os(st, R("@ROOT@/base"), text, &o, &err) == -1);
    ZT_EQ_HEX(zhcs_error_hresult(err), ZH_E_INVALIDARG);
    zhcs_error_free(err), err = NULL;
    ZT_CHECK(zhcs_layer_setup_base_os(st, R("@ROOT@/base"), vhd, &o, &err) == 0);
    close_fd(vhd);
    close_fd(old_vhd);
    close_fd(text);
    ZT_REQUIRE(err == NULL);
    teardown();
}

static const zt_case cases[] = {
    ZT_CASE(layers_import_with_their_chain_and_export),
    ZT_CASE(bad_arguments_are_named),
    ZT_CASE(writable_layer_filter_and_base_os),
    ZT_CASE(a_container_sees_its_layers_as_c),
    ZT_CASE(creation_checks_storage),
    ZT_CASE(injected_faults_leave_nothing),
    ZT_CASE(vhds_are_formatted_and_give_a_volume_path),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* cmd_image.c - hcsctl's image, layer and run commands: OCI images imported into a store
 * of container layers (zhcs/image.h), the layers inspected, and docker-run style
 * `run IMAGE [--network NET] -- COMMAND` (create, network, run with the output streamed,
 * the exit code passed through, everything cleaned up).
 *
 * The store: --store DIR, else $HCSCTL_STORE, else for "sim:PATH" PATH/images, else
 * %ProgramData%\zhcs\images on Windows and $XDG_DATA_HOME/zhcs/images (or
 * ~/.local/share/zhcs/images) elsewhere. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hcsctl.h"

#ifdef _WIN32
#include <io.h>
#include <windows.h>
#define stdin_is_tty() _isatty(_fileno(stdin))
#else
#define stdin_is_tty() isatty(fileno(stdin))
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#define RUN_TIMEOUT_MS 120000u

/* ------------------------------------------------------------------ the store */
/* The store's path made absolute, as wclayer does: layer paths go to HCS, a service with a
 * working directory of its own. NULL when out of memory. */
static char *absolute(const char *path)
{
    char *abs = NULL;
    if (zhcs_path_absolute(&abs, path, NULL) < 0)
        return NULL;
    char *copy = strdup(abs);
    zhcs_string_free(abs);
    return copy;
}

static char *store_dir(const hcsctl_opts *o, const char *given)
{
    char buf[1024];
    if (given)
        return absolute(given);
    const char *env = getenv("HCSCTL_STORE");
    if (env && *env)
        return absolute(env);
    const char *uri = o->connect ? o->connect : getenv("HCSCTL_CONNECT");
    if (uri && strncmp(uri, "sim:", 4) == 0 && uri[4]) {
        snprintf(buf, sizeof buf, "%s/images", uri + 4);
        return absolute(buf);
    }
#ifdef _WIN32
    const char *base = getenv("ProgramData");
    snprintf(buf, sizeof buf, "%s\\zhcs\\images", base && *base ? base : "C:\\ProgramData");
#else
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, sizeof buf, "%s/zhcs/images", xdg);
    else
        snprintf(buf, sizeof buf, "%s/.local/share/zhcs/images", home && *home ? home : ".");
#endif
    return absolute(buf);
}

static int open_storage(const hcsctl_opts *o, zhcs_storage **st)
{
    const char *uri = hcsctl_uri(o);
    if (!uri)
        return HCSCTL_USAGE;
    zhcs_error *err = NULL;
    if (zhcs_storage_open(st, uri, &err) < 0)
        return hcsctl_fail(o, "cannot open container storage", err);
    return 0;
}

/* ------------------------------------------------------------------ image */
static int cmd_image(const hcsctl_opts *o, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : NULL, *store_opt = NULL, *name = NULL, *arg = NULL;
    for (int i = 1; i < argc; i++) {
        int r;
        if ((r = hcsctl_opt(&i, argc, argv, "--store", &store_opt)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--name", &name)) != 0) {
            if (r < 0)
                return hcsctl_usage_error("%s needs a value", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return hcsctl_usage_error("image: unknown option %s", argv[i]);
        } else if (!arg) {
            arg = argv[i];
        } else {
            return hcsctl_usage_error("image %s: unexpected argument \"%s\"", sub ? sub : "", argv[i]);
        }
    }
    if (!sub || (strcmp(sub, "import") != 0 && strcmp(sub, "list") != 0 && strcmp(sub, "remove") != 0))
        return hcsctl_usage_error("image import LAYOUT-DIR|ARCHIVE [--name N] | image list | image remove NAME "
                                  "(each with [--store DIR])");
    if (strcmp(sub, "list") != 0 && !arg)
        return hcsctl_usage_error("image %s needs %s", sub, strcmp(sub, "import") == 0 ? "a layout" : "a name");
    if (strcmp(sub, "list") == 0 && arg)
        return hcsctl_usage_error("image list takes no argument");
    char *store = store_dir(o, store_opt);
    if (!store)
        return hcsctl_usage_error("out of memory");
    zhcs_error *err = NULL;
    int rc = HCSCTL_OK;
    if (strcmp(sub, "list") == 0) {
        char **names = NULL;
        size_t n = 0;
        if (zhcs_image_list(store, &names, &n, &err) < 0) {
            rc = hcsctl_fail(o, "cannot list the images", err);
        } else {
            static const char *const headers[] = {"NAME", "LAYERS", "TOP LAYER"};
            hcsctl_table *t = hcsctl_table_new(3, headers);
            for (size_t i = 0; i < n; i++) {
                zhcs_LayerData *d = NULL;
                char count[24] = "?";
                const char *top = NULL;
                if (zhcs_image_layers(store, names[i], &d, NULL) == 0) {
                    snprintf(count, sizeof count, "%zu", d->Layers_count);
                    top = d->Layers_count ? d->Layers[0].Path : NULL;
                }
                const char *row[] = {names[i], count, top};
                hcsctl_table_add(t, row);
                zhcs_LayerData_free(d);
            }
            hcsctl_table_print(o, t);
            zhcs_strings_free(names, n);
        }
        free(store);
        return rc;
    }
    zhcs_storage *st = NULL;
    if ((rc = open_storage(o, &st)) != 0) {
        free(store);
        return rc;
    }
    if (strcmp(sub, "import") == 0) {
        char *got = NULL;
        if (zhcs_image_import(st, arg, store, name, &got, &err) < 0) {
            rc = hcsctl_fail(o, "cannot import the image", err);
        } else if (o->json) {
            printf("{\"name\":");
            hcsctl_print_json_string(got);
            printf(",\"store\":");
            hcsctl_print_json_string(store);
            printf("}\n");
        } else {
            printf("imported %s into %s\n", got, store);
        }
        zhcs_string_free(got);
    } else {
        if (zhcs_image_remove(st, store, arg, &err) < 0)
            rc = hcsctl_fail(o, "cannot remove the image", err);
        else if (!o->json)
            printf("removed %s\n", arg);
    }
    zhcs_storage_close(st);
    free(store);
    return rc;
}

/* ------------------------------------------------------------------ layer */
/* Counts files and bytes under `dir`. */
#ifdef _WIN32
static void tally(const char *dir, unsigned long long *files, unsigned long long *bytes)
{
    char path[4096];
    WIN32_FIND_DATAA fd;
    snprintf(path, sizeof path, "%s\\*", dir);
    HANDLE h = FindFirstFileA(path, &fd);
    if (h == INVALID_HANDLE_VALUE)
        return;
    do {
        if (strcmp(fd.cFileName, ".") == 0 || strcmp(fd.cFileName, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s\\%s", dir, fd.cFileName);
        if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) {
            tally(path, files, bytes);
        } else {
            (*files)++;
            *bytes += ((unsigned long long)fd.nFileSizeHigh << 32) | fd.nFileSizeLow;
        }
    } while (FindNextFileA(h, &fd));
    FindClose(h);
}
#else
static void tally(const char *dir, unsigned long long *files, unsigned long long *bytes)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (lstat(path, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode)) {
            tally(path, files, bytes);
        } else {
            (*files)++;
            *bytes += (unsigned long long)sb.st_size;
        }
    }
    closedir(d);
}
#endif

static int is_dir(const char *path)
{
#ifdef _WIN32
    DWORD a = GetFileAttributesA(path);
    return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY);
#else
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
#endif
}

/* layer list: every layer of the store's images; layer inspect PATH|SHA: one layer. */
static int cmd_layer(const hcsctl_opts *o, int argc, char **argv)
{
    const char *sub = argc > 0 ? argv[0] : NULL, *store_opt = NULL, *arg = NULL;
    for (int i = 1; i < argc; i++) {
        int r = hcsctl_opt(&i, argc, argv, "--store", &store_opt);
        if (r < 0)
            return hcsctl_usage_error("--store needs a directory");
        if (r > 0)
            continue;
        if (argv[i][0] == '-' && argv[i][1] == '-')
            return hcsctl_usage_error("layer: unknown option %s", argv[i]);
        if (arg)
            return hcsctl_usage_error("layer %s: unexpected argument \"%s\"", sub ? sub : "", argv[i]);
        arg = argv[i];
    }
    int list = sub && strcmp(sub, "list") == 0, inspect = sub && strcmp(sub, "inspect") == 0;
    if ((!list && !inspect) || (inspect && !arg) || (list && arg))
        return hcsctl_usage_error("layer list | layer inspect PATH|SHA256 (each with [--store DIR])");
    char *store = store_dir(o, store_opt);
    char **names = NULL;
    size_t n = 0;
    zhcs_error *err = NULL;
    if (!store || zhcs_image_list(store, &names, &n, &err) < 0) {
        free(store);
        return hcsctl_fail(o, "cannot read the store", err);
    }
    static const char *const headers[] = {"PATH", "ID", "POSITION", "IMAGE", "PARENT"};
    hcsctl_table *t = hcsctl_table_new(5, headers);
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        zhcs_LayerData *d = NULL;
        if (zhcs_image_layers(store, names[i], &d, NULL) < 0)
            continue;
        for (size_t k = 0; k < d->Layers_count; k++) {
            const char *p = d->Layers[k].Path;
            size_t pl = strlen(p), al = arg ? strlen(arg) : 0;
            if (inspect && strcmp(p, arg) != 0 && !(al >= 12 && pl >= al && strcmp(p + pl - al, arg) == 0))
                continue;
            char pos[64];
            bool base = k + 1 == d->Layers_count;
            snprintf(pos, sizeof pos, "%zu of %zu%s", d->Layers_count - k, d->Layers_count, base ? " (base)" : "");
            const char *row[] = {p, d->Layers[k].Id, pos, names[i], base ? NULL : d->Layers[k + 1].Path};
            hcsctl_table_add(t, row);
            if (inspect && !found) {
                found = 1;
                unsigned long long files = 0, bytes = 0;
                char sub_dir[4200];
                snprintf(sub_dir, sizeof sub_dir, "%s/Files", p);
                tally(sub_dir, &files, &bytes);
                char hives[4200], uvm[4200];
                snprintf(hives, sizeof hives, "%s/Hives", p);
                snprintf(uvm, sizeof uvm, "%s/UtilityVM", p);
                if (o->json) {
                    printf("{\"path\":");
                    hcsctl_print_json_string(p);
                    printf(",\"id\":");
                    hcsctl_print_json_string(d->Layers[k].Id);
                    printf(",\"files\":%llu,\"bytes\":%llu,\"hives\":%s,\"utility_vm\":%s,\"used_by\":", files, bytes,
                           is_dir(hives) ? "true" : "false", is_dir(uvm) ? "true" : "false");
                } else {
                    printf("layer %s\n  id %s\n  Files/: %llu files, %llu bytes; Hives/: %s; UtilityVM/: %s\n", p,
                           d->Layers[k].Id, files, bytes, is_dir(hives) ? "yes" : "no", is_dir(uvm) ? "yes" : "no");
                }
            }
        }
        zhcs_LayerData_free(d);
    }
    zhcs_strings_free(names, n);
    free(store);
    if (inspect && !found) {
        hcsctl_table_free(t);
        fprintf(stderr, "hcsctl: no image of the store uses a layer \"%s\"\n", arg);
        return HCSCTL_FAILED;
    }
    hcsctl_table_print(o, t); /* with inspect: the images using it (JSON: the used_by array) */
    if (inspect && o->json)
        printf("}\n");
    return HCSCTL_OK;
}

/* ------------------------------------------------------------------ run */
/* The process's output and error streamed to ours (as exec does), then our ends closed. */
static void stream(zhcs_fd out, zhcs_fd err)
{
    hcsctl_stream_output(out, err);
#ifdef _WIN32
    if (out)
        CloseHandle(out);
    if (err)
        CloseHandle(err);
#else
    if (out >= 0)
        close(out);
    if (err >= 0)
        close(err);
#endif
}

/* A network by id, or else by name. */
static int open_network(zhns_network **net, zhns_service *svc, const char *which, zhns_error **err)
{
    zhns_error *e = NULL;
    if (zhns_network_open(net, svc, which, &e) == 0)
        return 0;
    char **ids = NULL;
    size_t n = 0;
    char query[512];
    snprintf(query, sizeof query,
             "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Filter\":\"{\\\"Name\\\":\\\"%.200s\\\"}\"}", which);
    int rc = -1;
    if (!strpbrk(which, "\"\\") && zhns_network_list_json(&ids, &n, svc, query, NULL) == 0 && n > 0)
        rc = zhns_network_open(net, svc, ids[0], err);
    zhns_strings_free(ids, n);
    if (rc < 0 && err && !*err) {
        *err = e; /* the answer to the open by id */
        e = NULL;
    }
    zhns_error_free(e);
    return rc;
}

static int cmd_run(const hcsctl_opts *o, int argc, char **argv)
{
    const char *image = NULL, *network = NULL, *store_opt = NULL, *id_opt = NULL;
    int interactive = 0;
    int i = 0;
    for (; i < argc; i++) {
        int r;
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "-i") == 0 || strcmp(argv[i], "--interactive") == 0) {
            interactive = 1;
            continue;
        }
        if ((r = hcsctl_opt(&i, argc, argv, "--network", &network)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--store", &store_opt)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--id", &id_opt)) != 0) {
            if (r < 0)
                return hcsctl_usage_error("%s needs a value", argv[i]);
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            return hcsctl_usage_error("run: unknown option %s", argv[i]);
        } else if (!image) {
            image = argv[i];
        } else {
            break;
        }
    }
    if (!image || i >= argc)
        return hcsctl_usage_error("run IMAGE [--network NET] [--id ID] [--store DIR] [-i] -- COMMAND LINE");
    char cmdline[8192] = "";
    for (size_t len = 0; i < argc; i++) {
        int n = snprintf(cmdline + len, sizeof cmdline - len, "%s%s", len ? " " : "", argv[i]);
        if (n < 0 || (size_t)n >= sizeof cmdline - len)
            return hcsctl_usage_error("the command line is longer than %zu bytes", sizeof cmdline - 1);
        len += (size_t)n;
    }
    char id[80];
    if (id_opt) {
        snprintf(id, sizeof id, "%.70s", id_opt);
    } else {
#ifdef _WIN32
        unsigned long pid = (unsigned long)GetCurrentProcessId();
#else
        unsigned long pid = (unsigned long)getpid();
#endif
        snprintf(id, sizeof id, "hcsctl-run-%lx-%lx", (unsigned long)time(NULL), pid);
    }
    char *store = store_dir(o, store_opt);
    char *scratch = store ? malloc(strlen(store) + strlen(id) + 16) : NULL;
    if (!scratch) {
        free(store);
        return hcsctl_usage_error("out of memory");
    }
    sprintf(scratch, "%s/scratch/%s", store, id);

    int rc = HCSCTL_OK;
    zhcs_storage *st = NULL;
    zhcs_service *svc = NULL;
    zhns_service *hcn = NULL;
    zhns_network *net = NULL;
    zhns_attachment *att = NULL;
    zhcs_Storage *storage = NULL;
    zhcs_system *sys = NULL;
    zhcs_process *proc = NULL;
    zhcs_error *err = NULL;
    zhns_error *nerr = NULL;
    int prepared = 0;
    if ((rc = open_storage(o, &st)) != 0 || (rc = hcsctl_open_hcs(o, &svc)) != 0)
        goto done;
    if (zhcs_image_prepare(st, store, image, scratch, &storage, &err) < 0) {
        rc = hcsctl_fail(o, "cannot prepare the container's layers", err);
        goto done;
    }
    prepared = 1;
    zhcs_Container c;
    memset(&c, 0, sizeof c);
    c.Storage = storage;
    zhcs_Networking cn;
    memset(&cn, 0, sizeof cn);
    if (network) {
        char owner[120];
        snprintf(owner, sizeof owner, "hcsctl-run:%s", id);
        zhns_overlay_options opts = ZHNS_OVERLAY_OPTIONS_INIT;
        opts.owner = owner;
        if ((rc = hcsctl_open_hcn(o, &hcn)) != 0)
            goto done;
        if (open_network(&net, hcn, network, &nerr) < 0) {
            char what[300];
            snprintf(what, sizeof what, "cannot open network \"%.200s\"", network);
            rc = hcsctl_fail_hcn(o, what, nerr);
            goto done;
        }
        if (zhns_attachment_create_overlay(&att, net, &opts, &nerr) < 0) {
            rc = hcsctl_fail_hcn(o, "cannot attach the container to the network", nerr);
            goto done;
        }
        cn.Namespace = (char *)zhns_attachment_namespace_id(att);
        c.Networking = &cn;
    }
    zhcs_Version v = {.Major = 2, .Minor = 1};
    zhcs_ComputeSystem cs;
    memset(&cs, 0, sizeof cs);
    cs.Owner = (char *)"hcsctl";
    cs.SchemaVersion = &v;
    cs.Container = &c;
    if (zhcs_system_create(&sys, svc, id, &cs, RUN_TIMEOUT_MS, &err) < 0 ||
        zhcs_system_start(sys, RUN_TIMEOUT_MS, &err) < 0) {
        rc = hcsctl_fail(o, "cannot start the container", err);
        goto done;
    }
    zhcs_ProcessParameters pp;
    memset(&pp, 0, sizeof pp);
    pp.CommandLine = cmdline;
    pp.has_CreateStdOutPipe = pp.has_CreateStdErrPipe = true;
    pp.CreateStdOutPipe = pp.CreateStdErrPipe = true;
    /* our standard input goes to the command (docker run -i) when it is not a terminal, or
     * with -i */
    int feed = interactive || !stdin_is_tty();
    pp.has_CreateStdInPipe = true;
    pp.CreateStdInPipe = feed != 0;
    if (zhcs_process_create(&proc, sys, &pp, RUN_TIMEOUT_MS, &err) < 0) {
        rc = hcsctl_fail(o, "cannot start the process", err);
        rc = HCSCTL_EXEC_FAILED;
        goto done;
    }
    zhcs_fd in = ZHCS_FD_NONE, out = ZHCS_FD_NONE, errfd = ZHCS_FD_NONE;
    zhcs_process_take_stdio(proc, feed ? &in : NULL, &out, &errfd, NULL);
    if (in != ZHCS_FD_NONE)
        hcsctl_feed_stdin(proc, in); /* ends with our input; may outlive the process */
    stream(out, errfd);
    int64_t code = -1;
    if (zhcs_process_wait(proc, ZHCS_INFINITE, &code, &err) < 0) {
        hcsctl_fail(o, "lost the process", err);
        rc = HCSCTL_EXEC_FAILED;
    } else {
        rc = code < 0 ? HCSCTL_EXEC_FAILED : code > 255 ? 255 : (int)code;
    }
done:
    /* clean up in reverse: the container, its network, its scratch layer */
    zhcs_process_close(proc);
    if (sys) {
        zhcs_stop_options so = ZHCS_STOP_OPTIONS_INIT;
        so.skip_shutdown = 1;
        if (zhcs_system_stop(sys, &so, &err) < 0)
            hcsctl_fail(o, "cannot stop the container", err);
        zhcs_system_close(sys);
    }
    if (att && zhns_attachment_teardown(att, &nerr) < 0)
        hcsctl_fail_hcn(o, "cannot detach the container from the network", nerr);
    zhns_attachment_close(att);
    zhns_network_close(net);
    zhns_service_close(hcn);
    if (prepared && zhcs_layer_destroy(st, scratch, &err) < 0)
        hcsctl_fail(o, "cannot remove the container's scratch layer", err);
    zhcs_Storage_free(storage);
    zhcs_service_close(svc);
    zhcs_storage_close(st);
    free(scratch);
    free(store);
    return rc;
}

int hcsctl_image(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    if (strcmp(cmd, "image") == 0)
        return cmd_image(o, argc, argv);
    if (strcmp(cmd, "layer") == 0)
        return cmd_layer(o, argc, argv);
    return cmd_run(o, argc, argv);
}

/* SPDX-License-Identifier: MIT */
/* run_container.c - a container from an OCI image: import the image into layers, prepare
 * the container's scratch layer, attach it to a NAT network, create and start it, run a
 * command with its output streamed, print resource usage, stop it and clean up. The
 * end-to-end tour of zhcs and zhns.
 *
 *   run-container [--connect URI] [--id ID] [--image LAYOUT [--store DIR] [--network NAME]]
 *                 [--config FILE] [--] [COMMAND LINE...]
 *
 * URI: "local" (the default on Windows), "sim:" (the default elsewhere: the simulator), or
 * "sim:PATH". --image names an OCI image layout (a directory or a tar of one) of a Windows
 * image; its layers go to the store (default: "run-container-store" in the current
 * directory). Without --network the program makes its own NAT network and deletes it at
 * the end; with it, the container joins that existing network (by name or id).
 * Without --image the program writes a base layer of one file (C:\hello.txt) into the store
 * and runs the container on it: enough for the simulator; a real host needs a real image's
 * base layer (--image). With --config FILE the container is created from that document.
 * Exit code: the command's own (0..255), or 1 when something failed before it ran. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/zhcs.h>
#include <zhns/zhns.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

/* The base layer written without --image: its id and its one file. */
#define DEMO_LAYER_ID "3f6b2a1c-9d4e-5f70-8a1b-2c3d4e5f6a7b"

static void make_dir(const char *path)
{
#ifdef _WIN32
    CreateDirectoryA(path, NULL);
#else
    mkdir(path, 0755);
#endif
}

/* Writes STORE/demo-source (an exported layer: Files/hello.txt, Hives/) and imports it as
 * STORE/demo-base (replacing one a previous run left). 0, or -1 with *err set. */
static int make_demo_layer(zhcs_storage *st, const char *store, char *layer, size_t cap, zhcs_error **err)
{
    char src[1024], path[1100];
    snprintf(src, sizeof src, "%s/demo-source", store);
    snprintf(layer, cap, "%s/demo-base", store);
    make_dir(store);
    make_dir(src);
    snprintf(path, sizeof path, "%s/Hives", src);
    make_dir(path);
    snprintf(path, sizeof path, "%s/Files", src);
    make_dir(path);
    snprintf(path, sizeof path, "%s/Files/hello.txt", src);
    FILE *f = fopen(path, "wb");
    if (!f || fputs("hello from the base layer\r\n", f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "run-container: cannot write %s\n", path);
        return -1;
    }
    if (zhcs_layer_destroy(st, layer, err) < 0)
        return -1;
    return zhcs_layer_import(st, layer, src, NULL, err);
}

/* The NAT network the program makes when none is named (deleted at the end). */
static const char *const NAT_NETWORK =
    "{\"Name\":\"run-container-nat\",\"Owner\":\"run-container-example\",\"Type\":\"NAT\","
    "\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Ipams\":[{\"Type\":\"Static\",\"Subnets\":[{"
    "\"IpAddressPrefix\":\"172.30.0.0/16\",\"Routes\":[{\"NextHop\":\"172.30.0.1\","
    "\"DestinationPrefix\":\"0.0.0.0/0\"}]}]}]}";

static int fail_net(const char *what, zhns_error *err)
{
    fprintf(stderr, "run-container: %s: %s\n", what, zhns_error_message(err));
    zhns_error_free(err);
    return 1;
}

static int fail(const char *what, zhcs_error *err)
{
    char buf[1024];
    zhcs_error_format(err, buf, sizeof buf);
    fprintf(stderr, "run-container: %s: %s\n", what, buf);
    zhcs_error_free(err);
    return 1;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    char buf[4096];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + got + 1 > cap) {
            cap = (len + got + 1) * 2;
            char *grown = realloc(text, cap);
            if (!grown) {
                free(text);
                fclose(f);
                return NULL;
            }
            text = grown;
        }
        memcpy(text + len, buf, got);
        len += got;
        text[len] = '\0';
    }
    fclose(f);
    return text;
}

/* ---- streaming a process's output as it comes ---- */
#ifdef _WIN32
static DWORD WINAPI copy_stderr(LPVOID arg)
{
    char buf[4096];
    long got;
    while ((got = zhcs_fd_read((zhcs_fd)arg, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)got, stderr);
    return 0;
}

static void stream(zhcs_fd out, zhcs_fd err)
{
    HANDLE t = err ? CreateThread(NULL, 0, copy_stderr, err, 0, NULL) : NULL;
    char buf[4096];
    long got;
    while (out && (got = zhcs_fd_read(out, buf, sizeof buf)) > 0) {
        fwrite(buf, 1, (size_t)got, stdout);
        fflush(stdout);
    }
    if (t) {
        WaitForSingleObject(t, INFINITE);
        CloseHandle(t);
    }
}
#else
static void stream(zhcs_fd out, zhcs_fd err)
{
    struct pollfd p[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
    int open = (out >= 0) + (err >= 0);
    char buf[4096];
    while (open > 0) {
        if (poll(p, 2, -1) < 0)
            break;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !p[i].revents)
                continue;
            ssize_t got = read(p[i].fd, buf, sizeof buf);
            if (got <= 0) {
                p[i].fd = -1;
                open--;
                continue;
            }
            fwrite(buf, 1, (size_t)got, i == 0 ? stdout : stderr);
            fflush(i == 0 ? stdout : stderr);
        }
    }
}
#endif

static void print_stats(const zhcs_Statistics *a, const zhcs_Statistics *b)
{
    zhcs_stats s;
    zhcs_error *err = NULL;
    if (zhcs_stats_compute(&s, a, b, zhcs_host_processors(), 1, &err) < 0) {
        fail("stats", err);
        return;
    }
    printf("stats: %.2f s, cpu %.1f%% of the host, memory %.1f MiB (peak %.1f MiB), "
           "read %.0f B/s, written %.0f B/s\n",
           s.interval_s, s.cpu_percent_host, s.memory_commit_bytes / 1048576.0, s.memory_commit_peak_bytes / 1048576.0,
           s.read_bytes_per_s, s.write_bytes_per_s);
}

int main(int argc, char **argv)
{
#ifdef _WIN32
    const char *uri = "local";
#else
    const char *uri = "sim:";
#endif
    const char *id = "run-container-example";
    const char *config_file = NULL, *image = NULL, *store = "run-container-store", *network = NULL;
    char command[4096] = "";
    int i = 1;
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc)
            uri = argv[++i];
        else if (strcmp(argv[i], "--id") == 0 && i + 1 < argc)
            id = argv[++i];
        else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config_file = argv[++i];
        else if (strcmp(argv[i], "--image") == 0 && i + 1 < argc)
            image = argv[++i];
        else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
            store = argv[++i];
        else if (strcmp(argv[i], "--network") == 0 && i + 1 < argc)
            network = argv[++i];
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: run-container [--connect URI] [--id ID] [--image LAYOUT [--store DIR] [--network NAME]]\n"
                   "                     [--config FILE] [--] [COMMAND LINE...]\n");
            return 0;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "run-container: unknown option %s (try --help)\n", argv[i]);
            return 2;
        } else
            break;
    }
    for (; i < argc; i++) {
        size_t len = strlen(command);
        snprintf(command + len, sizeof command - len, "%s%s", len ? " " : "", argv[i]);
    }
    if (!command[0])
        snprintf(command, sizeof command, "ping -n 3 127.0.0.1");
    if (strncmp(uri, "sim:", 4) == 0)
        printf("run-container: running on the simulator (%s), not on a Windows host\n", uri);

    char *config = NULL;
    if (config_file && !(config = read_file(config_file))) {
        fprintf(stderr, "run-container: cannot read %s\n", config_file);
        return 1;
    }

    zhcs_service *svc = NULL;
    zhcs_storage *st = NULL;
    zhns_service *hcn = NULL;
    zhns_network *net = NULL;
    zhns_attachment *att = NULL;
    zhcs_Storage *storage = NULL;
    char *image_name = NULL, *store_dir = NULL, scratch[1024] = "", base_layer[1024] = "";
    int own_network = 0;
    zhns_error *nerr = NULL;
    zhcs_system *sys = NULL;
    zhcs_process *proc = NULL;
    zhcs_Statistics *before = NULL, *after = NULL;
    zhcs_error *err = NULL;
    int rc = 1;
    int64_t code = -1;

    if (zhcs_service_open(&svc, uri, &err) < 0) {
        rc = fail("open the compute service", err);
        goto out;
    }
    /* layers live in the store, named by absolute paths (HCS is a service: its working
     * directory is not ours) */
    if (!config && (zhcs_storage_open(&st, uri, &err) < 0 || zhcs_path_absolute(&store_dir, store, &err) < 0)) {
        rc = fail("open container storage", err);
        goto out;
    }
    store = store_dir;
    if (image && !config) {
        /* the image's layers, and a scratch layer for this container on top of them */
        if (zhcs_image_import(st, image, store, NULL, &image_name, &err) < 0) {
            rc = fail("import the image", err);
            goto out;
        }
        zhcs_LayerData *layers = NULL;
        if (zhcs_image_layers(store, image_name, &layers, NULL) == 0)
            printf("imported %s: %zu layers in %s\n", image_name, layers->Layers_count, store);
        zhcs_LayerData_free(layers);
        snprintf(scratch, sizeof scratch, "%s/scratch-%s", store, id);
        if (zhcs_image_prepare(st, store, image_name, scratch, &storage, &err) < 0) {
            scratch[0] = 0;
            rc = fail("prepare the container's scratch layer", err);
            goto out;
        }
        /* a NAT network: ours, or the one named */
        if (zhns_service_open(&hcn, uri, &nerr) < 0) {
            rc = fail_net("open the network service", nerr);
            goto out;
        }
        if (network) {
            char **ids = NULL;
            size_t n = 0;
            char query[400];
            snprintf(query, sizeof query,
                     "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Filter\":\"{\\\"Name\\\":\\\"%.200s\\\"}\"}",
                     network);
            if (zhns_network_open(&net, hcn, network, NULL) < 0 &&
                (zhns_network_list_json(&ids, &n, hcn, query, &nerr) < 0 || n == 0 ||
                 zhns_network_open(&net, hcn, ids[0], &nerr) < 0)) {
                zhns_strings_free(ids, n);
                if (!nerr) {
                    fprintf(stderr, "run-container: there is no network %s\n", network);
                    goto out;
                }
                rc = fail_net("open the network", nerr);
                goto out;
            }
            zhns_strings_free(ids, n);
        } else if (zhns_network_create_json(&net, hcn, NAT_NETWORK, &nerr) < 0) {
            rc = fail_net("create a NAT network", nerr);
            goto out;
        } else {
            own_network = 1;
        }
        zhns_overlay_options ao = ZHNS_OVERLAY_OPTIONS_INIT;
        ao.owner = "run-container-example";
        if (zhns_attachment_create_overlay(&att, net, &ao, &nerr) < 0) {
            rc = fail_net("attach the container to the network", nerr);
            goto out;
        }
        printf("network %s: %s/%u\n", own_network ? "run-container-nat (ours)" : network, zhns_attachment_ip(att),
               (unsigned)zhns_attachment_prefix_length(att));
        /* the configuration: image layers and scratch (Storage), the network namespace */
        zhcs_Networking nw = {0};
        nw.Namespace = (char *)zhns_attachment_namespace_id(att);
        zhcs_Container c = {0};
        c.Storage = storage;
        c.Networking = &nw;
        zhcs_Version v = {.Major = 2, .Minor = 1};
        zhcs_ComputeSystem cs = {0};
        cs.Owner = (char *)"run-container-example";
        cs.SchemaVersion = &v;
        cs.has_ShouldTerminateOnLastHandleClosed = true;
        cs.ShouldTerminateOnLastHandleClosed = true;
        cs.Container = &c;
        if (zhcs_system_create(&sys, svc, id, &cs, 120000, &err) < 0) {
            rc = fail("create the container", err);
            goto out;
        }
    } else if (!config) {
        /* no image: a base layer written here, and the scratch layer on it */
        if (make_demo_layer(st, store, base_layer, sizeof base_layer, &err) < 0) {
            base_layer[0] = 0;
            rc = fail("make a base layer", err);
            goto out;
        }
        zhcs_Layer base = {0};
        base.Id = (char *)DEMO_LAYER_ID;
        base.Path = base_layer;
        zhcs_LayerData below = {0};
        below.Layers = &base;
        below.Layers_count = 1;
        snprintf(scratch, sizeof scratch, "%s/scratch-%s", store, id);
        if (zhcs_layer_init_writable(st, scratch, &below, NULL, &err) < 0) {
            scratch[0] = 0;
            rc = fail("prepare the container's scratch layer", err);
            goto out;
        }
        zhcs_Storage on_layer = {0};
        on_layer.Layers = &base;
        on_layer.Layers_count = 1;
        on_layer.Path = scratch;
        zhcs_Container c = {0};
        c.Storage = &on_layer;
        zhcs_Version v = {.Major = 2, .Minor = 1};
        zhcs_ComputeSystem cs = {0};
        cs.Owner = (char *)"run-container-example";
        cs.SchemaVersion = &v;
        /* if this program dies, HCS ends the container */
        cs.has_ShouldTerminateOnLastHandleClosed = true;
        cs.ShouldTerminateOnLastHandleClosed = true;
        cs.Container = &c;
        if (zhcs_system_create(&sys, svc, id, &cs, 120000, &err) < 0) {
            rc = fail("create the container", err);
            goto out;
        }
    } else if (zhcs_system_create_json(&sys, svc, id, config, 120000, &err) < 0) {
        rc = fail("create the container", err);
        goto out;
    }
    printf("created %s\n", zhcs_system_id(sys));
    if (zhcs_system_start(sys, 120000, &err) < 0) {
        rc = fail("start it", err);
        goto out;
    }
    printf("started; running: %s\n", command);
    zhcs_system_statistics(&before, sys, 30000, NULL);

    if (zhcs_process_spawn(&proc, sys, command, 60000, &err) < 0) {
        rc = fail("run the command", err);
        goto out;
    }
    zhcs_process_close_stdin(proc, 30000, NULL); /* it reads nothing from us */
    stream(zhcs_process_stdout(proc), zhcs_process_stderr(proc));
    if (zhcs_process_wait(proc, 600000, &code, &err) < 0) {
        rc = fail("wait for the command", err);
        goto out;
    }
    printf("the command exited with %lld\n", (long long)code);

    if (before && zhcs_system_statistics(&after, sys, 30000, NULL) == 0)
        print_stats(before, after);

    zhcs_stop_options stop = ZHCS_STOP_OPTIONS_INIT;
    if (zhcs_system_stop(sys, &stop, &err) < 0) {
        rc = fail("stop the container", err);
        goto out;
    }
    zhcs_SystemExitStatus *status = NULL;
    if (zhcs_system_wait(sys, 0, &status, NULL) == 0 && status && status->has_ExitType)
        printf("stopped (%s)\n", status->ExitType == ZHCS_NOTIFICATIONTYPE_GRACEFULEXIT ? "graceful" : "forced");
    else
        printf("stopped\n");
    zhcs_SystemExitStatus_free(status);
    rc = code >= 0 && code <= 255 ? (int)code : 1;
out:
    zhcs_Statistics_free(before);
    zhcs_Statistics_free(after);
    zhcs_process_close(proc);
    zhcs_system_close(sys); /* the last handle: the container ends if it still runs */
    /* clean up what was made for it: attachment, our network, the scratch layer */
    if (att && zhns_attachment_teardown(att, &nerr) < 0)
        rc = fail_net("detach the container from the network", nerr);
    zhns_attachment_close(att);
    if (own_network && zhns_network_delete(hcn, zhns_network_id(net), &nerr) < 0)
        rc = fail_net("delete the NAT network", nerr);
    zhns_network_close(net);
    zhns_service_close(hcn);
    if (scratch[0] && zhcs_layer_destroy(st, scratch, &err) < 0)
        rc = fail("remove the scratch layer", err);
    else if (scratch[0])
        printf("cleaned up: scratch layer%s\n", att ? " and network attachment" : "");
    if (base_layer[0] && zhcs_layer_destroy(st, base_layer, &err) < 0)
        rc = fail("remove the base layer", err);
    zhcs_Storage_free(storage);
    zhcs_string_free(image_name);
    zhcs_string_free(store_dir);
    zhcs_storage_close(st);
    zhcs_service_close(svc);
    free(config);
    return rc;
}

/* SPDX-License-Identifier: MIT */
/* test_hns_recovery.c - crash recovery on "sim:PATH": a child process attaches endpoints for
 * owner "A" and for owner "AB" (sharing a prefix) and is killed; a new process finds exactly
 * A's endpoints and namespaces and removes those and nothing else. The child is forked
 * (POSIX, before the parent starts any simulator thread) or is this program started again
 * (Windows), as in tests/test_sim_shared.c. */
#include <stdio.h>

#include "hns_test.h"
#include "zh_thread.h"

#ifdef _WIN32
#include <direct.h>
#else
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

static char dir[512];
static const char NET_ID[] = "5e1f0c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b";

static int run_child(void);

#ifdef _WIN32
typedef HANDLE child;

static int spawn(child *c)
{
    wchar_t exe[MAX_PATH], cmd[2 * MAX_PATH + 600];
    if (!GetModuleFileNameW(NULL, exe, MAX_PATH))
        return -1;
    _snwprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --child \"%hs\"", exe, dir);
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return -1;
    CloseHandle(pi.hThread);
    *c = pi.hProcess;
    return 0;
}

static void kill_and_reap(child c)
{
    TerminateProcess(c, 109);
    WaitForSingleObject(c, 60000);
    CloseHandle(c);
}

static int make_dir(void)
{
    char tmp[MAX_PATH];
    if (!GetTempPathA(sizeof tmp, tmp))
        return -1;
    snprintf(dir, sizeof dir, "%szhns-recovery-%lu", tmp, (unsigned long)GetCurrentProcessId());
    return _mkdir(dir);
}

static void remove_empty_dir(void)
{
    _rmdir(dir);
}
#else
typedef pid_t child;

static int spawn(child *c)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(run_child());
    *c = pid;
    return 0;
}

static void kill_and_reap(child c)
{
    kill(c, SIGKILL);
    int st;
    waitpid(c, &st, 0);
}

static int make_dir(void)
{
    snprintf(dir, sizeof dir, "%s/zhns-recovery-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static void remove_empty_dir(void)
{
    rmdir(dir);
}
#endif

static void path_of(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static char *uri(void)
{
    static char u[600];
    snprintf(u, sizeof u, "sim:%s", dir);
    return u;
}

/* The child: A's and AB's attachments, the ids written to "ids" (one "owner kind id" a
 * line), then "ready", then it waits to be killed in the middle of its work. */
static int run_child(void)
{
    /* the lone namespace below is found by its Owner: HNS keeps it here */
    ht_latitudes_off(ZH_SIM_HCN_DROP_OWNER);
    zhns_service *svc = NULL;
    if (zhns_service_open(&svc, uri(), NULL) < 0)
        return 2;
    char path[700];
    path_of(path, sizeof path, "ids");
    FILE *f = fopen(path, "w");
    zhns_network *net = NULL;
    char net_json[600];
    snprintf(net_json, sizeof net_json, "{\"ID\":\"%s\",\"Name\":\"recovery\",\"Type\":\"NAT\"}", NET_ID);
    if (!f || zhns_network_create_json(&net, svc, net_json, NULL) < 0)
        return 3;
    static const char *const owners[] = {"A", "AB", "A", "AB", "A"};
    for (size_t i = 0; i < sizeof owners / sizeof owners[0]; i++) {
        zhns_overlay_options o = ZHNS_OVERLAY_OPTIONS_INIT;
        o.owner = owners[i];
        zhns_attachment *a = NULL;
        if (zhns_attachment_create_overlay(&a, net, &o, NULL) < 0)
            return 4;
        fprintf(f, "%s endpoint %s\n%s namespace %s\n", owners[i], zhns_attachment_endpoint_id(a), owners[i],
                zhns_attachment_namespace_id(a));
        /* never closed: the process dies holding its handles */
    }
    /* a crash between creating A's namespace and its endpoint leaves a lone namespace */
    zhns_namespace *ns = NULL;
    if (zhns_namespace_create_json(&ns, svc, "{\"Owner\":\"A\"}", NULL) < 0)
        return 5;
    fprintf(f, "A namespace %s\n", zhns_namespace_id(ns));
    fclose(f);
    path_of(path, sizeof path, "ready");
    f = fopen(path, "w");
    if (f)
        fclose(f);
    for (;;)
        zh_sleep_ms(50); /* killed here */
}

/* What the child wrote: one entry per object. */
typedef struct leftovers {
    struct {
        int is_a; /* owner "A" (else "AB") */
        char kind[16];
        char id[64];
    } e[16];
    int n;
} leftovers;

static int read_ids(leftovers *l)
{
    char path[700], line[200];
    path_of(path, sizeof path, "ids");
    FILE *f = fopen(path, "r");
    l->n = 0;
    if (!f)
        return -1;
    while (l->n < 16 && fgets(line, sizeof line, f)) {
        char owner[8];
        if (sscanf(line, "%7s %15s %63s", owner, l->e[l->n].kind, l->e[l->n].id) == 3) {
            l->e[l->n].is_a = strcmp(owner, "A") == 0;
            l->n++;
        }
    }
    fclose(f);
    return 0;
}

static void a_new_process_removes_exactly_its_owners_leftovers(void)
{
    /* checks the default model: HNS keeps Owner and honours filters */
    unsigned lat_ = ht_latitudes_off(ZH_SIM_HCN_DROP_OWNER);
    ZT_REQUIRE(make_dir() == 0);
    child c;
    ZT_REQUIRE(spawn(&c) == 0);
    char ready[700];
    path_of(ready, sizeof ready, "ready");
    int up = 0;
    for (int waited = 0; waited < 60000 && !up; waited += 20) {
        FILE *f = fopen(ready, "r");
        if (f) {
            fclose(f);
            up = 1;
        } else {
            zh_sleep_ms(20);
        }
    }
    kill_and_reap(c);
    ZT_REQUIRE(up);
    leftovers l;
    ZT_REQUIRE(read_ids(&l) == 0);
    ZT_EQ_INT(l.n, 11); /* 5 endpoints, 5 namespaces, 1 lone namespace */

    zhns_service *svc = NULL;
    HT_OK(zhns_service_open(&svc, uri(), HT_E));
    ZT_REQUIRE(svc);
    zhns_owned_attachment *owned = NULL;
    size_t count = 0;
    HT_OK(zhns_attachment_list_owned(&owned, &count, svc, "A", HT_E));
    ZT_EQ_INT(count, 4); /* three attachments and the lone namespace */
    /* every id A's child wrote is in the answer, and nothing else */
    int found = 0, wrong = 0;
    for (size_t i = 0; i < count; i++) {
        const char *ids[2] = {owned[i].endpoint_id, owned[i].namespace_id};
        for (int k = 0; k < 2; k++) {
            if (!ids[k])
                continue;
            int match = 0;
            for (int j = 0; j < l.n; j++)
                if (strcmp(l.e[j].id, ids[k]) == 0)
                    match = l.e[j].is_a ? 1 : -1;
            if (match == 1)
                found++;
            else
                wrong++;
        }
    }
    ZT_EQ_INT(found, 7);
    ZT_EQ_INT(wrong, 0);
    zhns_owned_attachments_free(owned, count);

    size_t removed = 0;
    HT_OK(zhns_attachment_cleanup_owner(&removed, svc, "A", HT_E));
    ZT_EQ_INT(removed, 4);
    /* AB's are all there, A's are gone */
    char **eps = NULL, **nss = NULL;
    size_t ne = 0, nn = 0;
    HT_OK(zhns_endpoint_list(&eps, &ne, svc, NULL, HT_E));
    HT_OK(zhns_namespace_list(&nss, &nn, svc, NULL, HT_E));
    ZT_EQ_INT(ne, 2);
    ZT_EQ_INT(nn, 2);
    for (int j = 0; j < l.n; j++) {
        int present = ht_has(eps, ne, l.e[j].id) || ht_has(nss, nn, l.e[j].id);
        if (present == l.e[j].is_a)
            ZT_FAIL_("%s's %s %s is %s", l.e[j].is_a ? "A" : "AB", l.e[j].kind, l.e[j].id,
                     present ? "still there" : "gone");
    }
    zhns_strings_free(eps, ne);
    zhns_strings_free(nss, nn);
    HT_OK(zhns_attachment_list_owned(&owned, &count, svc, "A", HT_E));
    ZT_EQ_INT(count, 0);
    zhns_owned_attachments_free(owned, count);

    HT_OK(zhns_attachment_cleanup_owner(&removed, svc, "AB", HT_E));
    ZT_EQ_INT(removed, 2);
    HT_OK(zhns_network_delete(svc, NET_ID, HT_E));
    zhns_service_close(svc);
    static const char *const files[] = {"state.json", "state.json.tmp", "lock", "ready", "ids",
                                        /* the sim:PATH service's (POSIX) */
                                        "state.db", "state.db-wal", "state.db-shm", "sock", "service.pid",
                                        "service.lock", "service.log", "start.lock"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char p[700];
        path_of(p, sizeof p, files[i]);
        remove(p);
    }
    remove_empty_dir();
    zh_sim_hcn_latitudes(lat_);
}

static const zt_case cases[] = {
    ZT_CASE(a_new_process_removes_exactly_its_owners_leftovers),
};

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0) { /* Windows: this program as the child */
        snprintf(dir, sizeof dir, "%s", argv[2]);
        return run_child();
    }
    size_t live0 = zh_handle_live();
    int rc = zt_run(cases, sizeof cases / sizeof cases[0], argc, argv);
    if (zh_handle_live() != live0) {
        printf("FAIL %zu handle(s) live at the end, %zu at the start\n", zh_handle_live(), live0);
        return 1;
    }
    return rc;
}

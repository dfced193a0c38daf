/* SPDX-License-Identifier: MIT */
/* test_sim_shared.c - "sim:PATH": HCN state and compute systems shared by several
 * processes (clients of one simulator service: zhsimd over a socket on POSIX, zhsimd.exe
 * over a named pipe on Windows), with concurrent writers and writers killed at random moments. The children are forked (POSIX, before the parent starts any simulator thread)
 * or are this program started again (Windows). */
#include <stdlib.h>

#include <zhns/schema.h>

#include "zh_hresult.h"
#include "zh_json.h"
#include "zh_sim.h"
#include "zh_thread.h"
#include "zh_utf.h"
#include "zt.h"
#include "zt_layers.h"

#include <sqlite3.h>

#include "sim_server.h"

#ifdef _WIN32
#include <direct.h>
#else
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

static char dir[512];

/* ---- child processes: a role run by a forked child (POSIX) or by this program started
 * again with "--child ROLE ARG DIR" (Windows) ---- */
static int run_role(const char *role, const char *arg);

#define KILLED 109 /* what a killed child's status reads as (100 + SIGKILL on POSIX) */

#ifdef _WIN32
typedef HANDLE child;

static int spawn(const char *role, const char *arg, child *c)
{
    wchar_t exe[MAX_PATH], cmd[2 * MAX_PATH + 700];
    if (!GetModuleFileNameW(NULL, exe, MAX_PATH))
        return -1;
    _snwprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --child %hs %hs \"%hs\"", exe, role, arg ? arg : "-", dir);
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

static int child_status(child c)
{
    DWORD code = 1;
    if (WaitForSingleObject(c, 120000) != WAIT_OBJECT_0)
        TerminateProcess(c, 99);
    GetExitCodeProcess(c, &code);
    CloseHandle(c);
    return (int)code;
}

static void child_kill(child c)
{
    TerminateProcess(c, KILLED);
}

static int make_dir(void)
{
    static unsigned counter;
    char tmp[MAX_PATH];
    if (!GetTempPathA(sizeof tmp, tmp))
        return -1;
    /* a name no earlier run left behind (Wine reuses small process ids) */
    for (int tries = 0; tries < 1000; tries++) {
        snprintf(dir, sizeof dir, "%szhsim-%lu-%u", tmp, (unsigned long)GetCurrentProcessId(), counter++);
        if (_mkdir(dir) == 0)
            return 0;
    }
    return -1;
}

static void remove_empty_dir(void)
{
    _rmdir(dir);
}

/* The service of the directory (zhsimd.exe): stopped before the directory goes. */
static void stop_service(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/service.pid", dir);
    FILE *f = fopen(path, "r");
    unsigned long pid = 0;
    if (!f)
        return;
    if (fscanf(f, "%lu", &pid) != 1)
        pid = 0;
    fclose(f);
    HANDLE h = pid ? OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, (DWORD)pid) : NULL;
    if (h) {
        TerminateProcess(h, 1);
        WaitForSingleObject(h, 5000);
        CloseHandle(h);
    }
}
#else
typedef pid_t child;

static int spawn(const char *role, const char *arg, child *c)
{
    zt_layers_storage(); /* made before the fork: the children share them (they _exit) */
    fflush(stdout);
    pid_t pid = fork(); /* callers fork before this process starts any simulator thread */
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(run_role(role, arg));
    *c = pid;
    return 0;
}

static int child_status(child c)
{
    int st = 0;
    waitpid(c, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void child_kill(child c)
{
    kill(c, SIGKILL);
}

static int make_dir(void)
{
    snprintf(dir, sizeof dir, "%s/zhsim-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static void remove_empty_dir(void)
{
    rmdir(dir);
}

/* sim:PATH on POSIX is served by one service process (zhsimd): stopped before the
 * directory goes, and gone once its pid file is. */
static void stop_service(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/service.pid", dir);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (!f)
        return;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    if (pid > 0)
        kill((pid_t)pid, SIGTERM);
    for (int i = 0; i < 500 && access(path, F_OK) == 0; i++)
        zh_sleep_ms(10);
}
#endif

static const char *FILES[] = {"ready", "go", "state.db", "state.db-wal", "state.db-shm", "sock",
                              "service.pid", "service.lock", "service.log", "start.lock"};

static int fresh_dir(void)
{
    return make_dir();
}

static void remove_dir(void)
{
    stop_service();
    char path[700];
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, FILES[i]);
        remove(path);
    }
    remove_empty_dir();
}

/* A flag file in the shared directory ("ready", "go"): set by one process, awaited by another. */
static void flag_set(const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
}

static int flag_wait(const char *name, uint32_t ms)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (uint32_t waited = 0; waited <= ms; waited += 10) {
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            return 0;
        }
        zh_sleep_ms(10);
    }
    return -1;
}

static zh_wchar *W(const char *s)
{
    uint16_t *w = NULL;
    if (s && zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, "test", NULL) < 0)
        abort();
    return (zh_wchar *)w;
}

static char *take(zh_wchar *w)
{
    if (!w)
        return NULL;
    char *s = NULL;
    zh_utf16_to_utf8((const uint16_t *)w, ZH_NUL_TERMINATED, &s, NULL, "test", NULL);
    zh_sim_free_string(w);
    return s;
}

static zh_raw_guid guid(const char *s)
{
    zh_guid g;
    zh_raw_guid r;
    zh_guid_parse(s, &g, NULL);
    memcpy(&r, &g, sizeof r);
    return r;
}

static const char *NET_ID = "0d9a4b63-2f8c-4b1e-9a6f-3c2d1e0f9a8b";
static const char *NAT = "{\"Name\":\"shared\",\"Type\":\"NAT\",\"Ipams\":[{\"Subnets\":[{\"IpAddressPrefix\":\"10.50.0.0/16\","
                         "\"Routes\":[{\"NextHop\":\"10.50.0.1\",\"DestinationPrefix\":\"0.0.0.0/0\"}]}]}]}";

/* Creates the shared network (in whichever process calls it). */
static int32_t create_network(void)
{
    const zh_hcn_table *T = zh_sim_hcn_table();
    zh_raw_guid id = guid(NET_ID);
    zh_hcn_network n = NULL;
    zh_wchar *s = W(NAT);
    int32_t hr = T->HcnCreateNetwork(&id, s, &n, NULL);
    free(s);
    if (n)
        T->HcnCloseNetwork(n);
    return hr;
}

static int32_t create_endpoint(const char *name)
{
    const zh_hcn_table *T = zh_sim_hcn_table();
    zh_raw_guid id = guid(NET_ID), nil = {0};
    zh_hcn_network n = NULL;
    int32_t hr = T->HcnOpenNetwork(&id, &n, NULL);
    if (hr)
        return hr;
    char json[128];
    snprintf(json, sizeof json, "{\"Name\":\"%s\",\"Owner\":\"child\"}", name);
    zh_wchar *s = W(json), *rec = NULL;
    zh_hcn_endpoint e = NULL;
    hr = T->HcnCreateEndpoint(n, &nil, s, &e, &rec);
    free(s);
    zh_sim_free_string(rec);
    if (e)
        T->HcnCloseEndpoint(e);
    T->HcnCloseNetwork(n);
    return hr;
}

/* Every endpoint's IP address, and a check of the whole state: each endpoint's network
 * exists, no address twice. Returns the number of endpoints, or -1. */
/* Doubles an array of *cap items of `size` bytes (freeing it on failure). */
static void *zt_grow(void *p, size_t *cap, size_t size)
{
    void *q = realloc(p, *cap * 2 * size);
    if (!q)
        free(p);
    else
        *cap *= 2;
    return q;
}

static int check_state(void)
{
    const zh_hcn_table *T = zh_sim_hcn_table();
    zh_wchar *ids = NULL;
    if (T->HcnEnumerateEndpoints(NULL, &ids, NULL) != 0)
        return -1;
    char *list = take(ids);
    zh_arena a = {0};
    zh_jv *arr = zh_json_parse(&a, list, strlen(list), "ids", NULL);
    int n = 0, bad = 0;
    size_t cap = 1024;
    char (*ips)[32] = malloc(cap * sizeof *ips);
    for (const zh_jv *e = arr ? arr->first : NULL; e && !bad; e = e->next) {
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)e->str_len, e->str);
        zh_raw_guid g = guid(id);
        zh_hcn_endpoint h = NULL;
        zh_wchar *props = NULL;
        int32_t hr_open = T->HcnOpenEndpoint(&g, &h, NULL);
        int32_t hr_query = hr_open ? 0 : T->HcnQueryEndpointProperties(h, NULL, &props, NULL);
        if (hr_open || hr_query) {
            printf("  endpoint %s listed, but open 0x%08X, query 0x%08X\n", id, (unsigned)hr_open, (unsigned)hr_query);
            if (h)
                T->HcnCloseEndpoint(h);
            bad = 1;
            break;
        }
        T->HcnCloseEndpoint(h);
        char *p = take(props);
        zhns_HostComputeEndpoint *doc = zhns_HostComputeEndpoint_parse(p, ZHNS_NUL_TERMINATED, NULL);
        free(p);
        if (!doc || !doc->HostComputeNetwork || zh_strcasecmp_ascii(doc->HostComputeNetwork, NET_ID) != 0 ||
            doc->IpConfigurations_count != 1) {
            printf("  endpoint %s: a document without its network or one address\n", id);
            bad = 1;
        } else if ((size_t)n == cap && !(ips = zt_grow(ips, &cap, sizeof *ips))) {
            bad = 1;
        } else {
            snprintf(ips[n], sizeof ips[0], "%s", doc->IpConfigurations[0].IpAddress);
            for (int k = 0; k < n; k++)
                if (strcmp(ips[k], ips[n]) == 0) {
                    printf("  endpoint %s: address %s twice\n", id, ips[n]);
                    bad = 1;
                }
            n++;
        }
        zhns_HostComputeEndpoint_free(doc);
    }
    zh_arena_free(&a);
    free(list);
    free(ips);
    return bad || !arr ? -1 : n;
}

/* Waits until this process is the service's only client. 0, or -1 after `ms`. */
static int service_alone(int ms)
{
    for (int waited = 0; waited <= ms; waited += 10) {
        char *status = sim_client_status();
        int alone = status && strstr(status, "\"Clients\":1,") != NULL;
        free(status);
        if (alone)
            return 0;
        zh_sleep_ms(10);
    }
    return -1;
}

static int role_network_and_endpoint(void)
{
    return create_network() == 0 && create_endpoint("from-child") == 0 ? 0 : 1;
}

static int role_writer(const char *tag)
{
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "c%s-%d", tag, i);
        if (create_endpoint(name) != 0)
            return 1;
    }
    return 0;
}

/* Creates and deletes endpoints until killed. */
static int role_churn(void)
{
    const zh_hcn_table *T = zh_sim_hcn_table();
    flag_set("ready");
    for (int i = 0; i < 1000000; i++) { /* killed long before the end */
        char name[32];
        snprintf(name, sizeof name, "r%d", i);
        create_endpoint(name);
        if (i % 3 == 2) { /* delete one now and then, so the state shrinks too */
            zh_wchar *ids = NULL;
            if (T->HcnEnumerateEndpoints(NULL, &ids, NULL) == 0) {
                char *list = take(ids);
                const char *q = list ? strchr(list, '"') : NULL;
                if (q) {
                    char id[40];
                    snprintf(id, sizeof id, "%.36s", q + 1);
                    zh_raw_guid g = guid(id);
                    T->HcnDeleteEndpoint(&g, NULL);
                }
                free(list);
            }
        }
    }
    return 1;
}

static int run_child(const char *role, const char *arg)
{
    child c;
    return spawn(role, arg, &c) < 0 ? -1 : child_status(c);
}

static void state_is_shared_between_processes(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_EQ_INT(run_child("network", NULL), 0);

    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    const zh_hcn_table *T = zh_sim_hcn_table();
    zh_raw_guid id = guid(NET_ID);
    zh_hcn_network n = NULL;
    ZT_EQ_HEX(T->HcnOpenNetwork(&id, &n, NULL), 0); /* made by the other process */
    ZT_EQ_HEX(T->HcnCloseNetwork(n), 0);
    ZT_EQ_INT(check_state(), 1);
    ZT_EQ_HEX(create_endpoint("from-parent"), 0);
    ZT_EQ_INT(check_state(), 2); /* the allocation saw the other process's address */
    /* the same network again: already exists, across processes */
    ZT_EQ_HEX(create_network(), HCN_E_NETWORK_ALREADY_EXISTS);
    zh_sim_close();

    /* and a later process sees it all */
    ZT_EQ_INT(run_child("count", "2"), 0);
    remove_dir();
}

static void concurrent_writers_are_serialised(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    ZT_EQ_HEX(create_network(), 0);
    zh_sim_close();
    child c[3];
    const char *tags[3] = {"0", "1", "2"};
    for (int i = 0; i < 3; i++)
        ZT_REQUIRE(spawn("writer", tags[i], &c[i]) == 0);
    for (int i = 0; i < 3; i++)
        ZT_EQ_INT(child_status(c[i]), 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    ZT_EQ_INT(check_state(), 60); /* 60 endpoints, 60 distinct addresses */
    zh_sim_close();
    remove_dir();
}

static void writers_killed_at_any_moment_leave_consistent_state(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    ZT_EQ_HEX(create_network(), 0);
    zh_sim_close();
    srand(12345);
    int kills = 0;
    char ready[700];
    snprintf(ready, sizeof ready, "%s/ready", dir);
    for (int round = 0; round < 12; round++) {
        remove(ready);
        child c;
        ZT_REQUIRE(spawn("churn", NULL, &c) == 0);
        if (flag_wait("ready", 60000) < 0)
            ZT_FAIL_("round %d: the writer did not start", round);
        zh_sleep_ms((uint32_t)(5 + rand() % 60));
        child_kill(c);
        kills += child_status(c) == KILLED;
        /* the survivor's view: readable, consistent, and not locked by the dead */
        ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
        /* a request the writer sent before it died still runs in the service (as an RPC in
         * flight does on Windows): look once the service has let go of the dead client */
        ZT_CHECK(service_alone(5000) == 0);
        int n = check_state();
        if (n < 0)
            ZT_FAIL_("round %d: the state is inconsistent after a kill", round);
        ZT_EQ_HEX(create_endpoint("survivor"), 0);
        zh_sim_close();
    }
    ZT_EQ_INT(kills, 12);
    remove_dir();
}

/* The service's state database (PATH/state.db): damaged or foreign, it is an error that
 * names the file, and nothing is served from it. */
static void a_damaged_state_file_is_reported_not_trusted(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    char path[700];
    snprintf(path, sizeof path, "%s/state.db", dir);
    FILE *f = fopen(path, "w");
    ZT_REQUIRE(f != NULL);
    fputs("this is not a database, whatever its name says; it is long enough to have a header\n", f);
    for (int i = 0; i < 64; i++)
        fputs("padding padding padding padding padding padding padding padding\n", f);
    fclose(f);
    zh_error *err = NULL;
    ZT_EQ_INT(zh_sim_open(dir, &err), -1);
    ZT_REQUIRE(err != NULL);
    ZT_CONTAINS(zh_error_message(err), path);
    ZT_CONTAINS(zh_error_message(err), "not a simulator state database");
    zh_error_free(err);
    err = NULL;
    /* a real SQLite database of something else */
    remove(path);
    sqlite3 *db = NULL;
    ZT_REQUIRE(sqlite3_open(path, &db) == SQLITE_OK);
    ZT_REQUIRE(sqlite3_exec(db, "CREATE TABLE songs(title TEXT); INSERT INTO songs VALUES('x');", NULL, NULL, NULL) ==
               SQLITE_OK);
    sqlite3_close(db);
    ZT_EQ_INT(zh_sim_open(dir, &err), -1);
    ZT_REQUIRE(err != NULL);
    ZT_CONTAINS(zh_error_message(err), path);
    ZT_CONTAINS(zh_error_message(err), "not a simulator state database");
    zh_error_free(err);
    remove_dir();
}

/* ---- compute systems ---- */
/* on a base and a scratch layer (zt_layers.h), as Windows requires */
#define CONTAINER zt_layered("{\"Owner\":\"shared-test\",\"SchemaVersion\":{\"Major\":2,\"Minor\":1},\"Container\":{@STORAGE@}}")
#define EPHEMERAL                                                                                                      \
    zt_layered("{\"Owner\":\"shared-test\",\"ShouldTerminateOnLastHandleClosed\":true,\"Container\":{@STORAGE@}}")

static int32_t wait_op(zh_hcs_operation op)
{
    zh_wchar *d = NULL;
    int32_t hr = zh_sim_hcs_table()->HcsWaitForOperationResult(op, 5000, &d);
    free(take(d));
    return hr;
}

/* Runs one system call with a fresh operation; returns its HRESULT (and the document). */
static int32_t sys_call(zh_hresult(ZH_WINAPI *fn)(zh_hcs_system, zh_hcs_operation, const zh_wchar *), zh_hcs_system sys,
                        char **doc)
{
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    int32_t hr = fn(sys, op, NULL);
    if (hr == 0) {
        zh_wchar *d = NULL;
        hr = T->HcsWaitForOperationResult(op, 5000, &d);
        char *text = take(d);
        if (doc)
            *doc = text;
        else
            free(text);
    }
    T->HcsCloseOperation(op);
    return hr;
}

/* Creates and starts a system; returns its handle or NULL. */
static zh_hcs_system create_started(const char *id, const char *config)
{
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_hcs_system sys = NULL;
    zh_wchar *wid = W(id), *cfg = W(config);
    int32_t hr = T->HcsCreateComputeSystem(wid, cfg, op, NULL, &sys);
    free(wid);
    free(cfg);
    if (hr == 0)
        hr = wait_op(op);
    T->HcsCloseOperation(op);
    if (hr == 0)
        hr = sys_call(T->HcsStartComputeSystem, sys, NULL);
    if (hr != 0) {
        T->HcsCloseComputeSystem(sys);
        return NULL;
    }
    return sys;
}

static int32_t open_system(const char *id, zh_hcs_system *sys)
{
    zh_wchar *wid = W(id);
    *sys = NULL;
    int32_t hr = zh_sim_hcs_table()->HcsOpenComputeSystem(wid, 0, sys);
    free(wid);
    return hr;
}

static char *enumerate(void)
{
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    char *list = NULL;
    if (T->HcsEnumerateComputeSystems(NULL, op) == 0) {
        zh_wchar *d = NULL;
        if (T->HcsWaitForOperationResult(op, 5000, &d) == 0)
            list = take(d);
        else
            zh_sim_free_string(d);
    }
    T->HcsCloseOperation(op);
    return list;
}

typedef struct exits {
    zh_mutex lock;
    zh_cond cond;
    int exited;
    char data[512];
} exits;

static void ZH_WINAPI on_exit_event(zh_hcs_event *ev, void *ctx)
{
    exits *e = ctx;
    if (ev->Type != HcsEventSystemExited)
        return;
    char *d = NULL;
    if (ev->EventData)
        zh_utf16_to_utf8((const uint16_t *)ev->EventData, ZH_NUL_TERMINATED, &d, NULL, "event", NULL);
    zh_mutex_lock(&e->lock);
    e->exited++;
    snprintf(e->data, sizeof e->data, "%s", d ? d : "");
    zh_cond_broadcast(&e->cond);
    zh_mutex_unlock(&e->lock);
    free(d);
}

/* Waits up to 5 s for a SystemExited event; returns how many arrived. */
static int wait_exit(exits *e)
{
    uint64_t deadline = zh_monotonic_ns() + 5000000000ull;
    zh_mutex_lock(&e->lock);
    while (e->exited == 0 && zh_cond_wait_until(&e->cond, &e->lock, deadline) == 0) {
    }
    int n = e->exited;
    zh_mutex_unlock(&e->lock);
    return n;
}

/* Creates a lasting system and goes away: the system stays. */
static int role_make_system(void)
{
    zh_hcs_system sys = create_started("made-elsewhere", CONTAINER);
    if (!sys)
        return 1;
    zh_sim_hcs_table()->HcsCloseComputeSystem(sys);
    return 0;
}

static int role_system_gone(void)
{
    zh_hcs_system sys = NULL;
    int ok = open_system("made-elsewhere", &sys) == HCS_E_SYSTEM_NOT_FOUND;
    char *list = enumerate();
    ok = ok && list && !strstr(list, "made-elsewhere");
    free(list);
    return ok ? 0 : 1;
}

/* Creates an ephemeral system and holds its handle until killed. */
static int role_hold_ephemeral(void)
{
    if (!create_started("ephemeral", EPHEMERAL))
        return 1;
    flag_set("ready");
    for (;;)
        zh_sleep_ms(1000);
}

/* When told to, terminates the system another process created. */
static int role_terminate_watched(void)
{
    if (flag_wait("go", 60000) < 0)
        return 2;
    zh_hcs_system sys = NULL;
    int ok = open_system("watched", &sys) == 0 && sys_call(zh_sim_hcs_table()->HcsTerminateComputeSystem, sys, NULL) == 0;
    if (sys)
        zh_sim_hcs_table()->HcsCloseComputeSystem(sys);
    return ok ? 0 : 1;
}

static void systems_are_shared_between_processes(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_EQ_INT(run_child("make-system", NULL), 0);

    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    const zh_hcs_table *T = zh_sim_hcs_table();
    char *list = enumerate();
    ZT_CONTAINS(list, "\"Id\":\"made-elsewhere\"");
    ZT_CONTAINS(list, "\"Owner\":\"shared-test\"");
    free(list);
    zh_hcs_system sys = NULL;
    ZT_EQ_HEX(open_system("made-elsewhere", &sys), 0);
    char *props = NULL;
    ZT_EQ_HEX(sys_call(T->HcsGetComputeSystemProperties, sys, &props), 0);
    ZT_CONTAINS(props, "\"State\":\"Running\"");
    free(props);
    /* a process started in it runs in the service, its exit status reaches us */
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_hcs_process proc = NULL;
    zh_wchar *params = W("{\"CommandLine\":\"cmd /c exit 3\"}");
    ZT_EQ_HEX(T->HcsCreateProcess(sys, params, op, NULL, &proc), 0);
    free(params);
    int32_t created = wait_op(op);
    if (zh_sim_latitude_get(ZH_SIM_LAT_WS2022_CREATE_PROCESS) == 1) /* the quirk: the process runs all the same */
        ZT_EQ_HEX(created, (int32_t)0x80070057);
    else
        ZT_EQ_HEX(created, 0);
    T->HcsCloseOperation(op);
    zh_wchar *status = NULL;
    ZT_EQ_HEX(T->HcsWaitForProcessExit(proc, 5000, &status), 0);
    char *st = take(status);
    ZT_CONTAINS(st, "\"ExitCode\":3");
    free(st);
    T->HcsCloseProcess(proc);
    /* its id is taken here too */
    zh_hcs_system dup = create_started("made-elsewhere", CONTAINER);
    ZT_REQUIRE(dup == NULL);
    ZT_EQ_HEX(sys_call(T->HcsTerminateComputeSystem, sys, NULL), 0);
    T->HcsCloseComputeSystem(sys);
    ZT_EQ_HEX(open_system("made-elsewhere", &sys), HCS_E_SYSTEM_NOT_FOUND);
    zh_sim_close();

    /* and a later process finds it gone */
    ZT_EQ_INT(run_child("system-gone", NULL), 0);
    remove_dir();
}

/* Starts a child that creates "ephemeral" (ShouldTerminateOnLastHandleClosed) and holds
 * it; 0 once it runs. */
static int start_holder(child *c)
{
    char ready[700];
    snprintf(ready, sizeof ready, "%s/ready", dir);
    remove(ready);
    if (spawn("hold-ephemeral", NULL, c) < 0)
        return -1;
    if (flag_wait("ready", 60000) < 0) {
        child_kill(*c);
        child_status(*c);
        return -1;
    }
    return 0;
}

/* Polls until "ephemeral" is gone (up to 5 s). */
static int ephemeral_gone(void)
{
    for (int i = 0; i < 500; i++) {
        zh_hcs_system sys = NULL;
        int32_t hr = open_system("ephemeral", &sys);
        if (hr == HCS_E_SYSTEM_NOT_FOUND)
            return 1;
        if (sys)
            zh_sim_hcs_table()->HcsCloseComputeSystem(sys);
        zh_sleep_ms(10);
    }
    return 0;
}

static void a_killed_creator_takes_its_ephemeral_system_along(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    /* the creator held the last handle: its death closes it, and the system goes */
    child c;
    if (start_holder(&c) < 0) {
        ZT_FAIL_("the creator did not get its system running");
        remove_dir();
        return;
    }
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    child_kill(c);
    ZT_EQ_INT(child_status(c), KILLED);
    ZT_EQ_INT(ephemeral_gone(), 1);
    char *list = enumerate();
    ZT_REQUIRE(list != NULL);
    ZT_REQUIRE(strstr(list, "ephemeral") == NULL);
    free(list);
    zh_sim_close();

    /* another process holds a handle too: the system lives on until that one closes, as
     * on Windows (the last handle counts, wherever it is) */
    if (start_holder(&c) < 0) {
        ZT_FAIL_("the creator did not get its system running (again)");
        remove_dir();
        return;
    }
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_system sys = NULL;
    ZT_EQ_HEX(open_system("ephemeral", &sys), 0);
    exits e;
    memset(&e, 0, sizeof e);
    zh_mutex_init(&e.lock);
    zh_cond_init(&e.cond);
    ZT_EQ_HEX(T->HcsSetComputeSystemCallback(sys, HcsEventOptionNone, &e, on_exit_event), 0);
    child_kill(c);
    ZT_EQ_INT(child_status(c), KILLED);
    zh_sleep_ms(200);
    char *props = NULL;
    ZT_EQ_HEX(sys_call(T->HcsGetComputeSystemProperties, sys, &props), 0);
    ZT_CONTAINS(props, "\"State\":\"Running\"");
    free(props);
    zh_mutex_lock(&e.lock);
    ZT_EQ_INT(e.exited, 0);
    zh_mutex_unlock(&e.lock);
    T->HcsCloseComputeSystem(sys); /* the last handle */
    zh_cond_destroy(&e.cond);
    zh_mutex_destroy(&e.lock);
    ZT_EQ_INT(ephemeral_gone(), 1);
    zh_sim_close();
    remove_dir();
}

static void the_creator_hears_of_a_terminate_from_elsewhere(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    child c;
    ZT_REQUIRE(spawn("terminate-watched", NULL, &c) == 0); /* waits for "go" */
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_system sys = create_started("watched", CONTAINER);
    ZT_REQUIRE(sys != NULL);
    exits e;
    memset(&e, 0, sizeof e);
    zh_mutex_init(&e.lock);
    zh_cond_init(&e.cond);
    ZT_EQ_HEX(T->HcsSetComputeSystemCallback(sys, HcsEventOptionNone, &e, on_exit_event), 0);
    flag_set("go");
    ZT_EQ_INT(child_status(c), 0);
    ZT_EQ_INT(wait_exit(&e), 1);
    ZT_CONTAINS(e.data, "ForcedExit");
    ZT_EQ_HEX(T->HcsWaitForComputeSystemExit(sys, 1000, NULL), 0);
    char *props = NULL;
    ZT_EQ_HEX(sys_call(T->HcsGetComputeSystemProperties, sys, &props), 0);
    ZT_CONTAINS(props, "\"State\":\"Stopped\"");
    free(props);
    T->HcsCloseComputeSystem(sys);
    zh_cond_destroy(&e.cond);
    zh_mutex_destroy(&e.lock);
    ZT_EQ_HEX(open_system("watched", &sys), HCS_E_SYSTEM_NOT_FOUND);
    zh_sim_close();
    remove_dir();
}

/* The roles children play; each opens the shared simulator first. */
static int run_role(const char *role, const char *arg)
{
    if (zh_sim_open(dir, NULL) < 0)
        return 10;
    int rc = 11;
    if (strcmp(role, "network") == 0)
        rc = role_network_and_endpoint();
    else if (strcmp(role, "count") == 0)
        rc = check_state() == atoi(arg) ? 0 : 1;
    else if (strcmp(role, "writer") == 0)
        rc = role_writer(arg);
    else if (strcmp(role, "churn") == 0)
        rc = role_churn();
    else if (strcmp(role, "make-system") == 0)
        rc = role_make_system();
    else if (strcmp(role, "system-gone") == 0)
        rc = role_system_gone();
    else if (strcmp(role, "hold-ephemeral") == 0)
        rc = role_hold_ephemeral();
    else if (strcmp(role, "terminate-watched") == 0)
        rc = role_terminate_watched();
    zh_sim_close();
    return rc;
}

static const zt_case cases[] = {
    ZT_CASE(state_is_shared_between_processes),
    ZT_CASE(concurrent_writers_are_serialised),
    ZT_CASE(writers_killed_at_any_moment_leave_consistent_state),
    ZT_CASE(a_damaged_state_file_is_reported_not_trusted),
    ZT_CASE(systems_are_shared_between_processes),
    ZT_CASE(a_killed_creator_takes_its_ephemeral_system_along),
    ZT_CASE(the_creator_hears_of_a_terminate_from_elsewhere),
};
int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--child") == 0) { /* Windows: this program as a child */
        snprintf(dir, sizeof dir, "%s", argv[4]);
        return run_role(argv[2], argv[3]);
    }
    return zt_run(cases, sizeof cases / sizeof cases[0], argc, argv);
}

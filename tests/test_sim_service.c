/* SPDX-License-Identifier: MIT */
/* test_sim_service.c - the simulator service behind "sim:PATH": one owner of the state,
 * many client processes. Concurrent creators of one id, kills that stay done, mixed
 * operations of several processes checked against a model, the service killed -9 in the
 * middle of mutations, failed state writes, clients killed -9, service restarts, and a
 * client speaking garbage. Children are forked while this process has no simulator open
 * (POSIX), or are this program started again with "--child ROLE ARG DIR" (Windows, where
 * a kill -9 is TerminateProcess). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <direct.h>
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#include "sim_rpc.h"
#include "sim_server.h"
#include "zh_hresult.h"
#include "zh_sim.h"
#include "zh_thread.h"
#include "zh_utf.h"
#include "zt.h"
#include "zt_layers.h"

static char dir[512];

/* ---------------------------------------------------------------- helpers */
static zh_wchar *W(const char *s)
{
    uint16_t *w = NULL;
    zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, "test", NULL);
    return (zh_wchar *)w;
}

static char *take(zh_wchar *w)
{
    char *s = NULL;
    if (w)
        zh_utf16_to_utf8((const uint16_t *)w, ZH_NUL_TERMINATED, &s, NULL, "test", NULL);
    zh_sim_free_string(w);
    return s;
}

static const char *const FILES[] = {"state.db", "state.db-wal", "state.db-shm", "sock", "service.pid", "service.lock",
                                    "service.log", "start.lock", "go", "ack", "model-0", "model-1", "model-2",
                                    "model-3"};

static long service_pid(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/service.pid", dir);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1)
            pid = 0;
        fclose(f);
    }
    return pid;
}

typedef int (*role_fn)(int arg);
static int run_role(role_fn fn, int arg);

#ifdef _WIN32
#ifndef SIGKILL
#define SIGKILL 9
#endif
typedef HANDLE child_t;

/* Waits until no service holds the directory's service lock (it died or stopped). */
static int service_gone(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/service.lock", dir);
    HANDLE h = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return 1;
    int ok = 0;
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    for (int i = 0; i < 1000 && !ok; i++) {
        ok = LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov) != 0;
        if (!ok)
            zh_sleep_ms(5);
    }
    if (ok)
        UnlockFileEx(h, 0, 1, 0, &ov);
    CloseHandle(h);
    return ok;
}

/* kill -9 and kill -TERM are both TerminateProcess here */
static void kill_service(int sig)
{
    (void)sig;
    long pid = service_pid();
    HANDLE h = pid > 0 ? OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, (DWORD)pid) : NULL;
    if (h) {
        TerminateProcess(h, 100 + SIGKILL);
        WaitForSingleObject(h, 10000);
        CloseHandle(h);
    }
    service_gone();
}

static int fresh_dir(void)
{
    static unsigned counter;
    char tmp[MAX_PATH];
    if (!GetTempPathA(sizeof tmp, tmp))
        return -1;
    /* a name no earlier run left behind (Wine reuses small process ids) */
    for (int tries = 0; tries < 1000; tries++) {
        snprintf(dir, sizeof dir, "%szhsvc-%lu-%u", tmp, (unsigned long)GetCurrentProcessId(), counter++);
        if (_mkdir(dir) == 0)
            return 0;
    }
    return -1;
}

static void remove_empty_dir(void)
{
    _rmdir(dir);
}

static int exists(const char *path)
{
    return GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES;
}

/* The roles a child can play, by name on its command line. */
static int role_create_same(int arg);
static int role_kill(int arg);
static int role_mix(int arg);
static int role_hold(int arg);
static const struct {
    const char *name;
    role_fn fn;
} ROLES[] = {{"create-same", role_create_same}, {"kill", role_kill}, {"mix", role_mix}, {"hold", role_hold}};

static child_t spawn(role_fn fn, int arg)
{
    const char *name = NULL;
    for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
        if (ROLES[i].fn == fn)
            name = ROLES[i].name;
    char exe[MAX_PATH], cmd[2 * MAX_PATH + 700];
    if (!name || !GetModuleFileNameA(NULL, exe, MAX_PATH))
        return NULL;
    snprintf(cmd, sizeof cmd, "\"%s\" --child %s %d \"%s\"", exe, name, arg, dir);
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    fflush(stdout);
    if (!CreateProcessA(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        return NULL;
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

static int status_of(child_t c)
{
    DWORD code = 1;
    if (!c)
        return -1;
    if (WaitForSingleObject(c, 120000) != WAIT_OBJECT_0)
        TerminateProcess(c, 99);
    GetExitCodeProcess(c, &code);
    CloseHandle(c);
    return (int)code;
}

static void child_kill(child_t c)
{
    TerminateProcess(c, 100 + SIGKILL);
}

static int child_main(int argc, char **argv)
{
    snprintf(dir, sizeof dir, "%s", argv[4]);
    for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
        if (strcmp(ROLES[i].name, argv[2]) == 0)
            return run_role(ROLES[i].fn, atoi(argv[3]));
    (void)argc;
    return 3;
}
#else
typedef pid_t child_t;

/* Waits until no service holds the directory's service lock (it died or stopped). */
static int service_gone(void)
{
    char path[700];
    snprintf(path, sizeof path, "%s/service.lock", dir);
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return 1;
    int ok = 0;
    for (int i = 0; i < 1000 && !ok; i++) {
        ok = flock(fd, LOCK_EX | LOCK_NB) == 0;
        if (!ok)
            zh_sleep_ms(5);
    }
    close(fd);
    return ok;
}

static void kill_service(int sig)
{
    long pid = service_pid();
    if (pid > 0)
        kill((pid_t)pid, sig);
    service_gone();
}

static int fresh_dir(void)
{
    snprintf(dir, sizeof dir, "%s/zhsvc-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static void remove_empty_dir(void)
{
    rmdir(dir);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static child_t spawn(role_fn fn, int arg)
{
    zt_layers_storage(); /* made before the fork: the children share them (they _exit) */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(run_role(fn, arg));
    return pid;
}

static int status_of(child_t pid)
{
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* ---- HCS ---- */

static void child_kill(child_t c)
{
    kill(c, SIGKILL);
}
#endif

static int run_role(role_fn fn, int arg)
{
    return fn(arg);
}

static void remove_dir(void)
{
    kill_service(SIGTERM);
    char path[700];
    for (size_t i = 0; i < sizeof FILES / sizeof FILES[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, FILES[i]);
        remove(path);
    }
    remove_empty_dir();
}

static void flag_set(const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
}

static void flag_wait(const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    for (int i = 0; i < 6000 && !exists(path); i++)
        zh_sleep_ms(5);
}

static int32_t wait_op(zh_hcs_operation op, char **doc)
{
    zh_wchar *d = NULL;
    int32_t hr = zh_sim_hcs_table()->HcsWaitForOperationResult(op, 10000, &d);
    char *text = take(d);
    if (doc)
        *doc = text;
    else
        free(text);
    return hr;
}

static int32_t create_system(const char *id, const char *config, zh_hcs_system *out)
{
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *wid = W(id), *cfg = W(config);
    zh_hcs_system sys = NULL;
    int32_t hr = T->HcsCreateComputeSystem(wid, cfg, op, NULL, &sys);
    free(wid);
    free(cfg);
    if (hr == 0)
        hr = wait_op(op, NULL);
    T->HcsCloseOperation(op);
    if (hr != 0 && sys) {
        T->HcsCloseComputeSystem(sys);
        sys = NULL;
    }
    if (out)
        *out = sys;
    else if (sys)
        T->HcsCloseComputeSystem(sys);
    return hr;
}

static int32_t sys_call(zh_hresult(ZH_WINAPI *fn)(zh_hcs_system, zh_hcs_operation, const zh_wchar *), zh_hcs_system sys,
                        char **doc)
{
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    int32_t hr = fn(sys, op, NULL);
    if (hr == 0)
        hr = wait_op(op, doc);
    T->HcsCloseOperation(op);
    return hr;
}

static int32_t open_system(const char *id, zh_hcs_system *sys)
{
    zh_wchar *wid = W(id);
    *sys = NULL;
    int32_t hr = zh_sim_hcs_table()->HcsOpenComputeSystem(wid, 0, sys);
    free(wid);
    return hr;
}

static char *system_state(const char *id)
{
    zh_hcs_system sys;
    if (open_system(id, &sys) != 0)
        return NULL;
    char *doc = NULL;
    sys_call(zh_sim_hcs_table()->HcsGetComputeSystemProperties, sys, &doc);
    zh_sim_hcs_table()->HcsCloseComputeSystem(sys);
    return doc;
}

static char *enumerate_systems(void)
{
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    char *list = NULL;
    if (T->HcsEnumerateComputeSystems(NULL, op) == 0)
        wait_op(op, &list);
    T->HcsCloseOperation(op);
    return list;
}

/* ---- HCN ---- */
static zh_raw_guid guid_n(unsigned a, unsigned b)
{
    zh_raw_guid g;
    memset(&g, 0, sizeof g);
    memcpy(&g, &a, sizeof a);
    memcpy((char *)&g + 8, &b, sizeof b);
    ((unsigned char *)&g)[15] = 0x5a;
    return g;
}

static int32_t create_network(const zh_raw_guid *id, const char *name, unsigned flags, unsigned subnet)
{
    char doc[400];
    snprintf(doc, sizeof doc,
             "{\"Name\":\"%s\",\"Type\":\"NAT\",\"Flags\":%u,\"Ipams\":[{\"Subnets\":[{\"IpAddressPrefix\":"
             "\"10.%u.%u.0/24\"}]}],\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}",
             name, flags, 100 + subnet / 250, subnet % 250);
    zh_wchar *w = W(doc);
    zh_hcn_network n = NULL;
    zh_wchar *rec = NULL;
    int32_t hr = zh_sim_hcn_table()->HcnCreateNetwork(id, w, &n, &rec);
    free(w);
    free(take(rec));
    if (n)
        zh_sim_hcn_table()->HcnCloseNetwork(n);
    return hr;
}

static int network_exists(const zh_raw_guid *id)
{
    zh_hcn_network n = NULL;
    int32_t hr = zh_sim_hcn_table()->HcnOpenNetwork(id, &n, NULL);
    if (n)
        zh_sim_hcn_table()->HcnCloseNetwork(n);
    return hr == 0;
}

/* "Clients" / "Handles" of the service's status */
static long status_field(const char *name)
{
    char *s = sim_client_status();
    long v = -1;
    char key[40];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *p = s ? strstr(s, key) : NULL;
    if (p)
        v = strtol(p + strlen(key), NULL, 10);
    free(s);
    return v;
}

/* on a base and a scratch layer (zt_layers.h), as Windows requires */
#define CONTAINER zt_layered("{\"Owner\":\"svc-test\",\"Container\":{@STORAGE@}}")

/* ---------------------------------------------------------------- concurrent creators */
static int role_create_same(int arg)
{
    if (zh_sim_open(dir, NULL) < 0)
        return 10;
    flag_wait("go");
    char cfg[1500], id[40];
    snprintf(cfg, sizeof cfg, "{\"Owner\":\"creator-%d\",\"Container\":{%s}}", arg % 10, zt_layers_storage());
    snprintf(id, sizeof id, "same-%d", arg / 10);
    int32_t hr = create_system(id, cfg, NULL);
    /* and one network id, the same way */
    zh_raw_guid g = guid_n(77, (unsigned)(arg / 10) + 1);
    int32_t nhr = create_network(&g, "contested", 0, 200 + (unsigned)(arg / 10));
    zh_sim_close();
    int sys = hr == 0 ? 0 : hr == HCS_E_SYSTEM_ALREADY_EXISTS ? 1 : 2;
    int net = nhr == 0 ? 0 : nhr == HCN_E_NETWORK_ALREADY_EXISTS ? 1 : 2;
    return sys + 10 * net;
}

static void concurrent_creators_of_one_id(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    for (int round = 0; round < 20; round++) {
        char go[700];
        snprintf(go, sizeof go, "%s/go", dir);
        remove(go);
        child_t kids[4];
        for (int i = 0; i < 4; i++)
            kids[i] = spawn(role_create_same, round * 10 + i);
        zh_sleep_ms(30);
        flag_set("go");
        int won = -1, lost = 0, net_won = 0, net_lost = 0;
        for (int i = 0; i < 4; i++) {
            int st = status_of(kids[i]);
            int sys = st % 10, net = st / 10;
            if (sys == 0) {
                ZT_CHECK(won < 0);
                won = i;
            } else {
                ZT_EQ_INT(sys, 1); /* HCS_E_SYSTEM_ALREADY_EXISTS */
                lost += sys == 1;
            }
            ZT_CHECK(net == 0 || net == 1); /* 1: HCN_E_NETWORK_ALREADY_EXISTS */
            net_won += net == 0;
            net_lost += net == 1;
        }
        ZT_EQ_INT(lost, 3);
        ZT_EQ_INT(net_won, 1);
        ZT_EQ_INT(net_lost, 3);
        ZT_REQUIRE(won >= 0);
        /* the winner's configuration is the one kept */
        ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
        char id[40], owner[40];
        snprintf(id, sizeof id, "same-%d", round);
        snprintf(owner, sizeof owner, "\"Owner\":\"creator-%d\"", won);
        char *doc = system_state(id);
        ZT_CONTAINS(doc, owner);
        free(doc);
        zh_sim_close();
    }
    remove_dir();
}

/* ---------------------------------------------------------------- a kill stays done */
static int role_kill(int arg)
{
    (void)arg;
    if (zh_sim_open(dir, NULL) < 0)
        return 10;
    zh_hcs_system sys;
    int ok = open_system("victim", &sys) == 0 && sys_call(zh_sim_hcs_table()->HcsTerminateComputeSystem, sys, NULL) == 0;
    if (sys)
        zh_sim_hcs_table()->HcsCloseComputeSystem(sys);
    zh_sim_close();
    return ok ? 0 : 1;
}

static void a_kill_is_never_undone(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    zh_hcs_system sys = NULL;
    ZT_EQ_HEX(create_system("victim", CONTAINER, &sys), 0);
    ZT_EQ_HEX(sys_call(zh_sim_hcs_table()->HcsStartComputeSystem, sys, NULL), 0);
    zh_sim_close(); /* the handle goes with it; the system (not ephemeral) stays */
    ZT_EQ_INT(status_of(spawn(role_kill, 0)), 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    /* whatever this process did before, the kill holds: the system is gone, and stays so */
    for (int i = 0; i < 5; i++) {
        ZT_EQ_HEX(open_system("victim", &sys), HCS_E_SYSTEM_NOT_FOUND);
        zh_sleep_ms(50);
    }
    zh_sim_close();
    remove_dir();
}

/* ---------------------------------------------------------------- model-checked mix */
#define MIX_OPS 1000
#define MIX_IDS 24

enum { M_NONE, M_CREATED, M_RUNNING };

/* Each child works on ids of its own with a fixed random sequence, checks every HRESULT
 * against its model, and leaves the model it ended with for the parent to compare. */
static int role_mix(int arg)
{
    if (zh_sim_open(dir, NULL) < 0)
        return 10;
    flag_wait("go");
    const zh_hcs_table *T = zh_sim_hcs_table();
    int model[MIX_IDS] = {0};
    int net[MIX_IDS] = {0};
    zh_hcs_system held[MIX_IDS] = {0};
    unsigned seed = 1234u + (unsigned)arg * 7919u;
    int bad = 0;
    for (int k = 0; k < MIX_OPS && !bad; k++) {
        seed = seed * 1103515245u + 12345u;
        int i = (int)((seed >> 8) % MIX_IDS);
        int op = (int)((seed >> 20) % 5);
        char id[32];
        snprintf(id, sizeof id, "m%d-%d", arg, i);
        zh_raw_guid g = guid_n((unsigned)arg + 1, (unsigned)i + 1);
        if (op == 0) { /* create */
            zh_hcs_system sys = NULL;
            int32_t hr = create_system(id, CONTAINER, &sys);
            int32_t want = model[i] == M_NONE ? 0 : HCS_E_SYSTEM_ALREADY_EXISTS;
            if (hr != want)
                bad = 20 + op;
            if (hr == 0) {
                model[i] = M_CREATED;
                held[i] = sys;
            }
        } else if (op == 1) { /* start */
            if (model[i] == M_NONE)
                continue;
            int32_t hr = sys_call(T->HcsStartComputeSystem, held[i], NULL);
            int32_t want = model[i] == M_CREATED ? 0 : HCS_E_INVALID_STATE;
            if (hr != want)
                bad = 20 + op;
            if (hr == 0)
                model[i] = M_RUNNING;
        } else if (op == 2) { /* terminate and close: gone */
            if (model[i] == M_NONE)
                continue;
            if (sys_call(T->HcsTerminateComputeSystem, held[i], NULL) != 0)
                bad = 20 + op;
            T->HcsCloseComputeSystem(held[i]);
            held[i] = NULL;
            model[i] = M_NONE;
        } else if (op == 3) { /* network create */
            int32_t hr = create_network(&g, id, 0, (unsigned)(arg * MIX_IDS + i));
            if (hr != (net[i] ? HCN_E_NETWORK_ALREADY_EXISTS : 0))
                bad = 20 + op;
            net[i] = 1;
        } else { /* network delete */
            int32_t hr = zh_sim_hcn_table()->HcnDeleteNetwork(&g, NULL);
            if ((hr == 0) != (net[i] == 1))
                bad = 20 + op;
            net[i] = 0;
        }
    }
    char path[700];
    snprintf(path, sizeof path, "%s/model-%d", dir, arg);
    FILE *f = fopen(path, "w");
    for (int i = 0; f && i < MIX_IDS; i++)
        fprintf(f, "%d %d\n", model[i], net[i]);
    if (f)
        fclose(f);
    zh_sim_close(); /* handles close; the systems (not ephemeral) stay */
    return bad;
}

static void processes_mixing_operations_match_a_model(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    child_t kids[4];
    for (int i = 0; i < 4; i++)
        kids[i] = spawn(role_mix, i);
    zh_sleep_ms(30);
    flag_set("go");
    for (int i = 0; i < 4; i++)
        ZT_EQ_INT(status_of(kids[i]), 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    char *list = enumerate_systems();
    ZT_REQUIRE(list != NULL);
    int checked = 0;
    for (int a = 0; a < 4; a++) {
        char path[700];
        snprintf(path, sizeof path, "%s/model-%d", dir, a);
        FILE *f = fopen(path, "r");
        ZT_REQUIRE(f != NULL);
        for (int i = 0; i < MIX_IDS; i++) {
            int m = -1, n = -1;
            ZT_REQUIRE(fscanf(f, "%d %d", &m, &n) == 2);
            char key[64];
            snprintf(key, sizeof key, "\"Id\":\"m%d-%d\"", a, i);
            const char *at = strstr(list, key);
            ZT_EQ_INT(at != NULL, m != M_NONE);
            if (at && m != M_NONE) {
                const char *end = strchr(at, '}');
                const char *st = strstr(at, "\"State\":\"");
                ZT_REQUIRE(st && end && st < end);
                ZT_CHECK(strncmp(st + 9, m == M_RUNNING ? "Running" : "Created", 7) == 0);
            }
            zh_raw_guid g = guid_n((unsigned)a + 1, (unsigned)i + 1);
            ZT_EQ_INT(network_exists(&g), n);
            checked++;
        }
        fclose(f);
    }
    ZT_EQ_INT(checked, 4 * MIX_IDS);
    free(list);
    zh_sim_close();
    remove_dir();
}

/* ---------------------------------------------------------------- the service killed -9 */
typedef struct writer {
    zh_atomic stop;
    unsigned next;     /* the next network number */
    unsigned acked[64];
    zh_atomic nacked;
} writer;

static void writer_main(void *arg)
{
    writer *w = arg;
    while (!zh_atomic_load(&w->stop) && zh_atomic_load(&w->nacked) < 64) {
        unsigned n = w->next++;
        zh_raw_guid g = guid_n(7, n);
        int32_t hr = create_network(&g, "durable", 0, n);
        if (hr == ZH_E_RPC_SERVER_UNAVAILABLE)
            break;
        if (hr == 0) {
            int k = zh_atomic_load(&w->nacked);
            w->acked[k] = n;
            zh_atomic_store(&w->nacked, k + 1);
        }
    }
}

static void service_killed_mid_mutation_loses_nothing_acknowledged(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    const char *env = getenv("ZH_TEST_SERVICE_KILLS");
    int rounds = env ? atoi(env) : 200;
    unsigned next = 1, total_acked = 0;
    unsigned *all = calloc((size_t)rounds * 64 + 1, sizeof *all);
    ZT_REQUIRE(all != NULL);
    srand(4242);
    for (int r = 0; r < rounds; r++) {
        ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
        writer w;
        memset(&w, 0, sizeof w);
        w.next = next;
        zh_thread *t = NULL;
        ZT_REQUIRE(zh_thread_start(&t, writer_main, &w, NULL) == 0);
        /* once the writer has its first create acknowledged, kill at a random moment
         * among the next ones */
        for (int i = 0; i < 5000 && zh_atomic_load(&w.nacked) == 0; i++)
            zh_sleep_ms(1);
        zh_sleep_ms((uint32_t)(rand() % 4));
        kill_service(SIGKILL);
        zh_atomic_store(&w.stop, 1);
        zh_thread_join(t);
        next = w.next + 1;
        int n = zh_atomic_load(&w.nacked);
        for (int k = 0; k < n; k++)
            all[total_acked++] = w.acked[k];
        zh_sim_close();
    }
    /* a restarted service has every acknowledged network */
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    unsigned missing = 0;
    for (unsigned k = 0; k < total_acked; k++) {
        zh_raw_guid g = guid_n(7, all[k]);
        missing += !network_exists(&g);
    }
    ZT_EQ_INT(missing, 0);
    ZT_CHECK(total_acked > 0);
    printf("  %d kills, %u acknowledged creates, all there\n", rounds, total_acked);
    zh_sim_close();
    free(all);
    remove_dir();
}

/* ---------------------------------------------------------------- failed writes */
static void a_failed_write_fails_the_call_and_changes_nothing(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    const zh_hcn_table *T = zh_sim_hcn_table();
    zh_raw_guid a = guid_n(1, 1), b = guid_n(1, 2);
    ZT_EQ_HEX(create_network(&a, "kept", 0, 1), 0);

    /* create: refused, nothing made */
    ZT_EQ_INT(sim_client_fail_writes(1), 0);
    char doc[300];
    snprintf(doc, sizeof doc, "{\"Name\":\"lost\",\"Type\":\"NAT\",\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}");
    zh_wchar *w = W(doc), *rec = NULL;
    zh_hcn_network n = NULL;
    ZT_EQ_HEX(T->HcnCreateNetwork(&b, w, &n, &rec), (int32_t)0x80070070); /* ERROR_DISK_FULL */
    free(w);
    char *record = take(rec);
    ZT_CONTAINS(record, "state.db");
    ZT_CONTAINS(record, "could not be written");
    free(record);
    ZT_REQUIRE(n == NULL);
    ZT_EQ_INT(network_exists(&b), 0);

    /* modify: refused, the document as it was */
    ZT_EQ_HEX(T->HcnOpenNetwork(&a, &n, NULL), 0);
    zh_wchar *props = NULL;
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, NULL), 0);
    char *before = take(props);
    ZT_EQ_INT(sim_client_fail_writes(1), 0);
    w = W("{\"ResourceType\":\"Policy\",\"RequestType\":\"Add\",\"Settings\":{\"Policies\":[{\"Type\":"
          "\"NetAdapterName\",\"Settings\":{\"NetworkAdapterName\":\"eth9\"}}]}}");
    int32_t hr = T->HcnModifyNetwork(n, w, NULL);
    ZT_EQ_HEX(hr, (int32_t)0x80070070);
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, NULL), 0);
    char *after = take(props);
    ZT_EQ_STR(after, before);
    free(after);
    /* the same request, written: it does change the document */
    ZT_EQ_HEX(T->HcnModifyNetwork(n, w, NULL), 0);
    free(w);
    ZT_EQ_HEX(T->HcnQueryNetworkProperties(n, NULL, &props, NULL), 0);
    after = take(props);
    ZT_CONTAINS(after, "eth9");
    ZT_REQUIRE(strcmp(after, before) != 0);
    free(before);
    free(after);
    T->HcnCloseNetwork(n);

    /* delete: refused, still there */
    ZT_EQ_INT(sim_client_fail_writes(1), 0);
    ZT_EQ_HEX(T->HcnDeleteNetwork(&a, NULL), (int32_t)0x80070070);
    ZT_EQ_INT(network_exists(&a), 1);

    /* and after a restart, the state is the one acknowledged */
    zh_sim_stop_service();
    zh_sim_close();
    ZT_REQUIRE(service_gone());
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    ZT_EQ_INT(network_exists(&a), 1);
    ZT_EQ_INT(network_exists(&b), 0);
    zh_sim_close();
    remove_dir();
}

/* ---------------------------------------------------------------- a client killed -9 */
static void wait_forever(void *arg)
{
    zh_sim_hcs_table()->HcsWaitForComputeSystemExit(arg, 0xFFFFFFFFu, NULL);
}

static int role_hold(int arg)
{
    (void)arg;
    if (zh_sim_open(dir, NULL) < 0)
        return 10;
    zh_hcs_system lasting = NULL, eph = NULL;
    zh_hcn_network n = NULL;
    zh_raw_guid g = guid_n(3, 3);
    zh_hcn_callback cb = NULL;
    if (create_system("lasting", CONTAINER, &lasting) != 0 ||
        create_system("eph", zt_layered("{\"ShouldTerminateOnLastHandleClosed\":true,\"Container\":{@STORAGE@}}"), &eph) != 0 ||
        sys_call(zh_sim_hcs_table()->HcsStartComputeSystem, eph, NULL) != 0 ||
        zh_sim_hcn_table()->HcnOpenNetwork(&g, &n, NULL) != 0)
        return 11;
    zh_hcs_operation pending_op = zh_sim_hcs_table()->HcsCreateOperation(NULL, NULL);
    (void)pending_op;
    /* and a call blocked in the service when the client dies */
    zh_thread *t = NULL;
    if (zh_thread_start(&t, wait_forever, lasting, NULL) < 0)
        return 12;
    zh_sleep_ms(50);
    flag_set("go");
    (void)cb;
    for (;;)
        zh_sleep_ms(1000);
}

static void a_killed_client_releases_what_it_held(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    zh_raw_guid g = guid_n(3, 3);
    ZT_EQ_HEX(create_network(&g, "held", 0, 3), 0);
    long base = status_field("Handles");
    ZT_CHECK(base >= 0);
    zh_sim_close();

    child_t kid = spawn(role_hold, 0);
    flag_wait("go");
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    ZT_CHECK(status_field("Handles") >= base + 4); /* two systems, a network, an operation */
    ZT_EQ_INT(status_field("Clients"), 2);
    child_kill(kid);
    ZT_EQ_INT(status_of(kid), 100 + SIGKILL);
    int released = 0;
    for (int i = 0; i < 500 && !released; i++) {
        released = status_field("Clients") == 1 && status_field("Handles") == base;
        if (!released)
            zh_sleep_ms(10);
    }
    ZT_CHECK(released);
    /* the ephemeral system went with its last handle; the lasting one stays */
    zh_hcs_system sys;
    ZT_EQ_HEX(open_system("eph", &sys), HCS_E_SYSTEM_NOT_FOUND);
    ZT_EQ_HEX(open_system("lasting", &sys), 0);
    zh_sim_hcs_table()->HcsCloseComputeSystem(sys);
    zh_sim_close();
    remove_dir();
}

/* ---------------------------------------------------------------- restart */
typedef struct heard {
    zh_mutex lock;
    int sys_disconnect;
    int hcn_disconnect;
} heard;

static void ZH_WINAPI on_sys_event(zh_hcs_event *ev, void *ctx)
{
    heard *h = ctx;
    zh_mutex_lock(&h->lock);
    h->sys_disconnect += ev->Type == HcsEventServiceDisconnect;
    zh_mutex_unlock(&h->lock);
}

static void ZH_WINAPI on_note(zh_dword type, void *ctx, zh_hresult status, const zh_wchar *data)
{
    (void)status, (void)data;
    heard *h = ctx;
    zh_mutex_lock(&h->lock);
    h->hcn_disconnect += type == 0x01000000u;
    zh_mutex_unlock(&h->lock);
}

typedef struct done {
    zh_mutex lock;
    zh_cond cond;
    int calls;
    int32_t hr;
} done;

static void ZH_WINAPI on_done(zh_hcs_operation op, void *ctx)
{
    done *d = ctx;
    zh_wchar *doc = NULL;
    int32_t hr = zh_sim_hcs_table()->HcsGetOperationResult(op, &doc);
    zh_sim_free_string(doc);
    zh_mutex_lock(&d->lock);
    d->calls++;
    d->hr = hr;
    zh_cond_broadcast(&d->cond);
    zh_mutex_unlock(&d->lock);
}

/* A service stopped on request (hcsctl sim stop, zh_sim_stop_service) and a client that
 * carries on: its next call starts and reaches a new service, which has the persistent
 * state; an operation handle of the old one reads as disconnected. */
static void the_next_call_after_a_stop_reaches_a_new_service(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    zh_raw_guid g = guid_n(6, 1);
    ZT_EQ_HEX(create_network(&g, "lasting", 0, 61), 0);
    long first = status_field("Pid");
    ZT_CHECK(first > 0);
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_operation old_op = T->HcsCreateOperation(NULL, NULL);
    ZT_REQUIRE(old_op != NULL);
    zh_sim_stop_service();
    ZT_REQUIRE(service_gone());
    for (int i = 0; i < 500 && !sim_client_dead(); i++) /* the client has heard of it */
        zh_sleep_ms(10);
    ZT_CHECK(sim_client_dead());
    ZT_EQ_INT(network_exists(&g), 1); /* this call connects again */
    ZT_CHECK(!sim_client_dead());
    long second = status_field("Pid");
    ZT_CHECK(second > 0 && second != first);
    zh_wchar *doc = NULL;
    ZT_EQ_HEX(T->HcsGetOperationResult(old_op, &doc), HCS_E_SERVICE_DISCONNECT);
    T->HcsCloseOperation(old_op);
    /* and the new service works as the old one did */
    zh_hcs_system sys = NULL;
    ZT_EQ_HEX(create_system("fresh", CONTAINER, &sys), 0);
    ZT_EQ_HEX(sys_call(T->HcsStartComputeSystem, sys, NULL), 0);
    T->HcsCloseComputeSystem(sys);
    zh_sim_close();
    remove_dir();
}

/* An operation the service accepted but had not completed when it died: the caller's
 * completion callback still runs, and the result says the service disconnected. */
static void an_operation_in_flight_completes_when_the_service_dies(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    zh_hcs_system sys = NULL;
    ZT_EQ_HEX(create_system("slow", CONTAINER, &sys), 0);
    ZT_EQ_INT(sim_client_op_delay("HcsStartComputeSystem", 60000), 0);
    done d;
    memset(&d, 0, sizeof d);
    zh_mutex_init(&d.lock);
    zh_cond_init(&d.cond);
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_operation op = T->HcsCreateOperation(&d, on_done);
    ZT_EQ_HEX(T->HcsStartComputeSystem(sys, op, NULL), 0);
    zh_sleep_ms(50);
    zh_mutex_lock(&d.lock);
    ZT_EQ_INT(d.calls, 0); /* still starting */
    zh_mutex_unlock(&d.lock);
    kill_service(SIGKILL);
    uint64_t deadline = zh_monotonic_ns() + 5000000000ull;
    zh_mutex_lock(&d.lock);
    while (d.calls == 0 && zh_cond_wait_until(&d.cond, &d.lock, deadline) == 0) {
    }
    ZT_EQ_INT(d.calls, 1);
    ZT_EQ_HEX(d.hr, HCS_E_SERVICE_DISCONNECT);
    zh_mutex_unlock(&d.lock);
    T->HcsCloseOperation(op);
    T->HcsCloseComputeSystem(sys);
    zh_sim_close();
    zh_cond_destroy(&d.cond);
    zh_mutex_destroy(&d.lock);
    remove_dir();
}

static void a_service_restart_is_an_hcs_and_hns_restart(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    zh_raw_guid p = guid_n(5, 1), np = guid_n(5, 2);
    ZT_EQ_HEX(create_network(&p, "persistent", 0, 51), 0);
    ZT_EQ_HEX(create_network(&np, "fleeting", 8 /* EnableNonPersistent */, 52), 0);
    /* an endpoint on the persistent network, attached to a namespace: both documents change */
    const zh_hcn_table *N = zh_sim_hcn_table();
    zh_raw_guid ep_id = guid_n(5, 3), ns_id = guid_n(5, 4);
    zh_hcn_network pn = NULL;
    zh_hcn_endpoint ep = NULL;
    zh_hcn_namespace ns = NULL;
    ZT_EQ_HEX(N->HcnOpenNetwork(&p, &pn, NULL), 0);
    zh_wchar *w = W("{\"Name\":\"ep\",\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}");
    ZT_EQ_HEX(N->HcnCreateEndpoint(pn, &ep_id, w, &ep, NULL), 0);
    free(w);
    w = W("{\"SchemaVersion\":{\"Major\":2,\"Minor\":0}}");
    ZT_EQ_HEX(N->HcnCreateNamespace(&ns_id, w, &ns, NULL), 0);
    free(w);
    char ep_str[ZH_GUID_BUFSIZE], ns_str[ZH_GUID_BUFSIZE], req[300];
    zh_guid_format((const zh_guid *)(const void *)&ep_id, ZH_GUID_LOWER, ep_str);
    zh_guid_format((const zh_guid *)(const void *)&ns_id, ZH_GUID_LOWER, ns_str);
    snprintf(req, sizeof req, "{\"ResourceType\":\"Endpoint\",\"RequestType\":\"Add\",\"Settings\":{\"EndpointId\":\"%s\"}}",
             ep_str);
    w = W(req);
    ZT_EQ_HEX(N->HcnModifyNamespace(ns, w, NULL), 0);
    free(w);
    N->HcnCloseNamespace(ns);
    N->HcnCloseEndpoint(ep);
    N->HcnCloseNetwork(pn);
    zh_hcs_system sys = NULL;
    ZT_EQ_HEX(create_system("before", CONTAINER, &sys), 0);
    ZT_EQ_HEX(sys_call(zh_sim_hcs_table()->HcsStartComputeSystem, sys, NULL), 0);
    heard h;
    memset(&h, 0, sizeof h);
    zh_mutex_init(&h.lock);
    ZT_EQ_HEX(zh_sim_hcs_table()->HcsSetComputeSystemCallback(sys, HcsEventOptionNone, &h, on_sys_event), 0);
    zh_hcn_callback cb = NULL;
    ZT_EQ_HEX(zh_sim_hcn_table()->HcnRegisterServiceCallback(on_note, &h, &cb), 0);

    kill_service(SIGKILL);
    int both = 0;
    for (int i = 0; i < 500 && !both; i++) {
        zh_mutex_lock(&h.lock);
        both = h.sys_disconnect == 1 && h.hcn_disconnect == 1;
        zh_mutex_unlock(&h.lock);
        if (!both)
            zh_sleep_ms(10);
    }
    ZT_CHECK(both);
    /* the next call connects to a new service, started as at the first open: the old
     * handle is stale there (ERROR_INVALID_HANDLE, as after an HCS restart), persistent
     * networks are back, the system is gone */
    char *doc = NULL;
    ZT_EQ_HEX(sys_call(zh_sim_hcs_table()->HcsGetComputeSystemProperties, sys, &doc), ZH_E_HANDLE);
    free(doc);
    ZT_EQ_INT(network_exists(&p), 1);
    ZT_EQ_INT(network_exists(&np), 0);
    zh_hcs_system again = NULL;
    ZT_EQ_HEX(open_system("before", &again), HCS_E_SYSTEM_NOT_FOUND);
    zh_sim_hcs_table()->HcsCloseComputeSystem(sys); /* nothing left to release */
    ZT_EQ_HEX(zh_sim_hcn_table()->HcnUnregisterServiceCallback(cb), 0);
    /* a second restart: what was registered on the new service hears of it; the first
     * registrations heard of the first restart once, and never again */
    heard h2;
    memset(&h2, 0, sizeof h2);
    zh_mutex_init(&h2.lock);
    ZT_EQ_HEX(create_system("after", CONTAINER, &sys), 0);
    ZT_EQ_HEX(zh_sim_hcs_table()->HcsSetComputeSystemCallback(sys, HcsEventOptionNone, &h2, on_sys_event), 0);
    ZT_EQ_HEX(zh_sim_hcn_table()->HcnRegisterServiceCallback(on_note, &h2, &cb), 0);
    kill_service(SIGKILL);
    both = 0;
    for (int i = 0; i < 500 && !both; i++) {
        zh_mutex_lock(&h2.lock);
        both = h2.sys_disconnect == 1 && h2.hcn_disconnect == 1;
        zh_mutex_unlock(&h2.lock);
        if (!both)
            zh_sleep_ms(10);
    }
    ZT_CHECK(both);
    ZT_EQ_INT(network_exists(&p), 1); /* and a third service answers */
    zh_sleep_ms(50);
    zh_mutex_lock(&h.lock);
    ZT_EQ_INT(h.sys_disconnect, 1);
    ZT_EQ_INT(h.hcn_disconnect, 1);
    zh_mutex_unlock(&h.lock);
    zh_mutex_lock(&h2.lock);
    ZT_EQ_INT(h2.sys_disconnect, 1);
    ZT_EQ_INT(h2.hcn_disconnect, 1);
    zh_mutex_unlock(&h2.lock);
    zh_sim_hcs_table()->HcsCloseComputeSystem(sys);
    ZT_EQ_HEX(zh_sim_hcn_table()->HcnUnregisterServiceCallback(cb), 0);
    zh_sim_close();
    zh_mutex_destroy(&h.lock);
    zh_mutex_destroy(&h2.lock);

    /* and so does the next open of a process: systems died with the old service,
     * persistent networks are back, non-persistent ones are gone */
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    ZT_EQ_HEX(open_system("before", &sys), HCS_E_SYSTEM_NOT_FOUND);
    ZT_EQ_INT(network_exists(&p), 1);
    ZT_EQ_INT(network_exists(&np), 0);
    /* the attachment came back on both sides */
    ep = NULL;
    ns = NULL;
    ZT_EQ_HEX(N->HcnOpenEndpoint(&ep_id, &ep, NULL), 0);
    zh_wchar *props = NULL;
    ZT_EQ_HEX(N->HcnQueryEndpointProperties(ep, NULL, &props, NULL), 0);
    char *doc_ep = take(props);
    ZT_CONTAINS_NOCASE(doc_ep, ns_str); /* ids in either case: the upper-case latitude */
    free(doc_ep);
    ZT_EQ_HEX(N->HcnOpenNamespace(&ns_id, &ns, NULL), 0);
    ZT_EQ_HEX(N->HcnQueryNamespaceProperties(ns, NULL, &props, NULL), 0);
    char *doc_ns = take(props);
    ZT_CONTAINS_NOCASE(doc_ns, ep_str);
    free(doc_ns);
    N->HcnCloseNamespace(ns);
    N->HcnCloseEndpoint(ep);
    zh_sim_close();
    remove_dir();
}

/* ---------------------------------------------------------------- guest stdio */
/* The stdio handles of a guest process reach the client as its own: descriptors passed
 * with SCM_RIGHTS (POSIX), handles the service duplicated into this process (Windows), the
 * host ends of named pipes opened for overlapped I/O there, as HCS's are. */
#ifdef _WIN32
static long io_xfer(zh_handle h, void *p, size_t n, int writing)
{
    OVERLAPPED ov;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    DWORD got = 0;
    BOOL ok = writing ? WriteFile((HANDLE)h, p, (DWORD)n, NULL, &ov) : ReadFile((HANDLE)h, p, (DWORD)n, NULL, &ov);
    if (ok || GetLastError() == ERROR_IO_PENDING)
        ok = GetOverlappedResult((HANDLE)h, &ov, &got, TRUE);
    DWORD e = GetLastError();
    CloseHandle(ov.hEvent);
    if (!ok)
        return !writing && (e == ERROR_BROKEN_PIPE || e == ERROR_HANDLE_EOF) ? 0 : -1;
    return (long)got;
}

static void io_close(zh_handle h)
{
    CloseHandle((HANDLE)h);
}
#else
static long io_xfer(zh_handle h, void *p, size_t n, int writing)
{
    int fd = (int)(intptr_t)h;
    ssize_t r = writing ? write(fd, p, n) : read(fd, p, n);
    return (long)r;
}

static void io_close(zh_handle h)
{
    close((int)(intptr_t)h);
}
#endif

static void a_guest_process_stdio_reaches_the_client(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    zh_sim_latitude(ZH_SIM_LAT_WS2022_CREATE_PROCESS, 0); /* the stdio comes with the create */
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    const zh_hcs_table *T = zh_sim_hcs_table();
    zh_hcs_system sys = NULL;
    ZT_EQ_HEX(create_system("io", CONTAINER, &sys), 0);
    ZT_EQ_HEX(sys_call(T->HcsStartComputeSystem, sys, NULL), 0);
    zh_hcs_operation op = T->HcsCreateOperation(NULL, NULL);
    zh_wchar *params = W("{\"CommandLine\":\"cat\",\"CreateStdInPipe\":true,\"CreateStdOutPipe\":true,"
                         "\"CreateStdErrPipe\":true}");
    zh_hcs_process proc = NULL;
    ZT_EQ_HEX(T->HcsCreateProcess(sys, params, op, NULL, &proc), 0);
    free(params);
    zh_hcs_process_information pi;
    memset(&pi, 0, sizeof pi);
    zh_wchar *doc = NULL;
    ZT_EQ_HEX(T->HcsWaitForOperationResultAndProcessInfo(op, 10000, &pi, &doc), 0);
    free(take(doc));
    T->HcsCloseOperation(op);
    ZT_REQUIRE(pi.StdInput != NULL && pi.StdOutput != NULL && pi.StdError != NULL);
    ZT_CHECK(pi.ProcessId != 0);
    /* what goes in comes out, straight between this process and the guest */
    char msg[] = "through the pipe\n";
    ZT_EQ_INT((int)io_xfer(pi.StdInput, msg, strlen(msg), 1), (int)strlen(msg));
    io_close(pi.StdInput);
    char out[256];
    size_t have = 0;
    for (int i = 0; i < 100 && have < sizeof out - 1; i++) {
        long n = io_xfer(pi.StdOutput, out + have, sizeof out - 1 - have, 0);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    out[have] = 0;
    ZT_EQ_STR(out, msg);
    zh_wchar *st = NULL;
    ZT_EQ_HEX(T->HcsWaitForProcessExit(proc, 10000, &st), 0);
    char *status = take(st);
    ZT_CONTAINS(status, "\"ExitCode\":0");
    free(status);
    io_close(pi.StdOutput);
    io_close(pi.StdError);
    T->HcsCloseProcess(proc);
    ZT_EQ_HEX(sys_call(T->HcsTerminateComputeSystem, sys, NULL), 0);
    T->HcsCloseComputeSystem(sys);
    zh_sim_close();
    remove_dir();
}

/* ---------------------------------------------------------------- garbage on the socket */
static sim_sock raw_connect(void)
{
#ifdef _WIN32
    char name[96];
    if (sim_pipe_name(dir, name, sizeof name) < 0)
        return SIM_SOCK_NONE;
    HANDLE h = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, NULL);
    return h == INVALID_HANDLE_VALUE ? SIM_SOCK_NONE : sim_sock_wrap(h);
#else
    struct sockaddr_un a;
    unsigned len;
    if (sim_sock_addr(dir, -1, &a, &len) < 0)
        return -1;
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s >= 0 && connect(s, (struct sockaddr *)&a, len) < 0) {
        close(s);
        s = -1;
    }
    return s;
#endif
}

/* Sends raw bytes and reads one reply frame: its result, or 1 when the service closed. */
static int64_t exchange(sim_sock s, const void *bytes, size_t n)
{
    if (sim_send_raw(s, bytes, n) < 0)
        return 1;
    unsigned char *body = NULL;
    size_t len = 0;
    int fds[SIM_RPC_MAXFDS];
    if (sim_recv(s, &body, &len, fds) < 0)
        return 1;
    sim_rd r = {body, len, false};
    sim_rd_u8(&r);
    sim_rd_u32(&r);
    int64_t v = (int64_t)sim_rd_u64(&r);
    free(body);
    return v;
}

static void garbage_on_the_socket_hurts_only_that_client(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0); /* starts the service; stays connected */
    zh_raw_guid g = guid_n(9, 9);
    ZT_EQ_HEX(create_network(&g, "survivor", 0, 9), 0);

    sim_sock s = raw_connect();
    ZT_REQUIRE(s != SIM_SOCK_NONE);
    /* a frame of nonsense */
    unsigned char junk[32];
    uint32_t n = sizeof junk - 4;
    memcpy(junk, &n, 4);
    for (size_t i = 4; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37);
    ZT_EQ_HEX((int32_t)exchange(s, junk, sizeof junk), SIM_E_BAD_STUB_DATA);
    /* a request whose arguments stop short: HcnCreateNetwork with half a GUID */
    unsigned char shortreq[4 + 1 + 4 + 2 + 1 + 8];
    uint32_t sl = sizeof shortreq - 4, seq = 7;
    uint16_t entry = ZH_HCS_ID_COUNT + ZH_HCN_ID_HcnCreateNetwork;
    memcpy(shortreq, &sl, 4);
    shortreq[4] = SIM_MSG_REQ;
    memcpy(shortreq + 5, &seq, 4);
    memcpy(shortreq + 9, &entry, 2);
    shortreq[11] = 1;
    memset(shortreq + 12, 0xab, 8);
    ZT_EQ_HEX((int32_t)exchange(s, shortreq, sizeof shortreq), SIM_E_BAD_STUB_DATA);
    /* a handle this client was never given: an invalid handle, not a crash */
    unsigned char query[4 + 1 + 4 + 2 + 8 + 4 + 1 + 1];
    uint32_t ql = sizeof query - 4;
    uint16_t qe = ZH_HCS_ID_COUNT + ZH_HCN_ID_HcnQueryNetworkProperties;
    uint64_t bogus = 0x4141414141414141ull;
    uint32_t nullstr = UINT32_MAX;
    memcpy(query, &ql, 4);
    query[4] = SIM_MSG_REQ;
    memcpy(query + 5, &seq, 4);
    memcpy(query + 9, &qe, 2);
    memcpy(query + 11, &bogus, 8);
    memcpy(query + 19, &nullstr, 4);
    query[23] = 1;
    query[24] = 0;
    int64_t q = exchange(s, query, sizeof query);
    ZT_CHECK(q < 0 && q != 1);
    /* an entry beyond every table */
    unsigned char beyond[4 + 1 + 4 + 2];
    uint32_t fl = sizeof beyond - 4;
    uint16_t fe = 999;
    memcpy(beyond, &fl, 4);
    beyond[4] = SIM_MSG_REQ;
    memcpy(beyond + 5, &seq, 4);
    memcpy(beyond + 9, &fe, 2);
    ZT_EQ_HEX((int32_t)exchange(s, beyond, sizeof beyond), SIM_E_BAD_STUB_DATA);
    /* a huge frame: an error, then the connection ends */
    uint32_t huge = 0xfffffff0u;
    ZT_EQ_HEX((int32_t)exchange(s, &huge, 4), SIM_E_BAD_STUB_DATA);
    unsigned char *body = NULL;
    size_t blen = 0;
    int fds[SIM_RPC_MAXFDS];
    ZT_EQ_INT(sim_recv(s, &body, &blen, fds), -1); /* the end of the stream */
    free(body);
    sim_sock_close(s);
    /* a client that connects and goes away mid-frame */
    s = raw_connect();
    ZT_REQUIRE(s != SIM_SOCK_NONE);
    ZT_REQUIRE(sim_send_raw(s, "\x40\x00", 2) == 0);
    sim_sock_close(s);

    /* the well-behaved client never noticed */
    ZT_EQ_INT(network_exists(&g), 1);
    ZT_EQ_INT(status_field("Clients") >= 1, 1);
    zh_sim_close();
    remove_dir();
}

static const zt_case cases[] = {
    ZT_CASE(concurrent_creators_of_one_id),
    ZT_CASE(a_kill_is_never_undone),
    ZT_CASE(processes_mixing_operations_match_a_model),
    ZT_CASE(a_failed_write_fails_the_call_and_changes_nothing),
    ZT_CASE(a_killed_client_releases_what_it_held),
    ZT_CASE(a_service_restart_is_an_hcs_and_hns_restart),
    ZT_CASE(an_operation_in_flight_completes_when_the_service_dies),
    ZT_CASE(the_next_call_after_a_stop_reaches_a_new_service),
    ZT_CASE(a_guest_process_stdio_reaches_the_client),
    ZT_CASE(garbage_on_the_socket_hurts_only_that_client),
    ZT_CASE(service_killed_mid_mutation_loses_nothing_acknowledged),
};

int main(int argc, char **argv)
{
#ifdef _WIN32
    if (argc == 5 && strcmp(argv[1], "--child") == 0) /* this program as a child */
        return child_main(argc, argv);
#endif
    return zt_run(cases, sizeof cases / sizeof cases[0], argc, argv);
}

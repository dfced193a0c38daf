/* test_sim_shared.c - "sim:PATH": HCN state shared by several processes through a
 * directory, with concurrent writers and writers killed at random moments (POSIX: the
 * children are forked before the parent starts any simulator thread). */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zhns/schema.h>

#include "zh_hresult.h"
#include "zh_json.h"
#include "zh_sim.h"
#include "zh_thread.h"
#include "zh_utf.h"
#include "zt.h"

static char dir[256];

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

static int fresh_dir(void)
{
    snprintf(dir, sizeof dir, "%s/zhsim-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static void remove_dir(void)
{
    char path[512];
    const char *names[] = {"state.json", "state.json.tmp", "lock"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

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
    char ips[512][32];
    for (const zh_jv *e = arr ? arr->first : NULL; e && !bad; e = e->next) {
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)e->str_len, e->str);
        zh_raw_guid g = guid(id);
        zh_hcn_endpoint h = NULL;
        zh_wchar *props = NULL;
        if (T->HcnOpenEndpoint(&g, &h, NULL) != 0 || T->HcnQueryEndpointProperties(h, NULL, &props, NULL) != 0) {
            bad = 1;
            break;
        }
        T->HcnCloseEndpoint(h);
        char *p = take(props);
        zhns_HostComputeEndpoint *doc = zhns_HostComputeEndpoint_parse(p, ZHNS_NUL_TERMINATED, NULL);
        free(p);
        if (!doc || !doc->HostComputeNetwork || zh_strcasecmp_ascii(doc->HostComputeNetwork, NET_ID) != 0 ||
            doc->IpConfigurations_count != 1 || n >= 512) {
            bad = 1;
        } else {
            snprintf(ips[n], sizeof ips[0], "%s", doc->IpConfigurations[0].IpAddress);
            for (int k = 0; k < n; k++)
                if (strcmp(ips[k], ips[n]) == 0)
                    bad = 1;
            n++;
        }
        zhns_HostComputeEndpoint_free(doc);
    }
    zh_arena_free(&a);
    free(list);
    return bad || !arr ? -1 : n;
}

static int child_status(pid_t pid)
{
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void state_is_shared_between_processes(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    pid_t pid = fork();
    if (pid == 0) {
        int ok = zh_sim_open(dir, NULL) == 0 && create_network() == 0 && create_endpoint("from-child") == 0;
        zh_sim_close();
        _exit(ok ? 0 : 1);
    }
    ZT_EQ_INT(child_status(pid), 0);

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
    pid = fork();
    if (pid == 0) {
        int ok = zh_sim_open(dir, NULL) == 0 && check_state() == 2;
        zh_sim_close();
        _exit(ok ? 0 : 1);
    }
    ZT_EQ_INT(child_status(pid), 0);
    remove_dir();
}

static void concurrent_writers_are_serialised(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
    ZT_EQ_HEX(create_network(), 0);
    zh_sim_close();
    pid_t pids[3];
    for (int c = 0; c < 3; c++) {
        pids[c] = fork();
        if (pids[c] == 0) {
            int ok = zh_sim_open(dir, NULL) == 0;
            for (int i = 0; ok && i < 20; i++) {
                char name[32];
                snprintf(name, sizeof name, "c%d-%d", c, i);
                ok = create_endpoint(name) == 0;
            }
            zh_sim_close();
            _exit(ok ? 0 : 1);
        }
    }
    for (int c = 0; c < 3; c++)
        ZT_EQ_INT(child_status(pids[c]), 0);
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
    for (int round = 0; round < 12; round++) {
        pid_t pid = fork();
        if (pid == 0) {
            if (zh_sim_open(dir, NULL) < 0)
                _exit(1);
            const zh_hcn_table *T = zh_sim_hcn_table();
            for (int i = 0;; i++) {
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
        }
        zh_sleep_ms((uint32_t)(5 + rand() % 60));
        kill(pid, SIGKILL);
        kills += child_status(pid) == 100 + SIGKILL;
        /* the survivor's view: readable, consistent, and not locked by the dead */
        ZT_REQUIRE(zh_sim_open(dir, NULL) == 0);
        int n = check_state();
        if (n < 0)
            ZT_FAIL_("round %d: the state is inconsistent after a kill", round);
        ZT_EQ_HEX(create_endpoint("survivor"), 0);
        zh_sim_close();
    }
    ZT_EQ_INT(kills, 12);
    remove_dir();
}

static void a_damaged_state_file_is_reported_not_trusted(void)
{
    ZT_REQUIRE(fresh_dir() == 0);
    char path[512];
    snprintf(path, sizeof path, "%s/state.json", dir);
    FILE *f = fopen(path, "w");
    ZT_REQUIRE(f != NULL);
    fputs("{\"Version\":1,\"Objects\":[{\"Kind\":\"network\",\"ID\":\"nope\",\"Document\":{}}]}", f);
    fclose(f);
    zh_error *err = NULL;
    ZT_EQ_INT(zh_sim_open(dir, &err), -1);
    ZT_REQUIRE(err != NULL);
    ZT_EQ_INT(zh_error_category(err), ZH_CAT_INVALID_JSON);
    ZT_CONTAINS(zh_error_message(err), "an object entry is damaged");
    zh_error_free(err);
    err = NULL;
    f = fopen(path, "w");
    fputs("{\"Version\":1,\"Objects\":[", f); /* truncated */
    fclose(f);
    ZT_EQ_INT(zh_sim_open(dir, &err), -1);
    ZT_CONTAINS(zh_error_message(err), "invalid JSON");
    zh_error_free(err);
    remove_dir();
}

static const zt_case cases[] = {
    ZT_CASE(state_is_shared_between_processes),
    ZT_CASE(concurrent_writers_are_serialised),
    ZT_CASE(writers_killed_at_any_moment_leave_consistent_state),
    ZT_CASE(a_damaged_state_file_is_reported_not_trusted),
};
ZT_MAIN(cases)

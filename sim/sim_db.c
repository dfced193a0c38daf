/* SPDX-License-Identifier: MIT */
/* sim_db.c - PATH/state.db: the HCN objects of a "sim:PATH" service (sim_db.h).
 *
 *   meta(key TEXT PRIMARY KEY, value TEXT)        format = "zh-sim-state-1", and the
 *                                                 allocation counters: next_mac,
 *                                                 next_namespace_id, next_nat_subnet
 *   objects(kind INTEGER, id TEXT, doc TEXT, PRIMARY KEY(kind, id))
 *
 * One transaction per call: the first write of a call runs BEGIN IMMEDIATE, the call's end
 * COMMITs or ROLLs BACK (sim_db_commit / sim_db_rollback).
 *
 * Accessed only under the world lock (the mutation points) or before the service serves
 * (attach), so one connection without its own mutex suffices. */
#include "sim_db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "zh_hresult.h"
#include "zh_json.h"
#include "zh_str.h"
#include "zh_thread.h"

#define FORMAT "zh-sim-state-1"
#define HR_DISK_FULL ZH_HR(0x80070070) /* HRESULT_FROM_WIN32(ERROR_DISK_FULL) */

static sqlite3 *db;
static sqlite3_stmt *put_stmt, *del_stmt, *counter_stmt;
static char *db_path;
static int loading;
static int in_tx;     /* BEGIN ran for the current call */
static int tx_failed; /* a write of the current call failed: the rest fail, the end rolls back */
static zh_atomic fail_next; /* set by the control request, read under the world lock */
static zh_atomic fail_skip; /* writes that succeed before fail_next's start failing */
static int32_t last_hr;
static char last_msg[512];
static unsigned stall_ms; /* test hook, ZH_SIM_DB_STALL_MS: a pause after each write (a kill lands between) */

static int fail(zh_error **err, int32_t hr, const char *what)
{
    zh_error_set(err, hr, "zhsimd", "%s: %s: %s", db_path ? db_path : "state.db", what,
                 db ? sqlite3_errmsg(db) : "cannot open");
    return -1;
}

static int exec(const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* Drops the non-persistent networks and what lives on them, as a restarted HNS does. */
static int non_persistent(const char *doc)
{
    zh_arena a = {0};
    zh_jv *root = zh_json_parse(&a, doc, strlen(doc), "object", NULL);
    int np = 0;
    for (const zh_jv *m = root && root->type == ZH_JOBJECT ? root->first : NULL; m; m = m->next) {
        uint64_t v;
        if (m->key_len == 5 && memcmp(m->key, "Flags", 5) == 0 && zh_json_uint64(m, UINT64_MAX, &v) == 0)
            np = (v & 8u) != 0; /* NetworkFlags.EnableNonPersistent */
    }
    zh_arena_free(&a);
    return np;
}

static char *network_of(const char *doc)
{
    zh_arena a = {0};
    zh_jv *root = zh_json_parse(&a, doc, strlen(doc), "object", NULL);
    char *net = NULL;
    for (const zh_jv *m = root && root->type == ZH_JOBJECT ? root->first : NULL; m; m = m->next)
        if (m->type == ZH_JSTRING && m->key_len == 18 && memcmp(m->key, "HostComputeNetwork", 18) == 0)
            net = zh_strndup(m->str, m->str_len);
    zh_arena_free(&a);
    return net;
}

static int load(zh_error **err)
{
    sim_world *w = sim_world_get();
    if (!w)
        return fail(err, ZH_E_FAIL, "no simulator world");
    /* the networks that do not survive a restart */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id, doc FROM objects WHERE kind = 0", -1, &st, NULL) != SQLITE_OK)
        return fail(err, ZH_E_INVALID_DATA, "not a simulator state database");
    char **gone = NULL;
    size_t ngone = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *doc = (const char *)sqlite3_column_text(st, 1);
        if (id && doc && non_persistent(doc)) {
            char **g = realloc(gone, (ngone + 1) * sizeof *g);
            if (g && (g[ngone] = zh_strdup(id))) {
                gone = g;
                ngone++;
            } else if (g) {
                gone = g;
            }
        }
    }
    sqlite3_finalize(st);
    int rc = 0;
    if (exec("BEGIN IMMEDIATE") < 0)
        rc = fail(err, ZH_E_FAIL, "cannot write");
    for (size_t i = 0; rc == 0 && i < ngone; i++) {
        /* the network, and the endpoints on it */
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(db, "SELECT id, doc FROM objects WHERE kind = 1", -1, &q, NULL) == SQLITE_OK) {
            while (sqlite3_step(q) == SQLITE_ROW) {
                const char *doc = (const char *)sqlite3_column_text(q, 1);
                char *net = doc ? network_of(doc) : NULL;
                if (net && zh_strcasecmp_ascii(net, gone[i]) == 0) {
                    char *sql = sqlite3_mprintf("DELETE FROM objects WHERE kind = 1 AND id = %Q",
                                                (const char *)sqlite3_column_text(q, 0));
                    if (!sql || exec(sql) < 0)
                        rc = -1;
                    sqlite3_free(sql);
                }
                free(net);
            }
            sqlite3_finalize(q);
        }
        char *sql = sqlite3_mprintf("DELETE FROM objects WHERE kind = 0 AND id = %Q", gone[i]);
        if (!sql || exec(sql) < 0)
            rc = -1;
        sqlite3_free(sql);
    }
    for (size_t i = 0; i < ngone; i++)
        free(gone[i]);
    free(gone);
    if (rc == 0 && exec("COMMIT") < 0)
        rc = -1;
    if (rc < 0) {
        exec("ROLLBACK");
        return fail(err, ZH_E_FAIL, "cannot drop the non-persistent objects");
    }
    /* everything else comes back, in creation order */
    if (sqlite3_prepare_v2(db, "SELECT kind, id, doc FROM objects ORDER BY rowid", -1, &st, NULL) != SQLITE_OK)
        return fail(err, ZH_E_INVALID_DATA, "not a simulator state database");
    loading = 1;
    zh_mutex_lock(&w->lock);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int kind = sqlite3_column_int(st, 0);
        const char *id = (const char *)sqlite3_column_text(st, 1);
        const char *doc = (const char *)sqlite3_column_text(st, 2);
        zh_guid g;
        if (kind < 0 || kind >= SIM_KIND_COUNT || !id || !doc || zh_guid_parse(id, &g, NULL) < 0 ||
            zh_json_validate(doc, strlen(doc), "object", NULL) < 0) {
            rc = -1;
            zh_error_set(err, ZH_E_INVALID_DATA, "zhsimd", "%s: an object entry is damaged (kind %d, id %s)", db_path,
                         kind, id ? id : "none");
            break;
        }
        if (sim_hcn_load_object(w, kind, &g, doc) < 0) {
            rc = -1;
            zh_error_set(err, ZH_E_OUTOFMEMORY, "zhsimd", "out of memory");
            break;
        }
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail(err, ZH_E_INVALID_DATA, "cannot read the objects");
    sqlite3_finalize(st);
    st = NULL;
    /* the allocation counters: a restarted service never hands out again what it gave */
    if (rc == 0 &&
        sqlite3_prepare_v2(db, "SELECT key, value FROM meta WHERE key LIKE 'next_%'", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, 0);
            sqlite3_int64 v = sqlite3_column_int64(st, 1);
            uint32_t *field = !key                                    ? NULL
                              : strcmp(key, "next_mac") == 0          ? &w->next_mac
                              : strcmp(key, "next_namespace_id") == 0 ? &w->next_namespace_id
                              : strcmp(key, "next_nat_subnet") == 0   ? &w->next_nat_subnet
                                                                      : NULL;
            if (field && v >= 0 && v <= UINT32_MAX && (uint32_t)v > *field)
                *field = (uint32_t)v;
        }
    }
    sqlite3_finalize(st);
    zh_mutex_unlock(&w->lock);
    loading = 0;
    return rc;
}

int sim_db_attach(const char *dir, zh_error **err)
{
    const char *stall = getenv("ZH_SIM_DB_STALL_MS");
    stall_ms = stall ? (unsigned)strtoul(stall, NULL, 10) : 0;
    db_path = zh_asprintf("%s/state.db", dir);
    if (!db_path)
        return zh_error_set(err, ZH_E_OUTOFMEMORY, "zhsimd", "out of memory");
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        fail(err, ZH_E_ACCESSDENIED, "cannot open");
        sim_db_detach();
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    char *fmt = NULL;
    sqlite3_stmt *st = NULL;
    int ok = exec("PRAGMA journal_mode=WAL") == 0 && exec("PRAGMA synchronous=FULL") == 0;
    if (ok && sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        int tables = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        st = NULL;
        if (tables == 0) {
            ok = exec("CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);"
                      "CREATE TABLE objects(kind INTEGER NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL,"
                      " PRIMARY KEY(kind, id));"
                      "INSERT INTO meta VALUES('format', '" FORMAT "');") == 0;
        }
        if (ok && sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'format'", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            fmt = zh_strdup((const char *)sqlite3_column_text(st, 0));
    } else {
        ok = 0;
    }
    sqlite3_finalize(st);
    if (!ok || !fmt || strcmp(fmt, FORMAT) != 0) {
        if (fmt || ok)
            zh_error_set(err, ZH_E_INVALID_DATA, "zhsimd", "%s: not a simulator state database (format %s)", db_path,
                         fmt ? fmt : "unknown");
        else
            fail(err, ZH_E_INVALID_DATA, "damaged or not a simulator state database");
        free(fmt);
        sim_db_detach();
        return -1;
    }
    free(fmt);
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO objects(kind, id, doc) VALUES(?, ?, ?)", -1, &put_stmt, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "DELETE FROM objects WHERE kind = ? AND id = ?", -1, &del_stmt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", -1, &counter_stmt, NULL) !=
            SQLITE_OK ||
        load(err) < 0) {
        if (put_stmt || del_stmt)
            ; /* the error is set */
        else
            fail(err, ZH_E_INVALID_DATA, "not a simulator state database");
        sim_db_detach();
        return -1;
    }
    return 0;
}

void sim_db_detach(void)
{
    if (in_tx)
        exec("ROLLBACK");
    in_tx = tx_failed = 0;
    sqlite3_finalize(put_stmt);
    sqlite3_finalize(del_stmt);
    sqlite3_finalize(counter_stmt);
    put_stmt = del_stmt = counter_stmt = NULL;
    if (db)
        sqlite3_close(db);
    db = NULL;
    free(db_path);
    db_path = NULL;
}

static int write_failed(int rc)
{
    tx_failed = 1;
    last_hr = rc == SQLITE_FULL ? HR_DISK_FULL : ZH_E_FAIL;
    snprintf(last_msg, sizeof last_msg, "the simulator's state database %s could not be written: %s", db_path,
             rc == SQLITE_FULL ? "database or disk is full" : sqlite3_errmsg(db));
    return -1;
}

/* Before a write: 1 when there is nothing to write to (no database, or loading), 0 when the
 * call's transaction is open, -1 when the write must fail. */
static int write_begin(void)
{
    if (!db || loading)
        return 1;
    if (tx_failed)
        return -1;
    int skip = zh_atomic_load(&fail_skip);
    if (skip > 0 && zh_atomic_cas(&fail_skip, skip, skip - 1)) {
        /* this one goes through */
    } else {
        int n = zh_atomic_load(&fail_next);
        if (n > 0 && zh_atomic_cas(&fail_next, n, n - 1))
            return write_failed(SQLITE_FULL);
    }
    if (!in_tx) {
        int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return write_failed(rc);
        in_tx = 1;
    }
    return 0;
}

static int run(sqlite3_stmt *st, int kind, const zh_guid *id, const char *json)
{
    int b = write_begin();
    if (b != 0)
        return b > 0 ? 0 : -1;
    char buf[ZH_GUID_BUFSIZE];
    zh_guid_format(id, ZH_GUID_LOWER, buf);
    sqlite3_reset(st);
    sqlite3_bind_int(st, 1, kind);
    sqlite3_bind_text(st, 2, buf, -1, SQLITE_TRANSIENT);
    if (json)
        sqlite3_bind_text(st, 3, json, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (stall_ms && rc == SQLITE_DONE)
        zh_sleep_ms(stall_ms);
    return rc == SQLITE_DONE ? 0 : write_failed(rc);
}

int sim_db_put(int kind, const zh_guid *id, const char *json)
{
    return run(put_stmt, kind, id, json);
}

int sim_db_del(int kind, const zh_guid *id)
{
    return run(del_stmt, kind, id, NULL);
}

int sim_db_put_counter(const char *name, uint32_t value)
{
    int b = write_begin();
    if (b != 0)
        return b > 0 ? 0 : -1;
    sqlite3_reset(counter_stmt);
    sqlite3_bind_text(counter_stmt, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(counter_stmt, 2, (sqlite3_int64)value);
    int rc = sqlite3_step(counter_stmt);
    sqlite3_reset(counter_stmt);
    sqlite3_clear_bindings(counter_stmt);
    return rc == SQLITE_DONE ? 0 : write_failed(rc);
}

int sim_db_commit(void)
{
    int failed = tx_failed;
    tx_failed = 0;
    if (!in_tx)
        return failed ? -1 : 0;
    in_tx = 0;
    if (failed) {
        exec("ROLLBACK");
        return -1;
    }
    int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        write_failed(rc);
        tx_failed = 0;
        if (!sqlite3_get_autocommit(db))
            exec("ROLLBACK");
        return -1;
    }
    return 0;
}

void sim_db_rollback(void)
{
    if (in_tx)
        exec("ROLLBACK");
    in_tx = tx_failed = 0;
}

int32_t sim_db_take_error(char *msg, size_t size)
{
    int32_t hr = last_hr;
    if (hr && msg && size)
        snprintf(msg, size, "%s", last_msg);
    last_hr = 0;
    return hr;
}

void sim_db_fail_writes(uint32_t n)
{
    sim_db_fail_writes_after(0, n);
}

void sim_db_fail_writes_after(uint32_t skip, uint32_t n)
{
    zh_atomic_store(&fail_next, n > INT32_MAX ? INT32_MAX : (int)n);
    zh_atomic_store(&fail_skip, skip > INT32_MAX ? INT32_MAX : (int)skip);
}

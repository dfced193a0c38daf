/* SPDX-License-Identifier: MIT */
/* hns_object.c - create, open, delete, modify, query and enumerate, written once for every
 * HCN object family (networks, endpoints, namespaces, load balancers, SDN routes). Each
 * family's entries have the same shape - Create(Id, Settings, &handle, &record) and so
 * on - except HcnCreateEndpoint, which takes the network's handle first. */
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_json.h"
#include "zh_str.h"
#include "zh_utf.h"

typedef zh_hresult(ZH_WINAPI *create_fn)(zh_refguid, const zh_wchar *, void **, zh_wchar **);
typedef zh_hresult(ZH_WINAPI *open_fn)(zh_refguid, void **, zh_wchar **);
typedef zh_hresult(ZH_WINAPI *modify_fn)(void *, const zh_wchar *, zh_wchar **);
typedef zh_hresult(ZH_WINAPI *query_fn)(void *, const zh_wchar *, zh_wchar **, zh_wchar **);
typedef zh_hresult(ZH_WINAPI *delete_fn)(zh_refguid, zh_wchar **);
typedef zh_hresult(ZH_WINAPI *enumerate_fn)(const zh_wchar *, zh_wchar **, zh_wchar **);

#define ENTRY(svc, type, id, err) ((type)zh_raw_get((svc)->lib, (id), (err)))

/* The document's top-level "ID" (any case), when it has one. 0 with *has = 0/1, or -1. */
static int document_id(const char *doc, zh_guid *id, int *has, const char *function, zh_error **err)
{
    *has = 0;
    zh_arena a = {0};
    zh_jv *root = zh_json_parse(&a, doc, strlen(doc), "settings", NULL);
    int rc = 0;
    for (const zh_jv *m = root && root->type == ZH_JOBJECT ? root->first : NULL; m; m = m->next) {
        if (m->key_len != 2 || (m->key[0] != 'I' && m->key[0] != 'i') || (m->key[1] != 'D' && m->key[1] != 'd'))
            continue;
        if (m->type == ZH_JNULL)
            break;
        char text[64];
        if (m->type != ZH_JSTRING || m->str_len >= sizeof text) {
            rc = hns_bad_arg(err, function, "settings: ID is not a GUID string");
            break;
        }
        memcpy(text, m->str, m->str_len);
        text[m->str_len] = '\0';
        if (zh_guid_parse(text, id, NULL) < 0) {
            rc = hns_bad_arg(err, function, "settings: ID \"%s\" is not a GUID", text);
            break;
        }
        *has = 1;
        break;
    }
    zh_arena_free(&a);
    return rc;
}

/* Deletes an object made by a create that failed afterwards (its record freed, its
 * failure not reported: the create's is). */
static void delete_by_id(hns_service *svc, const hns_kind_info *k, const zh_raw_guid *rid)
{
    delete_fn del = ENTRY(svc, delete_fn, k->del, NULL);
    zh_wchar *rec = NULL;
    if (del) {
        del(rid, &rec);
        zh_raw_free_string(svc->lib, rec); /* HCN's record, ours to free */
    }
}

int hns_obj_create(hns_obj **out, hns_service *svc, hns_kind kind, hns_obj *network, const char *settings,
                   const char *function, zh_error **err)
{
    const hns_kind_info *k = &hns_kinds[kind];
    zh_guid id;
    int has_id;
    *out = NULL;
    if (hns_check_doc(settings, "settings", k->schema, function, err) < 0 ||
        document_id(settings, &id, &has_id, function, err) < 0)
        return -1;
    /* An id chosen here rather than by HCN: known without a query, and a failed call
     * can be cleaned up by it. */
    if (!has_id && zh_guid_random(&id, err) < 0)
        return -1;
    zh_wchar *w = hns_wide(settings, "settings", function, err);
    if (!w)
        return -1;
    zh_raw_guid rid;
    memcpy(&rid, &id, sizeof rid);
    void *raw = NULL;
    zh_wchar *record = NULL;
    zh_hresult hr;
    const char *raw_name = hns_raw_name(k->create);
    if (kind == HNS_ENDPOINT) {
        zh_raw_HcnCreateEndpoint_fn fn = ENTRY(svc, zh_raw_HcnCreateEndpoint_fn, ZH_HCN_ID_HcnCreateEndpoint, err);
        if (!fn) {
            free(w);
            return -1;
        }
        /* HCN hands back a handle we own (closed by the object) and a record we free */
        hr = fn(network->raw, &rid, w, &raw, &record);
    } else {
        create_fn fn = ENTRY(svc, create_fn, k->create, err);
        if (!fn) {
            free(w);
            return -1;
        }
        hr = fn(&rid, w, &raw, &record);
    }
    free(w);
    int failed = hns_result(svc, hr, record, raw_name, err) < 0;
    if (failed && raw) { /* a handle despite the failure: give it back */
        zh_hresult(ZH_WINAPI * close_fn)(void *) = (zh_hresult(ZH_WINAPI *)(void *))zh_raw_get(svc->lib, k->close, NULL);
        if (close_fn)
            close_fn(raw);
        raw = NULL;
    }
    if (!failed && !raw)
        zh_error_set_cat(err, ZH_E_UNEXPECTED, ZH_CAT_OTHER, raw_name, "the service returned no %s handle", k->name);
    /* HCN said S_OK (with an ErrorRecord, or without a handle): the object may exist. It is
     * not the caller's, and no one else knows its id: delete it by id. (A failure HRESULT
     * made nothing, and the id may be another object's: the document's own.) */
    if (ZH_SUCCEEDED(hr) && !raw) {
        delete_by_id(svc, k, &rid);
        return -1;
    }
    if (failed)
        return -1;
    if (hns_obj_new(out, svc, kind, raw, &id, function, err) < 0) {
        /* the object exists in HCN but cannot be handed over: do not leave it behind */
        delete_by_id(svc, k, &rid);
        return -1;
    }
    return 0;
}

int hns_obj_open(hns_obj **out, hns_service *svc, hns_kind kind, const char *id, const char *function,
                 zh_error **err)
{
    const hns_kind_info *k = &hns_kinds[kind];
    *out = NULL;
    zh_guid g;
    if (hns_parse_id(id, &g, NULL, "id", function, err) < 0)
        return -1;
    open_fn fn = ENTRY(svc, open_fn, k->open, err);
    if (!fn)
        return -1;
    zh_raw_guid rid;
    memcpy(&rid, &g, sizeof rid);
    void *raw = NULL;
    zh_wchar *record = NULL;
    /* the handle becomes the object's; the record is freed by hns_result */
    zh_hresult hr = fn(&rid, &raw, &record);
    if (hns_result(svc, hr, record, hns_raw_name(k->open), err) < 0) {
        if (raw) {
            zh_hresult(ZH_WINAPI * close_fn)(void *) = (zh_hresult(ZH_WINAPI *)(void *))zh_raw_get(svc->lib, k->close, NULL);
            if (close_fn)
                close_fn(raw);
        }
        return -1;
    }
    if (!raw)
        return zh_error_set_cat(err, ZH_E_UNEXPECTED, ZH_CAT_OTHER, hns_raw_name(k->open),
                                "the service returned no %s handle", k->name);
    return hns_obj_new(out, svc, kind, raw, &g, function, err);
}

int hns_obj_delete(hns_service *svc, hns_kind kind, const char *id, const char *function, zh_error **err)
{
    const hns_kind_info *k = &hns_kinds[kind];
    zh_guid g;
    if (hns_parse_id(id, &g, NULL, "id", function, err) < 0)
        return -1;
    delete_fn fn = ENTRY(svc, delete_fn, k->del, err);
    if (!fn)
        return -1;
    zh_raw_guid rid;
    memcpy(&rid, &g, sizeof rid);
    zh_wchar *record = NULL;
    zh_hresult hr = fn(&rid, &record); /* the record is freed by hns_result */
    zh_error *e = NULL;
    if (hns_result(svc, hr, record, hns_raw_name(k->del), &e) == 0)
        return 0;
    if (hns_is_gone(kind, e)) { /* already gone: what the caller wants */
        zh_error_free(e);
        return 0;
    }
    return zh_error_put(err, e);
}

int hns_obj_modify(hns_obj *o, const char *request, const char *doc_type, const char *function, zh_error **err)
{
    const hns_kind_info *k = &hns_kinds[o->kind];
    if (hns_check_doc(request, "the request", doc_type, function, err) < 0)
        return -1;
    modify_fn fn = ENTRY(o->svc, modify_fn, k->modify, err);
    if (!fn)
        return -1;
    zh_wchar *w = hns_wide(request, "the request", function, err);
    if (!w)
        return -1;
    zh_wchar *record = NULL;
    zh_hresult hr = fn(o->raw, w, &record);
    free(w);
    return hns_result(o->svc, hr, record, hns_raw_name(k->modify), err);
}

int hns_obj_query(char **out, hns_obj *o, const char *query, const char *function, zh_error **err)
{
    const hns_kind_info *k = &hns_kinds[o->kind];
    if (!out)
        return hns_bad_arg(err, function, "out is NULL");
    *out = NULL;
    if (!query)
        query = hns_default_query;
    else if (hns_check_doc(query, "the query", "HostComputeQuery", function, err) < 0)
        return -1;
    query_fn fn = ENTRY(o->svc, query_fn, k->query, err);
    if (!fn)
        return -1;
    zh_wchar *w = hns_wide(query, "the query", function, err);
    if (!w)
        return -1;
    zh_wchar *props = NULL, *record = NULL;
    /* both strings are HCN's for us to free: hns_result and hns_take do */
    zh_hresult hr = fn(o->raw, w, &props, &record);
    free(w);
    if (hns_result(o->svc, hr, record, hns_raw_name(k->query), err) < 0) {
        zh_raw_free_string(o->svc->lib, props);
        return -1;
    }
    return hns_take(o->svc, props, out, hns_raw_name(k->query), err);
}

int hns_obj_list(char ***ids, size_t *count, hns_service *svc, hns_kind kind, const char *query, const char *function,
                 zh_error **err)
{
    const hns_kind_info *k = &hns_kinds[kind];
    *ids = NULL;
    *count = 0;
    if (!query)
        query = hns_default_query;
    else if (hns_check_doc(query, "the query", "HostComputeQuery", function, err) < 0)
        return -1;
    enumerate_fn fn = ENTRY(svc, enumerate_fn, k->enumerate, err);
    if (!fn)
        return -1;
    zh_wchar *w = hns_wide(query, "the query", function, err);
    if (!w)
        return -1;
    zh_wchar *list = NULL, *record = NULL;
    /* both strings are HCN's for us to free */
    zh_hresult hr = fn(w, &list, &record);
    free(w);
    if (hns_result(svc, hr, record, hns_raw_name(k->enumerate), err) < 0) {
        zh_raw_free_string(svc->lib, list);
        return -1;
    }
    char *text = NULL;
    if (hns_take(svc, list, &text, hns_raw_name(k->enumerate), err) < 0)
        return -1;
    int rc = hns_ids_from_json(text, ids, count, hns_raw_name(k->enumerate), err);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------- for public callers */
int hns_create(uintptr_t *out, const zhns_service *svc, hns_kind kind, const char *settings, const char *function,
               zh_error **err)
{
    if (!out)
        return hns_bad_arg(err, function, "out is NULL");
    *out = 0;
    HNS_SERVICE(s, svc, function, err);
    hns_obj *o = NULL;
    int rc = hns_obj_create(&o, s, kind, NULL, settings, function, err);
    if (rc == 0)
        *out = hns_obj_publish(o);
    hns_service_unref(s);
    return rc;
}

int hns_open(uintptr_t *out, const zhns_service *svc, hns_kind kind, const char *id, const char *function,
             zh_error **err)
{
    if (!out)
        return hns_bad_arg(err, function, "out is NULL");
    *out = 0;
    HNS_SERVICE(s, svc, function, err);
    hns_obj *o = NULL;
    int rc = hns_obj_open(&o, s, kind, id, function, err);
    if (rc == 0)
        *out = hns_obj_publish(o);
    hns_service_unref(s);
    return rc;
}

/* The first object of a kind whose Name is exactly `name`, as hcsshim's GetNetworkByName /
 * GetEndpointByName find it: an enumeration filtered by Name, then each candidate's
 * document checked here (HNS may compare without case, or not filter at all). */
int hns_open_by_name(uintptr_t *out, const zhns_service *svc, hns_kind kind, const char *name, const char *function,
                     zh_error **err)
{
    const hns_kind_info *k = &hns_kinds[kind];
    if (!out)
        return hns_bad_arg(err, function, "out is NULL");
    *out = 0;
    size_t bad;
    if (!name || !*name)
        return hns_bad_arg(err, function, "the name is %s", name ? "empty" : "NULL");
    if (zh_utf8_validate(name, strlen(name), &bad) < 0)
        return hns_bad_arg(err, function, "the name is not valid UTF-8 (byte %zu)", bad);
    HNS_SERVICE(s, svc, function, err);
    /* {"SchemaVersion":..., "Filter": "{\"Name\": name}"}: a JSON object carried as a string */
    zh_buf filter = ZH_BUF_INIT(0), query = ZH_BUF_INIT(0);
    zh_buf_puts(&filter, "{\"Name\":");
    zh_json_write_string(&filter, name, strlen(name));
    zh_buf_puts(&filter, "}");
    char *f = zh_buf_take(&filter);
    zh_buf_puts(&query, "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Flags\":0,\"Filter\":");
    if (f)
        zh_json_write_string(&query, f, strlen(f));
    zh_buf_puts(&query, "}");
    char *q = zh_buf_take(&query);
    free(f);
    char **ids = NULL;
    size_t n = 0;
    int rc = -1;
    if (!q)
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
    else if (hns_obj_list(&ids, &n, s, kind, q, function, err) == 0) {
        hns_obj *found = NULL;
        for (size_t i = 0; i < n && !found && rc < 0; i++) {
            hns_obj *o = NULL;
            char *doc = NULL;
            zh_error *e = NULL;
            if (hns_obj_open(&o, s, kind, ids[i], function, &e) < 0 || hns_obj_query(&doc, o, NULL, function, &e) < 0) {
                hns_obj_close(o);
                if (hns_is_gone(kind, e)) { /* deleted since the enumeration */
                    zh_error_free(e);
                    continue;
                }
                zh_error_put(err, e);
                break;
            }
            zh_arena a = {0};
            zh_jv *root = zh_json_parse(&a, doc, strlen(doc), "document", NULL);
            int same = 0;
            for (const zh_jv *m = root && root->type == ZH_JOBJECT ? root->first : NULL; m; m = m->next)
                if (m->key_len == 4 && memcmp(m->key, "Name", 4) == 0 && m->type == ZH_JSTRING)
                    same = m->str_len == strlen(name) && memcmp(m->str, name, m->str_len) == 0;
            zh_arena_free(&a);
            free(doc);
            if (same)
                found = o;
            else
                hns_obj_close(o);
        }
        if (found) {
            *out = hns_obj_publish(found);
            rc = 0;
        } else if (err && !*err) {
            zh_error_set_cat(err, ZH_E_NOT_FOUND, ZH_CAT_NOT_FOUND, function, "no %s is named \"%s\"", k->name, name);
        }
        zhns_strings_free(ids, n);
    }
    free(q);
    hns_service_unref(s);
    return rc;
}

int hns_delete(const zhns_service *svc, hns_kind kind, const char *id, const char *function, zh_error **err)
{
    HNS_SERVICE(s, svc, function, err);
    int rc = hns_obj_delete(s, kind, id, function, err);
    hns_service_unref(s);
    return rc;
}

int hns_list(char ***ids, size_t *count, const zhns_service *svc, hns_kind kind, const char *query,
             const char *function, zh_error **err)
{
    if (!ids || !count)
        return hns_bad_arg(err, function, "%s is NULL", ids ? "count" : "ids");
    *ids = NULL;
    *count = 0;
    HNS_SERVICE(s, svc, function, err);
    int rc = hns_obj_list(ids, count, s, kind, query, function, err);
    hns_service_unref(s);
    return rc;
}

int hns_list_query(char ***ids, size_t *count, const zhns_service *svc, hns_kind kind,
                   const zhns_HostComputeQuery *query, const char *function, zh_error **err)
{
    char *json = NULL;
    if (query && !(json = zhns_HostComputeQuery_emit(query, err))) {
        if (ids)
            *ids = NULL;
        if (count)
            *count = 0;
        return -1;
    }
    int rc = hns_list(ids, count, svc, kind, json, function, err);
    zhns_string_free(json);
    return rc;
}

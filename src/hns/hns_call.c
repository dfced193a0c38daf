/* SPDX-License-Identifier: MIT */
/* hns_call.c - the helpers around every raw HCN call: arguments in (ids, documents, UTF-16),
 * results out (ErrorRecords and out-strings freed on every path, id lists parsed). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_json.h"
#include "zh_str.h"
#include "zh_utf.h"

const char hns_default_query[] = "{\"SchemaVersion\":{\"Major\":2,\"Minor\":0},\"Flags\":0}";

int hns_bad_arg(zh_error **err, const char *function, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zh_error *e = zh_error_newv(ZH_E_INVALIDARG, ZH_CAT_INVALID_ARGUMENT, function, fmt, ap);
    va_end(ap);
    return zh_error_put(err, e);
}

bool hns_is_not_found(const zh_error *e)
{
    return e && zh_error_category(e) == ZH_CAT_NOT_FOUND;
}

bool hns_is_gone(hns_kind kind, const zh_error *e)
{
    if (!e)
        return false;
    zh_hresult hr = zh_error_hresult(e);
    if (hr == ZH_E_NOT_FOUND)
        return true;
    if (kind == HNS_NETWORK)
        return hr == HCN_E_NETWORK_NOT_FOUND;
    if (kind == HNS_ENDPOINT)
        return hr == HCN_E_ENDPOINT_NOT_FOUND;
    return false;
}

const char *hns_raw_name(size_t id)
{
    return id < zh_raw_hcn_spec.count ? zh_raw_hcn_spec.names[id] : "HCN";
}

int hns_check_doc(const char *doc, const char *what, const char *doc_type, const char *function, zh_error **err)
{
    if (!doc)
        return hns_bad_arg(err, function, "%s is NULL", what);
    size_t len = strnlen(doc, ZHNS_DOCUMENT_MAX + 1);
    if (len > ZHNS_DOCUMENT_MAX)
        return hns_bad_arg(err, function, "%s is larger than %zu bytes (ZHNS_DOCUMENT_MAX)", what,
                           (size_t)ZHNS_DOCUMENT_MAX);
    size_t bad;
    if (zh_utf8_validate(doc, len, &bad) < 0)
        return hns_bad_arg(err, function, "%s is not valid UTF-8 (byte %zu)", what, bad);
    zh_error *e = NULL;
    int rc = doc_type ? zhns_schema_check(doc_type, doc, len, 0, NULL, &e) : zh_json_validate(doc, len, what, &e);
    if (rc < 0) {
        zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, function, "%s: %s", what,
                         e ? zh_error_message(e) : "not valid JSON");
        zh_error_free(e);
        return -1;
    }
    return 0;
}

zh_wchar *hns_wide(const char *s, const char *what, const char *function, zh_error **err)
{
    uint16_t *w = NULL;
    zh_error *e = NULL;
    if (!s) {
        hns_bad_arg(err, function, "%s is NULL", what);
        return NULL;
    }
    if (zh_utf8_to_utf16(s, ZH_NUL_TERMINATED, &w, NULL, what, &e) < 0) {
        zh_error_set_cat(err, zh_error_hresult(e), zh_error_category(e), function, "%s", zh_error_message(e));
        zh_error_free(e);
        return NULL;
    }
    return (zh_wchar *)w;
}

int hns_result(hns_service *svc, zh_hresult hr, zh_wchar *record, const char *function, zh_error **err)
{
    char *text = NULL;
    if (record) {
        /* the record is HCN's: ours to free whatever it says */
        if (zh_utf16_to_utf8((const uint16_t *)record, ZH_NUL_TERMINATED, &text, NULL, "ErrorRecord", NULL) < 0)
            text = zh_strdup("(an ErrorRecord that is not valid UTF-16)");
        zh_raw_free_string(svc->lib, record);
    }
    int empty = !text || !*text;
    if (ZH_SUCCEEDED(hr) && empty) {
        free(text);
        return 0;
    }
    zh_error_set_doc(err, hr, function, ZH_ERRDOC_HCN_RECORD, empty ? NULL : text);
    free(text);
    return -1;
}

int hns_take(hns_service *svc, zh_wchar *w, char **out, const char *function, zh_error **err)
{
    *out = NULL;
    if (!w)
        return zh_error_set_cat(err, ZH_E_UNEXPECTED, ZH_CAT_OTHER, function, "the service answered nothing");
    zh_error *e = NULL;
    int rc = zh_utf16_to_utf8((const uint16_t *)w, ZH_NUL_TERMINATED, out, NULL, "the service's answer", &e);
    zh_raw_free_string(svc->lib, w);
    if (rc < 0) {
        zh_error_set_cat(err, zh_error_hresult(e), ZH_CAT_INVALID_JSON, function, "%s", zh_error_message(e));
        zh_error_free(e);
        return -1;
    }
    return 0;
}

int hns_parse_id(const char *id, zh_guid *out, char canon[ZH_GUID_BUFSIZE], const char *what, const char *function,
                 zh_error **err)
{
    if (!id)
        return hns_bad_arg(err, function, "%s is NULL", what);
    size_t bad;
    size_t len = strnlen(id, 256);
    if (zh_utf8_validate(id, len, &bad) < 0)
        return hns_bad_arg(err, function, "%s is not valid UTF-8 (byte %zu)", what, bad);
    zh_guid g;
    if (len >= 256 || zh_guid_parse(id, &g, NULL) < 0)
        return hns_bad_arg(err, function, "%s \"%.80s\" is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", what, id);
    if (out)
        *out = g;
    if (canon)
        zh_guid_format(&g, ZH_GUID_LOWER, canon);
    return 0;
}

int hns_ids_from_json(const char *json, char ***ids, size_t *count, const char *function, zh_error **err)
{
    *ids = NULL;
    *count = 0;
    zh_arena a = {0};
    zh_error *e = NULL;
    zh_jv *arr = zh_json_parse(&a, json, strlen(json), "the id list", &e);
    if (!arr || arr->type != ZH_JARRAY) {
        zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, function, "the service's id list is not a JSON array%s%s",
                         e ? ": " : "", e ? zh_error_message(e) : "");
        zh_error_free(e);
        zh_arena_free(&a);
        return -1;
    }
    char **list = calloc(arr->count ? arr->count : 1, sizeof *list);
    size_t n = 0;
    int rc = list ? 0 : zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
    for (const zh_jv *v = arr->first; rc == 0 && v; v = v->next) {
        if (v->type != ZH_JSTRING) {
            rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, function,
                                  "the service's id list holds a %s, not a string", zh_json_type_name(v->type));
            break;
        }
        char buf[ZH_GUID_BUFSIZE];
        zh_guid g;
        char *s = zh_strndup(v->str, v->str_len);
        if (s && zh_guid_parse(s, &g, NULL) == 0) {
            free(s);
            s = zh_strdup(zh_guid_format(&g, ZH_GUID_LOWER, buf));
        }
        if (!s) {
            rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
            break;
        }
        list[n++] = s;
    }
    zh_arena_free(&a);
    if (rc < 0) {
        zhns_strings_free(list, n);
        return -1;
    }
    *ids = list;
    *count = n;
    return 0;
}

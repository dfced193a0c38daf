/* SPDX-License-Identifier: MIT */
/* zh_errdoc.c - message extraction from HCS ResultError and HCN ErrorRecord documents. */
#include "zh_errdoc.h"

#include <json-c/json.h>
#include <string.h>

#include "zh_str.h"

static const char *string_member(struct json_object *obj, const char *key)
{
    struct json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    const char *s = json_object_get_string(v);
    return (s && *s) ? s : NULL;
}

/* An HRESULT may be written signed (-2143878899) or unsigned (2151088397). */
static int hresult_member(struct json_object *obj, const char *key, int32_t *out)
{
    struct json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
        return 0;
    int64_t n = json_object_get_int64(v);
    if (n == INT64_MAX) { /* json-c saturates; the unsigned reading is exact */
        uint64_t u = json_object_get_uint64(v);
        if (u > UINT32_MAX)
            return 0;
        n = (int64_t)u;
    }
    if (n < INT32_MIN || n > (int64_t)UINT32_MAX)
        return 0;
    *out = (int32_t)(uint32_t)(uint64_t)n;
    return 1;
}

static void append_bounded(zh_buf *b, const char *s)
{
    size_t room = ZH_ERRDOC_MESSAGE_MAX - b->len;
    size_t n = strlen(s);
    zh_buf_append(b, s, n < room ? n : room);
}

static char *hcs_result_message(struct json_object *root, int32_t *hr, int *has_hr)
{
    if (hresult_member(root, "Error", hr))
        *has_hr = 1;
    const char *base = string_member(root, "ErrorMessage");
    zh_buf b = ZH_BUF_INIT(ZH_ERRDOC_MESSAGE_MAX);
    if (base)
        append_bounded(&b, base);

    struct json_object *events;
    size_t added = 0;
    if (json_object_object_get_ex(root, "ErrorEvents", &events) &&
        json_object_is_type(events, json_type_array)) {
        size_t n = json_object_array_length(events);
        for (size_t i = 0; i < n; i++) {
            struct json_object *ev = json_object_array_get_idx(events, i);
            const char *msg = json_object_is_type(ev, json_type_object) ? string_member(ev, "Message") : NULL;
            if (!msg || (base && strcmp(msg, base) == 0))
                continue;
            append_bounded(&b, added == 0 ? (base ? " (" : "") : "; ");
            append_bounded(&b, msg);
            added++;
        }
        if (added && base)
            append_bounded(&b, ")");
    }
    if (!base && !added) {
        zh_buf_free(&b);
        return NULL;
    }
    return zh_buf_take(&b);
}

static char *hcn_record_message(struct json_object *root, int32_t *hr, int *has_hr)
{
    if (hresult_member(root, "ErrorCode", hr) || hresult_member(root, "Error", hr))
        *has_hr = 1;
    static const char *const keys[] = {"Error", "ErrorMessage", "Message"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *msg = string_member(root, keys[i]);
        if (msg)
            return zh_strndup(msg, ZH_ERRDOC_MESSAGE_MAX);
    }
    return NULL;
}

char *zh_errdoc_message(zh_errdoc_kind kind, const char *document, int32_t *hr, int *has_hr)
{
    *has_hr = 0;
    if (!document || !*document)
        return NULL;
    struct json_tokener *tok = json_tokener_new();
    if (!tok)
        return NULL;
    struct json_object *root = json_tokener_parse_ex(tok, document, (int)strnlen(document, INT32_MAX));
    int complete = json_tokener_get_error(tok) == json_tokener_success;
    json_tokener_free(tok);
    char *msg = NULL;
    if (complete && root && json_object_is_type(root, json_type_object)) {
        msg = kind == ZH_ERRDOC_HCN_RECORD ? hcn_record_message(root, hr, has_hr)
                                           : hcs_result_message(root, hr, has_hr);
        /* An HCN reply occasionally wraps the HCS shape and vice versa. */
        if (!msg)
            msg = kind == ZH_ERRDOC_HCN_RECORD ? hcs_result_message(root, hr, has_hr)
                                               : hcn_record_message(root, hr, has_hr);
    }
    json_object_put(root);
    return msg;
}

/* SPDX-License-Identifier: MIT */
/* zh_error.c - the error value: creation, classification, formatting. */
#include "zh_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zh_errdoc.h"
#include "zh_hresult.h"
#include "zh_str.h"

struct zh_error {
    int32_t hresult;
    zh_category category;
    char *message;
    char *function;
    char *document;
    int is_static;
};

static const char oom_message[] = "out of memory";

/* Handed out whenever an error itself cannot be allocated. Never freed or modified. */
static struct zh_error oom_error = {
    ZH_HR(0x8007000E), ZH_CAT_OUT_OF_MEMORY, (char *)oom_message, (char *)"", NULL, 1,
};

const zh_error *zh_error_oom(void)
{
    return &oom_error;
}

static const char *const category_names[ZH_CAT_COUNT] = {
    "none",         "other",        "not-found",        "already-exists",
    "already-stopped", "invalid-state", "access-denied", "invalid-argument",
    "invalid-json", "timeout",      "cancelled",        "unsupported",
    "service-unavailable", "disconnected", "out-of-memory", "closed",
};

const char *zh_category_name(zh_category category)
{
    if ((unsigned)category >= ZH_CAT_COUNT)
        return "unknown";
    return category_names[category];
}

static zh_error *alloc_error(int32_t hresult, zh_category category, const char *function,
                             char *message, char *document)
{
    zh_error *e = calloc(1, sizeof *e);
    char *fn = zh_strdup(function ? function : "");
    if (!e || !fn || !message) {
        free(e);
        free(fn);
        free(message);
        free(document);
        return &oom_error;
    }
    e->hresult = hresult;
    e->category = category;
    e->function = fn;
    e->message = message;
    e->document = document;
    return e;
}

zh_error *zh_error_newv(int32_t hresult, zh_category category, const char *function,
                        const char *fmt, va_list ap)
{
    char *msg = fmt ? zh_vasprintf(fmt, ap) : zh_strdup("");
    return alloc_error(hresult, category, function, msg, NULL);
}

zh_error *zh_error_dup(const zh_error *e)
{
    if (!e || e->is_static)
        return (zh_error *)(e ? e : &oom_error);
    char *doc = NULL;
    if (e->document && !(doc = zh_strdup(e->document)))
        return &oom_error;
    return alloc_error(e->hresult, e->category, e->function, zh_strdup(e->message), doc);
}

zh_error *zh_error_prefixed(const zh_error *e, const char *function, const char *prefix)
{
    if (!e || e->is_static)
        return (zh_error *)(e ? e : &oom_error);
    char *doc = NULL;
    if (e->document && !(doc = zh_strdup(e->document)))
        return &oom_error;
    return alloc_error(e->hresult, e->category, function ? function : e->function,
                       zh_asprintf("%s%s", prefix ? prefix : "", e->message), doc);
}

zh_error *zh_error_new(int32_t hresult, const char *function, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    zh_error *e = zh_error_newv(hresult, zh_hresult_category(hresult), function, fmt, ap);
    va_end(ap);
    return e;
}

int zh_error_put(zh_error **err, zh_error *e)
{
    if (!err) {
        zh_error_free(e);
        return -1;
    }
    if (*err && *err != e)
        zh_error_free(*err);
    *err = e;
    return -1;
}

int zh_error_set(zh_error **err, int32_t hresult, const char *function, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    zh_error *e = zh_error_newv(hresult, zh_hresult_category(hresult), function, fmt, ap);
    va_end(ap);
    return zh_error_put(err, e);
}

int zh_error_set_cat(zh_error **err, int32_t hresult, zh_category category, const char *function,
                     const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    zh_error *e = zh_error_newv(hresult, category, function, fmt, ap);
    va_end(ap);
    return zh_error_put(err, e);
}

int zh_error_set_doc(zh_error **err, int32_t hresult, const char *function, zh_errdoc_kind kind,
                     const char *document)
{
    if (!err)
        return -1;
    int32_t doc_hr = 0;
    int has_hr = 0;
    int has_doc = document && *document;
    char *msg = has_doc ? zh_errdoc_message(kind, document, &doc_hr, &has_hr) : NULL;
    if (!msg && has_doc)
        msg = zh_strndup(document, ZH_ERRDOC_MESSAGE_MAX); /* unknown shape: the raw text */

    int32_t hr = hresult;
    if (ZH_SUCCEEDED(hr))
        hr = (has_hr && ZH_FAILED(doc_hr)) ? doc_hr : ZH_E_FAIL;
    if (!msg) {
        const zh_hresult_info *info = zh_hresult_lookup(hr);
        msg = zh_strdup(info ? info->name : "the call failed without a message");
    }
    char *doc = has_doc ? zh_strdup(document) : NULL;
    if (has_doc && !doc) {
        free(msg);
        return zh_error_put(err, &oom_error);
    }
    return zh_error_put(err, alloc_error(hr, zh_hresult_category(hr), function, msg, doc));
}

void zh_error_free(zh_error *e)
{
    if (!e || e->is_static)
        return;
    free(e->message);
    free(e->function);
    free(e->document);
    free(e);
}

int32_t zh_error_hresult(const zh_error *e)
{
    return e ? e->hresult : 0;
}

zh_category zh_error_category(const zh_error *e)
{
    return e ? e->category : ZH_CAT_NONE;
}

const char *zh_error_message(const zh_error *e)
{
    return (e && e->message) ? e->message : "";
}

const char *zh_error_function(const zh_error *e)
{
    return (e && e->function) ? e->function : "";
}

const char *zh_error_document(const zh_error *e)
{
    return e ? e->document : NULL;
}

size_t zh_error_format(const zh_error *e, char *buf, size_t size)
{
    char hr[96];
    zh_hresult_describe(zh_error_hresult(e), hr, sizeof hr);
    const char *fn = zh_error_function(e);
    const char *msg = zh_error_message(e);
    int n = snprintf(buf, size, "%s%s%s%s%s", fn, *fn ? ": " : "", hr, *msg ? ": " : "", msg);
    return n < 0 ? 0 : (size_t)n;
}

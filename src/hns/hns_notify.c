/* SPDX-License-Identifier: MIT */
/* hns_notify.c - zhns_notify_*: HCN service notifications with (callback, context,
 * context_free).
 *
 * The public zhns_notify * is a handle value (HNS_T_NOTIFY), so unregistering twice, or
 * passing a bogus or other handle, does nothing. HCN's callback context is that handle
 * value too, never a pointer: Microsoft does not promise that HcnUnregisterServiceCallback
 * waits for a callback in flight, nor that callbacks come one at a time, so a late
 * invocation looks the registration up in the handle table (taking a reference) and finds
 * nothing once it is unregistered. The callbacks of one registration run one at a time
 * (call_lock); zhns_notify_unregister from another thread waits for the one running, and
 * from inside the callback it cannot wait for itself: then the invocation in flight holds a
 * reference, and whichever of the two lets go last runs context_free and frees the struct. */
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_json.h"
#include "zh_str.h"
#include "zh_utf.h"

typedef struct hns_notify {
    zh_refcount ref;          /* the registration + each invocation in flight */
    hns_service *svc;         /* a reference */
    zh_hcn_callback raw;      /* HCN's registration */
    zhns_notify_fn fn;
    void *ctx;
    void (*ctx_free)(void *);
    zh_atomic ended;          /* set by unregister: no more calls of fn */
    uintptr_t handle;         /* the public handle, HCN's context */
    zh_mutex call_lock;       /* held while fn runs: one invocation at a time */
    zh_mutex state_lock;      /* guards running_thread and inflight */
    uint64_t running_thread;  /* the thread inside fn, 0 when none */
    int inflight;             /* trampolines holding the registration (taken with the handle) */
    zh_cond idle;             /* inflight reached 0 */
} hns_notify;

static void drop(hns_notify *n)
{
    if (!zh_ref_put(&n->ref))
        return;
    /* nothing can call fn any more: the context is the caller's to release */
    if (n->ctx_free)
        n->ctx_free(n->ctx);
    hns_service_unref(n->svc);
    zh_mutex_destroy(&n->call_lock);
    zh_mutex_destroy(&n->state_lock);
    zh_cond_destroy(&n->idle);
    free(n);
}

/* Under the handle table's lock: a trampoline takes the registration, and counts itself in
 * flight in the same step, so that an unregister that follows sees it. */
static void ref_notify(void *obj)
{
    hns_notify *n = obj;
    zh_ref_get(&n->ref);
    zh_mutex_lock(&n->state_lock);
    n->inflight++;
    zh_mutex_unlock(&n->state_lock);
}

static void trampoline_done(hns_notify *n)
{
    zh_mutex_lock(&n->state_lock);
    if (--n->inflight == 0)
        zh_cond_broadcast(&n->idle);
    zh_mutex_unlock(&n->state_lock);
    drop(n);
}

/* The object id in {"ID": "..."}; NULL when there is none. */
static char *data_id(const char *data)
{
    if (!data)
        return NULL;
    zh_arena a = {0};
    zh_jv *root = zh_json_parse(&a, data, strlen(data), "notification", NULL);
    char *id = NULL;
    for (const zh_jv *m = root && root->type == ZH_JOBJECT ? root->first : NULL; m && !id; m = m->next) {
        if (m->key_len == 2 && (m->key[0] | 0x20) == 'i' && (m->key[1] | 0x20) == 'd' && m->type == ZH_JSTRING) {
            char buf[ZH_GUID_BUFSIZE], *s = zh_strndup(m->str, m->str_len);
            zh_guid g;
            if (s && zh_guid_parse(s, &g, NULL) == 0) {
                free(s);
                s = zh_strdup(zh_guid_format(&g, ZH_GUID_LOWER, buf));
            }
            id = s;
        }
    }
    zh_arena_free(&a);
    return id;
}

/* Runs on HCN's thread. `data` stays HCN's: it is only read here. */
static void ZH_WINAPI trampoline(zh_dword type, void *context, zh_hresult status, const zh_wchar *data)
{
    /* the context is the handle value: an unregistered one resolves to nothing */
    hns_notify *n = zh_handle_get((uintptr_t)context, HNS_T_NOTIFY, ref_notify);
    if (!n)
        return;
    char *text = NULL;
    if (data && zh_utf16_to_utf8((const uint16_t *)data, ZH_NUL_TERMINATED, &text, NULL, "notification", NULL) < 0)
        text = NULL;
    char *id = data_id(text);
    zhns_notification ev = {type, status, id, text};
    zh_mutex_lock(&n->call_lock);
    if (!zh_atomic_load(&n->ended)) {
        zh_mutex_lock(&n->state_lock);
        n->running_thread = zh_thread_self_id();
        zh_mutex_unlock(&n->state_lock);
        n->fn(&ev, n->ctx);
        zh_mutex_lock(&n->state_lock);
        n->running_thread = 0;
        zh_mutex_unlock(&n->state_lock);
    }
    zh_mutex_unlock(&n->call_lock);
    free(id);
    free(text);
    trampoline_done(n);
}

int zhns_notify_register(zhns_notify **out, zhns_service *svc, zhns_notify_fn callback, void *context,
                         void (*context_free)(void *context), zhns_error **err)
{
    static const char fn[] = "zhns_notify_register";
    if (!out)
        return hns_bad_arg(err, fn, "out is NULL");
    *out = NULL;
    if (!callback)
        return hns_bad_arg(err, fn, "the callback is NULL");
    HNS_SERVICE(s, svc, fn, err);
    int rc = -1;
    hns_notify *n = NULL;
    zh_raw_HcnRegisterServiceCallback_fn reg = ZH_HCN(s->lib, HcnRegisterServiceCallback, err);
    if (!reg)
        goto done;
    hns_pin_hcn_module(); /* its callback threads outlive any service close */
    n = calloc(1, sizeof *n);
    if (!n) {
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
        goto done;
    }
    zh_ref_init(&n->ref);
    zh_atomic_init(&n->ended, 0);
    zh_mutex_init(&n->call_lock);
    zh_mutex_init(&n->state_lock);
    zh_cond_init(&n->idle);
    n->svc = hns_service_ref(s);
    n->fn = callback;
    n->ctx = context;
    n->ctx_free = context_free;
    uintptr_t h = zh_handle_register(n, HNS_T_NOTIFY);
    if (!h) {
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of handles");
        n->ctx_free = NULL; /* the context stays the caller's */
        drop(n);
        goto done;
    }
    n->handle = h;
    /* HCN's context is the handle value; should the registration fail, the context stays
     * the caller's */
    zh_hresult hr = reg(trampoline, (void *)h, &n->raw);
    if (ZH_FAILED(hr) || !n->raw) {
        zh_error_set_cat(err, ZH_FAILED(hr) ? hr : ZH_E_UNEXPECTED, ZH_FAILED(hr) ? zh_hresult_category(hr) : ZH_CAT_OTHER,
                         "HcnRegisterServiceCallback", "cannot register for service notifications");
        zh_handle_unregister(h, HNS_T_NOTIFY);
        zh_atomic_store(&n->ended, 1);
        n->ctx_free = NULL;
        drop(n);
        goto done;
    }
    *out = (zhns_notify *)h;
    rc = 0;
done:
    hns_service_unref(s);
    return rc;
}

void zhns_notify_unregister(zhns_notify *reg)
{
    /* NULL, a second call, a bogus value or another kind of handle: not a live registration */
    hns_notify *n = zh_handle_unregister((uintptr_t)reg, HNS_T_NOTIFY);
    if (!n || !zh_atomic_cas(&n->ended, 0, 1))
        return;
    zh_raw_HcnUnregisterServiceCallback_fn unreg = ZH_HCN(n->svc->lib, HcnUnregisterServiceCallback, NULL);
    /* from another thread this waits for invocations in flight; from inside the callback
     * it cannot, and that invocation's reference keeps the struct until it returns */
    if (unreg)
        unreg(n->raw);
    /* HCN may not have waited for a callback in flight (a pool may even be about to start
     * one): wait until no trampoline holds the registration, so that context_free runs
     * here - unless this is a callback's own thread (it cannot wait for itself; the last
     * trampoline to finish then frees the context) */
    zh_mutex_lock(&n->state_lock);
    int inside = n->running_thread == zh_thread_self_id();
    while (!inside && n->inflight > 0)
        zh_cond_wait(&n->idle, &n->state_lock);
    zh_mutex_unlock(&n->state_lock);
    drop(n);
}

const char *zhns_notification_type_name(uint32_t type)
{
    switch (type) {
    case ZHNS_NOTIFY_NETWORK_PRE_CREATE: return "network-pre-create";
    case ZHNS_NOTIFY_NETWORK_CREATE: return "network-create";
    case ZHNS_NOTIFY_NETWORK_PRE_DELETE: return "network-pre-delete";
    case ZHNS_NOTIFY_NETWORK_DELETE: return "network-delete";
    case ZHNS_NOTIFY_NAMESPACE_CREATE: return "namespace-create";
    case ZHNS_NOTIFY_NAMESPACE_DELETE: return "namespace-delete";
    case ZHNS_NOTIFY_GUEST_NETWORK_SERVICE_CREATE: return "guest-network-service-create";
    case ZHNS_NOTIFY_GUEST_NETWORK_SERVICE_DELETE: return "guest-network-service-delete";
    case ZHNS_NOTIFY_NETWORK_ENDPOINT_ATTACHED: return "network-endpoint-attached";
    case ZHNS_NOTIFY_NETWORK_ENDPOINT_DETACHED: return "network-endpoint-detached";
    case ZHNS_NOTIFY_GUEST_NETWORK_SERVICE_STATE_CHANGED: return "guest-network-service-state-changed";
    case ZHNS_NOTIFY_GUEST_NETWORK_SERVICE_INTERFACE_STATE_CHANGED: return "guest-network-service-interface-state-changed";
    case ZHNS_NOTIFY_SERVICE_DISCONNECT: return "service-disconnect";
    default: return "unknown";
    }
}

/* SPDX-License-Identifier: MIT */
/* hns_features.c - the HNS version (vmcompute.dll's HNSCall, or the simulator's) and the
 * table of features by version. */
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_json.h"
#include "zh_utf.h"

#define ANY UINT32_MAX

/* A feature is present in any of up to five version ranges [from, to], inclusive. */
typedef struct range {
    zhns_hns_version from, to;
} range;

typedef struct feature_info {
    const char *name;
    const char *versions; /* for messages */
    range ranges[5];
} feature_info;

#define FROM(a, b) {{a, b}, {ANY, ANY}}
#define SPAN(a, b, c, d) {{a, b}, {c, d}}

static const feature_info features[ZHNS_FEATURE_COUNT] = {
    [ZHNS_FEATURE_ACL] = {"acl", "7.2 and later", {FROM(7, 2)}},
    [ZHNS_FEATURE_API_V2] = {"api-v2", "9.2 and later", {FROM(9, 2)}},
    [ZHNS_FEATURE_REMOTE_SUBNET] = {"remote-subnet", "9.2 and later", {FROM(9, 2)}},
    [ZHNS_FEATURE_HOST_ROUTE] = {"host-route", "9.2 and later", {FROM(9, 2)}},
    [ZHNS_FEATURE_DSR] = {"dsr", "9.3 to 9.x, 10.2 and later", {SPAN(9, 3, 9, ANY), FROM(10, 2)}},
    [ZHNS_FEATURE_SLASH32_ENDPOINT_PREFIXES] = {"slash32-endpoint-prefixes", "9.3 to 9.x, 10.4 and later",
                                                {SPAN(9, 3, 9, ANY), FROM(10, 4)}},
    [ZHNS_FEATURE_ACL_PROTOCOL_252] = {"acl-protocol-252", "11.0 and later", {FROM(11, 0)}},
    [ZHNS_FEATURE_SESSION_AFFINITY] = {"session-affinity", "12.0 and later", {FROM(12, 0)}},
    [ZHNS_FEATURE_IPV6_DUAL_STACK] = {"ipv6-dual-stack", "11.10 and later", {FROM(11, 10)}},
    [ZHNS_FEATURE_SET_POLICY] = {"set-policy", "13.0 and later", {FROM(13, 0)}},
    [ZHNS_FEATURE_VXLAN_PORT] = {"vxlan-port", "10.3 and later", {FROM(10, 3)}},
    [ZHNS_FEATURE_L4_PROXY] = {"l4-proxy", "9.5 to 9.x, 10.5 to 10.x, 11.11 to 11.x, 12.1 to 12.x, 13.1 and later",
                               {SPAN(9, 5, 9, ANY), SPAN(10, 5, 10, ANY), SPAN(11, 11, 11, ANY), SPAN(12, 1, 12, ANY),
                                FROM(13, 1)}},
    [ZHNS_FEATURE_L4_WFP_PROXY] = {"l4-wfp-proxy", "13.2 and later", {FROM(13, 2)}},
    [ZHNS_FEATURE_TIER_ACL] = {"tier-acl", "14.0 and later", {FROM(14, 0)}},
    [ZHNS_FEATURE_NETWORK_ACL] = {"network-acl", "15.0 and later", {FROM(15, 0)}},
    [ZHNS_FEATURE_NESTED_IPSET] = {"nested-ipset", "15.0 and later", {FROM(15, 0)}},
    [ZHNS_FEATURE_DISABLE_HOST_PORT] = {"disable-host-port", "15.1 and later", {FROM(15, 1)}},
    [ZHNS_FEATURE_MODIFY_LOAD_BALANCER] = {"modify-load-balancer", "15.4 and later", {FROM(15, 4)}},
    [ZHNS_FEATURE_ACCELNET] = {"accelnet", "15.4 and later", {FROM(15, 4)}},
};

static int version_cmp(zhns_hns_version a, zhns_hns_version b)
{
    if (a.major != b.major)
        return a.major < b.major ? -1 : 1;
    return a.minor < b.minor ? -1 : a.minor > b.minor;
}

static bool known(zhns_feature f)
{
    return (int)f >= 0 && (int)f < ZHNS_FEATURE_COUNT;
}

bool zhns_version_supports(zhns_hns_version version, zhns_feature feature)
{
    if (!known(feature))
        return false;
    for (size_t i = 0; i < 5; i++) {
        const range *r = &features[feature].ranges[i];
        if (r->from.major == 0 && r->from.minor == 0)
            break; /* the unused rest */
        if (version_cmp(version, r->from) >= 0 && version_cmp(version, r->to) <= 0)
            return true;
    }
    return false;
}

const char *zhns_feature_name(zhns_feature feature)
{
    return known(feature) ? features[feature].name : "unknown";
}

/* ---------------------------------------------------------------- the version */
/* HNSCall's answer: {"Success": true, "Error": "", "Output": {"Major": M, "Minor": m}}. */
static int parse_version(const char *text, zhns_hns_version *out, zh_error **err)
{
    static const char fn[] = "HNSCall";
    zh_arena a = {0};
    zh_error *e = NULL;
    zh_jv *root = zh_json_parse(&a, text, strlen(text), "HNSCall's answer", &e);
    const zh_jv *success = NULL, *error = NULL, *output = NULL;
    for (const zh_jv *m = root && root->type == ZH_JOBJECT ? root->first : NULL; m; m = m->next) {
        if (m->key_len == 7 && memcmp(m->key, "Success", 7) == 0)
            success = m;
        else if (m->key_len == 5 && memcmp(m->key, "Error", 5) == 0)
            error = m;
        else if (m->key_len == 6 && memcmp(m->key, "Output", 6) == 0)
            output = m;
    }
    int rc = 0;
    if (!root || root->type != ZH_JOBJECT) {
        rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, fn, "the answer is not a JSON object%s%s",
                              e ? ": " : "", e ? zh_error_message(e) : "");
    } else if (!success || success->type != ZH_JTRUE) {
        /* hosts older than Windows 10 1803 have no version to give */
        int has_why = error && error->type == ZH_JSTRING && error->str_len > 0;
        rc = zh_error_set_cat(err, ZH_E_NOT_SUPPORTED, ZH_CAT_UNSUPPORTED, fn,
                              "the host does not report its HNS version (%.*s)",
                              has_why ? (int)(error->str_len > 200 ? 200 : error->str_len) : 15,
                              has_why ? error->str : "no reason given");
    } else {
        uint64_t major = 0, minor = 0;
        int have = 0;
        for (const zh_jv *m = output && output->type == ZH_JOBJECT ? output->first : NULL; m; m = m->next) {
            if (m->key_len == 5 && memcmp(m->key, "Major", 5) == 0 && zh_json_uint64(m, UINT32_MAX, &major) == 0)
                have |= 1;
            if (m->key_len == 5 && memcmp(m->key, "Minor", 5) == 0 && zh_json_uint64(m, UINT32_MAX, &minor) == 0)
                have |= 2;
        }
        if (have != 3)
            rc = zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, fn,
                                  "$.Output: expected {\"Major\": integer, \"Minor\": integer}");
        else
            out->major = (uint32_t)major, out->minor = (uint32_t)minor;
    }
    zh_error_free(e);
    zh_arena_free(&a);
    return rc;
}

/* One HNSCall (vmcompute.dll's, or the simulator's): its HRESULT and its answer as UTF-8
 * (NULL when there was none or it was not UTF-16). 0 when the call was made, -1 (err set)
 * when it could not be. */
static int hnscall(hns_service *svc, const char *method, const char *path, zh_hresult *hr, char **text,
                   const char *function, zh_error **err)
{
    *text = NULL;
    zh_svc_hnscall_fn call = NULL;
    zh_raw_free_fn free_response = NULL;
    int rc = zh_svc_is_sim(svc->svc) ? zh_svc_sim_hnscall(svc->svc, &call, &free_response, function, err)
                                     : hns_host_hnscall(&call, &free_response, function, err);
    if (rc < 0)
        return -1;
    zh_wchar *m = hns_wide(method, "method", "HNSCall", err), *p = hns_wide(path, "path", "HNSCall", err);
    zh_wchar *r = hns_wide("", "request", "HNSCall", err);
    rc = -1;
    if (m && p && r) {
        zh_wchar *response = NULL;
        /* the response is the service's; freed here with its own allocator */
        *hr = call(m, p, r, &response);
        if (response && zh_utf16_to_utf8((const uint16_t *)response, ZH_NUL_TERMINATED, text, NULL, "HNSCall's answer",
                                         NULL) < 0)
            *text = NULL;
        if (response)
            free_response(response);
        rc = 0;
    }
    free(m);
    free(p);
    free(r);
    return rc;
}

static int ask_version(hns_service *svc, zhns_hns_version *out, const char *function, zh_error **err)
{
    zh_hresult hr = 0;
    char *text = NULL;
    if (hnscall(svc, "GET", "/globals/version", &hr, &text, function, err) < 0)
        return -1;
    int rc = -1;
    if (ZH_FAILED(hr))
        zh_error_set_cat(err, hr, zh_hresult_category(hr), "HNSCall", "GET /globals/version failed");
    else if (!text)
        zh_error_set_cat(err, ZH_E_UNEXPECTED, ZH_CAT_OTHER, "HNSCall", "GET /globals/version answered nothing");
    else
        rc = parse_version(text, out, err);
    free(text);
    return rc;
}

int hns_v1_call(hns_service *svc, const char *method, const char *path, char **output, const char *function,
                zh_error **err)
{
    *output = NULL;
    zh_hresult hr = 0;
    char *text = NULL;
    if (hnscall(svc, method, path, &hr, &text, function, err) < 0)
        return -1;
    int rc = -1;
    zh_arena a = {0};
    zh_jv *root = text ? zh_json_parse(&a, text, strlen(text), "HNSCall's answer", NULL) : NULL;
    const zh_jv *ok = NULL, *msg = NULL, *outp = NULL;
    for (const zh_jv *x = root && root->type == ZH_JOBJECT ? root->first : NULL; x; x = x->next) {
        if (x->key_len == 7 && memcmp(x->key, "Success", 7) == 0)
            ok = x;
        else if (x->key_len == 5 && memcmp(x->key, "Error", 5) == 0)
            msg = x;
        else if (x->key_len == 6 && memcmp(x->key, "Output", 6) == 0)
            outp = x;
    }
    if (ZH_FAILED(hr))
        zh_error_set_cat(err, hr, zh_hresult_category(hr), "HNSCall", "%s %s failed", method, path);
    else if (!root)
        zh_error_set_cat(err, ZH_E_INVALID_DATA, ZH_CAT_INVALID_JSON, "HNSCall", "%s %s: the answer is not JSON",
                         method, path);
    else if (!ok || ok->type != ZH_JTRUE)
        zh_error_set_cat(err, ZH_E_FAIL, ZH_CAT_OTHER, "HNSCall", "%s %s: %.*s", method, path,
                         msg && msg->type == ZH_JSTRING ? (int)msg->str_len : 6,
                         msg && msg->type == ZH_JSTRING ? msg->str : "failed");
    else if (!(*output = outp ? zh_strndup(outp->raw, outp->raw_len) : zh_strdup("null")))
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "HNSCall", "out of memory");
    else
        rc = 0;
    zh_arena_free(&a);
    free(text);
    return rc;
}

int hns_version_get(zhns_hns_version *out, hns_service *svc, const char *function, zh_error **err)
{
    zh_mutex_lock(&svc->lock);
    bool cached = svc->version_known;
    zhns_hns_version v = svc->version;
    zh_mutex_unlock(&svc->lock);
    if (!cached) {
        if (ask_version(svc, &v, function, err) < 0)
            return -1;
        zh_mutex_lock(&svc->lock);
        svc->version = v;
        svc->version_known = true;
        zh_mutex_unlock(&svc->lock);
    }
    *out = v;
    return 0;
}

int zhns_hns_version_get(zhns_hns_version *out, zhns_service *svc, zhns_error **err)
{
    static const char fn[] = "zhns_hns_version_get";
    if (!out)
        return hns_bad_arg(err, fn, "out is NULL");
    out->major = out->minor = 0;
    HNS_SERVICE(s, svc, fn, err);
    int rc = hns_version_get(out, s, fn, err);
    hns_service_unref(s);
    return rc;
}

int zhns_feature_supported(bool *supported, zhns_service *svc, zhns_feature feature, zhns_error **err)
{
    static const char fn[] = "zhns_feature_supported";
    if (!supported)
        return hns_bad_arg(err, fn, "supported is NULL");
    *supported = false;
    if (!known(feature))
        return hns_bad_arg(err, fn, "feature %d is not one this library knows", (int)feature);
    HNS_SERVICE(s, svc, fn, err);
    zhns_hns_version v;
    int rc = hns_version_get(&v, s, "zhns_hns_version_get", err);
    if (rc == 0)
        *supported = zhns_version_supports(v, feature);
    hns_service_unref(s);
    return rc;
}

int hns_feature_require(hns_service *svc, zhns_feature feature, const char *function, zh_error **err)
{
    if (!known(feature))
        return hns_bad_arg(err, function, "feature %d is not one this library knows", (int)feature);
    zhns_hns_version v;
    if (hns_version_get(&v, svc, "zhns_hns_version_get", err) < 0)
        return -1;
    if (zhns_version_supports(v, feature))
        return 0;
    return zh_error_set_cat(err, ZH_E_NOT_SUPPORTED, ZH_CAT_UNSUPPORTED, function,
                            "%s needs HNS %s; this host runs HNS %lu.%lu", features[feature].name,
                            features[feature].versions, (unsigned long)v.major, (unsigned long)v.minor);
}

int zhns_feature_require(zhns_service *svc, zhns_feature feature, zhns_error **err)
{
    static const char fn[] = "zhns_feature_require";
    if (!known(feature))
        return hns_bad_arg(err, fn, "feature %d is not one this library knows", (int)feature);
    HNS_SERVICE(s, svc, fn, err);
    int rc = hns_feature_require(s, feature, fn, err);
    hns_service_unref(s);
    return rc;
}

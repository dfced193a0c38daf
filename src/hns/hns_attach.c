/* SPDX-License-Identifier: MIT */
/* hns_attach.c - zhns_attachment_*: an endpoint plus a namespace holding it, made and unmade
 * as one (create_overlay / teardown), and crash recovery by owner tag (list_owned,
 * delete_endpoint_and_namespace, cleanup_owner). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_json.h"
#include "zh_str.h"
#include "zh_utf.h"

typedef struct hns_attachment {
    hns_obj o;               /* first: an attachment is a handle object like the others */
    zh_mutex lock;           /* serialises teardowns */
    bool torn_down;
    bool endpoint_gone, namespace_gone; /* teardown steps done (a retry resumes after them) */
    hns_obj *ep, *ns;        /* the open endpoint and namespace: their handles (lent out by
                              * zhns_attachment_endpoint/namespace) and a reference of ours,
                              * so that a borrowed handle closed by mistake frees nothing */
    char endpoint_id[ZH_GUID_BUFSIZE];
    char namespace_id[ZH_GUID_BUFSIZE];
    char *ip;
    uint8_t prefix_length;
    char *owner;
} hns_attachment;

static void attachment_dtor(hns_obj *o)
{
    hns_attachment *a = (hns_attachment *)o;
    hns_obj_close(a->ep);
    hns_obj_close(a->ns);
    zh_mutex_destroy(&a->lock);
    free(a->ip);
    free(a->owner);
}

/* ---------------------------------------------------------------- owner tags in ids
 * HNS may drop a document's Owner member (hcsshim's structs have none) or ignore a filter on
 * it, but it keeps ids. So create_overlay's ids carry the owner: 8 random bytes (the nonce)
 * then 8 bytes of a hash of (role, owner, nonce), role 'E' for the endpoint and 'N' for the
 * namespace, both from one nonce. An id is the owner's when its second half is the hash of
 * its first - exact, never by prefix; another object matching by chance has odds of 2^-64. */
static uint64_t tag_hash(const char *owner, char role, const uint8_t nonce[8])
{
    uint64_t h = 1469598103934665603ull;
    h = (h ^ (uint8_t)role) * 1099511628211ull;
    for (const char *p = owner; *p; p++)
        h = (h ^ (uint8_t)*p) * 1099511628211ull;
    h = (h ^ 0xFF) * 1099511628211ull; /* the owner's end: "ab"+nonce is not "a"+"b"... */
    for (int i = 0; i < 8; i++)
        h = (h ^ nonce[i]) * 1099511628211ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

static void tag_make(char out[ZH_GUID_BUFSIZE], const char *owner, char role, const uint8_t nonce[8])
{
    uint8_t raw[16];
    memcpy(raw, nonce, 8);
    uint64_t h = tag_hash(owner, role, nonce);
    for (int i = 0; i < 8; i++)
        raw[8 + i] = (uint8_t)(h >> (8 * i));
    zh_guid g;
    memcpy(&g, raw, sizeof g);
    zh_guid_format(&g, ZH_GUID_LOWER, out);
}

/* Is `id` (any case) an id create_overlay made for `owner` in `role`? Its nonce then. */
static int tag_is(const char *owner, char role, const char *id, uint8_t nonce[8])
{
    zh_guid g;
    if (!id || zh_guid_parse(id, &g, NULL) < 0)
        return 0;
    uint8_t raw[16];
    memcpy(raw, &g, sizeof raw);
    uint64_t h = tag_hash(owner, role, raw);
    for (int i = 0; i < 8; i++)
        if (raw[8 + i] != (uint8_t)(h >> (8 * i)))
            return 0;
    if (nonce)
        memcpy(nonce, raw, 8);
    return 1;
}

/* ---------------------------------------------------------------- create_overlay */
static int check_strings(const char *const *items, size_t count, const char *what, const char *fn, zh_error **err)
{
    if (count && !items)
        return hns_bad_arg(err, fn, "%s_count is %zu but %s is NULL", what, count, what);
    for (size_t i = 0; i < count; i++)
        if (!items[i])
            return hns_bad_arg(err, fn, "%s[%zu] is NULL", what, i);
    return 0;
}

static int check_options(const zhns_overlay_options *opts, const char *fn, zh_error **err)
{
    if (!opts)
        return hns_bad_arg(err, fn, "the options are NULL (start from ZHNS_OVERLAY_OPTIONS_INIT)");
    if (opts->version < 1 || opts->version > ZHNS_OVERLAY_OPTIONS_VERSION)
        return hns_bad_arg(err, fn, "options version %u is not one this library knows (1..%d)", opts->version,
                           ZHNS_OVERLAY_OPTIONS_VERSION);
    size_t bad;
    if (!opts->owner || !*opts->owner)
        return hns_bad_arg(err, fn, "the owner tag is missing: crash recovery finds attachments by owner");
    if (zh_utf8_validate(opts->owner, strlen(opts->owner), &bad) < 0)
        return hns_bad_arg(err, fn, "the owner is not valid UTF-8 (byte %zu)", bad);
    if (opts->policy_count && !opts->policies)
        return hns_bad_arg(err, fn, "policy_count is %zu but policies is NULL", opts->policy_count);
    if (opts->prefix_length && !opts->ip_address)
        return hns_bad_arg(err, fn, "prefix_length is set without ip_address");
    return check_strings(opts->dns_servers, opts->dns_server_count, "dns_servers", fn, err) < 0 ||
                   check_strings(opts->dns_search, opts->dns_search_count, "dns_search", fn, err) < 0
               ? -1
               : 0;
}

static char *endpoint_document(const zhns_overlay_options *opts, const char *id, const char *network_id,
                               zh_error **err)
{
    zhns_Version schema = {true, 2, true, 0, NULL, 0};
    zhns_IpConfig ip = {0};
    ip.IpAddress = (char *)opts->ip_address;
    ip.has_PrefixLength = opts->prefix_length != 0;
    ip.PrefixLength = opts->prefix_length;
    zhns_Route route = {0};
    route.NextHop = (char *)opts->gateway;
    /* the default route of the gateway's family: an IPv6 next hop routes ::/0 */
    route.DestinationPrefix = opts->gateway && strchr(opts->gateway, ':') ? "::/0" : "0.0.0.0/0";
    zhns_DNS dns = {0};
    dns.ServerList = (char **)opts->dns_servers;
    dns.ServerList_count = opts->dns_server_count;
    dns.Search = (char **)opts->dns_search;
    dns.Search_count = opts->dns_search_count;
    dns.Domain = (char *)opts->dns_domain;
    zhns_HostComputeEndpoint e = {0};
    e.ID = (char *)id;
    e.Name = (char *)opts->name;
    e.Owner = (char *)opts->owner;
    e.SchemaVersion = &schema;
    e.HostComputeNetwork = (char *)network_id;
    e.IpConfigurations = opts->ip_address ? &ip : NULL;
    e.IpConfigurations_count = opts->ip_address ? 1 : 0;
    e.Routes = opts->gateway ? &route : NULL;
    e.Routes_count = opts->gateway ? 1 : 0;
    e.Dns = opts->dns_server_count || opts->dns_search_count || opts->dns_domain ? &dns : NULL;
    e.Policies = (zhns_EndpointPolicy *)opts->policies;
    e.Policies_count = opts->policy_count;
    e.MacAddress = (char *)opts->mac_address;
    return zhns_HostComputeEndpoint_emit(&e, err);
}

static char *namespace_document(const char *owner, const char *id, zh_error **err)
{
    zhns_Version schema = {true, 2, true, 0, NULL, 0};
    zhns_HostComputeNamespace ns = {0};
    ns.ID = (char *)id;
    ns.Owner = (char *)owner;
    ns.SchemaVersion = &schema;
    ns.has_Type = true;
    ns.Type = ZHNS_NAMESPACETYPE_HOST;
    return zhns_HostComputeNamespace_emit(&ns, err);
}

/* Adds "; <note>" to the error's message, keeping its code, category and function. */
static void annotate(zh_error **err, const char *note)
{
    if (!err || !*err)
        return;
    zh_error *e = *err;
    *err = NULL;
    zh_error_set_cat(err, zh_error_hresult(e), zh_error_category(e), zh_error_function(e), "%s; %s",
                     zh_error_message(e), note);
    zh_error_free(e);
}

static int detach(hns_obj *ns, const char *endpoint_id, const char *fn, zh_error **err);

/* Undoes what a failed create made, in the reverse order of making it: the endpoint out of
 * the namespace (when it got in), the endpoint, the namespace. Each step is tried whatever
 * the one before did (not found counts as gone); notes what stays. */
static void roll_back(hns_service *svc, hns_obj *ns, const char *ep_id, const char *ns_id, zh_error **err)
{
    static const char fn[] = "zhns_attachment_create_overlay";
    char note[300] = "";
    if (ns && ep_id)
        detach(ns, ep_id, fn, NULL); /* a failure here is no reason to stop: deletes follow */
    if (ep_id && hns_obj_delete(svc, HNS_ENDPOINT, ep_id, fn, NULL) < 0)
        snprintf(note, sizeof note, "the rollback could not delete endpoint %s", ep_id);
    if (ns_id && hns_obj_delete(svc, HNS_NAMESPACE, ns_id, fn, NULL) < 0)
        snprintf(note + strlen(note), sizeof note - strlen(note), "%sthe rollback could not delete namespace %s",
                 *note ? "; " : "", ns_id);
    if (*note)
        annotate(err, note);
}

int zhns_attachment_create_overlay(zhns_attachment **out, zhns_network *net, const zhns_overlay_options *opts,
                                   zhns_error **err)
{
    static const char fn[] = "zhns_attachment_create_overlay";
    if (!out)
        return hns_bad_arg(err, fn, "out is NULL");
    *out = NULL;
    if (check_options(opts, fn, err) < 0)
        return -1;
    HNS_ACQUIRE(n, net, HNS_NETWORK, fn, err);
    hns_service *svc = n->svc;
    hns_attachment *a = calloc(1, sizeof *a);
    zh_guid ep_guid, ns_guid;
    char *doc = NULL;
    int rc = -1;
    const char *made_ep = NULL, *made_ns = NULL;
    if (!a) {
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
        goto done;
    }
    zh_mutex_init(&a->lock);
    zh_guid nonce_guid;
    if (zh_guid_random(&nonce_guid, err) < 0 || !(a->owner = zh_strdup(opts->owner))) {
        if (!a->owner)
            zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
        goto done;
    }
    uint8_t nonce[8];
    memcpy(nonce, &nonce_guid, sizeof nonce);
    tag_make(a->endpoint_id, opts->owner, 'E', nonce);
    tag_make(a->namespace_id, opts->owner, 'N', nonce);
    if (zh_guid_parse(a->endpoint_id, &ep_guid, err) < 0 || zh_guid_parse(a->namespace_id, &ns_guid, err) < 0)
        goto done;

    /* 1. the endpoint (HcnCreateEndpoint) */
    if (!(doc = endpoint_document(opts, a->endpoint_id, n->id, err)) ||
        hns_obj_create(&a->ep, svc, HNS_ENDPOINT, n, doc, fn, err) < 0)
        goto done;
    made_ep = a->endpoint_id;
    /* 2. the address HCN gave it (HcnQueryEndpointProperties) */
    char *props = NULL;
    if (hns_obj_query(&props, a->ep, NULL, fn, err) < 0)
        goto done;
    zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(props, ZHNS_NUL_TERMINATED, err);
    free(props);
    if (!e)
        goto done;
    if (e->IpConfigurations_count && e->IpConfigurations[0].IpAddress) {
        a->ip = zh_strdup(e->IpConfigurations[0].IpAddress);
        a->prefix_length = e->IpConfigurations[0].has_PrefixLength ? e->IpConfigurations[0].PrefixLength : 0;
    } else {
        a->ip = zh_strdup(""); /* e.g. a DHCP network: the address comes later */
    }
    zhns_HostComputeEndpoint_free(e);
    if (!a->ip) {
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
        goto done;
    }
    /* 3. the namespace (HcnCreateNamespace) */
    free(doc);
    if (!(doc = namespace_document(opts->owner, a->namespace_id, err)) ||
        hns_obj_create(&a->ns, svc, HNS_NAMESPACE, NULL, doc, fn, err) < 0)
        goto done;
    made_ns = a->namespace_id;
    /* 4. the endpoint into it (HcnModifyNamespace) */
    char req[200];
    snprintf(req, sizeof req, "{\"ResourceType\":\"Endpoint\",\"RequestType\":\"Add\",\"Settings\":{\"EndpointId\":\"%s\"}}",
             a->endpoint_id);
    if (hns_obj_modify(a->ns, req, NULL, fn, err) < 0)
        goto done;
    a->o.dtor = attachment_dtor;
    if (hns_obj_add(&a->o, svc, HNS_ATTACHMENT, NULL, &ep_guid, fn, err) < 0)
        goto done;
    *out = (zhns_attachment *)hns_obj_publish(&a->o);
    a = NULL;
    rc = 0;
done:
    if (a) {
        if (made_ep || made_ns)
            roll_back(svc, a->ns, made_ep, made_ns, err);
        attachment_dtor(&a->o);
        free(a);
    }
    free(doc);
    hns_obj_release(n);
    return rc;
}

/* ---------------------------------------------------------------- accessors */
static hns_attachment *peek(const zhns_attachment *att)
{
    /* a getter: a live attachment's fields never change and live until its close, so no
     * reference is kept (as for the ids of hns_obj_id) */
    return zh_handle_get((uintptr_t)att, HNS_T_BASE + HNS_ATTACHMENT, NULL);
}

const char *zhns_attachment_endpoint_id(const zhns_attachment *att)
{
    hns_attachment *a = peek(att);
    return a ? a->endpoint_id : "";
}

const char *zhns_attachment_namespace_id(const zhns_attachment *att)
{
    hns_attachment *a = peek(att);
    return a ? a->namespace_id : "";
}

const char *zhns_attachment_ip(const zhns_attachment *att)
{
    hns_attachment *a = peek(att);
    return a ? a->ip : "";
}

uint8_t zhns_attachment_prefix_length(const zhns_attachment *att)
{
    hns_attachment *a = peek(att);
    return a ? a->prefix_length : 0;
}

const char *zhns_attachment_owner(const zhns_attachment *att)
{
    hns_attachment *a = peek(att);
    return a ? a->owner : "";
}

zhns_endpoint *zhns_attachment_endpoint(const zhns_attachment *att)
{
    hns_attachment *a = peek(att);
    return a ? (zhns_endpoint *)a->ep->handle : NULL;
}

zhns_namespace *zhns_attachment_namespace(const zhns_attachment *att)
{
    hns_attachment *a = peek(att);
    return a ? (zhns_namespace *)a->ns->handle : NULL;
}

/* ---------------------------------------------------------------- teardown and cleanup */
/* Detaching is done when the endpoint or namespace is gone, or it was never attached. */
static bool detach_done(const zh_error *e)
{
    return hns_is_gone(HNS_NAMESPACE, e) || hns_is_gone(HNS_ENDPOINT, e) ||
           zh_error_hresult(e) == HCN_E_ENDPOINT_NOT_ATTACHED;
}

static int detach(hns_obj *ns, const char *endpoint_id, const char *fn, zh_error **err)
{
    char req[200];
    snprintf(req, sizeof req, "{\"ResourceType\":\"Endpoint\",\"RequestType\":\"Remove\",\"Settings\":{\"EndpointId\":\"%s\"}}",
             endpoint_id);
    zh_error *e = NULL;
    if (hns_obj_modify(ns, req, NULL, fn, &e) == 0 || detach_done(e)) {
        zh_error_free(e);
        return 0;
    }
    return zh_error_put(err, e);
}

int zhns_attachment_teardown(zhns_attachment *att, zhns_error **err)
{
    static const char fn[] = "zhns_attachment_teardown";
    HNS_ACQUIRE(o, att, HNS_ATTACHMENT, fn, err);
    hns_attachment *a = (hns_attachment *)o;
    zh_mutex_lock(&a->lock);
    int rc = 0;
    if (!a->torn_down) {
        /* Detach, delete the endpoint, delete the namespace: each step is tried even when the
         * one before failed (deleting the endpoint also takes it out of its namespace), and
         * a retry resumes with the steps not done. The first failure is reported. */
        zh_error *first = NULL;
        if (!a->endpoint_gone) {
            zh_error *e = NULL;
            if (detach(a->ns, a->endpoint_id, fn, &e) < 0)
                first = e;
            e = NULL;
            if (hns_obj_delete(o->svc, HNS_ENDPOINT, a->endpoint_id, fn, &e) == 0)
                a->endpoint_gone = true;
            else if (!first)
                first = e;
            else
                zh_error_free(e);
        }
        if (!a->namespace_gone) {
            zh_error *e = NULL;
            if (hns_obj_delete(o->svc, HNS_NAMESPACE, a->namespace_id, fn, &e) == 0)
                a->namespace_gone = true;
            else if (!first)
                first = e;
            else
                zh_error_free(e);
        }
        a->torn_down = a->endpoint_gone && a->namespace_gone;
        if (a->torn_down) {
            zh_error_free(first); /* a failed detach does not matter once both are gone */
        } else {
            rc = -1;
            zh_error_put(err, first);
        }
    }
    zh_mutex_unlock(&a->lock);
    hns_obj_release(o);
    return rc;
}

void zhns_attachment_close(zhns_attachment *att)
{
    hns_obj_close_handle(att, HNS_ATTACHMENT);
}

static int delete_pair(hns_service *svc, const char *endpoint_id, const char *namespace_id, zh_error **err)
{
    static const char fn[] = "zhns_attachment_delete_endpoint_and_namespace";
    char ep[ZH_GUID_BUFSIZE], ns[ZH_GUID_BUFSIZE];
    if (!endpoint_id && !namespace_id)
        return hns_bad_arg(err, fn, "neither an endpoint id nor a namespace id");
    if ((endpoint_id && hns_parse_id(endpoint_id, NULL, ep, "endpoint_id", fn, err) < 0) ||
        (namespace_id && hns_parse_id(namespace_id, NULL, ns, "namespace_id", fn, err) < 0))
        return -1;
    /* every step is tried whatever the one before did; the first failure is reported */
    zh_error *detach_err = NULL, *first = NULL, *e = NULL;
    if (endpoint_id && namespace_id) {
        hns_obj *o = NULL;
        if (hns_obj_open(&o, svc, HNS_NAMESPACE, ns, fn, &e) == 0) {
            detach(o, ep, fn, &e);
            hns_obj_close(o);
        } else if (hns_is_gone(HNS_NAMESPACE, e)) {
            zh_error_free(e);
            e = NULL;
        }
        detach_err = e;
        e = NULL;
    }
    if (endpoint_id && hns_obj_delete(svc, HNS_ENDPOINT, ep, fn, &e) < 0)
        first = e, e = NULL;
    if (namespace_id && hns_obj_delete(svc, HNS_NAMESPACE, ns, fn, &e) < 0 && !first)
        first = e, e = NULL;
    zh_error_free(e);
    if (!first) { /* a failed detach does not matter once both deletes went through */
        zh_error_free(detach_err);
        return 0;
    }
    if (detach_err) { /* the first failure in the order of the steps */
        zh_error_free(first);
        first = detach_err;
    }
    return zh_error_put(err, first);
}

int zhns_attachment_delete_endpoint_and_namespace(zhns_service *svc, const char *endpoint_id, const char *namespace_id,
                                                  zhns_error **err)
{
    HNS_SERVICE(s, svc, "zhns_attachment_delete_endpoint_and_namespace", err);
    int rc = delete_pair(s, endpoint_id, namespace_id, err);
    hns_service_unref(s);
    return rc;
}

void zhns_owned_attachments_free(zhns_owned_attachment *list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) {
        free(list[i].endpoint_id);
        free(list[i].namespace_id);
    }
    free(list);
}

/* A HostComputeQuery whose Filter is {"Owner": owner} (a JSON object carried as a string). */
static char *owner_query(const char *owner, zh_error **err)
{
    zh_buf filter = ZH_BUF_INIT(0);
    zh_buf_puts(&filter, "{\"Owner\":");
    zh_json_write_string(&filter, owner, strlen(owner));
    zh_buf_puts(&filter, "}");
    char *f = zh_buf_take(&filter);
    if (!f) {
        zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, "zhns_attachment_list_owned", "out of memory");
        return NULL;
    }
    zhns_Version schema = {true, 2, true, 0, NULL, 0};
    zhns_HostComputeQuery q = {0};
    q.SchemaVersion = &schema;
    q.has_Flags = true;
    q.Flags = ZHNS_HOSTCOMPUTEQUERYFLAGS_NONE;
    q.Filter = f;
    char *json = zhns_HostComputeQuery_emit(&q, err);
    free(f);
    return json;
}

/* Opens, queries and closes one object (3 raw calls); *doc NULL when it is gone meanwhile. */
static int fetch(char **doc, hns_service *svc, hns_kind kind, const char *id, const char *fn, zh_error **err)
{
    *doc = NULL;
    hns_obj *o = NULL;
    zh_error *e = NULL;
    int rc = hns_obj_open(&o, svc, kind, id, fn, &e);
    if (rc == 0) {
        rc = hns_obj_query(doc, o, NULL, fn, &e);
        hns_obj_close(o);
    }
    if (rc < 0 && hns_is_gone(kind, e)) { /* deleted since the enumeration: not ours to report */
        zh_error_free(e);
        return 0;
    }
    return rc < 0 ? zh_error_put(err, e) : 0;
}

typedef struct owned_list {
    zhns_owned_attachment *items;
    size_t count, cap;
} owned_list;

static int owned_add(owned_list *l, const char *ep, const char *ns)
{
    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        zhns_owned_attachment *n = realloc(l->items, ncap * sizeof *n);
        if (!n)
            return -1;
        l->items = n;
        l->cap = ncap;
    }
    zhns_owned_attachment *it = &l->items[l->count];
    it->endpoint_id = ep ? zh_strdup(ep) : NULL;
    it->namespace_id = ns ? zh_strdup(ns) : NULL;
    if ((ep && !it->endpoint_id) || (ns && !it->namespace_id)) {
        free(it->endpoint_id);
        free(it->namespace_id);
        return -1;
    }
    l->count++;
    return 0;
}

/* Sorted views of the list so far, for lookups in O(log n): the namespaces found through
 * endpoints, and the endpoints without one (by index into the list). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct lone_ep {
    const char *id; /* the endpoint id (owned by the list's entry) */
    size_t index;   /* the entry */
} lone_ep;

static int cmp_lone(const void *a, const void *b)
{
    return strcmp(((const lone_ep *)a)->id, ((const lone_ep *)b)->id);
}

static char *canonical_id(const char *s)
{
    zh_guid g;
    char buf[ZH_GUID_BUFSIZE];
    if (!s || zh_guid_parse(s, &g, NULL) < 0)
        return NULL;
    return zh_strdup(zh_guid_format(&g, ZH_GUID_LOWER, buf));
}

/* Does a filter on Owner find what has that Owner on this HNS (it keeps the member and
 * filters on it, or ignores the filter and lists everything)? Asked of HNS itself: a
 * namespace made with the Owner "zhns-owner-probe" (its id tagged for that owner, so
 * cleanup_owner finds one a crash left), looked for by that filter, deleted - 4 raw calls
 * whatever the number of objects, 5 when it is not found (its document is then read).
 * 1 found; -2 not, though HNS keeps Owner (it cannot filter on it: documents must be read
 * to find an Owner); -1 not, and HNS drops Owner; 0 when the probe could not be made (the
 * caller then assumes the worst). */
static int owner_probe(hns_service *svc, const char *query_of_probe, const char *fn)
{
    static const char probe_owner[] = "zhns-owner-probe";
    zh_guid g;
    char id[ZH_GUID_BUFSIZE];
    uint8_t nonce[8];
    if (zh_guid_random(&g, NULL) < 0)
        return 0;
    memcpy(nonce, &g, sizeof nonce);
    tag_make(id, probe_owner, 'N', nonce);
    char *doc = namespace_document(probe_owner, id, NULL);
    hns_obj *o = NULL;
    int found = 0;
    if (doc && hns_obj_create(&o, svc, HNS_NAMESPACE, NULL, doc, fn, NULL) == 0) {
        char **ids = NULL;
        size_t n = 0;
        if (hns_obj_list(&ids, &n, svc, HNS_NAMESPACE, query_of_probe, fn, NULL) == 0) {
            found = -1;
            for (size_t i = 0; i < n && found < 0; i++)
                if (zh_strcasecmp_ascii(ids[i], id) == 0) /* ids in either case */
                    found = 1;
            zhns_strings_free(ids, n);
        }
        char *back = NULL;
        if (found < 0 && hns_obj_query(&back, o, NULL, fn, NULL) == 0 && back) {
            zhns_HostComputeNamespace *ns = zhns_HostComputeNamespace_parse(back, ZHNS_NUL_TERMINATED, NULL);
            if (ns && ns->Owner && strcmp(ns->Owner, probe_owner) == 0)
                found = -2;
            zhns_HostComputeNamespace_free(ns);
        }
        free(back);
        hns_obj_close(o);
        (void)hns_obj_delete(svc, HNS_NAMESPACE, id, fn, NULL);
    }
    free(doc);
    return found;
}

static int list_owned(zhns_owned_attachment **list, size_t *count, hns_service *svc, const char *owner, zh_error **err)
{
    static const char fn[] = "zhns_attachment_list_owned";
    *list = NULL;
    *count = 0;
    size_t bad;
    if (!owner || !*owner)
        return hns_bad_arg(err, fn, "the owner is missing");
    if (zh_utf8_validate(owner, strlen(owner), &bad) < 0)
        return hns_bad_arg(err, fn, "the owner is not valid UTF-8 (byte %zu)", bad);
    char *query = owner_query(owner, err);
    if (!query)
        return -1;
    owned_list l = {0};
    char **ids = NULL;
    size_t n = 0;
    int rc = 0;
    /* 1. The objects whose Owner is the owner, as HCN answers a filter on Owner (2 calls):
     *    when HNS keeps Owner and filters on it, exactly the owner's objects (perhaps also
     *    those of an owner equal but for case), so the work is linear in what the owner has;
     *    when it ignores the filter, every object. Either way a non-empty answer holds every
     *    object zhns made for the owner (zhns gives them the Owner). An empty one is the
     *    answer only if such a filter finds what has the Owner: that is asked of HNS
     *    (owner_probe); when it does not (HNS drops Owner, or cannot filter on it), what
     *    create_overlay made is found by the owner tag in its ids, in the list of every
     *    endpoint and namespace id (2 calls more), and, when HNS keeps Owner but cannot
     *    filter on it, what was made by hand by reading every other document (step 3). */
    char **by_ep = NULL, **by_ns = NULL;
    size_t n_by_ep = 0, n_by_ns = 0;
    if (hns_obj_list(&by_ep, &n_by_ep, svc, HNS_ENDPOINT, query, fn, err) < 0 ||
        hns_obj_list(&by_ns, &n_by_ns, svc, HNS_NAMESPACE, query, fn, err) < 0)
        rc = -1;
    int full_scan = 0, read_all = 0;
    if (rc == 0 && n_by_ep + n_by_ns == 0) {
        char *probe_query = owner_query("zhns-owner-probe", err);
        int probe = probe_query ? owner_probe(svc, probe_query, fn) : 1;
        if (!probe_query)
            rc = -1;
        full_scan = probe <= 0;
        read_all = probe == -2 || probe == 0; /* Owner kept (or unknown): step 3 reads every document */
        free(probe_query);
    }
    char **all_ns = by_ns, **all_ep = by_ep;
    size_t n_all_ns = n_by_ns, n_all_ep = n_by_ep, n_tagged = 0;
    if (full_scan) {
        all_ns = all_ep = NULL;
        n_all_ns = n_all_ep = 0;
        if (hns_obj_list(&all_ns, &n_all_ns, svc, HNS_NAMESPACE, NULL, fn, err) < 0 ||
            hns_obj_list(&all_ep, &n_all_ep, svc, HNS_ENDPOINT, NULL, fn, err) < 0)
            rc = -1;
    }
    /* 2. What create_overlay made, by the owner tag in its ids: no document fetched. */
    char **tagged = rc == 0 ? calloc(n_all_ns + 1, sizeof *tagged) : NULL;
    bool *paired_ns = rc == 0 ? calloc(n_all_ns + 1, sizeof *paired_ns) : NULL;
    if (rc == 0 && (!tagged || !paired_ns))
        rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    for (size_t i = 0; rc == 0 && i < n_all_ns; i++)
        if (tag_is(owner, 'N', all_ns[i], NULL))
            tagged[n_tagged++] = all_ns[i];
    if (rc == 0)
        qsort(tagged, n_tagged, sizeof *tagged, cmp_str);
    for (size_t i = 0; rc == 0 && i < n_all_ep; i++) {
        uint8_t nonce[8];
        if (!tag_is(owner, 'E', all_ep[i], nonce))
            continue;
        char ns_id[ZH_GUID_BUFSIZE], *key = ns_id;
        tag_make(ns_id, owner, 'N', nonce);
        char **hit = n_tagged ? bsearch(&key, tagged, n_tagged, sizeof *tagged, cmp_str) : NULL;
        if (hit)
            paired_ns[hit - tagged] = true;
        if (owned_add(&l, all_ep[i], hit ? ns_id : NULL) < 0)
            rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < n_tagged; i++)
        if (!paired_ns[i] && owned_add(&l, NULL, tagged[i]) < 0)
            rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    free(tagged);
    free(paired_ns);
    if (full_scan && read_all) { /* step 3 looks at every object, not the (empty) filtered answer */
        zhns_strings_free(by_ep, n_by_ep);
        zhns_strings_free(by_ns, n_by_ns);
        by_ep = all_ep, n_by_ep = n_all_ep;
        by_ns = all_ns, n_by_ns = n_all_ns;
    } else if (full_scan) {
        zhns_strings_free(all_ns, n_all_ns);
        zhns_strings_free(all_ep, n_all_ep);
    }
    /* 3. Other objects of the filter's answer (made by hand with an Owner), or of every
     *    object when HNS keeps Owner but cannot filter on it: each document is read, since
     *    the match must be exact (HCN may compare without case, or not filter). */
    ids = by_ep;
    n = n_by_ep;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (tag_is(owner, 'E', ids[i], NULL))
            continue; /* found in step 2 */
        char *doc = NULL;
        if ((rc = fetch(&doc, svc, HNS_ENDPOINT, ids[i], fn, err)) < 0 || !doc)
            continue;
        zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(doc, ZHNS_NUL_TERMINATED, err);
        free(doc);
        if (!e) {
            rc = -1;
            break;
        }
        if (e->Owner && strcmp(e->Owner, owner) == 0) {
            char *ns = canonical_id(e->HostComputeNamespace);
            if (owned_add(&l, ids[i], ns) < 0)
                rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
            free(ns);
        }
        zhns_HostComputeEndpoint_free(e);
    }
    zhns_strings_free(ids, n);
    ids = by_ns;
    n = n_by_ns;
    /* the namespaces already found through their endpoints, and the endpoints without one */
    size_t nfound = 0, nlone = 0;
    char **found = rc == 0 ? calloc(l.count + 1, sizeof *found) : NULL;
    lone_ep *lone = rc == 0 ? calloc(l.count + 1, sizeof *lone) : NULL;
    if (rc == 0 && (!found || !lone))
        rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    for (size_t k = 0; rc == 0 && k < l.count; k++) {
        if (l.items[k].namespace_id)
            found[nfound++] = l.items[k].namespace_id;
        else if (l.items[k].endpoint_id)
            lone[nlone].id = l.items[k].endpoint_id, lone[nlone++].index = k;
    }
    if (rc == 0) {
        qsort(found, nfound, sizeof *found, cmp_str);
        qsort(lone, nlone, sizeof *lone, cmp_lone);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (tag_is(owner, 'N', ids[i], NULL) || (nfound && bsearch(&ids[i], found, nfound, sizeof *found, cmp_str)))
            continue; /* found in step 2, or through its endpoint already */
        char *doc = NULL;
        if ((rc = fetch(&doc, svc, HNS_NAMESPACE, ids[i], fn, err)) < 0 || !doc)
            continue;
        zhns_HostComputeNamespace *ns = zhns_HostComputeNamespace_parse(doc, ZHNS_NUL_TERMINATED, err);
        free(doc);
        if (!ns) {
            rc = -1;
            break;
        }
        if (ns->Owner && strcmp(ns->Owner, owner) == 0) {
            /* an owned endpoint that names no namespace but sits in this one is paired */
            int paired = 0;
            for (size_t r = 0; r < ns->Resources_count && !paired; r++) {
                const zhns_NamespaceResource *res = &ns->Resources[r];
                char *ep = res->Data ? canonical_id(res->Data->ID) : NULL;
                /* binary search of the endpoints without a namespace */
                size_t lo = 0, hi = nlone;
                while (ep && lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    int c = strcmp(lone[mid].id, ep);
                    if (c == 0) {
                        zhns_owned_attachment *it = &l.items[lone[mid].index];
                        if (!it->namespace_id && (it->namespace_id = zh_strdup(ids[i])))
                            paired = 1;
                        break;
                    }
                    if (c < 0)
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                free(ep);
            }
            if (!paired && owned_add(&l, NULL, ids[i]) < 0)
                rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
        }
        zhns_HostComputeNamespace_free(ns);
    }
    free(found);
    free(lone);
    zhns_strings_free(ids, n);
    free(query);
    if (rc < 0) {
        zhns_owned_attachments_free(l.items, l.count);
        return -1;
    }
    *list = l.items;
    *count = l.count;
    return 0;
}

int zhns_attachment_list_owned(zhns_owned_attachment **list, size_t *count, zhns_service *svc, const char *owner,
                               zhns_error **err)
{
    static const char fn[] = "zhns_attachment_list_owned";
    if (!list || !count)
        return hns_bad_arg(err, fn, "%s is NULL", list ? "count" : "list");
    *list = NULL;
    *count = 0;
    HNS_SERVICE(s, svc, fn, err);
    int rc = list_owned(list, count, s, owner, err);
    hns_service_unref(s);
    return rc;
}

/* Is the namespace `ns_id` exactly `owner`'s? 1, 0 (someone else's, or gone), or -1. */
static int namespace_owned(hns_service *svc, const char *ns_id, const char *owner, const char *fn, zh_error **err)
{
    if (tag_is(owner, 'N', ns_id, NULL))
        return 1; /* create_overlay made it for this owner */
    char *doc = NULL;
    if (fetch(&doc, svc, HNS_NAMESPACE, ns_id, fn, err) < 0)
        return -1;
    if (!doc)
        return 0;
    zhns_HostComputeNamespace *ns = zhns_HostComputeNamespace_parse(doc, ZHNS_NUL_TERMINATED, err);
    free(doc);
    if (!ns)
        return -1;
    int mine = ns->Owner && strcmp(ns->Owner, owner) == 0;
    zhns_HostComputeNamespace_free(ns);
    return mine;
}

/* Removes one owned entry: the endpoint leaves its namespace and is deleted; the namespace is
 * deleted only when its Owner is exactly `owner` (an owned endpoint may sit in someone
 * else's namespace, which stays). */
static int cleanup_one(hns_service *svc, const zhns_owned_attachment *it, const char *owner, zh_error **err)
{
    static const char fn[] = "zhns_attachment_cleanup_owner";
    int ns_mine = 1;
    if (it->endpoint_id && it->namespace_id) {
        ns_mine = namespace_owned(svc, it->namespace_id, owner, fn, err);
        if (ns_mine < 0)
            return -1;
        if (!ns_mine) { /* someone else's namespace: only take our endpoint out of it */
            hns_obj *o = NULL;
            zh_error *e = NULL;
            if (hns_obj_open(&o, svc, HNS_NAMESPACE, it->namespace_id, fn, &e) == 0) {
                int rc = detach(o, it->endpoint_id, fn, err);
                hns_obj_close(o);
                if (rc < 0)
                    return -1;
            } else if (!hns_is_gone(HNS_NAMESPACE, e)) {
                return zh_error_put(err, e);
            }
            zh_error_free(e);
            return hns_obj_delete(svc, HNS_ENDPOINT, it->endpoint_id, fn, err);
        }
    }
    return delete_pair(svc, it->endpoint_id, it->namespace_id, err);
}

int zhns_attachment_cleanup_owner(size_t *removed, zhns_service *svc, const char *owner, zhns_error **err)
{
    static const char fn[] = "zhns_attachment_cleanup_owner";
    if (removed)
        *removed = 0;
    HNS_SERVICE(s, svc, fn, err);
    zhns_owned_attachment *list = NULL;
    size_t n = 0, failed = 0;
    int rc = list_owned(&list, &n, s, owner, err);
    /* every entry is tried; the failures are reported together, the first one's code first */
    zh_error *first = NULL;
    zh_buf notes = ZH_BUF_INIT(0);
    for (size_t i = 0; i < n && rc == 0; i++) {
        zh_error *e = NULL;
        if (cleanup_one(s, &list[i], owner, &e) == 0) {
            if (removed)
                (*removed)++;
            continue;
        }
        failed++;
        zh_buf_printf(&notes, "; endpoint %s / namespace %s: %s", list[i].endpoint_id ? list[i].endpoint_id : "-",
                      list[i].namespace_id ? list[i].namespace_id : "-", e ? zh_error_message(e) : "failed");
        if (!first)
            first = e;
        else
            zh_error_free(e);
    }
    char *text = zh_buf_take(&notes);
    if (failed) {
        zh_error_set_cat(err, first ? zh_error_hresult(first) : ZH_E_FAIL, first ? zh_error_category(first) : ZH_CAT_OTHER, fn,
                         "%zu of %zu attachments of owner \"%s\" could not be removed%s", failed, n, owner,
                         text ? text : "");
        rc = -1;
    }
    free(text);
    zh_error_free(first);
    zhns_owned_attachments_free(list, n);
    hns_service_unref(s);
    return rc;
}

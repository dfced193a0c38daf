/* SPDX-License-Identifier: MIT */
/* sim_hnsv1.c - vmcompute.dll's HNSCall, the HNS v1 API, on top of the simulated HCN.
 *
 * HNSCall(method, path, request, &response) answers {"Success": bool, "Error": "...",
 * "Output": ...}. Simulated: GET /globals/version; GET/POST/DELETE /networks[/ID];
 * GET/POST/DELETE /endpoints[/ID]; POST /endpoints/ID/attach|detach (accepted for an
 * existing endpoint, nothing recorded: a documented simplification); GET /endpointstats/ID.
 * v1 documents (hcsshim's HNSNetwork / HNSEndpoint members) are converted to the v2
 * objects of the simulated HCN and back, so both APIs see the same objects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhns/schema.h>

#include "sim.h"
#include "zh_hresult.h"
#include "zh_json.h"
#include "zh_str.h"

int zh_sim_set_hns_version(uint32_t major, uint32_t minor)
{
    sim_world *w = sim_world_get();
    if (!w)
        return -1;
    zh_mutex_lock(&w->lock);
    w->hns_major = major;
    w->hns_minor = minor;
    zh_mutex_unlock(&w->lock);
    return 0;
}

/* ---------------------------------------------------------------- JSON helpers */
static const zh_jv *jget(const zh_jv *obj, const char *key)
{
    size_t n = strlen(key);
    for (const zh_jv *m = obj && obj->type == ZH_JOBJECT ? obj->first : NULL; m; m = m->next) {
        if (m->key_len != n)
            continue;
        size_t i = 0;
        while (i < n && (m->key[i] | 0x20) == (key[i] | 0x20))
            i++;
        if (i == n)
            return m;
    }
    return NULL;
}

/* A string member as a NUL-terminated copy in the arena (NULL when absent/empty/not a string). */
static const char *jstr(zh_arena *a, const zh_jv *obj, const char *key)
{
    const zh_jv *m = jget(obj, key);
    return m && m->type == ZH_JSTRING && m->str_len ? zh_arena_strndup(a, m->str, m->str_len) : NULL;
}

static void put_key(zh_buf *b, int *first, const char *key)
{
    zh_buf_printf(b, "%s\"%s\":", *first ? "" : ",", key);
    *first = 0;
}

static void put_str(zh_buf *b, int *first, const char *key, const char *v)
{
    if (!v)
        return;
    put_key(b, first, key);
    zh_json_write_string(b, v, strlen(v));
}

/* v1's DNSSuffix and DNSServerList (comma separated, for networks and endpoints alike) as
 * the v2 "Dns": {"Domain": ..., "ServerList": [...]}. */
static void put_dns(zh_buf *b, int *first, const char *suffix, const char *servers)
{
    if (!suffix && !servers)
        return;
    put_key(b, first, "Dns");
    int f2 = 1;
    zh_buf_puts(b, "{");
    put_str(b, &f2, "Domain", suffix);
    if (servers) {
        put_key(b, &f2, "ServerList");
        zh_buf_puts(b, "[");
        int f3 = 1;
        for (const char *p = servers; *p;) {
            const char *q = strchr(p, ',');
            size_t n = q ? (size_t)(q - p) : strlen(p);
            if (n) {
                zh_buf_puts(b, f3 ? "" : ",");
                zh_json_write_string(b, p, n);
                f3 = 0;
            }
            p += n + (q ? 1 : 0);
        }
        zh_buf_puts(b, "]");
    }
    zh_buf_puts(b, "}");
}


/* The "Error" message of an ErrorRecord (UTF-16), as a malloc'ed string. */
static char *record_message(zh_wchar *record, zh_hresult hr)
{
    int bad;
    char *text = record ? sim_utf8(record, &bad) : NULL;
    zh_sim_free_string(record);
    char *msg = NULL;
    zh_arena a = {0};
    zh_jv *doc = text ? zh_json_parse(&a, text, strlen(text), "record", NULL) : NULL;
    const char *e = jstr(&a, doc, "Error");
    if (e)
        msg = zh_strdup(e);
    else {
        char buf[48];
        snprintf(buf, sizeof buf, "HRESULT 0x%08lx", (unsigned long)(uint32_t)hr);
        msg = zh_strdup(buf);
    }
    zh_arena_free(&a);
    free(text);
    return msg;
}

/* ---------------------------------------------------------------- the v1 <-> v2 documents */
/* v1 HNSNetwork -> v2 HostComputeNetwork: Subnets -> a static Ipam whose subnets route
 * 0.0.0.0/0 (or ::/0) through GatewayAddress; MacPools -> MacPool.Ranges; DNSSuffix /
 * DNSServerList -> Dns. v1 policies have another schema and are not carried over. */
static char *network_v1_to_v2(zh_arena *a, const zh_jv *v1)
{
    zh_buf b = ZH_BUF_INIT(0);
    int first = 1;
    zh_buf_puts(&b, "{");
    put_str(&b, &first, "ID", jstr(a, v1, "ID"));
    put_str(&b, &first, "Name", jstr(a, v1, "Name"));
    put_str(&b, &first, "Type", jstr(a, v1, "Type"));
    const zh_jv *subs = jget(v1, "Subnets");
    if (subs && subs->type == ZH_JARRAY && subs->first) {
        put_key(&b, &first, "Ipams");
        zh_buf_puts(&b, "[{\"Type\":\"Static\",\"Subnets\":[");
        int f2 = 1;
        for (const zh_jv *s = subs->first; s; s = s->next) {
            const char *prefix = jstr(a, s, "AddressPrefix"), *gw = jstr(a, s, "GatewayAddress");
            zh_buf_puts(&b, f2 ? "{" : ",{");
            f2 = 0;
            int f3 = 1;
            put_str(&b, &f3, "IpAddressPrefix", prefix);
            if (gw) {
                put_key(&b, &f3, "Routes");
                zh_buf_printf(&b, "[{\"NextHop\":");
                zh_json_write_string(&b, gw, strlen(gw));
                zh_buf_printf(&b, ",\"DestinationPrefix\":\"%s\"}]", strchr(gw, ':') ? "::/0" : "0.0.0.0/0");
            }
            zh_buf_puts(&b, "}");
        }
        zh_buf_puts(&b, "]}]");
    }
    const zh_jv *pools = jget(v1, "MacPools");
    if (pools && pools->type == ZH_JARRAY && pools->first) {
        put_key(&b, &first, "MacPool");
        zh_buf_puts(&b, "{\"Ranges\":[");
        int f2 = 1;
        for (const zh_jv *p = pools->first; p; p = p->next) {
            zh_buf_puts(&b, f2 ? "{" : ",{");
            f2 = 0;
            int f3 = 1;
            put_str(&b, &f3, "StartMacAddress", jstr(a, p, "StartMacAddress"));
            put_str(&b, &f3, "EndMacAddress", jstr(a, p, "EndMacAddress"));
            zh_buf_puts(&b, "}");
        }
        zh_buf_puts(&b, "]}");
    }
    put_dns(&b, &first, jstr(a, v1, "DNSSuffix"), jstr(a, v1, "DNSServerList"));
    put_key(&b, &first, "SchemaVersion");
    zh_buf_puts(&b, "{\"Major\":2,\"Minor\":0}}");
    return zh_buf_take(&b);
}

char *sim_hnsv1_network_doc(const char *json)
{
    zh_arena a = {0};
    zh_jv *doc = json ? zh_json_parse(&a, json, strlen(json), "settings", NULL) : NULL;
    char *out = NULL;
    if (doc && doc->type == ZH_JOBJECT && !jget(doc, "Ipams") && !jget(doc, "MacPool") &&
        (jget(doc, "Subnets") || jget(doc, "MacPools"))) {
        /* keep the members v2 shares (Name, Type, ID, Owner, Flags...) and convert the rest */
        char *v2 = network_v1_to_v2(&a, doc);
        zh_jv *conv = v2 ? zh_json_parse(&a, v2, strlen(v2), "converted", NULL) : NULL;
        zh_buf b = ZH_BUF_INIT(0);
        int first = 1;
        zh_buf_puts(&b, "{");
        for (const zh_jv *m = conv ? conv->first : NULL; m; m = m->next) {
            zh_buf_printf(&b, "%s\"%.*s\":%.*s", first ? "" : ",", (int)m->key_len, m->key, (int)m->raw_len, m->raw);
            first = 0;
        }
        static const char *const v1_only[] = {"Subnets", "MacPools", "DNSSuffix", "DNSServerList", "ID", "Name", "Type",
                                              "SchemaVersion"};
        for (const zh_jv *m = doc->first; conv && m; m = m->next) {
            int skip = 0;
            for (size_t i = 0; i < sizeof v1_only / sizeof v1_only[0] && !skip; i++)
                skip = m->key_len == strlen(v1_only[i]) && memcmp(m->key, v1_only[i], m->key_len) == 0;
            if (skip)
                continue;
            zh_buf_printf(&b, "%s\"%.*s\":%.*s", first ? "" : ",", (int)m->key_len, m->key, (int)m->raw_len, m->raw);
            first = 0;
        }
        zh_buf_puts(&b, "}");
        out = conv ? zh_buf_take(&b) : (zh_buf_free(&b), NULL);
        free(v2);
    }
    zh_arena_free(&a);
    return out;
}

static void put_servers(zh_buf *b, int *first, const char *key, const zhns_DNS *dns)
{
    if (!dns || !dns->ServerList_count)
        return;
    zh_buf tmp = ZH_BUF_INIT(0);
    for (size_t i = 0; i < dns->ServerList_count; i++)
        zh_buf_printf(&tmp, "%s%s", i ? "," : "", dns->ServerList[i] ? dns->ServerList[i] : "");
    char *s = zh_buf_take(&tmp);
    put_str(b, first, key, s);
    free(s);
}

/* v2 HostComputeNetwork -> v1 HNSNetwork. */
static int network_v2_to_v1(zh_buf *b, const char *json)
{
    zhns_HostComputeNetwork *n = zhns_HostComputeNetwork_parse(json, ZHNS_NUL_TERMINATED, NULL);
    if (!n)
        return -1;
    int first = 1;
    zh_buf_puts(b, "{");
    put_str(b, &first, "ID", n->ID);
    put_str(b, &first, "Name", n->Name);
    put_str(b, &first, "Type", n->has_Type ? zhns_NetworkMode_name(n->Type) : NULL);
    put_key(b, &first, "Subnets");
    zh_buf_puts(b, "[");
    int fs = 1;
    for (size_t i = 0; i < n->Ipams_count; i++)
        for (size_t j = 0; j < n->Ipams[i].Subnets_count; j++) {
            const zhns_Subnet *s = &n->Ipams[i].Subnets[j];
            const char *gw = NULL;
            for (size_t r = 0; r < s->Routes_count; r++)
                if (s->Routes[r].DestinationPrefix && (strcmp(s->Routes[r].DestinationPrefix, "0.0.0.0/0") == 0 ||
                                                       strcmp(s->Routes[r].DestinationPrefix, "::/0") == 0))
                    gw = s->Routes[r].NextHop;
            zh_buf_puts(b, fs ? "{" : ",{");
            fs = 0;
            int f2 = 1;
            put_str(b, &f2, "AddressPrefix", s->IpAddressPrefix);
            put_str(b, &f2, "GatewayAddress", gw);
            zh_buf_puts(b, "}");
        }
    zh_buf_puts(b, "]");
    if (n->MacPool && n->MacPool->Ranges_count) {
        put_key(b, &first, "MacPools");
        zh_buf_puts(b, "[");
        for (size_t i = 0; i < n->MacPool->Ranges_count; i++) {
            int f2 = 1;
            zh_buf_puts(b, i ? ",{" : "{");
            put_str(b, &f2, "StartMacAddress", n->MacPool->Ranges[i].StartMacAddress);
            put_str(b, &f2, "EndMacAddress", n->MacPool->Ranges[i].EndMacAddress);
            zh_buf_puts(b, "}");
        }
        zh_buf_puts(b, "]");
    }
    if (n->Dns)
        put_str(b, &first, "DNSSuffix", n->Dns->Domain);
    put_servers(b, &first, "DNSServerList", n->Dns);
    zh_buf_puts(b, "}");
    zhns_HostComputeNetwork_free(n);
    return 0;
}

/* v1 HNSEndpoint -> v2 HostComputeEndpoint (the network id already resolved). */
static char *endpoint_v1_to_v2(zh_arena *a, const zh_jv *v1, const char *net_id)
{
    zh_buf b = ZH_BUF_INIT(0);
    int first = 1;
    zh_buf_puts(&b, "{");
    put_str(&b, &first, "ID", jstr(a, v1, "ID"));
    put_str(&b, &first, "Name", jstr(a, v1, "Name"));
    put_str(&b, &first, "HostComputeNetwork", net_id);
    put_str(&b, &first, "MacAddress", jstr(a, v1, "MacAddress"));
    const char *ip = jstr(a, v1, "IPAddress"), *ip6 = jstr(a, v1, "IPv6Address");
    if (ip || ip6) {
        put_key(&b, &first, "IpConfigurations");
        zh_buf_puts(&b, "[");
        const char *ips[2] = {ip, ip6}, *lens[2] = {"PrefixLength", "IPv6PrefixLength"};
        int f2 = 1;
        for (int i = 0; i < 2; i++) {
            if (!ips[i])
                continue;
            zh_buf_puts(&b, f2 ? "{" : ",{");
            f2 = 0;
            int f3 = 1;
            put_str(&b, &f3, "IpAddress", ips[i]);
            const zh_jv *len = jget(v1, lens[i]);
            uint64_t v;
            if (len && zh_json_uint64(len, 128, &v) == 0 && v) {
                put_key(&b, &f3, "PrefixLength");
                zh_buf_printf(&b, "%u", (unsigned)v);
            }
            zh_buf_puts(&b, "}");
        }
        zh_buf_puts(&b, "]");
    }
    put_dns(&b, &first, jstr(a, v1, "DNSSuffix"), jstr(a, v1, "DNSServerList"));
    put_key(&b, &first, "SchemaVersion");
    zh_buf_puts(&b, "{\"Major\":2,\"Minor\":0}}");
    return zh_buf_take(&b);
}

static char *network_name(const char *net_id);

/* v2 HostComputeEndpoint -> v1 HNSEndpoint. */
static int endpoint_v2_to_v1(zh_buf *b, const char *json)
{
    zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(json, ZHNS_NUL_TERMINATED, NULL);
    if (!e)
        return -1;
    int first = 1;
    zh_buf_puts(b, "{");
    put_str(b, &first, "ID", e->ID);
    put_str(b, &first, "Name", e->Name);
    put_str(b, &first, "VirtualNetwork", e->HostComputeNetwork);
    char *net_name = e->HostComputeNetwork ? network_name(e->HostComputeNetwork) : NULL;
    put_str(b, &first, "VirtualNetworkName", net_name);
    free(net_name);
    put_str(b, &first, "MacAddress", e->MacAddress);
    int v4 = 0, v6 = 0;
    for (size_t i = 0; i < e->IpConfigurations_count; i++) {
        const zhns_IpConfig *c = &e->IpConfigurations[i];
        if (!c->IpAddress)
            continue;
        int is6 = strchr(c->IpAddress, ':') != NULL;
        if ((is6 && v6) || (!is6 && v4))
            continue;
        put_str(b, &first, is6 ? "IPv6Address" : "IPAddress", c->IpAddress);
        if (c->has_PrefixLength) {
            put_key(b, &first, is6 ? "IPv6PrefixLength" : "PrefixLength");
            zh_buf_printf(b, "%u", (unsigned)c->PrefixLength);
        }
        *(is6 ? &v6 : &v4) = 1;
    }
    for (size_t r = 0; r < e->Routes_count; r++)
        if (e->Routes[r].NextHop && e->Routes[r].DestinationPrefix &&
            strcmp(e->Routes[r].DestinationPrefix, "0.0.0.0/0") == 0)
            put_str(b, &first, "GatewayAddress", e->Routes[r].NextHop);
    if (e->Dns)
        put_str(b, &first, "DNSSuffix", e->Dns->Domain);
    put_servers(b, &first, "DNSServerList", e->Dns);
    if (e->HostComputeNamespace) {
        put_key(b, &first, "Namespace");
        zh_buf_puts(b, "{\"ID\":");
        zh_json_write_string(b, e->HostComputeNamespace, strlen(e->HostComputeNamespace));
        zh_buf_puts(b, "}");
    }
    zh_buf_puts(b, "}");
    zhns_HostComputeEndpoint_free(e);
    return 0;
}

/* ---------------------------------------------------------------- object access through the v2 table */
#define RG(g) ((zh_refguid)(const void *)(g))
typedef struct v1_reply {
    zh_buf out;   /* the Output JSON */
    char *error;  /* set on failure */
} v1_reply;

static void fail_hr(v1_reply *r, zh_hresult hr, zh_wchar *record)
{
    free(r->error);
    r->error = record_message(record, hr);
}

static void fail_msg(v1_reply *r, const char *msg)
{
    free(r->error);
    r->error = zh_strdup(msg);
}

/* The document of object `id` of a kind (malloc'ed UTF-8) or NULL with r->error set. */
static char *object_json(v1_reply *r, int endpoint, const char *id)
{
    zh_guid g;
    if (zh_guid_parse(id, &g, NULL) < 0) {
        fail_msg(r, "Element not found.");
        return NULL;
    }
    void *h = NULL;
    zh_wchar *rec = NULL, *props = NULL;
    zh_hresult hr = endpoint ? sim_HcnOpenEndpoint(RG(&g), &h, &rec) : sim_HcnOpenNetwork(RG(&g), &h, &rec);
    if (hr) {
        fail_hr(r, hr, rec);
        return NULL;
    }
    hr = endpoint ? sim_HcnQueryEndpointProperties(h, NULL, &props, &rec)
                  : sim_HcnQueryNetworkProperties(h, NULL, &props, &rec);
    if (endpoint)
        sim_HcnCloseEndpoint(h);
    else
        sim_HcnCloseNetwork(h);
    if (hr) {
        fail_hr(r, hr, rec);
        return NULL;
    }
    int bad;
    char *json = sim_utf8(props, &bad);
    zh_sim_free_string(props);
    if (!json)
        fail_msg(r, "out of memory");
    return json;
}

static char *network_name(const char *net_id)
{
    v1_reply r = {ZH_BUF_INIT(0), NULL};
    char *json = object_json(&r, 0, net_id);
    free(r.error);
    zhns_HostComputeNetwork *n = json ? zhns_HostComputeNetwork_parse(json, ZHNS_NUL_TERMINATED, NULL) : NULL;
    char *name = n && n->Name ? zh_strdup(n->Name) : NULL;
    zhns_HostComputeNetwork_free(n);
    free(json);
    return name;
}

/* Ids of every object of a kind (a JSON array of strings, parsed into `a`). */
static const zh_jv *list_ids(v1_reply *r, zh_arena *a, int endpoint)
{
    zh_wchar *ids = NULL, *rec = NULL;
    zh_hresult hr = endpoint ? sim_HcnEnumerateEndpoints(NULL, &ids, &rec) : sim_HcnEnumerateNetworks(NULL, &ids, &rec);
    if (hr) {
        fail_hr(r, hr, rec);
        return NULL;
    }
    int bad;
    char *text = sim_utf8(ids, &bad);
    zh_sim_free_string(ids);
    /* the parsed values point into the text: it lives in the arena with them */
    char *kept = text ? zh_arena_strndup(a, text, strlen(text)) : NULL;
    free(text);
    const zh_jv *arr = kept ? zh_json_parse(a, kept, strlen(kept), "ids", NULL) : NULL;
    if (!arr || arr->type != ZH_JARRAY) {
        fail_msg(r, "the id list is unreadable");
        return NULL;
    }
    return arr;
}

static void get_one(v1_reply *r, int endpoint, const char *id)
{
    char *json = object_json(r, endpoint, id);
    if (json && (endpoint ? endpoint_v2_to_v1 : network_v2_to_v1)(&r->out, json) < 0)
        fail_msg(r, "a stored document is unreadable");
    free(json);
}

static void get_all(v1_reply *r, int endpoint)
{
    zh_arena a = {0};
    const zh_jv *arr = list_ids(r, &a, endpoint);
    if (arr) {
        zh_buf_puts(&r->out, "[");
        int first = 1;
        for (const zh_jv *v = arr->first; v && !r->error; v = v->next) {
            char *id = zh_strndup(v->str, v->str_len);
            char *json = id ? object_json(r, endpoint, id) : NULL;
            free(id);
            if (!json) { /* deleted in between: skip it */
                free(r->error);
                r->error = NULL;
                continue;
            }
            zh_buf_puts(&r->out, first ? "" : ",");
            first = 0;
            if ((endpoint ? endpoint_v2_to_v1 : network_v2_to_v1)(&r->out, json) < 0)
                fail_msg(r, "a stored document is unreadable");
            free(json);
        }
        zh_buf_puts(&r->out, "]");
    }
    zh_arena_free(&a);
}

/* The id of the network a v1 endpoint names (VirtualNetwork, else VirtualNetworkName). */
static char *find_network(v1_reply *r, zh_arena *a, const zh_jv *v1)
{
    const char *id = jstr(a, v1, "VirtualNetwork"), *name = jstr(a, v1, "VirtualNetworkName");
    if (id)
        return zh_strdup(id);
    if (!name) {
        fail_msg(r, "the endpoint names no VirtualNetwork");
        return NULL;
    }
    zh_arena ia = {0};
    const zh_jv *arr = list_ids(r, &ia, 0);
    char *found = NULL;
    for (const zh_jv *v = arr ? arr->first : NULL; v && !found; v = v->next) {
        char *nid = zh_strndup(v->str, v->str_len);
        char *nn = nid ? network_name(nid) : NULL;
        if (nn && strcmp(nn, name) == 0)
            found = nid, nid = NULL;
        free(nn);
        free(nid);
    }
    zh_arena_free(&ia);
    if (!found && !r->error)
        fail_msg(r, "Element not found.");
    return found;
}

static void create(v1_reply *r, int endpoint, const char *request)
{
    zh_arena a = {0};
    zh_jv *v1 = request ? zh_json_parse(&a, request, strlen(request), "request", NULL) : NULL;
    if (!v1 || v1->type != ZH_JOBJECT) {
        fail_msg(r, "the request is not a JSON object");
        zh_arena_free(&a);
        return;
    }
    char *net_id = NULL, *doc = NULL;
    zh_guid nil = {0}, ng;
    void *h = NULL, *net = NULL;
    zh_wchar *rec = NULL, *settings = NULL, *props = NULL;
    zh_hresult hr = 0;
    if (endpoint) {
        net_id = find_network(r, &a, v1);
        if (net_id && zh_guid_parse(net_id, &ng, NULL) < 0)
            fail_msg(r, "VirtualNetwork is not a GUID");
        else if (net_id && (hr = sim_HcnOpenNetwork(RG(&ng), &net, &rec)))
            fail_hr(r, hr, rec);
        if (!r->error)
            doc = endpoint_v1_to_v2(&a, v1, net_id);
    } else {
        doc = network_v1_to_v2(&a, v1);
    }
    if (!r->error && !(doc && (settings = sim_wstr(doc))))
        fail_msg(r, "out of memory");
    if (!r->error) {
        hr = endpoint ? sim_HcnCreateEndpoint(net, RG(&nil), settings, &h, &rec)
                      : sim_HcnCreateNetwork(RG(&nil), settings, &h, &rec);
        if (hr)
            fail_hr(r, hr, rec);
    }
    if (!r->error) {
        hr = endpoint ? sim_HcnQueryEndpointProperties(h, NULL, &props, &rec)
                      : sim_HcnQueryNetworkProperties(h, NULL, &props, &rec);
        int bad;
        char *json = hr ? NULL : sim_utf8(props, &bad);
        if (hr)
            fail_hr(r, hr, rec);
        else if (!json || (endpoint ? endpoint_v2_to_v1 : network_v2_to_v1)(&r->out, json) < 0)
            fail_msg(r, "a stored document is unreadable");
        free(json);
        zh_sim_free_string(props);
    }
    if (h) {
        if (endpoint)
            sim_HcnCloseEndpoint(h);
        else
            sim_HcnCloseNetwork(h);
    }
    if (net)
        sim_HcnCloseNetwork(net);
    zh_sim_free_string(settings);
    free(doc);
    free(net_id);
    zh_arena_free(&a);
}

static void delete_one(v1_reply *r, int endpoint, const char *id)
{
    zh_guid g;
    zh_wchar *rec = NULL;
    if (zh_guid_parse(id, &g, NULL) < 0) {
        fail_msg(r, "Element not found.");
        return;
    }
    zh_hresult hr = endpoint ? sim_HcnDeleteEndpoint(RG(&g), &rec) : sim_HcnDeleteNetwork(RG(&g), &rec);
    if (hr)
        fail_hr(r, hr, rec);
}

/* Counters in hcsshim's EndpointStats member names. */
static void endpoint_stats(v1_reply *r, const char *id)
{
    zh_guid g;
    void *h = NULL;
    zh_wchar *rec = NULL, *stats = NULL;
    zh_hresult hr = zh_guid_parse(id, &g, NULL) < 0 ? ZH_E_INVALIDARG : sim_HcnOpenEndpoint(RG(&g), &h, &rec);
    if (!hr)
        hr = sim_HcnQueryEndpointStats(h, NULL, &stats, &rec);
    if (h)
        sim_HcnCloseEndpoint(h);
    if (hr) {
        fail_hr(r, hr, rec);
        return;
    }
    int bad;
    char *json = sim_utf8(stats, &bad);
    zh_sim_free_string(stats);
    zh_arena a = {0};
    zh_jv *doc = json ? zh_json_parse(&a, json, strlen(json), "stats", NULL) : NULL;
    if (!doc) {
        fail_msg(r, "out of memory");
    } else {
        zh_buf_puts(&r->out, "{");
        int first = 1;
        for (const zh_jv *m = doc->first; m; m = m->next) {
            const char *key = m->key_len == 10 && memcmp(m->key, "EndpointID", 10) == 0 ? "EndpointId" : NULL;
            zh_buf_printf(&r->out, "%s\"", first ? "" : ",");
            if (key)
                zh_buf_puts(&r->out, key);
            else
                zh_buf_printf(&r->out, "%.*s", (int)m->key_len, m->key);
            zh_buf_printf(&r->out, "\":%.*s", (int)m->raw_len, m->raw);
            first = 0;
        }
        zh_buf_puts(&r->out, "}");
    }
    zh_arena_free(&a);
    free(json);
}

/* Splits "/networks/ID/attach" into collection, id and action (each possibly empty). */
static void split_path(const char *p, char *coll, char *id, char *action, size_t n)
{
    char *parts[3] = {coll, id, action};
    for (int i = 0; i < 3; i++)
        parts[i][0] = '\0';
    int k = 0;
    while (*p && k < 3) {
        while (*p == '/')
            p++;
        size_t len = strcspn(p, "/?");
        if (!len)
            break;
        snprintf(parts[k++], n, "%.*s", (int)len, p);
        p += len;
        if (*p == '?')
            break;
    }
}

zh_hresult ZH_WINAPI zh_sim_hnscall(const zh_wchar *method, const zh_wchar *path, const zh_wchar *request,
                                    zh_wchar **response)
{
    if (!response)
        return ZH_E_POINTER;
    *response = NULL;
    sim_world *w = sim_world_get();
    if (!w)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    zh_mutex_lock(&w->lock);
    int stopped = w->stopped;
    uint32_t major = w->hns_major, minor = w->hns_minor;
    zh_mutex_unlock(&w->lock);
    if (stopped)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    int bad_m, bad_p, bad_r;
    char *m = sim_utf8(method, &bad_m), *p = sim_utf8(path, &bad_p), *req = sim_utf8(request, &bad_r);
    v1_reply r = {ZH_BUF_INIT(0), NULL};
    char coll[64], id[64], action[64];
    int get = m && zh_strcasecmp_ascii(m, "GET") == 0, post = m && zh_strcasecmp_ascii(m, "POST") == 0,
        del = m && zh_strcasecmp_ascii(m, "DELETE") == 0;
    if (bad_m || bad_p || bad_r || !m || !p) {
        fail_msg(&r, "invalid request");
    } else {
        split_path(p, coll, id, action, sizeof coll);
        int nets = zh_strcasecmp_ascii(coll, "networks") == 0, eps = zh_strcasecmp_ascii(coll, "endpoints") == 0;
        if (get && zh_strcasecmp_ascii(coll, "globals") == 0 && zh_strcasecmp_ascii(id, "version") == 0) {
            if (major == 0)
                fail_msg(&r, "Element not found.");
            else
                zh_buf_printf(&r.out, "{\"Major\":%lu,\"Minor\":%lu}", (unsigned long)major, (unsigned long)minor);
        } else if ((nets || eps) && get && !*action) {
            if (*id)
                get_one(&r, eps, id);
            else
                get_all(&r, eps);
        } else if ((nets || eps) && post && !*id) {
            create(&r, eps, req);
        } else if ((nets || eps) && del && *id && !*action) {
            delete_one(&r, eps, id);
        } else if (eps && post && *id &&
                   (zh_strcasecmp_ascii(action, "attach") == 0 || zh_strcasecmp_ascii(action, "detach") == 0)) {
            char *json = object_json(&r, 1, id); /* the endpoint must exist */
            free(json);
        } else if (get && zh_strcasecmp_ascii(coll, "endpointstats") == 0 && *id) {
            endpoint_stats(&r, id);
        } else {
            char msg[200];
            snprintf(msg, sizeof msg, "%s %s is not simulated", m, p);
            fail_msg(&r, msg);
        }
    }
    zh_buf b = ZH_BUF_INIT(0);
    char *out = zh_buf_take(&r.out);
    if (r.error) {
        zh_buf_puts(&b, "{\"Success\":false,\"Error\":");
        zh_json_write_string(&b, r.error, strlen(r.error));
        zh_buf_puts(&b, "}");
    } else {
        zh_buf_printf(&b, "{\"Success\":true,\"Error\":\"\"%s%s}", out && *out ? ",\"Output\":" : "",
                      out && *out ? out : "");
    }
    char *json = zh_buf_take(&b);
    free(out);
    free(r.error);
    free(m);
    free(p);
    free(req);
    *response = json ? sim_wstr(json) : NULL;
    free(json);
    return *response ? 0 : ZH_E_OUTOFMEMORY;
}

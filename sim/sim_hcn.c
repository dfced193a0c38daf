/* SPDX-License-Identifier: MIT */
/* sim_hcn.c - the simulated Host Compute Network service (computenetwork.dll).
 *
 * Networks, endpoints, namespaces, load balancers and SDN routes live in the world as
 * their documents (the JSON the service answers with), keyed by GUID. Every call is
 * synchronous under the world lock, as HCN's own calls are. Failures return the HCN_E_*
 * code and an ErrorRecord; docs/simulator.md lists the behaviour that is a documented
 * guess rather than observed Windows behaviour. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhns/schema.h>

#include "sim.h"
#include "sim_db.h"
#include "sim_ip.h"
#include "zh_hresult.h"
#include "zh_json.h"
#include "zh_str.h"

#define FAIL(rec, hr, ...) sim_hcn_fail((rec), (hr), __VA_ARGS__)

static const char *const kind_names[SIM_KIND_COUNT] = {"network", "endpoint", "namespace", "load balancer",
                                                       "SDN route"};
static const int32_t not_found[SIM_KIND_COUNT] = {
    HCN_E_NETWORK_NOT_FOUND, HCN_E_ENDPOINT_NOT_FOUND, ZH_E_NOT_FOUND, ZH_E_NOT_FOUND, ZH_E_NOT_FOUND,
};

/* ---------------------------------------------------------------- common plumbing */
/* memcpy of n items that tolerates an empty (NULL) source. */
static void copy_items(void *dst, const void *src, size_t n, size_t size)
{
    if (n)
        memcpy(dst, src, n * size);
}

/* ---------------------------------------------------------------- indexes
 * No call scans every object unless it lists them: objects by (kind, id), handles by
 * address, and per network the addresses its endpoints use plus where the automatic
 * allocation goes on. The lists in w->objs keep creation order for enumeration. */
typedef struct hx_entry {
    struct hx_entry *next;
    uint64_t h;
    uint8_t key[40];
    uint8_t klen;
    void *val;
    uint64_t num;
} hx_entry;

typedef struct hx {
    hx_entry **b;
    size_t nb, n;
} hx;

typedef struct sim_hcn_index {
    hx objs;     /* kind + id -> sim_obj */
    hx handles;  /* handle address -> sim_handle */
    hx addrs;    /* 'A' + network id + address -> endpoints using it */
    hx cursors;  /* 'C' + network id -> next host index to try (val: the subnet's sim_prefix) */
    hx owners;   /* 'O' + kind + hash of the Owner (case folded) -> owner_list: the objects of
                    that Owner, so that an enumeration filtered on Owner reads only them */
    bool owners_broken; /* an object could not be indexed (out of memory): such enumerations scan */
    sim_obj *tails[SIM_KIND_COUNT];
    /* the undo journal of the call in progress (between begin and end): what to put back
     * when the call fails, so that memory agrees with the rolled-back database */
    struct undo_rec *undo;
    size_t nundo, capundo;
    bool journaling; /* a call is in progress */
    bool broken;     /* a change could not be journaled: the call fails and is undone */
} sim_hcn_index;

typedef enum undo_op { UNDO_STORE, UNDO_REPLACE, UNDO_UNLINK, UNDO_HANDLE } undo_op;
typedef struct undo_rec {
    undo_op op;
    sim_obj *o;         /* STORE, REPLACE, UNLINK */
    char *old_json;     /* REPLACE: the document before */
    sim_obj *prev;      /* UNLINK: its neighbours then */
    sim_obj *next;
    struct sim_handle *h; /* HANDLE */
} undo_rec;

static uint64_t hx_hash(const uint8_t *k, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ k[i]) * 1099511628211ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static hx_entry *hx_find(const hx *t, const void *key, size_t n)
{
    if (!t->nb)
        return NULL;
    uint64_t h = hx_hash(key, n);
    for (hx_entry *e = t->b[h & (t->nb - 1)]; e; e = e->next)
        if (e->h == h && e->klen == n && memcmp(e->key, key, n) == 0)
            return e;
    return NULL;
}

/* The entry of `key`, made (zeroed) when missing. NULL when out of memory. */
static hx_entry *hx_add(hx *t, const void *key, size_t n)
{
    hx_entry *e = hx_find(t, key, n);
    if (e)
        return e;
    if (t->n >= t->nb) {
        size_t nb = t->nb ? t->nb * 2 : 64;
        hx_entry **b = calloc(nb, sizeof *b);
        if (!b)
            return NULL;
        for (size_t i = 0; i < t->nb; i++)
            while (t->b[i]) {
                hx_entry *x = t->b[i];
                t->b[i] = x->next;
                x->next = b[x->h & (nb - 1)];
                b[x->h & (nb - 1)] = x;
            }
        free(t->b);
        t->b = b;
        t->nb = nb;
    }
    if (!(e = calloc(1, sizeof *e)))
        return NULL;
    e->h = hx_hash(key, n);
    memcpy(e->key, key, n);
    e->klen = (uint8_t)n;
    e->next = t->b[e->h & (t->nb - 1)];
    t->b[e->h & (t->nb - 1)] = e;
    t->n++;
    return e;
}

static void hx_remove(hx *t, const void *key, size_t n)
{
    if (!t->nb)
        return;
    uint64_t h = hx_hash(key, n);
    for (hx_entry **p = &t->b[h & (t->nb - 1)]; *p; p = &(*p)->next) {
        hx_entry *e = *p;
        if (e->h == h && e->klen == n && memcmp(e->key, key, n) == 0) {
            *p = e->next;
            free(e);
            t->n--;
            return;
        }
    }
}

static void hx_clear(hx *t, void (*free_val)(void *))
{
    for (size_t i = 0; i < t->nb; i++)
        while (t->b[i]) {
            hx_entry *e = t->b[i];
            t->b[i] = e->next;
            if (free_val)
                free_val(e->val);
            free(e);
        }
    free(t->b);
    memset(t, 0, sizeof *t);
}

static size_t obj_key(uint8_t key[17], sim_kind k, const zh_guid *id)
{
    key[0] = (uint8_t)k;
    memcpy(key + 1, id, 16);
    return 17;
}

static size_t addr_key(uint8_t key[34], const zh_guid *net, const sim_ip *ip)
{
    key[0] = 'A';
    memcpy(key + 1, net, 16);
    key[17] = (uint8_t)ip->v6;
    memcpy(key + 18, ip->bytes, 16);
    return 34;
}

/* The allocation cursor of a network: num = the next host index to try in the prefix its
 * val holds (the subnet automatic addresses come from). */
static size_t cursor_key(uint8_t key[17], const zh_guid *net)
{
    key[0] = 'C';
    memcpy(key + 1, net, 16);
    return 17;
}

static sim_hcn_index *index_of(sim_world *w)
{
    if (!w->hcn_index)
        w->hcn_index = calloc(1, sizeof *w->hcn_index);
    return w->hcn_index;
}

/* "00-15-5D-01-02-03" (or with colons) -> 6 bytes. 0 or -1. */
static int mac_parse(const char *s, uint8_t out[6])
{
    if (!s || strlen(s) != 17)
        return -1;
    for (int i = 0; i < 6; i++) {
        unsigned v = 0;
        for (int j = 0; j < 2; j++) {
            char ch = s[i * 3 + j];
            int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                                                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
            if (d < 0)
                return -1;
            v = v << 4 | (unsigned)d;
        }
        out[i] = (uint8_t)v;
        if (i < 5 && s[i * 3 + 2] != '-' && s[i * 3 + 2] != ':')
            return -1;
    }
    return 0;
}

static uint64_t mac_value(const uint8_t m[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | m[i];
    return v;
}

static size_t mac_key(uint8_t key[7], const uint8_t mac[6])
{
    key[0] = 'M';
    memcpy(key + 1, mac, 6);
    return 7;
}

static int mac_in_use(sim_world *w, const uint8_t mac[6])
{
    uint8_t key[7];
    return w->hcn_index && hx_find(&w->hcn_index->addrs, key, mac_key(key, mac)) != NULL;
}

/* Counts (delta +1) or releases (-1) the addresses of an endpoint document. */
static int index_endpoint_addrs(sim_world *w, const char *json, int delta)
{
    sim_hcn_index *x = index_of(w);
    zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(json, ZHNS_NUL_TERMINATED, NULL);
    zh_guid net;
    int rc = 0;
    uint8_t mac[6], mkey[7];
    if (x && e && mac_parse(e->MacAddress, mac) == 0) { /* MAC addresses are the host's */
        if (delta > 0) {
            hx_entry *m = hx_add(&x->addrs, mkey, mac_key(mkey, mac));
            if (m)
                m->num++;
            else
                rc = -1;
        } else {
            hx_entry *m = hx_find(&x->addrs, mkey, mac_key(mkey, mac));
            if (m && --m->num == 0)
                hx_remove(&x->addrs, mkey, 7);
        }
    }
    if (x && e && e->HostComputeNetwork && zh_guid_parse(e->HostComputeNetwork, &net, NULL) == 0) {
        for (size_t i = 0; i < e->IpConfigurations_count; i++) {
            sim_ip ip;
            uint8_t key[34];
            if (!e->IpConfigurations[i].IpAddress || sim_ip_parse(e->IpConfigurations[i].IpAddress, &ip) < 0)
                continue;
            size_t n = addr_key(key, &net, &ip);
            if (delta > 0) {
                hx_entry *a = hx_add(&x->addrs, key, n);
                if (a)
                    a->num++;
                else
                    rc = -1;
            } else {
                hx_entry *a = hx_find(&x->addrs, key, n);
                if (a && --a->num == 0)
                    hx_remove(&x->addrs, key, n);
                /* a freed address is where the next automatic allocation starts */
                uint8_t ckey[17];
                hx_entry *cur = hx_find(&x->cursors, ckey, cursor_key(ckey, &net));
                uint64_t off;
                if (cur && cur->val && sim_prefix_offset(cur->val, &ip, &off) == 0 && off < cur->num)
                    cur->num = off;
            }
        }
    }
    zhns_HostComputeEndpoint_free(e);
    return rc;
}

static int addr_in_use(sim_world *w, const zh_guid *net, const sim_ip *ip)
{
    uint8_t key[34];
    size_t n = addr_key(key, net, ip);
    return w->hcn_index && hx_find(&w->hcn_index->addrs, key, n) != NULL;
}

/* ---- the index by Owner ---- */
typedef struct owner_list {
    sim_obj *head, *tail;
} owner_list;

/* ASCII case folded, as HCN compares filter strings. */
static uint64_t owner_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        h = (h ^ c) * 1099511628211ull;
    }
    return h;
}

static size_t owner_key(uint8_t key[10], sim_kind k, uint64_t h)
{
    key[0] = 'O';
    key[1] = (uint8_t)k;
    memcpy(key + 2, &h, 8);
    return 10;
}

/* The hash of the document's top-level Owner string. 1, or 0 when it has none. */
static int owner_of(const char *json, uint64_t *h)
{
    if (!strstr(json, "\"Owner\""))
        return 0;
    zh_arena a = {0};
    zh_jv *root = zh_json_parse(&a, json, strlen(json), "object", NULL);
    int found = 0;
    for (const zh_jv *m = root && root->type == ZH_JOBJECT ? root->first : NULL; m && !found; m = m->next)
        if (m->type == ZH_JSTRING && m->key_len == 5 && memcmp(m->key, "Owner", 5) == 0) {
            *h = owner_hash(m->str, m->str_len);
            found = 1;
        }
    zh_arena_free(&a);
    return found;
}

/* Appends the object to the list of its (kind, Owner). */
static void owner_link(sim_hcn_index *x, sim_obj *o)
{
    o->owner_in = false;
    o->owner_next = o->owner_prev = NULL;
    if (!owner_of(o->json, &o->owner_h))
        return;
    uint8_t key[10];
    hx_entry *e = hx_add(&x->owners, key, owner_key(key, o->kind, o->owner_h));
    owner_list *l = e ? e->val : NULL;
    if (e && !l && !(l = e->val = calloc(1, sizeof *l)))
        hx_remove(&x->owners, key, 10);
    if (!l) {
        x->owners_broken = true; /* not indexed: filtered enumerations scan from now on */
        return;
    }
    o->owner_prev = l->tail;
    if (l->tail)
        l->tail->owner_next = o;
    else
        l->head = o;
    l->tail = o;
    o->owner_in = true;
}

static void owner_unlink(sim_hcn_index *x, sim_obj *o)
{
    if (!o->owner_in)
        return;
    uint8_t key[10];
    size_t n = owner_key(key, o->kind, o->owner_h);
    hx_entry *e = hx_find(&x->owners, key, n);
    owner_list *l = e ? e->val : NULL;
    if (l) {
        if (o->owner_prev)
            o->owner_prev->owner_next = o->owner_next;
        else
            l->head = o->owner_next;
        if (o->owner_next)
            o->owner_next->owner_prev = o->owner_prev;
        else
            l->tail = o->owner_prev;
        if (!l->head) {
            free(l);
            hx_remove(&x->owners, key, n);
        }
    }
    o->owner_in = false;
    o->owner_next = o->owner_prev = NULL;
}

typedef struct call {
    sim_world *w;
    zh_wchar **record;
    void **made;            /* a create's handle out-parameter: NULL again when the call is undone */
    uint32_t counters[3];   /* next_mac, next_namespace_id, next_nat_subnet at begin */
} call;

/* Room for one more journal entry (before the change it records). -1 marks the call broken. */
static int journal_reserve(sim_hcn_index *x)
{
    if (!x->journaling || x->nundo < x->capundo)
        return 0;
    size_t ncap = x->capundo ? x->capundo * 2 : 8;
    undo_rec *u = realloc(x->undo, ncap * sizeof *u);
    if (!u) {
        x->broken = true;
        return -1;
    }
    x->undo = u;
    x->capundo = ncap;
    return 0;
}

static void journal_add(sim_hcn_index *x, undo_rec r)
{
    if (x->journaling)
        x->undo[x->nundo++] = r; /* room reserved before the change */
}

static void drop_handle(sim_world *w, sim_handle *h);

/* Puts a list-unlinked object back where it was (its neighbours are as they were then:
 * the journal is undone newest first). */
static void relink(sim_world *w, sim_hcn_index *x, sim_obj *o, sim_obj *prev, sim_obj *next)
{
    o->prev = prev;
    o->next = next;
    if (prev)
        prev->next = o;
    else
        w->objs[o->kind] = o;
    if (next)
        next->prev = o;
    else
        x->tails[o->kind] = o;
}

static int index_endpoint_addrs(sim_world *w, const char *json, int delta);

/* The end of a call: undo (newest first) or forget what the journal holds. */
static void journal_settle(call *c, int undo)
{
    sim_world *w = c->w;
    sim_hcn_index *x = w->hcn_index;
    if (!x)
        return;
    for (size_t i = x->nundo; i-- > 0;) {
        undo_rec *r = &x->undo[i];
        uint8_t key[17];
        if (!undo) {
            if (r->op == UNDO_REPLACE)
                free(r->old_json);
            if (r->op == UNDO_UNLINK) {
                free(r->o->json);
                free(r->o);
            }
            continue;
        }
        switch (r->op) {
        case UNDO_STORE: /* remove the object made */
            if (r->o->prev)
                r->o->prev->next = r->o->next;
            else
                w->objs[r->o->kind] = r->o->next;
            if (r->o->next)
                r->o->next->prev = r->o->prev;
            else
                x->tails[r->o->kind] = r->o->prev;
            hx_remove(&x->objs, key, obj_key(key, r->o->kind, &r->o->id));
            owner_unlink(x, r->o);
            if (r->o->kind == SIM_ENDPOINT)
                index_endpoint_addrs(w, r->o->json, -1);
            free(r->o->json);
            free(r->o);
            break;
        case UNDO_REPLACE: /* the document as it was */
            owner_unlink(x, r->o);
            free(r->o->json);
            r->o->json = r->old_json;
            owner_link(x, r->o);
            break;
        case UNDO_UNLINK: { /* the object back, where it was */
            relink(w, x, r->o, r->prev, r->next);
            owner_link(x, r->o);
            hx_entry *e = hx_add(&x->objs, key, obj_key(key, r->o->kind, &r->o->id));
            if (e)
                e->val = r->o;
            if (r->o->kind == SIM_ENDPOINT)
                index_endpoint_addrs(w, r->o->json, +1);
            break;
        }
        case UNDO_HANDLE: /* the handle made is closed again */
            if (c->made && *c->made == (void *)r->h)
                *c->made = NULL;
            if (hx_find(&x->handles, &r->h, sizeof r->h)) /* unless dropped meanwhile */
                drop_handle(w, r->h);
            break;
        }
    }
    x->nundo = 0;
    x->journaling = false;
    x->broken = false;
    if (x->capundo > 64) { /* a big call's journal is not kept */
        free(x->undo);
        x->undo = NULL;
        x->capundo = 0;
    }
}

/* Locks the world and clears the out-parameters. 0, or an HRESULT to return. */
static zh_hresult begin(call *c, zh_wchar **record, zh_wchar **out)
{
    if (record)
        *record = NULL;
    if (out)
        *out = NULL;
    c->record = record;
    c->w = sim_world_get();
    if (!c->w)
        return ZH_E_RPC_SERVER_UNAVAILABLE;
    c->made = NULL;
    zh_mutex_lock(&c->w->lock);
    c->w->dirty = false;
    c->counters[0] = c->w->next_mac;
    c->counters[1] = c->w->next_namespace_id;
    c->counters[2] = c->w->next_nat_subnet;
    sim_hcn_index *x = index_of(c->w);
    if (x)
        x->journaling = true;
    return 0;
}

static zh_hresult end(call *c, zh_hresult hr)
{
    char why[600];
    sim_hcn_index *x = c->w->hcn_index;
    if (hr >= 0 && x && x->broken)
        hr = FAIL(c->record, ZH_E_OUTOFMEMORY, "out of memory");
    /* one transaction per call (sim:PATH service): the counters it advanced go with it */
    static const char *const counter_names[3] = {"next_mac", "next_namespace_id", "next_nat_subnet"};
    const uint32_t now[3] = {c->w->next_mac, c->w->next_namespace_id, c->w->next_nat_subnet};
    for (int i = 0; i < 3 && hr >= 0; i++)
        if (now[i] != c->counters[i])
            (void)sim_db_put_counter(counter_names[i], now[i]);
    if (hr < 0)
        sim_db_rollback();
    else
        (void)sim_db_commit();
    int32_t db_hr = sim_db_take_error(why, sizeof why); /* sim:PATH service: a write failed */
    if (db_hr && c->record && *c->record) {
        zh_sim_free_string(*c->record); /* the write's failure is the one to report */
        *c->record = NULL;
    }
    if (db_hr)
        hr = FAIL(c->record, db_hr, "%s", why);
    /* a failed call changes nothing: what it changed in memory is put back */
    journal_settle(c, hr < 0);
    c->w->dirty = false;
    zh_mutex_unlock(&c->w->lock);
    return hr;
}

static sim_obj *find(sim_world *w, sim_kind k, const zh_guid *id)
{
    uint8_t key[17];
    hx_entry *e = w->hcn_index ? hx_find(&w->hcn_index->objs, key, obj_key(key, k, id)) : NULL;
    return e ? e->val : NULL;
}

static int store(sim_world *w, sim_kind k, const zh_guid *id, char *json)
{
    sim_hcn_index *x = index_of(w);
    sim_obj *o = x ? calloc(1, sizeof *o) : NULL;
    /* written to the database first (sim:PATH's service): a failed write changes nothing */
    if (!o || journal_reserve(x) < 0 || sim_db_put((int)k, id, json) < 0) {
        free(o);
        return -1;
    }
    uint8_t key[17];
    hx_entry *e = hx_add(&x->objs, key, obj_key(key, k, id));
    if (!e || (k == SIM_ENDPOINT && index_endpoint_addrs(w, json, +1) < 0)) {
        if (e)
            hx_remove(&x->objs, key, 17);
        (void)sim_db_del((int)k, id); /* undo the write: memory and database agree */
        free(o);
        return -1;
    }
    e->val = o;
    o->kind = k;
    o->id = *id;
    o->json = json;
    /* append: enumeration answers in creation order */
    o->prev = x->tails[k];
    if (x->tails[k])
        x->tails[k]->next = o;
    else
        w->objs[k] = o;
    x->tails[k] = o;
    owner_link(x, o);
    journal_add(x, (undo_rec){UNDO_STORE, o, NULL, NULL, NULL, NULL});
    w->dirty = true;
    return 0;
}

/* Replaces an object's document (takes `json`). 0, or -1 when it could not be written (the
 * object stays as it was, and the call fails). */
static int replace_json(sim_world *w, sim_obj *o, char *json)
{
    sim_hcn_index *x = index_of(w);
    if (!x || journal_reserve(x) < 0 || sim_db_put((int)o->kind, &o->id, json) < 0) {
        free(json);
        return -1;
    }
    owner_unlink(x, o);
    if (x->journaling)
        journal_add(x, (undo_rec){UNDO_REPLACE, o, o->json, NULL, NULL, NULL});
    else
        free(o->json);
    o->json = json;
    owner_link(x, o);
    w->dirty = true;
    return 0;
}

static void unlink_obj(sim_world *w, sim_obj *o)
{
    sim_hcn_index *x = w->hcn_index;
    if ((x && journal_reserve(x) < 0) || sim_db_del((int)o->kind, &o->id) < 0)
        return; /* not written: the object stays, and the call fails */
    w->dirty = true;
    if (x && x->journaling)
        journal_add(x, (undo_rec){UNDO_UNLINK, o, NULL, o->prev, o->next, NULL});
    if (o->prev)
        o->prev->next = o->next;
    else
        w->objs[o->kind] = o->next;
    if (o->next)
        o->next->prev = o->prev;
    else if (x)
        x->tails[o->kind] = o->prev;
    if (x) {
        uint8_t key[17];
        hx_remove(&x->objs, key, obj_key(key, o->kind, &o->id));
        owner_unlink(x, o);
        if (o->kind == SIM_ENDPOINT)
            index_endpoint_addrs(w, o->json, -1);
    }
    if (x && x->journaling)
        return; /* freed when the call succeeds, put back when it fails */
    free(o->json);
    free(o);
}

/* ---------------------------------------------------------------- latitudes */
static zh_atomic latitudes;
static zh_once seed_once = ZH_ONCE_INIT;

unsigned zh_sim_hcn_seed_latitudes(uint64_t seed)
{
    /* splitmix64: every bit of the seed counts */
    uint64_t z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (unsigned)(z & ZH_SIM_HCN_LATITUDES_ALL);
}

/* ZH_SIM_SEED (shared with the HCS latitudes): a decimal or 0x number. */
static void apply_env_seed(void)
{
    const char *v = getenv("ZH_SIM_SEED");
    if (!v || !*v)
        return;
    char *end = NULL;
    unsigned long long seed = strtoull(v, &end, 0);
    if (!end || *end) {
        fprintf(stderr, "zh-sim: ZH_SIM_SEED=\"%s\" is not a number; HCN latitudes stay off\n", v);
        return;
    }
    /* not printed here: programs' output is theirs (the test programs print the set) */
    zh_atomic_store(&latitudes, (int)zh_sim_hcn_seed_latitudes(seed));
}

unsigned sim_hcn_latitudes(void)
{
    zh_once_run(&seed_once, apply_env_seed);
    return (unsigned)zh_atomic_load(&latitudes);
}

static zh_atomic latitudes_explicit; /* set by the control: a sim:PATH service gets them too */

unsigned zh_sim_hcn_latitudes(unsigned flags)
{
    zh_once_run(&seed_once, apply_env_seed); /* an explicit set wins over the seed's */
    unsigned old = (unsigned)zh_atomic_load(&latitudes);
    zh_atomic_store(&latitudes, (int)(flags & ZH_SIM_HCN_LATITUDES_ALL));
    zh_atomic_store(&latitudes_explicit, 1);
    sim_push_latitudes();
    return old;
}

int sim_hcn_latitudes_explicit(unsigned *flags)
{
    *flags = (unsigned)zh_atomic_load(&latitudes);
    return zh_atomic_load(&latitudes_explicit);
}

static void format_id(const zh_guid *id, char buf[ZH_GUID_BUFSIZE])
{
    zh_guid_format(id, sim_hcn_latitudes() & ZH_SIM_HCN_IDS_UPPER ? ZH_GUID_UPPER : ZH_GUID_LOWER, buf);
}

/* Filter keys the simulated HNS knows under ZH_SIM_HCN_FILTER_LOOSE / _STRICT (a guess: those
 * hcsshim's own queries use, and the document's identity). */
static int filter_key_known(const char *key)
{
    static const char *const known[] = {"ID", "Name", "Type", "HostComputeNetwork", "VirtualNetwork",
                                        "HostComputeNamespace", "Namespace"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (zh_strcasecmp_ascii(key, known[i]) == 0)
            return 1;
    return 0;
}

/* NULL under ZH_SIM_HCN_DROP_OWNER: the Owner a new document keeps. */
static char *kept_owner(char *owner)
{
    return sim_hcn_latitudes() & ZH_SIM_HCN_DROP_OWNER ? NULL : owner;
}

static void *new_handle(sim_world *w, sim_kind k, const zh_guid *id)
{
    sim_hcn_index *x = index_of(w);
    sim_handle *h = x && journal_reserve(x) == 0 ? calloc(1, sizeof *h) : NULL;
    if (!h)
        return NULL;
    hx_entry *e = hx_add(&x->handles, &h, sizeof h);
    if (!e) {
        free(h);
        return NULL;
    }
    e->val = h;
    h->magic = SIM_HANDLE_MAGIC;
    h->kind = k;
    h->id = *id;
    journal_add(x, (undo_rec){UNDO_HANDLE, NULL, NULL, NULL, NULL, h});
    return h;
}

/* A handle of kind k that this world handed out and nobody closed, else NULL. */
static sim_handle *check_handle(sim_world *w, void *p, sim_kind k)
{
    hx_entry *e = w->hcn_index ? hx_find(&w->hcn_index->handles, &p, sizeof p) : NULL;
    sim_handle *h = e ? e->val : NULL;
    return h && h->kind == k ? h : NULL;
}

static void drop_handle(sim_world *w, sim_handle *h)
{
    hx_remove(&w->hcn_index->handles, &h, sizeof h);
    h->magic = 0;
    free(h);
}

static zh_hresult close_handle(void *p, sim_kind k)
{
    call c;
    zh_hresult hr = begin(&c, NULL, NULL);
    if (hr)
        return hr;
    sim_handle *h = check_handle(c.w, p, k);
    if (!h)
        return end(&c, ZH_E_HANDLE);
    drop_handle(c.w, h);
    return end(&c, 0);
}

/* The UTF-8 of a settings/query argument. NULL with *hr set on invalid UTF-16. */
static char *arg_text(call *c, const zh_wchar *w, const char *what, zh_hresult *hr)
{
    int bad;
    char *s = sim_utf8(w, &bad);
    *hr = 0;
    if (bad)
        *hr = FAIL(c->record, HCN_E_INVALID_JSON, "%s is not valid UTF-16", what);
    return s;
}

/* Validates an optional HostComputeQuery and returns its parsed form (NULL when absent). */
static zh_hresult parse_query(call *c, const zh_wchar *query, zhns_HostComputeQuery **out)
{
    zh_hresult hr;
    *out = NULL;
    char *text = arg_text(c, query, "query", &hr);
    if (hr)
        return hr;
    if (text && *text) {
        zhns_error *err = NULL;
        *out = zhns_HostComputeQuery_parse(text, ZHNS_NUL_TERMINATED, &err);
        if (!*out)
            hr = FAIL(c->record, HCN_E_INVALID_JSON, "invalid query: %s", zh_error_message(err));
        zh_error_free(err);
    }
    free(text);
    return hr;
}

/* Sets *out to the document (UTF-16). */
static zh_hresult answer(call *c, zh_wchar **out, const char *json)
{
    if (!out)
        return 0;
    *out = sim_wstr(json);
    return *out ? 0 : FAIL(c->record, ZH_E_OUTOFMEMORY, "out of memory");
}

static zh_hresult want_id(call *c, zh_refguid id, zh_guid *out, sim_kind k)
{
    if (!id)
        return FAIL(c->record, ZH_E_POINTER, "no %s id", kind_names[k]);
    memcpy(out, id, sizeof *out);
    return 0;
}

/* A new id: the caller's unless it is all zero, then the document's "ID" (hcsshim creates
 * with a zero id and the id in the document, and recreates objects under their old id),
 * else one the service picks. */
static zh_hresult new_id(call *c, zh_refguid id, const char *doc_id, zh_guid *out, sim_kind k)
{
    zh_guid g = {0};
    if (id)
        memcpy(&g, id, sizeof g);
    if (zh_guid_is_nil(&g) && doc_id && *doc_id && zh_guid_parse(doc_id, &g, NULL) < 0)
        return FAIL(c->record, HCN_E_INVALID_JSON, "the %s's ID \"%s\" is not a GUID", kind_names[k], doc_id);
    if (zh_guid_is_nil(&g) && zh_guid_random(&g, NULL) < 0)
        return FAIL(c->record, ZH_E_FAIL, "no random id");
    if (find(c->w, k, &g)) {
        char buf[ZH_GUID_BUFSIZE];
        format_id(&g, buf);
        return FAIL(c->record, k == SIM_NETWORK ? HCN_E_NETWORK_ALREADY_EXISTS : ZH_E_ALREADY_EXISTS,
                    "a %s with id %s already exists", kind_names[k], buf);
    }
    *out = g;
    return 0;
}

/* zh_sim_fault_made: the Nth create of a kind makes its object, then answers S_OK with an
 * ErrorRecord (mode 1) or S_OK without a handle (mode 2). Guarded by the world lock. */
static struct {
    int mode;
    unsigned countdown;
} made_faults[SIM_KIND_COUNT];

int zh_sim_fault_made(const char *entry, unsigned nth, int mode)
{
    static const char *const creates[SIM_KIND_COUNT] = {"HcnCreateNetwork", "HcnCreateEndpoint", "HcnCreateNamespace",
                                                        "HcnCreateLoadBalancer", "HcnCreateSdnRoute"};
    sim_world *w = sim_world_get();
    int k = -1;
    for (int i = 0; entry && i < SIM_KIND_COUNT; i++)
        if (strcmp(entry, creates[i]) == 0)
            k = i;
    if (!w || k < 0 || mode < 0 || mode > 2)
        return -1;
    zh_mutex_lock(&w->lock);
    made_faults[k].mode = mode;
    made_faults[k].countdown = nth;
    zh_mutex_unlock(&w->lock);
    return 0;
}

static zh_hresult made_quirk(call *c, sim_kind k, zh_hresult hr, void **handle)
{
    if (hr || !made_faults[k].mode || !handle || !*handle)
        return hr;
    if (made_faults[k].countdown > 1) {
        made_faults[k].countdown--;
        return hr;
    }
    int mode = made_faults[k].mode;
    if (made_faults[k].countdown == 1)
        made_faults[k].mode = 0;
    if (mode == 1) {
        FAIL(c->record, ZH_E_FAIL, "the %s was made, but the service reports trouble (zh_sim_fault_made)", kind_names[k]);
        return 0;
    }
    sim_handle *h = check_handle(c->w, *handle, k);
    if (h)
        drop_handle(c->w, h);
    *handle = NULL;
    return 0;
}

/* Object document lookups for handles. */
static zh_hresult handle_obj(call *c, void *handle, sim_kind k, sim_obj **out)
{
    sim_handle *h = check_handle(c->w, handle, k);
    if (!h)
        return FAIL(c->record, ZH_E_HANDLE, "not an open %s handle", kind_names[k]);
    *out = find(c->w, k, &h->id);
    if (!*out) {
        char buf[ZH_GUID_BUFSIZE];
        format_id(&h->id, buf);
        return FAIL(c->record, not_found[k], "the %s %s was deleted", kind_names[k], buf);
    }
    return 0;
}

/* ---------------------------------------------------------------- enumeration */
static int key_is(const zh_jv *m, const char *name);
/* Filter keys HCN takes under the names of its v1 API. */
static const char *filter_alias(sim_kind k, const char *key)
{
    if (k == SIM_ENDPOINT && zh_strcasecmp_ascii(key, "VirtualNetwork") == 0)
        return "HostComputeNetwork";
    if (k == SIM_ENDPOINT && zh_strcasecmp_ascii(key, "Namespace") == 0)
        return "HostComputeNamespace";
    return key;
}

static int value_matches(const zh_jv *want, const zh_jv *have)
{
    if (want->type != have->type) {
        /* true/false are distinct types in the reader */
        return 0;
    }
    if (want->type == ZH_JSTRING) {
        if (want->str_len != have->str_len)
            return 0;
        for (size_t i = 0; i < want->str_len; i++) {
            char a = want->str[i], b = have->str[i];
            if (a >= 'A' && a <= 'Z')
                a = (char)(a - 'A' + 'a');
            if (b >= 'A' && b <= 'Z')
                b = (char)(b - 'A' + 'a');
            if (a != b)
                return 0;
        }
        return 1;
    }
    return want->raw_len == have->raw_len && memcmp(want->raw, have->raw, want->raw_len) == 0;
}

/* Does `hay` contain the n bytes of `needle`, ignoring ASCII case? */
static int contains_nocase(const char *hay, const char *needle, size_t n)
{
    if (!n)
        return 1;
    char first = needle[0] >= 'A' && needle[0] <= 'Z' ? (char)(needle[0] - 'A' + 'a') : needle[0];
    for (const char *p = hay; *p; p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        if (c != first)
            continue;
        size_t i = 1;
        for (; i < n && p[i]; i++) {
            char a = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] - 'A' + 'a') : p[i];
            char b = needle[i] >= 'A' && needle[i] <= 'Z' ? (char)(needle[i] - 'A' + 'a') : needle[i];
            if (a != b)
                break;
        }
        if (i == n)
            return 1;
    }
    return 0;
}

/* A cheap "cannot match" before parsing: a string value the filter wants that appears
 * nowhere in the document (values that the writer would escape are not tried). */
static int surely_no_match(const zh_jv *filter, const char *json)
{
    if (sim_hcn_latitudes() & ZH_SIM_HCN_FILTER_LOOSE)
        return 0;
    for (const zh_jv *f = filter ? filter->first : NULL; f; f = f->next) {
        if (f->type != ZH_JSTRING)
            continue;
        int plain = 1;
        for (size_t i = 0; i < f->str_len && plain; i++)
            plain = (unsigned char)f->str[i] >= 0x20 && f->str[i] != '"' && f->str[i] != '\\';
        if (plain && !contains_nocase(json, f->str, f->str_len))
            return 1;
    }
    return 0;
}

/* Does the object's document match every member of the filter object? */
static int filter_matches(sim_kind k, const zh_jv *filter, const char *json)
{
    if (surely_no_match(filter, json))
        return 0;
    zh_arena a = {0};
    zh_jv *doc = zh_json_parse(&a, json, strlen(json), "object", NULL);
    int ok = doc != NULL;
    unsigned lat = sim_hcn_latitudes();
    int loose = (lat & ZH_SIM_HCN_FILTER_LOOSE) != 0, strict = !loose && (lat & ZH_SIM_HCN_FILTER_STRICT);
    for (const zh_jv *f = filter ? filter->first : NULL; ok && f; f = f->next) {
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)f->key_len, f->key);
        if ((loose || strict) && !filter_key_known(key)) {
            if (strict)
                ok = 0; /* a key this HNS cannot filter on: nothing matches */
            continue;   /* loose: ignored */
        }
        const char *name = filter_alias(k, key);
        const zh_jv *m = doc->first;
        while (m) {
            char mk[256];
            snprintf(mk, sizeof mk, "%.*s", (int)m->key_len, m->key);
            if (zh_strcasecmp_ascii(mk, name) == 0)
                break;
            m = m->next;
        }
        ok = m && value_matches(f, m);
    }
    zh_arena_free(&a);
    return ok;
}

static zh_hresult enumerate(sim_kind k, const zh_wchar *query, zh_wchar **ids, zh_wchar **record)
{
    call c;
    zh_hresult hr = begin(&c, record, ids);
    if (hr)
        return hr;
    zhns_HostComputeQuery *q = NULL;
    if ((hr = parse_query(&c, query, &q)))
        return end(&c, hr);
    zh_arena a = {0};
    zh_jv *filter = NULL;
    if (q && q->Filter && *q->Filter) {
        zh_error *err = NULL;
        filter = zh_json_parse(&a, q->Filter, strlen(q->Filter), "Filter", &err);
        if (!filter || filter->type != ZH_JOBJECT) {
            hr = FAIL(record, HCN_E_INVALID_JSON, "the query's Filter is not a JSON object%s%s", err ? ": " : "",
                      err ? zh_error_message(err) : "");
        }
        zh_error_free(err);
    }
    if (!hr) {
        zh_buf b = ZH_BUF_INIT(0);
        zh_buf_puts(&b, "[");
        int first = 1;
        /* a filter on Owner (which this HNS filters on): only that Owner's objects are read */
        const zh_jv *by_owner = NULL;
        sim_hcn_index *x = c.w->hcn_index;
        for (const zh_jv *f = filter ? filter->first : NULL; f; f = f->next)
            if (f->type == ZH_JSTRING && key_is(f, "Owner"))
                by_owner = f;
        if (by_owner && (!x || x->owners_broken || (sim_hcn_latitudes() & ZH_SIM_HCN_FILTER_LOOSE)))
            by_owner = NULL;
        sim_obj *start = c.w->objs[k];
        if (by_owner) {
            uint8_t key[10];
            hx_entry *e = hx_find(&x->owners, key, owner_key(key, k, owner_hash(by_owner->str, by_owner->str_len)));
            start = e && e->val ? ((owner_list *)e->val)->head : NULL;
        }
        for (sim_obj *o = start; o; o = by_owner ? o->owner_next : o->next) {
            if (!filter_matches(k, filter, o->json))
                continue;
            char buf[ZH_GUID_BUFSIZE];
            format_id(&o->id, buf);
            zh_buf_printf(&b, "%s\"%s\"", first ? "" : ",", buf);
            first = 0;
        }
        zh_buf_puts(&b, "]");
        char *json = zh_buf_take(&b);
        hr = json ? answer(&c, ids, json) : FAIL(record, ZH_E_OUTOFMEMORY, "out of memory");
        free(json);
    }
    zh_arena_free(&a);
    zhns_HostComputeQuery_free(q);
    return end(&c, hr);
}

static zh_hresult query_properties(void *handle, sim_kind k, const zh_wchar *query, zh_wchar **props,
                                   zh_wchar **record)
{
    call c;
    zh_hresult hr = begin(&c, record, props);
    if (hr)
        return hr;
    sim_obj *o;
    zhns_HostComputeQuery *q = NULL;
    if ((hr = handle_obj(&c, handle, k, &o)) || (hr = parse_query(&c, query, &q)))
        return end(&c, hr);
    zhns_HostComputeQuery_free(q);
    return end(&c, answer(&c, props, o->json));
}

static zh_hresult open_object(sim_kind k, zh_refguid id, void **out, zh_wchar **record)
{
    call c;
    zh_hresult hr = begin(&c, record, NULL);
    if (out)
        *out = NULL;
    if (hr)
        return hr;
    zh_guid g;
    if ((hr = want_id(&c, id, &g, k)))
        return end(&c, hr);
    if (!out)
        return end(&c, FAIL(record, ZH_E_POINTER, "no place for the handle"));
    if (!find(c.w, k, &g)) {
        char buf[ZH_GUID_BUFSIZE];
        format_id(&g, buf);
        return end(&c, FAIL(record, not_found[k], "%s %s not found", kind_names[k], buf));
    }
    *out = new_handle(c.w, k, &g);
    return end(&c, *out ? 0 : FAIL(record, ZH_E_OUTOFMEMORY, "out of memory"));
}

/* ---------------------------------------------------------------- networks */
typedef struct subnet_info {
    sim_prefix prefix;
    sim_ip gateway;
    int has_gateway;
    int gateway_free; /* Flags DoNotReserveGatewayAddress: endpoints may take the gateway's address */
} subnet_info;

#define MAX_SUBNETS 32

/* Is the simulated HNS version at least major.minor - within that major only when `only`
 * is that major (9.3-9.x: version_at(w, 9, 3, 9))? The feature spans are hcsshim's. */
static int version_at(const sim_world *w, uint32_t major, uint32_t minor, uint32_t only)
{
    if (only)
        return w->hns_major == only && w->hns_minor >= minor;
    return w->hns_major > major || (w->hns_major == major && w->hns_minor >= minor);
}

/* ---- what each HNS version has: policies and calls refused below the version that added
 * them (hcsshim's version table, the one zhns's feature detection uses; the HRESULT,
 * HCN_E_REQUEST_UNSUPPORTED, is a guess) */
static int l4_proxy_at(const sim_world *w)
{
    return version_at(w, 9, 5, 9) || version_at(w, 10, 5, 10) || version_at(w, 11, 11, 11) ||
           version_at(w, 12, 1, 12) || version_at(w, 13, 1, 0);
}

/* The version a network policy type needs, or NULL when this version has it. */
static const char *network_policy_needs(const sim_world *w, zhns_NetworkPolicyType t)
{
    switch (t) {
    case ZHNS_NETWORKPOLICYTYPE_REMOTESUBNETROUTE:
    case ZHNS_NETWORKPOLICYTYPE_HOSTROUTE:
        return version_at(w, 9, 2, 0) ? NULL : "9.2+";
    case ZHNS_NETWORKPOLICYTYPE_VXLANPORT:
        return version_at(w, 10, 3, 0) ? NULL : "10.3+";
    case ZHNS_NETWORKPOLICYTYPE_SETPOLICY:
        return version_at(w, 13, 0, 0) ? NULL : "13.0+";
    case ZHNS_NETWORKPOLICYTYPE_L4PROXY:
        return l4_proxy_at(w) ? NULL : "9.5-9.x, 10.5-10.x, 11.11-11.x, 12.1-12.x or 13.1+";
    case ZHNS_NETWORKPOLICYTYPE_NETWORKACL:
        return version_at(w, 15, 0, 0) ? NULL : "15.0+";
    default:
        return NULL;
    }
}

static const char *endpoint_policy_needs(const sim_world *w, zhns_EndpointPolicyType t)
{
    switch (t) {
    case ZHNS_ENDPOINTPOLICYTYPE_L4PROXY:
        return l4_proxy_at(w) ? NULL : "9.5-9.x, 10.5-10.x, 11.11-11.x, 12.1-12.x or 13.1+";
    case ZHNS_ENDPOINTPOLICYTYPE_L4WFPPROXY:
        return version_at(w, 13, 2, 0) ? NULL : "13.2+";
    case ZHNS_ENDPOINTPOLICYTYPE_TIERACL:
        return version_at(w, 14, 0, 0) ? NULL : "14.0+";
    default:
        return NULL;
    }
}

/* Major 0 models a failing version query, not an old host: nothing is gated then. */
static zh_hresult network_policies_gate(call *c, const zhns_NetworkPolicy *p, size_t n)
{
    if (c->w->hns_major == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *needs = p[i].has_Type ? network_policy_needs(c->w, p[i].Type) : NULL;
        if (needs)
            return FAIL(c->record, HCN_E_REQUEST_UNSUPPORTED, "network policy %s needs HNS %s; this is %u.%u",
                        zhns_NetworkPolicyType_name(p[i].Type), needs, (unsigned)c->w->hns_major,
                        (unsigned)c->w->hns_minor);
    }
    return 0;
}

static zh_hresult endpoint_policies_gate(call *c, const zhns_EndpointPolicy *p, size_t n)
{
    if (c->w->hns_major == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const char *needs = p[i].has_Type ? endpoint_policy_needs(c->w, p[i].Type) : NULL;
        if (needs)
            return FAIL(c->record, HCN_E_REQUEST_UNSUPPORTED, "endpoint policy %s needs HNS %s; this is %u.%u",
                        zhns_EndpointPolicyType_name(p[i].Type), needs, (unsigned)c->w->hns_major,
                        (unsigned)c->w->hns_minor);
    }
    return 0;
}

/* Host-length endpoint prefixes (/32, /128) inside a wider subnet: the Slash32EndpointPrefixes
 * feature, HNS 9.3-9.x and 10.4+ (hcsshim's version table). */
static int slash32_supported(const sim_world *w)
{
    return (w->hns_major == 9 && w->hns_minor >= 3) || w->hns_major > 10 || (w->hns_major == 10 && w->hns_minor >= 4);
}

/* The subnets of a parsed network: prefixes and default-route next hops. */
static zh_hresult network_subnets(call *c, const zhns_HostComputeNetwork *n, subnet_info *out, size_t *count)
{
    *count = 0;
    for (size_t i = 0; i < n->Ipams_count; i++) {
        for (size_t j = 0; j < n->Ipams[i].Subnets_count; j++) {
            const zhns_Subnet *s = &n->Ipams[i].Subnets[j];
            if (*count == MAX_SUBNETS)
                return FAIL(c->record, HCN_E_INVALID_SUBNET, "more than %d subnets", MAX_SUBNETS);
            subnet_info *si = &out[(*count)++];
            memset(si, 0, sizeof *si);
            si->gateway_free = s->has_Flags && (s->Flags & ZHNS_SUBNETFLAGS_DONOTRESERVEGATEWAYADDRESS);
            if (!s->IpAddressPrefix || sim_prefix_parse(s->IpAddressPrefix, 0, &si->prefix) < 0)
                return FAIL(c->record, HCN_E_INVALID_PREFIX, "subnet prefix \"%s\" is not a valid IP prefix",
                            s->IpAddressPrefix ? s->IpAddressPrefix : "");
            for (size_t r = 0; r < s->Routes_count; r++) {
                const zhns_Route *rt = &s->Routes[r];
                sim_prefix dest;
                if (!rt->DestinationPrefix || sim_prefix_parse(rt->DestinationPrefix, 1, &dest) < 0)
                    return FAIL(c->record, HCN_E_INVALID_PREFIX, "route destination \"%s\" is not a valid IP prefix",
                                rt->DestinationPrefix ? rt->DestinationPrefix : "");
                if (!sim_prefix_is_default(&dest))
                    continue;
                if (!rt->NextHop || sim_ip_parse(rt->NextHop, &si->gateway) < 0)
                    return FAIL(c->record, HCN_E_INVALID_IP, "the default route's next hop \"%s\" is not an IP address",
                                rt->NextHop ? rt->NextHop : "");
                if (!sim_prefix_contains(&si->prefix, &si->gateway))
                    return FAIL(c->record, HCN_E_INVALID_SUBNET, "the next hop %s is outside the subnet %s",
                                rt->NextHop, s->IpAddressPrefix);
                si->has_gateway = 1;
            }
        }
    }
    return 0;
}

/* Network types that bridge to a physical network need a subnet with a default route. */
static int needs_default_route(zhns_NetworkMode t)
{
    return t == ZHNS_NETWORKMODE_TRANSPARENT || t == ZHNS_NETWORKMODE_L2BRIDGE || t == ZHNS_NETWORKMODE_L2TUNNEL ||
           t == ZHNS_NETWORKMODE_OVERLAY;
}

zh_hresult ZH_WINAPI sim_HcnCreateNetwork(zh_refguid Id, const zh_wchar *Settings, zh_hcn_network *Network,
                                          zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, NULL);
    if (Network)
        *Network = NULL;
    if (hr)
        return hr;
    if (!Network)
        return end(&c, FAIL(ErrorRecord, ZH_E_POINTER, "no place for the network handle"));
    char *text = arg_text(&c, Settings, "settings", &hr);
    if (hr)
        return end(&c, hr);
    zhns_error *err = NULL;
    /* a v1 document (hcsshim's TestV1Network creates one through this API): its Subnets and
     * MacPools become the v2 Ipams and MacPool, rather than unknown members */
    char *v2 = sim_hnsv1_network_doc(text);
    if (v2) {
        free(text);
        text = v2;
    }
    zhns_HostComputeNetwork *n = text ? zhns_HostComputeNetwork_parse(text, ZHNS_NUL_TERMINATED, &err) : NULL;
    free(text);
    if (!n) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid network settings: %s",
                  err ? zh_error_message(err) : "no settings");
        zh_error_free(err);
        return end(&c, hr);
    }
    zh_guid id;
    subnet_info subnets[MAX_SUBNETS];
    size_t nsub = 0;
    char *json = NULL;
    if (!n->has_Type || n->Type == ZHNS_NETWORKMODE__UNKNOWN) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_NETWORK_TYPE, "the network type %s is not supported",
                  n->Type_unknown ? n->Type_unknown : "(missing)");
    } else if (!(hr = network_policies_gate(&c, n->Policies, n->Policies_count)) &&
               !(hr = new_id(&c, Id, n->ID, &id, SIM_NETWORK)) && !(hr = network_subnets(&c, n, subnets, &nsub))) {
        int has_default = 0;
        for (size_t i = 0; i < nsub; i++)
            has_default |= subnets[i].has_gateway;
        if (needs_default_route(n->Type) && !has_default)
            hr = FAIL(ErrorRecord, HCN_E_INVALID_SUBNET,
                      "a %s network needs a subnet with a default route (0.0.0.0/0 or ::/0) and a next hop",
                      zhns_NetworkMode_name(n->Type));
    }
    /* NAT without an address plan: the service picks a private /24 (a documented guess). */
    zhns_Ipam ipam = {0};
    zhns_Subnet subnet = {0};
    zhns_Route route = {0};
    char prefix_buf[32], gw_buf[32];
    if (!hr && n->Type == ZHNS_NETWORKMODE_NAT && n->Ipams_count == 0) {
        unsigned k = c.w->next_nat_subnet++ % 256;
        snprintf(prefix_buf, sizeof prefix_buf, "172.31.%u.0/24", k);
        snprintf(gw_buf, sizeof gw_buf, "172.31.%u.1", k);
        route.NextHop = gw_buf;
        route.DestinationPrefix = "0.0.0.0/0";
        subnet.IpAddressPrefix = prefix_buf;
        subnet.Routes = &route;
        subnet.Routes_count = 1;
        ipam.has_Type = true;
        ipam.Type = ZHNS_IPAMTYPE_STATIC;
        ipam.Subnets = &subnet;
        ipam.Subnets_count = 1;
        n->Ipams = &ipam;
        n->Ipams_count = 1;
    }
    if (!hr) {
        char idbuf[ZH_GUID_BUFSIZE];
        format_id(&id, idbuf);
        n->ID = idbuf;
        n->Owner = kept_owner(n->Owner);
        zhns_Version v = {true, 2, true, 0, NULL, 0};
        if (!n->SchemaVersion)
            n->SchemaVersion = &v;
        n->has_State = true;
        n->State = 1;
        json = zhns_HostComputeNetwork_emit(n, &err);
        if (!json || store(c.w, SIM_NETWORK, &id, json) < 0) {
            free(json);
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
        } else if (!((c.made = (void **)Network, *Network = new_handle(c.w, SIM_NETWORK, &id)))) {
            unlink_obj(c.w, find(c.w, SIM_NETWORK, &id));
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
        } else {
            char note[64];
            snprintf(note, sizeof note, "{\"ID\":\"%s\"}", idbuf);
            sim_notify(c.w, 2 /* HcnNotificationNetworkCreate */, note);
        }
    }
    zh_error_free(err);
    zhns_HostComputeNetwork_free(n);
    return end(&c, made_quirk(&c, SIM_NETWORK, hr, (void **)Network));
}

zh_hresult ZH_WINAPI sim_HcnOpenNetwork(zh_refguid Id, zh_hcn_network *Network, zh_wchar **ErrorRecord)
{
    return open_object(SIM_NETWORK, Id, Network, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnEnumerateNetworks(const zh_wchar *Query, zh_wchar **Networks, zh_wchar **ErrorRecord)
{
    return enumerate(SIM_NETWORK, Query, Networks, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnQueryNetworkProperties(zh_hcn_network Network, const zh_wchar *Query,
                                                   zh_wchar **Properties, zh_wchar **ErrorRecord)
{
    return query_properties(Network, SIM_NETWORK, Query, Properties, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnCloseNetwork(zh_hcn_network Network)
{
    return close_handle(Network, SIM_NETWORK);
}

static int endpoint_on_network(const sim_obj *o, const char *net)
{
    zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(o->json, ZHNS_NUL_TERMINATED, NULL);
    int on = e && e->HostComputeNetwork && zh_strcasecmp_ascii(e->HostComputeNetwork, net) == 0;
    zhns_HostComputeEndpoint_free(e);
    return on;
}

static zh_hresult delete_endpoint_obj(call *c, sim_obj *o);
static zh_hresult namespace_endpoint(call *c, sim_obj *ns_obj, const zh_guid *ep_id, int add);

static zh_hresult delete_object(sim_kind k, zh_refguid Id, zh_wchar **ErrorRecord);

zh_hresult ZH_WINAPI sim_HcnDeleteNetwork(zh_refguid Id, zh_wchar **ErrorRecord)
{
    return delete_object(SIM_NETWORK, Id, ErrorRecord);
}

/* ModifyNetworkSettingRequest: Policy Add/Remove/Update, DNS Update. */
zh_hresult ZH_WINAPI sim_HcnModifyNetwork(zh_hcn_network Network, const zh_wchar *Settings, zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, NULL);
    if (hr)
        return hr;
    sim_obj *o;
    if ((hr = handle_obj(&c, Network, SIM_NETWORK, &o)))
        return end(&c, hr);
    char *text = arg_text(&c, Settings, "settings", &hr);
    if (hr)
        return end(&c, hr);
    zhns_error *err = NULL;
    zhns_ModifyNetworkSettingRequest *req = text ? zhns_ModifyNetworkSettingRequest_parse(text, ZHNS_NUL_TERMINATED, &err) : NULL;
    free(text);
    zhns_HostComputeNetwork *n = zhns_HostComputeNetwork_parse(o->json, ZHNS_NUL_TERMINATED, NULL);
    zhns_HostComputeNetwork *change = NULL;
    zhns_DNS *dns = NULL;
    zhns_NetworkPolicy *merged = NULL;
    if (!req) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid modify request: %s", err ? zh_error_message(err) : "none");
    } else if (!n) {
        hr = FAIL(ErrorRecord, ZH_E_UNEXPECTED, "stored network document is unreadable");
    } else if (!req->has_RequestType || !req->Settings) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "a modify request needs RequestType and Settings");
    } else if (req->has_ResourceType && req->ResourceType == ZHNS_NETWORKRESOURCETYPE_POLICY) {
        change = zhns_HostComputeNetwork_parse(req->Settings, ZHNS_NUL_TERMINATED, &err);
        if (!change) {
            hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid policy settings: %s", zh_error_message(err));
        } else if (req->RequestType != ZHNS_MODIFYREQUESTTYPE_REMOVE &&
                   (hr = network_policies_gate(&c, change->Policies, change->Policies_count))) {
            /* refused: a policy this HNS does not have */
        } else {
            size_t total = n->Policies_count + change->Policies_count, count = 0;
            merged = calloc(total ? total : 1, sizeof *merged);
            if (!merged) {
                hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
            } else if (req->RequestType == ZHNS_MODIFYREQUESTTYPE_ADD) {
                copy_items(merged, n->Policies, n->Policies_count, sizeof *merged);
                copy_items(merged + n->Policies_count, change->Policies, change->Policies_count, sizeof *merged);
                count = total;
            } else if (req->RequestType == ZHNS_MODIFYREQUESTTYPE_REMOVE ||
                       req->RequestType == ZHNS_MODIFYREQUESTTYPE_UPDATE) {
                size_t removed = 0;
                for (size_t i = 0; i < n->Policies_count; i++) {
                    int drop = 0;
                    for (size_t j = 0; j < change->Policies_count; j++)
                        drop |= n->Policies[i].Type == change->Policies[j].Type;
                    if (drop)
                        removed++;
                    else
                        merged[count++] = n->Policies[i];
                }
                if (req->RequestType == ZHNS_MODIFYREQUESTTYPE_REMOVE && removed == 0)
                    hr = FAIL(ErrorRecord, HCN_E_POLICY_NOT_FOUND, "no policy of that type on the network");
                if (req->RequestType == ZHNS_MODIFYREQUESTTYPE_UPDATE) {
                    copy_items(merged + count, change->Policies, change->Policies_count, sizeof *merged);
                    count += change->Policies_count;
                }
            } else {
                hr = FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED, "request type not supported for policies");
            }
            n->Policies = merged;
            n->Policies_count = count;
        }
    } else if (req->has_ResourceType && req->ResourceType == ZHNS_NETWORKRESOURCETYPE_DNS &&
               req->RequestType == ZHNS_MODIFYREQUESTTYPE_UPDATE) {
        dns = zhns_DNS_parse(req->Settings, ZHNS_NUL_TERMINATED, &err);
        if (!dns)
            hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid DNS settings: %s", zh_error_message(err));
        n->Dns = dns;
    } else {
        hr = FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED, "this network modification is not supported");
    }
    if (!hr) {
        char *json = zhns_HostComputeNetwork_emit(n, NULL);
        if (!json || replace_json(c.w, o, json) < 0)
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
    }
    free(merged);
    zhns_DNS_free(dns);
    zhns_HostComputeNetwork_free(change);
    zhns_HostComputeNetwork_free(n);
    zhns_ModifyNetworkSettingRequest_free(req);
    zh_error_free(err);
    return end(&c, hr);
}

/* ---------------------------------------------------------------- endpoints */
/* Reserved: the network address, the broadcast address (IPv4), the gateway. */
static int reserved(const subnet_info *s, const sim_ip *ip)
{
    sim_ip last;
    if (sim_ip_equal(ip, &s->prefix.addr))
        return 1;
    if (!ip->v6 && sim_prefix_host(&s->prefix, sim_prefix_size(&s->prefix) - 1, &last) == 0 && sim_ip_equal(ip, &last) &&
        s->prefix.len < 31)
        return 1;
    return s->has_gateway && !s->gateway_free && sim_ip_equal(ip, &s->gateway);
}


/* The PortMapping policies of an endpoint (parsed; free with free_mappings). */
static size_t port_mappings(const zhns_HostComputeEndpoint *e, zhns_PortMappingPolicySetting **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < e->Policies_count && n < max; i++) {
        const zhns_EndpointPolicy *p = &e->Policies[i];
        if (p->has_Type && p->Type == ZHNS_ENDPOINTPOLICYTYPE_PORTMAPPING && p->Settings &&
            (out[n] = zhns_PortMappingPolicySetting_parse(p->Settings, ZHNS_NUL_TERMINATED, NULL)))
            n++;
    }
    return n;
}

static void free_mappings(zhns_PortMappingPolicySetting **m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        zhns_PortMappingPolicySetting_free(m[i]);
}

static int same_mapping(const zhns_PortMappingPolicySetting *a, const zhns_PortMappingPolicySetting *b)
{
    const char *va = a->VIP ? a->VIP : "", *vb = b->VIP ? b->VIP : "";
    return a->ExternalPort == b->ExternalPort && (a->has_Protocol ? (long)a->Protocol : -1) ==
                                                     (b->has_Protocol ? (long)b->Protocol : -1) &&
           (!*va || !*vb || strcmp(va, vb) == 0);
}

/* A PortMapping (protocol, external port, VIP) another endpoint of the host already holds:
 * HCN_E_PORT_ALREADY_EXISTS (hcsshim's TestEndpointAlreadyExistsError). Only endpoints
 * with port mappings cost a scan. */
static zh_hresult endpoint_port_conflict(call *c, const zhns_HostComputeEndpoint *e)
{
    zhns_PortMappingPolicySetting *mine[16], *theirs[16];
    size_t n = port_mappings(e, mine, 16);
    zh_hresult hr = 0;
    for (size_t i = 0; !hr && i < n; i++)
        for (size_t j = 0; !hr && j < i; j++)
            if (same_mapping(mine[i], mine[j]))
                hr = FAIL(c->record, HCN_E_PORT_ALREADY_EXISTS, "the endpoint maps external port %u twice",
                          (unsigned)mine[i]->ExternalPort);
    for (sim_obj *o = n ? c->w->objs[SIM_ENDPOINT] : NULL; o && !hr; o = o->next) {
        if (!strstr(o->json, "PortMapping"))
            continue;
        zhns_HostComputeEndpoint *other = zhns_HostComputeEndpoint_parse(o->json, ZHNS_NUL_TERMINATED, NULL);
        size_t m = other ? port_mappings(other, theirs, 16) : 0;
        for (size_t i = 0; !hr && i < n; i++)
            for (size_t j = 0; !hr && j < m; j++)
                if (same_mapping(mine[i], theirs[j])) {
                    char buf[ZH_GUID_BUFSIZE];
                    format_id(&o->id, buf);
                    hr = FAIL(c->record, HCN_E_PORT_ALREADY_EXISTS,
                              "external port %u (protocol %ld) is already mapped by endpoint %s",
                              (unsigned)mine[i]->ExternalPort, mine[i]->has_Protocol ? (long)mine[i]->Protocol : -1L,
                              buf);
                }
        free_mappings(theirs, m);
        zhns_HostComputeEndpoint_free(other);
    }
    free_mappings(mine, n);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcnCreateEndpoint(zh_hcn_network Network, zh_refguid Id, const zh_wchar *Settings,
                                           zh_hcn_endpoint *Endpoint, zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, NULL);
    if (Endpoint)
        *Endpoint = NULL;
    if (hr)
        return hr;
    sim_obj *net_obj;
    if ((hr = handle_obj(&c, Network, SIM_NETWORK, &net_obj)))
        return end(&c, hr);
    if (!Endpoint)
        return end(&c, FAIL(ErrorRecord, ZH_E_POINTER, "no place for the endpoint handle"));
    char *text = arg_text(&c, Settings, "settings", &hr);
    if (hr)
        return end(&c, hr);
    zhns_error *err = NULL;
    zhns_HostComputeEndpoint *e = text ? zhns_HostComputeEndpoint_parse(text, ZHNS_NUL_TERMINATED, &err) : NULL;
    free(text);
    zhns_HostComputeNetwork *net = zhns_HostComputeNetwork_parse(net_obj->json, ZHNS_NUL_TERMINATED, NULL);
    char net_id[ZH_GUID_BUFSIZE], idbuf[ZH_GUID_BUFSIZE], ipbuf[64], macbuf[32];
    format_id(&net_obj->id, net_id);
    subnet_info subnets[MAX_SUBNETS];
    size_t nsub = 0;
    zhns_IpConfig auto_ip = {0};
    zh_guid id;
    if (!e) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid endpoint settings: %s", err ? zh_error_message(err) : "none");
    } else if (!net || (hr = network_subnets(&c, net, subnets, &nsub))) {
        hr = hr ? hr : FAIL(ErrorRecord, ZH_E_UNEXPECTED, "stored network document is unreadable");
    } else if (e->HostComputeNetwork && zh_strcasecmp_ascii(e->HostComputeNetwork, net_id) != 0) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_NETWORK, "the settings name network %s, the handle network %s",
                  e->HostComputeNetwork, net_id);
    } else if (!(hr = endpoint_policies_gate(&c, e->Policies, e->Policies_count)) &&
               !(hr = new_id(&c, Id, e->ID, &id, SIM_ENDPOINT))) {
        for (size_t i = 0; !hr && i < e->IpConfigurations_count; i++) {
            zhns_IpConfig *ipc = &e->IpConfigurations[i];
            sim_ip ip;
            if (!ipc->IpAddress || sim_ip_parse(ipc->IpAddress, &ip) < 0) {
                hr = FAIL(ErrorRecord, HCN_E_INVALID_IP, "\"%s\" is not an IP address", ipc->IpAddress ? ipc->IpAddress : "");
                break;
            }
            const subnet_info *s = NULL;
            for (size_t k = 0; k < nsub && !s; k++)
                if (sim_prefix_contains(&subnets[k].prefix, &ip))
                    s = &subnets[k];
            if (!s) {
                hr = FAIL(ErrorRecord, HCN_E_INVALID_IP,
                          "IP address %s is either invalid or not part of any configured subnet(s)", ipc->IpAddress);
            } else if (ipc->has_PrefixLength && ipc->PrefixLength != s->prefix.len &&
                       !(ipc->PrefixLength == (ip.v6 ? 128 : 32) && slash32_supported(c.w))) {
                hr = FAIL(ErrorRecord, HCN_E_INVALID_PREFIX, "prefix length %u does not match the subnet's /%u",
                          (unsigned)ipc->PrefixLength, s->prefix.len);
            } else if (reserved(s, &ip) || addr_in_use(c.w, &net_obj->id, &ip)) {
                hr = FAIL(ErrorRecord, HCN_E_ADDR_INVALID_OR_RESERVED,
                          "the address %s is invalid or reserved (in use by another endpoint, or the subnet's "
                          "network, broadcast or gateway address)",
                          ipc->IpAddress);
            } else if (!ipc->has_PrefixLength) {
                ipc->has_PrefixLength = true;
                ipc->PrefixLength = (uint8_t)s->prefix.len;
            }
        }
        if (!hr)
            hr = endpoint_port_conflict(&c, e);
        uint8_t mac[6];
        if (!hr && e->MacAddress && mac_parse(e->MacAddress, mac) < 0)
            hr = FAIL(ErrorRecord, HCN_E_INVALID_ENDPOINT, "\"%s\" is not a MAC address (XX-XX-XX-XX-XX-XX)",
                      e->MacAddress);
        else if (!hr && e->MacAddress && ((mac[0] & 1) || mac_value(mac) == 0))
            hr = FAIL(ErrorRecord, HCN_E_INVALID_ENDPOINT, "%s is not a unicast MAC address", e->MacAddress);
        else if (!hr && e->MacAddress && mac_in_use(c.w, mac))
            hr = FAIL(ErrorRecord, ZH_E_ALREADY_EXISTS, "the MAC address %s is in use by another endpoint",
                      e->MacAddress);
        if (!hr && e->HostComputeNamespace && *e->HostComputeNamespace) {
            zh_guid ns_id;
            if (zh_guid_parse(e->HostComputeNamespace, &ns_id, NULL) < 0 || !find(c.w, SIM_NAMESPACE, &ns_id))
                hr = FAIL(ErrorRecord, ZH_E_NOT_FOUND, "the namespace %s the endpoint names does not exist",
                          e->HostComputeNamespace);
        }
        if (!hr && e->IpConfigurations_count == 0 && nsub > 0) {
            /* allocate the first free address of the first subnet: from where the last
             * allocation stopped (a release moves that back), so a create costs the same at
             * 10,000 endpoints as at 10 */
            const subnet_info *s = &subnets[0];
            uint64_t size = sim_prefix_size(&s->prefix), k;
            sim_ip ip;
            uint8_t ckey[17];
            size_t cn = cursor_key(ckey, &net_obj->id);
            hx_entry *cur = c.w->hcn_index ? hx_find(&c.w->hcn_index->cursors, ckey, cn) : NULL;
            const sim_prefix *cp = cur ? cur->val : NULL;
            int same = cp && cp->len == s->prefix.len && sim_ip_equal(&cp->addr, &s->prefix.addr);
            for (k = same && cur->num > 1 ? cur->num : 1; k < size; k++) {
                if (sim_prefix_host(&s->prefix, k, &ip) < 0 ||
                    (!reserved(s, &ip) && !addr_in_use(c.w, &net_obj->id, &ip)))
                    break;
            }
            if (k < size && c.w->hcn_index && (cur = hx_add(&c.w->hcn_index->cursors, ckey, cn)) &&
                (cur->val || (cur->val = malloc(sizeof s->prefix)))) {
                memcpy(cur->val, &s->prefix, sizeof s->prefix);
                cur->num = k; /* this one is about to be used: the next search skips it */
            }
            if (k >= size || sim_prefix_host(&s->prefix, k, &ip) < 0) {
                hr = FAIL(ErrorRecord, HCN_E_ADDR_INVALID_OR_RESERVED, "no free address left in the subnet");
            } else {
                sim_ip_format(&ip, ipbuf, sizeof ipbuf);
                auto_ip.IpAddress = ipbuf;
                auto_ip.has_PrefixLength = true;
                auto_ip.PrefixLength = (uint8_t)s->prefix.len;
                e->IpConfigurations = &auto_ip;
                e->IpConfigurations_count = 1;
            }
        }
    }
    if (!hr) {
        format_id(&id, idbuf);
        e->ID = idbuf;
        e->Owner = kept_owner(e->Owner);
        e->HostComputeNetwork = net_id;
        if (!e->MacAddress && net->MacPool && net->MacPool->Ranges_count) {
            /* from the network's MacPool: the first free address of its ranges, from where
             * the last allocation stopped */
            uint8_t pkey[17], lo[6], hi[6];
            pkey[0] = 'P';
            memcpy(pkey + 1, &net_obj->id, 16);
            hx_entry *cur = c.w->hcn_index ? hx_add(&c.w->hcn_index->cursors, pkey, 17) : NULL;
            uint64_t found = 0;
            int have = 0;
            for (size_t r = 0; cur && !have && r < net->MacPool->Ranges_count; r++) {
                const zhns_MacRange *mr = &net->MacPool->Ranges[r];
                if (mac_parse(mr->StartMacAddress, lo) < 0 || mac_parse(mr->EndMacAddress, hi) < 0)
                    continue;
                uint64_t v = mac_value(lo) > cur->num ? mac_value(lo) : cur->num;
                for (; !have && v <= mac_value(hi); v++) {
                    uint8_t m[6];
                    for (int b = 0; b < 6; b++)
                        m[b] = (uint8_t)(v >> (8 * (5 - b)));
                    if (!mac_in_use(c.w, m))
                        found = v, have = 1;
                }
            }
            if (!have) {
                hr = FAIL(ErrorRecord, HCN_E_INVALID_ENDPOINT, "no free MAC address left in the network's MacPool");
            } else {
                cur->num = found + 1;
                snprintf(macbuf, sizeof macbuf, "%02X-%02X-%02X-%02X-%02X-%02X", (unsigned)(found >> 40) & 0xFF,
                         (unsigned)(found >> 32) & 0xFF, (unsigned)(found >> 24) & 0xFF, (unsigned)(found >> 16) & 0xFF,
                         (unsigned)(found >> 8) & 0xFF, (unsigned)found & 0xFF);
                e->MacAddress = macbuf;
            }
        }
        while (!hr && !e->MacAddress) {
            uint32_t m = c.w->next_mac++;
            uint8_t b[6] = {0x00, 0x15, 0x5D, (uint8_t)(m >> 16), (uint8_t)(m >> 8), (uint8_t)m};
            snprintf(macbuf, sizeof macbuf, "00-15-5D-%02X-%02X-%02X", (m >> 16) & 0xFF, (m >> 8) & 0xFF, m & 0xFF);
            if (!mac_in_use(c.w, b))
                e->MacAddress = macbuf;
        }
    }
    if (!hr) {
        zhns_Version v = {true, 2, true, 0, NULL, 0};
        if (!e->SchemaVersion)
            e->SchemaVersion = &v;
        e->has_State = true;
        e->State = 1;
        /* a namespace named at create: the endpoint goes into it (both documents say so) */
        zh_guid ns_id;
        sim_obj *ns_obj = e->HostComputeNamespace && zh_guid_parse(e->HostComputeNamespace, &ns_id, NULL) == 0
                              ? find(c.w, SIM_NAMESPACE, &ns_id)
                              : NULL;
        e->HostComputeNamespace = NULL;
        char *json = zhns_HostComputeEndpoint_emit(e, &err);
        if (!json || store(c.w, SIM_ENDPOINT, &id, json) < 0) {
            free(json);
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
        } else if (ns_obj && (hr = namespace_endpoint(&c, ns_obj, &id, 1))) {
            unlink_obj(c.w, find(c.w, SIM_ENDPOINT, &id));
        } else if (!((c.made = (void **)Endpoint, *Endpoint = new_handle(c.w, SIM_ENDPOINT, &id)))) {
            unlink_obj(c.w, find(c.w, SIM_ENDPOINT, &id));
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
        }
    }
    /* The parsed tree may point at our locals now; freeing it frees only its own arena. */
    zh_error_free(err);
    zhns_HostComputeNetwork_free(net);
    zhns_HostComputeEndpoint_free(e);
    return end(&c, made_quirk(&c, SIM_ENDPOINT, hr, (void **)Endpoint));
}

zh_hresult ZH_WINAPI sim_HcnOpenEndpoint(zh_refguid Id, zh_hcn_endpoint *Endpoint, zh_wchar **ErrorRecord)
{
    return open_object(SIM_ENDPOINT, Id, Endpoint, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnEnumerateEndpoints(const zh_wchar *Query, zh_wchar **Endpoints, zh_wchar **ErrorRecord)
{
    return enumerate(SIM_ENDPOINT, Query, Endpoints, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnQueryEndpointProperties(zh_hcn_endpoint Endpoint, const zh_wchar *Query,
                                                    zh_wchar **Properties, zh_wchar **ErrorRecord)
{
    return query_properties(Endpoint, SIM_ENDPOINT, Query, Properties, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnCloseEndpoint(zh_hcn_endpoint Endpoint)
{
    return close_handle(Endpoint, SIM_ENDPOINT);
}

zh_hresult ZH_WINAPI sim_HcnDeleteEndpoint(zh_refguid Id, zh_wchar **ErrorRecord)
{
    return delete_object(SIM_ENDPOINT, Id, ErrorRecord);
}

/* ModifyEndpointSettingRequest: Policy Add/Remove/Update with {"Policies": [...]}. */
zh_hresult ZH_WINAPI sim_HcnModifyEndpoint(zh_hcn_endpoint Endpoint, const zh_wchar *Settings, zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, NULL);
    if (hr)
        return hr;
    sim_obj *o;
    if ((hr = handle_obj(&c, Endpoint, SIM_ENDPOINT, &o)))
        return end(&c, hr);
    char *text = arg_text(&c, Settings, "settings", &hr);
    if (hr)
        return end(&c, hr);
    zhns_error *err = NULL;
    zhns_ModifyEndpointSettingRequest *req = text ? zhns_ModifyEndpointSettingRequest_parse(text, ZHNS_NUL_TERMINATED, &err) : NULL;
    free(text);
    zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(o->json, ZHNS_NUL_TERMINATED, NULL);
    zhns_HostComputeEndpoint *change = NULL;
    zhns_EndpointPolicy *merged = NULL;
    if (!req || !e) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid modify request: %s", err ? zh_error_message(err) : "none");
    } else if (!req->has_ResourceType || req->ResourceType != ZHNS_ENDPOINTRESOURCETYPE_POLICY || !req->Settings ||
               !req->has_RequestType) {
        hr = FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED, "only policy changes of endpoints are simulated");
    } else if (!(change = zhns_HostComputeEndpoint_parse(req->Settings, ZHNS_NUL_TERMINATED, &err))) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid policy settings: %s", zh_error_message(err));
    } else if (req->RequestType != ZHNS_MODIFYREQUESTTYPE_REMOVE &&
               (hr = endpoint_policies_gate(&c, change->Policies, change->Policies_count))) {
        /* refused: a policy this HNS does not have */
    } else if (!(merged = calloc(e->Policies_count + change->Policies_count + 1, sizeof *merged))) {
        hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
    } else {
        size_t count = 0, removed = 0;
        int add = req->RequestType == ZHNS_MODIFYREQUESTTYPE_ADD;
        for (size_t i = 0; i < e->Policies_count; i++) {
            int drop = 0;
            for (size_t j = 0; !add && j < change->Policies_count; j++)
                drop |= e->Policies[i].Type == change->Policies[j].Type;
            if (drop)
                removed++;
            else
                merged[count++] = e->Policies[i];
        }
        if (req->RequestType == ZHNS_MODIFYREQUESTTYPE_REMOVE && removed == 0)
            hr = FAIL(ErrorRecord, HCN_E_POLICY_NOT_FOUND, "no policy of that type on the endpoint");
        else if (!add && req->RequestType != ZHNS_MODIFYREQUESTTYPE_REMOVE &&
                 req->RequestType != ZHNS_MODIFYREQUESTTYPE_UPDATE)
            hr = FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED, "request type not supported for policies");
        if (req->RequestType != ZHNS_MODIFYREQUESTTYPE_REMOVE) {
            copy_items(merged + count, change->Policies, change->Policies_count, sizeof *merged);
            count += change->Policies_count;
        }
        e->Policies = merged;
        e->Policies_count = count;
    }
    if (!hr) {
        char *json = zhns_HostComputeEndpoint_emit(e, NULL);
        if (!json || replace_json(c.w, o, json) < 0)
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
    }
    free(merged);
    zhns_HostComputeEndpoint_free(change);
    zhns_HostComputeEndpoint_free(e);
    zhns_ModifyEndpointSettingRequest_free(req);
    zh_error_free(err);
    return end(&c, hr);
}

/* Counters that advance with every query, as a live endpoint's would (a documented guess at
 * the shape: hcsshim's HNSEndpointStats member names). */
zh_hresult ZH_WINAPI sim_HcnQueryEndpointStats(zh_hcn_endpoint Endpoint, const zh_wchar *Query, zh_wchar **Stats,
                                               zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, Stats);
    if (hr)
        return hr;
    sim_obj *o;
    zhns_HostComputeQuery *q = NULL;
    if ((hr = handle_obj(&c, Endpoint, SIM_ENDPOINT, &o)) || (hr = parse_query(&c, Query, &q)))
        return end(&c, hr);
    zhns_HostComputeQuery_free(q);
    static uint64_t tick; /* guarded by the world lock */
    tick++;
    char idbuf[ZH_GUID_BUFSIZE], json[512];
    format_id(&o->id, idbuf);
    snprintf(json, sizeof json,
             "{\"BytesReceived\":%llu,\"BytesSent\":%llu,\"DroppedPacketsIncoming\":0,\"DroppedPacketsOutgoing\":0,"
             "\"EndpointID\":\"%s\",\"PacketsReceived\":%llu,\"PacketsSent\":%llu}",
             (unsigned long long)(tick * 1500), (unsigned long long)(tick * 900), idbuf,
             (unsigned long long)tick, (unsigned long long)(tick * 3 / 5));
    return end(&c, answer(&c, Stats, json));
}

/* The endpoint's addresses (a documented guess at the shape: its IpConfigurations). */
zh_hresult ZH_WINAPI sim_HcnQueryEndpointAddresses(zh_hcn_endpoint Endpoint, const zh_wchar *Query,
                                                   zh_wchar **Addresses, zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, Addresses);
    if (hr)
        return hr;
    sim_obj *o;
    zhns_HostComputeQuery *q = NULL;
    if ((hr = handle_obj(&c, Endpoint, SIM_ENDPOINT, &o)) || (hr = parse_query(&c, Query, &q)))
        return end(&c, hr);
    zhns_HostComputeQuery_free(q);
    zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(o->json, ZHNS_NUL_TERMINATED, NULL);
    zhns_HostComputeEndpoint only = {0};
    if (e) {
        only.IpConfigurations = e->IpConfigurations;
        only.IpConfigurations_count = e->IpConfigurations_count;
    }
    char *json = e ? zhns_HostComputeEndpoint_emit(&only, NULL) : NULL;
    hr = json ? answer(&c, Addresses, json) : FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
    free(json);
    zhns_HostComputeEndpoint_free(e);
    return end(&c, hr);
}

/* ---------------------------------------------------------------- namespaces */
/* Is the object member's key `name`, in any case? */
static int key_is(const zh_jv *m, const char *name)
{
    size_t n = strlen(name);
    if (m->key_len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char a = m->key[i], b = name[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

/* Sets an endpoint's HostComputeNamespace (NULL clears it). */
static int set_endpoint_namespace(sim_world *w, sim_obj *ep, const char *ns_id)
{
    zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(ep->json, ZHNS_NUL_TERMINATED, NULL);
    if (!e)
        return -1;
    e->HostComputeNamespace = (char *)ns_id;
    char *json = zhns_HostComputeEndpoint_emit(e, NULL);
    zhns_HostComputeEndpoint_free(e);
    if (!json)
        return -1;
    return replace_json(w, ep, json); /* sim:PATH service: written first, in the call's transaction */
}

static char *endpoint_namespace(const sim_obj *ep)
{
    zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(ep->json, ZHNS_NUL_TERMINATED, NULL);
    char *ns = e && e->HostComputeNamespace ? zh_strdup(e->HostComputeNamespace) : NULL;
    zhns_HostComputeEndpoint_free(e);
    return ns;
}

/* Adds (add=1) or removes the endpoint resource `ep` of namespace document `ns`. */
static zh_hresult namespace_endpoint(call *c, sim_obj *ns_obj, const zh_guid *ep_id, int add)
{
    char ns_id[ZH_GUID_BUFSIZE], ep_str[ZH_GUID_BUFSIZE];
    format_id(&ns_obj->id, ns_id);
    format_id(ep_id, ep_str);
    sim_obj *ep = find(c->w, SIM_ENDPOINT, ep_id);
    if (!ep)
        return FAIL(c->record, HCN_E_ENDPOINT_NOT_FOUND, "endpoint %s not found", ep_str);
    char *current = endpoint_namespace(ep);
    zh_hresult hr = 0;
    if (add && current)
        hr = FAIL(c->record, HCN_E_ENDPOINT_ALREADY_ATTACHED, "endpoint %s is already attached to namespace %s", ep_str,
                  current);
    else if (!add && (!current || zh_strcasecmp_ascii(current, ns_id) != 0))
        hr = FAIL(c->record, HCN_E_ENDPOINT_NOT_ATTACHED, "endpoint %s is not attached to namespace %s", ep_str, ns_id);
    free(current);
    if (hr)
        return hr;
    zhns_HostComputeNamespace *ns = zhns_HostComputeNamespace_parse(ns_obj->json, ZHNS_NUL_TERMINATED, NULL);
    zhns_NamespaceResource *res = ns ? calloc(ns->Resources_count + 1, sizeof *res) : NULL;
    zhns_NamespaceResourceData data = {0};
    data.ID = ep_str;
    size_t count = 0;
    if (!res) {
        zhns_HostComputeNamespace_free(ns);
        return FAIL(c->record, ZH_E_OUTOFMEMORY, "out of memory");
    }
    for (size_t i = 0; i < ns->Resources_count; i++) {
        const zhns_NamespaceResource *r = &ns->Resources[i];
        int same = r->Type == ZHNS_NAMESPACERESOURCETYPE_ENDPOINT && r->Data && r->Data->ID &&
                   zh_strcasecmp_ascii(r->Data->ID, ep_str) == 0;
        if (!same)
            res[count++] = *r;
    }
    if (add) {
        res[count].has_Type = true;
        res[count].Type = ZHNS_NAMESPACERESOURCETYPE_ENDPOINT;
        res[count].Data = &data;
        count++;
    }
    ns->Resources = res;
    ns->Resources_count = count;
    char *json = zhns_HostComputeNamespace_emit(ns, NULL);
    /* two documents, one transaction: a failure of either write undoes both (end) */
    if (!json) {
        hr = FAIL(c->record, ZH_E_OUTOFMEMORY, "out of memory");
    } else if (set_endpoint_namespace(c->w, ep, add ? ns_id : NULL) < 0) {
        free(json);
        hr = FAIL(c->record, ZH_E_OUTOFMEMORY, "out of memory");
    } else if (replace_json(c->w, ns_obj, json) < 0) {
        hr = FAIL(c->record, ZH_E_OUTOFMEMORY, "out of memory");
    }
    free(res);
    zhns_HostComputeNamespace_free(ns);
    return hr;
}

zh_hresult ZH_WINAPI sim_HcnCreateNamespace(zh_refguid Id, const zh_wchar *Settings, zh_hcn_namespace *Namespace,
                                            zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, NULL);
    if (Namespace)
        *Namespace = NULL;
    if (hr)
        return hr;
    if (!Namespace)
        return end(&c, FAIL(ErrorRecord, ZH_E_POINTER, "no place for the namespace handle"));
    char *text = arg_text(&c, Settings, "settings", &hr);
    if (hr)
        return end(&c, hr);
    zhns_error *err = NULL;
    zhns_HostComputeNamespace *ns = text ? zhns_HostComputeNamespace_parse(text, ZHNS_NUL_TERMINATED, &err) : NULL;
    free(text);
    zh_guid id;
    if (!ns) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid namespace settings: %s", err ? zh_error_message(err) : "none");
    } else if (ns->has_Type && ns->Type == ZHNS_NAMESPACETYPE__UNKNOWN) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "unknown namespace type %s", ns->Type_unknown);
    } else if (ns->Resources_count) {
        hr = FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED, "attach endpoints with HcnModifyNamespace after creating it");
    } else if (!(hr = new_id(&c, Id, ns->ID, &id, SIM_NAMESPACE))) {
        if (!ns->has_Type) {
            ns->has_Type = true;
            ns->Type = ZHNS_NAMESPACETYPE_HOST;
        }
        if (ns->Type == ZHNS_NAMESPACETYPE_HOSTDEFAULT || ns->Type == ZHNS_NAMESPACETYPE_GUESTDEFAULT) {
            for (sim_obj *o = c.w->objs[SIM_NAMESPACE]; o && !hr; o = o->next) {
                zhns_HostComputeNamespace *other = zhns_HostComputeNamespace_parse(o->json, ZHNS_NUL_TERMINATED, NULL);
                if (other && other->Type == ns->Type)
                    hr = FAIL(ErrorRecord, GCN_E_DEFAULTNAMESPACE_EXISTS, "a %s namespace already exists",
                              zhns_NamespaceType_name(ns->Type));
                zhns_HostComputeNamespace_free(other);
            }
        }
    }
    if (!hr) {
        char idbuf[ZH_GUID_BUFSIZE];
        format_id(&id, idbuf);
        ns->ID = idbuf;
        ns->Owner = kept_owner(ns->Owner);
        ns->has_NamespaceId = true;
        ns->NamespaceId = c.w->next_namespace_id++;
        zhns_Version v = {true, 2, true, 0, NULL, 0};
        if (!ns->SchemaVersion)
            ns->SchemaVersion = &v;
        char *json = zhns_HostComputeNamespace_emit(ns, &err);
        if (!json || store(c.w, SIM_NAMESPACE, &id, json) < 0) {
            free(json);
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
        } else if (!((c.made = (void **)Namespace, *Namespace = new_handle(c.w, SIM_NAMESPACE, &id)))) {
            unlink_obj(c.w, find(c.w, SIM_NAMESPACE, &id));
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
        } else {
            char note[64];
            snprintf(note, sizeof note, "{\"ID\":\"%s\"}", idbuf);
            sim_notify(c.w, 5 /* HcnNotificationNamespaceCreate */, note);
        }
    }
    zh_error_free(err);
    zhns_HostComputeNamespace_free(ns);
    return end(&c, made_quirk(&c, SIM_NAMESPACE, hr, (void **)Namespace));
}

zh_hresult ZH_WINAPI sim_HcnOpenNamespace(zh_refguid Id, zh_hcn_namespace *Namespace, zh_wchar **ErrorRecord)
{
    return open_object(SIM_NAMESPACE, Id, Namespace, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnEnumerateNamespaces(const zh_wchar *Query, zh_wchar **Namespaces, zh_wchar **ErrorRecord)
{
    return enumerate(SIM_NAMESPACE, Query, Namespaces, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnQueryNamespaceProperties(zh_hcn_namespace Namespace, const zh_wchar *Query,
                                                     zh_wchar **Properties, zh_wchar **ErrorRecord)
{
    return query_properties(Namespace, SIM_NAMESPACE, Query, Properties, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnCloseNamespace(zh_hcn_namespace Namespace)
{
    return close_handle(Namespace, SIM_NAMESPACE);
}

zh_hresult ZH_WINAPI sim_HcnDeleteNamespace(zh_refguid Id, zh_wchar **ErrorRecord)
{
    return delete_object(SIM_NAMESPACE, Id, ErrorRecord);
}

/* {"ResourceType": "Endpoint", "RequestType": "Add"|"Remove", "Settings": {"EndpointId": "<id>"}} */
zh_hresult ZH_WINAPI sim_HcnModifyNamespace(zh_hcn_namespace Namespace, const zh_wchar *Settings, zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, NULL);
    if (hr)
        return hr;
    sim_obj *o;
    if ((hr = handle_obj(&c, Namespace, SIM_NAMESPACE, &o)))
        return end(&c, hr);
    char *text = arg_text(&c, Settings, "settings", &hr);
    if (hr)
        return end(&c, hr);
    zhns_error *err = NULL;
    zhns_ModifyNamespaceSettingRequest *req = text ? zhns_ModifyNamespaceSettingRequest_parse(text, ZHNS_NUL_TERMINATED, &err) : NULL;
    free(text);
    zh_arena a = {0};
    zh_jv *settings = NULL;
    if (!req) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid modify request: %s", err ? zh_error_message(err) : "none");
    } else if (!req->has_ResourceType || req->ResourceType != ZHNS_NAMESPACERESOURCETYPE_ENDPOINT) {
        hr = FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED, "only endpoint resources of namespaces are simulated");
    } else if (!req->has_RequestType ||
               (req->RequestType != ZHNS_MODIFYREQUESTTYPE_ADD && req->RequestType != ZHNS_MODIFYREQUESTTYPE_REMOVE)) {
        hr = FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED, "endpoints are added or removed");
    } else if (!req->Settings || !(settings = zh_json_parse(&a, req->Settings, strlen(req->Settings), "Settings", NULL)) ||
               settings->type != ZH_JOBJECT) {
        hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "Settings must be {\"EndpointId\": \"<guid>\"}");
    } else {
        const zh_jv *m = settings->first;
        while (m && !key_is(m, "EndpointId"))
            m = m->next;
        char idtext[64] = "";
        zh_guid ep;
        if (m && m->type == ZH_JSTRING && m->str_len < sizeof idtext)
            memcpy(idtext, m->str, m->str_len), idtext[m->str_len] = '\0';
        if (!m || zh_guid_parse(idtext, &ep, NULL) < 0)
            hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "Settings.EndpointId is not a GUID");
        else
            hr = namespace_endpoint(&c, o, &ep, req->RequestType == ZHNS_MODIFYREQUESTTYPE_ADD);
    }
    zh_arena_free(&a);
    zhns_ModifyNamespaceSettingRequest_free(req);
    zh_error_free(err);
    return end(&c, hr);
}

/* ---------------------------------------------------------------- load balancers */
/* Another load balancer already answering on a frontend VIP / protocol / port? */
static zh_hresult port_conflict(call *c, const zhns_HostComputeLoadBalancer *lb, const zh_guid *self)
{
    for (sim_obj *o = c->w->objs[SIM_LOADBALANCER]; o; o = o->next) {
        if (self && zh_guid_equal(&o->id, self))
            continue;
        zhns_HostComputeLoadBalancer *other = zhns_HostComputeLoadBalancer_parse(o->json, ZHNS_NUL_TERMINATED, NULL);
        zh_hresult hr = 0;
        for (size_t i = 0; other && !hr && i < lb->PortMappings_count; i++) {
            for (size_t j = 0; !hr && j < other->PortMappings_count; j++) {
                const zhns_LoadBalancerPortMapping *a = &lb->PortMappings[i], *b = &other->PortMappings[j];
                if (a->Protocol != b->Protocol || a->ExternalPort != b->ExternalPort)
                    continue;
                size_t na = lb->FrontendVIPs_count ? lb->FrontendVIPs_count : 1;
                size_t nb = other->FrontendVIPs_count ? other->FrontendVIPs_count : 1;
                for (size_t x = 0; !hr && x < na; x++)
                    for (size_t y = 0; !hr && y < nb; y++) {
                        const char *va = lb->FrontendVIPs_count ? lb->FrontendVIPs[x] : "";
                        const char *vb = other->FrontendVIPs_count ? other->FrontendVIPs[y] : "";
                        if (strcmp(va ? va : "", vb ? vb : "") == 0)
                            hr = FAIL(c->record, HCN_E_PORT_ALREADY_EXISTS,
                                      "port %u/%ld on VIP \"%s\" is already mapped by another load balancer",
                                      (unsigned)a->ExternalPort, (long)a->Protocol, va ? va : "");
                    }
            }
        }
        zhns_HostComputeLoadBalancer_free(other);
        if (hr)
            return hr;
    }
    return 0;
}

static zh_hresult check_lb(call *c, const zhns_HostComputeLoadBalancer *lb, const zh_guid *self)
{
    for (size_t i = 0; i < lb->HostComputeEndpoints_count; i++) {
        zh_guid ep;
        const char *s = lb->HostComputeEndpoints[i];
        if (!s || zh_guid_parse(s, &ep, NULL) < 0 || !find(c->w, SIM_ENDPOINT, &ep))
            return FAIL(c->record, HCN_E_ENDPOINT_NOT_FOUND, "endpoint %s not found", s ? s : "(null)");
    }
    return port_conflict(c, lb, self);
}

/* The top-level "ID" string of a JSON document (NULL when absent or not a string). */
static const char *text_doc_id(const char *text, char *buf, size_t n)
{
    zh_arena a = {0};
    const char *r = NULL;
    zh_jv *doc = text ? zh_json_parse(&a, text, strlen(text), "settings", NULL) : NULL;
    for (const zh_jv *m = doc && doc->type == ZH_JOBJECT ? doc->first : NULL; m; m = m->next) {
        if (m->key_len == 2 && (m->key[0] == 'I' || m->key[0] == 'i') && (m->key[1] == 'D' || m->key[1] == 'd') &&
            m->type == ZH_JSTRING && m->str_len < n) {
            memcpy(buf, m->str, m->str_len);
            buf[m->str_len] = '\0';
            r = buf;
        }
    }
    zh_arena_free(&a);
    return r;
}

/* Create and modify share this: validate, set the id, store. */
static zh_hresult put_document(sim_kind k, zh_refguid Id, void *existing, const zh_wchar *Settings, void **handle,
                               zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, NULL);
    if (handle)
        *handle = NULL;
    if (hr)
        return hr;
    sim_obj *old = NULL;
    zh_guid id;
    if (existing && (hr = handle_obj(&c, existing, k, &old)))
        return end(&c, hr);
    if (existing && k == SIM_LOADBALANCER && c.w->hns_major != 0 && !version_at(c.w, 15, 4, 0))
        return end(&c, FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED,
                            "modifying a load balancer needs HNS 15.4+; this is %u.%u", (unsigned)c.w->hns_major,
                            (unsigned)c.w->hns_minor));
    if (!existing && !handle)
        return end(&c, FAIL(ErrorRecord, ZH_E_POINTER, "no place for the handle"));
    char *text = arg_text(&c, Settings, "settings", &hr);
    if (hr)
        return end(&c, hr);
    zhns_error *err = NULL;
    char idbuf[ZH_GUID_BUFSIZE], doc_idbuf[64], *json = NULL;
    if (old)
        id = old->id;
    else if ((hr = new_id(&c, Id, text_doc_id(text, doc_idbuf, sizeof doc_idbuf), &id, k))) {
        free(text);
        return end(&c, hr);
    }
    format_id(&id, idbuf);
    zhns_Version v = {true, 2, true, 0, NULL, 0};
    if (k == SIM_LOADBALANCER) {
        zhns_HostComputeLoadBalancer *lb = text ? zhns_HostComputeLoadBalancer_parse(text, ZHNS_NUL_TERMINATED, &err) : NULL;
        if (!lb) {
            hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid load balancer: %s", err ? zh_error_message(err) : "none");
        } else if (lb->has_Flags && (lb->Flags & ZHNS_LOADBALANCERFLAGS_ENABLEDIRECTSERVERRETURN) &&
                   !version_at(c.w, 9, 3, 9) && !version_at(c.w, 10, 2, 0)) {
            hr = FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED,
                      "direct server return (Flags EnableDirectServerReturn) needs HNS 9.3-9.x or 10.2+; this is %u.%u",
                      (unsigned)c.w->hns_major, (unsigned)c.w->hns_minor);
        } else if (lb->has_Flags && (lb->Flags & ZHNS_LOADBALANCERFLAGS_IPV6) && !version_at(c.w, 11, 10, 0)) {
            hr = FAIL(ErrorRecord, HCN_E_REQUEST_UNSUPPORTED,
                      "an IPv6 load balancer (Flags IPv6, dual stack) needs HNS 11.10+; this is %u.%u",
                      (unsigned)c.w->hns_major, (unsigned)c.w->hns_minor);
        } else if (!(hr = check_lb(&c, lb, old ? &id : NULL))) {
            lb->ID = idbuf;
            if (!old)
                lb->Owner = kept_owner(lb->Owner);
            if (!lb->SchemaVersion)
                lb->SchemaVersion = &v;
            json = zhns_HostComputeLoadBalancer_emit(lb, &err);
        }
        zhns_HostComputeLoadBalancer_free(lb);
    } else {
        zhns_HostComputeRoute *rt = text ? zhns_HostComputeRoute_parse(text, ZHNS_NUL_TERMINATED, &err) : NULL;
        if (!rt) {
            hr = FAIL(ErrorRecord, HCN_E_INVALID_JSON, "invalid SDN route: %s", err ? zh_error_message(err) : "none");
        } else {
            for (size_t i = 0; !hr && i < rt->Routes_count; i++) {
                sim_prefix p;
                if (!rt->Routes[i].DestinationPrefix || sim_prefix_parse(rt->Routes[i].DestinationPrefix, 1, &p) < 0)
                    hr = FAIL(ErrorRecord, HCN_E_INVALID_PREFIX, "route destination is not an IP prefix");
            }
            if (!hr) {
                rt->ID = idbuf;
                if (!old)
                    rt->Owner = kept_owner(rt->Owner);
                if (!rt->SchemaVersion)
                    rt->SchemaVersion = &v;
                json = zhns_HostComputeRoute_emit(rt, &err);
            }
        }
        zhns_HostComputeRoute_free(rt);
    }
    free(text);
    if (!hr && !json)
        hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
    if (!hr && old) {
        if (replace_json(c.w, old, json) < 0)
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
    } else if (!hr) {
        if (store(c.w, k, &id, json) < 0) {
            free(json);
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
        } else if (!((c.made = (void **)handle, *handle = new_handle(c.w, k, &id)))) {
            unlink_obj(c.w, find(c.w, k, &id));
            hr = FAIL(ErrorRecord, ZH_E_OUTOFMEMORY, "out of memory");
        }
    } else {
        free(json);
    }
    zh_error_free(err);
    return end(&c, old ? hr : made_quirk(&c, k, hr, handle));
}

zh_hresult ZH_WINAPI sim_HcnCreateLoadBalancer(zh_refguid Id, const zh_wchar *Settings, zh_hcn_loadbalancer *LoadBalancer,
                                               zh_wchar **ErrorRecord)
{
    return put_document(SIM_LOADBALANCER, Id, NULL, Settings, LoadBalancer, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnModifyLoadBalancer(zh_hcn_loadbalancer LoadBalancer, const zh_wchar *Settings,
                                               zh_wchar **ErrorRecord)
{
    return put_document(SIM_LOADBALANCER, NULL, LoadBalancer, Settings, NULL, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnOpenLoadBalancer(zh_refguid Id, zh_hcn_loadbalancer *LoadBalancer, zh_wchar **ErrorRecord)
{
    return open_object(SIM_LOADBALANCER, Id, LoadBalancer, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnEnumerateLoadBalancers(const zh_wchar *Query, zh_wchar **LoadBalancer, zh_wchar **ErrorRecord)
{
    return enumerate(SIM_LOADBALANCER, Query, LoadBalancer, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnQueryLoadBalancerProperties(zh_hcn_loadbalancer LoadBalancer, const zh_wchar *Query,
                                                        zh_wchar **Properties, zh_wchar **ErrorRecord)
{
    return query_properties(LoadBalancer, SIM_LOADBALANCER, Query, Properties, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnDeleteLoadBalancer(zh_refguid Id, zh_wchar **ErrorRecord)
{
    return delete_object(SIM_LOADBALANCER, Id, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnCloseLoadBalancer(zh_hcn_loadbalancer LoadBalancer)
{
    return close_handle(LoadBalancer, SIM_LOADBALANCER);
}

/* ---------------------------------------------------------------- SDN routes */
zh_hresult ZH_WINAPI sim_HcnCreateSdnRoute(zh_refguid Id, const zh_wchar *Settings, zh_hcn_sdnroute *Route,
                                           zh_wchar **ErrorRecord)
{
    return put_document(SIM_ROUTE, Id, NULL, Settings, Route, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnModifySdnRoute(zh_hcn_sdnroute Route, const zh_wchar *Settings, zh_wchar **ErrorRecord)
{
    return put_document(SIM_ROUTE, NULL, Route, Settings, NULL, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnOpenSdnRoute(zh_refguid Id, zh_hcn_sdnroute *Route, zh_wchar **ErrorRecord)
{
    return open_object(SIM_ROUTE, Id, Route, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnEnumerateSdnRoutes(const zh_wchar *Query, zh_wchar **Routes, zh_wchar **ErrorRecord)
{
    return enumerate(SIM_ROUTE, Query, Routes, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnQuerySdnRouteProperties(zh_hcn_sdnroute Route, const zh_wchar *Query, zh_wchar **Properties,
                                                    zh_wchar **ErrorRecord)
{
    return query_properties(Route, SIM_ROUTE, Query, Properties, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnDeleteSdnRoute(zh_refguid Id, zh_wchar **ErrorRecord)
{
    return delete_object(SIM_ROUTE, Id, ErrorRecord);
}

zh_hresult ZH_WINAPI sim_HcnCloseSdnRoute(zh_hcn_sdnroute Route)
{
    return close_handle(Route, SIM_ROUTE);
}

/* ---------------------------------------------------------------- deletes */
/* Detaches an endpoint from its namespace (a documented guess: HNS does not refuse) and
 * removes it. Load balancers keep naming it, as HNS's do until they are updated. */
static zh_hresult delete_endpoint_obj(call *c, sim_obj *o)
{
    char *ns = endpoint_namespace(o);
    zh_guid ns_id;
    sim_obj *ns_obj = ns && zh_guid_parse(ns, &ns_id, NULL) == 0 ? find(c->w, SIM_NAMESPACE, &ns_id) : NULL;
    free(ns);
    zh_hresult hr = ns_obj ? namespace_endpoint(c, ns_obj, &o->id, 0) : 0;
    if (!hr)
        unlink_obj(c->w, o);
    return hr;
}

static zh_hresult delete_object(sim_kind k, zh_refguid Id, zh_wchar **ErrorRecord)
{
    call c;
    zh_hresult hr = begin(&c, ErrorRecord, NULL);
    if (hr)
        return hr;
    zh_guid id;
    if ((hr = want_id(&c, Id, &id, k)))
        return end(&c, hr);
    sim_obj *o = find(c.w, k, &id);
    char idbuf[ZH_GUID_BUFSIZE];
    format_id(&id, idbuf);
    if (!o)
        return end(&c, FAIL(ErrorRecord, not_found[k], "%s %s not found", kind_names[k], idbuf));
    if (k == SIM_NETWORK) {
        /* HNS deletes a network that still has endpoints (hcsshim's TestRouteAddRemoveEndpoint
         * and TestEndpointStatsAll do so and expect success); its endpoints go with it (a
         * documented guess at what happens to them). */
        sim_obj *ep = c.w->objs[SIM_ENDPOINT];
        while (ep) {
            sim_obj *next = ep->next;
            if (endpoint_on_network(ep, idbuf) && (hr = delete_endpoint_obj(&c, ep)))
                return end(&c, hr);
            ep = next;
        }
    }
    if (k == SIM_ENDPOINT) {
        if ((hr = delete_endpoint_obj(&c, o)))
            return end(&c, hr);
        o = NULL;
    }
    if (k == SIM_NAMESPACE) {
        /* its endpoints leave it: those its document lists (no scan of every endpoint) */
        zhns_HostComputeNamespace *ns = zhns_HostComputeNamespace_parse(o->json, ZHNS_NUL_TERMINATED, NULL);
        for (size_t i = 0; ns && i < ns->Resources_count; i++) {
            const zhns_NamespaceResource *r = &ns->Resources[i];
            zh_guid ep_id;
            sim_obj *ep = r->Data && r->Data->ID && zh_guid_parse(r->Data->ID, &ep_id, NULL) == 0
                              ? find(c.w, SIM_ENDPOINT, &ep_id)
                              : NULL;
            char *in = ep ? endpoint_namespace(ep) : NULL;
            if (in && zh_strcasecmp_ascii(in, idbuf) == 0)
                set_endpoint_namespace(c.w, ep, NULL);
            free(in);
        }
        zhns_HostComputeNamespace_free(ns);
    }
    if (o)
        unlink_obj(c.w, o);
    if (find(c.w, k, &id)) /* not written (sim:PATH service): the call fails, end says why; nothing notified */
        return end(&c, FAIL(ErrorRecord, ZH_E_FAIL, "%s %s could not be deleted", kind_names[k], idbuf));
    char note[64];
    snprintf(note, sizeof note, "{\"ID\":\"%s\"}", idbuf);
    if (k == SIM_NETWORK)
        sim_notify(c.w, 4 /* HcnNotificationNetworkDelete */, note);
    if (k == SIM_NAMESPACE)
        sim_notify(c.w, 6 /* HcnNotificationNamespaceDelete */, note);
    return end(&c, 0);
}

/* ---------------------------------------------------------------- service callbacks */
zh_hresult ZH_WINAPI sim_HcnRegisterServiceCallback(zh_hcn_notification_callback Callback, void *Context,
                                                    zh_hcn_callback *CallbackHandle)
{
    call c;
    zh_hresult hr = begin(&c, NULL, NULL);
    if (hr)
        return hr;
    if (!Callback || !CallbackHandle)
        return end(&c, ZH_E_POINTER);
    sim_callback *cb = calloc(1, sizeof *cb);
    if (!cb)
        return end(&c, ZH_E_OUTOFMEMORY);
    cb->magic = SIM_CALLBACK_MAGIC;
    cb->fn = Callback;
    cb->ctx = Context;
    cb->next = c.w->callbacks;
    c.w->callbacks = cb;
    *CallbackHandle = cb;
    return end(&c, 0);
}

/* No callback of the registration runs after this returns (unless called from inside that
 * very callback, which cannot wait for itself). */
zh_hresult ZH_WINAPI sim_HcnUnregisterServiceCallback(zh_hcn_callback CallbackHandle)
{
    call c;
    zh_hresult hr = begin(&c, NULL, NULL);
    if (hr)
        return hr;
    sim_callback *cb = NULL;
    for (sim_callback *p = c.w->callbacks; p; p = p->next)
        if (p == CallbackHandle && !p->removed)
            cb = p;
    if (!cb)
        return end(&c, ZH_E_HANDLE);
    cb->removed = 1;
    /* ZH_SIM_HCN_NOTIFY_POOL: a callback in flight on a pool thread may still run */
    if (zh_thread_self_id() != c.w->dispatcher_id && !(sim_hcn_latitudes() & ZH_SIM_HCN_NOTIFY_POOL))
        while (c.w->running == cb)
            zh_cond_wait(&c.w->idle_cond, &c.w->lock);
    return end(&c, 0);
}

/* HNSCall (vmcompute.dll), the v1 API: sim_hnsv1.c. */

/* ---------------------------------------------------------------- not simulated */
/* The guest network service family and port reservations serve VM guests' networking,
 * which the simulator has no guests for: E_NOTIMPL (docs/simulator.md). */
#define NOT_SIMULATED_(name, params, ...)                                                         \
    zh_hresult ZH_WINAPI sim_##name params                                                        \
    {                                                                                             \
        (void)0, __VA_ARGS__;                                                                     \
        return ZH_E_NOTIMPL;                                                                      \
    }
NOT_SIMULATED_(HcnRegisterGuestNetworkServiceCallback,
               (zh_hcn_guestnetworkservice GuestNetworkService, zh_hcn_notification_callback Callback, void *Context,
                zh_hcn_callback *CallbackHandle),
               (void)GuestNetworkService, (void)Callback, (void)Context, (void)CallbackHandle)
NOT_SIMULATED_(HcnUnregisterGuestNetworkServiceCallback, (zh_hcn_callback CallbackHandle), (void)CallbackHandle)
NOT_SIMULATED_(HcnCreateGuestNetworkService,
               (zh_refguid Id, const zh_wchar *Settings, zh_hcn_guestnetworkservice *GuestNetworkService,
                zh_wchar **ErrorRecord),
               (void)Id, (void)Settings, (void)GuestNetworkService, (void)(ErrorRecord && (*ErrorRecord = NULL)))
NOT_SIMULATED_(HcnCloseGuestNetworkService, (zh_hcn_guestnetworkservice GuestNetworkService), (void)GuestNetworkService)
NOT_SIMULATED_(HcnModifyGuestNetworkService,
               (zh_hcn_guestnetworkservice GuestNetworkService, const zh_wchar *Settings, zh_wchar **ErrorRecord),
               (void)GuestNetworkService, (void)Settings, (void)(ErrorRecord && (*ErrorRecord = NULL)))
NOT_SIMULATED_(HcnDeleteGuestNetworkService, (zh_refguid Id, zh_wchar **ErrorRecord), (void)Id,
               (void)(ErrorRecord && (*ErrorRecord = NULL)))
NOT_SIMULATED_(HcnReserveGuestNetworkServicePort,
               (zh_hcn_guestnetworkservice GuestNetworkService, zh_hcn_port_protocol Protocol, zh_hcn_port_access Access,
                zh_ushort Port, zh_handle *PortReservationHandle),
               (void)GuestNetworkService, (void)Protocol, (void)Access, (void)Port, (void)PortReservationHandle)
NOT_SIMULATED_(HcnReserveGuestNetworkServicePortRange,
               (zh_hcn_guestnetworkservice GuestNetworkService, zh_ushort PortCount,
                zh_hcn_port_range_reservation *PortRangeReservation, zh_handle *PortReservationHandle),
               (void)GuestNetworkService, (void)PortCount, (void)PortRangeReservation, (void)PortReservationHandle)
NOT_SIMULATED_(HcnReleaseGuestNetworkServicePortReservationHandle, (zh_handle PortReservationHandle),
               (void)PortReservationHandle)
NOT_SIMULATED_(HcnEnumerateGuestNetworkPortReservations, (zh_ulong * ReturnCount, zh_hcn_port_range_entry **PortEntries),
               (void)(ReturnCount && (*ReturnCount = 0)), (void)(PortEntries && (*PortEntries = NULL)))

void ZH_WINAPI sim_HcnFreeGuestNetworkPortReservations(zh_hcn_port_range_entry *PortEntries)
{
    (void)PortEntries;
}

/* ---------------------------------------------------------------- teardown */
void sim_hcn_free_world(sim_world *w)
{
    /* by the lists alone: a state load by the HCS half may have replaced them since the
     * index was last built */
    for (int k = 0; k < SIM_KIND_COUNT; k++)
        while (w->objs[k]) {
            sim_obj *o = w->objs[k];
            w->objs[k] = o->next;
            free(o->json);
            free(o);
        }
    if (w->hcn_index) {
        hx_clear(&w->hcn_index->objs, NULL);
        hx_clear(&w->hcn_index->handles, free);
        hx_clear(&w->hcn_index->addrs, NULL);
        hx_clear(&w->hcn_index->cursors, free);
        hx_clear(&w->hcn_index->owners, free);
        free(w->hcn_index->undo);
        free(w->hcn_index);
        w->hcn_index = NULL;
    }
}

/* sim:PATH service: an object read back from the state database (w->lock held). */
int sim_hcn_load_object(sim_world *w, int kind, const zh_guid *id, const char *json)
{
    char *copy = zh_strdup(json);
    if (!copy || store(w, (sim_kind)kind, id, copy) < 0) {
        free(copy);
        return -1;
    }
    return 0;
}

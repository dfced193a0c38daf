/* SPDX-License-Identifier: MIT */
/* cmd_network.c - hcsctl's networking commands, over zhns (the Host Compute Network
 * service): network, endpoint, namespace, lb and route (list, inspect, create, delete);
 * attach and detach (a container's endpoint in a namespace of its own, made and unmade as
 * one); cleanup (crash recovery by owner tag, a dry run unless --yes); features (the HNS
 * version and its feature table); adapter (the host's adapters and the uplink choice). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hcsctl.h"

/* ------------------------------------------------------------------ small helpers */
/* The growing string of out.c, by shorter names. */
typedef hcsctl_buf sbuf;
#define sb_put hcsctl_buf_put
#define sb_puts hcsctl_buf_puts
#define sb_printf hcsctl_buf_printf
#define sb_json hcsctl_buf_json

/* Appends `item` to a comma-separated list. */
static void sb_item(sbuf *b, const char *item)
{
    if (b->len)
        sb_puts(b, ",");
    sb_puts(b, item);
}

/* The text, or NULL when empty (a table cell that prints "-"). */
static const char *sb_cell(const sbuf *b)
{
    return b->len ? b->s : NULL;
}

#define sb_free hcsctl_buf_free

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A GUID in the form zhns hands back (lower case, no braces) into out[37]; -1 when `s` is
 * not a GUID. Only for comparisons and filters: the calls themselves get what was typed. */
static int canonical_id(const char *s, char out[37])
{
    size_t n = s ? strlen(s) : 0;
    if (n == 38 && s[0] == '{' && s[37] == '}') {
        s++;
        n = 36;
    }
    if (n != 36)
        return -1;
    for (size_t i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !is_hex(s[i]))
            return -1;
        out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
    }
    out[36] = '\0';
    return 0;
}

static int same_id(const char *a, const char *b)
{
    char x[37], y[37];
    if (canonical_id(a, x) < 0 || canonical_id(b, y) < 0)
        return a && b && strcmp(a, b) == 0;
    return strcmp(x, y) == 0;
}

/* "a,b,c" split in place into `items` (at most `max`); returns the count, -1 for an empty
 * item or too many. */
static int split_list(char *s, const char **items, int max)
{
    int n = 0;
    for (char *p = s;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!*p || n == max)
            return -1;
        items[n++] = p;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

/* Equal ignoring ASCII case, as zhns matches adapter names. */
static int ascii_same(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    for (; *a && *b; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static void print_json_bool(bool v)
{
    fputs(v ? "true" : "false", stdout);
}

static int is_category(const zhns_error *err, zhns_error_category c)
{
    return err && zhns_error_category_of(err) == c;
}

/* ------------------------------------------------------------------ the object families */
/* Exact filters re-applied to each document (HCN's own filter compares without case). */
typedef struct list_filter {
    const char *owner;
    const char *name;
} list_filter;

typedef struct kind {
    const char *cmd;  /* the command word */
    const char *noun; /* in messages */
    int (*open)(void **h, zhns_service *svc, const char *id, zhns_error **err);
    void (*close)(void *h);
    int (*query)(char **doc, void *h, zhns_error **err);
    /* NULL for endpoints, which are created on a network */
    int (*create)(char **id, zhns_service *svc, const char *doc, zhns_error **err);
    int (*del)(zhns_service *svc, const char *id, zhns_error **err);
    int (*list)(char ***ids, size_t *count, zhns_service *svc, const zhns_HostComputeQuery *q, zhns_error **err);
    size_t ncols;
    const char *const *headers;
    /* Adds the row of one document: 1, 0 when the filter leaves it out, -1 with *err. */
    int (*row)(hcsctl_table *t, const char *id, const char *doc, const list_filter *f, zhns_error **err);
} kind;

/* The handle-typed calls behind a kind's void * handles. */
#define HANDLE_OPS(prefix, type, open_fn, close_fn, query_fn)                                     \
    static int prefix##_open(void **h, zhns_service *svc, const char *id, zhns_error **err)       \
    {                                                                                             \
        type *x = NULL;                                                                           \
        int rc = open_fn(&x, svc, id, err);                                                       \
        *h = x;                                                                                   \
        return rc;                                                                                \
    }                                                                                             \
    static void prefix##_close(void *h)                                                           \
    {                                                                                             \
        close_fn((type *)h);                                                                      \
    }                                                                                             \
    static int prefix##_query(char **doc, void *h, zhns_error **err)                              \
    {                                                                                             \
        return query_fn(doc, (type *)h, NULL, err);                                               \
    }

/* One create call; *id receives a copy of the new object's id. */
#define CREATE_OP(prefix, type, create_fn, id_fn, close_fn)                                       \
    static int prefix##_create(char **id, zhns_service *svc, const char *doc, zhns_error **err)   \
    {                                                                                             \
        type *x = NULL;                                                                           \
        if (create_fn(&x, svc, doc, err) < 0)                                                     \
            return -1;                                                                            \
        *id = malloc(strlen(id_fn(x)) + 1);                                                       \
        if (*id)                                                                                  \
            strcpy(*id, id_fn(x));                                                                \
        close_fn(x);                                                                              \
        return 0;                                                                                 \
    }

HANDLE_OPS(net, zhns_network, zhns_network_open, zhns_network_close, zhns_network_query_json)
HANDLE_OPS(ep, zhns_endpoint, zhns_endpoint_open, zhns_endpoint_close, zhns_endpoint_query_properties_json)
HANDLE_OPS(ns, zhns_namespace, zhns_namespace_open, zhns_namespace_close, zhns_namespace_query_json)
HANDLE_OPS(lb, zhns_loadbalancer, zhns_loadbalancer_open, zhns_loadbalancer_close, zhns_loadbalancer_query_json)
HANDLE_OPS(rt, zhns_route, zhns_route_open, zhns_route_close, zhns_route_query_json)
CREATE_OP(net, zhns_network, zhns_network_create_json, zhns_network_id, zhns_network_close)
CREATE_OP(ns, zhns_namespace, zhns_namespace_create_json, zhns_namespace_id, zhns_namespace_close)
CREATE_OP(lb, zhns_loadbalancer, zhns_loadbalancer_create_json, zhns_loadbalancer_id, zhns_loadbalancer_close)
CREATE_OP(rt, zhns_route, zhns_route_create_json, zhns_route_id, zhns_route_close)

static int passes(const list_filter *f, const char *owner, const char *name)
{
    if (f->owner && (!owner || strcmp(owner, f->owner) != 0))
        return 0;
    if (f->name && (!name || strcmp(name, f->name) != 0))
        return 0;
    return 1;
}

static const char *enum_name(const char *name, const char *unknown)
{
    return name ? name : unknown;
}

static const char *const NET_HEADERS[] = {"ID", "NAME", "TYPE", "SUBNETS", "OWNER"};

static int net_row(hcsctl_table *t, const char *id, const char *doc, const list_filter *f, zhns_error **err)
{
    zhns_HostComputeNetwork *n = zhns_HostComputeNetwork_parse(doc, ZHNS_NUL_TERMINATED, err);
    if (!n)
        return -1;
    int added = passes(f, n->Owner, n->Name);
    if (added) {
        sbuf subnets = {0};
        for (size_t i = 0; i < n->Ipams_count; i++)
            for (size_t k = 0; k < n->Ipams[i].Subnets_count; k++)
                if (n->Ipams[i].Subnets[k].IpAddressPrefix)
                    sb_item(&subnets, n->Ipams[i].Subnets[k].IpAddressPrefix);
        const char *type = n->has_Type ? enum_name(zhns_NetworkMode_name(n->Type), n->Type_unknown) : NULL;
        const char *row[] = {id, n->Name, type, sb_cell(&subnets), n->Owner};
        hcsctl_table_add(t, row);
        sb_free(&subnets);
    }
    zhns_HostComputeNetwork_free(n);
    return added;
}

static const char *const EP_HEADERS[] = {"ID", "NAME", "NETWORK", "IP", "MAC", "NAMESPACE", "OWNER"};

static int ep_row(hcsctl_table *t, const char *id, const char *doc, const list_filter *f, zhns_error **err)
{
    zhns_HostComputeEndpoint *e = zhns_HostComputeEndpoint_parse(doc, ZHNS_NUL_TERMINATED, err);
    if (!e)
        return -1;
    int added = passes(f, e->Owner, e->Name);
    if (added) {
        sbuf ips = {0};
        for (size_t i = 0; i < e->IpConfigurations_count; i++) {
            const zhns_IpConfig *c = &e->IpConfigurations[i];
            if (!c->IpAddress)
                continue;
            sb_item(&ips, c->IpAddress);
            if (c->has_PrefixLength)
                sb_printf(&ips, "/%u", (unsigned)c->PrefixLength);
        }
        const char *row[] = {id, e->Name, e->HostComputeNetwork, sb_cell(&ips), e->MacAddress,
                             e->HostComputeNamespace && *e->HostComputeNamespace ? e->HostComputeNamespace : NULL,
                             e->Owner};
        hcsctl_table_add(t, row);
        sb_free(&ips);
    }
    zhns_HostComputeEndpoint_free(e);
    return added;
}

static const char *const NS_HEADERS[] = {"ID", "TYPE", "ENDPOINTS", "OWNER"};

static int ns_row(hcsctl_table *t, const char *id, const char *doc, const list_filter *f, zhns_error **err)
{
    zhns_HostComputeNamespace *n = zhns_HostComputeNamespace_parse(doc, ZHNS_NUL_TERMINATED, err);
    if (!n)
        return -1;
    int added = passes(f, n->Owner, n->Name);
    if (added) {
        sbuf eps = {0};
        for (size_t i = 0; i < n->Resources_count; i++) {
            const zhns_NamespaceResource *r = &n->Resources[i];
            if (r->has_Type && r->Type == ZHNS_NAMESPACERESOURCETYPE_ENDPOINT && r->Data && r->Data->ID)
                sb_item(&eps, r->Data->ID);
        }
        const char *type = n->has_Type ? enum_name(zhns_NamespaceType_name(n->Type), n->Type_unknown) : NULL;
        const char *row[] = {id, type, sb_cell(&eps), n->Owner};
        hcsctl_table_add(t, row);
        sb_free(&eps);
    }
    zhns_HostComputeNamespace_free(n);
    return added;
}

static const char *const LB_HEADERS[] = {"ID", "VIPS", "PORTS", "BACKENDS", "OWNER"};

static int lb_row(hcsctl_table *t, const char *id, const char *doc, const list_filter *f, zhns_error **err)
{
    zhns_HostComputeLoadBalancer *lb = zhns_HostComputeLoadBalancer_parse(doc, ZHNS_NUL_TERMINATED, err);
    if (!lb)
        return -1;
    int added = passes(f, lb->Owner, lb->Name);
    if (added) {
        sbuf vips = {0}, ports = {0};
        char backends[32];
        for (size_t i = 0; i < lb->FrontendVIPs_count; i++)
            sb_item(&vips, lb->FrontendVIPs[i]);
        for (size_t i = 0; i < lb->PortMappings_count; i++) {
            const zhns_LoadBalancerPortMapping *m = &lb->PortMappings[i];
            const char *proto = m->has_Protocol ? zhns_ProtocolType_name(m->Protocol) : NULL;
            if (ports.len)
                sb_puts(&ports, ",");
            sb_printf(&ports, "%s %u->%u", proto ? proto : m->Protocol_unknown ? m->Protocol_unknown : "any",
                      (unsigned)m->ExternalPort, (unsigned)m->InternalPort);
        }
        snprintf(backends, sizeof backends, "%zu", lb->HostComputeEndpoints_count);
        const char *row[] = {id, sb_cell(&vips), sb_cell(&ports), backends, lb->Owner};
        hcsctl_table_add(t, row);
        sb_free(&vips);
        sb_free(&ports);
    }
    zhns_HostComputeLoadBalancer_free(lb);
    return added;
}

static const char *const RT_HEADERS[] = {"ID", "NETWORK", "ROUTES", "ENDPOINTS", "OWNER"};

static int rt_row(hcsctl_table *t, const char *id, const char *doc, const list_filter *f, zhns_error **err)
{
    zhns_HostComputeRoute *r = zhns_HostComputeRoute_parse(doc, ZHNS_NUL_TERMINATED, err);
    if (!r)
        return -1;
    int added = passes(f, r->Owner, r->Name);
    if (added) {
        sbuf routes = {0}, eps = {0};
        for (size_t i = 0; i < r->Routes_count; i++) {
            const zhns_SDNRoutePolicySetting *s = &r->Routes[i];
            if (routes.len)
                sb_puts(&routes, ",");
            sb_printf(&routes, "%s via %s%s", s->DestinationPrefix ? s->DestinationPrefix : "?",
                      s->NextHop ? s->NextHop : "?", s->has_NeedEncap && s->NeedEncap ? " (encap)" : "");
        }
        for (size_t i = 0; i < r->HostComputeEndpoints_count; i++)
            sb_item(&eps, r->HostComputeEndpoints[i]);
        const char *row[] = {id, r->HostComputeNetwork, sb_cell(&routes), sb_cell(&eps), r->Owner};
        hcsctl_table_add(t, row);
        sb_free(&routes);
        sb_free(&eps);
    }
    zhns_HostComputeRoute_free(r);
    return added;
}

#define NCOLS(a) (sizeof a / sizeof a[0])

static const kind KINDS[] = {
    {"network", "network", net_open, net_close, net_query, net_create, zhns_network_delete, zhns_network_list,
     NCOLS(NET_HEADERS), NET_HEADERS, net_row},
    {"endpoint", "endpoint", ep_open, ep_close, ep_query, NULL, zhns_endpoint_delete, zhns_endpoint_list_query,
     NCOLS(EP_HEADERS), EP_HEADERS, ep_row},
    {"namespace", "namespace", ns_open, ns_close, ns_query, ns_create, zhns_namespace_delete, zhns_namespace_list,
     NCOLS(NS_HEADERS), NS_HEADERS, ns_row},
    {"lb", "load balancer", lb_open, lb_close, lb_query, lb_create, zhns_loadbalancer_delete,
     zhns_loadbalancer_list, NCOLS(LB_HEADERS), LB_HEADERS, lb_row},
    {"route", "SDN route", rt_open, rt_close, rt_query, rt_create, zhns_route_delete, zhns_route_list,
     NCOLS(RT_HEADERS), RT_HEADERS, rt_row},
};

static const kind *find_kind(const char *cmd)
{
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (strcmp(cmd, KINDS[i].cmd) == 0)
            return &KINDS[i];
    return NULL;
}

/* Opens, queries and closes one object (3 raw calls): 1 with *doc, 0 when it does not exist
 * (any more), -1 with *err. */
static int fetch(char **doc, const kind *k, zhns_service *svc, const char *id, zhns_error **err)
{
    void *h = NULL;
    *doc = NULL;
    if (k->open(&h, svc, id, err) < 0) {
        if (!is_category(*err, ZHNS_ERROR_NOT_FOUND))
            return -1;
        zhns_error_free(*err);
        *err = NULL;
        return 0;
    }
    int rc = k->query(doc, h, err);
    k->close(h);
    return rc < 0 ? -1 : 1;
}

/* ------------------------------------------------------------------ list */
static int cmd_list(const hcsctl_opts *o, const kind *k, int argc, char **argv)
{
    list_filter f = {NULL, NULL};
    const char *network = NULL;
    int quiet = 0;
    for (int i = 0; i < argc; i++) {
        int r;
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            quiet = 1;
        } else if ((r = hcsctl_opt(&i, argc, argv, "--owner", &f.owner)) != 0 ||
                   (r = hcsctl_opt(&i, argc, argv, "--name", &f.name)) != 0 ||
                   (k->create == NULL && (r = hcsctl_opt(&i, argc, argv, "--network", &network)) != 0)) {
            if (r < 0)
                return hcsctl_usage_error("%s needs a value", argv[i]);
        } else {
            return hcsctl_usage_error("%s list: unexpected \"%s\"", k->cmd, argv[i]);
        }
    }
    char network_id[37];
    if (network && canonical_id(network, network_id) < 0)
        return hcsctl_usage_error("--network takes a network id (a GUID), not \"%s\"", network);
    /* HCN's filter narrows the answer on the service's side: {"Owner": ..., "Name": ...,
     * "VirtualNetwork": ...} */
    sbuf filter = {0};
    const char *members[][2] = {{"Owner", f.owner}, {"Name", f.name}, {"VirtualNetwork", network ? network_id : NULL}};
    for (size_t m = 0; m < 3; m++) {
        if (!members[m][1])
            continue;
        sb_puts(&filter, filter.len ? "," : "{");
        sb_json(&filter, members[m][0]);
        sb_puts(&filter, ":");
        sb_json(&filter, members[m][1]);
    }
    if (filter.len)
        sb_puts(&filter, "}");
    if (filter.oom) {
        sb_free(&filter);
        hcsctl_failf("out of memory");
        return HCSCTL_FAILED;
    }
    zhns_Version v2 = {true, 2, true, 0, NULL, 0};
    zhns_HostComputeQuery q;
    memset(&q, 0, sizeof q);
    q.SchemaVersion = &v2;
    q.Filter = filter.s;

    zhns_service *svc = NULL;
    int rc = hcsctl_open_hcn(o, &svc);
    if (rc) {
        sb_free(&filter);
        return rc;
    }
    char **ids = NULL;
    size_t n = 0;
    zhns_error *err = NULL;
    char what[128];
    snprintf(what, sizeof what, "cannot list the %ss", k->noun);
    if (k->list(&ids, &n, svc, filter.len ? &q : NULL, &err) < 0) {
        zhns_service_close(svc);
        sb_free(&filter);
        return hcsctl_fail_hcn(o, what, err);
    }
    /* Every document is read (open, query, close) for the columns, and for the exact owner
     * and name match; --quiet without --owner or --name needs none of them. */
    int read_docs = !quiet || f.owner || f.name;
    hcsctl_table *t = hcsctl_table_new(k->ncols, k->headers);
    char *kept = calloc(n ? n : 1, 1); /* kept[i]: ids[i] is listed */
    if (!t || !kept) {
        hcsctl_failf("out of memory");
        rc = HCSCTL_FAILED;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *doc = NULL;
        int got = read_docs ? fetch(&doc, k, svc, ids[i], &err) : 1;
        if (got > 0 && read_docs && (got = k->row(t, ids[i], doc, &f, &err)) < 0)
            got = -1;
        if (got < 0) {
            snprintf(what, sizeof what, "cannot read %s %.40s", k->noun, ids[i]);
            rc = hcsctl_fail_hcn(o, what, err);
        }
        kept[i] = got > 0;
        zhns_string_free(doc);
    }
    if (rc == 0 && quiet) {
        int first = 1;
        if (o->json)
            putchar('[');
        for (size_t i = 0; i < n; i++) {
            if (!kept[i])
                continue;
            if (o->json) {
                if (!first)
                    putchar(',');
                hcsctl_print_json_string(ids[i]);
            } else {
                puts(ids[i]);
            }
            first = 0;
        }
        if (o->json)
            puts("]");
    }
    if (rc == 0 && !quiet)
        hcsctl_table_print(o, t);
    else
        hcsctl_table_free(t);
    free(kept);
    zhns_strings_free(ids, n);
    zhns_service_close(svc);
    sb_free(&filter);
    return rc;
}

/* ------------------------------------------------------------------ inspect, create, delete */
static int cmd_inspect(const hcsctl_opts *o, const kind *k, int argc, char **argv)
{
    if (argc != 1)
        return hcsctl_usage_error("%s inspect ID", k->cmd);
    zhns_service *svc = NULL;
    int rc = hcsctl_open_hcn(o, &svc);
    if (rc)
        return rc;
    void *h = NULL;
    char *doc = NULL;
    zhns_error *err = NULL;
    char what[300];
    if (k->open(&h, svc, argv[0], &err) < 0) {
        snprintf(what, sizeof what, "cannot open %s \"%.200s\"", k->noun, argv[0]);
        rc = hcsctl_fail_hcn(o, what, err);
    } else if (k->query(&doc, h, &err) < 0) {
        snprintf(what, sizeof what, "cannot read %s \"%.200s\"", k->noun, argv[0]);
        rc = hcsctl_fail_hcn(o, what, err);
    } else if (o->json) {
        puts(doc && *doc ? doc : "{}");
    } else {
        hcsctl_print_json_pretty(doc && *doc ? doc : "{}");
    }
    zhns_string_free(doc);
    k->close(h);
    zhns_service_close(svc);
    return rc;
}

/* An endpoint goes on a network: --network, else the document's HostComputeNetwork. */
static int create_endpoint(const hcsctl_opts *o, zhns_service *svc, const char *doc, const char *network,
                           char **id)
{
    zhns_error *err = NULL;
    zhns_HostComputeEndpoint *parsed = NULL;
    if (!network) {
        if (!(parsed = zhns_HostComputeEndpoint_parse(doc, ZHNS_NUL_TERMINATED, &err)))
            return hcsctl_fail_hcn(o, "invalid endpoint document", err);
        network = parsed->HostComputeNetwork;
        if (!network || !*network) {
            zhns_HostComputeEndpoint_free(parsed);
            return hcsctl_usage_error("endpoint create: say which network, with --network ID or a "
                                      "\"HostComputeNetwork\" member in the document");
        }
    }
    zhns_network *net = NULL;
    zhns_endpoint *ep = NULL;
    int rc = 0;
    char what[300];
    if (zhns_network_open(&net, svc, network, &err) < 0) {
        snprintf(what, sizeof what, "cannot open network \"%.200s\"", network);
        rc = hcsctl_fail_hcn(o, what, err);
    } else if (zhns_endpoint_create_json(&ep, net, doc, &err) < 0) {
        rc = hcsctl_fail_hcn(o, "cannot create the endpoint", err);
    } else if (!(*id = malloc(strlen(zhns_endpoint_id(ep)) + 1))) {
        hcsctl_failf("out of memory");
        rc = HCSCTL_FAILED;
    } else {
        strcpy(*id, zhns_endpoint_id(ep));
    }
    zhns_endpoint_close(ep);
    zhns_network_close(net);
    zhns_HostComputeEndpoint_free(parsed);
    return rc;
}

static int cmd_create(const hcsctl_opts *o, const kind *k, int argc, char **argv)
{
    const char *file = NULL, *network = NULL;
    int is_endpoint = k->create == NULL;
    for (int i = 0; i < argc; i++) {
        int r = is_endpoint ? hcsctl_opt(&i, argc, argv, "--network", &network) : 0;
        if (r < 0)
            return hcsctl_usage_error("--network needs a value");
        if (r > 0)
            continue;
        if (file || (argv[i][0] == '-' && argv[i][1] == '-'))
            return hcsctl_usage_error("%s create: unexpected \"%s\"", k->cmd, argv[i]);
        file = argv[i];
    }
    if (!file)
        return hcsctl_usage_error("%s create DOC%s  (DOC: a file, - for standard input, @FILE, or the JSON)", k->cmd,
                                  is_endpoint ? " [--network ID]" : "");
    char *doc = hcsctl_document(file);
    if (!doc)
        return HCSCTL_FAILED;
    zhns_service *svc = NULL;
    char *id = NULL;
    int rc = hcsctl_open_hcn(o, &svc);
    zhns_error *err = NULL;
    if (rc == 0 && is_endpoint) {
        rc = create_endpoint(o, svc, doc, network, &id);
    } else if (rc == 0 && k->create(&id, svc, doc, &err) < 0) {
        char what[128];
        snprintf(what, sizeof what, "cannot create the %s", k->noun);
        rc = hcsctl_fail_hcn(o, what, err);
    }
    if (rc == 0 && !id) {
        hcsctl_failf("out of memory");
        rc = HCSCTL_FAILED;
    }
    if (rc == 0) {
        if (o->json) {
            printf("{\"id\":");
            hcsctl_print_json_string(id);
            printf(",\"kind\":\"%s\"}\n", k->cmd);
        } else {
            printf("created %s %s\n", k->noun, id);
        }
    }
    free(id);
    free(doc);
    zhns_service_close(svc);
    return rc;
}

/* Deletes are idempotent in zhns; an open first tells "deleted" from "was not there". */
static int cmd_delete(const hcsctl_opts *o, const kind *k, int argc, char **argv)
{
    if (argc < 1)
        return hcsctl_usage_error("%s delete ID...", k->cmd);
    for (int i = 0; i < argc; i++)
        if (argv[i][0] == '-')
            return hcsctl_usage_error("%s delete: unexpected \"%s\"", k->cmd, argv[i]);
    zhns_service *svc = NULL;
    int rc = hcsctl_open_hcn(o, &svc);
    if (rc)
        return rc;
    static const char *const headers[] = {"ID", "RESULT"};
    hcsctl_table *t = o->json ? hcsctl_table_new(2, headers) : NULL;
    for (int i = 0; i < argc; i++) {
        zhns_error *err = NULL;
        void *h = NULL;
        const char *result = "deleted";
        char what[300];
        if (k->open(&h, svc, argv[i], &err) < 0) {
            if (is_category(err, ZHNS_ERROR_NOT_FOUND)) {
                zhns_error_free(err);
                err = NULL;
                result = "not found";
            } else {
                snprintf(what, sizeof what, "cannot delete %s \"%.200s\"", k->noun, argv[i]);
                rc = hcsctl_fail_hcn(o, what, err);
                result = "failed";
            }
        }
        k->close(h);
        if (strcmp(result, "deleted") == 0 && k->del(svc, argv[i], &err) < 0) {
            snprintf(what, sizeof what, "cannot delete %s \"%.200s\"", k->noun, argv[i]);
            rc = hcsctl_fail_hcn(o, what, err);
            result = "failed";
        }
        if (o->json) {
            const char *row[] = {argv[i], result};
            hcsctl_table_add(t, row);
        } else if (strcmp(result, "deleted") == 0) {
            printf("deleted %s %s\n", k->noun, argv[i]);
        } else if (strcmp(result, "not found") == 0) {
            printf("%s %s: not found, nothing to delete\n", k->noun, argv[i]);
        }
        fflush(stdout);
    }
    hcsctl_table_print(o, t);
    zhns_service_close(svc);
    return rc;
}

/* namespace add-endpoint|remove-endpoint NAMESPACE-ID ENDPOINT-ID: one modify call. */
static int cmd_ns_endpoint(const hcsctl_opts *o, int add, int argc, char **argv)
{
    if (argc != 2 || argv[0][0] == '-' || argv[1][0] == '-')
        return hcsctl_usage_error("namespace %s NAMESPACE-ID ENDPOINT-ID", add ? "add-endpoint" : "remove-endpoint");
    zhns_service *svc = NULL;
    int rc = hcsctl_open_hcn(o, &svc);
    if (rc)
        return rc;
    zhns_namespace *ns = NULL;
    zhns_error *err = NULL;
    char what[300];
    if (zhns_namespace_open(&ns, svc, argv[0], &err) < 0) {
        snprintf(what, sizeof what, "cannot open namespace \"%.200s\"", argv[0]);
        rc = hcsctl_fail_hcn(o, what, err);
    } else if ((add ? zhns_namespace_add_endpoint : zhns_namespace_remove_endpoint)(ns, argv[1], &err) < 0) {
        snprintf(what, sizeof what, "cannot %s endpoint \"%.100s\"", add ? "add" : "remove", argv[1]);
        rc = hcsctl_fail_hcn(o, what, err);
    } else if (o->json) {
        printf("{\"namespace\":");
        hcsctl_print_json_string(zhns_namespace_id(ns));
        printf(",\"endpoint\":");
        hcsctl_print_json_string(argv[1]);
        printf(",\"done\":\"%s\"}\n", add ? "added" : "removed");
    } else {
        printf("%s endpoint %s %s namespace %s\n", add ? "added" : "removed", argv[1], add ? "to" : "from",
               zhns_namespace_id(ns));
    }
    zhns_namespace_close(ns);
    zhns_service_close(svc);
    return rc;
}

static int cmd_family(const hcsctl_opts *o, const kind *k, int argc, char **argv)
{
    int is_ns = k->open == ns_open;
    if (argc < 1)
        return hcsctl_usage_error("%s needs a subcommand: list, inspect, create, delete%s", k->cmd,
                                  is_ns ? ", add-endpoint, remove-endpoint" : "");
    const char *sub = argv[0];
    if (is_ns && (strcmp(sub, "add-endpoint") == 0 || strcmp(sub, "remove-endpoint") == 0))
        return cmd_ns_endpoint(o, sub[0] == 'a', argc - 1, argv + 1);
    if (strcmp(sub, "list") == 0)
        return cmd_list(o, k, argc - 1, argv + 1);
    if (strcmp(sub, "inspect") == 0)
        return cmd_inspect(o, k, argc - 1, argv + 1);
    if (strcmp(sub, "create") == 0)
        return cmd_create(o, k, argc - 1, argv + 1);
    if (strcmp(sub, "delete") == 0)
        return cmd_delete(o, k, argc - 1, argv + 1);
    return hcsctl_usage_error("%s: unknown subcommand \"%s\" (list, inspect, create, delete%s)", k->cmd, sub,
                              is_ns ? ", add-endpoint, remove-endpoint" : "");
}

/* ------------------------------------------------------------------ attach, detach */
#define MAX_LIST 32

static int cmd_attach(const hcsctl_opts *o, int argc, char **argv)
{
    const char *network = NULL, *owner = "hcsctl", *name = NULL, *ip = NULL, *gateway = NULL, *dns = NULL,
               *suffix = NULL, *domain = NULL, *mac = NULL;
    for (int i = 0; i < argc; i++) {
        int r;
        if ((r = hcsctl_opt(&i, argc, argv, "--owner", &owner)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--name", &name)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--ip", &ip)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--gateway", &gateway)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--dns", &dns)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--dns-suffix", &suffix)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--dns-domain", &domain)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--mac", &mac)) != 0) {
            if (r < 0)
                return hcsctl_usage_error("%s needs a value", argv[i]);
        } else if (network || argv[i][0] == '-') {
            return hcsctl_usage_error("attach: unexpected \"%s\"", argv[i]);
        } else {
            network = argv[i];
        }
    }
    if (!network)
        return hcsctl_usage_error("attach NETWORK-ID [--owner TAG] [--name N] [--ip ADDR[/LEN]] [--gateway IP] "
                                  "[--dns IP,...] [--dns-suffix S,...] [--dns-domain D] [--mac MAC]");
    if (!*owner)
        return hcsctl_usage_error("--owner needs a tag: crash recovery finds attachments by it");
    zhns_overlay_options opts = ZHNS_OVERLAY_OPTIONS_INIT;
    opts.owner = owner;
    opts.name = name;
    opts.gateway = gateway;
    opts.dns_domain = domain;
    opts.mac_address = mac;
    /* --ip ADDR[/LEN] */
    char addr[64];
    if (ip) {
        const char *slash = strchr(ip, '/');
        size_t alen = slash ? (size_t)(slash - ip) : strlen(ip);
        if (alen == 0 || alen >= sizeof addr)
            return hcsctl_usage_error("--ip takes ADDRESS or ADDRESS/PREFIX-LENGTH, not \"%s\"", ip);
        memcpy(addr, ip, alen);
        addr[alen] = '\0';
        opts.ip_address = addr;
        if (slash) {
            unsigned len = 0;
            const char *d = slash + 1;
            for (; *d >= '0' && *d <= '9' && len <= 128; d++)
                len = len * 10 + (unsigned)(*d - '0');
            if (d == slash + 1 || *d || len < 1 || len > 128)
                return hcsctl_usage_error("--ip: the prefix length of \"%s\" is not 1 to 128", ip);
            opts.prefix_length = (uint8_t)len;
        }
    }
    const char *servers[MAX_LIST], *search[MAX_LIST];
    char *dns_copy = NULL, *suffix_copy = NULL;
    int rc = HCSCTL_OK;
    if (dns) {
        int n = (dns_copy = malloc(strlen(dns) + 1)) ? split_list(strcpy(dns_copy, dns), servers, MAX_LIST) : -1;
        if (n < 0)
            rc = hcsctl_usage_error("--dns takes addresses separated by commas (at most %d)", MAX_LIST);
        opts.dns_servers = servers;
        opts.dns_server_count = n > 0 ? (size_t)n : 0;
    }
    if (suffix && rc == 0) {
        int n = (suffix_copy = malloc(strlen(suffix) + 1)) ? split_list(strcpy(suffix_copy, suffix), search, MAX_LIST)
                                                           : -1;
        if (n < 0)
            rc = hcsctl_usage_error("--dns-suffix takes suffixes separated by commas (at most %d)", MAX_LIST);
        opts.dns_search = search;
        opts.dns_search_count = n > 0 ? (size_t)n : 0;
    }
    zhns_service *svc = NULL;
    zhns_network *net = NULL;
    zhns_attachment *att = NULL;
    zhns_error *err = NULL;
    if (rc == 0)
        rc = hcsctl_open_hcn(o, &svc);
    if (rc == 0 && zhns_network_open(&net, svc, network, &err) < 0) {
        char what[300];
        snprintf(what, sizeof what, "cannot open network \"%.200s\"", network);
        rc = hcsctl_fail_hcn(o, what, err);
    } else if (rc == 0 && zhns_attachment_create_overlay(&att, net, &opts, &err) < 0) {
        rc = hcsctl_fail_hcn(o, "cannot attach", err);
    } else if (rc == 0) {
        char ipbuf[80];
        const char *aip = zhns_attachment_ip(att);
        if (aip && zhns_attachment_prefix_length(att))
            snprintf(ipbuf, sizeof ipbuf, "%.63s/%u", aip, (unsigned)zhns_attachment_prefix_length(att));
        else
            snprintf(ipbuf, sizeof ipbuf, "%.63s", aip ? aip : "");
        if (o->json) {
            printf("{\"network\":");
            hcsctl_print_json_string(zhns_network_id(net));
            printf(",\"endpoint\":");
            hcsctl_print_json_string(zhns_attachment_endpoint_id(att));
            printf(",\"namespace\":");
            hcsctl_print_json_string(zhns_attachment_namespace_id(att));
            printf(",\"ip\":");
            hcsctl_print_json_string(aip);
            printf(",\"prefix_length\":%u,\"owner\":", (unsigned)zhns_attachment_prefix_length(att));
            hcsctl_print_json_string(zhns_attachment_owner(att));
            printf("}\n");
        } else {
            static const char *const headers[] = {"ENDPOINT", "NAMESPACE", "IP", "OWNER"};
            hcsctl_table *t = hcsctl_table_new(4, headers);
            const char *row[] = {zhns_attachment_endpoint_id(att), zhns_attachment_namespace_id(att),
                                 *ipbuf ? ipbuf : NULL, zhns_attachment_owner(att)};
            hcsctl_table_add(t, row);
            hcsctl_table_print(o, t);
        }
    }
    zhns_attachment_close(att); /* deletes nothing: the attachment outlives hcsctl */
    zhns_network_close(net);
    zhns_service_close(svc);
    free(dns_copy);
    free(suffix_copy);
    return rc;
}

/* What detach did to one object. */
static const char *const DETACH_DELETED = "deleted", *const DETACH_GONE = "not found", *const DETACH_KEPT = "kept";

static void print_detach(const hcsctl_opts *o, const char *ep_id, int ep_exists, const char *ep_result,
                         const char *ns_id, const char *ns_result, size_t others);

/* detach ENDPOINT-ID [NAMESPACE-ID]: the endpoint is taken out of its namespace and deleted;
 * the namespace (the one given, else the endpoint's) is deleted too unless other endpoints
 * are still in it. Not found counts as done, so a detach can be repeated. */
static int cmd_detach(const hcsctl_opts *o, int argc, char **argv)
{
    if (argc < 1 || argc > 2 || argv[0][0] == '-' || (argc == 2 && argv[1][0] == '-'))
        return hcsctl_usage_error("detach ENDPOINT-ID [NAMESPACE-ID]");
    const char *ep_id = argv[0], *ns_arg = argc == 2 ? argv[1] : NULL;
    zhns_service *svc = NULL;
    int rc = hcsctl_open_hcn(o, &svc);
    if (rc)
        return rc;
    zhns_error *err = NULL;
    char what[400];
    /* 1. the endpoint, and the namespace it names (open, query, close) */
    zhns_endpoint *ep = NULL;
    zhns_HostComputeEndpoint *props = NULL;
    int ep_exists = 1;
    if (zhns_endpoint_open(&ep, svc, ep_id, &err) < 0) {
        if (!is_category(err, ZHNS_ERROR_NOT_FOUND)) {
            snprintf(what, sizeof what, "cannot open endpoint \"%.200s\"", ep_id);
            zhns_service_close(svc);
            return hcsctl_fail_hcn(o, what, err);
        }
        zhns_error_free(err);
        err = NULL;
        ep_exists = 0;
    } else if (zhns_endpoint_query_properties(&props, ep, &err) < 0) {
        snprintf(what, sizeof what, "cannot read endpoint \"%.200s\"", ep_id);
        zhns_endpoint_close(ep);
        zhns_service_close(svc);
        return hcsctl_fail_hcn(o, what, err);
    }
    zhns_endpoint_close(ep);
    const char *ep_ns = props && props->HostComputeNamespace && *props->HostComputeNamespace
                            ? props->HostComputeNamespace
                            : NULL;
    if (ns_arg && ep_ns && !same_id(ns_arg, ep_ns)) {
        hcsctl_failf("endpoint %s is in namespace %s, not %s: nothing done", ep_id, ep_ns, ns_arg);
        zhns_HostComputeEndpoint_free(props);
        zhns_service_close(svc);
        return HCSCTL_FAILED;
    }
    /* the namespace's id, kept whole (the endpoint's document goes now) */
    const char *ns_src = ns_arg ? ns_arg : ep_ns ? ep_ns : "";
    char *ns_id = malloc(strlen(ns_src) + 1);
    if (!ns_id) {
        zhns_HostComputeEndpoint_free(props);
        zhns_service_close(svc);
        return hcsctl_failf("out of memory");
    }
    strcpy(ns_id, ns_src);
    zhns_HostComputeEndpoint_free(props);
    /* 2. the namespace: which other endpoints are in it (open, query) */
    zhns_namespace *ns = NULL;
    size_t others = 0;
    int ns_exists = 0;
    if (*ns_id) {
        char **in = NULL;
        size_t n = 0;
        if (zhns_namespace_open(&ns, svc, ns_id, &err) < 0) {
            if (!is_category(err, ZHNS_ERROR_NOT_FOUND)) {
                snprintf(what, sizeof what, "cannot open namespace \"%.200s\"", ns_id);
                zhns_service_close(svc);
                free(ns_id);
                return hcsctl_fail_hcn(o, what, err);
            }
            zhns_error_free(err);
            err = NULL;
        } else if (zhns_namespace_list_endpoints(&in, &n, ns, &err) < 0) {
            snprintf(what, sizeof what, "cannot read namespace \"%.200s\"", ns_id);
            zhns_namespace_close(ns);
            zhns_service_close(svc);
            free(ns_id);
            return hcsctl_fail_hcn(o, what, err);
        } else {
            ns_exists = 1;
            for (size_t i = 0; i < n; i++)
                others += !same_id(in[i], ep_id);
            zhns_strings_free(in, n);
        }
    }
    /* 3. detach and delete */
    const char *ep_result = ep_exists ? DETACH_DELETED : DETACH_GONE;
    const char *ns_result = !*ns_id ? NULL : !ns_exists ? DETACH_GONE : others ? DETACH_KEPT : DETACH_DELETED;
    if (ns_result == DETACH_KEPT) {
        /* others stay in the namespace: only this endpoint goes */
        if (ep_exists && zhns_namespace_remove_endpoint(ns, ep_id, &err) < 0 &&
            !is_category(err, ZHNS_ERROR_INVALID_STATE)) { /* INVALID_STATE: not attached */
            snprintf(what, sizeof what, "cannot take endpoint \"%.200s\" out of its namespace", ep_id);
            rc = hcsctl_fail_hcn(o, what, err);
        } else {
            zhns_error_free(err);
            err = NULL;
            if (ep_exists && zhns_endpoint_delete(svc, ep_id, &err) < 0) {
                snprintf(what, sizeof what, "cannot delete endpoint \"%.200s\"", ep_id);
                rc = hcsctl_fail_hcn(o, what, err);
            }
        }
    } else if ((ep_exists || ns_result == DETACH_DELETED) &&
               zhns_attachment_delete_endpoint_and_namespace(svc, ep_exists ? ep_id : NULL,
                                                              ns_result == DETACH_DELETED ? ns_id : NULL, &err) < 0) {
        snprintf(what, sizeof what, "cannot detach endpoint \"%.200s\"", ep_id);
        rc = hcsctl_fail_hcn(o, what, err);
    }
    zhns_namespace_close(ns);
    zhns_service_close(svc);
    if (rc == 0)
        print_detach(o, ep_id, ep_exists, ep_result, ns_id, ns_result, others);
    free(ns_id);
    return rc;
}

static void print_detach(const hcsctl_opts *o, const char *ep_id, int ep_exists, const char *ep_result,
                         const char *ns_id, const char *ns_result, size_t others)
{
    if (o->json) {
        printf("{\"endpoint\":{\"id\":");
        hcsctl_print_json_string(ep_id);
        printf(",\"result\":\"%s\"},\"namespace\":", ep_result);
        if (*ns_id) {
            printf("{\"id\":");
            hcsctl_print_json_string(ns_id);
            printf(",\"result\":\"%s\"", ns_result);
            if (ns_result == DETACH_KEPT)
                printf(",\"other_endpoints\":%zu", others);
            printf("}}\n");
        } else {
            printf("null}\n");
        }
        return;
    }
    if (ep_exists)
        printf("deleted endpoint %s\n", ep_id);
    else
        printf("endpoint %s: not found, nothing to delete\n", ep_id);
    if (ns_result == DETACH_DELETED)
        printf("deleted namespace %s\n", ns_id);
    else if (ns_result == DETACH_GONE)
        printf("namespace %s: not found, nothing to delete\n", ns_id);
    else if (ns_result == DETACH_KEPT)
        printf("kept namespace %s: %zu other endpoint%s still in it\n", ns_id, others, others == 1 ? " is" : "s are");
    else if (ep_exists)
        printf("the endpoint was in no namespace\n");
}

/* ------------------------------------------------------------------ cleanup */
static int cmd_cleanup(const hcsctl_opts *o, int argc, char **argv)
{
    const char *owner = NULL;
    int yes = 0;
    for (int i = 0; i < argc; i++) {
        int r = hcsctl_opt(&i, argc, argv, "--owner", &owner);
        if (r < 0)
            return hcsctl_usage_error("--owner needs a value");
        if (r == 0 && strcmp(argv[i], "--yes") == 0)
            yes = 1;
        else if (r == 0)
            return hcsctl_usage_error("cleanup: unexpected \"%s\"", argv[i]);
    }
    if (!owner || !*owner)
        return hcsctl_usage_error("cleanup --owner TAG [--yes]  (a dry run without --yes)");
    zhns_service *svc = NULL;
    int rc = hcsctl_open_hcn(o, &svc);
    if (rc)
        return rc;
    zhns_owned_attachment *list = NULL;
    size_t n = 0, deleted = 0, failed = 0;
    zhns_error *err = NULL;
    if (zhns_attachment_list_owned(&list, &n, svc, owner, &err) < 0) {
        zhns_service_close(svc);
        return hcsctl_fail_hcn(o, "cannot list the owner's attachments", err);
    }
    const char **actions = calloc(n ? n : 1, sizeof *actions);
    if (!actions) {
        zhns_owned_attachments_free(list, n);
        zhns_service_close(svc);
        hcsctl_failf("out of memory");
        return HCSCTL_FAILED;
    }
    for (size_t i = 0; i < n; i++) {
        actions[i] = "would delete";
        if (!yes)
            continue;
        /* each on its own: one failure does not stop the others */
        if (zhns_attachment_delete_endpoint_and_namespace(svc, list[i].endpoint_id, list[i].namespace_id, &err) < 0) {
            char what[200];
            snprintf(what, sizeof what, "cannot delete endpoint %.40s, namespace %.40s",
                     list[i].endpoint_id ? list[i].endpoint_id : "-",
                     list[i].namespace_id ? list[i].namespace_id : "-");
            hcsctl_fail_hcn(o, what, err);
            err = NULL;
            actions[i] = "failed";
            failed++;
        } else {
            actions[i] = "deleted";
            deleted++;
        }
    }
    if (o->json) {
        printf("{\"owner\":");
        hcsctl_print_json_string(owner);
        printf(",\"dry_run\":");
        print_json_bool(!yes);
        printf(",\"attachments\":[");
        for (size_t i = 0; i < n; i++) {
            printf("%s{\"endpoint\":", i ? "," : "");
            hcsctl_print_json_string(list[i].endpoint_id);
            printf(",\"namespace\":");
            hcsctl_print_json_string(list[i].namespace_id);
            printf(",\"action\":\"%s\"}", actions[i]);
        }
        printf("],\"found\":%zu,\"deleted\":%zu,\"failed\":%zu}\n", n, deleted, failed);
    } else {
        static const char *const headers[] = {"ENDPOINT", "NAMESPACE", "ACTION"};
        hcsctl_table *t = hcsctl_table_new(3, headers);
        for (size_t i = 0; i < n; i++) {
            const char *row[] = {list[i].endpoint_id, list[i].namespace_id, actions[i]};
            hcsctl_table_add(t, row);
        }
        hcsctl_table_print(o, t);
        if (n == 0)
            printf("owner \"%s\": nothing to clean up\n", owner);
        else if (!yes)
            printf("owner \"%s\": %zu attachment%s; dry run, nothing deleted (--yes deletes %s)\n", owner, n,
                   n == 1 ? "" : "s", n == 1 ? "it" : "them");
        else
            printf("owner \"%s\": deleted %zu of %zu attachment%s\n", owner, deleted, n, n == 1 ? "" : "s");
    }
    free(actions);
    zhns_owned_attachments_free(list, n);
    zhns_service_close(svc);
    return failed ? HCSCTL_FAILED : HCSCTL_OK;
}

/* ------------------------------------------------------------------ features */
static int parse_version(const char *s, zhns_hns_version *v)
{
    /* MAJOR.MINOR, digits only, each at most 4294967295 */
    const char *dot = strchr(s, '.');
    size_t n = dot ? (size_t)(dot - s) : 0;
    uint64_t major = 0, minor = 0;
    if (!dot || n == 0 || n > 10 || !dot[1] || strlen(dot + 1) > 10)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        major = major * 10 + (uint64_t)(s[i] - '0');
    }
    for (const char *p = dot + 1; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        minor = minor * 10 + (uint64_t)(*p - '0');
    }
    if (major > 0xFFFFFFFFu || minor > 0xFFFFFFFFu)
        return -1;
    v->major = (uint32_t)major;
    v->minor = (uint32_t)minor;
    return 0;
}

static int cmd_features(const hcsctl_opts *o, int argc, char **argv)
{
    const char *given = NULL;
    for (int i = 0; i < argc; i++) {
        int r = hcsctl_opt(&i, argc, argv, "--hns-version", &given);
        if (r <= 0)
            return hcsctl_usage_error(r < 0 ? "--hns-version needs MAJOR.MINOR" : "features: unexpected \"%s\"",
                                      argv[i]);
    }
    zhns_hns_version v = {0, 0};
    if (given) {
        if (parse_version(given, &v) < 0)
            return hcsctl_usage_error("--hns-version takes MAJOR.MINOR (e.g. 10.2), not \"%s\"", given);
    } else {
        zhns_service *svc = NULL;
        int rc = hcsctl_open_hcn(o, &svc);
        if (rc)
            return rc;
        zhns_error *err = NULL;
        rc = zhns_hns_version_get(&v, svc, &err);
        zhns_service_close(svc);
        if (rc < 0)
            return hcsctl_fail_hcn(o, "cannot learn the HNS version", err);
    }
    if (o->json) {
        printf("{\"hns_version\":\"%u.%u\",\"source\":\"%s\",\"features\":[", (unsigned)v.major, (unsigned)v.minor,
               given ? "--hns-version" : "service");
        for (int f = 0; f < ZHNS_FEATURE_COUNT; f++) {
            printf("%s{\"feature\":\"%s\",\"supported\":", f ? "," : "", zhns_feature_name((zhns_feature)f));
            print_json_bool(zhns_version_supports(v, (zhns_feature)f));
            putchar('}');
        }
        puts("]}");
        return HCSCTL_OK;
    }
    printf("HNS version %u.%u%s\n", (unsigned)v.major, (unsigned)v.minor, given ? " (as given)" : "");
    static const char *const headers[] = {"FEATURE", "SUPPORTED"};
    hcsctl_table *t = hcsctl_table_new(2, headers);
    for (int f = 0; f < ZHNS_FEATURE_COUNT; f++) {
        const char *row[] = {zhns_feature_name((zhns_feature)f),
                             zhns_version_supports(v, (zhns_feature)f) ? "yes" : "no"};
        hcsctl_table_add(t, row);
    }
    hcsctl_table_print(o, t);
    return HCSCTL_OK;
}

/* ------------------------------------------------------------------ adapter */
/* Why an adapter is no candidate without an override (zhns/adapter.h, rules 1-3), or NULL. */
static const char *passed_over(const zhns_adapter *a)
{
    if (!a->up)
        return "down";
    if (a->loopback)
        return "loopback";
    if (a->tunnel)
        return "tunnel";
    if (!a->ipv4 || !*a->ipv4)
        return "no IPv4 address";
    if (!a->gateway || !*a->gateway)
        return "no IPv4 default gateway";
    return NULL;
}

/* Rule 4: the vNICs Hyper-V puts in front of a switch. */
static int is_vnic(const zhns_adapter *a)
{
    static const char prefix[] = "Hyper-V Virtual Ethernet";
    return a->description && strncmp(a->description, prefix, sizeof prefix - 1) == 0;
}

/* The WHY column: what the rules say of adapter i when `chosen` won (chosen == count: none). */
static void adapter_why(char *buf, size_t size, const zhns_adapter *list, size_t count, size_t i, size_t chosen,
                        const char *override, const char *source)
{
    const zhns_adapter *a = &list[i];
    if (override) {
        if (i == chosen)
            snprintf(buf, size, "named by %s", source);
        else if (ascii_same(a->name, override))
            snprintf(buf, size, "named by %s, but down", source);
        else
            snprintf(buf, size, "not the adapter %s names", source);
        return;
    }
    const char *why = passed_over(a);
    if (why) {
        snprintf(buf, size, "%s", why);
        return;
    }
    size_t candidates = 0;
    for (size_t k = 0; k < count; k++)
        candidates += !passed_over(&list[k]);
    if (i == chosen) {
        snprintf(buf, size, candidates == 1 ? "the only candidate (up, IPv4 address and default gateway)"
                                            : "the best of the candidates");
        return;
    }
    if (chosen >= count) {
        snprintf(buf, size, "a candidate");
        return;
    }
    const zhns_adapter *w = &list[chosen];
    if (is_vnic(a) && !is_vnic(w))
        snprintf(buf, size, "a Hyper-V vNIC: the physical %.60s comes first", w->name);
    else if (a->metric > w->metric)
        snprintf(buf, size, "metric %u, higher than %.60s's %u", (unsigned)a->metric, w->name, (unsigned)w->metric);
    else
        snprintf(buf, size, "the same metric as %.60s, which comes first", w->name);
}

static int cmd_adapter(const hcsctl_opts *o, int argc, char **argv)
{
    const char *uplink = NULL;
    for (int i = 0; i < argc; i++) {
        int r = hcsctl_opt(&i, argc, argv, "--uplink", &uplink);
        if (r <= 0)
            return hcsctl_usage_error(r < 0 ? "--uplink needs an adapter name" : "adapter: unexpected \"%s\"", argv[i]);
    }
    /* the override: --uplink, else the environment (unset or empty: none) */
    const char *override = uplink, *source = "--uplink";
    if (!override) {
        override = getenv(ZHNS_UPLINK_ENV);
        source = ZHNS_UPLINK_ENV;
    }
    if (override && !*override)
        override = NULL;
    zhns_service *svc = NULL;
    int rc = hcsctl_open_hcn(o, &svc);
    if (rc)
        return rc;
    zhns_adapter *list = NULL;
    size_t count = 0, chosen = 0;
    zhns_error *err = NULL, *choice_err = NULL;
    if (zhns_adapter_list(&list, &count, svc, &err) < 0) {
        zhns_service_close(svc);
        return hcsctl_fail_hcn(o, "cannot list the adapters", err);
    }
    zhns_service_close(svc);
    if (zhns_adapter_select(&chosen, list, count, override, &choice_err) < 0)
        chosen = count; /* none: the table still shows why */
    char why[200];
    if (o->json) {
        printf("{\"override\":");
        hcsctl_print_json_string(override);
        printf(",\"override_from\":");
        hcsctl_print_json_string(override ? source : NULL);
        printf(",\"uplink\":");
        hcsctl_print_json_string(chosen < count ? list[chosen].name : NULL);
        printf(",\"adapters\":[");
        for (size_t i = 0; i < count; i++) {
            const zhns_adapter *a = &list[i];
            adapter_why(why, sizeof why, list, count, i, chosen, override, source);
            printf("%s{\"name\":", i ? "," : "");
            hcsctl_print_json_string(a->name);
            printf(",\"description\":");
            hcsctl_print_json_string(a->description);
            printf(",\"mac\":");
            hcsctl_print_json_string(a->mac && *a->mac ? a->mac : NULL);
            printf(",\"up\":");
            print_json_bool(a->up);
            printf(",\"loopback\":");
            print_json_bool(a->loopback);
            printf(",\"tunnel\":");
            print_json_bool(a->tunnel);
            printf(",\"ipv4\":");
            hcsctl_print_json_string(a->ipv4);
            printf(",\"gateway\":");
            hcsctl_print_json_string(a->gateway);
            printf(",\"metric\":%u,\"uplink\":", (unsigned)a->metric);
            print_json_bool(i == chosen);
            printf(",\"why\":");
            hcsctl_print_json_string(why);
            putchar('}');
        }
        puts("]}");
    } else {
        static const char *const headers[] = {"NAME", "DESCRIPTION", "MAC", "STATE", "IPV4", "GATEWAY", "METRIC",
                                              "UPLINK", "WHY"};
        hcsctl_table *t = hcsctl_table_new(9, headers);
        for (size_t i = 0; i < count; i++) {
            const zhns_adapter *a = &list[i];
            char metric[16];
            snprintf(metric, sizeof metric, "%u", (unsigned)a->metric);
            adapter_why(why, sizeof why, list, count, i, chosen, override, source);
            const char *row[] = {a->name, a->description, a->mac && *a->mac ? a->mac : NULL, a->up ? "up" : "down",
                                 a->ipv4, a->gateway, metric, i == chosen ? "yes" : "no", why};
            hcsctl_table_add(t, row);
        }
        hcsctl_table_print(o, t);
        if (chosen < count && override)
            printf("uplink: %s (named by %s)\n", list[chosen].name, source);
        else if (chosen < count)
            printf("uplink: %s (chosen by the rules; %s is not set)\n", list[chosen].name, ZHNS_UPLINK_ENV);
    }
    fflush(stdout);
    char what[200];
    if (override)
        snprintf(what, sizeof what, "no uplink adapter (%s \"%.100s\")", source, override);
    else
        snprintf(what, sizeof what, "no uplink adapter");
    rc = chosen < count ? HCSCTL_OK : hcsctl_fail_hcn(o, what, choice_err);
    if (chosen < count)
        zhns_error_free(choice_err);
    zhns_adapters_free(list, count);
    return rc;
}

/* ------------------------------------------------------------------ list all */
/* hnsdiag's `list all`: each kind's list in turn (under a heading; with --json one object
 * whose members are the kinds' arrays). The options are those of every kind's list. */
int hcsctl_list_all(const hcsctl_opts *o, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        int r;
        if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0)
            continue;
        if ((r = hcsctl_opt(&i, argc, argv, "--owner", &v)) != 0 ||
            (r = hcsctl_opt(&i, argc, argv, "--name", &v)) != 0) {
            if (r < 0)
                return hcsctl_usage_error("%s needs a value", argv[i]);
            continue;
        }
        return hcsctl_usage_error("list all: unexpected \"%s\"", argv[i]);
    }
    static const char *const plural[] = {"networks", "endpoints", "namespaces", "load balancers", "SDN routes"};
    int rc = HCSCTL_OK;
    if (o->json)
        putchar('{');
    for (size_t k = 0; k < sizeof KINDS / sizeof KINDS[0] && rc == HCSCTL_OK; k++) {
        if (o->json)
            printf("%s\"%s\":", k ? "," : "", KINDS[k].cmd);
        else
            printf("%s%s:\n", k ? "\n" : "", plural[k]);
        fflush(stdout);
        rc = cmd_list(o, &KINDS[k], argc, argv);
        if (rc != HCSCTL_OK && o->json)
            fputs("null", stdout);
    }
    if (o->json)
        puts("}");
    return rc;
}

/* ------------------------------------------------------------------ dispatch */
int hcsctl_network(const hcsctl_opts *o, const char *cmd, int argc, char **argv)
{
    const kind *k = find_kind(cmd);
    if (k)
        return cmd_family(o, k, argc, argv);
    if (strcmp(cmd, "attach") == 0)
        return cmd_attach(o, argc, argv);
    if (strcmp(cmd, "detach") == 0)
        return cmd_detach(o, argc, argv);
    if (strcmp(cmd, "cleanup") == 0)
        return cmd_cleanup(o, argc, argv);
    if (strcmp(cmd, "features") == 0)
        return cmd_features(o, argc, argv);
    return cmd_adapter(o, argc, argv);
}

/* SPDX-License-Identifier: MIT */
/* hns_adapter.c - zhns_adapter_*: the host's adapters, and the choice of the uplink a
 * transparent network bridges through (the rules are written in zhns/adapter.h). */
#include <stdlib.h>
#include <string.h>

#include "hns_internal.h"
#include "zh_str.h"

void zhns_adapters_free(zhns_adapter *list, size_t count)
{
    /* the same layout of owned strings as the host list the entries were taken from */
    for (size_t i = 0; list && i < count; i++) {
        free(list[i].name);
        free(list[i].description);
        free(list[i].mac);
        free(list[i].ipv4);
        free(list[i].gateway);
    }
    free(list);
}

/* The host's adapters as a public list; `svc` held by the caller. */
static int adapter_list(zhns_adapter **list, size_t *count, hns_service *svc, const char *fn, zh_error **err)
{
    zh_host_adapter *host = NULL;
    size_t n = 0;
    int rc = zh_svc_is_sim(svc->svc) ? zh_svc_sim_adapters(svc->svc, &host, &n, fn, err)
                                     : hns_host_adapters(&host, &n, fn, err);
    if (rc < 0)
        return -1;
    zhns_adapter *out = calloc(n ? n : 1, sizeof *out);
    if (!out) {
        zh_host_adapters_free(host, n);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    }
    for (size_t i = 0; i < n; i++) { /* the strings move over */
        out[i].name = host[i].name;
        out[i].description = host[i].description;
        out[i].mac = host[i].mac;
        out[i].up = host[i].up;
        out[i].loopback = host[i].loopback;
        out[i].tunnel = host[i].tunnel;
        out[i].ipv4 = host[i].ipv4;
        out[i].gateway = host[i].gateway;
        out[i].metric = host[i].metric;
    }
    free(host);
    *list = out;
    *count = n;
    return 0;
}

int zhns_adapter_list(zhns_adapter **list, size_t *count, zhns_service *svc, zhns_error **err)
{
    static const char fn[] = "zhns_adapter_list";
    if (!list || !count)
        return hns_bad_arg(err, fn, "%s is NULL", list ? "count" : "list");
    *list = NULL;
    *count = 0;
    HNS_SERVICE(s, svc, fn, err);
    int rc = adapter_list(list, count, s, fn, err);
    hns_service_unref(s);
    return rc;
}

static const char *str(const char *s)
{
    return s ? s : "";
}

/* Is `name` exactly the n bytes of `want`, ignoring ASCII case? */
static bool same_name(const char *name, const char *want, size_t n)
{
    if (strlen(name) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = name[i], b = want[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

/* Rule 4: the vNICs Hyper-V puts in front of a switch. */
static bool is_hyperv_vnic(const zhns_adapter *a)
{
    static const char prefix[] = "Hyper-V Virtual Ethernet";
    return strncmp(str(a->description), prefix, sizeof prefix - 1) == 0;
}

/* Why an adapter is no candidate (rules 1-3), or NULL when it is one. */
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

/* Is a better than b (rules 4 and 5; rule 6 by the order of the scan)? */
static bool better(const zhns_adapter *a, const zhns_adapter *b)
{
    bool va = is_hyperv_vnic(a), vb = is_hyperv_vnic(b);
    if (va != vb)
        return vb;
    return a->metric < b->metric;
}

int zhns_adapter_select(size_t *index, const zhns_adapter *list, size_t count, const char *override_name,
                        zhns_error **err)
{
    static const char fn[] = "zhns_adapter_select";
    if (!index)
        return hns_bad_arg(err, fn, "index is NULL");
    *index = 0;
    if (count && !list)
        return hns_bad_arg(err, fn, "count is %zu but the list is NULL", count);
    /* white space around the name is no part of it (a value pasted with a newline) */
    size_t olen = 0;
    while (override_name && (*override_name == ' ' || *override_name == '\t' || *override_name == '\r' ||
                             *override_name == '\n'))
        override_name++;
    if (override_name) {
        olen = strlen(override_name);
        while (olen && (override_name[olen - 1] == ' ' || override_name[olen - 1] == '\t' ||
                        override_name[olen - 1] == '\r' || override_name[olen - 1] == '\n'))
            olen--;
    }
    if (olen) {
        for (size_t i = 0; i < count; i++) {
            const char *nm = str(list[i].name);
            if (!same_name(nm, override_name, olen))
                continue;
            if (!list[i].up)
                return zh_error_set_cat(err, ZH_E_INVALID_STATE, ZH_CAT_INVALID_STATE, fn,
                                        "the uplink adapter \"%.*s\" (%s) is down", (int)(olen > 100 ? 100 : olen),
                                        override_name, ZHNS_UPLINK_ADAPTER_ENV);
            *index = i;
            return 0;
        }
        zh_buf names = ZH_BUF_INIT(2048);
        for (size_t i = 0; i < count; i++)
            zh_buf_printf(&names, "%s\"%s\"", i ? ", " : "", str(list[i].name));
        zh_error_set_cat(err, ZH_E_NOT_FOUND, ZH_CAT_NOT_FOUND, fn, "no adapter is named \"%.*s\" (%s); the adapters are: %s",
                         (int)(olen > 100 ? 100 : olen), override_name, ZHNS_UPLINK_ADAPTER_ENV,
                         names.data && count ? names.data : "none");
        zh_buf_free(&names);
        return -1;
    }
    size_t best = (size_t)-1;
    for (size_t i = 0; i < count; i++)
        if (!passed_over(&list[i]) && (best == (size_t)-1 || better(&list[i], &list[best])))
            best = i;
    if (best != (size_t)-1 && is_hyperv_vnic(&list[best])) {
        /* only vNICs qualify: the uplink is the physical adapter behind the winner, the one
         * with its MAC address; a vNIC itself is never an uplink */
        size_t vnic = best;
        best = (size_t)-1;
        for (size_t i = 0; i < count && best == (size_t)-1; i++)
            if (i != vnic && !is_hyperv_vnic(&list[i]) && !list[i].loopback && !list[i].tunnel && *str(list[i].mac) &&
                zh_strcasecmp_ascii(str(list[i].mac), str(list[vnic].mac)) == 0)
                best = i;
        if (best == (size_t)-1)
            return zh_error_set_cat(err, ZH_E_NOT_FOUND, ZH_CAT_NOT_FOUND, fn,
                                    "the only adapter with an IPv4 default gateway is the Hyper-V vNIC \"%s\" (MAC %s), "
                                    "and no physical adapter has its MAC address; a vNIC is never an uplink: name "
                                    "the physical adapter in %s",
                                    str(list[vnic].name), *str(list[vnic].mac) ? list[vnic].mac : "unknown",
                                    ZHNS_UPLINK_ADAPTER_ENV);
    }
    if (best != (size_t)-1) {
        *index = best;
        return 0;
    }
    zh_buf why = ZH_BUF_INIT(2048);
    for (size_t i = 0; i < count; i++)
        zh_buf_printf(&why, "%s\"%s\": %s", i ? "; " : "", str(list[i].name), passed_over(&list[i]));
    zh_error_set_cat(err, ZH_E_NOT_FOUND, ZH_CAT_NOT_FOUND, fn,
                     "no adapter is up with an IPv4 default gateway (%s); name one in %s",
                     why.data && count ? why.data : "there are no adapters", ZHNS_UPLINK_ADAPTER_ENV);
    zh_buf_free(&why);
    return -1;
}

int hns_adapter_find_primary(char **name, hns_service *svc, const char *override_name, const char *function,
                             zh_error **err)
{
    *name = NULL;
    if (!override_name)
        override_name = getenv(ZHNS_UPLINK_ADAPTER_ENV);
    if (!override_name)
        override_name = getenv(ZHNS_UPLINK_ENV); /* the older name */
    zhns_adapter *list = NULL;
    size_t count = 0, index = 0;
    if (adapter_list(&list, &count, svc, "zhns_adapter_list", err) < 0)
        return -1;
    int rc = zhns_adapter_select(&index, list, count, override_name, err);
    if (rc == 0 && !(*name = zh_strdup(str(list[index].name))))
        rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, function, "out of memory");
    zhns_adapters_free(list, count);
    return rc;
}

int zhns_adapter_find_primary(char **name, zhns_service *svc, const char *override_name, zhns_error **err)
{
    static const char fn[] = "zhns_adapter_find_primary";
    if (!name)
        return hns_bad_arg(err, fn, "name is NULL");
    *name = NULL;
    HNS_SERVICE(s, svc, fn, err);
    int rc = hns_adapter_find_primary(name, s, override_name, fn, err);
    hns_service_unref(s);
    return rc;
}

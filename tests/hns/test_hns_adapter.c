/* SPDX-License-Identifier: MIT */
/* test_hns_adapter.c - the uplink adapter: the selection rules on lists, the simulator's
 * list, the ZLAYER_HCN_UPLINK_ADAPTER override, and on Windows the real
 * GetAdaptersAddresses (under Wine it runs for real). */
#include <stdio.h>

#include "hns_test.h"

#ifdef _WIN32
#define SETENV(k, v) _putenv_s((k), (v))
#define UNSETENV(k) _putenv_s((k), "")
#else
int setenv(const char *name, const char *value, int overwrite);
int unsetenv(const char *name);
#define SETENV(k, v) setenv((k), (v), 1)
#define UNSETENV(k) unsetenv(k)
#endif

#define ADAPTER(name, desc, up, lo, tun, ip, gw, metric) {name, desc, "", up, lo, tun, ip, gw, metric}

static size_t pick(const zhns_adapter *list, size_t n, const char *override)
{
    size_t i = 99;
    zhns_error *err = NULL;
    if (zhns_adapter_select(&i, list, n, override, &err) < 0) {
        zhns_error_free(err);
        return 99;
    }
    return i;
}

static void the_rules(void)
{
    zhns_adapter l[] = {
        ADAPTER("Loopback", "Software Loopback Interface 1", true, true, false, "127.0.0.1/8", "127.0.0.1", 1),
        ADAPTER("Teredo", "Teredo Tunneling Pseudo-Interface", true, false, true, "10.9.9.9/32", "10.9.9.1", 1),
        ADAPTER("Down", "Intel NIC", false, false, false, "10.0.0.5/24", "10.0.0.1", 1),
        ADAPTER("NoGateway", "Intel NIC", true, false, false, "10.1.0.5/24", NULL, 1),
        ADAPTER("NoAddress", "Intel NIC", true, false, false, NULL, "10.2.0.1", 1),
        ADAPTER("vEthernet (ext)", "Hyper-V Virtual Ethernet Adapter #2", true, false, false, "192.168.1.10/24",
                "192.168.1.1", 5),
        ADAPTER("Ethernet 2", "Realtek NIC", true, false, false, "192.168.2.10/24", "192.168.2.1", 35),
        ADAPTER("Ethernet", "Intel NIC", true, false, false, "192.168.3.10/24", "192.168.3.1", 25),
        ADAPTER("Ethernet 3", "Intel NIC", true, false, false, "192.168.4.10/24", "192.168.4.1", 25),
    };
    size_t n = sizeof l / sizeof l[0];
    /* rules 1-3 exclude 0-4; rule 4 puts the vNIC last; rule 5 the lower metric; rule 6 the first of equals */
    ZT_EQ_INT(pick(l, n, NULL), 7);
    ZT_EQ_INT(pick(l, n, ""), 7);
    ZT_EQ_INT(pick(l, 7, NULL), 6);          /* without "Ethernet" */
    ZT_EQ_INT(pick(l, 6, NULL), 99);         /* only the vNIC is left, no adapter has its MAC: never a vNIC */
    ZT_EQ_INT(pick(l, 5, NULL), 99);         /* no candidate */
    /* the override: by name, any case, anything that is up */
    ZT_EQ_INT(pick(l, n, "ethernet 2"), 6);
    ZT_EQ_INT(pick(l, n, "Loopback"), 0);
    ZT_EQ_INT(pick(l, n, "NoGateway"), 3);
    zhns_error *err = NULL;
    size_t i;
    ZT_EQ_INT(zhns_adapter_select(&i, l, n, "Down", &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_STATE, "\"Down\" (ZHNS_UPLINK_ADAPTER) is down");
    ZT_EQ_INT(zhns_adapter_select(&i, l, n, "Wi-Fi", &err), -1);
    ZT_CONTAINS(zhns_error_message(err), "\"Ethernet 3\"");
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "no adapter is named \"Wi-Fi\"");
    ZT_EQ_INT(zhns_adapter_select(&i, l, 5, NULL, &err), -1);
    ZT_CONTAINS(zhns_error_message(err), "\"Teredo\": tunnel");
    ZT_CONTAINS(zhns_error_message(err), "\"NoGateway\": no IPv4 default gateway");
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "ZHNS_UPLINK_ADAPTER");
    ZT_EQ_INT(zhns_adapter_select(&i, NULL, 0, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "there are no adapters");
    ZT_EQ_INT(zhns_adapter_select(&i, NULL, 3, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "list is NULL");
    ZT_EQ_INT(zhns_adapter_select(NULL, l, n, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "index");
    /* entries with NULL strings are allowed in callers' lists */
    zhns_adapter bare[] = {ADAPTER(NULL, NULL, true, false, false, "10.0.0.2/8", "10.0.0.1", 1)};
    ZT_EQ_INT(pick(bare, 1, NULL), 0);
    ZT_EQ_STR(ZHNS_UPLINK_ENV, "ZLAYER_HCN_UPLINK_ADAPTER");
}

static void the_simulators_adapters(void)
{
    zhns_service *svc = ht_open(NULL);
    zhns_adapter *list = NULL;
    size_t n = 0;
    HT_OK(zhns_adapter_list(&list, &n, svc, HT_E));
    ZT_EQ_INT(n, 3);
    if (n == 3) {
        ZT_EQ_STR(list[0].name, "Ethernet");
        ZT_EQ_STR(list[0].gateway, "192.168.1.1");
        ZT_CHECK(list[1].loopback && !list[2].gateway);
    }
    zhns_adapters_free(list, n);
    zhns_adapters_free(NULL, 0);
    UNSETENV(ZHNS_UPLINK_ENV);
    char *name = NULL;
    HT_OK(zhns_adapter_find_primary(&name, svc, NULL, HT_E));
    ZT_EQ_STR(name, "Ethernet");
    zhns_string_free(name);
    /* the environment names another */
    ZT_EQ_INT(SETENV(ZHNS_UPLINK_ENV, "vEthernet (nat)"), 0);
    HT_OK(zhns_adapter_find_primary(&name, svc, NULL, HT_E));
    ZT_EQ_STR(name, "vEthernet (nat)");
    zhns_string_free(name);
    /* an explicit override wins over the environment; "" means none */
    HT_OK(zhns_adapter_find_primary(&name, svc, "", HT_E));
    ZT_EQ_STR(name, "Ethernet");
    zhns_string_free(name);
    ZT_EQ_INT(SETENV(ZHNS_UPLINK_ENV, "eth-missing"), 0);
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_adapter_find_primary(&name, svc, NULL, &err), -1);
    ZT_CHECK(name == NULL);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "eth-missing");
    UNSETENV(ZHNS_UPLINK_ENV);
    /* a host whose adapters the test sets */
    zh_sim_adapter mine[] = {
        {"Uplink", "NIC", "00-15-5D-AA-BB-CC", 1, 0, 0, "172.16.0.9/16", "172.16.0.1", 10},
        {"Backup", "NIC", "00-15-5D-AA-BB-CD", 1, 0, 0, "172.17.0.9/16", "172.17.0.1", 5},
    };
    ZT_EQ_INT(zh_sim_set_adapters(mine, 2), 0);
    HT_OK(zhns_adapter_find_primary(&name, svc, NULL, HT_E));
    ZT_EQ_STR(name, "Backup");
    zhns_string_free(name);
    HT_OK(zhns_adapter_list(&list, &n, svc, HT_E));
    ZT_REQUIRE(n == 2);
    ZT_EQ_STR(list[0].mac, "00-15-5D-AA-BB-CC");
    ZT_EQ_STR(list[0].ipv4, "172.16.0.9/16");
    ZT_EQ_INT(list[1].metric, 5);
    zhns_adapters_free(list, n);
    ZT_EQ_INT(zhns_adapter_list(NULL, &n, svc, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "list");
    ZT_EQ_INT(zhns_adapter_find_primary(NULL, svc, NULL, &err), -1);
    HT_ERR(err, ZHNS_ERROR_INVALID_ARGUMENT, "name");
    zhns_service_close(svc);
}

/* "local": GetAdaptersAddresses on Windows (for real under Wine); elsewhere no local host. */
static void the_hosts_adapters(void)
{
#ifdef _WIN32
    zhns_service *svc = NULL;
    HT_OK(zhns_service_open(&svc, "local", HT_E));
    ZT_REQUIRE(svc);
    zhns_adapter *list = NULL;
    size_t n = 0;
    HT_OK(zhns_adapter_list(&list, &n, svc, HT_E));
    for (size_t i = 0; i < n; i++) {
        ZT_CHECK(list[i].name && list[i].description && list[i].mac);
        printf("  adapter \"%s\" up=%d loopback=%d ipv4=%s gateway=%s metric=%u\n", list[i].name, list[i].up,
               list[i].loopback, list[i].ipv4 ? list[i].ipv4 : "-", list[i].gateway ? list[i].gateway : "-",
               (unsigned)list[i].metric);
    }
    zhns_adapters_free(list, n);
    zhns_error *err = NULL;
    char *name = NULL;
    ZT_EQ_INT(zhns_adapter_find_primary(&name, svc, "zhns-no-such-adapter", &err), -1);
    HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "no adapter is named \"zhns-no-such-adapter\"");
    /* without an override: a name, or the rules' clear NOT_FOUND on a host without a gateway */
    if (zhns_adapter_find_primary(&name, svc, "", &err) == 0) {
        ZT_CHECK(name && *name);
        zhns_string_free(name);
    } else {
        HT_ERR(err, ZHNS_ERROR_NOT_FOUND, "ZHNS_UPLINK_ADAPTER");
    }
    zhns_service_close(svc);
#else
    ZT_CHECK(1); /* no local service off Windows: zhns_service_open("local") is UNSUPPORTED */
    zhns_service *svc = NULL;
    zhns_error *err = NULL;
    ZT_EQ_INT(zhns_service_open(&svc, "local", &err), -1);
    HT_ERR(err, ZHNS_ERROR_UNSUPPORTED, NULL);
#endif
}

static const zt_case cases[] = {
    ZT_CASE(the_rules),
    ZT_CASE(the_simulators_adapters),
    ZT_CASE(the_hosts_adapters),
};
HT_MAIN(cases)

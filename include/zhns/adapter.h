/* SPDX-License-Identifier: MIT */
/* zhns/adapter.h - the host's network adapters, and the choice of the uplink a transparent
 * network bridges through.
 *
 * Where the list comes from follows the service: for "local" it is the host's own
 * (GetAdaptersAddresses, Windows only), for "sim:" services the simulator's list (which
 * tests set with zh_sim_set_adapters).
 *
 * How zhns_adapter_select (and so zhns_adapter_find_primary) chooses:
 *
 *   With an override (the argument, else the ZHNS_UPLINK_ADAPTER environment variable, else
 *   the older ZLAYER_HCN_UPLINK_ADAPTER; white space around the name is ignored, and an
 *   override that is empty or only white space is none):
 *     1. the adapter whose name equals the override, ignoring ASCII case; none is a
 *        NOT_FOUND error that names the override and lists the adapters there are;
 *     2. it must be up: a down adapter is an INVALID_STATE error. Nothing else is checked -
 *        naming an adapter is the way to pick one the rules below would pass over.
 *   Without one, the candidates are the adapters that are
 *     1. up,
 *     2. neither loopback nor tunnel,
 *     3. with an IPv4 address and an IPv4 default gateway;
 *   and among them wins
 *     4. a physical adapter over a Hyper-V virtual one ("vEthernet (...)", whose description
 *        begins "Hyper-V Virtual Ethernet"): a transparent network turns its uplink's
 *        addresses into such a vNIC, which must never be chosen as an uplink in turn. When
 *        only vNICs are candidates, the winner among them is mapped to the physical adapter
 *        with the same MAC address (the one its switch is bound to, which has lost its
 *        addresses to the vNIC); without one the choice fails (NOT_FOUND, naming the vNIC),
 *     5. then the lowest route metric,
 *     6. then the earlier adapter in the list.
 *   No candidate is a NOT_FOUND error that says why each adapter was passed over and
 *   names ZHNS_UPLINK_ADAPTER.
 */
#ifndef ZHNS_ADAPTER_H
#define ZHNS_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zhns/error.h>
#include <zhns/export.h>
#include <zhns/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The environment variable that names the uplink adapter, and the older name still honoured
 * when it is not set (the seed's ZLAYER_UPLINK_ENV). */
#define ZHNS_UPLINK_ADAPTER_ENV "ZHNS_UPLINK_ADAPTER"
#define ZHNS_UPLINK_ENV "ZLAYER_HCN_UPLINK_ADAPTER"

/* A network adapter. In lists the library hands back every string is owned by the list;
 * name, description and mac are never NULL there (mac may be ""), ipv4 and gateway are
 * NULL when the adapter has none. Callers may build their own lists for
 * zhns_adapter_select, where NULL strings are allowed. */
typedef struct zhns_adapter {
    char *name;          /* friendly name: "Ethernet" */
    char *description;   /* "Intel(R) Ethernet Connection I219-LM" */
    char *mac;           /* "00-15-5D-01-02-03" */
    bool up;             /* operational status up */
    bool loopback;
    bool tunnel;
    char *ipv4;          /* first IPv4 address with its prefix: "192.168.1.10/24" */
    char *gateway;       /* IPv4 default gateway: "192.168.1.1" */
    uint32_t metric;     /* IPv4 interface metric; lower is preferred */
} zhns_adapter;

/* The adapters of the service's host (see the top of this file). *list (free with
 * zhns_adapters_free) receives *count entries. UNSUPPORTED for "local" off Windows. */
ZHNS_API int zhns_adapter_list(zhns_adapter **list, size_t *count, zhns_service *svc, zhns_error **err);
ZHNS_API void zhns_adapters_free(zhns_adapter *list, size_t count);

/* The pure choice over a list, by the rules at the top of this file: *index receives the
 * chosen entry's position. `override_name` NULL or "" means no override (this function
 * never reads the environment). Touches nothing but its arguments. */
ZHNS_API int zhns_adapter_select(size_t *index, const zhns_adapter *list, size_t count, const char *override_name,
                                 zhns_error **err);

/* The uplink for a transparent network: zhns_adapter_list, then zhns_adapter_select with
 * `override_name`, or - when it is NULL - the value of ZLAYER_HCN_UPLINK_ADAPTER (unset or
 * empty: no override). *name (free with zhns_string_free) receives the adapter's name. */
ZHNS_API int zhns_adapter_find_primary(char **name, zhns_service *svc, const char *override_name, zhns_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHNS_ADAPTER_H */

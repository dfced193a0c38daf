/* SPDX-License-Identifier: MIT */
/* zhsim/zhsim.h - the simulator's public test controls: fault injection, latency, operation
 * delays, call counters, stopping the service, the host's network adapters, the HNS version.
 *
 * For tests of a program's own runtime: open a zhcs or zhns service on "sim:" (or
 * "sim:PATH"), set the controls here, and watch the program meet the failure - an HRESULT
 * from a given raw call, a slow service, a service that goes away. The controls act on the
 * process's one simulator (the one "sim:" services use) and are process-wide.
 *
 * Where they come from:
 *   - static libraries: libzhcs.a and libzhns.a contain the simulator and these functions;
 *   - shared libraries: libzhsim (libzhsim.so.0.1 / zhsim.dll), the simulator the shared
 *     libraries load; link it (zhsim::zhsim, pkg-config zhsim) to call these;
 *   - the Windows simulator DLLs (computecore.dll / computenetwork.dll of the Windows build,
 *     run under Wine): computenetwork.dll exports them under the same names, for
 *     GetProcAddress or its import library.
 * Entry-point names are Microsoft's ("HcsCreateComputeSystem", "HcnCreateEndpoint", ...).
 * Never needed by production code. See docs/simulator.md.
 */
#ifndef ZHSIM_ZHSIM_H
#define ZHSIM_ZHSIM_H

#include <stddef.h>
#include <stdint.h>

#if defined(ZHSIM_STATIC)
#define ZHSIM_API
#elif defined(_WIN32)
#if defined(ZHSIM_BUILDING)
#define ZHSIM_API __declspec(dllexport)
#else
#define ZHSIM_API
#endif
#elif defined(__GNUC__)
#define ZHSIM_API __attribute__((visibility("default")))
#else
#define ZHSIM_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this interface; a new control raises the minor. */
#define ZHSIM_API_VERSION_MAJOR 1
#define ZHSIM_API_VERSION_MINOR 1

/* The library's ZHSIM_API_VERSION_MAJOR * 1000 + ZHSIM_API_VERSION_MINOR, to check at run
 * time that the simulator loaded is the one this header describes. */
ZHSIM_API unsigned zhsim_api_version(void);

/* ---- fault injection ---- */

/* Makes calls of `entry` (NULL: any entry point) fail with the HRESULT `hr`: nth = 0 every
 * call from now, nth = N only the Nth call from now. An injected failure returns `hr`
 * without touching out-parameters (no ErrorRecord). 0, or -1 for an unknown entry name. */
ZHSIM_API int zhsim_fault(const char *entry, unsigned nth, int32_t hr);
/* Removes every injected fault. */
ZHSIM_API void zhsim_fault_clear(void);

/* ---- timing ---- */

/* Adds `ms` milliseconds to every call of `entry` (NULL: all; 0 removes). 0, or -1 for an
 * unknown entry name. */
ZHSIM_API int zhsim_latency(const char *entry, uint32_t ms);
/* HCS operations started by `entry` (e.g. "HcsShutDownComputeSystem"; NULL: all) complete
 * `ms` after the call accepted them instead of at once. 0, or -1 for an unknown entry or
 * when no simulator is open. */
ZHSIM_API int zhsim_op_delay(const char *entry, uint32_t ms);

/* ---- call counters ---- */

/* Calls of `entry` since the last reset (NULL: of every entry point); 0 for an unknown name. */
ZHSIM_API uint64_t zhsim_calls(const char *entry);
ZHSIM_API void zhsim_calls_reset(void);

/* ---- the service ---- */

/* Stops the simulated services, as when vmcompute / hns stop: HCN service callbacks get
 * ServiceDisconnect, HCS event callbacks HcsEventServiceDisconnect, pending operations fail
 * with HCS_E_SERVICE_DISCONNECT, and every later call fails with RPC_S_SERVER_UNAVAILABLE
 * (0x800706BA) except the calls that release what a caller holds. Lasts until the last
 * "sim:" service of the process is closed. */
ZHSIM_API void zhsim_stop_service(void);

/* For a test of what a caller does when a service write fails: the next `n` writes of the
 * sim:PATH service's state fail (the calls fail with ERROR_DISK_FULL and change nothing).
 * 0, or -1 when this process is not a client of a sim:PATH service (POSIX only). */
ZHSIM_API int zhsim_fail_writes(uint32_t n);

/* A restart, as of vmcompute / hns: zhsim_stop_service(), then close every service of the
 * process and open them again. With "sim:PATH" a new service process starts: compute
 * systems died with the old one, persistent HCN objects are back, non-persistent ones are
 * gone. With "sim:" the private world is gone with the last close. */

/* ---- latitudes: where the HCS/HCN contract leaves a freedom, both behaviours ----
 * Value 0 of each is the default, the less kind side; docs/simulator.md's table gives the
 * evidence for each. Latitudes are process-wide and survive closing and opening. */
typedef enum zhsim_latitude {
    ZHSIM_LAT_CANCEL = 0,           /* 0: HcsCancelOperation is E_NOTIMPL; 1: it cancels */
    ZHSIM_LAT_CLOSE_WAITS,          /* 0: a callback may run after close returned; 1: close waits */
    ZHSIM_LAT_ABANDONED_CREATE,     /* 0: a create whose last handle closed goes on; 1: aborted */
    ZHSIM_LAT_STOPPED_PROCESSES,    /* 0: processes of a stopped system stay silent; 1: ProcessExited */
    ZHSIM_LAT_CALLBACKS,            /* 0: callbacks on a pool, any order; 1: one serialised worker */
    ZHSIM_LAT_WS2022_CREATE_PROCESS, /* 1: HcsCreateProcess fails E_INVALIDARG with a valid handle */
    ZHSIM_LAT_EARLY_EXIT,           /* 1: short processes exit before callbacks are registered;
                                       2: a late registration still gets the exit */
    ZHSIM_LAT_OVERLAPPED_STDIO,     /* Windows: 0: stdio host ends opened for overlapped I/O; 1: synchronous */
    ZHSIM_LAT_COUNT
} zhsim_latitude;

/* Sets an HCS latitude; the previous value, or -1 for an unknown latitude or value. */
ZHSIM_API int zhsim_latitude_set(zhsim_latitude which, int value);
/* The current value (-1 for an unknown latitude) and its name ("cancel", ...; NULL). */
ZHSIM_API int zhsim_latitude_get(zhsim_latitude which);
ZHSIM_API const char *zhsim_latitude_name(zhsim_latitude which);
/* Every HCS latitude back to 0, no callback delays. */
ZHSIM_API void zhsim_latitude_defaults(void);
/* Seed 0: the defaults. Any other seed picks a random value of every HCS latitude and a
 * random delay of 0-3 ms before each callback, printed on stderr so that a failure can be
 * replayed; the environment variable ZH_SIM_SEED does the same at the first open. Returns
 * the seed in effect. */
ZHSIM_API uint64_t zhsim_seed(uint64_t seed);

/* HCN latitudes, as flags (0 by default, each off). */
#define ZHSIM_HCN_NOTIFY_POOL 0x1u  /* notifications concurrently on a pool; unregister does not wait */
#define ZHSIM_HCN_FILTER_LOOSE 0x2u /* enumeration ignores filter keys HNS does not know (Owner...) */
#define ZHSIM_HCN_DROP_OWNER 0x4u   /* created documents lose their Owner member */
#define ZHSIM_HCN_FILTER_STRICT 0x10u /* filter keys HNS does not know match nothing (Owner...) */
#define ZHSIM_HCN_IDS_UPPER 0x8u    /* ids printed in upper case */
/* Sets the HCN latitudes in effect; returns the previous set. */
ZHSIM_API unsigned zhsim_hcn_latitudes(unsigned flags);
/* The set of HCN latitudes a seed picks (the same seed, the same set); not applied. */
ZHSIM_API unsigned zhsim_hcn_seed_latitudes(uint64_t seed);

/* The Nth call from now (0: every call) of an HCN create entry ("HcnCreateEndpoint", ...)
 * makes its object, then answers S_OK with an ErrorRecord (mode 1) or S_OK without a
 * handle (mode 2): what a caller must clean up after. Mode 0 turns it off. 0, or -1 for
 * another entry or when no simulator is open. */
ZHSIM_API int zhsim_fault_made(const char *entry, unsigned nth, int mode);

/* With `on` (the default), a container without Storage (or without Storage.Layers) is
 * refused with E_INVALIDARG, as on Windows; off accepts it. Until this is called, the
 * environment variable ZH_SIM_REQUIRE_STORAGE=0 turns it off (a sim:PATH service inherits
 * it from the client that started it). Storage.Layers, when given, is always checked. 0. */
ZHSIM_API int zhsim_require_storage(int on);

/* ---- host facts ---- */

/* A host network adapter, as zhns's adapter helper sees it on the simulator. */
typedef struct zhsim_adapter {
    const char *name;        /* friendly name: "Ethernet" */
    const char *description; /* "Intel(R) Ethernet Connection" */
    const char *mac;         /* "00-15-5D-01-02-03" */
    int up;                  /* operational status: 1 up */
    int loopback;
    int tunnel;
    const char *ipv4;        /* "192.168.1.10/24", or NULL */
    const char *gateway;     /* IPv4 default gateway, or NULL */
    uint32_t metric;         /* route metric of the default route */
} zhsim_adapter;

/* Replaces the adapter list (copied). n = 0 with list NULL restores the default: "Ethernet"
 * (up, 192.168.1.10/24 via 192.168.1.1, metric 25), a loopback and "vEthernet (nat)"
 * without a gateway. 0, or -1 when no simulator is open or list is NULL with n > 0. */
ZHSIM_API int zhsim_set_adapters(const zhsim_adapter *list, size_t n);
/* A copy of the adapter list (free with zhsim_adapters_free), or NULL with *n = 0. */
ZHSIM_API zhsim_adapter *zhsim_get_adapters(size_t *n);
ZHSIM_API void zhsim_adapters_free(zhsim_adapter *list, size_t n);

/* The HNS version the host reports (vmcompute.dll's HNSCall "GET /globals/version"), 15.4
 * by default; major 0 makes the query fail, as on hosts older than Windows 10 1803.
 * 0, or -1 when no simulator is open. */
ZHSIM_API int zhsim_set_hns_version(uint32_t major, uint32_t minor);

#ifdef __cplusplus
}
#endif
#endif /* ZHSIM_ZHSIM_H */

/* SPDX-License-Identifier: MIT */
/* zh_sim.h - the HCS/HCN simulator's controls: start and stop the simulated services, get
 * their raw entry-point tables, and the test controls (fault injection, latency, call
 * counters, stopping the service). Never needed by production code: programs reach the
 * simulator through the "sim:" and "sim:PATH" service URIs.
 *
 * Like the real services, the simulator is one per process: zh_sim_open() starts it (or
 * adds a reference to the one running) and zh_sim_close() drops the reference; the last
 * close frees everything. See docs/simulator.md.
 */
#ifndef ZH_SIM_H
#define ZH_SIM_H

#include <stdint.h>

#include "zh_error.h"
#include "zh_raw.h"

#ifdef __cplusplus
extern "C" {
#endif

/* state_dir NULL: private, in-process state ("sim:"). Opening while a simulator with other
 * state runs is an invalid-state error. */
int zh_sim_open(const char *state_dir, zh_error **err);
void zh_sim_close(void);

/* The raw tables (valid while open) and the free function for the strings they return. */
const zh_hcs_table *zh_sim_hcs_table(void);
const zh_hcn_table *zh_sim_hcn_table(void);
void zh_sim_free_string(zh_wchar *s);

/* Convenience: zh_raw_lib backends over the tables ("table:sim"). */
zh_raw_lib *zh_sim_hcs_lib(zh_error **err);
zh_raw_lib *zh_sim_hcn_lib(zh_error **err);

/* The simulated computestorage.dll (container layers, sim/sim_storage.c) and its lib. */
const zh_hcst_table *zh_sim_storage_table(void);
zh_raw_lib *zh_sim_storage_lib(zh_error **err);

/* ---- test controls ---- */

/* Makes calls of `entry` ("HcnCreateEndpoint"; NULL: any entry point) fail with `hr`:
 * nth = 0 every call, nth = N only the Nth call from now. An injected failure returns the
 * HRESULT without touching out-parameters (no ErrorRecord). -1 for an unknown entry. */
int zh_sim_fault(const char *entry, unsigned nth, int32_t hr);
void zh_sim_fault_clear(void);
/* The Nth call from now (nth = 0: every call) of an HCN create entry ("HcnCreateEndpoint",
 * "HcnCreateNetwork", "HcnCreateNamespace", "HcnCreateLoadBalancer", "HcnCreateSdnRoute")
 * makes its object and then answers S_OK with an ErrorRecord and the handle (mode 1), or
 * S_OK without a handle (mode 2); mode 0 turns it off. -1 for another entry or when the
 * simulator is not open. */
int zh_sim_fault_made(const char *entry, unsigned nth, int mode);

/* Adds `ms` of latency to every call of `entry` (NULL: all). -1 for an unknown entry. */
int zh_sim_latency(const char *entry, uint32_t ms);

/* HCS operations started by `entry` (e.g. "HcsShutDownComputeSystem"; NULL: all) complete
 * `ms` after the call accepted them, instead of at once: for timeouts, cancellation and
 * escalation tests. -1 for an unknown entry or when the simulator is not open. */
int zh_sim_op_delay(const char *entry, uint32_t ms);

/* Latitudes: where Microsoft's HCS contract leaves a freedom, the simulator implements
 * each allowed behaviour and these controls pick one (docs/simulator.md, "Latitudes").
 * Value 0 is the default, the least kind behaviour the evidence allows. The choice is
 * process-wide and survives zh_sim_close/zh_sim_open. */
typedef enum zh_sim_lat {
    /* 0: HcsCancelOperation returns E_NOTIMPL, as documented; 1: it cancels work not yet
     * applied (the operation completes with ERROR_CANCELLED) */
    ZH_SIM_LAT_CANCEL = 0,
    /* 0: a callback already on its way may still run after HcsCloseOperation /
     * HcsCloseComputeSystem / HcsCloseProcess returned; 1: close waits for it */
    ZH_SIM_LAT_CLOSE_WAITS,
    /* 0: a create whose last handle is closed before it completed goes on (the system
     * appears, owned by nobody); 1: the create is aborted */
    ZH_SIM_LAT_ABANDONED_CREATE,
    /* 0: processes of a stopped system send no ProcessExited and their handles answer
     * E_HANDLE; 1: each sends ProcessExited */
    ZH_SIM_LAT_STOPPED_PROCESSES,
    /* 0: callbacks run concurrently on a pool of threads, in any order across handles
     * (an event may arrive before the completion of the operation that caused it);
     * 1: serialised on one worker thread, in order */
    ZH_SIM_LAT_CALLBACKS,
    /* 0: HcsCreateProcess completes normally; 1: the Windows Server 2022 quirk - the
     * operation fails with E_INVALIDARG although the process runs and its handle is valid
     * (HcsGetProcessInfo gives its pid and stdio) */
    ZH_SIM_LAT_WS2022_CREATE_PROCESS,
    /* 0: ProcessExited goes to the callbacks registered when the process exits; 1: a short
     * process has exited before HcsCreateProcess returns, so a callback registered after it
     * never hears of it; 2: a callback registered after the exit still gets ProcessExited */
    ZH_SIM_LAT_EARLY_EXIT,
    /* Windows build: whether the host ends of stdio are opened for overlapped I/O, as
     * hcsshim treats HCS's. 0: the host ends are named pipes opened for overlapped I/O
     * (a plain ReadFile without an OVERLAPPED is wrong on them); 1: synchronous anonymous
     * pipes. No effect off Windows. */
    ZH_SIM_LAT_OVERLAPPED_STDIO,
    ZH_SIM_LAT_COUNT
} zh_sim_lat;

/* Sets a latitude; returns the previous value, or -1 for an unknown latitude or value. */
int zh_sim_latitude(zh_sim_lat which, int value);
/* The current value (-1 for an unknown latitude), its name ("cancel", ...). */
int zh_sim_latitude_get(zh_sim_lat which);
const char *zh_sim_latitude_name(zh_sim_lat which);
/* Every latitude back to 0, no callback delays. */
void zh_sim_latitude_defaults(void);

/* Seed 0: the defaults (zh_sim_latitude_defaults). Any other seed picks a random value of
 * every latitude and adds a random delay of 0-3 ms before every callback; the choice is
 * printed on stderr ("zh_sim: seed N: cancel=1 close_waits=0 ...") so that a failure can be
 * reproduced. zh_sim_open() applies the environment variable ZH_SIM_SEED (decimal) once per
 * process, the first time the simulator opens. Returns the seed. */
uint64_t zh_sim_seed(uint64_t seed);

/* Calls of `entry` since the last reset (NULL: all entry points). */
uint64_t zh_sim_calls(const char *entry);
void zh_sim_calls_reset(void);

/* The host's network adapters, as the network-adapter helper sees them off Windows
 * (GetAdaptersAddresses on Windows). */
typedef struct zh_sim_adapter {
    const char *name;         /* friendly name: "Ethernet" */
    const char *description;  /* "Intel(R) Ethernet Connection" */
    const char *mac;          /* "00-15-5D-01-02-03" */
    int up;                   /* operational status */
    int loopback;
    int tunnel;
    const char *ipv4;         /* "192.168.1.10/24", or NULL */
    const char *gateway;      /* IPv4 default gateway, or NULL */
    uint32_t metric;          /* route metric of the default route */
} zh_sim_adapter;

/* Replaces the simulator's adapter list (copied). n = 0 with list NULL restores the default
 * list: "Ethernet" (up, 192.168.1.10/24 via 192.168.1.1, metric 25), a loopback and an
 * internal "vEthernet (nat)" without a gateway. 0, or -1 when not open. */
int zh_sim_set_adapters(const zh_sim_adapter *list, size_t n);

/* A copy of the adapter list (free with zh_sim_adapters_free), or NULL with *n = 0. */
zh_sim_adapter *zh_sim_get_adapters(size_t *n);
void zh_sim_adapters_free(zh_sim_adapter *list, size_t n);

/* vmcompute.dll's HNSCall(method, path, request, &response), the one place Windows reports
 * the HNS version, as far as that goes: "GET" of "/globals/version" answers
 * {"Success":true,"Error":"","Output":{"Major":M,"Minor":m}}; any other request, or a
 * version with major 0, answers {"Success":false,"Error":"..."} (as hosts older than
 * Windows 10 1803 do). The response is freed with zh_sim_free_string. Not a table entry:
 * zh_sim_calls and zh_sim_fault do not see it. RPC_S_SERVER_UNAVAILABLE when not open or
 * stopped, E_POINTER without a response pointer. */
zh_hresult ZH_WINAPI zh_sim_hnscall(const zh_wchar *method, const zh_wchar *path, const zh_wchar *request,
                          zh_wchar **response);

/* The HNS version zh_sim_hnscall reports: 15.4 by default (a guess at a current host);
 * major 0 makes the query fail. 0, or -1 when not open. */
int zh_sim_set_hns_version(uint32_t major, uint32_t minor);

/* With `on` (the default, as Windows), HcsCreateComputeSystem refuses a container without
 * Storage, or whose Storage has no Layers, with E_INVALIDARG; off accepts those, for
 * configurations that are about something else. Until this is called, the environment
 * variable ZH_SIM_REQUIRE_STORAGE=0 turns it off (read at the first check; a sim:PATH
 * service inherits it from the client that started it). Storage.Layers, when given, is
 * always checked (absolute paths, layers exist, their chain fits, the scratch Path was
 * prepared for them). 0. */
int zh_sim_require_storage(int on);

/* ---- HCN latitudes ----
 * Freedoms Microsoft's HNS takes (or may take: nothing promises otherwise) that callers must
 * survive; each off by default. docs/simulator.md lists them with their evidence. */
#define ZH_SIM_HCN_NOTIFY_POOL 0x1u     /* notifications on a pool of threads, concurrently;
                                           HcnUnregisterServiceCallback does not wait for a
                                           callback in flight */
#define ZH_SIM_HCN_FILTER_LOOSE 0x2u    /* enumeration filters on keys HNS does not know (any but
                                           ID, Name, Type, HostComputeNetwork/VirtualNetwork,
                                           HostComputeNamespace/Namespace) are ignored: an
                                           Owner filter lists every object */
#define ZH_SIM_HCN_DROP_OWNER 0x4u      /* created documents do not keep their Owner member */
#define ZH_SIM_HCN_IDS_UPPER 0x8u       /* ids printed in upper case */
#define ZH_SIM_HCN_FILTER_STRICT 0x10u  /* a filter on a key HNS does not know (as above) matches
                                           nothing: an Owner filter finds nothing although
                                           documents keep Owner (FILTER_LOOSE wins over it) */
#define ZH_SIM_HCN_LATITUDES_ALL 0x1Fu
/* Sets the HCN latitudes in effect (a combination of the flags; 0: none). Returns the
 * previous set. Works whether or not the simulator is open. */
unsigned zh_sim_hcn_latitudes(unsigned flags);
/* The set of HCN latitudes a seed picks (the same seed, the same set). When the environment
 * variable ZH_SIM_SEED holds a number (decimal or 0x hex), the first HCN call of the process
 * applies the set that seed picks (the test programs print it; the simulator prints
 * nothing, since a program's output is its own). */
unsigned zh_sim_hcn_seed_latitudes(uint64_t seed);

/* Stops the simulated services: registered HCN service callbacks receive
 * ServiceDisconnect, and every later call fails with RPC_S_SERVER_UNAVAILABLE, except the
 * Close / Unregister calls that release what callers hold. */
void zh_sim_stop_service(void);

/* ---- the simulator as one table ----
 * What src/svc needs to start the simulator and reach it, as one versioned table: linked in
 * directly (the static libraries), or exported by the simulator plug-in (libzhsim.so,
 * zhsim.dll) that the shared libraries load, so that zhcs and zhns share one simulator. */
#define ZH_SIM_API_VERSION 1u
typedef struct zh_sim_api {
    unsigned version;
    int (*open)(const char *state_dir, zh_error **err);
    void (*close)(void);
    const zh_hcs_table *(*hcs_table)(void);
    const zh_hcn_table *(*hcn_table)(void);
    void (*free_string)(zh_wchar *s);
    zh_sim_adapter *(*get_adapters)(size_t *n);
    void (*adapters_free)(zh_sim_adapter *list, size_t n);
    zh_hresult(ZH_WINAPI *hnscall)(const zh_wchar *method, const zh_wchar *path, const zh_wchar *request,
                                   zh_wchar **response);
    const zh_hcst_table *(*storage_table)(void); /* computestorage.dll */
} zh_sim_api;

const zh_sim_api *zh_sim_api_table(void);

/* The plug-in's one export (sim/sim_plugin.c). */
#define ZH_SIM_PLUGIN_ENTRY "zh_sim_plugin_api"
typedef const zh_sim_api *(*zh_sim_plugin_api_fn)(void);

#ifdef __cplusplus
}
#endif
#endif /* ZH_SIM_H */

/* SPDX-License-Identifier: MIT */
/* sim.h - the simulator's internals shared by its files: the world (all simulated state),
 * its lock, handles, strings across the UTF-16 boundary, and HCN ErrorRecords. */
#ifndef SIM_H
#define SIM_H

#include <stdarg.h>
#include <stdbool.h>

#include "zh_compat.h"
#include "zh_guid.h"
#include "zh_raw.h"
#include "zh_sim.h"
#include "zh_thread.h"

/* Kinds of HCN objects. */
typedef enum sim_kind {
    SIM_NETWORK = 0,
    SIM_ENDPOINT,
    SIM_NAMESPACE,
    SIM_LOADBALANCER,
    SIM_ROUTE,
    SIM_KIND_COUNT
} sim_kind;

/* An HCN object: its id and its document (the canonical JSON the service answers with). */
typedef struct sim_obj {
    sim_kind kind;
    zh_guid id;
    char *json;
    struct sim_obj *next;
    struct sim_obj *prev;    /* kept by sim_hcn.c's index (rebuilt after a state load) */
    /* sim_hcn.c's index by Owner: the objects of one (kind, Owner), in creation order */
    struct sim_obj *owner_next, *owner_prev;
    uint64_t owner_h;        /* the hash of its Owner (ASCII case folded) */
    bool owner_in;           /* in that index */
} sim_obj;

/* A handle handed out by HcnOpen/Create (HCN) - registered so a stale or foreign handle is
 * an error, not a crash. */
typedef struct sim_handle {
    uint32_t magic;
    sim_kind kind;
    zh_guid id;
    struct sim_handle *next;
} sim_handle;

/* A registration of HcnRegisterServiceCallback. */
typedef struct sim_callback {
    uint32_t magic;
    zh_hcn_notification_callback fn;
    void *ctx;
    int removed;
    struct sim_callback *next;
} sim_callback;

/* A notification waiting for the dispatcher thread. */
typedef struct sim_note {
    zh_dword type;
    char *data;
    sim_callback *only; /* NULL: every registration */
    struct sim_note *next;
} sim_note;

typedef struct sim_world {
    zh_mutex lock;          /* guards everything below */
    int refs;
    char *state_dir;
    bool stopped;

    sim_obj *objs[SIM_KIND_COUNT];
    sim_handle *handles;     /* unused: HCN handles live in hcn_index */
    struct sim_hcn_index *hcn_index; /* sim_hcn.c: objects, handles and addresses by key */
    uint32_t next_namespace_id;
    uint32_t next_mac;
    uint32_t next_nat_subnet;

    /* service notifications */
    sim_callback *callbacks;
    sim_note *notes, **notes_tail;
    zh_cond notes_cond;      /* wakes the dispatcher */
    zh_cond idle_cond;       /* signalled when a callback invocation ends */
    zh_thread *dispatcher;
    uint64_t dispatcher_id;
    sim_callback *running;   /* the registration whose callback runs now */
    bool dispatcher_quit;

    struct hcs_state *hcs;   /* the HCS half (sim_hcs.c) */

    /* the host's adapters (zh_sim_set_adapters); NULL: the default list */
    zh_sim_adapter *adapters;
    size_t adapter_count;

    /* the HNS version zh_sim_hnscall reports (zh_sim_set_hns_version); major 0: none */
    uint32_t hns_major, hns_minor;

    /* "sim:PATH": this process is a client of the simulator service of PATH
     * (sim_client.c); the world holds no state of its own */
    bool client;

    bool dirty;              /* an HCN object changed during this call */
} sim_world;

/* The one world of this process; NULL when the simulator is not open. Lock w->lock. */
sim_world *sim_world_get(void);

/* Strings handed to callers are allocated here and freed with zh_sim_free_string(). */
zh_wchar *sim_wstr(const char *utf8);
char *sim_utf8(const zh_wchar *w, int *bad); /* NULL input -> NULL, *bad = 0; invalid -> NULL, *bad = 1 */

/* HCN: sets *record to an ErrorRecord (when record is not NULL) and returns hr. */
zh_hresult sim_hcn_fail(zh_wchar **record, int32_t hr, const char *fmt, ...) ZH_PRINTF(3, 4);

/* Queues a notification for every registration (w->lock held). `data` is copied. */
void sim_notify(sim_world *w, zh_dword type, const char *data);

/* The HCN latitudes in effect (zh_sim_hcn_latitudes; ZH_SIM_SEED applied on first use). */
unsigned sim_hcn_latitudes(void);
/* The latitudes a control set in this process (not ZH_SIM_SEED's): 1 and the values when
 * one did. A client of a sim:PATH service sends them to it (sim_push_latitudes), so that the
 * behaviour a test chose is the service's: latitudes are service-wide there. */
int sim_hcn_latitudes_explicit(unsigned *flags);
int sim_hcs_latitudes_explicit(int values[]);
void sim_hcs_latitudes_from_env(void);
void sim_push_latitudes(void);

/* A v1 network document (Subnets, MacPools: hcsshim's HNSNetwork) as the v2 one HcnCreateNetwork
 * stores (sim_hnsv1.c); NULL when `json` is no v1 document. */
char *sim_hnsv1_network_doc(const char *json);

/* Frees the HCN state of a world (w->lock held, at the last close). */
void sim_hcn_free_world(sim_world *w);

/* sim:PATH service: puts an object read back from the state database into the world
 * (w->lock held; sim_db.c). 0 or -1. */
int sim_hcn_load_object(sim_world *w, int kind, const zh_guid *id, const char *json);

/* The simulated entry points, sim_<Name>, with Microsoft's prototypes; sim_core.c wraps
 * each in the table it hands out. */
#define SIM_DECLARE_(ret, name, params, args) ret ZH_WINAPI sim_##name params;
ZH_HCS_EXPORTS(SIM_DECLARE_)
ZH_HCN_EXPORTS(SIM_DECLARE_)
ZH_HCST_EXPORTS(SIM_DECLARE_)
#undef SIM_DECLARE_

#define SIM_HANDLE_MAGIC 0x5A48434Eu   /* "ZHCN" */
#define SIM_CALLBACK_MAGIC 0x5A484342u /* "ZHCB" */

#endif /* SIM_H */

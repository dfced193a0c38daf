/* SPDX-License-Identifier: MIT */
/* sim_hcs.h - the simulated Host Compute Service's internals shared by sim_hcs.c
 * (operations, compute systems, events) and sim_proc.c (processes with stdio). All of it
 * is guarded by the world lock. */
#ifndef SIM_HCS_H
#define SIM_HCS_H

#include "sim.h"

typedef struct hcs_state hcs_state;
typedef struct hcs_system hcs_system;
typedef struct hcs_sys_handle hcs_sys_handle;
typedef struct hcs_proc hcs_proc;
typedef struct hcs_proc_handle hcs_proc_handle;
typedef struct hcs_op hcs_op;
typedef struct hcs_job hcs_job;
typedef struct sim_cb_task sim_cb_task;

enum { OP_IDLE, OP_PENDING, OP_DONE };

struct hcs_op {
    uint32_t magic;
    int refs;                 /* the caller's handle, a queued job, a running callback */
    bool closed;              /* HcsCloseOperation was called */
    const void *context;
    zh_hcs_operation_completion callback;
    zh_hcs_operation_type type;
    uint64_t id;
    int state;
    int32_t hr;
    char *result;             /* UTF-8 result document, or NULL */
    bool has_pi;
    zh_hcs_process_information pi;
    hcs_sys_handle *sysh;     /* for HcsGetComputeSystemFromOperation */
    hcs_proc_handle *proch;   /* for HcsGetProcessFromOperation */
    hcs_sys_handle *event_to; /* completion goes to this handle's event callback instead */
    int delivering;           /* completion callbacks running now */
    hcs_op *prev, *next;
};

typedef struct hcs_event_batch hcs_event_batch;

struct hcs_job {
    uint64_t due_ns;
    /* Runs on the worker with the world locked; returns the operation's HRESULT and may set
     * op->result; events to deliver go into `b`. */
    int (*run)(hcs_state *s, hcs_job *j, hcs_event_batch *b);
    hcs_op *op;
    hcs_system *sys;
    hcs_proc *proc;
    char *arg;
    int32_t hr;               /* run_preset: the HRESULT to complete with */
    hcs_job *next;
};

enum { SYS_CREATED, SYS_RUNNING, SYS_PAUSED, SYS_STOPPED, SYS_SAVED };

struct hcs_system {
    char *id;
    char *owner;
    char *name;
    bool is_vm;
    bool hyperv;              /* a container hosted in a utility VM (HostingSystemId) */
    int state;
    bool creating;            /* create accepted, not yet completed */
    bool terminate_on_last_close;
    char *config;             /* the creation document */
    char runtime_id[ZH_GUID_BUFSIZE];
    int handles;              /* open HCS_SYSTEM handles */
    uint64_t started_ns;
    uint64_t stopped_ns;
    char *exit_status;        /* SystemExitStatus once stopped */
    uint32_t next_pid;
    hcs_proc *procs;
    hcs_sys_handle *hlist;    /* its open handles, for events without a scan */
    bool indexed;             /* in hcs_state.by_id, prev valid (sim_hcs.c) */
    hcs_system *prev;
    hcs_system *next;
};

struct hcs_sys_handle {
    uint32_t magic;
    hcs_system *sys;
    zh_hcs_event_callback callback;
    void *context;
    zh_hcs_event_options options;
    int running;              /* callback invocations and waits in flight */
    bool closing;
    bool zombie;              /* closed while a callback or a wait still used it: freed once idle */
    bool on_sys;              /* in its system's handle list (until the close) */
    hcs_sys_handle *prev, *next;         /* every handle (hcs_state.sys_handles) */
    hcs_sys_handle *sys_prev, *sys_next; /* its system's open handles (hcs_system.hlist) */
};

struct hcs_state {
    hcs_system *systems;
    hcs_sys_handle *sys_handles;
    hcs_proc_handle *proc_handles;
    int zombies;              /* handles of either kind waiting to be freed once idle */
    hcs_op *ops;
    uint64_t next_op_id;
    hcs_job *jobs;            /* ordered by due time */
    zh_cond jobs_cond;
    zh_cond done_cond;        /* operations completing, systems stopping, callbacks ending */
    zh_thread *worker;
    uint64_t worker_id;
    bool quit;
    uint32_t op_delay_ms[ZH_HCS_ID_COUNT]; /* zh_sim_op_delay */
    uint32_t cur_delay_ms;    /* the delay of the process call being made (sim_proc.c) */
    hcs_proc *dead_procs;     /* detached processes waiting to be joined and freed */
    sim_world *w;
    /* the callback pool (ZH_SIM_LAT_CALLBACKS 0) */
    zh_thread *pool[4];
    sim_cb_task *cb_queue;
    size_t cb_queued;
    zh_cond pool_cond;
    bool pool_quit;
    /* indexes (no call scans every object unless it lists them): the live handles and
     * operations by address (open addressing), the systems by id (case-insensitive) */
    const void **live;
    size_t live_cap, live_used, live_count;
    hcs_system **by_id;
    size_t by_id_cap, by_id_used, by_id_count;
    hcs_system *indexed_head;  /* systems are prepended: those before it are not indexed yet */
};

/* An event for every handle of `sys` (or of a process) that has a callback; delivered by
 * the caller of sim_hcs_deliver after unlocking. */
struct hcs_event_batch {
    size_t count;
    struct {
        zh_hcs_event_callback cb;
        void *ctx;
        int *running;           /* the handle's in-flight counter */
        zh_hcs_event event;
    } item[32];
    zh_wchar *data[32];
};

hcs_state *sim_hcs_state(sim_world *w);
void sim_hcs_free(sim_world *w);
int sim_hcs_init(sim_world *w, zh_error **err);

/* Queues work for the worker thread, due after `delay_ms`. */
int sim_hcs_queue(hcs_state *s, hcs_op *op, uint32_t delay_ms, int (*run)(hcs_state *, hcs_job *, hcs_event_batch *),
                  hcs_system *sys, hcs_proc *proc, const char *arg);

/* Marks an operation pending for `type` (checks reuse and the system-callback rule). */
/* Locks the world and finds the HCS state: NULL (nothing locked) when the simulator is
 * not open or its HCS half is gone. */
hcs_state *sim_hcs_lock(sim_world **w);

zh_hresult sim_hcs_op_begin(hcs_state *s, zh_hcs_operation op, zh_hcs_operation_type type, hcs_sys_handle *sysh,
                            hcs_proc_handle *proch, hcs_op **out);

/* The index of live handles and operations (lock held). Adding fails only for want of
 * memory (-1). */
int sim_live_add(hcs_state *s, const void *p);
void sim_live_del(hcs_state *s, const void *p);
bool sim_live_has(const hcs_state *s, const void *p);

/* Validates handles. */
hcs_op *sim_hcs_op(hcs_state *s, zh_hcs_operation op);
hcs_sys_handle *sim_hcs_sys_handle(hcs_state *s, zh_hcs_system h);

/* Adds an event for every callback of `sys`'s handles to `batch`. */
void sim_hcs_sys_events(hcs_state *s, hcs_system *sys, zh_hcs_event_type type, const char *data, hcs_event_batch *b);
/* Adds one event for one callback. */
void sim_hcs_add_event(hcs_event_batch *b, zh_hcs_event_callback cb, void *ctx, int *running, zh_hcs_event_type type,
                       const char *data, zh_hcs_operation op);
/* Invokes a batch (world lock NOT held), then decrements the in-flight counters. */
void sim_hcs_deliver(sim_world *w, hcs_event_batch *b);

/* Latitudes (zh_sim_latitude): the current value; the random delay before a callback. */
int sim_lat(int which);
uint32_t sim_lat_jitter_ms(void);
/* Whether this thread runs a callback of `owner` (a handle's in-flight counter, or an
 * operation) right now. */
bool sim_hcs_in_callback_of(const void *owner);
/* Takes the queued, not yet started callbacks of `owner` off the pool (lock held). */
void sim_hcs_unqueue(hcs_state *s, const void *owner);

/* The simulated service stopped (w->lock held): disconnect events, pending operations fail. */
void sim_hcs_service_stopped(sim_world *w);

/* Processes (sim_proc.c). */
void sim_proc_stop_all(hcs_state *s, hcs_system *sys); /* the system stopped: every process exits */
void sim_proc_free_all(hcs_state *s, hcs_system *sys); /* detaches them for the reaper */
/* Joins and frees detached processes that are done (lock NOT held); `all` waits for every
 * one (teardown). */
void sim_proc_reap(sim_world *w, bool all);
void sim_proc_free_handles(hcs_state *s);
void sim_proc_reap_handles(hcs_state *s); /* process handles closed while in use, once idle */
/* Frees handles closed from inside their own callbacks once idle (lock held). */
void sim_hcs_reap_handles(hcs_state *s);

#define HCS_OP_MAGIC 0x5A484F50u  /* "ZHOP" */
#define HCS_SYS_MAGIC 0x5A485359u /* "ZHSY" */
#define HCS_PROC_MAGIC 0x5A485052u /* "ZHPR" */

#endif /* SIM_HCS_H */

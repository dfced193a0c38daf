/* SPDX-License-Identifier: MIT */
/* sim_server.h - the simulator service behind "sim:PATH" (sim_server.c, zhsimd) and its
 * clients (sim_client.c). */
#ifndef SIM_SERVER_H
#define SIM_SERVER_H

#include <stdint.h>

#include "zh_error.h"

typedef struct sim_service_options {
    int ready_fd;          /* once the service accepts clients: written to and closed (POSIX), or
                            * the event handle of that value set and closed (Windows); -1: none */
    uint32_t idle_ms;      /* stop after this long without clients and systems (0: never) */
    uint32_t idle_busy_ms; /* ... without clients while systems exist (0: never) */
} sim_service_options;

/* Serves DIR until stopped (a stop request, SIGTERM, or idle). 0 when it ran and stopped;
 * 1 when another service already serves DIR; -1 with an error. */
int sim_service_run(const char *dir, const sim_service_options *opt, zh_error **err);

struct sim_world;
/* The client side (sim_client.c): connects the world to the service of DIR, starting the
 * service when none runs. 0 or -1 with an error. */
int sim_client_open(struct sim_world *w, const char *dir, zh_error **err);
void sim_client_close(struct sim_world *w);
/* Whether the connection is gone (the service stopped or died). */
int sim_client_dead(void);
/* Control requests: stop the service; its status JSON (malloc'd); make the next n state
 * writes fail. 0 or -1. */
int sim_client_stop(void);
char *sim_client_status(void);
int sim_client_fail_writes(uint32_t n);
/* The same after `skip` writes that succeed (the second write of a two-object call). */
int sim_client_fail_writes_after(uint32_t skip, uint32_t n);
/* zh_sim_op_delay in the service (entry NULL: every entry). 0 or -1. */
int sim_client_op_delay(const char *entry, uint32_t ms);

/* The client tables: the raw entry points marshalled to the service. */
#include "zh_raw.h"
extern zh_hcs_table sim_client_hcs;
extern zh_hcn_table sim_client_hcn;

#endif /* SIM_SERVER_H */

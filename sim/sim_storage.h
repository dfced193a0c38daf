/* SPDX-License-Identifier: MIT */
/* sim_storage.h - the simulated container storage (sim_storage.c) as sim_hcs.c and
 * sim_proc.c use it. */
#ifndef SIM_STORAGE_H
#define SIM_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include <zhcs/schema.h>

#include "sim_hcs.h"

/* HcsCreateComputeSystem of a container: checks its Storage (layers exist and are layers,
 * their chain is consistent, the scratch layer was prepared for them). 0, or the HRESULT
 * with `msg` set. */
zh_hresult sim_storage_check(const zhcs_Container *c, char *msg, size_t n);

/* Writes text to the guest's stdout (fd 1) or stderr (fd 2); -1 when it cannot. */
typedef int (*sim_guest_write)(void *ctx, int fd, const char *text);

/* The guest commands that use a container's C:\ (the union of its scratch and image
 * layers): `type PATH` and `echo TEXT > PATH` / `>> PATH` (writes land in the scratch layer).
 * Returns 1 with *code set when `line` was such a command of a container with Storage, else
 * 0 (the caller runs it as usual). `config` is the system's creation document (may be NULL).
 * Called without the world lock. */
int sim_storage_command(const char *config, const char *line, sim_guest_write out, void *ctx, uint32_t *code);

#endif /* SIM_STORAGE_H */

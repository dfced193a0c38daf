/* SPDX-License-Identifier: MIT */
/* sim_store.h - the directory behind "sim:PATH": one state file shared by every process
 * that opens the same PATH, guarded by a lock file, replaced atomically. */
#ifndef SIM_STORE_H
#define SIM_STORE_H

#include <stdint.h>

#include "zh_error.h"

typedef struct sim_store {
    char *dir;
    char *state_path;
    char *tmp_path;
    intptr_t lock;      /* fd or HANDLE of PATH/lock */
    int locked;
} sim_store;

int sim_store_open(sim_store *s, const char *dir, zh_error **err);
void sim_store_close(sim_store *s);
int sim_store_lock(sim_store *s);   /* exclusive, blocking; 0 or -1 */
void sim_store_unlock(sim_store *s);
/* The state file's text (malloc'd), or NULL when there is none yet (or on error). */
char *sim_store_read(sim_store *s);
/* Replaces the state file with `text` atomically (write, flush, rename). 0 or -1. */
int sim_store_write(sim_store *s, const char *text);

#endif /* SIM_STORE_H */

/* SPDX-License-Identifier: MIT */
/* sim_db.h - the durable HCN state of a "sim:PATH" service: PATH/state.db, SQLite in WAL
 * mode. Every mutation of an HCN object is one transaction, written before the world's
 * memory changes, so a failed write fails the call and changes nothing, and a service killed
 * at any moment has lost no change it acknowledged. Without an attached database (the
 * in-process "sim:") every function here does nothing and succeeds. */
#ifndef SIM_DB_H
#define SIM_DB_H

#include <stddef.h>
#include <stdint.h>

#include "zh_error.h"
#include "zh_guid.h"

/* Opens (creating) DIR/state.db and loads its objects into the open world; the objects
 * flagged non-persistent are dropped, as a restarted HNS drops them. -1 with an error that
 * names the file when it is damaged or not the simulator's. */
int sim_db_attach(const char *dir, zh_error **err);
void sim_db_detach(void);

/* Mutation points (the world locked): write an object's document / delete it. 0, or -1
 * with the failure remembered for sim_db_take_error. */
int sim_db_put(int kind, const zh_guid *id, const char *json);
int sim_db_del(int kind, const zh_guid *id);

/* The failure of the last write since the previous call: its HRESULT (0 when none) and a
 * message naming the file. */
int32_t sim_db_take_error(char *msg, size_t size);

/* Test control: the next n writes fail as on a full disk. */
void sim_db_fail_writes(uint32_t n);

#endif /* SIM_DB_H */

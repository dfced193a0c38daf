/* SPDX-License-Identifier: MIT */
/* sim_db.h - the durable HCN state of a "sim:PATH" service: PATH/state.db, SQLite in WAL
 * mode. Every HCN call that changes state is one transaction, however many objects it
 * changes (an endpoint and the namespace it joins, a network and its endpoints): its first
 * write begins it, and the call's end commits it or rolls it back (sim_hcn.c undoes the
 * memory side too), so a failed write fails the call and changes nothing, and a service
 * killed at any moment has lost no change it acknowledged and kept no half of one. The
 * allocation counters (MAC addresses, namespace ids, NAT subnets) are written in the same
 * transaction. Without an attached database (the in-process "sim:") every function here
 * does nothing and succeeds. */
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

/* Mutation points (the world locked): write an object's document / delete it / write an
 * allocation counter (loaded back into the world's next_* fields by sim_db_attach). The
 * first write of a call begins its transaction. 0, or -1 with the failure remembered for
 * sim_db_take_error; after a failure every later write of the call fails too. */
int sim_db_put(int kind, const zh_guid *id, const char *json);
int sim_db_del(int kind, const zh_guid *id);
int sim_db_put_counter(const char *name, uint32_t value);

/* The end of a call (the world locked): commit what it wrote (0, or -1 with the failure
 * remembered, the transaction rolled back), or roll it back. Without a write since the
 * last end, both do nothing. */
int sim_db_commit(void);
void sim_db_rollback(void);

/* The failure of the last write since the previous call: its HRESULT (0 when none) and a
 * message naming the file. */
int32_t sim_db_take_error(char *msg, size_t size);

/* Test control: the next n writes fail as on a full disk. With skip, the first `skip`
 * writes succeed before them (the second write of a call that makes two, say). */
void sim_db_fail_writes(uint32_t n);
void sim_db_fail_writes_after(uint32_t skip, uint32_t n);

#endif /* SIM_DB_H */

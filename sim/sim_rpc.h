/* SPDX-License-Identifier: MIT */
/* sim_rpc.h - the wire protocol between "sim:PATH" clients and the simulator service
 * (zhsimd), and the small pieces both sides share: framing over an AF_UNIX stream socket
 * with descriptors passed as SCM_RIGHTS, bounded readers/writers of the message body, and a
 * hash map keyed by 64-bit values (handles, operations, registrations).
 *
 * The transport: on POSIX an AF_UNIX stream socket inside PATH, descriptors passed as
 * SCM_RIGHTS; on Windows a named pipe whose name is derived from PATH (sim_pipe_name),
 * opened for overlapped I/O on both ends, handles duplicated into the client process by
 * the service (DuplicateHandle) and their values carried in the message body.
 *
 * A frame is a 32-bit length (host order: both ends are on one machine) and that many
 * bytes, at most SIM_RPC_MAX. The body starts with a kind byte and a 32-bit sequence
 * number; a reply carries the sequence number of its request. docs/simulator.md describes
 * the messages. */
#ifndef SIM_RPC_H
#define SIM_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zh_raw.h"
#include "zh_str.h"

#define SIM_RPC_VERSION 1u
#define SIM_RPC_MAX (16u * 1024u * 1024u) /* the largest frame either side accepts */
#define SIM_RPC_MAXFDS 3

enum {
    SIM_MSG_REQ = 1,     /* u16 entry, arguments */
    SIM_MSG_REPLY = 2,   /* i64 result, out-parameters (descriptors attached) */
    SIM_MSG_OPDONE = 3,  /* push: u64 operation */
    SIM_MSG_EVENT = 4,   /* push: u64 handle, u32 type, wstr data, u64 operation */
    SIM_MSG_NOTE = 5,    /* push: u64 registration, u32 type, i32 status, wstr data */
};

/* Entries beyond the raw tables: the service's own requests. */
enum {
    SIM_CTL_HELLO = 1000, /* u32 protocol version -> i64 0, u32 service pid */
    SIM_CTL_STOP = 1001,  /* -> i64 0, then the service stops */
    SIM_CTL_STATUS = 1002, /* -> i64 0, wstr JSON {"Pid":..,"Clients":..,"Systems":..} */
    SIM_CTL_FAIL_WRITES = 1003, /* u32 n -> the next n store writes fail (a test control) */
    SIM_CTL_KEEP = 1004,  /* -> i64 0: no idle stop from now on (hcsctl sim start) */
    SIM_CTL_OP_DELAY = 1005, /* u32 n, n bytes of entry name, u32 ms -> zh_sim_op_delay in the service */
    SIM_CTL_LATITUDES = 1006, /* u32 has_hcn, u32 hcn flags, u32 n, n x i32 HCS values -> set in the service */
};

/* HRESULT_FROM_WIN32(RPC_X_BAD_STUB_DATA): a request that does not decode. */
#define SIM_E_BAD_STUB_DATA ((int32_t)0x800706F7u)

/* ---- the body of a message ---- */
typedef struct sim_wr {
    zh_buf b;
} sim_wr;

void sim_wr_init(sim_wr *w);
void sim_wr_u8(sim_wr *w, uint8_t v);
void sim_wr_u16(sim_wr *w, uint16_t v);
void sim_wr_u32(sim_wr *w, uint32_t v);
void sim_wr_u64(sim_wr *w, uint64_t v);
void sim_wr_bytes(sim_wr *w, const void *p, size_t n);
void sim_wr_wstr(sim_wr *w, const zh_wchar *s); /* NULL is kept distinct from "" */
void sim_wr_free(sim_wr *w);

typedef struct sim_rd {
    const unsigned char *p;
    size_t n;
    bool bad; /* set once a read ran past the end or met a malformed value */
} sim_rd;

uint8_t sim_rd_u8(sim_rd *r);
uint16_t sim_rd_u16(sim_rd *r);
uint32_t sim_rd_u32(sim_rd *r);
uint64_t sim_rd_u64(sim_rd *r);
void sim_rd_bytes(sim_rd *r, void *p, size_t n);
/* A malloc'd, terminated string (freed with free / zh_sim_free_string), or NULL for a NULL
 * string (*is_null set) or a malformed one (r->bad set). */
zh_wchar *sim_rd_wstr(sim_rd *r, bool *is_null);

/* ---- the connection ---- */
#ifdef _WIN32
typedef struct sim_chan *sim_sock; /* a pipe end opened for overlapped I/O, and its stop event */
#define SIM_SOCK_NONE NULL
/* Wraps a connected pipe handle (taken). NULL when out of resources (the handle closed). */
sim_sock sim_sock_wrap(void *pipe);
void *sim_sock_handle(sim_sock s);
/* \\.\pipe\zhsim-<16 hex digits>: FNV-1a of the user's name, '|' and the canonical,
 * lower-cased full path of DIR. */
int sim_pipe_name(const char *dir, char *out, size_t size);
#else
typedef int sim_sock;
#define SIM_SOCK_NONE (-1)
#endif
/* Ends what is in flight on the connection and every later send and receive (a blocked
 * sim_recv returns -1), without freeing it; any thread may call it. */
void sim_sock_shutdown(sim_sock s);
void sim_sock_close(sim_sock s);

/* ---- frames ---- */
/* Sends the message in `w` (whose first 4 bytes are reserved for the length: start every
 * message with sim_msg_begin) with `nfds` descriptors (POSIX; none on Windows). 0, or -1
 * when the peer is gone. */
void sim_msg_begin(sim_wr *w, uint8_t kind, uint32_t seq);
int sim_send(sim_sock sock, sim_wr *w, const int *fds, int nfds);
/* Receives one frame: *body (malloc'd) and its length, and any descriptors (unused slots
 * -1; always so on Windows). 0; -1 at end of stream or on error; -2 for a frame over
 * SIM_RPC_MAX (the stream cannot be trusted further). */
int sim_recv(sim_sock sock, unsigned char **body, size_t *len, int fds[SIM_RPC_MAXFDS]);
/* Sends `n` bytes as they are, no framing (tests speaking garbage). 0 or -1. */
int sim_send_raw(sim_sock sock, const void *bytes, size_t n);

/* The socket of the service of `dir`: fills `addr` (a struct sockaddr_un) and returns its
 * length, or -1 with errno set. Paths too long for sun_path go through /proc/self/fd when
 * `dirfd` >= 0. */
#ifndef _WIN32
int sim_sock_addr(const char *dir, int dirfd, void *addr, unsigned *len);
#endif

/* ---- a hash map of 64-bit keys ---- */
typedef struct sim_map {
    uint64_t *keys;   /* 0: empty; SIM_MAP_GONE: deleted */
    void **vals;
    size_t cap, count, used;
} sim_map;

#define SIM_MAP_GONE UINT64_MAX

int sim_map_put(sim_map *m, uint64_t key, void *val); /* replaces; 0 or -1 (out of memory) */
void *sim_map_get(const sim_map *m, uint64_t key);
void *sim_map_del(sim_map *m, uint64_t key);          /* the value it held, or NULL */
/* Iteration: for (size_t i = 0; sim_map_next(m, &i, &k, &v);) */
bool sim_map_next(const sim_map *m, size_t *i, uint64_t *key, void **val);
void sim_map_free(sim_map *m);

/* ---- iterating over an entry's parameter list (the X-macro lists of zh_raw_exports.h) ----
 * SIM_FE(m, a, b, c) -> m(a) m(b) m(c); SIM_FEC(m, a, b) -> m(a), m(b). */
#define SIM_UNPAREN(...) __VA_ARGS__
#define SIM_CAT_(a, b) a##b
#define SIM_CAT(a, b) SIM_CAT_(a, b)
#define SIM_NARG(...) SIM_NARG_(__VA_ARGS__, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define SIM_NARG_(_1, _2, _3, _4, _5, _6, _7, _8, N, ...) N
#define SIM_FE(m, ...) SIM_CAT(SIM_FE_, SIM_NARG(__VA_ARGS__))(m, __VA_ARGS__)
#define SIM_FE_1(m, a) m(a)
#define SIM_FE_2(m, a, ...) m(a) SIM_FE_1(m, __VA_ARGS__)
#define SIM_FE_3(m, a, ...) m(a) SIM_FE_2(m, __VA_ARGS__)
#define SIM_FE_4(m, a, ...) m(a) SIM_FE_3(m, __VA_ARGS__)
#define SIM_FE_5(m, a, ...) m(a) SIM_FE_4(m, __VA_ARGS__)
#define SIM_FE_6(m, a, ...) m(a) SIM_FE_5(m, __VA_ARGS__)
#define SIM_FE_7(m, a, ...) m(a) SIM_FE_6(m, __VA_ARGS__)
#define SIM_FE_8(m, a, ...) m(a) SIM_FE_7(m, __VA_ARGS__)
#define SIM_FEC(m, ...) SIM_CAT(SIM_FEC_, SIM_NARG(__VA_ARGS__))(m, __VA_ARGS__)
#define SIM_FEC_1(m, a) m(a)
#define SIM_FEC_2(m, a, ...) m(a), SIM_FEC_1(m, __VA_ARGS__)
#define SIM_FEC_3(m, a, ...) m(a), SIM_FEC_2(m, __VA_ARGS__)
#define SIM_FEC_4(m, a, ...) m(a), SIM_FEC_3(m, __VA_ARGS__)
#define SIM_FEC_5(m, a, ...) m(a), SIM_FEC_4(m, __VA_ARGS__)
#define SIM_FEC_6(m, a, ...) m(a), SIM_FEC_5(m, __VA_ARGS__)
#define SIM_FEC_7(m, a, ...) m(a), SIM_FEC_6(m, __VA_ARGS__)
#define SIM_FEC_8(m, a, ...) m(a), SIM_FEC_7(m, __VA_ARGS__)

/* The entries of both tables as one index: HCS ids, then HCN ids after them. */
#define SIM_ENTRY_COUNT (ZH_HCS_ID_COUNT + ZH_HCN_ID_COUNT)
const char *sim_entry_name(size_t id);

#endif /* SIM_RPC_H */

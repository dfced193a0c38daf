/* SPDX-License-Identifier: MIT */
/* zh_thread.h - the portability layer for threads: mutex, condition variable, once,
 * threads, atomic reference counts and flags, a monotonic clock and sleeping.
 *
 * Win32 primitives on Windows (SRWLOCK, CONDITION_VARIABLE, INIT_ONCE, Interlocked*),
 * pthreads and C11 atomics elsewhere. Nothing here allocates except zh_thread_start.
 */
#ifndef ZH_THREAD_H
#define ZH_THREAD_H

#include <stdint.h>

#include "zh_error.h"

#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#else
#include <pthread.h>
#include <stdatomic.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- mutex ---- */
#ifdef _WIN32
typedef struct zh_mutex { SRWLOCK lock; } zh_mutex;
#define ZH_MUTEX_INIT {SRWLOCK_INIT}
#else
typedef struct zh_mutex { pthread_mutex_t lock; } zh_mutex;
#define ZH_MUTEX_INIT {PTHREAD_MUTEX_INITIALIZER}
#endif

void zh_mutex_init(zh_mutex *m);
void zh_mutex_destroy(zh_mutex *m);
void zh_mutex_lock(zh_mutex *m);
void zh_mutex_unlock(zh_mutex *m);

/* ---- condition variable (waits measured on the monotonic clock) ---- */
#ifdef _WIN32
typedef struct zh_cond { CONDITION_VARIABLE cv; } zh_cond;
#else
typedef struct zh_cond { pthread_cond_t cv; } zh_cond;
#endif

int zh_cond_init(zh_cond *c); /* 0 or -1 */
void zh_cond_destroy(zh_cond *c);
void zh_cond_signal(zh_cond *c);
void zh_cond_broadcast(zh_cond *c);
void zh_cond_wait(zh_cond *c, zh_mutex *m);
/* Waits at most timeout_ms. Returns 0 when woken (perhaps spuriously: re-check the
 * predicate), 1 when the time ran out. */
int zh_cond_timedwait(zh_cond *c, zh_mutex *m, uint32_t timeout_ms);

/* Waits until `deadline_ns` (zh_monotonic_ns() scale). Returns as zh_cond_timedwait. */
int zh_cond_wait_until(zh_cond *c, zh_mutex *m, uint64_t deadline_ns);

/* ---- once ---- */
#ifdef _WIN32
typedef struct zh_once { INIT_ONCE once; } zh_once;
#define ZH_ONCE_INIT {INIT_ONCE_STATIC_INIT}
#else
typedef struct zh_once { pthread_once_t once; } zh_once;
#define ZH_ONCE_INIT {PTHREAD_ONCE_INIT}
#endif

/* Runs fn exactly once across all threads sharing `once`; later callers wait for it. */
void zh_once_run(zh_once *once, void (*fn)(void));

/* ---- threads ---- */
typedef struct zh_thread zh_thread;

/* Starts fn(arg) on a new thread. Returns 0, or -1 with an error. */
int zh_thread_start(zh_thread **out, void (*fn)(void *arg), void *arg, zh_error **err);
/* Waits for the thread to finish and frees it. Accepts NULL. */
void zh_thread_join(zh_thread *t);
/* Lets the thread run on and free itself when it ends (for a thread that ends itself). */
void zh_thread_detach(zh_thread *t);
/* A number identifying the calling thread (for logs and re-entrancy checks). */
uint64_t zh_thread_self_id(void);

/* ---- atomics ---- */
#ifdef _WIN32
typedef struct zh_atomic { volatile LONG value; } zh_atomic;
#else
typedef struct zh_atomic { atomic_int value; } zh_atomic;
#endif

void zh_atomic_init(zh_atomic *a, int value);
int zh_atomic_load(zh_atomic *a);
void zh_atomic_store(zh_atomic *a, int value);
int zh_atomic_add(zh_atomic *a, int delta); /* returns the new value */
/* Sets *a to `desired` if it equals `expected`; returns 1 when it did. */
int zh_atomic_cas(zh_atomic *a, int expected, int desired);

/* Reference count: starts at 1; zh_ref_put() returns 1 when the last reference went. */
typedef zh_atomic zh_refcount;
void zh_ref_init(zh_refcount *r);
void zh_ref_get(zh_refcount *r);
int zh_ref_put(zh_refcount *r);
int zh_ref_count(zh_refcount *r);
/* Takes a reference only while the count is above zero: 1 when taken, 0 when the object is
 * already on its way out. */
int zh_ref_tryget(zh_refcount *r);

/* ---- time ---- */
uint64_t zh_monotonic_ns(void);
uint64_t zh_monotonic_ms(void);
void zh_sleep_ms(uint32_t ms);

#ifdef __cplusplus
}
#endif
#endif /* ZH_THREAD_H */

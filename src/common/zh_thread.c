/* SPDX-License-Identifier: MIT */
/* zh_thread.c - threads, locks, atomics and clocks on Win32 and POSIX. */
#include "zh_thread.h"

#include <stdlib.h>
#include <string.h>

#include "zh_hresult.h"

#ifndef _WIN32
#include <errno.h>
#include <time.h>
#endif

/* ---------------------------------------------------------------- mutex */
#ifdef _WIN32
void zh_mutex_init(zh_mutex *m) { InitializeSRWLock(&m->lock); }
void zh_mutex_destroy(zh_mutex *m) { (void)m; }
void zh_mutex_lock(zh_mutex *m) { AcquireSRWLockExclusive(&m->lock); }
void zh_mutex_unlock(zh_mutex *m) { ReleaseSRWLockExclusive(&m->lock); }
#else
void zh_mutex_init(zh_mutex *m) { pthread_mutex_init(&m->lock, NULL); }
void zh_mutex_destroy(zh_mutex *m) { pthread_mutex_destroy(&m->lock); }
void zh_mutex_lock(zh_mutex *m) { pthread_mutex_lock(&m->lock); }
void zh_mutex_unlock(zh_mutex *m) { pthread_mutex_unlock(&m->lock); }
#endif

/* ---------------------------------------------------------------- condition variable */
#ifdef _WIN32
int zh_cond_init(zh_cond *c)
{
    InitializeConditionVariable(&c->cv);
    return 0;
}
void zh_cond_destroy(zh_cond *c) { (void)c; }
void zh_cond_signal(zh_cond *c) { WakeConditionVariable(&c->cv); }
void zh_cond_broadcast(zh_cond *c) { WakeAllConditionVariable(&c->cv); }
void zh_cond_wait(zh_cond *c, zh_mutex *m) { SleepConditionVariableSRW(&c->cv, &m->lock, INFINITE, 0); }

int zh_cond_timedwait(zh_cond *c, zh_mutex *m, uint32_t timeout_ms)
{
    DWORD ms = timeout_ms >= INFINITE ? INFINITE - 1 : (DWORD)timeout_ms;
    if (SleepConditionVariableSRW(&c->cv, &m->lock, ms, 0))
        return 0;
    return GetLastError() == ERROR_TIMEOUT ? 1 : 0;
}
#else
int zh_cond_init(zh_cond *c)
{
    pthread_condattr_t attr;
    if (pthread_condattr_init(&attr) != 0)
        return -1;
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&c->cv, &attr);
    pthread_condattr_destroy(&attr);
    return rc == 0 ? 0 : -1;
}
void zh_cond_destroy(zh_cond *c) { pthread_cond_destroy(&c->cv); }
void zh_cond_signal(zh_cond *c) { pthread_cond_signal(&c->cv); }
void zh_cond_broadcast(zh_cond *c) { pthread_cond_broadcast(&c->cv); }
void zh_cond_wait(zh_cond *c, zh_mutex *m) { pthread_cond_wait(&c->cv, &m->lock); }

int zh_cond_timedwait(zh_cond *c, zh_mutex *m, uint32_t timeout_ms)
{
    return zh_cond_wait_until(c, m, zh_monotonic_ns() + (uint64_t)timeout_ms * 1000000u);
}
#endif

int zh_cond_wait_until(zh_cond *c, zh_mutex *m, uint64_t deadline_ns)
{
#ifdef _WIN32
    uint64_t now = zh_monotonic_ns();
    if (now >= deadline_ns)
        return 1;
    uint64_t ms = (deadline_ns - now + 999999u) / 1000000u;
    return zh_cond_timedwait(c, m, ms > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)ms);
#else
    struct timespec ts;
    ts.tv_sec = (time_t)(deadline_ns / 1000000000u);
    ts.tv_nsec = (long)(deadline_ns % 1000000000u);
    int rc = pthread_cond_timedwait(&c->cv, &m->lock, &ts);
    return rc == ETIMEDOUT ? 1 : 0;
#endif
}

/* ---------------------------------------------------------------- once */
#ifdef _WIN32
struct once_call { void (*fn)(void); };

static BOOL CALLBACK once_trampoline(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    (void)once;
    (void)ctx;
    ((struct once_call *)param)->fn();
    return TRUE;
}

void zh_once_run(zh_once *once, void (*fn)(void))
{
    struct once_call call = {fn};
    InitOnceExecuteOnce(&once->once, once_trampoline, &call, NULL);
}
#else
void zh_once_run(zh_once *once, void (*fn)(void))
{
    pthread_once(&once->once, fn);
}
#endif

/* ---------------------------------------------------------------- threads */
struct zh_thread {
    void (*fn)(void *);
    void *arg;
    zh_atomic users;
#ifdef _WIN32
    HANDLE handle;
#else
    pthread_t tid;
#endif
};

/* The thread reads its start values, then lets go of the struct: a detached thread's struct
 * goes when both the thread and zh_thread_detach are done with it. */
static void thread_run(zh_thread *t)
{
    void (*fn)(void *) = t->fn;
    void *arg = t->arg;
    if (zh_atomic_add(&t->users, -1) == 0)
        free(t);
    fn(arg);
}

#ifdef _WIN32
static DWORD WINAPI thread_main(LPVOID p)
{
    thread_run(p);
    return 0;
}
#else
static void *thread_main(void *p)
{
    thread_run(p);
    return NULL;
}
#endif

int zh_thread_start(zh_thread **out, void (*fn)(void *arg), void *arg, zh_error **err)
{
    *out = NULL;
    zh_thread *t = calloc(1, sizeof *t);
    if (!t)
        return zh_error_set(err, ZH_E_OUTOFMEMORY, "zh_thread_start", "out of memory");
    t->fn = fn;
    t->arg = arg;
    zh_atomic_init(&t->users, 2); /* the thread's start, and join/detach */
#ifdef _WIN32
    t->handle = CreateThread(NULL, 0, thread_main, t, 0, NULL);
    if (!t->handle) {
        DWORD e = GetLastError();
        free(t);
        return zh_error_set(err, ZH_HR_FROM_WIN32(e), "CreateThread", "cannot start a thread");
    }
#else
    int rc = pthread_create(&t->tid, NULL, thread_main, t);
    if (rc != 0) {
        free(t);
        return zh_error_set(err, rc == EAGAIN ? ZH_E_OUTOFMEMORY : ZH_E_FAIL, "pthread_create",
                            "cannot start a thread: %s", strerror(rc));
    }
#endif
    *out = t;
    return 0;
}

void zh_thread_join(zh_thread *t)
{
    if (!t)
        return;
#ifdef _WIN32
    WaitForSingleObject(t->handle, INFINITE);
    CloseHandle(t->handle);
#else
    pthread_join(t->tid, NULL);
#endif
    if (zh_atomic_add(&t->users, -1) == 0)
        free(t);
}

void zh_thread_detach(zh_thread *t)
{
    if (!t)
        return;
#ifdef _WIN32
    CloseHandle(t->handle);
#else
    pthread_detach(t->tid);
#endif
    if (zh_atomic_add(&t->users, -1) == 0)
        free(t);
}

uint64_t zh_thread_self_id(void)
{
#ifdef _WIN32
    return (uint64_t)GetCurrentThreadId();
#else
    pthread_t self = pthread_self();
    uint64_t id = 0;
    memcpy(&id, &self, sizeof self < sizeof id ? sizeof self : sizeof id);
    return id;
#endif
}

/* ---------------------------------------------------------------- atomics */
#ifdef _WIN32
void zh_atomic_init(zh_atomic *a, int value) { InterlockedExchange(&a->value, value); }
int zh_atomic_load(zh_atomic *a) { return (int)InterlockedCompareExchange(&a->value, 0, 0); }
void zh_atomic_store(zh_atomic *a, int value) { InterlockedExchange(&a->value, value); }
int zh_atomic_add(zh_atomic *a, int delta) { return (int)InterlockedAdd(&a->value, delta); }
int zh_atomic_cas(zh_atomic *a, int expected, int desired)
{
    return InterlockedCompareExchange(&a->value, desired, expected) == expected;
}
#else
void zh_atomic_init(zh_atomic *a, int value) { atomic_init(&a->value, value); }
int zh_atomic_load(zh_atomic *a) { return atomic_load(&a->value); }
void zh_atomic_store(zh_atomic *a, int value) { atomic_store(&a->value, value); }
int zh_atomic_add(zh_atomic *a, int delta) { return atomic_fetch_add(&a->value, delta) + delta; }
int zh_atomic_cas(zh_atomic *a, int expected, int desired)
{
    return atomic_compare_exchange_strong(&a->value, &expected, desired);
}
#endif

void zh_ref_init(zh_refcount *r) { zh_atomic_init(r, 1); }
void zh_ref_get(zh_refcount *r) { zh_atomic_add(r, 1); }
int zh_ref_put(zh_refcount *r) { return zh_atomic_add(r, -1) == 0; }
int zh_ref_count(zh_refcount *r) { return zh_atomic_load(r); }
int zh_ref_tryget(zh_refcount *r)
{
    for (int n = zh_atomic_load(r); n > 0; n = zh_atomic_load(r))
        if (zh_atomic_cas(r, n, n + 1))
            return 1;
    return 0;
}

/* ---------------------------------------------------------------- time */
uint64_t zh_monotonic_ns(void)
{
#ifdef _WIN32
    LARGE_INTEGER freq, now;
    QueryPerformanceFrequency(&freq); /* cheap, and fixed at boot */
    QueryPerformanceCounter(&now);
    uint64_t sec = (uint64_t)now.QuadPart / (uint64_t)freq.QuadPart;
    uint64_t rem = (uint64_t)now.QuadPart % (uint64_t)freq.QuadPart;
    return sec * 1000000000u + rem * 1000000000u / (uint64_t)freq.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

uint64_t zh_monotonic_ms(void)
{
    return zh_monotonic_ns() / 1000000u;
}

void zh_sleep_ms(uint32_t ms)
{
#ifdef _WIN32
    Sleep(ms);
#else
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
#endif
}


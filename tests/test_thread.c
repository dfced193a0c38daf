/* SPDX-License-Identifier: MIT */
/* test_thread.c - mutex, condition variable, once, threads, atomics, clock.
 * Runs under ThreadSanitizer in the tsan configuration. */
#include "zh_thread.h"
#include "zt.h"

#define THREADS 4
#define ROUNDS 20000

struct counter {
    zh_mutex lock;
    long value;
    zh_refcount refs;
    zh_atomic hits;
};

static void count_worker(void *arg)
{
    struct counter *c = arg;
    for (int i = 0; i < ROUNDS; i++) {
        zh_mutex_lock(&c->lock);
        c->value++;
        zh_mutex_unlock(&c->lock);
        zh_atomic_add(&c->hits, 1);
    }
}

static void mutex_serialises_threads(void)
{
    struct counter c;
    zh_mutex_init(&c.lock);
    c.value = 0;
    zh_atomic_init(&c.hits, 0);
    zh_thread *t[THREADS];
    for (int i = 0; i < THREADS; i++)
        ZT_REQUIRE(zh_thread_start(&t[i], count_worker, &c, NULL) == 0);
    for (int i = 0; i < THREADS; i++)
        zh_thread_join(t[i]);
    ZT_EQ_INT(c.value, (long)THREADS * ROUNDS);
    ZT_EQ_INT(zh_atomic_load(&c.hits), THREADS * ROUNDS);
    zh_mutex_destroy(&c.lock);
    zh_thread_join(NULL);
}

struct mailbox {
    zh_mutex lock;
    zh_cond cond;
    int ready;
};

static void post_later(void *arg)
{
    struct mailbox *m = arg;
    zh_sleep_ms(20);
    zh_mutex_lock(&m->lock);
    m->ready = 1;
    zh_cond_broadcast(&m->cond);
    zh_mutex_unlock(&m->lock);
}

static void cond_wakes_a_waiter(void)
{
    struct mailbox m;
    zh_mutex_init(&m.lock);
    ZT_REQUIRE(zh_cond_init(&m.cond) == 0);
    m.ready = 0;
    zh_thread *t;
    ZT_REQUIRE(zh_thread_start(&t, post_later, &m, NULL) == 0);
    uint64_t deadline = zh_monotonic_ns() + 5000000000ull;
    int timed_out = 0;
    zh_mutex_lock(&m.lock);
    while (!m.ready && !timed_out)
        timed_out = zh_cond_wait_until(&m.cond, &m.lock, deadline);
    int got = m.ready;
    zh_mutex_unlock(&m.lock);
    zh_thread_join(t);
    ZT_EQ_INT(got, 1);
    ZT_EQ_INT(timed_out, 0);
    zh_cond_destroy(&m.cond);
    zh_mutex_destroy(&m.lock);
}

static void cond_timedwait_times_out(void)
{
    zh_mutex lock;
    zh_cond cond;
    zh_mutex_init(&lock);
    ZT_REQUIRE(zh_cond_init(&cond) == 0);
    uint64_t start = zh_monotonic_ms();
    int rc = 0;
    zh_mutex_lock(&lock);
    while (rc == 0) /* spurious wake-ups are allowed; the wait must still end */
        rc = zh_cond_timedwait(&cond, &lock, 50);
    zh_mutex_unlock(&lock);
    uint64_t elapsed = zh_monotonic_ms() - start;
    ZT_EQ_INT(rc, 1);
    ZT_CHECK(elapsed >= 45);
    ZT_CHECK(elapsed < 5000);
    /* a deadline already passed returns at once */
    zh_mutex_lock(&lock);
    ZT_EQ_INT(zh_cond_wait_until(&cond, &lock, zh_monotonic_ns() - 1), 1);
    zh_mutex_unlock(&lock);
    zh_cond_destroy(&cond);
    zh_mutex_destroy(&lock);
}

static zh_once once = ZH_ONCE_INIT;
static zh_atomic once_runs = {0};

static void init_once(void)
{
    zh_atomic_add(&once_runs, 1);
}

static void once_worker(void *arg)
{
    (void)arg;
    zh_once_run(&once, init_once);
}

static void once_runs_exactly_once(void)
{
    zh_thread *t[THREADS];
    for (int i = 0; i < THREADS; i++)
        ZT_REQUIRE(zh_thread_start(&t[i], once_worker, NULL, NULL) == 0);
    for (int i = 0; i < THREADS; i++)
        zh_thread_join(t[i]);
    zh_once_run(&once, init_once);
    ZT_EQ_INT(zh_atomic_load(&once_runs), 1);
}

static void refcount_worker(void *arg)
{
    zh_refcount *r = arg;
    for (int i = 0; i < ROUNDS; i++) {
        zh_ref_get(r);
        zh_ref_put(r);
    }
}

static void refcount_counts_across_threads(void)
{
    zh_refcount r;
    zh_ref_init(&r);
    ZT_EQ_INT(zh_ref_count(&r), 1);
    zh_thread *t[THREADS];
    for (int i = 0; i < THREADS; i++)
        ZT_REQUIRE(zh_thread_start(&t[i], refcount_worker, &r, NULL) == 0);
    for (int i = 0; i < THREADS; i++)
        zh_thread_join(t[i]);
    ZT_EQ_INT(zh_ref_count(&r), 1);
    zh_ref_get(&r);
    ZT_EQ_INT(zh_ref_put(&r), 0);
    ZT_EQ_INT(zh_ref_put(&r), 1); /* the last one */
}

static void atomics_cas_and_store(void)
{
    zh_atomic a;
    zh_atomic_init(&a, 5);
    ZT_EQ_INT(zh_atomic_cas(&a, 4, 9), 0);
    ZT_EQ_INT(zh_atomic_load(&a), 5);
    ZT_EQ_INT(zh_atomic_cas(&a, 5, 9), 1);
    ZT_EQ_INT(zh_atomic_load(&a), 9);
    zh_atomic_store(&a, -3);
    ZT_EQ_INT(zh_atomic_add(&a, 3), 0);
}

static void monotonic_clock_advances(void)
{
    uint64_t a = zh_monotonic_ns();
    zh_sleep_ms(15);
    uint64_t b = zh_monotonic_ns();
    ZT_CHECK(b > a);
    ZT_CHECK(b - a >= 10000000u);
    ZT_CHECK(zh_thread_self_id() != 0);
}

static const zt_case cases[] = {
    ZT_CASE(mutex_serialises_threads),
    ZT_CASE(cond_wakes_a_waiter),
    ZT_CASE(cond_timedwait_times_out),
    ZT_CASE(once_runs_exactly_once),
    ZT_CASE(refcount_counts_across_threads),
    ZT_CASE(atomics_cas_and_store),
    ZT_CASE(monotonic_clock_advances),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_handle.c - the handle table: lookups, closed handles, reuse, types, threads. */
#include "zh_handle.h"
#include "zh_thread.h"
#include "zt.h"

static int refs;
static void count_ref(void *obj)
{
    (void)obj;
    refs++;
}

static void lookups_and_closed_handles(void)
{
    int a = 1, b = 2;
    size_t live0 = zh_handle_live();
    uintptr_t ha = zh_handle_register(&a, 1);
    uintptr_t hb = zh_handle_register(&b, 2);
    ZT_REQUIRE(ha != 0 && hb != 0 && ha != hb);
    ZT_EQ_INT((int)(zh_handle_live() - live0), 2);
    refs = 0;
    ZT_CHECK(zh_handle_get(ha, 1, count_ref) == &a);
    ZT_EQ_INT(refs, 1);
    ZT_CHECK(zh_handle_get(ha, 2, count_ref) == NULL); /* another type */
    ZT_CHECK(zh_handle_get(0, 1, NULL) == NULL);
    ZT_CHECK(zh_handle_get((uintptr_t)&a, 1, NULL) == NULL); /* an address is not a handle */
    ZT_CHECK(zh_handle_get(ha + (1u << 20), 1, NULL) == NULL); /* another generation */
    ZT_EQ_INT(refs, 1);
    ZT_CHECK(zh_handle_unregister(ha, 1) == &a);
    ZT_CHECK(zh_handle_unregister(ha, 1) == NULL); /* closed twice */
    ZT_CHECK(zh_handle_get(ha, 1, count_ref) == NULL);
    ZT_CHECK(zh_handle_register(NULL, 1) == 0);
    ZT_CHECK(zh_handle_register(&a, 0) == 0);
    ZT_CHECK(zh_handle_unregister(hb, 2) == &b);
    ZT_EQ_INT((int)(zh_handle_live() - live0), 0);
}

static void a_reused_slot_does_not_revive_old_handles(void)
{
    int objs[300];
    uintptr_t first = zh_handle_register(&objs[0], 3);
    zh_handle_unregister(first, 3);
    /* churn until the slot comes round again */
    int seen_again = 0;
    for (int i = 0; i < 300; i++) {
        uintptr_t h = zh_handle_register(&objs[i], 3);
        ZT_REQUIRE(h != 0);
        if ((h & 0xFFFFF) == (first & 0xFFFFF)) {
            seen_again = 1;
            ZT_CHECK(h != first);
        }
        ZT_CHECK(zh_handle_get(first, 3, NULL) == NULL);
        zh_handle_unregister(h, 3);
    }
    ZT_EQ_INT(seen_again, 1);
}

static void many_live_handles(void)
{
    enum { N = 5000 };
    static uintptr_t hs[N];
    static char objs[N];
    for (int i = 0; i < N; i++)
        ZT_REQUIRE((hs[i] = zh_handle_register(&objs[i], 4)) != 0);
    for (int i = 0; i < N; i++)
        ZT_CHECK(zh_handle_get(hs[i], 4, NULL) == &objs[i]);
    for (int i = 0; i < N; i += 2)
        ZT_CHECK(zh_handle_unregister(hs[i], 4) == &objs[i]);
    for (int i = 0; i < N; i++)
        ZT_CHECK(zh_handle_get(hs[i], 4, NULL) == (i % 2 ? &objs[i] : NULL));
    for (int i = 1; i < N; i += 2)
        zh_handle_unregister(hs[i], 4);
}

static void churn(void *arg)
{
    int *obj = arg;
    for (int i = 0; i < 20000; i++) {
        uintptr_t h = zh_handle_register(obj, 5);
        if (!h || zh_handle_get(h, 5, NULL) != obj || zh_handle_unregister(h, 5) != obj)
            *obj = -1;
    }
}

static void threads_share_the_table(void)
{
    int a = 0, b = 0;
    zh_thread *t1 = NULL, *t2 = NULL;
    ZT_REQUIRE(zh_thread_start(&t1, churn, &a, NULL) == 0);
    ZT_REQUIRE(zh_thread_start(&t2, churn, &b, NULL) == 0);
    zh_thread_join(t1);
    zh_thread_join(t2);
    ZT_EQ_INT(a, 0);
    ZT_EQ_INT(b, 0);
}

static zh_atomic detached_done;

static void churn_then_finish(void *arg)
{
    churn(arg);
    zh_atomic_store(&detached_done, 1);
}

static void detached_threads_free_themselves(void)
{
    int c = 0;
    zh_atomic_init(&detached_done, 0);
    zh_thread *t = NULL;
    ZT_REQUIRE(zh_thread_start(&t, churn_then_finish, &c, NULL) == 0);
    zh_thread_detach(t); /* LeakSanitizer checks that its struct goes */
    for (int i = 0; i < 1000 && !zh_atomic_load(&detached_done); i++)
        zh_sleep_ms(10);
    ZT_EQ_INT(zh_atomic_load(&detached_done), 1);
    ZT_EQ_INT(c, 0);
}

static const zt_case cases[] = {
    ZT_CASE(lookups_and_closed_handles),
    ZT_CASE(a_reused_slot_does_not_revive_old_handles),
    ZT_CASE(many_live_handles),
    ZT_CASE(threads_share_the_table),
    ZT_CASE(detached_threads_free_themselves),
};
ZT_MAIN(cases)

/* SPDX-License-Identifier: MIT */
/* test_log.c - the logging hook: silent by default, filtered by level, safe to swap while
 * other threads log. Runs under ThreadSanitizer in the tsan configuration. */
#include "zh_log.h"
#include "zh_thread.h"
#include "zt.h"

struct sink {
    int calls;
    zh_log_level last_level;
    char last[128];
};

static void record(zh_log_level level, const char *message, void *ctx)
{
    struct sink *s = ctx;
    s->calls++;
    s->last_level = level;
    snprintf(s->last, sizeof s->last, "%s", message);
}

static void silent_by_default(void)
{
    ZT_EQ_INT(zh_log_enabled(ZH_LOG_ERROR), 0);
    zh_log(ZH_LOG_ERROR, "nobody hears this %d", 1); /* must not crash or print */
}

static void handler_receives_formatted_messages_up_to_its_level(void)
{
    struct sink s = {0};
    zh_log_set_handler(record, &s, ZH_LOG_INFO);
    ZT_EQ_INT(zh_log_enabled(ZH_LOG_WARN), 1);
    ZT_EQ_INT(zh_log_enabled(ZH_LOG_DEBUG), 0);
    zh_log(ZH_LOG_WARN, "HcsCreateOperation failed: %s", "E_FAIL");
    zh_log(ZH_LOG_DEBUG, "filtered out");
    zh_log_set_handler(NULL, NULL, ZH_LOG_TRACE);
    zh_log(ZH_LOG_ERROR, "after removal");
    ZT_EQ_INT(s.calls, 1);
    ZT_EQ_INT(s.last_level, ZH_LOG_WARN);
    ZT_EQ_STR(s.last, "HcsCreateOperation failed: E_FAIL");
    ZT_EQ_STR(zh_log_level_name(ZH_LOG_TRACE), "trace");
    ZT_EQ_STR(zh_log_level_name((zh_log_level)17), "unknown");
}

static void log_worker(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++)
        zh_log(ZH_LOG_INFO, "message %d", i);
}

static void swapping_handlers_while_logging_is_safe(void)
{
    struct sink a = {0}, b = {0};
    zh_log_set_handler(record, &a, ZH_LOG_TRACE);
    zh_thread *t[3];
    for (int i = 0; i < 3; i++)
        ZT_REQUIRE(zh_thread_start(&t[i], log_worker, NULL, NULL) == 0);
    for (int i = 0; i < 200; i++)
        zh_log_set_handler(record, (i % 2) ? &a : &b, ZH_LOG_TRACE);
    for (int i = 0; i < 3; i++)
        zh_thread_join(t[i]);
    zh_log_set_handler(NULL, NULL, ZH_LOG_ERROR);
    /* every message went to exactly one of the two sinks */
    ZT_EQ_INT(a.calls + b.calls, 3 * 2000);
}

static const zt_case cases[] = {
    ZT_CASE(silent_by_default),
    ZT_CASE(handler_receives_formatted_messages_up_to_its_level),
    ZT_CASE(swapping_handlers_while_logging_is_safe),
};
ZT_MAIN(cases)

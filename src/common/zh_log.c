/* SPDX-License-Identifier: MIT */
/* zh_log.c - the logging hook. */
#include "zh_log.h"

#include <stdarg.h>
#include <stdlib.h>

#include "zh_str.h"
#include "zh_thread.h"

static zh_mutex log_lock = ZH_MUTEX_INIT;
static zh_log_fn log_fn;
static void *log_ctx;
/* Mirrors (log_fn ? max_level : -1) so the fast path needs no lock. */
static zh_atomic log_max = {-1};

void zh_log_set_handler(zh_log_fn fn, void *ctx, zh_log_level max_level)
{
    zh_mutex_lock(&log_lock);
    log_fn = fn;
    log_ctx = ctx;
    zh_atomic_store(&log_max, fn ? (int)max_level : -1);
    zh_mutex_unlock(&log_lock);
}

int zh_log_enabled(zh_log_level level)
{
    return (int)level <= zh_atomic_load(&log_max);
}

void zh_log(zh_log_level level, const char *fmt, ...)
{
    if (!zh_log_enabled(level))
        return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = zh_vasprintf(fmt, ap);
    va_end(ap);
    if (!msg)
        return;
    zh_mutex_lock(&log_lock);
    if (log_fn && (int)level <= zh_atomic_load(&log_max))
        log_fn(level, msg, log_ctx);
    zh_mutex_unlock(&log_lock);
    free(msg);
}

const char *zh_log_level_name(zh_log_level level)
{
    static const char *const names[] = {"error", "warn", "info", "debug", "trace"};
    return (unsigned)level < sizeof names / sizeof names[0] ? names[level] : "unknown";
}

/* SPDX-License-Identifier: MIT */
/* zh_log.h - the logging hook an embedding program can set. Silent by default.
 *
 * The handler is called with the lock that guards it held, so that once
 * zh_log_set_handler() returns, the previous handler is not running and will not run
 * again (its context may be freed). A handler must therefore not call back into the
 * library, and should be quick. Messages are UTF-8, without a trailing newline.
 */
#ifndef ZH_LOG_H
#define ZH_LOG_H

#include "zh_compat.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum zh_log_level {
    ZH_LOG_ERROR = 0,
    ZH_LOG_WARN = 1,
    ZH_LOG_INFO = 2,
    ZH_LOG_DEBUG = 3,
    ZH_LOG_TRACE = 4
} zh_log_level;

typedef void (*zh_log_fn)(zh_log_level level, const char *message, void *ctx);

/* Installs `fn` for messages at `max_level` and more severe; NULL restores silence. */
void zh_log_set_handler(zh_log_fn fn, void *ctx, zh_log_level max_level);

/* 1 when a message at `level` would reach a handler (to skip building costly messages). */
int zh_log_enabled(zh_log_level level);

void zh_log(zh_log_level level, const char *fmt, ...) ZH_PRINTF(2, 3);

const char *zh_log_level_name(zh_log_level level);

#ifdef __cplusplus
}
#endif
#endif /* ZH_LOG_H */

/* SPDX-License-Identifier: MIT */
/* zh_compat.h - compiler portability macros shared by every internal header. */
#ifndef ZH_COMPAT_H
#define ZH_COMPAT_H

/* printf-style format checking. mingw builds use C99 stdio (__USE_MINGW_ANSI_STDIO), whose
 * formats gcc knows as gnu_printf. */
#if defined(__MINGW32__)
#define ZH_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#elif defined(__GNUC__) || defined(__clang__)
#define ZH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define ZH_PRINTF(fmt, args)
#endif

#endif /* ZH_COMPAT_H */

/* SPDX-License-Identifier: MIT */
/* zt.h - the project's minimal test harness.
 *
 * A test program lists its cases with ZT_CASE and runs them from main() with
 * ZT_MAIN(cases). Every check that fails prints "file:line: what" and marks the case
 * failed; the program prints one line per case and a closing "N passed, N failed" line,
 * and exits 0 only when every case passed (exit codes stay below 256 for Wine).
 * An optional argument runs only the cases whose names contain it.
 */
#ifndef ZT_H
#define ZT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct zt_case {
    const char *name;
    void (*fn)(void);
} zt_case;

/* A program whose every case was skipped exits with this (ctest's SKIP_RETURN_CODE), so that
 * ctest reports it as not run rather than passed. */
#define ZT_ALL_SKIPPED 77

static int zt_failed_checks;
static char zt_skip_reason[256]; /* set by ZT_SKIP: the case did not run, and says why */

#define ZT_FAIL_(...)                                                                              \
    do {                                                                                           \
        zt_failed_checks++;                                                                        \
        printf("  %s:%d: ", __FILE__, __LINE__);                                                   \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
    } while (0)

/* Leaves the case as skipped (never counted as passed), with the reason printed. */
#define ZT_SKIP(...)                                                                               \
    do {                                                                                           \
        snprintf(zt_skip_reason, sizeof zt_skip_reason, __VA_ARGS__);                              \
        return;                                                                                    \
    } while (0)

#define ZT_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ZT_FAIL_("check failed: %s", #cond);                                                   \
    } while (0)

/* Like ZT_CHECK, but leaves the case when it fails (for checks later code relies on). */
#define ZT_REQUIRE(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ZT_FAIL_("requirement failed: %s", #cond);                                             \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ZT_EQ_INT(a, b)                                                                            \
    do {                                                                                           \
        long long zt_a_ = (long long)(a), zt_b_ = (long long)(b);                                  \
        if (zt_a_ != zt_b_)                                                                        \
            ZT_FAIL_("%s == %s: %lld != %lld", #a, #b, zt_a_, zt_b_);                              \
    } while (0)

#define ZT_EQ_HEX(a, b)                                                                            \
    do {                                                                                           \
        unsigned long long zt_a_ = (unsigned long long)(uint32_t)(a);                              \
        unsigned long long zt_b_ = (unsigned long long)(uint32_t)(b);                              \
        if (zt_a_ != zt_b_)                                                                        \
            ZT_FAIL_("%s == %s: 0x%08llX != 0x%08llX", #a, #b, zt_a_, zt_b_);                      \
    } while (0)

#define ZT_EQ_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *zt_a_ = (a), *zt_b_ = (b);                                                     \
        if (!zt_a_ || !zt_b_ || strcmp(zt_a_, zt_b_) != 0)                                         \
            ZT_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, zt_a_ ? zt_a_ : "(null)",               \
                     zt_b_ ? zt_b_ : "(null)");                                                    \
    } while (0)

#define ZT_CONTAINS(hay, needle)                                                                   \
    do {                                                                                           \
        const char *zt_h_ = (hay), *zt_n_ = (needle);                                              \
        if (!zt_h_ || !strstr(zt_h_, zt_n_))                                                       \
            ZT_FAIL_("%s contains \"%s\": got \"%s\"", #hay, zt_n_, zt_h_ ? zt_h_ : "(null)");     \
    } while (0)

/* strstr, ASCII letters in any case (ids: HNS may print them upper case). */
static inline const char *zt_strcasestr(const char *hay, const char *needle)
{
    for (; *hay; hay++) {
        size_t i = 0;
        while (needle[i] && hay[i] &&
               (hay[i] == needle[i] || ((hay[i] | 0x20) == (needle[i] | 0x20) && ((hay[i] | 0x20) >= 'a') &&
                                        ((hay[i] | 0x20) <= 'z'))))
            i++;
        if (!needle[i])
            return hay;
    }
    return *needle ? NULL : hay;
}

#define ZT_CONTAINS_NOCASE(hay, needle)                                                            \
    do {                                                                                           \
        const char *zt_h_ = (hay), *zt_n_ = (needle);                                              \
        if (!zt_h_ || !zt_strcasestr(zt_h_, zt_n_))                                                \
            ZT_FAIL_("%s contains \"%s\" (any case): got \"%s\"", #hay, zt_n_, zt_h_ ? zt_h_ : "(null)"); \
    } while (0)

static int zt_run(const zt_case *cases, size_t n, int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0); /* Windows fully buffers pipes; keep output ordered */
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < n; i++) {
        if (filter && !strstr(cases[i].name, filter))
            continue;
        int before = zt_failed_checks;
        zt_skip_reason[0] = '\0';
        cases[i].fn();
        if (zt_failed_checks != before) {
            failed++;
            printf("FAIL %s\n", cases[i].name);
        } else if (zt_skip_reason[0]) {
            skipped++;
            printf("skip %s: %s\n", cases[i].name, zt_skip_reason);
        } else {
            passed++;
            printf("ok   %s\n", cases[i].name);
        }
    }
    if (skipped)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("%d passed, %d failed\n", passed, failed);
    if (passed + failed + skipped == 0) {
        printf("no test case matched\n");
        return 1;
    }
    if (failed)
        return 1;
    return passed == 0 && skipped ? ZT_ALL_SKIPPED : 0;
}

#define ZT_CASE(fn) {#fn, fn}
#define ZT_MAIN(cases)                                                                             \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return zt_run(cases, sizeof(cases) / sizeof((cases)[0]), argc, argv);                      \
    }

#endif /* ZT_H */

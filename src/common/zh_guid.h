/* SPDX-License-Identifier: MIT */
/* zh_guid.h - GUIDs as HCS and HCN use them.
 *
 * HCS takes ids as strings; HCN takes a GUID struct (REFGUID) and answers with strings in
 * either case and with or without braces. Parsing accepts "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
 * and "{...}", in any case; formatting writes the bare form, lower or upper case, braced on
 * request. zh_guid has the layout of the Win32 GUID.
 */
#ifndef ZH_GUID_H
#define ZH_GUID_H

#include <stddef.h>
#include <stdint.h>

#include "zh_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct zh_guid {
    uint32_t data1;
    uint16_t data2;
    uint16_t data3;
    uint8_t data4[8];
} zh_guid;

#define ZH_GUID_STRLEN 36        /* bare form, without terminator */
#define ZH_GUID_BUFSIZE 39       /* braced form plus terminator */

enum {
    ZH_GUID_LOWER = 0,
    ZH_GUID_UPPER = 1 << 0,
    ZH_GUID_BRACES = 1 << 1
};

/* Parses exactly one GUID (nothing before or after). Returns 0, or -1 with an
 * invalid-argument error naming what was wrong. */
int zh_guid_parse(const char *s, zh_guid *out, zh_error **err);

/* Writes the GUID into buf (at least ZH_GUID_BUFSIZE bytes) and returns buf. */
char *zh_guid_format(const zh_guid *g, unsigned flags, char buf[ZH_GUID_BUFSIZE]);

int zh_guid_equal(const zh_guid *a, const zh_guid *b);
int zh_guid_is_nil(const zh_guid *g);

/* A random (version 4) GUID from the system's CSPRNG. Returns 0 or -1. */
int zh_guid_random(zh_guid *out, zh_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZH_GUID_H */

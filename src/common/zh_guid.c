/* SPDX-License-Identifier: MIT */
/* zh_guid.c - GUID parse/format/random. */
#include "zh_guid.h"

#include <string.h>

#include "zh_hresult.h"

#ifdef _WIN32
#include <winsock2.h>
#include <windows.h>
#include <bcrypt.h>
#else
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#endif

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int zh_guid_parse(const char *s, zh_guid *out, zh_error **err)
{
    if (!s)
        return zh_error_set(err, ZH_E_INVALIDARG, NULL, "GUID: NULL string");
    size_t len = strlen(s);
    const char *p = s;
    if (len == ZH_GUID_STRLEN + 2 && s[0] == '{' && s[len - 1] == '}') {
        p = s + 1;
    } else if (len != ZH_GUID_STRLEN) {
        return zh_error_set(err, ZH_E_INVALIDARG, NULL,
                            "GUID \"%.64s\": expected 36 characters (or 38 with braces), got %zu",
                            s, len);
    }
    uint8_t bytes[16];
    size_t nb = 0;
    for (size_t i = 0; i < ZH_GUID_STRLEN; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (p[i] != '-')
                return zh_error_set(err, ZH_E_INVALIDARG, NULL,
                                    "GUID \"%.64s\": expected '-' at position %zu", s, i + (size_t)(p - s));
            continue;
        }
        int hi = hexval(p[i]), lo = hexval(p[i + 1]);
        if (hi < 0 || lo < 0)
            return zh_error_set(err, ZH_E_INVALIDARG, NULL,
                                "GUID \"%.64s\": not a hex digit at position %zu", s,
                                i + (size_t)(p - s) + (hi < 0 ? 0 : 1));
        bytes[nb++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    out->data1 = (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
    out->data2 = (uint16_t)(bytes[4] << 8 | bytes[5]);
    out->data3 = (uint16_t)(bytes[6] << 8 | bytes[7]);
    memcpy(out->data4, bytes + 8, 8);
    return 0;
}

char *zh_guid_format(const zh_guid *g, unsigned flags, char buf[ZH_GUID_BUFSIZE])
{
    const char *digits = (flags & ZH_GUID_UPPER) ? "0123456789ABCDEF" : "0123456789abcdef";
    uint8_t bytes[16] = {
        (uint8_t)(g->data1 >> 24), (uint8_t)(g->data1 >> 16), (uint8_t)(g->data1 >> 8), (uint8_t)g->data1,
        (uint8_t)(g->data2 >> 8), (uint8_t)g->data2, (uint8_t)(g->data3 >> 8), (uint8_t)g->data3,
    };
    memcpy(bytes + 8, g->data4, 8);
    char *p = buf;
    if (flags & ZH_GUID_BRACES)
        *p++ = '{';
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = digits[bytes[i] >> 4];
        *p++ = digits[bytes[i] & 0xF];
    }
    if (flags & ZH_GUID_BRACES)
        *p++ = '}';
    *p = '\0';
    return buf;
}

int zh_guid_equal(const zh_guid *a, const zh_guid *b)
{
    return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
           memcmp(a->data4, b->data4, 8) == 0;
}

int zh_guid_is_nil(const zh_guid *g)
{
    static const zh_guid nil;
    return zh_guid_equal(g, &nil);
}

static int random_bytes(uint8_t *buf, size_t len, zh_error **err)
{
#ifdef _WIN32
    NTSTATUS st = BCryptGenRandom(NULL, buf, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
    if (st != 0)
        return zh_error_set(err, ZH_E_FAIL, "BCryptGenRandom", "no random bytes (NTSTATUS 0x%08lX)",
                            (unsigned long)st);
    return 0;
#else
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return zh_error_set(err, ZH_E_FAIL, "open", "/dev/urandom: %s", strerror(errno));
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return zh_error_set(err, ZH_E_FAIL, "read", "/dev/urandom: short read");
        }
        got += (size_t)n;
    }
    close(fd);
    return 0;
#endif
}

int zh_guid_random(zh_guid *out, zh_error **err)
{
    uint8_t b[16];
    if (random_bytes(b, sizeof b, err) < 0)
        return -1;
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40); /* version 4 */
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80); /* RFC 4122 variant */
    out->data1 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    out->data2 = (uint16_t)(b[4] << 8 | b[5]);
    out->data3 = (uint16_t)(b[6] << 8 | b[7]);
    memcpy(out->data4, b + 8, 8);
    return 0;
}

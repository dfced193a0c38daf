/* SPDX-License-Identifier: MIT */
/* sim_ip.c - IPv4/IPv6 parsing, formatting and prefix arithmetic. */
#include "sim_ip.h"

#include <stdio.h>
#include <string.h>

static int parse_v4(const char *s, uint8_t out[4])
{
    for (int part = 0; part < 4; part++) {
        if (*s < '0' || *s > '9')
            return -1;
        unsigned v = 0, digits = 0;
        while (*s >= '0' && *s <= '9') {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || v > 255)
                return -1;
        }
        if (digits > 1 && s[-(int)digits] == '0')
            return -1; /* no leading zeros */
        out[part] = (uint8_t)v;
        if (part < 3 && *s++ != '.')
            return -1;
    }
    return *s == '\0' ? 0 : -1;
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_v6(const char *s, uint8_t out[16])
{
    uint16_t words[8];
    int n = 0, gap = -1;
    if (s[0] == ':') {
        if (s[1] != ':')
            return -1;
        s++;
    }
    while (*s) {
        if (*s == ':') {
            if (gap >= 0)
                return -1;
            gap = n;
            s++;
            if (!*s)
                break;
            continue;
        }
        /* an embedded IPv4 tail */
        const char *colon = strchr(s, ':');
        if (!colon && strchr(s, '.')) {
            uint8_t v4[4];
            if (n > 6 || parse_v4(s, v4) < 0)
                return -1;
            words[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
            words[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
            s += strlen(s);
            break;
        }
        unsigned v = 0;
        int digits = 0;
        while (hexv(*s) >= 0) {
            v = v << 4 | (unsigned)hexv(*s++);
            if (++digits > 4)
                return -1;
        }
        if (digits == 0 || n >= 8)
            return -1;
        words[n++] = (uint16_t)v;
        if (*s == ':') {
            s++;
            if (*s == ':') {
                if (gap >= 0)
                    return -1;
                gap = n;
                s++;
            } else if (!*s) {
                return -1;
            }
        } else if (*s) {
            return -1;
        }
    }
    if (gap < 0 && n != 8)
        return -1;
    if (gap >= 0 && n > 7)
        return -1;
    uint16_t full[8] = {0};
    int tail = gap >= 0 ? n - gap : 0;
    for (int i = 0; i < (gap >= 0 ? gap : n); i++)
        full[i] = words[i];
    for (int i = 0; i < tail; i++)
        full[8 - tail + i] = words[gap + i];
    for (int i = 0; i < 8; i++) {
        out[2 * i] = (uint8_t)(full[i] >> 8);
        out[2 * i + 1] = (uint8_t)full[i];
    }
    return 0;
}

int sim_ip_parse(const char *s, sim_ip *out)
{
    memset(out, 0, sizeof *out);
    if (!s || !*s)
        return -1;
    if (strchr(s, ':')) {
        out->v6 = 1;
        return parse_v6(s, out->bytes);
    }
    return parse_v4(s, out->bytes);
}

void sim_ip_format(const sim_ip *ip, char *buf, size_t n)
{
    if (!ip->v6) {
        snprintf(buf, n, "%u.%u.%u.%u", ip->bytes[0], ip->bytes[1], ip->bytes[2], ip->bytes[3]);
        return;
    }
    /* RFC 5952: lower case, the longest run of zero words (2+) as "::" */
    uint16_t w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (uint16_t)(ip->bytes[2 * i] << 8 | ip->bytes[2 * i + 1]);
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < 8 && k < n; i++) {
        if (i == best) {
            k += (size_t)snprintf(buf + k, n - k, "::");
            i += best_len - 1;
            continue;
        }
        k += (size_t)snprintf(buf + k, n - k, "%s%x", (i > 0 && i != best + best_len) ? ":" : "", w[i]);
    }
}

static unsigned bits(const sim_ip *ip)
{
    return ip->v6 ? 128 : 32;
}

static void mask(sim_ip *ip, unsigned len)
{
    for (unsigned b = len; b < bits(ip); b++)
        ip->bytes[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

int sim_prefix_parse(const char *s, int lenient, sim_prefix *out)
{
    char addr[64];
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash || (size_t)(slash - s) >= sizeof addr)
        return -1;
    memcpy(addr, s, (size_t)(slash - s));
    addr[slash - s] = '\0';
    if (sim_ip_parse(addr, &out->addr) < 0)
        return -1;
    const char *p = slash + 1;
    unsigned len = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
        len = len * 10 + (unsigned)(*p++ - '0');
        if (++digits > 3)
            return -1;
    }
    if (!digits || *p || len > bits(&out->addr))
        return -1;
    out->len = len;
    sim_ip masked = out->addr;
    mask(&masked, len);
    if (!lenient && !sim_ip_equal(&masked, &out->addr))
        return -1;
    out->addr = masked;
    return 0;
}

int sim_ip_equal(const sim_ip *a, const sim_ip *b)
{
    return a->v6 == b->v6 && memcmp(a->bytes, b->bytes, a->v6 ? 16 : 4) == 0;
}

int sim_prefix_contains(const sim_prefix *p, const sim_ip *ip)
{
    if (p->addr.v6 != ip->v6)
        return 0;
    sim_ip m = *ip;
    mask(&m, p->len);
    return sim_ip_equal(&m, &p->addr);
}

int sim_prefix_is_default(const sim_prefix *p)
{
    return p->len == 0;
}

uint64_t sim_prefix_size(const sim_prefix *p)
{
    unsigned host = bits(&p->addr) - p->len;
    return host >= 32 ? ((uint64_t)1 << 32) : ((uint64_t)1 << host);
}

int sim_prefix_host(const sim_prefix *p, uint64_t n, sim_ip *out)
{
    if (n >= sim_prefix_size(p))
        return -1;
    *out = p->addr;
    unsigned nbytes = p->addr.v6 ? 16 : 4;
    uint64_t carry = n;
    for (int i = (int)nbytes - 1; i >= 0 && carry; i--) {
        uint64_t v = out->bytes[i] + (carry & 0xFF);
        out->bytes[i] = (uint8_t)v;
        carry = (carry >> 8) + (v >> 8);
    }
    return 0;
}

int sim_prefix_offset(const sim_prefix *p, const sim_ip *ip, uint64_t *n)
{
    if (!sim_prefix_contains(p, ip))
        return -1;
    unsigned nbytes = p->addr.v6 ? 16 : 4;
    uint64_t v = 0;
    for (unsigned i = nbytes > 8 ? nbytes - 8 : 0; i < nbytes; i++)
        v = v << 8 | (uint8_t)(ip->bytes[i] - p->addr.bytes[i]);
    /* only the low 64 bits count: sizes saturate at 2^32 (sim_prefix_size) */
    *n = v;
    return 0;
}

/* SPDX-License-Identifier: MIT */
/* sim_ip.h - IPv4/IPv6 addresses and prefixes for the HCN simulator (no OS calls). */
#ifndef SIM_IP_H
#define SIM_IP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sim_ip {
    int v6;            /* 0: IPv4 in bytes[0..3]; 1: IPv6 */
    uint8_t bytes[16];
} sim_ip;

typedef struct sim_prefix {
    sim_ip addr;       /* the network address (host bits cleared) */
    unsigned len;      /* prefix length */
} sim_prefix;

int sim_ip_parse(const char *s, sim_ip *out);              /* 0 or -1 */
void sim_ip_format(const sim_ip *ip, char *buf, size_t n); /* at least 46 bytes */
/* "10.0.0.0/24"; host bits must be zero unless `lenient`. 0 or -1. */
int sim_prefix_parse(const char *s, int lenient, sim_prefix *out);
int sim_prefix_contains(const sim_prefix *p, const sim_ip *ip);
int sim_ip_equal(const sim_ip *a, const sim_ip *b);
int sim_prefix_is_default(const sim_prefix *p);            /* 0.0.0.0/0 or ::/0 */
/* The host with index `n` inside the prefix (n = 0 is the network address). -1 when out of range. */
int sim_prefix_host(const sim_prefix *p, uint64_t n, sim_ip *out);
/* The index of `ip` inside the prefix (sim_prefix_host's n). -1 when outside. */
int sim_prefix_offset(const sim_prefix *p, const sim_ip *ip, uint64_t *n);
/* Number of addresses in the prefix, saturated at 2^32. */
uint64_t sim_prefix_size(const sim_prefix *p);

#endif /* SIM_IP_H */

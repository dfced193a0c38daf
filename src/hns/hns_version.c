/* SPDX-License-Identifier: MIT */
/* hns_version.c - zhns_version(). */
#include <zhns/zhns.h>

const char *zhns_version(void)
{
    return ZHNS_VERSION_STRING;
}

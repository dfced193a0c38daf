/* SPDX-License-Identifier: MIT */
/* hcs_version.c - zhcs_version(). */
#include <zhcs/zhcs.h>

const char *zhcs_version(void)
{
    return ZHCS_VERSION_STRING;
}

/* SPDX-License-Identifier: MIT */
/* hns_error.c - zhns_error_*: the public face of the common error value. */
#include <zhns/error.h>

#define ZH_API_(name) zhns_##name
#define ZH_API_EXPORT ZHNS_API
#define ZH_API_ERROR zhns_error
#include "zh_error_api.inc"

_Static_assert((int)ZHNS_ERROR_CLOSED == (int)ZH_CAT_CLOSED && ZH_CAT_COUNT == 16,
               "zhns_error_category mirrors zh_category");

/* SPDX-License-Identifier: MIT */
/* hcs_error.c - zhcs_error_*: the public face of the common error value. */
#include <zhcs/error.h>

#define ZH_API_(name) zhcs_##name
#define ZH_API_EXPORT ZHCS_API
#define ZH_API_ERROR zhcs_error
#include "zh_error_api.inc"

_Static_assert((int)ZHCS_ERROR_CLOSED == (int)ZH_CAT_CLOSED && ZH_CAT_COUNT == 16,
               "zhcs_error_category mirrors zh_category");

/* SPDX-License-Identifier: MIT */
/* zhcs/enumerate.h - the compute systems on the host (HcsEnumerateComputeSystems). */
#ifndef ZHCS_ENUMERATE_H
#define ZHCS_ENUMERATE_H

#include <stddef.h>
#include <stdint.h>

#include <zhcs/error.h>
#include <zhcs/export.h>
#include <zhcs/schema.h>
#include <zhcs/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One listed system. The strings point into `properties` (NULL when HCS left them out). */
typedef struct zhcs_system_info {
    const char *id;
    const char *name;
    const char *owner;
    const char *system_type; /* "Container", "VirtualMachine" */
    const char *state;       /* "Created", "Running", "Paused", "Stopped", "SavedAsTemplate" */
    const char *runtime_id;
    zhcs_Properties *properties; /* everything HCS said about it */
} zhcs_system_info;

typedef struct zhcs_system_list {
    zhcs_system_info *items;
    size_t count;
} zhcs_system_list;

ZHCS_API void zhcs_system_list_free(zhcs_system_list *list); /* accepts NULL */

/* Lists systems. `query` NULL lists all; a SystemQuery narrows by Ids, Names, Types and
 * Owners (HCS matches them). */
ZHCS_API int zhcs_list(zhcs_system_list **out, zhcs_service *svc, const zhcs_SystemQuery *query, uint32_t timeout_ms,
                       zhcs_error **err);
/* The systems whose Owner is exactly `owner` (an empty list when none). */
ZHCS_API int zhcs_list_by_owner(zhcs_system_list **out, zhcs_service *svc, const char *owner, uint32_t timeout_ms,
                                zhcs_error **err);
/* The raw JSON array HCS returned, for a raw query (NULL: all). */
ZHCS_API int zhcs_list_json(char **out, zhcs_service *svc, const char *query_json, uint32_t timeout_ms,
                            zhcs_error **err);

#ifdef __cplusplus
}
#endif
#endif /* ZHCS_ENUMERATE_H */

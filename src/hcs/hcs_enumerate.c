/* SPDX-License-Identifier: MIT */
/* hcs_enumerate.c - zhcs_list: HcsEnumerateComputeSystems, with typed results. */
#include <stdlib.h>
#include <string.h>

#include "hcs_internal.h"
#include "zh_json.h"

void zhcs_system_list_free(zhcs_system_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->count; i++)
        zhcs_Properties_free(list->items[i].properties);
    free(list->items);
    free(list);
}

int zhcs_list_json(char **out, zhcs_service *svc_h, const char *query_json, uint32_t timeout_ms, zhcs_error **err)
{
    static const char fn[] = "zhcs_list";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    if (hcs_check_json(query_json, fn, "system query", err) < 0)
        return -1;
    hcs_service *s = hcs_service_get(svc_h, fn, err);
    if (!s)
        return -1;
    int rc = -1;
    zh_wchar *w = NULL;
    zh_raw_HcsEnumerateComputeSystems_fn enumerate = ZH_HCS(s->lib, HcsEnumerateComputeSystems, err);
    hcs_op *op = NULL;
    if (enumerate && hcs_wide(query_json, &w, fn, "system query", err) == 0 &&
        (op = hcs_op_new(s, "HcsEnumerateComputeSystems", false, err)) != NULL) {
        zh_hresult hr = enumerate(w, op->raw); /* w: ours, alive across the call */
        if (hcs_op_started(op, hr, err) == 0)
            rc = hcs_op_finish(op, timeout_ms, out, err);
        else
            hcs_op_unref(op);
    }
    free(w);
    if (rc == 0 && !*out) {
        *out = malloc(3);
        if (*out)
            memcpy(*out, "[]", 3);
        else
            rc = zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    }
    hcs_service_unref(s);
    return rc;
}

static const char *state_text(const zhcs_Properties *p)
{
    static const char *const names[] = {"Created", "Running", "Paused", "Stopped", "SavedAsTemplate"};
    if (!p->has_State)
        return NULL;
    if (p->State >= 0 && (size_t)p->State < sizeof names / sizeof names[0])
        return names[p->State];
    return NULL;
}

/* Parses HCS's array of Properties into a list. */
static int parse_list(const char *json, zhcs_system_list **out, const char *fn, zh_error **err)
{
    zh_arena a = {0};
    zh_jv *arr = zh_json_parse(&a, json, strlen(json), "system list", err);
    if (!arr) {
        zh_arena_free(&a);
        return -1;
    }
    if (arr->type != ZH_JARRAY) {
        zh_arena_free(&a);
        return zh_error_set_cat(err, ZH_E_FAIL, ZH_CAT_INVALID_JSON, fn, "HCS returned %s, not an array of systems",
                                zh_json_type_name(arr->type));
    }
    zhcs_system_list *list = calloc(1, sizeof *list);
    if (!list || (arr->count && !(list->items = calloc(arr->count, sizeof *list->items)))) {
        free(list);
        zh_arena_free(&a);
        return zh_error_set_cat(err, ZH_E_OUTOFMEMORY, ZH_CAT_OUT_OF_MEMORY, fn, "out of memory");
    }
    for (zh_jv *e = arr->first; e; e = e->next) {
        zhcs_Properties *p = zhcs_Properties_parse(e->raw, e->raw_len, err);
        if (!p) {
            zhcs_system_list_free(list);
            zh_arena_free(&a);
            return -1;
        }
        zhcs_system_info *info = &list->items[list->count++];
        info->properties = p;
        info->id = p->Id;
        info->name = p->Name;
        info->owner = p->Owner;
        info->runtime_id = p->RuntimeId;
        info->system_type = !p->has_SystemType ? NULL
                            : p->SystemType == ZHCS_SYSTEMTYPE_CONTAINER ? "Container"
                            : p->SystemType == ZHCS_SYSTEMTYPE_VIRTUALMACHINE ? "VirtualMachine"
                                                                               : NULL;
        info->state = state_text(p);
    }
    zh_arena_free(&a);
    *out = list;
    return 0;
}

int zhcs_list(zhcs_system_list **out, zhcs_service *svc, const zhcs_SystemQuery *query, uint32_t timeout_ms,
              zhcs_error **err)
{
    static const char fn[] = "zhcs_list";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    char *q = NULL;
    if (query && !(q = zhcs_SystemQuery_emit(query, err)))
        return -1;
    char *json = NULL;
    int rc = zhcs_list_json(&json, svc, q, timeout_ms, err);
    free(q);
    if (rc == 0)
        rc = parse_list(json, out, fn, err);
    free(json);
    return rc;
}

int zhcs_list_by_owner(zhcs_system_list **out, zhcs_service *svc, const char *owner, uint32_t timeout_ms,
                       zhcs_error **err)
{
    static const char fn[] = "zhcs_list_by_owner";
    if (!out)
        return hcs_null_arg(fn, "out", err);
    *out = NULL;
    if (!owner)
        return hcs_null_arg(fn, "owner", err);
    zhcs_SystemQuery q;
    memset(&q, 0, sizeof q);
    char *owners[1] = {(char *)owner};
    q.Owners = owners;
    q.Owners_count = 1;
    zhcs_system_list *list = NULL;
    if (zhcs_list(&list, svc, &q, timeout_ms, err) < 0)
        return -1;
    /* HCS filters already; keep only exact matches in case a build compares loosely */
    size_t kept = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (list->items[i].owner && strcmp(list->items[i].owner, owner) == 0)
            list->items[kept++] = list->items[i];
        else
            zhcs_Properties_free(list->items[i].properties);
    }
    list->count = kept;
    *out = list;
    return 0;
}

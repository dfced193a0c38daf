/* SPDX-License-Identifier: MIT */
/* zh_handle.c - the process-wide handle table: slots with generations.
 *
 * A handle packs (generation << ZH_HANDLE_INDEX_BITS) | (index + 1). Free slots form a
 * FIFO list, so a slot is reused as late as possible; with its generation bumped at every
 * reuse, a stale handle matches a new object only after the generation wraps. The table
 * grows by doubling and its memory is never given back (slots are small).
 */
#include "zh_handle.h"

#include <stdlib.h>

#include "zh_thread.h"

#define ZH_HANDLE_INDEX_BITS 20u
#define ZH_HANDLE_MAX_SLOTS ((size_t)1 << ZH_HANDLE_INDEX_BITS) /* a million live handles */
#define ZH_HANDLE_GEN_MASK ((((uintptr_t)1) << (sizeof(uintptr_t) * 8 - ZH_HANDLE_INDEX_BITS)) - 1)

typedef struct slot {
    void *obj;
    uintptr_t gen;
    int type;        /* 0: free */
    size_t next_free; /* index + 1 of the next free slot, 0 at the end */
} slot;

static zh_mutex table_lock = ZH_MUTEX_INIT;
static slot *slots;
static size_t slot_count, live;
static size_t free_head, free_tail; /* index + 1; 0 when empty */

static int grow(void)
{
    size_t n = slot_count ? slot_count * 2 : 64;
    if (n > ZH_HANDLE_MAX_SLOTS)
        n = ZH_HANDLE_MAX_SLOTS;
    if (n <= slot_count)
        return -1;
    slot *grown = realloc(slots, n * sizeof *grown);
    if (!grown)
        return -1;
    slots = grown;
    for (size_t i = slot_count; i < n; i++) {
        slots[i].obj = NULL;
        slots[i].gen = 1;
        slots[i].type = 0;
        slots[i].next_free = 0;
        if (free_tail)
            slots[free_tail - 1].next_free = i + 1;
        else
            free_head = i + 1;
        free_tail = i + 1;
    }
    slot_count = n;
    return 0;
}

uintptr_t zh_handle_register(void *obj, int type)
{
    if (!obj || type <= 0)
        return 0;
    zh_mutex_lock(&table_lock);
    if (!free_head && grow() < 0) {
        zh_mutex_unlock(&table_lock);
        return 0;
    }
    size_t i = free_head - 1;
    free_head = slots[i].next_free;
    if (!free_head)
        free_tail = 0;
    slots[i].obj = obj;
    slots[i].type = type;
    slots[i].next_free = 0;
    live++;
    uintptr_t h = (slots[i].gen << ZH_HANDLE_INDEX_BITS) | (uintptr_t)(i + 1);
    zh_mutex_unlock(&table_lock);
    return h;
}

/* The slot a handle names if it is live and of `type` (table lock held). */
static slot *find(uintptr_t h, int type)
{
    size_t i = (size_t)(h & ((((uintptr_t)1) << ZH_HANDLE_INDEX_BITS) - 1));
    uintptr_t gen = (h >> ZH_HANDLE_INDEX_BITS) & ZH_HANDLE_GEN_MASK;
    if (i == 0 || i > slot_count)
        return NULL;
    slot *s = &slots[i - 1];
    return s->type == type && s->gen == gen ? s : NULL;
}

void *zh_handle_get(uintptr_t h, int type, void (*ref)(void *obj))
{
    if (!h)
        return NULL;
    zh_mutex_lock(&table_lock);
    slot *s = find(h, type);
    void *obj = s ? s->obj : NULL;
    if (obj && ref)
        ref(obj);
    zh_mutex_unlock(&table_lock);
    return obj;
}

void *zh_handle_tryget(uintptr_t h, int type, int (*tryref)(void *obj))
{
    if (!h || !tryref)
        return NULL;
    zh_mutex_lock(&table_lock);
    slot *s = find(h, type);
    void *obj = s ? s->obj : NULL;
    if (obj && !tryref(obj))
        obj = NULL;
    zh_mutex_unlock(&table_lock);
    return obj;
}

void *zh_handle_unregister(uintptr_t h, int type)
{
    if (!h)
        return NULL;
    zh_mutex_lock(&table_lock);
    slot *s = find(h, type);
    void *obj = NULL;
    if (s) {
        obj = s->obj;
        s->obj = NULL;
        s->type = 0;
        s->gen = (s->gen + 1) & ZH_HANDLE_GEN_MASK;
        if (!s->gen)
            s->gen = 1;
        size_t i = (size_t)(s - slots) + 1;
        if (free_tail)
            slots[free_tail - 1].next_free = i;
        else
            free_head = i;
        free_tail = i;
        live--;
    }
    zh_mutex_unlock(&table_lock);
    return obj;
}

size_t zh_handle_live(void)
{
    zh_mutex_lock(&table_lock);
    size_t n = live;
    zh_mutex_unlock(&table_lock);
    return n;
}

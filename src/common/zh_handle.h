/* SPDX-License-Identifier: MIT */
/* zh_handle.h - handle values for the public API that survive misuse.
 *
 * A public handle (zhcs_system *, zhcs_process *, ...) is not the object's address but a
 * value naming a slot of a process-wide table plus the slot's generation. Looking a handle
 * up checks both, so a closed handle - even one whose slot was reused since - is answered
 * with a clear CLOSED error instead of touching freed memory.
 *
 * The table lock is held only while a slot is read or written; `ref` (called under it)
 * must only bump an atomic reference count.
 */
#ifndef ZH_HANDLE_H
#define ZH_HANDLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Registers `obj` under `type` (a small non-zero number of the caller's choosing).
 * Returns the handle value, or 0 when out of memory or out of slots. */
uintptr_t zh_handle_register(void *obj, int type);

/* The object a live handle names, after calling ref(obj); NULL for 0, a closed handle, a
 * handle of another type, or a value that never was a handle. */
void *zh_handle_get(uintptr_t h, int type, void (*ref)(void *obj));

/* Like zh_handle_get, for objects that may be on their way out: `tryref` (called under the
 * table lock) returns 0 when it could not take a reference, and then NULL is returned. */
void *zh_handle_tryget(uintptr_t h, int type, int (*tryref)(void *obj));

/* Ends the handle: later lookups fail. Returns the object, or NULL when the handle was not
 * live (closed twice, or never a handle). */
void *zh_handle_unregister(uintptr_t h, int type);

/* How many handles are live (for leak checks in tests). */
size_t zh_handle_live(void);

#ifdef __cplusplus
}
#endif
#endif /* ZH_HANDLE_H */

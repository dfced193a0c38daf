/* SPDX-License-Identifier: MIT */
/* zh_raw.h - the raw entry-point tables and the libraries that provide them.
 *
 * A table is one struct of function pointers per DLL: zh_hcs_table (computecore.dll),
 * zh_hcn_table (computenetwork.dll) and zh_hcst_table (computestorage.dll, container layers), with Microsoft's prototypes (zh_raw_exports.h). A
 * zh_raw_lib hands out its entries by id:
 *   - the win32 backend loads the real DLL from system32 and resolves each export lazily on
 *     first use; a missing DLL or export is an "unsupported" error naming the function;
 *   - a table backend wraps a complete (or partial) table, e.g. the simulator's.
 * The wrappers call through ZH_HCS()/ZH_HCN() and never see which backend answers.
 *
 * Strings the raw calls hand back are freed with zh_raw_free_string(), which knows the
 * allocator: HCS result documents in the one switchable place (ZH_HCS_RESULT_ALLOCATOR),
 * HCN out-strings and ErrorRecords with CoTaskMemFree, a table backend with its own.
 */
#ifndef ZH_RAW_H
#define ZH_RAW_H

#include <stddef.h>

#include "zh_error.h"
#include "zh_raw_exports.h"

#ifdef __cplusplus
extern "C" {
#endif

/* zh_raw_<Name>_fn: the pointer type of each entry point. */
#define ZH_RAW_FN_TYPEDEF_(ret, name, params, args) typedef ret(ZH_WINAPI *zh_raw_##name##_fn) params;
ZH_HCS_EXPORTS(ZH_RAW_FN_TYPEDEF_)
ZH_HCN_EXPORTS(ZH_RAW_FN_TYPEDEF_)
ZH_HCST_EXPORTS(ZH_RAW_FN_TYPEDEF_)
#undef ZH_RAW_FN_TYPEDEF_

#define ZH_RAW_MEMBER_(ret, name, params, args) zh_raw_##name##_fn name;
typedef struct zh_hcs_table {
    ZH_HCS_EXPORTS(ZH_RAW_MEMBER_)
} zh_hcs_table;
typedef struct zh_hcn_table {
    ZH_HCN_EXPORTS(ZH_RAW_MEMBER_)
} zh_hcn_table;
typedef struct zh_hcst_table {
    ZH_HCST_EXPORTS(ZH_RAW_MEMBER_)
} zh_hcst_table;
#undef ZH_RAW_MEMBER_

#define ZH_RAW_ID_HCS_(ret, name, params, args) ZH_HCS_ID_##name,
#define ZH_RAW_ID_HCN_(ret, name, params, args) ZH_HCN_ID_##name,
#define ZH_RAW_ID_HCST_(ret, name, params, args) ZH_HCST_ID_##name,
enum zh_hcs_id { ZH_HCS_EXPORTS(ZH_RAW_ID_HCS_) ZH_HCS_ID_COUNT };
enum zh_hcn_id { ZH_HCN_EXPORTS(ZH_RAW_ID_HCN_) ZH_HCN_ID_COUNT };
enum zh_hcst_id { ZH_HCST_EXPORTS(ZH_RAW_ID_HCST_) ZH_HCST_ID_COUNT };
#undef ZH_RAW_ID_HCS_
#undef ZH_RAW_ID_HCN_
#undef ZH_RAW_ID_HCST_

/* How the strings a DLL hands back are freed. */
typedef enum zh_raw_allocator {
    ZH_RAW_ALLOC_HCS_RESULT = 1, /* HCS result documents: see ZH_HCS_RESULT_ALLOCATOR */
    ZH_RAW_ALLOC_COTASKMEM = 2   /* HCN out-strings and ErrorRecords; HcsGetLayerVhdMountPath */
} zh_raw_allocator;

/* What a table is: its DLL, its entries (names and offsets in the table struct). */
typedef struct zh_raw_spec {
    const char *dll_name;
    const char *service;          /* "HCS", "HCN" or "HCS storage", for messages */
    size_t count;
    const char *const *names;
    const size_t *offsets;
    zh_raw_allocator allocator;
    size_t declared_count;        /* the first entries are declared in the SDK header */
} zh_raw_spec;

extern const zh_raw_spec zh_raw_hcs_spec;
extern const zh_raw_spec zh_raw_hcn_spec;
extern const zh_raw_spec zh_raw_hcst_spec;

/* Index of `name` in the spec, or (size_t)-1. */
size_t zh_raw_spec_find(const zh_raw_spec *spec, const char *name);

typedef void (*zh_raw_fnptr)(void);
typedef void (*zh_raw_free_fn)(zh_wchar *s);

typedef struct zh_raw_lib zh_raw_lib;

/* The real service's DLL from system32 ("local"). Nothing is loaded until the first
 * entry is requested. Off Windows this fails with an unsupported error naming "sim:". */
zh_raw_lib *zh_raw_lib_open_local(const zh_raw_spec *spec, zh_error **err);

/* Windows only: the same with another DLL name from system32 (tests use it). */
zh_raw_lib *zh_raw_lib_open_system_dll(const zh_raw_spec *spec, const char *dll_name, zh_error **err);

/* A backend given as a table (the simulator, a test double). `table` must outlive the lib;
 * NULL entries are reported as unsupported. `free_string` frees what its calls return. */
zh_raw_lib *zh_raw_lib_from_table(const zh_raw_spec *spec, const void *table, zh_raw_free_fn free_string,
                                  const char *backend, zh_error **err);

void zh_raw_lib_free(zh_raw_lib *lib); /* accepts NULL */

const zh_raw_spec *zh_raw_lib_spec(const zh_raw_lib *lib);
/* "win32:computecore.dll", "table:sim", ... */
const char *zh_raw_lib_backend(const zh_raw_lib *lib);

/* The entry `id`, resolving it on first use; NULL with an unsupported error naming the
 * function when the backend lacks it. Thread-safe. */
zh_raw_fnptr zh_raw_get(zh_raw_lib *lib, size_t id, zh_error **err);

/* Frees a string a call of this lib returned, with the right allocator. Accepts NULL. */
void zh_raw_free_string(zh_raw_lib *lib, zh_wchar *s);

#define ZH_HCS(lib, Name, err) ((zh_raw_##Name##_fn)zh_raw_get((lib), ZH_HCS_ID_##Name, (err)))
#define ZH_HCN(lib, Name, err) ((zh_raw_##Name##_fn)zh_raw_get((lib), ZH_HCN_ID_##Name, (err)))
#define ZH_HCST(lib, Name, err) ((zh_raw_##Name##_fn)zh_raw_get((lib), ZH_HCST_ID_##Name, (err)))

#ifdef __cplusplus
}
#endif
#endif /* ZH_RAW_H */

/* SPDX-License-Identifier: MIT */
/* test_docs.h - the documents of tests/data/manifest.txt, compiled into the tests. */
#ifndef ZH_TEST_DOCS_H
#define ZH_TEST_DOCS_H

#include <stddef.h>

typedef struct zh_test_doc {
    const char *type; /* "hcs:ComputeSystem" */
    const char *file; /* "hcs/vm-uefi.json" */
    const char *text;
} zh_test_doc;

extern const zh_test_doc zh_test_docs[];
extern const size_t zh_test_doc_count;

#endif

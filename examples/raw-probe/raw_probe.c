/* SPDX-License-Identifier: MIT */
/* raw_probe.c - loads the raw HCS, HCN and HCS storage entry-point tables for the local services and
 * reports what it found: which DLL, and which exports this Windows build provides.
 *
 *   zh-raw-probe [-v]
 *
 * Off Windows there is no local service; the probe says so and how to use the simulator.
 * Exit status: 0 when the probe ran (whatever it found), 2 on bad usage.
 */
#include <stdio.h>
#include <string.h>

#include <zhcs/zhcs.h>
#include <zhns/zhns.h>

#include "zh_error.h"
#include "zh_raw.h"

static void probe(const zh_raw_spec *spec, int verbose)
{
    printf("%s (%s): %zu entry points in the table, %zu declared by the SDK header\n", spec->service,
           spec->dll_name, spec->count, spec->declared_count);
    zh_error *err = NULL;
    zh_raw_lib *lib = zh_raw_lib_open_local(spec, &err);
    if (!lib) {
        printf("  unavailable: %s\n", zh_error_message(err));
        zh_error_free(err);
        return;
    }
    size_t found = 0;
    char first_failure[512] = "";
    for (size_t i = 0; i < spec->count; i++) {
        zh_raw_fnptr fn = zh_raw_get(lib, i, &err);
        if (fn)
            found++;
        else if (!first_failure[0])
            zh_error_format(err, first_failure, sizeof first_failure);
        if (verbose)
            printf("  %-52s %s\n", spec->names[i], fn ? "present" : "missing");
        zh_error_free(err);
        err = NULL;
    }
    printf("  %s: %zu of %zu entry points present\n", zh_raw_lib_backend(lib), found, spec->count);
    if (first_failure[0])
        printf("  first missing: %s\n", first_failure);
    zh_raw_lib_free(lib);
}

int main(int argc, char **argv)
{
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0) {
            verbose = 1;
        } else {
            fprintf(stderr, "usage: %s [-v]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("zhcs %s / zhns %s raw-table probe\n", zhcs_version(), zhns_version());
    probe(&zh_raw_hcs_spec, verbose);
    probe(&zh_raw_hcn_spec, verbose);
    probe(&zh_raw_hcst_spec, verbose);
    return 0;
}

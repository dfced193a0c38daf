/* SPDX-License-Identifier: MIT */
/* bench_schema.c - parse and emit throughput of the generated schema types, next to
 * json-c's bare parse and serialisation of the same bytes (the floor a typed mapping adds
 * to). Run by scripts/bench.sh; results are recorded in docs/benchmarks.md.
 *
 *   bench_schema DATA_DIR [SECONDS_PER_CASE | --rounds N]
 *
 * Cases: Statistics; Properties with a 100-process ProcessList; the UEFI VM document and
 * a ComputeSystem with every member; 1,000 HCN endpoint documents. */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zhcs/schema.h>
#include <zhns/schema.h>

#include "generated/schema_samples.h"
#include "zh_schema.h"
#include "zh_str.h"
#include "zh_thread.h"

#ifdef ZH_BENCH_SIMDJSON
#include "bench_simdjson.h"
#endif

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#include <malloc.h>
static long long heap_bytes(void)
{
    return (long long)mallinfo2().uordblks;
}
#else
static long long heap_bytes(void)
{
    return -1;
}
#endif

/* Heap a parsed tree holds, per document: the typed tree next to json-c's, and the bytes of
 * the C structs of the typed tree. */
typedef struct memory_row {
    const char *name;
    double zh, jsonc, text, structs;
} memory_row;
static memory_row memory[8];
static size_t memory_rows;

typedef struct doc_set {
    const char *name;
    char **texts;
    size_t *lens;
    size_t count;
    size_t bytes;
} doc_set;

typedef void *(*parse_fn)(const char *json, size_t len);
typedef char *(*emit_fn)(const void *value);
typedef void (*free_fn)(void *value);

static char *read_file(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_schema: cannot open %s\n", path);
        exit(2);
    }
    zh_buf b = ZH_BUF_INIT(0);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        zh_buf_append(&b, chunk, n);
    fclose(f);
    return zh_buf_take(&b);
}

static doc_set single(const char *name, char *text)
{
    doc_set s = {name, malloc(sizeof(char *)), malloc(sizeof(size_t)), 1, strlen(text)};
    s.texts[0] = text;
    s.lens[0] = s.bytes;
    return s;
}

static double now_s(void)
{
    return (double)zh_monotonic_ns() / 1e9;
}

typedef struct job {
    const doc_set *set;
    void *simdjson;
    parse_fn parse;
    emit_fn emit;
    free_fn release;
    void **trees;
    struct json_object **jtrees;
} job;

/* `--rounds N`: every measurement runs exactly N rounds (for instruction counts under
 * callgrind, which a shared machine does not skew). */
static long fixed_rounds;

/* Runs `round` over the whole set repeatedly for at least `seconds`; returns sets per second. */
static double measure(double seconds, void (*round)(const job *), const job *j)
{
    double t0 = now_s(), t;
    size_t rounds = 0;
    do {
        round(j);
        rounds++;
        t = now_s() - t0;
    } while (fixed_rounds ? rounds < (size_t)fixed_rounds : t < seconds);
    return (double)rounds / t;
}

static void round_parse(const job *j)
{
    for (size_t i = 0; i < j->set->count; i++)
        j->release(j->parse(j->set->texts[i], j->set->lens[i]));
}

static void round_emit(const job *j)
{
    for (size_t i = 0; i < j->set->count; i++)
        free(j->emit(j->trees[i]));
}

static void round_jsonc_parse(const job *j)
{
    for (size_t i = 0; i < j->set->count; i++) {
        struct json_tokener *tok = json_tokener_new();
        json_object_put(json_tokener_parse_ex(tok, j->set->texts[i], (int)j->set->lens[i]));
        json_tokener_free(tok);
    }
}

#ifdef ZH_BENCH_SIMDJSON
static void round_simdjson_parse(const job *j)
{
    if (zh_bench_simdjson_round(j->simdjson) < 0) {
        fprintf(stderr, "bench_schema: simdjson rejects %s\n", j->set->name);
        exit(2);
    }
}
#endif

static void round_jsonc_serialise(const job *j)
{
    /* json-c serialises again on every call (into the object's own buffer) */
    for (size_t i = 0; i < j->set->count; i++)
        json_object_to_json_string_length(j->jtrees[i], JSON_C_TO_STRING_PLAIN, NULL);
}

static void report(const char *what, const doc_set *s, double sets_per_s)
{
    printf("| %-40s | %-12s | %9.1f | %12.0f |\n", s->name, what, sets_per_s * (double)s->bytes / 1e6,
           sets_per_s * (double)s->count);
}

static void bench(const doc_set *s, const char *type, parse_fn parse, emit_fn emit, free_fn release, double seconds)
{
    job j = {s, NULL, parse, emit, release, calloc(s->count, sizeof(void *)),
             calloc(s->count, sizeof(struct json_object *))};
    long long h0 = heap_bytes();
    for (size_t i = 0; i < s->count; i++)
        j.trees[i] = parse(s->texts[i], s->lens[i]);
    long long h1 = heap_bytes();
    for (size_t i = 0; i < s->count; i++)
        j.jtrees[i] = json_tokener_parse(s->texts[i]);
    long long h2 = heap_bytes();
    for (size_t i = 0; i < s->count; i++) {
        if (!j.trees[i] || !j.jtrees[i]) {
            fprintf(stderr, "bench_schema: %s does not parse\n", s->name);
            exit(2);
        }
    }
    const zh_stype *t = zh_schema_family_find(strncmp(type, "hcn:", 4) == 0 ? &zh_schema_hcn : &zh_schema_hcs,
                                              strchr(type, ':') + 1);
    if (h0 >= 0 && t && memory_rows < sizeof memory / sizeof memory[0])
        memory[memory_rows++] = (memory_row){s->name, (double)(h1 - h0) / (double)s->count,
                                             (double)(h2 - h1) / (double)s->count, (double)s->bytes / (double)s->count,
                                             (double)zh_schema_struct_bytes(t, j.trees[0])};
    report("zh parse", s, measure(seconds, round_parse, &j));
    report("json-c parse", s, measure(seconds, round_jsonc_parse, &j));
#ifdef ZH_BENCH_SIMDJSON
    j.simdjson = zh_bench_simdjson_new((const char *const *)s->texts, s->lens, s->count);
    report("simdjson parse", s, measure(seconds, round_simdjson_parse, &j));
    zh_bench_simdjson_free(j.simdjson);
#endif
    report("zh emit", s, measure(seconds, round_emit, &j));
    report("json-c serialise", s, measure(seconds, round_jsonc_serialise, &j));
    for (size_t i = 0; i < s->count; i++) {
        release(j.trees[i]);
        json_object_put(j.jtrees[i]);
    }
    free(j.trees);
    free(j.jtrees);
}

/* Adapters from the typed API to the benchmark's generic signatures. */
#define ADAPT(P, T)                                                                               \
    static void *parse_##T(const char *j, size_t n) { return P##_##T##_parse(j, n, NULL); }       \
    static char *emit_##T(const void *v) { return P##_##T##_emit((const P##_##T *)v, NULL); }     \
    static void free_##T(void *v) { P##_##T##_free((P##_##T *)v); }
ADAPT(zhcs, Statistics)
ADAPT(zhcs, Properties)
ADAPT(zhcs, ComputeSystem)
ADAPT(zhns, HostComputeEndpoint)

static char *properties_with_processes(size_t n)
{
    zh_buf b = ZH_BUF_INIT(0);
    zh_buf_puts(&b, "{\"Id\":\"web-1\",\"SystemType\":\"Container\",\"State\":\"Running\",\"Owner\":\"zlayer-agent\","
                    "\"RuntimeId\":\"3f2504e0-4f89-11d3-9a0c-0305e82c3301\",\"ProcessList\":[");
    for (size_t i = 0; i < n; i++)
        zh_buf_printf(&b,
                      "%s{\"ProcessId\":%zu,\"ImageName\":\"worker-%zu.exe\",\"CreateTimestamp\":"
                      "\"2024-05-02T09:12:31.5000000Z\",\"UserTime100ns\":%zu,\"KernelTime100ns\":%zu,"
                      "\"MemoryCommitBytes\":%zu,\"MemoryWorkingSetPrivateBytes\":%zu,\"MemoryWorkingSetSharedBytes\":3133440}",
                      i ? "," : "", 1000 + i * 4, i, 312500 * i, 468750 * i, 2785280 + i * 4096, 827392 + i * 512);
    zh_buf_puts(&b, "]}");
    return zh_buf_take(&b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_schema DATA_DIR [SECONDS_PER_CASE | --rounds N]\n");
        return 2;
    }
    const char *dir = argv[1];
    double seconds = 1.0;
    if (argc > 3 && strcmp(argv[2], "--rounds") == 0)
        fixed_rounds = atol(argv[3]);
    else if (argc > 2)
        seconds = atof(argv[2]);
    setvbuf(stdout, NULL, _IONBF, 0);
#ifndef ZH_BENCH_SIMDJSON
    printf("simdjson: not found when this was built, its rows are skipped\n\n");
#endif
    printf("| document | operation | MB/s | documents/s |\n|---|---|---:|---:|\n");

    doc_set stats = single("Statistics", read_file(dir, "hcs/statistics.json"));
    bench(&stats, "hcs:Statistics", parse_Statistics, emit_Statistics, free_Statistics, seconds);

    doc_set props = single("Properties, 100-process ProcessList", properties_with_processes(100));
    bench(&props, "hcs:Properties", parse_Properties, emit_Properties, free_Properties, seconds);

    doc_set vm = single("ComputeSystem: UEFI VM", read_file(dir, "hcs/vm-uefi.json"));
    bench(&vm, "hcs:ComputeSystem", parse_ComputeSystem, emit_ComputeSystem, free_ComputeSystem, seconds);

    const char *every = NULL;
    for (size_t i = 0; i < zh_schema_sample_count; i++)
        if (strcmp(zh_schema_samples[i].type, "hcs:ComputeSystem") == 0)
            every = zh_schema_samples[i].json;
    doc_set full = single("ComputeSystem: every member (generated)", zh_strdup(every));
    bench(&full, "hcs:ComputeSystem", parse_ComputeSystem, emit_ComputeSystem, free_ComputeSystem, seconds);

    char *endpoint = read_file(dir, "hcn/endpoint-policies.json");
    doc_set eps = {"1,000 HostComputeEndpoint documents", calloc(1000, sizeof(char *)), calloc(1000, sizeof(size_t)),
                   1000, 0};
    for (size_t i = 0; i < 1000; i++) {
        eps.texts[i] = endpoint;
        eps.lens[i] = strlen(endpoint);
        eps.bytes += eps.lens[i];
    }
    bench(&eps, "hcn:HostComputeEndpoint", parse_HostComputeEndpoint, emit_HostComputeEndpoint, free_HostComputeEndpoint, seconds);

    if (memory_rows) {
        printf("\n| document | bytes of JSON | bytes of structs | heap, typed tree | heap / (JSON + structs) | "
               "heap, json-c tree |\n|---|---:|---:|---:|---:|---:|\n");
        for (size_t i = 0; i < memory_rows; i++)
            printf("| %-40s | %9.0f | %9.0f | %9.0f | %5.2f | %9.0f |\n", memory[i].name, memory[i].text,
                   memory[i].structs, memory[i].zh, memory[i].zh / (memory[i].text + memory[i].structs),
                   memory[i].jsonc);
    }
    free(stats.texts[0]);
    free(props.texts[0]);
    free(vm.texts[0]);
    free(full.texts[0]);
    free(endpoint);
    doc_set *sets[] = {&stats, &props, &vm, &full, &eps};
    for (size_t i = 0; i < 5; i++) {
        free(sets[i]->texts);
        free(sets[i]->lens);
    }
    return 0;
}

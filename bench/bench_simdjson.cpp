/* SPDX-License-Identifier: MIT */
// bench_simdjson.cpp - simdjson's DOM parse of the benchmark's documents: the reference
// floor next to json-c in bench_schema (built only when CMake finds simdjson).
#include <simdjson.h>

#include <cstring>
#include <memory>
#include <vector>

namespace {
struct docs {
    std::vector<std::unique_ptr<char[]>> texts; // padded copies (simdjson reads past the end)
    std::vector<size_t> lens;
    simdjson::dom::parser parser;
};
} // namespace

extern "C" {
#include "bench_simdjson.h"

void *zh_bench_simdjson_new(const char *const *texts, const size_t *lens, size_t count)
{
    auto *d = new docs;
    for (size_t i = 0; i < count; i++) {
        std::unique_ptr<char[]> p(new char[lens[i] + simdjson::SIMDJSON_PADDING]);
        std::memcpy(p.get(), texts[i], lens[i]);
        std::memset(p.get() + lens[i], 0, simdjson::SIMDJSON_PADDING);
        d->texts.push_back(std::move(p));
        d->lens.push_back(lens[i]);
    }
    return d;
}

int zh_bench_simdjson_round(void *handle)
{
    auto *d = static_cast<docs *>(handle);
    int failed = 0;
    for (size_t i = 0; i < d->lens.size(); i++) {
        simdjson::dom::element doc;
        if (d->parser.parse(d->texts[i].get(), d->lens[i], false).get(doc) != simdjson::SUCCESS)
            failed = 1;
    }
    return failed ? -1 : 0;
}

void zh_bench_simdjson_free(void *handle)
{
    delete static_cast<docs *>(handle);
}
}

#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the benchmarks optimised (Release, gcc) and runs them; prints Markdown tables and
# the machine they ran on. docs/benchmarks.md records a run.
#
#   scripts/bench.sh [SECONDS_PER_CASE]     (default 1)
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh --native
mkdir -p build
cmake --preset bench >build/configure-bench.log 2>&1 || { cat build/configure-bench.log; exit 1; }
cmake --build --preset bench >build/build-bench.log 2>&1 || { cat build/build-bench.log; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(uname -sr)"
echo "compiler: $(gcc --version | head -n1), Release (-O3)"
echo
./build/bench/bench_schema tests/data "${1:-1}"
echo
echo "zhcs on the simulator:"
./build/bench/bench_zhcs 200
echo
./build/bench/bench_zhns 200

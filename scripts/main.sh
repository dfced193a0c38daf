#!/bin/sh
# The main job: install what is missing, build natively, and run the program that shows
# what the libraries do end to end. Today that is the raw-table probe (it loads the HCS and
# HCN entry-point tables for the local services and reports what it found); it becomes the
# run-container example on the simulator as the wrappers land.
set -eu
cd "$(dirname "$0")/.."

sh scripts/deps.sh --native
mkdir -p build
cmake --preset gcc >build/configure-gcc.log 2>&1 || { cat build/configure-gcc.log; exit 1; }
cmake --build --preset gcc >build/build-gcc.log 2>&1 || { cat build/build-gcc.log; exit 1; }
./build/gcc/zh-raw-probe "$@"

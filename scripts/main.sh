#!/bin/sh
# The main job: install what is missing, build natively, and run the end-to-end example
# on the simulator: create a container, start it, run a command with its output streamed,
# print its resource usage, stop it (examples/run-container). Arguments go to the example:
#   scripts/main.sh --connect sim:/tmp/state -- cmd /c echo hi
set -eu
cd "$(dirname "$0")/.."

sh scripts/deps.sh --native
mkdir -p build
cmake --preset gcc >build/configure-gcc.log 2>&1 || { cat build/configure-gcc.log; exit 1; }
cmake --build --preset gcc >build/build-gcc.log 2>&1 || { cat build/build-gcc.log; exit 1; }
./build/gcc/run-container "$@"

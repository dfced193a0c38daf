#!/bin/sh
# SPDX-License-Identifier: MIT
# The main job: install what is missing, build natively, write a small OCI image layout
# (a base layer and an application layer with C:\hello.txt), and run the end-to-end example
# on the simulator: import the image into layers, prepare the container's scratch layer,
# attach it to a NAT network, create and start it, run a command with its output streamed
# (by default `type C:\hello.txt`, a file of the image), print its resource usage, stop it
# and clean up (examples/run-container). Arguments go to the example:
#   scripts/main.sh --connect sim:/tmp/state -- cmd /c echo hi
set -eu
cd "$(dirname "$0")/.."

sh scripts/deps.sh --native
mkdir -p build
cmake --preset gcc >build/configure-gcc.log 2>&1 || { cat build/configure-gcc.log; exit 1; }
cmake --build --preset gcc >build/build-gcc.log 2>&1 || { cat build/build-gcc.log; exit 1; }
cmake -DOUT=build/demo-image -P examples/run-container/make-demo-image.cmake
if [ $# -eq 0 ]; then
    set -- -- cmd /c type 'C:\hello.txt'
fi
./build/gcc/run-container --image build/demo-image --store build/demo-store "$@"

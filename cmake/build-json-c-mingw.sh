#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds json-c for the mingw-w64 cross build from Debian's source package.
#
#   build-json-c-mingw.sh WORKDIR TOOLCHAIN_FILE
#
# The source comes from `apt-get source json-c` through a private apt configuration under
# WORKDIR (debian-source.sh); the system's apt sources are never modified. The result is a static library installed to WORKDIR/install.
# Everything is cached in WORKDIR: a second run with the install present does nothing.
set -eu

work=$1
toolchain=$2
prefix=$work/install

if [ -f "$prefix/lib/cmake/json-c/json-c-config.cmake" ]; then
    exit 0
fi

. "$(dirname "$0")/debian-source.sh" # zh_debian_sources
if ! ls "$work"/src/json-c-*/CMakeLists.txt >/dev/null 2>&1; then
    zh_debian_sources json-c
fi
src=$(ls -d "$work"/src/json-c-*/ | head -n 1)

cmake -S "$src" -B "$work/build" -G "Unix Makefiles" \
    -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_STATIC_LIBS=ON \
    -DBUILD_TESTING=OFF -DBUILD_APPS=OFF -DDISABLE_WERROR=ON \
    >"$work/configure.log" 2>&1 || { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 || { tail -50 "$work/build.log" >&2; exit 1; }
cmake --install "$work/build" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; exit 1; }
echo "json-c for mingw-w64 installed in $prefix"

#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds SQLite for the mingw-w64 cross build from Debian's source package (sqlite3).
#
#   build-sqlite-mingw.sh WORKDIR CROSS_CC [CROSS_AR]
#
# As for json-c (build-json-c-mingw.sh), the source comes from `apt-get source sqlite3`
# through a private apt configuration under WORKDIR (debian-source.sh); the system's apt
# sources are never modified. Only the amalgamation is built: Debian's source is the full tree, whose
# `make sqlite3.c` (native tools and tclsh) writes sqlite3.c / sqlite3.h, and the cross
# compiler compiles that one file into WORKDIR/install/lib/libsqlite3.a. Everything is
# cached in WORKDIR: a second run with the library present does nothing.
set -eu

work=$1
cc=$2
prefix=$work/install

if [ -f "$prefix/lib/libsqlite3.a" ] && [ -f "$prefix/include/sqlite3.h" ]; then
    exit 0
fi

. "$(dirname "$0")/debian-source.sh" # zh_debian_sources
if ! ls "$work"/src/sqlite3-*/tool/mksqlite3c.tcl >/dev/null 2>&1; then
    zh_debian_sources sqlite3
fi
src=$(ls -d "$work"/src/sqlite3-*/ | head -n 1)

# the amalgamation, made by the source tree's own native build (needs tclsh: scripts/deps.sh)
if [ ! -f "$work/amalgamation/sqlite3.c" ]; then
    rm -rf "$work/amalgamation"
    mkdir -p "$work/amalgamation"
    (cd "$work/amalgamation" && "$src/configure" --disable-tcl && make sqlite3.c) >"$work/amalgamation.log" 2>&1 \
        || { tail -50 "$work/amalgamation.log" >&2; exit 1; }
fi

# One object, as the libsqlite3 of a Windows program: thread-safe (serialized), no
# loadable extensions, the Win32 VFS.
mkdir -p "$prefix/lib" "$prefix/include"
"$cc" -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION=1 \
    -DSQLITE_OS_WIN=1 -DSQLITE_WIN32_MALLOC=0 -c "$work/amalgamation/sqlite3.c" -o "$work/sqlite3.o" \
    >"$work/compile.log" 2>&1 || { tail -50 "$work/compile.log" >&2; exit 1; }
# the archiver: the one CMake found (third argument), else the compiler's twin
# (x86_64-w64-mingw32-gcc[-win32] -> x86_64-w64-mingw32-ar)
ar=${3:-}
if [ -z "$ar" ]; then
    ar=$(echo "$cc" | sed 's/gcc\(-[a-z0-9]*\)*$/ar/')
    command -v "$ar" >/dev/null 2>&1 || ar=ar
fi
rm -f "$prefix/lib/libsqlite3.a"
"$ar" rcs "$prefix/lib/libsqlite3.a" "$work/sqlite3.o"
cp "$work/amalgamation/sqlite3.h" "$work/amalgamation/sqlite3ext.h" "$prefix/include/"
echo "SQLite for mingw-w64 installed in $prefix"

#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds zlib and libarchive for the mingw-w64 cross build from Debian's source packages,
# for zhcs's OCI image import (tar and gzip only).
#
#   build-libarchive-mingw.sh WORKDIR TOOLCHAIN_FILE
#
# The sources come from `apt-get source zlib libarchive` through a private apt configuration
# under WORKDIR (debian-source.sh); the system's apt sources are never modified. zlib's
# library sources are compiled into a static libz.a; libarchive with CMake, minimal: tar
# and gzip reading and writing, no other compressor, no crypto library (on Windows its
# digests come from Windows' CNG), no iconv, no XML, no ACLs, no programs or tests. The results are static libraries installed to
# WORKDIR/install. Everything is cached in WORKDIR: a second run with the install present
# does nothing.
set -eu

work=$1
toolchain=$2
prefix=$work/install
triple=x86_64-w64-mingw32

if [ -f "$prefix/lib/libarchive.a" ] && [ -f "$prefix/lib/libz.a" ]; then
    exit 0
fi

. "$(dirname "$0")/debian-source.sh" # zh_debian_sources
if ! ls "$work"/src/zlib-*/zlib.h >/dev/null 2>&1 ||
    ! ls "$work"/src/libarchive-*/CMakeLists.txt >/dev/null 2>&1; then
    zh_debian_sources zlib libarchive
fi
zsrc=$(ls -d "$work"/src/zlib-*/ | head -n 1)
asrc=$(ls -d "$work"/src/libarchive-*/ | head -n 1)

# zlib: its library sources compiled into a static libz.a (Debian's source leaves out the
# win32/ makefiles; the library needs no configuration on Windows)
rm -rf "$work/zlib-build"
mkdir -p "$work/zlib-build" "$prefix/lib" "$prefix/include"
: >"$work/zlib-build.log"
for c in adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback inffast inflate inftrees trees \
    uncompr zutil; do
    $triple-gcc -O2 -I"$zsrc" -c "$zsrc/$c.c" -o "$work/zlib-build/$c.o" >>"$work/zlib-build.log" 2>&1 \
        || { tail -50 "$work/zlib-build.log" >&2; exit 1; }
done
rm -f "$prefix/lib/libz.a"
$triple-ar rcs "$prefix/lib/libz.a" "$work"/zlib-build/*.o
cp "$zsrc/zlib.h" "$zsrc/zconf.h" "$prefix/include/"

# libarchive: tar + gzip (zlib), Windows' CNG for its own digests, nothing else
cmake -S "$asrc" -B "$work/libarchive-build" -G "Unix Makefiles" \
    -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_INSTALL_PREFIX="$prefix" \
    -DCMAKE_INSTALL_LIBDIR=lib \
    -DBUILD_SHARED_LIBS=OFF \
    -DZLIB_INCLUDE_DIR="$prefix/include" -DZLIB_LIBRARY="$prefix/lib/libz.a" \
    -DENABLE_ZLIB=ON -DENABLE_CNG=ON \
    -DZLIB_WINAPI=0 -DZLIB_WINAPI_WITH_LIB="$prefix/lib/libz.a" \
    -DENABLE_MBEDTLS=OFF -DENABLE_NETTLE=OFF -DENABLE_OPENSSL=OFF -DENABLE_LIBB2=OFF \
    -DENABLE_LZ4=OFF -DENABLE_LZO=OFF -DENABLE_LZMA=OFF -DENABLE_ZSTD=OFF -DENABLE_BZip2=OFF \
    -DENABLE_LIBXML2=OFF -DENABLE_EXPAT=OFF -DENABLE_PCREPOSIX=OFF -DENABLE_PCRE2POSIX=OFF \
    -DENABLE_LIBGCC=OFF -DENABLE_CNG=ON -DENABLE_ICONV=OFF -DENABLE_ACL=OFF -DENABLE_XATTR=OFF \
    -DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_UNZIP=OFF -DENABLE_TEST=OFF \
    -DENABLE_INSTALL=ON -DENABLE_WERROR=OFF -DPOSIX_REGEX_LIB=NONE \
    >"$work/libarchive-configure.log" 2>&1 || { tail -50 "$work/libarchive-configure.log" >&2; exit 1; }
cmake --build "$work/libarchive-build" --target archive_static -j "$(nproc)" >"$work/libarchive-build.log" 2>&1 \
    || { tail -50 "$work/libarchive-build.log" >&2; exit 1; }
lib=$(find "$work/libarchive-build" -name 'libarchive*.a' | head -n 1)
[ -n "$lib" ] || { echo "libarchive for mingw-w64: no static library was built" >&2; exit 1; }
cp "$lib" "$prefix/lib/libarchive.a"
cp "$asrc/libarchive/archive.h" "$asrc/libarchive/archive_entry.h" "$prefix/include/"
echo "zlib and libarchive for mingw-w64 installed in $prefix"

#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs what building and testing need on Debian 12, and nothing that is already there.
# Safe to run again and again; as root it uses apt-get directly, otherwise sudo.
#
#   scripts/deps.sh            everything (native, sanitizers, mingw-w64 + Wine)
#   scripts/deps.sh --native   only what the native gcc build needs
set -eu

native="cmake ninja-build gcc pkg-config libjson-c-dev libsqlite3-dev python3 libarchive-dev nettle-dev"
# tcl: tclsh makes the SQLite amalgamation from Debian's source for the mingw build
full="$native clang libclang-rt-14-dev gcc-mingw-w64-x86-64 wine64 dpkg-dev tcl doxygen"
full="$full bzip2 xz-utils" # unpacking the zlib and libarchive sources for the Windows build
full="$full g++ libsimdjson-dev" # bench_schema's simdjson rows (benchmark only, optional)

want=$full
[ "${1:-}" = "--native" ] && want=$native

missing=""
for pkg in $want; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case $status in
        *" installed") ;;
        *) missing="$missing $pkg" ;;
    esac
done

if [ -z "$missing" ]; then
    echo "deps: everything needed is installed"
    exit 0
fi

echo "deps: installing$missing"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "deps: run as root or install sudo" >&2; exit 1; }
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q $missing

#!/bin/sh
# SPDX-License-Identifier: MIT
# The Wine fixture of the Windows build's test suite.
#
#   wine-fixture.sh setup   ENV_SCRIPT [DLL ...]   create the prefix, start a persistent
#                                                 wineserver, install DLLs into system32
#   wine-fixture.sh cleanup ENV_SCRIPT             stop the wineserver and wait for it
#
# A persistent server makes each test start in ~0.05 s instead of ~2.5 s, and the early
# start of Wine's helper processes (with output to /dev/null) keeps them from holding
# ctest's output pipes open.
set -u
mode=$1
. "$2"
shift 2

case $mode in
setup)
    zh_wine_prepare || { echo "could not create the Wine prefix $WINEPREFIX" >&2; exit 1; }
    "$ZH_WINESERVER" -p 2>/dev/null || true  # already running is fine
    "$ZH_WINE" cmd /c exit 0 >/dev/null 2>&1 </dev/null
    sys32="$WINEPREFIX/drive_c/windows/system32"
    for dll in "$@"; do
        cp -f "$dll" "$sys32/" || exit 1
        echo "installed $(basename "$dll") into the prefix's system32"
    done
    touch "$ZH_WINE_FIXTURE_MARK"
    echo "Wine prefix ready: $WINEPREFIX"
    ;;
cleanup)
    rm -f "$ZH_WINE_FIXTURE_MARK"
    "$ZH_WINESERVER" -k >/dev/null 2>&1
    timeout 30 "$ZH_WINESERVER" -w
    echo "wineserver stopped"
    ;;
*)
    echo "usage: wine-fixture.sh setup|cleanup ENV_SCRIPT [DLL ...]" >&2
    exit 2
    ;;
esac

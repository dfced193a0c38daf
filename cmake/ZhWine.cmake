# SPDX-License-Identifier: MIT
# Running the Windows build's programs under Wine, with a private prefix in the build tree.
#
# CMAKE_CROSSCOMPILING_EMULATOR becomes <build>/wine/wine-run.sh, so add_test() and
# `cmake -E env ... <emulator> prog.exe` run Windows programs transparently. The test
# suite's wine_setup / wine_cleanup fixtures (tests/CMakeLists.txt) keep one persistent
# wineserver for the whole run and stop it at the end (see docs/building.md).
if(NOT (WIN32 AND CMAKE_CROSSCOMPILING))
    return()
endif()

find_program(ZH_WINE_LOADER NAMES wine64 PATHS /usr/lib/wine /usr/lib64/wine /opt/wine-stable/bin
             DOC "Wine's 64-bit loader")
find_program(ZH_WINESERVER NAMES wineserver PATHS /usr/lib/wine /usr/lib64/wine /opt/wine-stable/bin
             DOC "Wine's server")
if(NOT ZH_WINE_LOADER OR NOT ZH_WINESERVER)
    message(FATAL_ERROR "wine64 and wineserver are needed to run the Windows build's tests "
                        "(Debian: apt-get install wine64; scripts/deps.sh does it)")
endif()

set(ZH_WINE_DIR "${CMAKE_BINARY_DIR}/wine")
set(ZH_WINE_SIM_DIR "${CMAKE_BINARY_DIR}/simdlls") # where computecore/computenetwork.dll are built
configure_file("${CMAKE_CURRENT_LIST_DIR}/wine-env.sh.in" "${ZH_WINE_DIR}/wine-env.sh" @ONLY)
configure_file("${CMAKE_CURRENT_LIST_DIR}/wine-run.sh.in" "${ZH_WINE_DIR}/wine-run.sh" @ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR sh "${ZH_WINE_DIR}/wine-run.sh")

# SPDX-License-Identifier: MIT
# Checks the distribution packaging kept in packaging/: the vcpkg port and the MSYS2 PKGBUILD.
#   cmake -DSOURCE=dir -DVERSION=x.y.z -DPYTHON=python3 -DBASH=bash -DWORK=dir -P packaging_check.cmake
# vcpkg.json: valid JSON with the manifest's fields, this version, licence MIT, json-c.
# portfile.cmake: run by CMake with vcpkg's functions stubbed, so a syntax error or an
#   unknown command fails, and the calls it makes (configure of this source tree with the
#   tests off, the three CMake packages, the copyright) are checked.
# PKGBUILD: `bash -n`, then sourced: this version, MIT, json-c, and its functions defined.
cmake_policy(VERSION 3.25)
function(fail)
    message(FATAL_ERROR "${ARGN}")
endfunction()

# ---- vcpkg.json
set(manifest "${SOURCE}/packaging/vcpkg/vcpkg.json")
execute_process(COMMAND ${PYTHON} -c [=[
import json, sys
m = json.load(open(sys.argv[1]))
deps = [d if isinstance(d, str) else d["name"] for d in m.get("dependencies", [])]
print(m["name"], m["version"], m["license"], ",".join(deps))
]=] "${manifest}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    fail("${manifest} is not a valid manifest:\n${err}")
endif()
string(STRIP "${out}" out)
if(NOT out MATCHES "^zhcs ${VERSION} MIT .*json-c.*vcpkg-cmake")
    fail("${manifest}: expected zhcs ${VERSION} MIT with json-c and vcpkg-cmake, got: ${out}")
endif()
message(STATUS "vcpkg.json: ${out}")

# ---- portfile.cmake with vcpkg stubbed
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/packages")
set(CURRENT_PACKAGES_DIR "${WORK}/packages")
set(CALLS "")
macro(vcpkg_cmake_configure)
    cmake_parse_arguments(A "" "SOURCE_PATH" "OPTIONS" ${ARGN})
    if(NOT EXISTS "${A_SOURCE_PATH}/CMakeLists.txt" OR NOT EXISTS "${A_SOURCE_PATH}/packaging/vcpkg/portfile.cmake")
        fail("portfile: SOURCE_PATH ${A_SOURCE_PATH} is not this source tree")
    endif()
    if(NOT "-DZH_BUILD_TESTS=OFF" IN_LIST A_OPTIONS OR NOT "-DZH_WERROR=OFF" IN_LIST A_OPTIONS)
        fail("portfile: configure options lack -DZH_BUILD_TESTS=OFF / -DZH_WERROR=OFF: ${A_OPTIONS}")
    endif()
    list(APPEND CALLS configure)
endmacro()
macro(vcpkg_cmake_install)
    list(APPEND CALLS install)
endmacro()
macro(vcpkg_cmake_config_fixup)
    cmake_parse_arguments(A "DO_NOT_DELETE_PARENT_CONFIG_PATH" "PACKAGE_NAME;CONFIG_PATH" "" ${ARGN})
    list(APPEND CALLS "fixup:${A_PACKAGE_NAME}")
endmacro()
macro(vcpkg_fixup_pkgconfig)
    list(APPEND CALLS pkgconfig)
endmacro()
macro(vcpkg_copy_tools)
    cmake_parse_arguments(A "AUTO_CLEAN" "" "TOOL_NAMES" ${ARGN})
    list(APPEND CALLS "tools:${A_TOOL_NAMES}")
endmacro()
macro(vcpkg_install_copyright)
    cmake_parse_arguments(A "" "" "FILE_LIST" ${ARGN})
    foreach(f ${A_FILE_LIST})
        if(NOT EXISTS "${f}")
            fail("portfile: copyright file ${f} does not exist")
        endif()
    endforeach()
    list(APPEND CALLS copyright)
endmacro()
include("${SOURCE}/packaging/vcpkg/portfile.cmake")
foreach(c configure install fixup:zhcs fixup:zhns fixup:zhsim pkgconfig tools:hcsctl copyright)
    if(NOT c IN_LIST CALLS)
        fail("portfile.cmake does not call ${c} (calls: ${CALLS})")
    endif()
endforeach()
message(STATUS "portfile.cmake: ${CALLS}")

# ---- PKGBUILD
set(pkgbuild "${SOURCE}/packaging/msys2/PKGBUILD")
execute_process(COMMAND ${BASH} -n "${pkgbuild}" RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    fail("bash -n ${pkgbuild}:\n${err}")
endif()
execute_process(COMMAND ${BASH} -c [=[
set -eu
MINGW_PACKAGE_PREFIX=mingw-w64-x86_64 MINGW_PREFIX=/mingw64 MSYSTEM=MINGW64
. "$1"
for f in build check package; do [ "$(type -t $f)" = function ] || { echo "no $f()"; exit 1; }; done
echo "$pkgname $pkgver ${license[*]} ${depends[*]}"
]=] bash "${pkgbuild}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(STRIP "${out}" out)
if(NOT rc EQUAL 0)
    fail("${pkgbuild} could not be sourced: ${out}${err}")
endif()
if(NOT out STREQUAL "mingw-w64-x86_64-zhcs ${VERSION} spdx:MIT mingw-w64-x86_64-json-c")
    fail("${pkgbuild}: expected mingw-w64-x86_64-zhcs ${VERSION} spdx:MIT with json-c, got: ${out}")
endif()
message(STATUS "PKGBUILD: ${out}")
file(REMOVE_RECURSE "${WORK}")

# SPDX-License-Identifier: MIT
# json-c: Debian's libjson-c-dev for native builds; for the mingw-w64 cross build, compiled
# from Debian's source package into the build tree (cmake/build-json-c-mingw.sh), once.
# Sets ZH_JSONC_TARGET to the imported target to link.
if(WIN32 AND CMAKE_CROSSCOMPILING)
    set(ZH_JSONC_WORKDIR "${CMAKE_BINARY_DIR}/_deps/json-c" CACHE PATH "Where json-c for mingw is fetched and built")
    set(_zh_jsonc_prefix "${ZH_JSONC_WORKDIR}/install")
    if(NOT EXISTS "${_zh_jsonc_prefix}/lib/cmake/json-c/json-c-config.cmake")
        message(STATUS "Building json-c for mingw-w64 from Debian's source package (cached in ${ZH_JSONC_WORKDIR})")
        execute_process(
            COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/build-json-c-mingw.sh" "${ZH_JSONC_WORKDIR}" "${CMAKE_TOOLCHAIN_FILE}"
            RESULT_VARIABLE _zh_rc)
        if(NOT _zh_rc EQUAL 0)
            message(FATAL_ERROR "json-c for mingw-w64 could not be built (see ${ZH_JSONC_WORKDIR}/*.log)")
        endif()
    endif()
    find_package(json-c CONFIG REQUIRED PATHS "${_zh_jsonc_prefix}" NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
    set(ZH_JSONC_TARGET json-c::json-c)
else()
    find_package(json-c CONFIG QUIET)
    if(json-c_FOUND)
        set(ZH_JSONC_TARGET json-c::json-c)
    else()
        find_package(PkgConfig REQUIRED)
        pkg_check_modules(JSONC REQUIRED IMPORTED_TARGET json-c)
        set(ZH_JSONC_TARGET PkgConfig::JSONC)
    endif()
endif()

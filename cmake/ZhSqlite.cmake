# SPDX-License-Identifier: MIT
# SQLite (the sim:PATH service's state): Debian's libsqlite3-dev for native builds; for the
# mingw-w64 cross build, the amalgamation made from Debian's source package and compiled
# into the build tree (cmake/build-sqlite-mingw.sh), once. Defines SQLite::SQLite3.
if(WIN32 AND CMAKE_CROSSCOMPILING)
    set(ZH_SQLITE_WORKDIR "${CMAKE_BINARY_DIR}/_deps/sqlite" CACHE PATH "Where SQLite for mingw is fetched and built")
    set(_zh_sqlite_prefix "${ZH_SQLITE_WORKDIR}/install")
    if(NOT EXISTS "${_zh_sqlite_prefix}/lib/libsqlite3.a" OR NOT EXISTS "${_zh_sqlite_prefix}/include/sqlite3.h")
        message(STATUS "Building SQLite for mingw-w64 from Debian's source package (cached in ${ZH_SQLITE_WORKDIR})")
        execute_process(
            COMMAND sh "${CMAKE_CURRENT_LIST_DIR}/build-sqlite-mingw.sh" "${ZH_SQLITE_WORKDIR}" "${CMAKE_C_COMPILER}" "${CMAKE_AR}"
            RESULT_VARIABLE _zh_rc)
        if(NOT _zh_rc EQUAL 0)
            message(FATAL_ERROR "SQLite for mingw-w64 could not be built (see ${ZH_SQLITE_WORKDIR}/*.log)")
        endif()
    endif()
    add_library(SQLite::SQLite3 STATIC IMPORTED GLOBAL)
    set_target_properties(SQLite::SQLite3 PROPERTIES IMPORTED_LOCATION "${_zh_sqlite_prefix}/lib/libsqlite3.a"
        INTERFACE_INCLUDE_DIRECTORIES "${_zh_sqlite_prefix}/include")
else()
    find_package(SQLite3 REQUIRED)
endif()

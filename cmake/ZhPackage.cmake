# SPDX-License-Identifier: MIT
# Shared libraries, install rules, CMake package files and pkg-config files.
#
# What is built for installing:
#   ZH_BUILD_SHARED (default: BUILD_SHARED_LIBS): libzhcs and libzhns as shared libraries
#     exporting only their public API (zhcs_*, zhns_*), and the simulator as the shared
#     library libzhsim (libzhsim.so.0.1 / zhsim.dll) that both load, so that a process has one
#     simulator; libzhsim also exports the public test controls (<zhsim/zhsim.h>).
#   ZH_INSTALL_STATIC (default: NOT BUILD_SHARED_LIBS): libzhcs.a and libzhns.a, each
#     self-contained (the wrapper, the schema types, the simulator and the common code).
# Both may be on (the package preset, a Debian-style install of .so and .a).
# Installed: the public headers (zhcs/, zhns/, zhsim/), hcsctl, those libraries, and
#   find_package(zhcs)  -> zhcs::zhcs (shared when installed, else static), zhcs::zhcs_static
#   find_package(zhns)  -> zhns::zhns, zhns::zhns_static
#   find_package(zhsim) -> zhsim::zhsim (libzhsim, or the static zhcs that contains the
#                          simulator), zhsim::zhsim_static
#   pkg-config zhcs, zhns, zhsim, and zhcs-static, zhns-static (the archives by name).
# Nothing internal (no libzh_*.a) is installed. ZH_INSTALL (default on for the top-level
# project) turns the install rules off for a project that includes this one.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The SONAME's version: MAJOR, and while MAJOR is 0, 0.MINOR (0.x releases may break the ABI
# with each MINOR; CHANGELOG.md, "Versions and tags").
if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(ZH_SOVERSION "0.${PROJECT_VERSION_MINOR}")
else()
    set(ZH_SOVERSION "${PROJECT_VERSION_MAJOR}")
endif()

option(ZH_BUILD_SHARED "Build zhcs, zhns and zhsim as shared libraries" ${BUILD_SHARED_LIBS})
if(BUILD_SHARED_LIBS)
    set(_zh_static_default OFF)
else()
    set(_zh_static_default ON)
endif()
option(ZH_INSTALL_STATIC "Install the static libraries libzhcs.a and libzhns.a" ${_zh_static_default})
option(ZH_INSTALL "Generate the install rules" ${PROJECT_IS_TOP_LEVEL})
if(NOT ZH_BUILD_SHARED AND NOT ZH_INSTALL_STATIC)
    message(FATAL_ERROR "ZH_BUILD_SHARED and ZH_INSTALL_STATIC are both OFF: nothing to install")
endif()

set(_zh_internal_objects zh_svc zh_sim zh_schema zh_raw zh_common)
set(_zh_sys_libs)
if(WIN32)
    list(APPEND _zh_sys_libs bcrypt ole32 iphlpapi)
    set(ZH_PC_SYSLIBS "-lbcrypt -lole32 -liphlpapi")
else()
    list(APPEND _zh_sys_libs Threads::Threads m ${CMAKE_DL_LIBS})
    set(ZH_PC_SYSLIBS "-lsqlite3 -lpthread -lm -ldl")
endif()

# A VERSIONINFO resource in a DLL (the version, the product, the licence).
function(zh_version_resource target description file)
    if(NOT WIN32 OR NOT CMAKE_RC_COMPILER)
        return()
    endif()
    set(ZH_RC_DESCRIPTION "${description}")
    set(ZH_RC_NAME "${target}")
    set(ZH_RC_FILE "${file}")
    configure_file(${PROJECT_SOURCE_DIR}/cmake/version.rc.in ${CMAKE_CURRENT_BINARY_DIR}/version_${target}.rc @ONLY)
    target_sources(${target} PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/version_${target}.rc)
endfunction()
if(WIN32)
    enable_language(RC)
    zh_version_resource(computecore "HCS simulator of zhcs (computecore.dll stand-in for tests)" computecore.dll)
    zh_version_resource(computenetwork "HCN simulator of zhcs (computenetwork.dll stand-in for tests)"
                        computenetwork.dll)
endif()

if(ZH_BUILD_SHARED)
    # ---- the simulator library: the whole simulator, the plug-in entry and the test controls
    add_library(zhsim SHARED sim/sim_plugin.c sim/zhsim_api.c)
    target_link_libraries(zhsim PRIVATE zh_sim zh_schema zh_raw zh_common)
    target_include_directories(zhsim PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                            $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_compile_definitions(zhsim PRIVATE ZHSIM_BUILDING=1)
    set_target_properties(zhsim PROPERTIES C_VISIBILITY_PRESET hidden OUTPUT_NAME zhsim
        VERSION ${PROJECT_VERSION} SOVERSION ${ZH_SOVERSION})
    if(WIN32)
        set_target_properties(zhsim PROPERTIES PREFIX "") # zhsim.dll
        target_link_libraries(zhsim PRIVATE ole32)
        zh_version_resource(zhsim "zhcs/zhns simulator and its test controls" zhsim.dll)
    endif()

    # ---- src/svc reaching the simulator through libzhsim, by its versioned name
    add_library(zh_svc_plugin STATIC src/svc/zh_svc.c src/svc/zh_svc_host.c src/svc/zh_sim_link.c)
    target_include_directories(zh_svc_plugin PUBLIC src/svc sim)
    target_compile_definitions(zh_svc_plugin PRIVATE ZH_SIM_PLUGIN=1)
    if(NOT WIN32)
        target_compile_definitions(zh_svc_plugin PRIVATE
            "ZH_SIM_PLUGIN_FILE=\"libzhsim.so.${ZH_SOVERSION}\"")
    endif()
    target_link_libraries(zh_svc_plugin PUBLIC zh_raw zh_common ${CMAKE_DL_LIBS})

    # ---- the shared libraries: each family's code, its schema types, the internals hidden
    foreach(_lib zhcs zhns)
        string(TOUPPER ${_lib} _LIB)
        get_target_property(_srcs ${_lib} SOURCES)
        get_target_property(_dir ${_lib} SOURCE_DIR)
        list(TRANSFORM _srcs PREPEND "${_dir}/")
        set(_types ${PROJECT_SOURCE_DIR}/src/schema/hcs_types.c)
        if(_lib STREQUAL "zhns")
            set(_types ${PROJECT_SOURCE_DIR}/src/schema/hcn_types.c)
        endif()
        add_library(${_lib}_shared SHARED ${_srcs} ${_types}
                    ${PROJECT_SOURCE_DIR}/src/schema/zh_schema.c ${PROJECT_SOURCE_DIR}/src/schema/zh_json.c)
        target_include_directories(${_lib}_shared
            PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
            PRIVATE ${PROJECT_SOURCE_DIR}/src/schema)
        target_compile_definitions(${_lib}_shared PRIVATE ${_LIB}_BUILDING)
        target_link_libraries(${_lib}_shared PRIVATE zh_svc_plugin zh_raw zh_common ${_zh_sys_libs})
        if(_lib STREQUAL "zhcs" AND ZH_HAVE_IMAGE_IMPORT) # OCI image import (src/hcs/CMakeLists.txt)
            target_compile_definitions(zhcs_shared PRIVATE ZH_HAVE_IMAGE_IMPORT=1 ${ZH_IMAGE_DEFINITIONS})
            target_include_directories(zhcs_shared PRIVATE ${ZH_IMAGE_INCLUDE_DIRS})
            target_link_libraries(zhcs_shared PRIVATE ${ZH_IMAGE_LINK_LIBRARIES})
        endif()
        set_target_properties(${_lib}_shared PROPERTIES
            OUTPUT_NAME ${_lib} EXPORT_NAME ${_lib} C_VISIBILITY_PRESET hidden
            VERSION ${PROJECT_VERSION} SOVERSION ${ZH_SOVERSION})
        if(WIN32)
            set_target_properties(${_lib}_shared PROPERTIES PREFIX "") # zhcs.dll, libzhcs.dll.a
            if(_lib STREQUAL "zhcs")
                zh_version_resource(zhcs_shared "zhcs: C library for the Windows Host Compute Service" zhcs.dll)
            else()
                zh_version_resource(zhns_shared "zhns: C library for the Windows Host Compute Network service" zhns.dll)
            endif()
        endif()
        if(NOT WIN32)
            # the internal static libraries were not compiled hidden: a version script keeps
            # everything but the public API out of the dynamic symbol table
            set(_map ${CMAKE_CURRENT_BINARY_DIR}/${_lib}.map)
            file(WRITE ${_map} "{\n  global:\n    ${_lib}_*;\n  local:\n    *;\n};\n")
            target_link_options(${_lib}_shared PRIVATE "LINKER:--version-script=${_map}")
            set_property(TARGET ${_lib}_shared APPEND PROPERTY LINK_DEPENDS ${_map})
        endif()
        add_dependencies(${_lib}_shared zhsim)
    endforeach()
    if(NOT WIN32)
        set(_map ${CMAKE_CURRENT_BINARY_DIR}/zhsim.map)
        file(WRITE ${_map} "{\n  global:\n    zh_sim_plugin_api;\n    zhsim_*;\n  local:\n    *;\n};\n")
        target_link_options(zhsim PRIVATE "LINKER:--version-script=${_map}")
        set_property(TARGET zhsim APPEND PROPERTY LINK_DEPENDS ${_map})
    endif()
endif()

if(ZH_INSTALL_STATIC)
    # ---- self-contained archives: the wrapper's objects and every internal library's
    foreach(_lib zhcs zhns)
        string(TOUPPER ${_lib} _LIB)
        set(_objs $<TARGET_OBJECTS:${_lib}>)
        foreach(_i ${_zh_internal_objects})
            list(APPEND _objs $<TARGET_OBJECTS:${_i}>)
        endforeach()
        add_library(${_lib}_archive STATIC ${_objs})
        set(_name ${_lib})
        if(MSVC AND ZH_BUILD_SHARED)
            set(_name ${_lib}_static) # zhcs.lib is the DLL's import library
        endif()
        set_target_properties(${_lib}_archive PROPERTIES OUTPUT_NAME ${_name} EXPORT_NAME ${_lib}_static
            LINKER_LANGUAGE C ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/static)
        target_include_directories(${_lib}_archive INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                                             $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
        target_compile_definitions(${_lib}_archive INTERFACE ${_LIB}_STATIC ZHSIM_STATIC)
        target_link_libraries(${_lib}_archive INTERFACE ${ZH_JSONC_TARGET} ${_zh_sys_libs})
        if(NOT WIN32) # the sim:PATH service's state
            target_link_libraries(${_lib}_archive INTERFACE SQLite::SQLite3)
        endif()
        if(_lib STREQUAL "zhcs" AND ZH_HAVE_IMAGE_IMPORT) # OCI image import: libarchive, nettle
            target_link_libraries(zhcs_archive INTERFACE ${ZH_IMAGE_LINK_LIBRARIES})
        endif()
        set(ZH_STATIC_FILE_${_lib} ${CMAKE_STATIC_LIBRARY_PREFIX}${_name}${CMAKE_STATIC_LIBRARY_SUFFIX})
    endforeach()
    # the simulator's test controls are inside both archives
    add_library(zhsim_static INTERFACE)
    target_link_libraries(zhsim_static INTERFACE zhcs_archive)
    set_target_properties(zhsim_static PROPERTIES EXPORT_NAME zhsim_static)
endif()

# The package's target names in the build tree too, for projects that add this one with
# add_subdirectory or FetchContent.
if(ZH_BUILD_SHARED)
    add_library(zhcs::zhcs ALIAS zhcs_shared)
    add_library(zhns::zhns ALIAS zhns_shared)
    add_library(zhsim::zhsim ALIAS zhsim)
else()
    add_library(zhcs::zhcs ALIAS zhcs)
    add_library(zhns::zhns ALIAS zhns)
    add_library(zhsim::zhsim ALIAS zh_sim)
endif()

if(NOT ZH_INSTALL)
    return()
endif()

# ---- install
# the .pc files find the prefix from where they are (relocatable installs)
file(RELATIVE_PATH ZH_PC_UP "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" ZH_PC_UP "${ZH_PC_UP}")
install(DIRECTORY include/zhcs include/zhns include/zhsim DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(TARGETS hcsctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES LICENSE NOTICE DESTINATION ${CMAKE_INSTALL_DOCDIR})
if(TARGET zhsimd)
    install(TARGETS zhsimd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}) # the sim:PATH service
endif()

# What a package's config file must find before its targets: only the static archives
# carry dependencies (json-c as this build found it, threads).
set(ZH_CONFIG_DEPS "")
if(ZH_INSTALL_STATIC)
    if(NOT WIN32)
        string(APPEND ZH_CONFIG_DEPS "find_dependency(Threads)\nfind_dependency(SQLite3)\n") # SQLite: the sim:PATH service's state
    endif()
    if(ZH_JSONC_TARGET STREQUAL "PkgConfig::JSONC")
        string(APPEND ZH_CONFIG_DEPS "if(NOT TARGET PkgConfig::JSONC)\n"
               "    find_dependency(PkgConfig)\n"
               "    pkg_check_modules(JSONC REQUIRED IMPORTED_TARGET json-c)\n"
               "endif()\n")
    else()
        string(APPEND ZH_CONFIG_DEPS "find_dependency(json-c CONFIG)\n")
    endif()
endif()

foreach(_lib zhcs zhns zhsim)
    string(TOUPPER ${_lib} _LIB)
    set(_targets)
    if(ZH_BUILD_SHARED)
        list(APPEND _targets ${_lib}_shared)
        if(_lib STREQUAL "zhsim")
            set(_targets zhsim)
        endif()
    endif()
    if(ZH_INSTALL_STATIC)
        if(_lib STREQUAL "zhsim")
            list(APPEND _targets zhsim_static)
        else()
            list(APPEND _targets ${_lib}_archive)
        endif()
    endif()
    install(TARGETS ${_targets} EXPORT ${_lib}
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
            LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT dev
            RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    install(EXPORT ${_lib} NAMESPACE ${_lib}:: FILE ${_lib}-targets.cmake
            DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/${_lib} COMPONENT dev)
    set(ZH_PACKAGE ${_lib})
    set(ZH_PACKAGE_DEPS "${ZH_CONFIG_DEPS}")
    if(_lib STREQUAL "zhsim")
        set(ZH_PACKAGE_DEPS "")
        if(ZH_INSTALL_STATIC)
            string(CONCAT ZH_PACKAGE_DEPS "find_dependency(zhcs ${PROJECT_VERSION} EXACT CONFIG\n"
                "                PATHS \"\${CMAKE_CURRENT_LIST_DIR}/../zhcs\" NO_DEFAULT_PATH)\n")
        endif()
    endif()
    configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/zhConfig.cmake.in
        ${CMAKE_CURRENT_BINARY_DIR}/${_lib}Config.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/${_lib})
    write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/${_lib}ConfigVersion.cmake
        VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
    install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${_lib}Config.cmake ${CMAKE_CURRENT_BINARY_DIR}/${_lib}ConfigVersion.cmake
            DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/${_lib} COMPONENT dev)
endforeach()

# pkg-config: -l<lib> is all a program needs with the shared library (or a static-only
# install, with the system libraries and json-c); <lib>-static names the archive.
foreach(_lib zhcs zhns)
    string(TOUPPER ${_lib} _LIB)
    if(ZH_BUILD_SHARED)
        set(ZH_PC_LIBS "")
        set(ZH_PC_LIBS_PRIVATE "${ZH_PC_SYSLIBS}")
        set(ZH_PC_CFLAGS "")
        set(ZH_PC_REQUIRES "Requires.private")
    else()
        set(ZH_PC_LIBS "${ZH_PC_SYSLIBS}")
        set(ZH_PC_LIBS_PRIVATE "")
        set(ZH_PC_CFLAGS "-D${_LIB}_STATIC -DZHSIM_STATIC")
        set(ZH_PC_REQUIRES "Requires")
    endif()
    if(_lib STREQUAL "zhcs" AND ZH_HAVE_IMAGE_IMPORT) # OCI image import: libarchive, nettle
        if(ZH_BUILD_SHARED)
            string(APPEND ZH_PC_LIBS_PRIVATE " ${ZH_IMAGE_PC_LIBS}")
        else()
            string(APPEND ZH_PC_LIBS " ${ZH_IMAGE_PC_LIBS}")
        endif()
    endif()
    set(_pcs ${_lib})
    if(ZH_INSTALL_STATIC)
        list(APPEND _pcs ${_lib}-static)
        set(ZH_PC_STATIC_FILE ${ZH_STATIC_FILE_${_lib}})
    endif()
    foreach(_pc ${_pcs})
        configure_file(${PROJECT_SOURCE_DIR}/cmake/${_pc}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/${_pc}.pc @ONLY)
        install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${_pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
    endforeach()
endforeach()
if(ZH_BUILD_SHARED)
    set(ZH_PC_SIM_REQUIRES "")
    set(ZH_PC_SIM_LIBS "-L\${libdir} -lzhsim")
else()
    set(ZH_PC_SIM_REQUIRES "Requires: zhcs")
    set(ZH_PC_SIM_LIBS "")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/zhsim.pc.in ${CMAKE_CURRENT_BINARY_DIR}/zhsim.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/zhsim.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

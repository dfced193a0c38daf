# Shared libraries, install rules, CMake package files and pkg-config files.
#
# Always: the static zhcs and zhns (what the tests link) and the internal static libraries
# they need are installed, with headers, hcsctl, and the package files:
#   find_package(zhcs) -> zhcs::zhcs (shared when built, else static), zhcs::zhcs_static
#   find_package(zhns) -> zhns::zhns, zhns::zhns_static
#   pkg-config zhcs / zhns (-lzhcs; --static adds the internal libraries), zhcs-static,
#   zhns-static (the static archives by name, for builds that have both).
# With ZH_BUILD_SHARED: libzhcs and libzhns as shared libraries exporting only their public
# API (zhcs_*, zhns_*), and the simulator as a plug-in (libzhsim.so / zhsim.dll) that both
# load, so that a process has one simulator.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

option(ZH_BUILD_SHARED "Also build zhcs and zhns as shared libraries (and the simulator plug-in)" OFF)

set(_zh_internal zh_common zh_raw zh_schema zh_svc zh_sim)
set(_zh_sys_libs)
if(WIN32)
    list(APPEND _zh_sys_libs bcrypt ole32 iphlpapi)
    set(ZH_PC_SYSLIBS "-lbcrypt -lole32 -liphlpapi")
else()
    list(APPEND _zh_sys_libs Threads::Threads m ${CMAKE_DL_LIBS})
    set(ZH_PC_SYSLIBS "-lsqlite3 -lpthread -lm -ldl")
endif()

if(ZH_BUILD_SHARED)
    # ---- the simulator plug-in: the whole simulator, one export
    add_library(zhsim SHARED sim/sim_plugin.c)
    target_link_libraries(zhsim PRIVATE zh_sim zh_schema zh_raw zh_common)
    set_target_properties(zhsim PROPERTIES C_VISIBILITY_PRESET hidden PREFIX "lib" OUTPUT_NAME zhsim)
    if(WIN32)
        set_target_properties(zhsim PROPERTIES PREFIX "")
        target_link_libraries(zhsim PRIVATE ole32)
    endif()

    # ---- src/svc reaching the simulator through the plug-in
    add_library(zh_svc_plugin STATIC src/svc/zh_svc.c src/svc/zh_svc_host.c src/svc/zh_sim_link.c)
    target_include_directories(zh_svc_plugin PUBLIC src/svc sim)
    target_compile_definitions(zh_svc_plugin PRIVATE ZH_SIM_PLUGIN=1)
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
        set_target_properties(${_lib}_shared PROPERTIES
            OUTPUT_NAME ${_lib} EXPORT_NAME ${_lib} C_VISIBILITY_PRESET hidden
            VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
        if(WIN32)
            set_target_properties(${_lib}_shared PROPERTIES PREFIX "") # zhcs.dll, libzhcs.dll.a
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
        file(WRITE ${_map} "{\n  global:\n    zh_sim_plugin_api;\n  local:\n    *;\n};\n")
        target_link_options(zhsim PRIVATE "LINKER:--version-script=${_map}")
    endif()
endif()

# ---- install
# the .pc files find the prefix from where they are (relocatable installs)
file(RELATIVE_PATH ZH_PC_UP "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" ZH_PC_UP "${ZH_PC_UP}")
set_target_properties(zhcs PROPERTIES EXPORT_NAME zhcs_static)
set_target_properties(zhns PROPERTIES EXPORT_NAME zhns_static)
install(DIRECTORY include/zhcs include/zhns DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(TARGETS ${_zh_internal} EXPORT zhcore ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(EXPORT zhcore NAMESPACE zhcore:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zhcore COMPONENT dev)
install(TARGETS hcsctl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET zhsimd)
    install(TARGETS zhsimd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}) # the sim:PATH service
endif()
foreach(_lib zhcs zhns)
    set(_targets ${_lib})
    if(ZH_BUILD_SHARED)
        list(APPEND _targets ${_lib}_shared)
    endif()
    install(TARGETS ${_targets} EXPORT ${_lib}
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
            LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
            RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    install(EXPORT ${_lib} NAMESPACE ${_lib}:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/${_lib} COMPONENT dev)
    set(ZH_PACKAGE ${_lib})
    configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/zhConfig.cmake.in
        ${CMAKE_CURRENT_BINARY_DIR}/${_lib}Config.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/${_lib})
    write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/${_lib}ConfigVersion.cmake
        VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
    install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${_lib}Config.cmake ${CMAKE_CURRENT_BINARY_DIR}/${_lib}ConfigVersion.cmake
            DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/${_lib} COMPONENT dev)
    # with the shared library, -l<lib> is all a program needs; with only the static one,
    # the internal libraries come along
    set(_internal_libs "-lzh_svc -lzh_sim -lzh_schema -lzh_raw -lzh_common ${ZH_PC_SYSLIBS}")
    string(TOUPPER ${_lib} _LIB)
    if(ZH_BUILD_SHARED)
        set(ZH_PC_LIBS "")
        set(ZH_PC_LIBS_PRIVATE "${_internal_libs}")
        set(ZH_PC_CFLAGS "")
        set(ZH_PC_REQUIRES "Requires.private")
    else()
        set(ZH_PC_LIBS "${_internal_libs}")
        set(ZH_PC_LIBS_PRIVATE "")
        set(ZH_PC_CFLAGS "-D${_LIB}_STATIC")
        set(ZH_PC_REQUIRES "Requires")
    endif()
    foreach(_pc ${_lib} ${_lib}-static)
        configure_file(${PROJECT_SOURCE_DIR}/cmake/${_pc}.pc.in ${CMAKE_CURRENT_BINARY_DIR}/${_pc}.pc @ONLY)
        install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${_pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
    endforeach()
endforeach()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/zhcoreConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/zhcoreConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zhcore)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/zhcoreConfig.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/zhcore COMPONENT dev)
if(ZH_BUILD_SHARED)
    install(TARGETS zhsim LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

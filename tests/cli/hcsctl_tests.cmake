# SPDX-License-Identifier: MIT
# hcsctl's own tests beyond the flows: the argv fuzz matrix (in one process, natively; the
# asan preset runs it with AddressSanitizer and UndefinedBehaviorSanitizer) and the check
# that the generated man page and bash completion name every command of the table.
if(NOT CMAKE_CROSSCOMPILING)
    # hcsctl's sources as they are now (a command file another branch added included), but
    # its main.c
    get_target_property(_srcs hcsctl SOURCES)
    get_target_property(_dir hcsctl SOURCE_DIR)
    set(_core)
    foreach(_s IN LISTS _srcs)
        if(NOT IS_ABSOLUTE "${_s}")
            set(_s "${_dir}/${_s}")
        endif()
        if(NOT _s MATCHES "/main\\.c$")
            list(APPEND _core "${_s}")
        endif()
    endforeach()
    # ... and hcsctl's libraries, include directories and definitions, whatever they become
    get_target_property(_libs hcsctl LINK_LIBRARIES)
    zh_add_test(test_hcsctl_argv SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_hcsctl_argv.c ${_core}
                LIBS ${_libs} Threads::Threads LABELS cli)
    target_include_directories(test_hcsctl_argv PRIVATE ${PROJECT_SOURCE_DIR}/tools/hcsctl
                                                        $<TARGET_PROPERTY:hcsctl,INCLUDE_DIRECTORIES>)
    target_compile_definitions(test_hcsctl_argv PRIVATE $<TARGET_PROPERTY:hcsctl,COMPILE_DEFINITIONS>)
    add_test(NAME cli_hcsctl_texts
             COMMAND ${CMAKE_COMMAND} -DPROGRAM=$<TARGET_FILE:hcsctl> -DMAN=${HCSCTL_MAN}
                     -DCOMPLETION=${HCSCTL_COMPLETION} -DDOC=${PROJECT_SOURCE_DIR}/docs/hcsctl.md
                     -DBUILD=${PROJECT_BINARY_DIR} -DWORK=${CMAKE_CURRENT_BINARY_DIR}/hcsctl_texts_install
                     -P ${CMAKE_CURRENT_LIST_DIR}/check_texts.cmake)
    set_tests_properties(cli_hcsctl_texts PROPERTIES LABELS "unit;cli" TIMEOUT 120)
    # no service named (there is no default off Windows): a usage error, for exec too
    zh_cli_test(cli_exec_no_service 2 "^hcsctl: which service\\? The Windows compute services exist only on Windows: here give --connect sim:PATH [^\n]*; see 'hcsctl exec --help'\n$"
                ARGS exec web1 -- cmd /c echo)
    zh_cli_test(cli_no_service_json 2 "^{\"error\":{\"what\":\"usage\",\"message\":\"which service\\?"
                ARGS --json list)
    set_tests_properties(cli_exec_no_service cli_no_service_json PROPERTIES ENVIRONMENT "HCSCTL_CONNECT=")
endif()

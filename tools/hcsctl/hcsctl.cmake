# SPDX-License-Identifier: MIT
# hcsctl's entry point and the texts generated from its command table: the man page
# (hcsctl.1, from `hcsctl --man`) and the bash completion (`hcsctl --completion bash`),
# made at build time and installed (HCSCTL_MAN and HCSCTL_COMPLETION name the files, for
# tests/cli/hcsctl_tests.cmake).
target_sources(hcsctl PRIVATE ${CMAKE_CURRENT_LIST_DIR}/main.c ${CMAKE_CURRENT_LIST_DIR}/help.c)
# Not for a cross build (a Windows hcsctl has neither man nor bash).
if(NOT CMAKE_CROSSCOMPILING)
    set(_hcsctl_run $<TARGET_FILE:hcsctl>)
    set(HCSCTL_MAN ${CMAKE_BINARY_DIR}/share/man/man1/hcsctl.1)
    set(HCSCTL_COMPLETION ${CMAKE_BINARY_DIR}/share/bash-completion/completions/hcsctl)
    add_custom_command(OUTPUT ${HCSCTL_MAN} ${HCSCTL_COMPLETION}
                       COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/share/man/man1
                               ${CMAKE_BINARY_DIR}/share/bash-completion/completions
                       COMMAND ${CMAKE_COMMAND} -DPROGRAM=${_hcsctl_run} -DMAN=${HCSCTL_MAN}
                               -DCOMPLETION=${HCSCTL_COMPLETION} -P ${CMAKE_CURRENT_LIST_DIR}/gen_texts.cmake
                       DEPENDS hcsctl ${CMAKE_CURRENT_LIST_DIR}/gen_texts.cmake
                       COMMENT "hcsctl.1 and the bash completion, from hcsctl's command table" VERBATIM)
    add_custom_target(hcsctl_texts ALL DEPENDS ${HCSCTL_MAN} ${HCSCTL_COMPLETION})
    include(GNUInstallDirs)
    # a component of their own, so that a test can install just them
    install(FILES ${HCSCTL_MAN} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT hcsctl-texts)
    install(FILES ${HCSCTL_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
            COMPONENT hcsctl-texts)
endif()

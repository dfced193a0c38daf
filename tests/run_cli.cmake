# SPDX-License-Identifier: MIT
# Runs a command line and checks its exit status and output (stdout and stderr together).
#   cmake -DPROGRAM="emulator|...|prog" -DARGS="a|b" [-DINPUT=file] -DEXPECT_RC=N
#         [-DEXPECT="regex"] [-DREJECT="regex"] -P run_cli.cmake
string(REPLACE "|" ";" _cmd "${PROGRAM}")
if(ARGS)
    string(REPLACE "|" ";" _args "${ARGS}")
    list(APPEND _cmd ${_args})
endif()
set(_in)
if(INPUT)
    set(_in INPUT_FILE "${INPUT}")
endif()
execute_process(COMMAND ${_cmd} ${_in} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
message("${_out}")
if(NOT _rc STREQUAL "${EXPECT_RC}")
    message(FATAL_ERROR "exit status ${_rc}, expected ${EXPECT_RC}")
endif()
if(EXPECT AND NOT _out MATCHES "${EXPECT}")
    message(FATAL_ERROR "output does not match: ${EXPECT}")
endif()
if(REJECT AND _out MATCHES "${REJECT}")
    message(FATAL_ERROR "output matches what it must not: ${REJECT}")
endif()

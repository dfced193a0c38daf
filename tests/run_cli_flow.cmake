# Runs a flow of hcsctl commands against one fresh simulator state (sim:DIR), each step
# checked for its exit status and output (stdout and stderr together):
#   cmake -DPROGRAM="emulator|...|hcsctl" -DFLOW=file -DDIR=statedir [-DWINDOWS=1] -P run_cli_flow.cmake
# A flow file has one step per line:  RC | REGEX | ARGUMENTS...   ('#' lines are comments).
# In arguments, @DATA@ is tests/data and @DIR@ the state directory; in a REGEX, \n and \r
# stand for newline and carriage return. The steps run in order;
# the first mismatch fails the test.
string(REPLACE "|" ";" _cmd "${PROGRAM}")
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
set(_dir "${DIR}")
if(WINDOWS)
    set(_dir "Z:${DIR}") # the Windows build runs under Wine: Unix paths are on drive Z:
endif()
get_filename_component(_data "${FLOW}" DIRECTORY)
get_filename_component(_data "${_data}/../data" ABSOLUTE)
if(WINDOWS)
    set(_data "Z:${_data}")
endif()
file(STRINGS "${FLOW}" _lines)
set(_n 0)
foreach(_line IN LISTS _lines)
    if(_line MATCHES "^[ \t]*(#|$)")
        continue()
    endif()
    math(EXPR _n "${_n} + 1")
    string(REGEX MATCH "^ *([0-9]+) *\\| *(.*[^ ]) *\\| *(.*)$" _m "${_line}")
    if(NOT _m)
        message(FATAL_ERROR "${FLOW}: step ${_n} is not \"RC | REGEX | ARGUMENTS\": ${_line}")
    endif()
    set(_rc_want "${CMAKE_MATCH_1}")
    set(_re "${CMAKE_MATCH_2}")
    string(REPLACE "\\n" "\n" _re "${_re}") # \n and \r in a flow's regex: the characters
    string(REPLACE "\\r" "\r" _re "${_re}")
    set(_args_text "${CMAKE_MATCH_3}")
    string(REPLACE "@DATA@" "${_data}" _args_text "${_args_text}")
    string(REPLACE "@DIR@" "${_dir}" _args_text "${_args_text}")
    separate_arguments(_args UNIX_COMMAND "${_args_text}")
    execute_process(COMMAND ${_cmd} --connect "sim:${_dir}" ${_args}
                    RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
    message("step ${_n}: hcsctl ${_args_text}\n${_out}")
    if(NOT _rc STREQUAL "${_rc_want}")
        message(FATAL_ERROR "step ${_n} (${_args_text}): exit status ${_rc}, expected ${_rc_want}")
    endif()
    if(NOT _re STREQUAL "-" AND NOT _out MATCHES "${_re}")
        message(FATAL_ERROR "step ${_n} (${_args_text}): the output does not match: ${_re}")
    endif()
endforeach()
file(REMOVE_RECURSE "${DIR}")

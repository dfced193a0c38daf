# SPDX-License-Identifier: MIT
# Runs a flow of hcsctl commands against one fresh simulator state (sim:DIR), each step
# checked for its exit status and output (stdout and stderr together):
#   cmake -DPROGRAM="emulator|...|hcsctl" -DFLOW=file -DDIR=statedir [-DWINDOWS=1] -P run_cli_flow.cmake
# A flow file has one step per line:  RC | REGEX | ARGUMENTS...   ('#' lines are comments).
# In arguments, @DATA@ is tests/data and @DIR@ the state directory; in a REGEX, \n and \r
# stand for newline and carriage return. The steps run in order;
# the first mismatch fails the test.
# ARGUMENTS may start with prefixes, in any order, before hcsctl's own arguments:
#   ENV NAME=VALUE   runs this step with the environment variable set (VALUE may be empty;
#                    quote the pair when it has spaces: ENV "NAME=a b"); repeatable
#   INPUT TEXT       the step's standard input is TEXT (\\n: a newline; quote it when it has
#                    spaces); without it, standard input is inherited
#   SAVE A,B,...     after the step matched, REGEX's capture groups 1, 2, ... are kept as
#                    @A@, @B@, ..., replaced in the ARGUMENTS and REGEX of the later steps
#                    (e.g. the id a create printed)
# "@DIR@" below is text to replace, not a variable reference (the old rules expanded it).
cmake_policy(SET CMP0053 NEW)
string(REPLACE "|" ";" _cmd "${PROGRAM}")
set(_dir "${DIR}")
if(WINDOWS)
    set(_dir "Z:${DIR}") # the Windows build runs under Wine: Unix paths are on drive Z:
    # a service an earlier, interrupted run left (its pipe is named after the path, which
    # outlives the directory) stops first; its output goes to a file (see below)
    if(EXISTS "${DIR}")
        execute_process(COMMAND ${_cmd} --connect "sim:${_dir}" sim stop RESULT_VARIABLE _rc
                        OUTPUT_FILE "${DIR}.stop.out" ERROR_FILE "${DIR}.stop.out")
        file(REMOVE "${DIR}.stop.out")
    endif()
endif()
file(REMOVE_RECURSE "${DIR}" "${DIR}.input")
file(MAKE_DIRECTORY "${DIR}")
get_filename_component(_data "${FLOW}" DIRECTORY)
get_filename_component(_data "${_data}/../data" ABSOLUTE)
if(WINDOWS)
    set(_data "Z:${_data}")
endif()
# Lines are split by hand: file(STRINGS) makes a CMake list, in which an unbalanced [ or ]
# (common in a JSON regex) would join lines. [, ] and ; stay out of the way meanwhile.
file(READ "${FLOW}" _text)
string(REPLACE ";" "<zh:sc>" _text "${_text}")
string(REPLACE "[" "<zh:lb>" _text "${_text}")
string(REPLACE "]" "<zh:rb>" _text "${_text}")
string(REPLACE "\r" "" _text "${_text}")
string(REPLACE "\n" ";" _lines "${_text}")
set(_n 0)
set(_saved)
foreach(_line IN LISTS _lines)
    string(REPLACE "<zh:sc>" ";" _line "${_line}")
    string(REPLACE "<zh:lb>" "[" _line "${_line}")
    string(REPLACE "<zh:rb>" "]" _line "${_line}")
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
    foreach(_name IN LISTS _saved)
        string(REPLACE "@${_name}@" "${_saved_${_name}}" _args_text "${_args_text}")
        string(REPLACE "@${_name}@" "${_saved_${_name}}" _re "${_re}")
    endforeach()
    separate_arguments(_args UNIX_COMMAND "${_args_text}")
    set(_env)
    set(_save)
    set(_input)
    while(_args)
        list(GET _args 0 _first)
        if(NOT _first STREQUAL "ENV" AND NOT _first STREQUAL "SAVE" AND NOT _first STREQUAL "INPUT")
            break()
        endif()
        list(LENGTH _args _len)
        if(_len LESS 2)
            message(FATAL_ERROR "${FLOW}: step ${_n}: ${_first} needs a value")
        endif()
        list(GET _args 1 _value)
        list(REMOVE_AT _args 0 1)
        if(_first STREQUAL "ENV")
            if(NOT _value MATCHES "^[A-Za-z_][A-Za-z0-9_]*=")
                message(FATAL_ERROR "${FLOW}: step ${_n}: ENV takes NAME=VALUE, not ${_value}")
            endif()
            list(APPEND _env "${_value}")
        elseif(_first STREQUAL "INPUT")
            string(REPLACE "\\n" "\n" _value "${_value}")
            file(WRITE "${DIR}.input" "${_value}")
            set(_input INPUT_FILE "${DIR}.input")
        else()
            string(REPLACE "," ";" _save "${_value}")
        endif()
    endwhile()
    set(_run ${_cmd})
    if(_env)
        set(_run ${CMAKE_COMMAND} -E env ${_env} ${_cmd})
    endif()
    if(WINDOWS)
        # Under Wine a program started by hcsctl (the simulator service, zhsimd.exe) keeps
        # the Unix stderr of its starter open (Wine's own diagnostics go there): a pipe would
        # make this step wait for the service to stop, so the output goes to a file.
        set(_outfile "${DIR}.step${_n}.out")
        execute_process(COMMAND ${_run} --connect "sim:${_dir}" ${_args} ${_input}
                        RESULT_VARIABLE _rc OUTPUT_FILE "${_outfile}" ERROR_FILE "${_outfile}")
        file(READ "${_outfile}" _out)
        file(REMOVE "${_outfile}")
    else()
        execute_process(COMMAND ${_run} --connect "sim:${_dir}" ${_args} ${_input}
                        RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
    endif()
    message("step ${_n}: hcsctl ${_args_text}\n${_out}")
    if(NOT _rc STREQUAL "${_rc_want}")
        message(FATAL_ERROR "step ${_n} (${_args_text}): exit status ${_rc}, expected ${_rc_want}")
    endif()
    if(NOT _re STREQUAL "-" AND NOT _out MATCHES "${_re}")
        message(FATAL_ERROR "step ${_n} (${_args_text}): the output does not match: ${_re}")
    endif()
    if(_save)
        if(_re STREQUAL "-" OR NOT _out MATCHES "${_re}")
            message(FATAL_ERROR "step ${_n}: SAVE needs a REGEX with capture groups")
        endif()
        set(_k 0)
        foreach(_name IN LISTS _save)
            math(EXPR _k "${_k} + 1")
            if(_k GREATER 9 OR "${CMAKE_MATCH_${_k}}" STREQUAL "")
                message(FATAL_ERROR "step ${_n}: SAVE ${_name}: the REGEX's group ${_k} matched nothing")
            endif()
            set(_saved_${_name} "${CMAKE_MATCH_${_k}}")
            list(APPEND _saved ${_name})
            list(REMOVE_DUPLICATES _saved)
            message("  @${_name}@ = ${CMAKE_MATCH_${_k}}")
        endforeach()
    endif()
endforeach()
# the service the flow started (if any) stops with it
execute_process(COMMAND ${_cmd} --connect "sim:${_dir}" sim stop RESULT_VARIABLE _rc
                OUTPUT_FILE "${DIR}.stop.out" ERROR_FILE "${DIR}.stop.out")
file(REMOVE "${DIR}.stop.out")
file(REMOVE_RECURSE "${DIR}" "${DIR}.input")

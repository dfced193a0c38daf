# SPDX-License-Identifier: MIT
# Shows that zh_raw_sigcheck_win32.c catches a prototype that drifted from the SDK's:
# it must compile as it is, and fail with ZH_SIGCHECK_SELFTEST_DRIFT=1 (an extra parameter)
# and =2 (int32_t where the SDK says HRESULT, i.e. int vs long).
#   cmake -DCC=... -DSRC=... -DINCLUDES=a;b -P sigcheck_drift.cmake
set(_flags -std=c11 -fsyntax-only -Wall -Wextra -Wpedantic -Werror
           -DWIN32_LEAN_AND_MEAN -D_WIN32_WINNT=0x0A00 -DWINVER=0x0A00)
foreach(_dir IN LISTS INCLUDES)
    list(APPEND _flags -I${_dir})
endforeach()
foreach(_mode 0 1 2)
    set(_extra)
    if(NOT _mode EQUAL 0)
        set(_extra -DZH_SIGCHECK_SELFTEST_DRIFT=${_mode})
    endif()
    execute_process(COMMAND ${CC} ${_flags} ${_extra} ${SRC}
                    RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
    if(_mode EQUAL 0 AND NOT _rc EQUAL 0)
        message(FATAL_ERROR "the signature check does not compile as it is:\n${_out}")
    elseif(NOT _mode EQUAL 0)
        if(_rc EQUAL 0)
            message(FATAL_ERROR "drift ${_mode} compiled: the signature check would not catch it")
        endif()
        if(NOT _out MATCHES "differs from the SDK prototype")
            message(FATAL_ERROR "drift ${_mode} failed for another reason:\n${_out}")
        endif()
        message(STATUS "drift ${_mode} rejected as expected")
    endif()
endforeach()
message(STATUS "signature check: 3 of 3 cases behaved")

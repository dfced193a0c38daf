# SPDX-License-Identifier: MIT
# Runs one zhcs suite with the simulator's latitudes chosen by a random seed (ZH_SIM_SEED),
# so that CI meets a different combination of HCS's freedoms on every run. The seed is
# printed; to reproduce a failure run the suite with ZH_SIM_SEED set to it (this script
# also takes ZH_SIM_SEED from the environment instead of drawing one).
#   cmake -DTEST=<suite executable> [-DPREFIX=<command prefix list>] -P run_seeded.cmake
if(DEFINED ENV{ZH_SIM_SEED} AND NOT "$ENV{ZH_SIM_SEED}" STREQUAL "")
    set(seed "$ENV{ZH_SIM_SEED}")
else()
    string(RANDOM LENGTH 9 ALPHABET 0123456789 seed)
    string(REGEX REPLACE "^0+" "" seed "${seed}")
    if(seed STREQUAL "")
        set(seed 1)
    endif()
endif()
message(STATUS "ZH_SIM_SEED=${seed}: to reproduce, run ZH_SIM_SEED=${seed} ${TEST}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env ZH_SIM_SEED=${seed} ${PREFIX} ${TEST} RESULT_VARIABLE rc)
if(rc EQUAL 77)
    message(STATUS "every case skipped")
elseif(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TEST} failed under ZH_SIM_SEED=${seed} (exit ${rc})")
endif()

# SPDX-License-Identifier: MIT
# Configures a project that adds this one with add_subdirectory: the options that only make
# sense for the project itself (tests, warnings as errors, install rules) are off there, and
# the package's target names (zhcs::zhcs, zhns::zhns, zhsim::zhsim) exist.
#   cmake -DSOURCE=dir -DWORK=dir -DCC=cc -P check_subproject.cmake
cmake_policy(VERSION 3.25)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/outer")
file(WRITE "${WORK}/outer/CMakeLists.txt" "
cmake_minimum_required(VERSION 3.25)
project(outer LANGUAGES C)
add_subdirectory(\"${SOURCE}\" zh)
foreach(v ZH_WERROR ZH_BUILD_TESTS ZH_INSTALL)
    if(\${v})
        message(FATAL_ERROR \"\${v} is ON in a subproject\")
    endif()
endforeach()
foreach(t zhcs::zhcs zhns::zhns zhsim::zhsim)
    if(NOT TARGET \${t})
        message(FATAL_ERROR \"no target \${t} in the build tree\")
    endif()
endforeach()
if(TARGET test_error OR TARGET package_consumers)
    message(FATAL_ERROR \"the subproject's tests are built\")
endif()
message(STATUS \"subproject: options off, targets there\")
")
execute_process(COMMAND ${CMAKE_COMMAND} -S "${WORK}/outer" -B "${WORK}/build" -G Ninja -DCMAKE_C_COMPILER=${CC}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "subproject: options off, targets there")
    message(FATAL_ERROR "configuring a project that adds this one failed (${rc}):\n${out}")
endif()
message(STATUS "subproject: options off, targets there")
file(REMOVE_RECURSE "${WORK}")

# SPDX-License-Identifier: MIT
# Makes the API reference (Doxygen over the public headers) into OUT; fails on any warning.
#   cmake -DSOURCE=project -DOUT=dir -DPYTHON=python3 -DDOXYGEN=doxygen -DVERSION=x.y.z -P api_reference.cmake
file(REMOVE_RECURSE "${OUT}")
file(MAKE_DIRECTORY "${OUT}")
execute_process(COMMAND ${PYTHON} ${SOURCE}/tools/doxy_headers.py ${OUT}/include ${SOURCE}/include/zhcs ${SOURCE}/include/zhns
                        ${SOURCE}/include/zhsim
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "tools/doxy_headers.py failed")
endif()
set(PROJECT_VERSION ${VERSION})
set(PROJECT_SOURCE_DIR ${SOURCE})
set(ZH_DOXY_OUT ${OUT})
set(ZH_DOXY_HEADERS ${OUT}/include)
configure_file(${SOURCE}/docs/Doxyfile.in ${OUT}/Doxyfile @ONLY)
execute_process(COMMAND ${DOXYGEN} ${OUT}/Doxyfile RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
file(READ ${OUT}/warnings.log warnings)
if(NOT rc EQUAL 0 OR NOT warnings STREQUAL "")
    message(FATAL_ERROR "doxygen failed (${rc}):\n${out}\n${warnings}")
endif()
if(NOT EXISTS ${OUT}/html/index.html OR NOT EXISTS ${OUT}/html/system_8h.html)
    message(FATAL_ERROR "doxygen made no reference")
endif()
message(STATUS "API reference: ${OUT}/html/index.html")

# SPDX-License-Identifier: MIT
# Compiles every public header alone, as the first and only include of a translation unit,
# with one compiler in one language standard, warnings as errors:
#   cmake -DCOMPILER=g++ -DLANG=c++ -DSTD=c++11 -DINCLUDE=dir -DWORK=dir -P header_alone.cmake
# LANG is c or c++. Each header is compiled on its own, so a header that needs another one
# it does not include, uses a C-only construct, or lacks its extern "C" guard fails here.
file(GLOB_RECURSE headers RELATIVE "${INCLUDE}" "${INCLUDE}/*.h")
list(SORT headers)
list(LENGTH headers n)
if(n LESS 20)
    message(FATAL_ERROR "only ${n} public headers under ${INCLUDE}")
endif()
file(MAKE_DIRECTORY "${WORK}")
set(flags -std=${STD} -Wall -Wextra -Wpedantic -Werror -Wshadow -Wundef "-I${INCLUDE}")
if(LANG STREQUAL "c")
    list(APPEND flags -Wstrict-prototypes -Wmissing-prototypes)
    set(ext c)
else()
    list(APPEND flags -Wold-style-cast -Wzero-as-null-pointer-constant)
    set(ext cpp)
endif()
set(failed "")
foreach(h ${headers})
    string(MAKE_C_IDENTIFIER "${h}" id)
    set(src "${WORK}/${id}.${ext}")
    # the declaration after the include: ISO C wants one in every translation unit
    file(WRITE "${src}" "#include <${h}>\ntypedef int header_alone_${id};\n")
    execute_process(COMMAND ${COMPILER} -x ${LANG} ${flags} -fsyntax-only "${src}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
        string(APPEND failed "\n--- ${h}\n${out}")
    endif()
    if(LANG STREQUAL "c++")
        # the C linkage guard: a function declared by the header must keep its C name
        file(READ "${INCLUDE}/${h}" text)
        if(text MATCHES "\n[A-Z]+_API " AND NOT text MATCHES "extern \"C\"")
            string(APPEND failed "\n--- ${h}\nno extern \"C\" guard around its declarations\n")
        endif()
    endif()
endforeach()
if(failed)
    message(FATAL_ERROR "${COMPILER} -std=${STD}: headers that do not compile alone:${failed}")
endif()
message(STATUS "${COMPILER} -std=${STD}: ${n} headers compile alone")

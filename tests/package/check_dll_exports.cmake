# SPDX-License-Identifier: MIT
# Fails unless every name a DLL exports starts with PREFIX (and there are some):
#   cmake -DOBJDUMP=x86_64-w64-mingw32-objdump -DDLL=zhcs.dll -DPREFIX=zhcs_ -P check_dll_exports.cmake
execute_process(COMMAND ${OBJDUMP} -p ${DLL} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${OBJDUMP} -p ${DLL} failed")
endif()
# the [Ordinal/Name Pointer] Table lists "[  n] name"; the tables before it use other shapes
string(FIND "${out}" "Name Pointer] Table" at)
if(at LESS 0)
    message(FATAL_ERROR "${DLL} has no export name table")
endif()
string(SUBSTRING "${out}" ${at} -1 out)
string(FIND "${out}" "\n\n" end) # the table ends at the first empty line
if(end GREATER 0)
    string(SUBSTRING "${out}" 0 ${end} out)
endif()
string(REGEX MATCHALL "\\[ *[0-9]+\\] [A-Za-z_][A-Za-z0-9_@]*" names "${out}")
list(LENGTH names n)
if(n LESS 50)
    message(FATAL_ERROR "${DLL} exports only ${n} names")
endif()
foreach(entry ${names})
    string(REGEX REPLACE "^\\[ *[0-9]+\\] " "" name "${entry}")
    if(NOT name MATCHES "^${PREFIX}")
        message(FATAL_ERROR "${DLL} exports ${name}, which is not its public API")
    endif()
endforeach()
message(STATUS "${DLL}: ${n} exports, all ${PREFIX}*")

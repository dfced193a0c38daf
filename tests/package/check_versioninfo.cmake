# SPDX-License-Identifier: MIT
# Fails unless a DLL carries a VERSIONINFO resource with the project's version:
#   cmake -DDLL=zhcs.dll -DVERSION=0.1.0 -P check_versioninfo.cmake
# The resource's strings are UTF-16LE: "ProductVersion", then (after padding) the version.
file(READ "${DLL}" hex HEX)
function(utf16 text out)
    string(HEX "${text}" h)
    string(REGEX REPLACE "(..)" "\\100" h "${h}")
    set(${out} "${h}" PARENT_SCOPE)
endfunction()
foreach(key ProductVersion FileVersion CompanyName LegalCopyright)
    utf16("${key}" k)
    string(FIND "${hex}" "${k}" at)
    if(at LESS 0)
        message(FATAL_ERROR "${DLL}: no VERSIONINFO string ${key}")
    endif()
endforeach()
utf16("ProductVersion" k)
utf16("${VERSION}" v)
if(NOT hex MATCHES "${k}(0000)+${v}0000")
    message(FATAL_ERROR "${DLL}: ProductVersion is not ${VERSION}")
endif()
# the fixed part: VS_FIXEDFILEINFO starts with its signature 0xFEEF04BD
if(NOT hex MATCHES "bd04effe")
    message(FATAL_ERROR "${DLL}: no VS_FIXEDFILEINFO")
endif()
message(STATUS "${DLL}: VERSIONINFO ${VERSION}")

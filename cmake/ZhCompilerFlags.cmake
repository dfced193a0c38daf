# SPDX-License-Identifier: MIT
# Warnings (errors by default) and sanitizers for every target of the project.
if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wundef -Wvla
                        $<$<COMPILE_LANGUAGE:C>:-Wstrict-prototypes> $<$<COMPILE_LANGUAGE:C>:-Wmissing-prototypes>)
    if(ZH_WERROR)
        add_compile_options(-Werror)
    endif()
elseif(MSVC)
    # C4100 unused parameter, C4127 constant conditions (do-while(0) macros), C4201/C4204
    # C11 anonymous members and non-constant initialisers; the CRT's "unsafe function" notes
    add_compile_options(/W4 /wd4100 /wd4127 /wd4201 /wd4204)
    # the conforming preprocessor (what /std:c11 implies): __VA_ARGS__ forwarded as the list
    # it is (src/raw/zh_trace.c counts arguments that way)
    add_compile_options($<$<COMPILE_LANGUAGE:C>:/Zc:preprocessor>)
    add_compile_definitions(_CRT_SECURE_NO_WARNINGS _CRT_NONSTDC_NO_DEPRECATE)
    if(ZH_WERROR)
        add_compile_options(/WX)
    endif()
endif()

if(WIN32)
    # Windows 10 APIs (LOAD_LIBRARY_SEARCH_SYSTEM32, SRW locks, condition variables).
    add_compile_definitions(WIN32_LEAN_AND_MEAN _WIN32_WINNT=0x0A00 WINVER=0x0A00)
    if(MINGW)
        # C99 printf (%zu, %lld) instead of msvcrt's.
        add_compile_definitions(__USE_MINGW_ANSI_STDIO=1)
    endif()
else()
    add_compile_definitions(_POSIX_C_SOURCE=200809L)
endif()

if(ZH_SANITIZE)
    if(WIN32)
        message(FATAL_ERROR "ZH_SANITIZE is for native builds")
    endif()
    set(_zh_san -fsanitize=${ZH_SANITIZE} -fno-omit-frame-pointer -g)
    if(ZH_SANITIZE MATCHES "address|undefined")
        list(APPEND _zh_san -fno-sanitize-recover=all)
    endif()
    add_compile_options(${_zh_san})
    add_link_options(${_zh_san})
endif()

if(ZH_BUILD_FUZZ AND CMAKE_C_COMPILER_ID MATCHES "Clang")
    # Coverage instrumentation for everything the fuzz targets exercise (the libraries too),
    # or libFuzzer only sees the few edges of the target file itself.
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()

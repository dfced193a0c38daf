# SPDX-License-Identifier: MIT
# Toolchain file: cross-compile for 64-bit Windows with Debian's mingw-w64 (win32 threads).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(ZH_MINGW_TRIPLE x86_64-w64-mingw32)
find_program(CMAKE_C_COMPILER NAMES ${ZH_MINGW_TRIPLE}-gcc-win32 ${ZH_MINGW_TRIPLE}-gcc REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES ${ZH_MINGW_TRIPLE}-windres)
find_program(CMAKE_AR NAMES ${ZH_MINGW_TRIPLE}-gcc-ar-win32 ${ZH_MINGW_TRIPLE}-ar)
find_program(CMAKE_RANLIB NAMES ${ZH_MINGW_TRIPLE}-gcc-ranlib-win32 ${ZH_MINGW_TRIPLE}-ranlib)

set(CMAKE_FIND_ROOT_PATH /usr/${ZH_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Programs carry no dependency on libgcc/libwinpthread DLLs, so they run in a bare Wine prefix.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc")

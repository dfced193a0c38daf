# SPDX-License-Identifier: MIT
# cmake -DIN=file -DOUT=file.c -DNAME=symbol -P embed_file.cmake
# Writes a C source defining `const char NAME[]` with IN's bytes and a terminating NUL.
file(READ "${IN}" _hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
get_filename_component(_base "${IN}" NAME)
file(WRITE "${OUT}.tmp" "/* Generated from ${_base} by embed_file.cmake. */\nextern const char ${NAME}[];\nconst char ${NAME}[] = {${_bytes}0x00};\n")
file(RENAME "${OUT}.tmp" "${OUT}")

#!/bin/sh
# SPDX-License-Identifier: MIT
# Every tracked source file carries an SPDX-License-Identifier: MIT line in its first lines.
# Usage: test_spdx.sh SOURCE_DIR. Lists files with git when SOURCE_DIR is a checkout, else
# with find. Exit 0 when every file has the line, 1 (naming each file) when some do not.
set -u
src=${1:?usage: test_spdx.sh SOURCE_DIR}
cd "$src" || exit 2
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    list() { git ls-files; }
else
    list() { find . -path ./build -prune -o -type f -print | sed 's|^\./||'; }
fi
missing=0
checked=0
tmp=$(mktemp) || exit 2
trap 'rm -f "$tmp"' EXIT
list >"$tmp"
while IFS= read -r f; do
    case "$f" in
        *.c|*.h|*.inc|*.py|*.cmake|*.sh|*.in|*/CMakeLists.txt|CMakeLists.txt|.ci/run) ;;
        *) continue ;;
    esac
    [ -f "$f" ] || continue
    checked=$((checked + 1))
    if ! head -n 5 "$f" | grep -q 'SPDX-License-Identifier: MIT'; then
        echo "no 'SPDX-License-Identifier: MIT' in the first 5 lines: $f"
        missing=$((missing + 1))
    fi
done <"$tmp"
if [ "$checked" -eq 0 ]; then
    echo "no source files found under $src"
    exit 1
fi
echo "$checked source files checked, $missing without an SPDX line"
[ "$missing" -eq 0 ]

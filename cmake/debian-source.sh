# SPDX-License-Identifier: MIT
# Sourced by the build-*-mingw.sh scripts: fetches Debian source packages through a private
# apt configuration under $work/apt (deb-src twins of the machine's own deb entries); the
# system's apt sources are never modified.
#
#   work=DIR; . debian-source.sh
#   zh_debian_sources PACKAGE...    unpacks each package's source into $work/src
#
# For each package the candidate version comes first, then the others the sources list (a
# mirror may lack one, e.g. a security update's source). Logs: $work/apt-update.log,
# $work/apt-source.log.

# zh_apt apt-get|apt-cache ARGS...: the tool on the private configuration
zh_apt() {
    tool=$1
    shift
    "$tool" -q \
        -o Dir::Etc::SourceList=/dev/null \
        -o Dir::Etc::SourceParts="$work/apt/sources.list.d" \
        -o Dir::State::Lists="$work/apt/lists" \
        -o Dir::Cache="$work/apt/cache" \
        -o APT::Sandbox::User=root \
        "$@"
}

zh_debian_sources() {
    mkdir -p "$work/apt/sources.list.d" "$work/apt/lists/partial" "$work/apt/cache/archives/partial"
    : >"$work/apt/sources.list.d/zh-src.list"
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' "$f" >>"$work/apt/sources.list.d/zh-src.list"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        sed 's/^Types:.*$/Types: deb-src/' "$f" >"$work/apt/sources.list.d/zh-$(basename "$f")"
    done
    rm -rf "$work/src"
    mkdir -p "$work/src"
    : >"$work/apt-source.log"
    zh_apt apt-get update >"$work/apt-update.log" 2>&1 || { cat "$work/apt-update.log" >&2; return 1; }
    for pkg in "$@"; do
        got=
        for v in "" $(zh_apt apt-cache showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p' | sort -u); do
            spec=$pkg
            [ -n "$v" ] && spec="$pkg=$v"
            if (cd "$work/src" && zh_apt apt-get source "$spec") >>"$work/apt-source.log" 2>&1; then
                got=1
                break
            fi
            rm -rf "$work/src/$pkg"-*/
        done
        [ -n "$got" ] || { cat "$work/apt-source.log" >&2; return 1; }
    done
}

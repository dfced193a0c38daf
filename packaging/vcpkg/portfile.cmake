# SPDX-License-Identifier: MIT
# vcpkg port of zhcs / zhns, kept in the repository. As an overlay port it builds the
# checkout it lives in:
#   vcpkg install zhcs --overlay-ports=<checkout>/packaging/vcpkg
# (a registry's copy gets SOURCE_PATH from vcpkg_from_github at the release tag instead).
# The triplet's linkage chooses the libraries: dynamic installs zhcs.dll, zhns.dll and the
# simulator zhsim.dll with their import libraries; static installs the self-contained
# zhcs.lib / zhns.lib (BUILD_SHARED_LIBS, which vcpkg_cmake_configure passes).
if(NOT DEFINED SOURCE_PATH)
    get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()

vcpkg_cmake_configure(
    SOURCE_PATH "${SOURCE_PATH}"
    OPTIONS
        -DZH_BUILD_TESTS=OFF
        -DZH_WERROR=OFF
        -DZH_BUILD_FUZZ=OFF
        -DZH_BUILD_BENCH=OFF
)
vcpkg_cmake_install()
foreach(package zhcs zhns zhsim)
    vcpkg_cmake_config_fixup(PACKAGE_NAME ${package} CONFIG_PATH lib/cmake/${package} DO_NOT_DELETE_PARENT_CONFIG_PATH)
endforeach()
file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib/cmake" "${CURRENT_PACKAGES_DIR}/debug/lib/cmake")
vcpkg_fixup_pkgconfig()
vcpkg_copy_tools(TOOL_NAMES hcsctl AUTO_CLEAN)

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share"
                    "${CURRENT_PACKAGES_DIR}/share/doc")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE" "${SOURCE_PATH}/NOTICE")

# SPDX-License-Identifier: MIT
# Writes a small OCI image layout of a Windows image: a base layer (Files/Windows/win.ini,
# Hives/) as tar+gzip and an application layer (Files/hello.txt) as plain tar, with the
# config, the manifest and index.json naming the image NAME.
#   cmake -DOUT=DIR [-DNAME=hello:1] -P make-demo-image.cmake
# scripts/main.sh runs examples/run-container on it; the tests use it too.
if(NOT OUT)
    message(FATAL_ERROR "make-demo-image.cmake: -DOUT=DIR is required")
endif()
get_filename_component(OUT "${OUT}" ABSOLUTE)
if(NOT NAME)
    set(NAME "hello:1")
endif()
file(REMOVE_RECURSE ${OUT} ${OUT}.work)
file(MAKE_DIRECTORY ${OUT}/blobs/sha256 ${OUT}.work/base/Files/Windows ${OUT}.work/base/Hives ${OUT}.work/app/Files
     ${OUT}.work/app/Hives)
file(WRITE ${OUT}.work/base/Files/Windows/win.ini "[fonts]\r\n")
file(WRITE ${OUT}.work/base/Hives/Software_Delta "hive")
file(WRITE ${OUT}.work/app/Files/hello.txt "hello from the image\r\n")

# blob(VAR FILE): copies FILE into blobs/ under its digest; VAR = digest, VAR_SIZE = size
function(blob var file)
    file(SHA256 ${file} _hex)
    file(SIZE ${file} _size)
    file(COPY_FILE ${file} ${OUT}/blobs/sha256/${_hex})
    set(${var} "sha256:${_hex}" PARENT_SCOPE)
    set(${var}_SIZE ${_size} PARENT_SCOPE)
endfunction()

# members relative to the layer directory: archive from inside it
function(layer_tar out dir compression)
    file(GLOB_RECURSE _files RELATIVE ${dir} LIST_DIRECTORIES true ${dir}/*)
    list(SORT _files)
    set(_cwd ${CMAKE_CURRENT_BINARY_DIR})
    execute_process(COMMAND ${CMAKE_COMMAND} -E chdir ${dir} ${CMAKE_COMMAND} -E tar c${compression}f ${out} --format=pax
                            ${_files} RESULT_VARIABLE _rc)
    if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "make-demo-image.cmake: cannot archive ${dir}")
    endif()
endfunction()

layer_tar(${OUT}.work/base.tar.gz ${OUT}.work/base z)
layer_tar(${OUT}.work/app.tar ${OUT}.work/app "")
blob(BASE ${OUT}.work/base.tar.gz)
blob(APP ${OUT}.work/app.tar)
file(WRITE ${OUT}.work/config.json "{\"architecture\":\"amd64\",\"os\":\"windows\",\"rootfs\":{\"type\":\"layers\"}}")
blob(CONFIG ${OUT}.work/config.json)
file(WRITE ${OUT}.work/manifest.json
     "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
     "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"${CONFIG}\",\"size\":${CONFIG_SIZE}},"
     "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"${BASE}\",\"size\":${BASE_SIZE}},"
     "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"${APP}\",\"size\":${APP_SIZE}}]}")
blob(MANIFEST ${OUT}.work/manifest.json)
file(WRITE ${OUT}/index.json
     "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
     "\"digest\":\"${MANIFEST}\",\"size\":${MANIFEST_SIZE},"
     "\"annotations\":{\"org.opencontainers.image.ref.name\":\"${NAME}\"}}]}")
file(WRITE ${OUT}/oci-layout "{\"imageLayoutVersion\":\"1.0.0\"}")
file(REMOVE_RECURSE ${OUT}.work)

# SPDX-License-Identifier: GPL-2.0-only
# Toolchain for a STYX_HOST_ONLY build of styx-static for another Debian architecture, e.g.
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=tests/e2e/cross-host.cmake \
#     -DSTYX_CROSS_TRIPLE=aarch64-linux-gnu -DSTYX_CROSS_ROOT=DIR \
#     -DSTYX_HOST_ONLY=ON -DSTYX_PURGATORY_DIR=build
# The compilers are Debian's <triple>-gcc/g++. Every library, header and CMake package is taken
# from STYX_CROSS_ROOT only: the target's -dev packages unpacked there with `dpkg-deb -x`
# (libssl-dev, zlib1g-dev, libfdt-dev, libfmt-dev and its libfmt9, libcli11-dev,
# nlohmann-json3-dev), so nothing of the build machine's own libraries can slip in.
# (Not in toolchains/: every file there names an ISA whose purgatory the project builds.)
set(STYX_CROSS_TRIPLE aarch64-linux-gnu CACHE STRING "GNU triple of the target, e.g. aarch64-linux-gnu")
set(STYX_CROSS_ROOT "" CACHE PATH "The target's -dev packages, unpacked")
# try_compile projects read this file again and see only the variables listed here.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES STYX_CROSS_TRIPLE STYX_CROSS_ROOT)
if(NOT IS_DIRECTORY "${STYX_CROSS_ROOT}/usr/include")
  message(FATAL_ERROR "STYX_CROSS_ROOT '${STYX_CROSS_ROOT}' holds no usr/include: unpack the "
    "target's -dev packages there (dpkg-deb -x)")
endif()

set(CMAKE_SYSTEM_NAME Linux)
string(REGEX REPLACE "-.*" "" CMAKE_SYSTEM_PROCESSOR "${STYX_CROSS_TRIPLE}")
set(CMAKE_C_COMPILER ${STYX_CROSS_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${STYX_CROSS_TRIPLE}-g++)
set(CMAKE_ASM_COMPILER ${STYX_CROSS_TRIPLE}-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE ${STYX_CROSS_TRIPLE})

set(CMAKE_FIND_ROOT_PATH ${STYX_CROSS_ROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Debian keeps arch-specific headers (openssl/configuration.h) in include/<triple>, which the
# cross compiler looks for under its own prefix, not under STYX_CROSS_ROOT.
foreach(lang C CXX)
  set(CMAKE_${lang}_STANDARD_INCLUDE_DIRECTORIES ${STYX_CROSS_ROOT}/usr/include/${STYX_CROSS_TRIPLE})
endforeach()

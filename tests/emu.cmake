# SPDX-License-Identifier: GPL-2.0-only
# Unit tests of the emulator library; included from tests/CMakeLists.txt.
add_executable(emu-machine-test ${CMAKE_CURRENT_LIST_DIR}/emu-machine-test.cc)
target_link_libraries(emu-machine-test PRIVATE styx-emu GTest::gtest_main)
target_compile_options(emu-machine-test PRIVATE ${STYX_HOST_WARNINGS})
include(GoogleTest)
gtest_discover_tests(emu-machine-test PROPERTIES LABELS unit)

# SPDX-License-Identifier: GPL-2.0-only
# Fails when any tracked C++ source differs from what clang-format would make of it.
find_program(CLANG_FORMAT NAMES clang-format clang-format-14 REQUIRED)
file(GLOB_RECURSE sources
  ${SOURCE_DIR}/purgatory/*.cc ${SOURCE_DIR}/purgatory/*.h
  ${SOURCE_DIR}/arch/*.cc ${SOURCE_DIR}/arch/*.h
  ${SOURCE_DIR}/host/*.cc ${SOURCE_DIR}/host/*.h
  ${SOURCE_DIR}/emu/*.cc ${SOURCE_DIR}/emu/*.h
  ${SOURCE_DIR}/tests/*.cc ${SOURCE_DIR}/tests/*.h)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${sources}
  RESULT_VARIABLE result ERROR_VARIABLE errors)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "clang-format: these sources need formatting (run clang-format -i):\n${errors}")
endif()
message(STATUS "clang-format: ${CMAKE_ARGC} ok")

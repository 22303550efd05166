// SPDX-License-Identifier: GPL-2.0-only
// Variants of run() for tests of the emulator itself.
#pragma once

#include "run.h"

namespace styx::emu {

/// How run_with() differs from run().
struct RunOptions {
  /// Count instructions with a per-instruction hook (UC_HOOK_CODE) instead of per translation
  /// block. Much slower; exists so a test can show that the block count is exact.
  bool count_each_instruction = false;
};

/// run(), with options.
RunResult run_with(const RunInput& input, const RunOptions& options);

}  // namespace styx::emu

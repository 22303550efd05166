// SPDX-License-Identifier: GPL-2.0-only
// Template: the post-link check of the purgatory's code (host/lib/code-check.h). Return "" for
// acceptable code, otherwise the first offending instruction (FP/SIMD use, addressing that breaks
// at an unaligned load address, ...).
#include "code-check.h"

namespace styx::host {

std::string check_template_code(std::span<const uint8_t>, uint64_t) {
  return "arch/template: no code check written yet";
}

}  // namespace styx::host

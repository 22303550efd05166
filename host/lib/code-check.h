// SPDX-License-Identifier: GPL-2.0-only
// Post-link checks of a purgatory's machine code, one per ISA (arch/<isa>/host/code-check.cc).
// They live apart from ArchInfo so that what loads images (the lean `styx-static`) carries no
// disassembler: only the build's post-link check and the tests link them (styx-code-check).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace styx::host {

/// "" when the code (loaded at `addr`) is fine, otherwise the first offending instruction (e.g. an
/// SSE instruction on x86_64).
using CodeCheck = std::string (*)(std::span<const uint8_t> code, uint64_t addr);

/// The check for the ISA called `arch`, or nullptr.
CodeCheck find_code_check(std::string_view arch);

}  // namespace styx::host

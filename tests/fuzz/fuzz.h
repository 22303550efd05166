// SPDX-License-Identifier: GPL-2.0-only
// What every fuzz target shares: the input as bytes or text, and the one exception a parser may
// throw. Anything else escaping a target (another exception, a sanitizer report, a failed
// FUZZ_CHECK) is a finding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include "error.h"

namespace styx::fuzz {

inline std::span<const uint8_t> bytes(const uint8_t* data, size_t size) {
  return {data, size};
}

inline std::string_view text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs `parse`; an InputError is how it refuses bad input and ends the run quietly.
template <class Fn>
void refusing(Fn&& parse) {
  try {
    parse();
  } catch (const host::InputError&) {
  }
}

}  // namespace styx::fuzz

/// A property every input must keep; a violation aborts, which libFuzzer reports as a crash.
#define FUZZ_CHECK(cond)                                                                 \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                      \
    }                                                                                    \
  } while (0)

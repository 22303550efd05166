// SPDX-License-Identifier: GPL-2.0-only
// printf-style formatting into a byte sink, checked by the compiler's format attribute.
//
// Supported: %% %c %s %d %u %x with the l / ll length modifiers, a field width and the 0 flag.
// That is all the purgatory's messages need; anything else prints as '?'.
#pragma once

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

namespace styx {

class Sink {
 public:
  virtual void put(char c) = 0;

 protected:
  ~Sink() = default;
};

void vformat(Sink& sink, const char* fmt, va_list args);
[[gnu::format(printf, 2, 3)]] void format(Sink& sink, const char* fmt, ...);

/// Writes `size` bytes as lowercase hex.
void format_hex_bytes(Sink& sink, const uint8_t* bytes, size_t size);

}  // namespace styx

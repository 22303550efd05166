// SPDX-License-Identifier: GPL-2.0-only
#include "console.h"

#include "arch.h"

namespace styx {

void ConsoleSink::put(char c) {
  // Serial terminals want CR LF; the memory log keeps plain LF.
  if (c == '\n') arch::console_putc(console_, '\r');
  arch::console_putc(console_, c);
  if (log_ && log_->used < log_->size) {
    reinterpret_cast<char*>(log_ + 1)[log_->used] = c;
    log_->used = log_->used + 1;
  }
}

}  // namespace styx

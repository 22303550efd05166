// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's output: every byte goes to the console device and to the memory log.
#pragma once

#include <styx/handoff.h>

#include "format.h"

namespace styx {

class ConsoleSink final : public Sink {
 public:
  /// Starts with no log; attach_log() adds one once the hand-off block is known to be sound.
  explicit ConsoleSink(const Console& console) : console_(console) {}
  void attach_log(LogHeader* log) { log_ = log; }
  LogHeader* log() const { return log_; }
  void put(char c) override;

 private:
  Console console_;
  LogHeader* log_ = nullptr;
};

}  // namespace styx

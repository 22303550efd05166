// SPDX-License-Identifier: GPL-2.0-only
// How the kernel command line splits into words (/proc/cmdline): no word has an unquoted space,
// and no word is longer than the line.
#include "fuzz.h"
#include "live-system.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto words = styx::host::LiveSystem::split_cmdline(styx::fuzz::text(data, size));
  size_t total = 0;
  for (const auto& word : words) total += word.size();
  FUZZ_CHECK(total <= size);
  return 0;
}

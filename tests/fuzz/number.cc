// SPDX-License-Identifier: GPL-2.0-only
// parse_number (--mem, --entry, --ima-extra, sizes): any text, and the value it gives back must be
// what hex() writes reads back as.
#include "fuzz.h"
#include "parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto value = styx::host::parse_number(styx::fuzz::text(data, size));
  if (value) FUZZ_CHECK(styx::host::parse_number(styx::host::hex(*value)) == value);
  return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
// parse_console (--console, earlycon= specs): a console it accepts prints as a spec that parses
// back to the same console.
#include "console-spec.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  styx::fuzz::refusing([&] {
    const styx::Console console = styx::host::parse_console(styx::fuzz::text(data, size));
    const styx::Console again = styx::host::parse_console(styx::host::format_console(console));
    FUZZ_CHECK(again.kind == console.kind && again.base == console.base);
  });
  return 0;
}

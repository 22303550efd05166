// SPDX-License-Identifier: GPL-2.0-only
// binary_runtime_measurements in either byte order (the first byte chooses: detected, little-,
// big-endian): a list that parses carries over into a kexec buffer that parses back to the same
// records, in both byte orders, and prints as ascii_runtime_measurements.
#include "fuzz.h"
#include "ima.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::optional<bool> order =
      data[0] % 3 == 0 ? std::nullopt : std::optional<bool>(data[0] % 3 == 2);
  styx::fuzz::refusing([&] {
    const auto list =
        styx::host::parse_ima_list(styx::fuzz::bytes(data + 1, size - 1), "list", order);
    (void)styx::host::format_ima_ascii(list);
    for (const bool big : {false, true}) {
      styx::fuzz::refusing([&] {
        const auto buffer = styx::host::build_ima_kexec_buffer(list, big, data[0] & 0x18);
        FUZZ_CHECK(styx::host::parse_ima_kexec_buffer(buffer, big, "buffer") == list);
      });
    }
  });
  return 0;
}

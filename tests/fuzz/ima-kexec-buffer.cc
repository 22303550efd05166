// SPDX-License-Identifier: GPL-2.0-only
// An IMA kexec buffer (ima_kexec_hdr + records), as `styx ima show` reads it back from an image,
// in the byte order the first byte chooses: a buffer that parses is rebuilt to the same records.
#include "fuzz.h"
#include "ima.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool big = data[0] & 1;
  styx::fuzz::refusing([&] {
    const auto list =
        styx::host::parse_ima_kexec_buffer(styx::fuzz::bytes(data + 1, size - 1), big, "buffer");
    (void)styx::host::format_ima_ascii(list);
    styx::fuzz::refusing([&] {
      const auto buffer = styx::host::build_ima_kexec_buffer(list, big, 0);
      FUZZ_CHECK(styx::host::parse_ima_kexec_buffer(buffer, big, "again") == list);
    });
  });
  return 0;
}

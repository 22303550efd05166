// SPDX-License-Identifier: GPL-2.0-only
// A Styx image file (`styx run`, `styx inspect`, `styx load IMAGE`): one that parses serializes
// to bytes that parse to the same segments and purgatory.
#include "image.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  styx::fuzz::refusing([&] {
    const styx::host::Image image = styx::host::parse_image(styx::fuzz::bytes(data, size), "image");
    const styx::host::Image again =
        styx::host::parse_image(styx::host::serialize_image(image), "again");
    FUZZ_CHECK(again.arch == image.arch);
    FUZZ_CHECK(again.segments.size() == image.segments.size());
    for (size_t i = 0; i < image.segments.size(); ++i) {
      FUZZ_CHECK(again.segments[i].addr == image.segments[i].addr);
      FUZZ_CHECK(again.segments[i].data == image.segments[i].data);
    }
    FUZZ_CHECK(again.purgatory == image.purgatory);
    FUZZ_CHECK(again.purgatory_entry == image.purgatory_entry);
  });
  return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
// The gzip inflater (Image.gz, EFI zboot payloads, /proc/config.gz), with a 16 MiB limit: it
// never returns more than the limit.
#include "fuzz.h"
#include "kernel-image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr uint64_t kLimit = 16u << 20;
  styx::fuzz::refusing([&] {
    FUZZ_CHECK(styx::host::gunzip(styx::fuzz::bytes(data, size), "gz", kLimit).size() <= kLimit);
  });
  return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's structure check of an `ima` segment (purgatory/ima-buffer.cc, compiled for the
// host), on a copy of exactly the segment so that any read past it is an ASan report. It agrees
// with the host's parser: a buffer the host reads back is one the purgatory passes.
#include <vector>

#include "fuzz.h"
#include "ima-buffer.h"
#include "ima.h"

namespace {

class CountingSink final : public styx::Sink {
 public:
  void put(char) override { ++chars; }
  size_t chars = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> segment(data, data + size);
  CountingSink out;
  const bool sound = styx::check_ima_buffer(segment.data(), segment.size(), 3, out);
  FUZZ_CHECK(sound == (out.chars == 0));
  bool host_reads = false;
  styx::fuzz::refusing([&] {
    (void)styx::host::parse_ima_kexec_buffer(segment, false, "ima");
    host_reads = true;
  });
  if (host_reads) FUZZ_CHECK(sound);
  return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's own checks of the hand-off block (purgatory/verify.cc, compiled for the host):
// any block bytes go through check_handoff(); a block it passes has its segments pointed into the
// rest of the input (sizes clamped to it) and verified, as the purgatory verifies loaded memory.
// Every FAIL line it prints names a segment it counted as failed. The input is also a purgatory's
// loaded bytes with the block at its start: the purgatory's seal check (purgatory/seal.cc) agrees
// with the host's (host/lib/handoff-seal.cc) on it.
#include <cstring>
#include <string>
#include <vector>

#include "fuzz.h"
#include "handoff-seal.h"
#include "seal.h"
#include "verify.h"

namespace {

class StringSink final : public styx::Sink {
 public:
  void put(char c) override { text.push_back(c); }
  std::string text;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  styx::Handoff handoff{};
  const size_t head = std::min(size, sizeof handoff);
  std::memcpy(&handoff, data, head);
  if (size >= sizeof handoff) {
    std::vector<uint64_t> aligned((size + 7) / 8);  // the block is 8-aligned in a purgatory
    std::memcpy(aligned.data(), data, size);
    const auto* image = reinterpret_cast<const uint8_t*>(aligned.data());
    const styx::SealCheck seal =
        styx::check_seal(*reinterpret_cast<const styx::Handoff*>(image), image, size);
    const styx::host::SealStatus host = styx::host::check_seal({image, size}, 0);
    FUZZ_CHECK((seal.error == styx::SealError::kHandoff) == !host.handoff_ok());
    if (host.handoff_ok())
      FUZZ_CHECK((seal.error == styx::SealError::kPurgatory) == !host.purgatory_ok());
  }
  StringSink out;
  const styx::HandoffError error = styx::check_handoff(handoff, out);
  FUZZ_CHECK((error == styx::HandoffError::kNone) == out.text.empty());
  if (error != styx::HandoffError::kNone) return 0;
  FUZZ_CHECK(handoff.segment_count <= styx::kMaxSegments);
  // The memory the segments may describe: a copy of the input after the block.
  std::vector<uint8_t> memory(data + head, data + size);
  const uint64_t base = reinterpret_cast<uintptr_t>(memory.data());
  for (uint32_t i = 0; i < handoff.segment_count; ++i) {
    styx::Segment& s = handoff.segments[i];
    const uint64_t offset = memory.empty() ? 0 : s.addr % memory.size();
    s.addr = base + offset;
    s.size = s.size % (memory.size() - offset + 1);
  }
  (void)styx::log_usable(handoff);
  const uint64_t self = reinterpret_cast<uintptr_t>(&handoff);
  const styx::VerifyResult result =
      styx::verify_segments(handoff, {self, self + sizeof handoff}, out);
  FUZZ_CHECK(result.failed <= handoff.segment_count);
  FUZZ_CHECK(static_cast<uint32_t>(__builtin_popcount(result.failed_mask)) == result.failed);
  FUZZ_CHECK((result.failed == 0) == (out.text.find("FAIL") == std::string::npos));
  return 0;
}

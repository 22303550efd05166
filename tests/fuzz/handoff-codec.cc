// SPDX-License-Identifier: GPL-2.0-only
// The hand-off block as an image stores it, in either byte order: decoding then encoding gives
// the same bytes back.
#include <cstring>

#include "fuzz.h"
#include "handoff-codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 + sizeof(styx::Handoff)) return 0;
  const bool big = data[0] & 1;
  const auto block = styx::fuzz::bytes(data + 1, sizeof(styx::Handoff));
  const styx::Handoff handoff = styx::host::decode_handoff(block, big);
  const auto again = styx::host::encode_handoff(handoff, big);
  FUZZ_CHECK(again.size() == block.size());
  FUZZ_CHECK(std::memcmp(again.data(), block.data(), block.size()) == 0);
  return 0;
}

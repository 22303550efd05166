// SPDX-License-Identifier: GPL-2.0-only
// Images the builder would never write: an image changed after building, with the hand-off
// block made to agree with the note again, so the reader's structure checks are what refuse it.
#pragma once

#include <algorithm>
#include <functional>
#include <vector>

#include "handoff-codec.h"
#include "image.h"

namespace styx::test {

inline std::vector<uint8_t> crafted_image(host::Image image,
                                          const std::function<void(host::Image&)>& change) {
  change(image);
  Handoff& h = image.handoff;
  h.segment_count = static_cast<uint32_t>(image.segments.size());
  for (size_t i = 0; i < image.segments.size(); ++i) {
    h.segments[i].addr = image.segments[i].addr;
    h.segments[i].size = image.segments[i].data.size();
    h.segments[i].role = static_cast<uint32_t>(image.segments[i].role);
  }
  const std::vector<uint8_t> block = host::encode_handoff(h, image.arch->big_endian);
  std::copy(block.begin(), block.end(),
            image.purgatory.begin() + static_cast<ptrdiff_t>(image.handoff_offset));
  return host::serialize_image(image);
}

}  // namespace styx::test

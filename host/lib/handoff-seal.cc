// SPDX-License-Identifier: GPL-2.0-only
#include "handoff-seal.h"

#include <styx/handoff.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace styx::host {
namespace {

Digest purgatory_digest(std::span<const uint8_t> purgatory, uint64_t handoff_offset) {
  std::vector<uint8_t> rest(purgatory.begin(), purgatory.end());
  rest.erase(rest.begin() + static_cast<ptrdiff_t>(handoff_offset),
             rest.begin() + static_cast<ptrdiff_t>(handoff_offset + sizeof(Handoff)));
  return sha256(rest);
}

Digest handoff_digest(std::span<const uint8_t> purgatory, uint64_t handoff_offset) {
  return sha256(purgatory.subspan(handoff_offset, offsetof(Handoff, handoff_sha256)));
}

Digest stored(std::span<const uint8_t> purgatory, uint64_t offset) {
  Digest d{};
  std::copy_n(purgatory.begin() + static_cast<ptrdiff_t>(offset), d.size(), d.begin());
  return d;
}

void check_inside(std::span<const uint8_t> purgatory, uint64_t handoff_offset) {
  if (handoff_offset > purgatory.size() || purgatory.size() - handoff_offset < sizeof(Handoff))
    throw std::logic_error("hand-off block outside the purgatory");
}

}  // namespace

void seal_purgatory(std::span<uint8_t> purgatory, uint64_t handoff_offset) {
  check_inside(purgatory, handoff_offset);
  const Digest p = purgatory_digest(purgatory, handoff_offset);
  std::copy(p.begin(), p.end(),
            purgatory.begin() +
                static_cast<ptrdiff_t>(handoff_offset + offsetof(Handoff, purgatory_sha256)));
  const Digest h = handoff_digest(purgatory, handoff_offset);
  std::copy(h.begin(), h.end(),
            purgatory.begin() +
                static_cast<ptrdiff_t>(handoff_offset + offsetof(Handoff, handoff_sha256)));
}

SealStatus check_seal(std::span<const uint8_t> purgatory, uint64_t handoff_offset) {
  check_inside(purgatory, handoff_offset);
  SealStatus s;
  s.handoff_expected = stored(purgatory, handoff_offset + offsetof(Handoff, handoff_sha256));
  s.handoff_actual = handoff_digest(purgatory, handoff_offset);
  s.purgatory_expected = stored(purgatory, handoff_offset + offsetof(Handoff, purgatory_sha256));
  s.purgatory_actual = purgatory_digest(purgatory, handoff_offset);
  return s;
}

}  // namespace styx::host

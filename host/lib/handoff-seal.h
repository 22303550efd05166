// SPDX-License-Identifier: GPL-2.0-only
// The hand-off seal on the host: the two digests at the end of the hand-off block
// (Handoff::purgatory_sha256, Handoff::handoff_sha256; the purgatory checks them in
// purgatory/seal.cc), computed with OpenSSL so that each side checks the other.
#pragma once

#include <cstdint>
#include <span>

#include "digest.h"

namespace styx::host {

/// The seal of a linked purgatory, as stored and as recomputed.
struct SealStatus {
  Digest handoff_expected{}, handoff_actual{};
  Digest purgatory_expected{}, purgatory_actual{};
  bool handoff_ok() const { return handoff_expected == handoff_actual; }
  bool purgatory_ok() const { return purgatory_expected == purgatory_actual; }
};

/// Writes both digests into the block at `handoff_offset` of `purgatory` (its loaded bytes after
/// relocation, block filled in): purgatory_sha256 over every byte but the block's, then
/// handoff_sha256 over the block up to that field. Any later change to those bytes needs a new
/// seal.
void seal_purgatory(std::span<uint8_t> purgatory, uint64_t handoff_offset);

/// Recomputes both digests of a sealed purgatory. The block must lie inside `purgatory`.
SealStatus check_seal(std::span<const uint8_t> purgatory, uint64_t handoff_offset);

}  // namespace styx::host

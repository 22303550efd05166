// SPDX-License-Identifier: GPL-2.0-only
#include "seal.h"

#include "sha256.h"

namespace styx {
namespace {

bool equal(const uint8_t* a, const uint8_t* b) {
  uint8_t diff = 0;
  for (uint32_t i = 0; i < kDigestSize; ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

void report_mismatch(Sink& out, const uint8_t* expected, const uint8_t* actual) {
  format(out, "sha256 expected ");
  format_hex_bytes(out, expected, kDigestSize);
  format(out, " actual ");
  format_hex_bytes(out, actual, kDigestSize);
  out.put('\n');
}

}  // namespace

SealCheck check_seal(const Handoff& handoff, const uint8_t* image, size_t image_size) {
  SealCheck check;
  const auto* block = reinterpret_cast<const uint8_t*>(&handoff);
  sha256(block, offsetof(Handoff, handoff_sha256), check.actual);
  if (!equal(check.actual, handoff.handoff_sha256)) {
    check.error = SealError::kHandoff;
    return check;
  }
  // The block is somewhere inside the image (the linker script places it); the bytes on both of
  // its sides are hashed as one message.
  const size_t before = static_cast<size_t>(block - image);
  Sha256 h;
  h.update(image, before);
  h.update(block + sizeof(Handoff), image_size - before - sizeof(Handoff));
  h.finish(check.actual);
  if (!equal(check.actual, handoff.purgatory_sha256)) check.error = SealError::kPurgatory;
  return check;
}

void report_seal(Sink& out, const Handoff& handoff, const SealCheck& check, uint64_t image,
                 size_t image_size) {
  switch (check.error) {
    case SealError::kNone: return;
    case SealError::kHandoff:
      format(out, "styx: FAIL hand-off block: corrupt, ");
      report_mismatch(out, handoff.handoff_sha256, check.actual);
      return;
    case SealError::kPurgatory:
      format(out, "styx: FAIL purgatory 0x%llx+0x%llx: corrupt, ",
             static_cast<unsigned long long>(image), static_cast<unsigned long long>(image_size));
      report_mismatch(out, handoff.purgatory_sha256, check.actual);
      return;
  }
}

}  // namespace styx

// SPDX-License-Identifier: GPL-2.0-only
#include "verify.h"

#include "ima-buffer.h"
#include "segment-report.h"
#include "sha256.h"

namespace styx {
namespace {

bool overlaps(Range a, Range b) {
  return a.begin < b.end && b.begin < a.end;
}

void fail_segment(Sink& out, uint32_t index, const Segment& s) {
  fail_segment(out, index, s.role, s.addr, s.size);
}

bool digests_equal(const uint8_t* a, const uint8_t* b) {
  uint8_t diff = 0;
  for (uint32_t i = 0; i < kDigestSize; ++i) diff |= a[i] ^ b[i];
  return diff == 0;
}

}  // namespace

HandoffError check_handoff(const Handoff& handoff, Sink& out) {
  if (handoff.magic != kHandoffMagic) {
    format(out, "styx: FAIL hand-off block: bad magic 0x%016llx\n",
           static_cast<unsigned long long>(handoff.magic));
    return HandoffError::kBadMagic;
  }
  if (handoff.version != kHandoffVersion) {
    format(out, "styx: FAIL hand-off block: version %u, this purgatory reads version %u\n",
           handoff.version, kHandoffVersion);
    return HandoffError::kBadVersion;
  }
  if (handoff.size != sizeof(Handoff)) {
    format(out, "styx: FAIL hand-off block: size %u, expected %u\n", handoff.size,
           static_cast<unsigned>(sizeof(Handoff)));
    return HandoffError::kBadSize;
  }
  if (handoff.segment_count > kMaxSegments) {
    format(out, "styx: FAIL hand-off block: %u segments, at most %u\n", handoff.segment_count,
           kMaxSegments);
    return HandoffError::kTooManySegments;
  }
  return HandoffError::kNone;
}

VerifyResult verify_segments(const Handoff& handoff, Range self, Sink& out, Sha256Blocks blocks) {
  VerifyResult result;
  for (uint32_t i = 0; i < handoff.segment_count; ++i) {
    const Segment& s = handoff.segments[i];
    bool ok = true;
    if (s.addr + s.size < s.addr) {
      fail_segment(out, i, s);
      format(out, "address range wraps\n");
      ok = false;
    } else if (s.size && overlaps({s.addr, s.addr + s.size}, self)) {
      fail_segment(out, i, s);
      format(out, "overlaps the purgatory at 0x%llx-0x%llx\n",
             static_cast<unsigned long long>(self.begin),
             static_cast<unsigned long long>(self.end));
      ok = false;
    } else {
      const auto* data = reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(s.addr));
      uint8_t actual[kDigestSize];
      sha256(data, static_cast<size_t>(s.size), actual, blocks);
      if (!digests_equal(actual, s.sha256)) {
        fail_segment(out, i, s);
        format(out, "sha256 expected ");
        format_hex_bytes(out, s.sha256, kDigestSize);
        format(out, " actual ");
        format_hex_bytes(out, actual, kDigestSize);
        out.put('\n');
        ok = false;
      } else if (s.role == static_cast<uint32_t>(Role::kIma) && s.size != 0) {
        // The digest only proves the buffer is the one the host built; the kernel still parses
        // it. An empty segment hands over no list (the kernel ignores less than a header).
        ok = check_ima_buffer(data, s.size, i, out);
      }
    }
    if (ok) {
      result.bytes_verified += s.size;
    } else {
      result.failed_mask |= 1u << i;
      ++result.failed;
    }
  }
  return result;
}

bool log_usable(const Handoff& handoff) {
  const uint64_t begin = handoff.log_addr;
  const uint64_t end = begin + handoff.log_size;
  if (begin == 0 || handoff.log_size < sizeof(LogHeader) || end < begin) return false;
  for (uint32_t i = 0; i < handoff.segment_count; ++i) {
    const Segment& s = handoff.segments[i];
    if (s.size && s.addr + s.size >= s.addr && overlaps({begin, end}, {s.addr, s.addr + s.size}))
      return false;
  }
  return true;
}

}  // namespace styx

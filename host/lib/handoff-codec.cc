// SPDX-License-Identifier: GPL-2.0-only
#include "handoff-codec.h"

#include <bit>
#include <cstring>

namespace styx::host {
namespace {

template <class T>
void swap(T& v) {
  if constexpr (sizeof(T) == 2) v = __builtin_bswap16(v);
  if constexpr (sizeof(T) == 4) v = __builtin_bswap32(v);
  if constexpr (sizeof(T) == 8) v = __builtin_bswap64(v);
}

// Converts between host and foreign byte order in place; the same walk serves both ways.
void swap_fields(Handoff& h) {
  swap(h.magic);
  swap(h.version);
  swap(h.size);
  swap(h.segment_count);
  swap(h.failure_policy);
  swap(h.reset_method);
  swap(h.sha256_routine);
  swap(h.console.kind);
  swap(h.console.reserved);
  swap(h.console.base);
  swap(h.entry);
  for (auto& a : h.boot_args) swap(a);
  swap(h.log_addr);
  swap(h.log_size);
  swap(h.timer_hz);
  for (auto& r : h.reserved1) swap(r);
  for (auto& s : h.segments) {
    swap(s.addr);
    swap(s.size);
    swap(s.role);
    swap(s.reserved);
  }
}

constexpr bool kHostBig = std::endian::native == std::endian::big;

}  // namespace

std::vector<uint8_t> encode_handoff(const Handoff& handoff, bool big_endian) {
  Handoff h = handoff;
  if (big_endian != kHostBig) swap_fields(h);
  std::vector<uint8_t> out(sizeof h);
  std::memcpy(out.data(), &h, sizeof h);
  return out;
}

Handoff decode_handoff(std::span<const uint8_t> bytes, bool big_endian) {
  Handoff h{};
  std::memcpy(&h, bytes.data(), sizeof h);
  if (big_endian != kHostBig) swap_fields(h);
  return h;
}

}  // namespace styx::host

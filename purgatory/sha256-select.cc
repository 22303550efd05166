// SPDX-License-Identifier: GPL-2.0-only
#include "sha256-select.h"

#include "sha256-rounds.h"

namespace styx {
namespace {

constexpr uint32_t kInitialState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// Runs `blocks` on `n` blocks at `data` from the initial state.
void compress(Sha256Blocks blocks, const uint8_t* data, size_t n, uint32_t state[8]) {
  for (int i = 0; i < 8; ++i) state[i] = kInitialState[i];
  blocks(state, data, n);
}

bool agrees_with_generic(Sha256Blocks blocks, const uint8_t* data, size_t n) {
  uint32_t expected[8], actual[8];
  compress(sha256_blocks_generic, data, n, expected);
  compress(blocks, data, n, actual);
  uint32_t diff = 0;
  for (int i = 0; i < 8; ++i) diff |= expected[i] ^ actual[i];
  return diff == 0;
}

// A routine that runs but computes something else (a CPU or emulator bug, a feature register
// that claims more than the CPU does) must not decide a verification. The input is the round
// constant table: arbitrary bytes that need no storage of their own, hashed once word-aligned
// and once at an odd address, the two load paths every routine has.
bool passes_self_test(Sha256Blocks blocks) {
  const auto* table = reinterpret_cast<const uint8_t*>(kSha256K);
  constexpr size_t kBlocks = sizeof(kSha256K) / kSha256BlockSize;
  uint8_t odd[sizeof(kSha256K) + 1];
  for (size_t i = 0; i < sizeof(kSha256K); ++i) odd[i + 1] = table[i];
  return agrees_with_generic(blocks, table, kBlocks) &&
         agrees_with_generic(blocks, odd + 1, kBlocks);
}

}  // namespace

void sha256_known_answer_input(uint8_t block[kSha256BlockSize], uint32_t state[8]) {
  for (size_t i = 0; i < kSha256BlockSize; ++i) block[i] = 0;
  block[0] = 'a', block[1] = 'b', block[2] = 'c', block[3] = 0x80;
  block[kSha256BlockSize - 1] = 24;  // the length in bits
  for (int i = 0; i < 8; ++i) state[i] = kInitialState[i];
}

bool sha256_known_answer_ok(const uint32_t state[8]) {
  constexpr uint32_t kDigest[8] = {0xba7816bf, 0x8f01cfea, 0x414140de, 0x5dae2223,
                                   0xb00361a3, 0x96177a9c, 0xb410ff61, 0xf20015ad};
  uint32_t diff = 0;
  for (int i = 0; i < 8; ++i) diff |= state[i] ^ kDigest[i];
  return diff == 0;
}

Sha256Choice select_sha256(const Handoff& handoff, Sha256Hardware (*detect)(), Sink& out) {
  constexpr Sha256Choice kGeneric{sha256_blocks_generic, "generic"};
  if (handoff.sha256_routine != static_cast<uint32_t>(Sha256Routine::kAuto)) {
    format(out, "styx: sha256: generic (the image asks for it)\n");
    return kGeneric;
  }
  const Sha256Hardware hw = detect();
  if (!hw.name) {
    format(out, "styx: sha256: generic (no hardware routine for this ISA)\n");
    return kGeneric;
  }
  if (!hw.blocks) {
    format(out, "styx: sha256: generic (%s: %s)\n", hw.name, hw.why_not);
    return kGeneric;
  }
  if (!passes_self_test(hw.blocks)) {
    format(out, "styx: sha256: generic (%s failed its self-test)\n", hw.name);
    return kGeneric;
  }
  format(out, "styx: sha256: %s\n", hw.name);
  return {hw.blocks, hw.name};
}

}  // namespace styx

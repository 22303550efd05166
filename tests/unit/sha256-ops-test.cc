// SPDX-License-Identifier: GPL-2.0-only
// Every choice of SHA-256 operations an ISA can make (purgatory/sha256-ops.h, arch/*/purgatory/
// sha256-ops-*.h) compresses exactly like the portable one, which sha256-test.cc checks against
// FIPS 180-4 and OpenSSL. The purgatories themselves run in Unicorn (tests/emu).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "../../arch/riscv64/purgatory/sha256-ops-riscv64.h"
#include "sha256-ops.h"

namespace {

using Compress = void (*)(uint32_t*, const uint8_t*, size_t);

struct Choice {
  const char* name;
  Compress compress;
};

const Choice kChoices[] = {
    {"nested", styx::sha256_rounds<styx::Sha256NestedOps>},
    {"table", styx::sha256_rounds<styx::Sha256TableOps>},
    {"wide table", styx::sha256_rounds<styx::Sha256WideTableOps>},
    {"riscv64", styx::sha256_rounds<styx::Riscv64Sha256Ops>},
};

TEST(Sha256Ops, EveryChoiceCompressesLikeThePortableOne) {
  std::mt19937 rng(7);
  // Four bytes of slack so that the blocks can start at every alignment.
  std::vector<uint8_t> storage(16 * styx::kSha256BlockSize + 4);
  for (const Choice& choice : kChoices) {
    for (int trial = 0; trial < 64; ++trial) {
      for (auto& b : storage) b = static_cast<uint8_t>(rng());
      const size_t shift = trial % 4, blocks = 1 + trial % 16;
      uint32_t expected[8], actual[8];
      for (auto& word : expected) word = static_cast<uint32_t>(rng());
      std::memcpy(actual, expected, sizeof actual);
      styx::sha256_rounds<styx::Sha256Ops>(expected, storage.data() + shift, blocks);
      choice.compress(actual, storage.data() + shift, blocks);
      for (int i = 0; i < 8; ++i)
        ASSERT_EQ(actual[i], expected[i])
            << choice.name << ", word " << i << ", offset " << shift << ", " << blocks << " blocks";
    }
  }
}

}  // namespace

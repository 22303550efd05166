// SPDX-License-Identifier: GPL-2.0-only
// arm64 hashes with the MMU and caches on (arch/arm64/purgatory/fast-memory.cc): the identity
// map is read back out of emulated memory while the SHA-256 routine runs, SCTLR's M and C bits
// are watched from the first segment read to the hand-off, and the next kernel still sees exactly
// the verified bytes with x0 = the DTB. A broken map must end the run as a fault, not a hang.
#include <unicorn/unicorn.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "fixture.h"
#include "machine.h"

namespace styx::test {
namespace {

constexpr uint64_t kSctlrM = 1, kSctlrC = 1 << 2, kSctlrI = 1 << 12;

uint64_t sysreg(emu::Machine& m, uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm,
                uint32_t op2) {
  uc_arm64_cp_reg reg{crn, crm, op0, op1, op2, 0};
  emu::check(uc_reg_read(m.engine(), UC_ARM64_REG_CP_REG, &reg), "uc_reg_read cp_reg");
  return reg.val;
}

struct El1Regs {
  uint64_t sctlr, tcr, ttbr0, mair;
};

El1Regs el1_regs(emu::Machine& m) {
  return {sysreg(m, 3, 0, 1, 0, 0), sysreg(m, 3, 0, 2, 0, 2), sysreg(m, 3, 0, 2, 0, 0),
          sysreg(m, 3, 0, 10, 2, 0)};
}

uint64_t read_u64(emu::Machine& m, uint64_t addr) {
  const std::vector<uint8_t> b = m.read(addr, 8);
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | b[i];
  return v;
}

/// The block descriptor that maps `va` through the tables at `ttbr0` (4 KiB granule, from level
/// 0), its level, and how many tables the walk went through; nullopt when `va` is unmapped.
struct Leaf {
  uint64_t desc;
  int level;
};
std::optional<Leaf> walk(emu::Machine& m, uint64_t ttbr0, uint64_t va) {
  uint64_t table = ttbr0 & 0x0000fffffffff000ull;
  for (int level = 0; level <= 3; ++level) {
    const uint64_t index = (va >> (39 - 9 * level)) & 511;
    const uint64_t desc = read_u64(m, table + 8 * index);
    if ((desc & 1) == 0) return std::nullopt;
    if ((desc & 3) == 1 || level == 3) return Leaf{desc, level};
    table = desc & 0x0000fffffffff000ull;
  }
  return std::nullopt;
}

uint64_t attr_index(uint64_t desc) {
  return (desc >> 2) & 7;
}
uint64_t mair_attr(uint64_t mair, uint64_t desc) {
  return (mair >> (8 * attr_index(desc))) & 0xff;
}
uint64_t block_base(const Leaf& leaf) {
  const uint64_t size = 1ull << (39 - 9 * leaf.level);
  return leaf.desc & 0x0000fffffffff000ull & ~(size - 1);
}

// What the purgatory wrote to SCTLR_EL1, and the state seen at the first read of the kernel
// segment (which only the SHA-256 routine reads).
struct Observed {
  std::vector<uint64_t> sctlr_writes;
  bool hashing_seen = false;
  El1Regs at_hashing{};
  std::optional<Leaf> kernel, initrd, dtb, self, console;
  emu::Machine* machine = nullptr;
  uint64_t kernel_addr = 0, initrd_addr = 0, dtb_addr = 0, self_addr = 0, console_addr = 0;
};

void on_kernel_read(uc_engine*, uc_mem_type, uint64_t, int, int64_t, void* user) {
  auto* o = static_cast<Observed*>(user);
  if (o->hashing_seen) return;
  o->hashing_seen = true;
  emu::Machine& m = *o->machine;
  o->at_hashing = el1_regs(m);
  o->kernel = walk(m, o->at_hashing.ttbr0, o->kernel_addr);
  o->initrd = walk(m, o->at_hashing.ttbr0, o->initrd_addr);
  o->dtb = walk(m, o->at_hashing.ttbr0, o->dtb_addr);
  o->self = walk(m, o->at_hashing.ttbr0, o->self_addr);
  o->console = walk(m, o->at_hashing.ttbr0, o->console_addr);
}

class Arm64Mmu : public testing::TestWithParam<styx::Sha256Routine> {
 protected:
  const host::ArchInfo& arch() const { return *host::find_arch("arm64"); }
};

// Unicorn 2.0.1 cannot translate through any stage-1 table (arch/arm64/emu/profile.cc turns
// SCTLR.M back off at the abort that follows); everything else here is what the CPU was given.
TEST_P(Arm64Mmu, HashesThroughAnIdentityMapWithCachesOnAndHandsOffWithThemOff) {
  host::BuildRequest req = typical_request(arch());
  req.sha256_routine = GetParam();
  const host::Image image = build(req);
  emu::RunInput in = cli::run_input(image, {});
  in.max_instructions = 200'000'000;
  const emu::Chunk& purgatory = in.chunks.back();
  Observed o;
  o.kernel_addr = image.segments[0].addr;
  o.initrd_addr = image.segments[1].addr + image.segments[1].data.size() - 1;
  o.dtb_addr = image.segments[2].addr;
  o.self_addr = in.start;
  o.console_addr = image.handoff.console.base;
  in.before_run = [&](emu::Machine& m) {
    o = Observed{{},
                 false,
                 {},
                 {},
                 {},
                 {},
                 {},
                 {},
                 &m,
                 o.kernel_addr,
                 o.initrd_addr,
                 o.dtb_addr,
                 o.self_addr,
                 o.console_addr};
    m.on_code(
        [&m, &o](uint64_t address, uint32_t) {
          const std::vector<uint8_t> b = m.read(address, 4);
          const uint32_t insn = b[0] | b[1] << 8 | b[2] << 16 | static_cast<uint32_t>(b[3]) << 24;
          if ((insn & ~31u) == 0xd5181000)  // msr sctlr_el1, xN
            o.sctlr_writes.push_back(m.reg_read(UC_ARM64_REG_X0 + static_cast<int>(insn & 31)));
        },
        purgatory.addr, purgatory.addr + purgatory.bytes.size() - 1);
    uc_hook h;
    emu::check(
        uc_hook_add(m.engine(), &h, UC_HOOK_MEM_READ, reinterpret_cast<void*>(on_kernel_read), &o,
                    o.kernel_addr, o.kernel_addr + image.segments[0].data.size() - 1),
        "uc_hook_add mem_read");
  };
  std::vector<std::vector<uint8_t>> seen;
  uint64_t sctlr_at_handoff = 0;
  in.after_run = [&](emu::Machine& m, emu::RunResult&) {
    seen.clear();
    for (const auto& s : image.segments) seen.push_back(m.read(s.addr, s.data.size()));
    sctlr_at_handoff = el1_regs(m).sctlr;
  };
  const emu::RunResult r = emu::run(in);
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_NE(r.console.find("styx: mmu: on for hashing at EL1"), std::string::npos) << r.console;

  // On, then off: M, C and I together each time, nothing else changed.
  ASSERT_EQ(o.sctlr_writes.size(), 2u);
  EXPECT_EQ(o.sctlr_writes[0] & (kSctlrM | kSctlrC | kSctlrI), kSctlrM | kSctlrC | kSctlrI);
  EXPECT_EQ(o.sctlr_writes[1] & (kSctlrM | kSctlrC | kSctlrI), 0u);
  EXPECT_EQ(o.sctlr_writes[0] & ~(kSctlrM | kSctlrC | kSctlrI),
            o.sctlr_writes[1] & ~(kSctlrM | kSctlrC | kSctlrI));

  // While the routine reads the kernel: caches on, 4 KiB granule from level 0, TTBR1 unused,
  // MAIR 0 = Normal write-back, 1 = Device-nGnRnE.
  ASSERT_TRUE(o.hashing_seen);
  EXPECT_EQ(o.at_hashing.sctlr & (kSctlrC | kSctlrI), kSctlrC | kSctlrI);
  EXPECT_EQ(o.at_hashing.tcr & 63, 16u);
  EXPECT_EQ((o.at_hashing.tcr >> 14) & 3, 0u);
  EXPECT_EQ((o.at_hashing.tcr >> 23) & 1, 1u);
  EXPECT_EQ(o.at_hashing.mair & 0xffff, 0x00ffu);
  for (const auto* leaf : {&o.kernel, &o.initrd, &o.dtb, &o.self}) {
    ASSERT_TRUE(leaf->has_value());
    EXPECT_EQ(mair_attr(o.at_hashing.mair, (*leaf)->desc), 0xffu);
    EXPECT_EQ((*leaf)->desc & (1ull << 10), 1ull << 10) << "access flag";
    EXPECT_EQ((*leaf)->desc & (3ull << 53), 0u) << "executable";
  }
  // 2 MiB blocks: RAM is 64 MiB, so its 1 GiB is only partly write-back.
  EXPECT_EQ(o.kernel->level, 2);
  EXPECT_EQ(block_base(*o.kernel), o.kernel_addr & ~((1ull << 21) - 1));
  EXPECT_EQ(block_base(*o.self), o.self_addr & ~((1ull << 21) - 1));
  ASSERT_TRUE(o.console.has_value());
  EXPECT_EQ(mair_attr(o.at_hashing.mair, o.console->desc), 0x00u);
  EXPECT_EQ(o.console->desc & (3ull << 53), 3ull << 53) << "device is never executable";
  EXPECT_EQ(block_base(*o.console), o.console_addr & ~((1ull << 30) - 1));

  // At the hand-off: MMU and caches off, x0 = the DTB, x1-x3 = 0, the bytes that were verified.
  EXPECT_EQ(sctlr_at_handoff & (kSctlrM | kSctlrC | kSctlrI), 0u);
  EXPECT_EQ(r.register_problem, "");
  EXPECT_EQ(r.registers.at("x0"), image.segments[2].addr);
  ASSERT_EQ(seen.size(), image.segments.size());
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], image.segments[i].data) << i;
}

// A map that cannot be built leaves the MMU off and says why; hashing still decides.
TEST_P(Arm64Mmu, SegmentBeyondTheMapLeavesTheMmuOffAndStillFails) {
  host::BuildRequest req = typical_request(arch());
  req.sha256_routine = GetParam();
  const host::Image image = build(req);
  const emu::RunResult r = run(image, {}, [&](std::vector<uint8_t>& bytes) {
    // Segment 1 wraps: beyond any map, and the verify step refuses it without reading it.
    const size_t seg1 = image.handoff_offset + offsetof(Handoff, segments) + sizeof(Segment);
    poke(bytes, seg1 + offsetof(Segment, addr), 0xffff'ffff'ffff'f000ull, 8, false);
  });
  EXPECT_EQ(r.outcome, emu::Outcome::kFailure) << r.console << r.detail;
  EXPECT_NE(r.console.find("styx: mmu: off while hashing (a segment lies beyond the 48-bit "
                           "identity map)"),
            std::string::npos)
      << r.console;
  EXPECT_EQ(r.failed_segments, std::vector<uint32_t>{1});
}

// Tables that map nothing (the level-0 table zeroed as SCTLR.M is written): the run stops as a
// fault at the first fetch, never as a hang or a hand-off.
TEST_P(Arm64Mmu, BrokenMapIsAFaultNotAHang) {
  host::BuildRequest req = typical_request(arch());
  req.sha256_routine = GetParam();
  const host::Image image = build(req);
  emu::RunInput in = cli::run_input(image, {});
  in.max_instructions = 200'000'000;
  const emu::Chunk& purgatory = in.chunks.back();
  in.before_run = [&](emu::Machine& m) {
    m.on_code(
        [&m](uint64_t address, uint32_t) {
          const std::vector<uint8_t> b = m.read(address, 4);
          const uint32_t insn = b[0] | b[1] << 8 | b[2] << 16 | static_cast<uint32_t>(b[3]) << 24;
          if ((insn & ~31u) != 0xd5181000) return;  // msr sctlr_el1, xN
          if ((m.reg_read(UC_ARM64_REG_X0 + static_cast<int>(insn & 31)) & kSctlrM) == 0) return;
          m.write(el1_regs(m).ttbr0 & 0x0000fffffffff000ull, std::vector<uint8_t>(4096, 0));
        },
        purgatory.addr, purgatory.addr + purgatory.bytes.size() - 1);
  };
  const emu::RunResult r = emu::run(in);
  EXPECT_EQ(r.outcome, emu::Outcome::kFault) << r.console << r.detail;
  EXPECT_NE(r.detail.find("the stage-1 tables do not identity-map it"), std::string::npos)
      << r.detail;
}

INSTANTIATE_TEST_SUITE_P(Routine, Arm64Mmu,
                         testing::Values(styx::Sha256Routine::kAuto, styx::Sha256Routine::kGeneric),
                         [](const testing::TestParamInfo<styx::Sha256Routine>& info) {
                           return std::string(info.param == styx::Sha256Routine::kAuto ? "Auto"
                                                                                       : "Generic");
                         });

}  // namespace
}  // namespace styx::test

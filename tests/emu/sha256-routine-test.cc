// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's choice of SHA-256 routine, run in the emulator: the console names it, the
// image can force the generic code, a CPU without the feature gets the generic code, and a
// corrupt segment is reported the same whichever routine hashed it. The routines Unicorn cannot
// run (x86_64 SHA-NI, riscv64 Zknh) run here with their few special instructions executed in
// hooks; s390x detects CPACF and builds no routine.
#include <libfdt.h>
#include <unicorn/unicorn.h>

#include <array>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fixture.h"
#include "machine.h"
#include "run-options.h"

namespace styx::test {
namespace {

// The hardware routine each ISA's purgatory picks on the emulated CPU; "" for none.
std::string expected_hardware(const std::string& arch) {
  if (arch == "arm64") return "armv8-ce";
  if (arch == "ppc64le") return "power8-crypto";
  return "";
}

// What the console says on an ISA whose emulated CPU lacks the routine's instructions (Unicorn
// 2.0.1: x86_64 CPUID has no SHA, s390x STFLE has no MSA); "" where the emulator runs one.
std::string emulated_fallback(const std::string& arch) {
  if (arch == "x86_64") return "generic (sha-ni: CPUID.(EAX=7):EBX.SHA is 0)";
  if (arch == "s390x") return "generic (cpacf-kimd: STFLE facility 17 (MSA) is 0)";
  // The typical image's dtb segment is pattern bytes, not a tree.
  if (arch == "riscv64") return "generic (zknh: no device tree at boot argument a1)";
  if (expected_hardware(arch).empty()) return "generic (no hardware routine for this ISA)";
  return "";
}

// A feature register made to say "no": the instruction that reads it, and what it then reads.
struct HiddenFeature {
  std::string arch;
  uint32_t mask, match;  ///< (instruction & mask) == match; the destination register in bits 0-4
                         ///< (arm64) or 21-25 (ppc64)
  int shift;             ///< where the destination register number sits
  int reg0;              ///< Unicorn's id of register 0
  uint64_t value;        ///< what the purgatory reads instead
  std::string why;       ///< the console's reason
};

const HiddenFeature kHidden[] = {
    // mrs xN, id_aa64isar0_el1; SHA2 (bits 15:12) = 0, the rest of a Cortex-A57's value.
    {"arm64", 0xffffffe0, 0xd5380600, 0, UC_ARM64_REG_X0, 0x10000, "ID_AA64ISAR0_EL1.SHA2 is 0"},
    // mfpvr rN; a POWER7 (version 0x003f), which has no vector crypto.
    {"ppc64le", 0xfc1fffff, 0x7c1f42a6, 21, UC_PPC_REG_0, 0x003f0201,
     "the PVR names no POWER8 or later processor"},
};

const HiddenFeature* hidden_feature(const std::string& arch) {
  for (const HiddenFeature& h : kHidden)
    if (h.arch == arch) return &h;
  return nullptr;
}

class Sha256Routine : public testing::TestWithParam<std::string> {
 protected:
  const host::ArchInfo& arch() const { return *host::find_arch(GetParam()); }

  host::Image build_with(host::BuildRequest req, styx::Sha256Routine routine) const {
    req.sha256_routine = routine;
    return build(req);
  }
};

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The FAIL lines of a console, in order.
std::vector<std::string> fail_lines(const std::string& console) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < console.size()) {
    size_t end = console.find('\n', start);
    if (end == std::string::npos) end = console.size();
    const std::string line = console.substr(start, end - start);
    if (line.rfind("styx: FAIL", 0) == 0) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

TEST_P(Sha256Routine, ConsoleNamesTheRoutineAndTheImageCanForceGeneric) {
  const host::BuildRequest req = typical_request(arch());
  const host::Image automatic = build_with(req, styx::Sha256Routine::kAuto);
  const host::Image generic = build_with(req, styx::Sha256Routine::kGeneric);
  EXPECT_EQ(automatic.handoff.sha256_routine, static_cast<uint32_t>(styx::Sha256Routine::kAuto));
  EXPECT_EQ(generic.handoff.sha256_routine, static_cast<uint32_t>(styx::Sha256Routine::kGeneric));

  const emu::RunResult a = run(automatic), g = run(generic);
  ASSERT_EQ(a.outcome, emu::Outcome::kHandoff) << a.console << a.detail;
  ASSERT_EQ(g.outcome, emu::Outcome::kHandoff) << g.console << g.detail;
  EXPECT_EQ(a.register_problem, "");
  EXPECT_EQ(g.register_problem, "");
  const std::string hw = expected_hardware(GetParam());
  EXPECT_TRUE(contains(a.console,
                       "styx: sha256: " + (hw.empty() ? emulated_fallback(GetParam()) : hw) + "\n"))
      << a.console;
  EXPECT_TRUE(contains(g.console, "styx: sha256: generic (the image asks for it)\n")) << g.console;
  EXPECT_TRUE(contains(a.console, "styx: verified 3 segments, 17291 bytes")) << a.console;
  EXPECT_TRUE(contains(g.console, "styx: verified 3 segments, 17291 bytes")) << g.console;
  // The hardware routine costs a self-test up front and far less per byte; on 17 KiB it wins.
  if (!hw.empty()) {
    EXPECT_LT(a.instructions, g.instructions);
  }
}

// Every role's segment, a bit flipped at its start, middle and end: the same FAIL lines (expected
// and actual digest included) under both routines.
TEST_P(Sha256Routine, FlippedBitIsNamedIdenticallyUnderBothRoutines) {
  host::BuildRequest req = base_request(arch());
  for (uint32_t r = 0; r < kRoleCount; ++r)
    add_segment(req, static_cast<Role>(r), 0x100000 + r * 0x100000, 3000 + 7 * r);
  req.entry = req.segments[1].addr;
  const host::Image automatic = build_with(req, styx::Sha256Routine::kAuto);
  const host::Image generic = build_with(req, styx::Sha256Routine::kGeneric);
  for (uint32_t i = 0; i < kRoleCount; ++i) {
    const uint64_t size = automatic.segments[i].data.size();
    for (const cli::Flip flip :
         {cli::Flip{i, 0, 0}, cli::Flip{i, size / 2, 5}, cli::Flip{i, size - 1, 7}}) {
      SCOPED_TRACE("segment " + std::to_string(i) + " byte " + std::to_string(flip.byte));
      const emu::RunResult a = run(automatic, {flip}), g = run(generic, {flip});
      EXPECT_EQ(a.outcome, emu::Outcome::kFailure) << a.console;
      EXPECT_EQ(g.outcome, emu::Outcome::kFailure) << g.console;
      EXPECT_EQ(a.failed_segments, std::vector<uint32_t>{i});
      EXPECT_EQ(g.failed_segments, std::vector<uint32_t>{i});
      const std::vector<std::string> lines = fail_lines(a.console);
      ASSERT_EQ(lines.size(), 1u) << a.console;
      EXPECT_EQ(lines, fail_lines(g.console)) << g.console;
      EXPECT_TRUE(contains(lines[0], "styx: FAIL segment " + std::to_string(i) + " (" +
                                         role_name(static_cast<Role>(i)) + ")"))
          << lines[0];
    }
  }
}

// A CPU whose feature register says it has no SHA-256 instructions gets the generic code, says
// why, and still verifies (and still catches a flipped bit).
TEST_P(Sha256Routine, CpuWithoutTheFeatureRunsTheGenericCode) {
  const HiddenFeature* hidden = hidden_feature(GetParam());
  if (!hidden)
    GTEST_SKIP() << GetParam()
                 << "'s routine does not run on the emulated CPU: its detection is tested by "
                    "ShaNiInEmulator, ZknhInEmulator or CpacfInEmulator";
  const host::Image image = build(typical_request(arch()));
  const auto hide = [&](const std::vector<cli::Flip>& flips) {
    emu::RunInput in = cli::run_input(image, flips);
    in.max_instructions = 200'000'000;
    const emu::Chunk purgatory = in.chunks.back();
    int reads = 0;
    in.before_run = [hidden, purgatory, &reads](emu::Machine& machine) {
      reads = 0;
      const std::vector<uint8_t>& b = purgatory.bytes;
      for (size_t o = 0; o + 4 <= b.size(); o += 4) {
        const uint32_t insn = uint32_t{b[o]} | uint32_t{b[o + 1]} << 8 | uint32_t{b[o + 2]} << 16 |
                              uint32_t{b[o + 3]} << 24;
        if ((insn & hidden->mask) != hidden->match) continue;
        const int reg = hidden->reg0 + static_cast<int>((insn >> hidden->shift) & 31);
        // Before the next instruction, so the read itself ran: overwrite what it read.
        const uint64_t next = purgatory.addr + o + 4;
        machine.on_code(
            [&machine, reg, hidden, &reads](uint64_t, uint32_t) {
              machine.reg_write(reg, hidden->value);
              ++reads;
            },
            next, next);
      }
    };
    const emu::RunResult r = emu::run(in);
    EXPECT_EQ(reads, 1) << "the feature register is read once";
    return r;
  };
  const emu::RunResult r = hide({});
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_TRUE(contains(r.console, "styx: sha256: generic (" + expected_hardware(GetParam()) + ": " +
                                      hidden->why + ")\n"))
      << r.console;
  EXPECT_TRUE(contains(r.console, "styx: verified 3 segments, 17291 bytes")) << r.console;
  const emu::RunResult bad = hide({{1, 100, 3}});
  EXPECT_EQ(bad.outcome, emu::Outcome::kFailure) << bad.console;
  EXPECT_EQ(bad.failed_segments, std::vector<uint32_t>{1});
  EXPECT_EQ(fail_lines(bad.console), fail_lines(run(image, {{1, 100, 3}}).console));
}

TEST_P(Sha256Routine, CliForcesTheGenericCode) {
  TestDir dir("styx-sha256");
  const auto data = pattern(5000, 7);
  dir.write("k.bin", data);
  const std::string base = host::hex(arch().demo_ram_base);
  const std::string seg =
      "kernel=" + dir.path("k.bin") + "@" + host::hex(arch().demo_ram_base + 0x200000);
  for (const std::string routine : {"auto", "generic"}) {
    SCOPED_TRACE(routine);
    const CliResult b =
        styx({"build", "--arch", GetParam(), "--segment", seg, "--entry",
              host::hex(arch().demo_ram_base + 0x200000), "--mem", base + ":0x4000000", "--sha256",
              routine, "-o", dir.path(routine + ".styx")});
    ASSERT_EQ(b.status, 0) << b.err;
    const CliResult r = styx({"run", dir.path(routine + ".styx")});
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_EQ(contains(r.out, "styx: sha256: generic"),
              routine == "generic" || expected_hardware(GetParam()).empty())
        << r.out;
  }
  const CliResult bad = styx({"build", "--arch", GetParam(), "--segment", seg, "--entry",
                              host::hex(arch().demo_ram_base + 0x200000), "--mem",
                              base + ":0x4000000", "--sha256", "fast", "-o", dir.path("x.styx")});
  EXPECT_NE(bad.status, 0);
}

INSTANTIATE_TEST_SUITE_P(Isa, Sha256Routine, testing::ValuesIn(arch_names()), param_name);

// arm64: ID_AA64ISAR0_EL1 claims SHA2 (as Unicorn's CPU does) but the CPU takes the
// instructions as undefined. Unicorn runs them, so hooks on every SHA256H/H2/SU0/SU1 in the
// purgatory deliver the exception instead, as the architecture does (D1.10): ESR_EL1 = EC 0x00
// with IL set, ELR_EL1 = the instruction, SPSR_EL1 = PSTATE, then EL1 with SP_EL1 and DAIF
// masked at VBAR_EL1 + 0x200 (from SP_EL1) or + 0x000 (from SP_EL0).
namespace armv8 {

struct Seen {
  int undefined = 0;
  uint64_t vbar_at_first = 0;
};

void make_sha2_undefined(emu::Machine& machine, const emu::Chunk& purgatory, Seen& seen) {
  seen = {};
  const std::vector<uint8_t>& b = purgatory.bytes;
  for (size_t o = 0; o + 4 <= b.size(); o += 4) {
    const uint32_t insn = uint32_t{b[o]} | uint32_t{b[o + 1]} << 8 | uint32_t{b[o + 2]} << 16 |
                          uint32_t{b[o + 3]} << 24;
    const bool three_reg = (insn & 0xffe0cc00) == 0x5e004000 && (insn & 0x3000) != 0x3000;
    const bool su0 = (insn & 0xfffffc00) == 0x5e282800;
    if (!three_reg && !su0) continue;
    const uint64_t at = purgatory.addr + o;
    machine.on_code(
        [&machine, at, &seen](uint64_t, uint32_t) {
          const uint64_t pstate = machine.reg_read(UC_ARM64_REG_PSTATE);
          const uint64_t vbar = machine.reg_read(UC_ARM64_REG_VBAR_EL1);
          if (seen.undefined++ == 0) seen.vbar_at_first = vbar;
          uc_arm64_cp_reg spsr{4, 0, 3, 0, 0, pstate};  // SPSR_EL1
          emu::check(uc_reg_write(machine.engine(), UC_ARM64_REG_CP_REG, &spsr),
                     "uc_reg_write spsr_el1");
          machine.reg_write(UC_ARM64_REG_ELR_EL1, at);
          machine.reg_write(UC_ARM64_REG_ESR_EL1, 1u << 25);
          machine.reg_write(UC_ARM64_REG_PSTATE, (pstate & ~0xfull) | 0x5 | 0x3c0);
          machine.reg_write(UC_ARM64_REG_PC, vbar + ((pstate & 1) ? 0x200 : 0));
        },
        at, at);
  }
}

emu::RunResult run_undefined(const host::Image& image, Seen& seen,
                             const std::vector<cli::Flip>& flips = {}) {
  emu::RunInput in = cli::run_input(image, flips);
  const emu::Chunk purgatory = in.chunks.back();
  in.before_run = [purgatory, &seen](emu::Machine& machine) {
    make_sha2_undefined(machine, purgatory, seen);
  };
  return emu::run(in);
}

TEST(Armv8InEmulator, FeatureRegisterThatLiesFallsBackToGeneric) {
  const host::Image image = build(typical_request(*host::find_arch("arm64")));
  Seen seen;
  const emu::RunResult r = run_undefined(image, seen);
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_TRUE(contains(r.console,
                       "styx: sha256: generic (armv8-ce: ID_AA64ISAR0_EL1 claims SHA2, but its "
                       "instructions are undefined)\n"))
      << r.console;
  EXPECT_TRUE(contains(r.console, "styx: verified 3 segments, 17291 bytes")) << r.console;
  EXPECT_EQ(seen.undefined, 1) << "one exception, in the known-answer block, then never again";
  EXPECT_NE(seen.vbar_at_first, 0u) << "taken through the purgatory's own vector";
  EXPECT_EQ(seen.vbar_at_first & 0x7ff, 0u) << "the table is 2 KiB aligned";
  EXPECT_EQ(r.registers.at("vbar_el1"), 0u) << "VBAR_EL1 is put back";
  EXPECT_EQ(r.register_problem, "");
  const emu::RunResult bad = run_undefined(image, seen, {{1, 100, 3}});
  EXPECT_EQ(bad.outcome, emu::Outcome::kFailure) << bad.console;
  EXPECT_EQ(bad.failed_segments, std::vector<uint32_t>{1});
  EXPECT_EQ(fail_lines(bad.console), fail_lines(run(image, {{1, 100, 3}}).console));
}

}  // namespace armv8

// x86_64 SHA-NI in the emulator. Unicorn 2.0.1 reports no SHA in CPUID and raises #UD on the SHA
// instructions (it stops; it does not deliver the exception). So these tests make CPUID claim
// what the test wants, and where the routine should run they execute its three SHA instructions
// in code hooks, by the SDM's definitions: everything else in the routine (the SSE loads,
// shuffles and adds, the CR0/CR4 set-up, the self-test) is the real purgatory on the emulated CPU.
// Runs `image` with the hooks of a CPU model placed on the purgatory's code: `install(machine,
// purgatory, cpu, seen)` from the model's namespace (found through `Cpu`).
template <class Cpu, class Seen>
emu::RunResult run_with(const host::Image& image, const Cpu& cpu, Seen& seen,
                        const std::vector<cli::Flip>& flips = {}) {
  emu::RunInput in = cli::run_input(image, flips);
  const emu::Chunk purgatory = in.chunks.back();
  in.before_run = [purgatory, cpu, &seen](emu::Machine& machine) {
    install(machine, purgatory, cpu, seen);
  };
  return emu::run(in);
}

namespace shani {

constexpr uint64_t kCr4Osfxsr = 1u << 9, kCr4Osxmmexcpt = 1u << 10;

uint32_t ror(uint32_t x, int n) {
  return x >> n | x << (32 - n);
}
uint32_t big_sigma0(uint32_t x) {
  return ror(x, 2) ^ ror(x, 13) ^ ror(x, 22);
}
uint32_t big_sigma1(uint32_t x) {
  return ror(x, 6) ^ ror(x, 11) ^ ror(x, 25);
}
uint32_t small_sigma0(uint32_t x) {
  return ror(x, 7) ^ ror(x, 18) ^ (x >> 3);
}
uint32_t small_sigma1(uint32_t x) {
  return ror(x, 17) ^ ror(x, 19) ^ (x >> 10);
}

using Xmm = std::array<uint32_t, 4>;  // element 0 = bits 31:0

Xmm read_xmm(emu::Machine& m, int n) {
  uint64_t q[2];
  emu::check(uc_reg_read(m.engine(), UC_X86_REG_XMM0 + n, q), "uc_reg_read xmm");
  return {static_cast<uint32_t>(q[0]), static_cast<uint32_t>(q[0] >> 32),
          static_cast<uint32_t>(q[1]), static_cast<uint32_t>(q[1] >> 32)};
}

void write_xmm(emu::Machine& m, int n, const Xmm& x) {
  uint64_t q[2] = {x[0] | uint64_t{x[1]} << 32, x[2] | uint64_t{x[3]} << 32};
  emu::check(uc_reg_write(m.engine(), UC_X86_REG_XMM0 + n, q), "uc_reg_write xmm");
}

// SHA256RNDS2 dst, src (<xmm0>), SHA256MSG1 dst, src, SHA256MSG2 dst, src.
Xmm rnds2(const Xmm& cdgh, const Xmm& abef, const Xmm& wk) {
  uint32_t a = abef[3], b = abef[2], c = cdgh[3], d = cdgh[2];
  uint32_t e = abef[1], f = abef[0], g = cdgh[1], h = cdgh[0];
  uint32_t out_a[2], out_e[2];
  for (int i = 0; i < 2; ++i) {
    const uint32_t t1 = h + big_sigma1(e) + ((e & f) ^ (~e & g)) + wk[i];
    const uint32_t t2 = big_sigma0(a) + ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    out_a[i] = a, out_e[i] = e;
  }
  return {out_e[0], out_e[1], out_a[0], out_a[1]};
}
Xmm msg1(const Xmm& w0, const Xmm& w4) {
  return {w0[0] + small_sigma0(w0[1]), w0[1] + small_sigma0(w0[2]), w0[2] + small_sigma0(w0[3]),
          w0[3] + small_sigma0(w4[0])};
}
Xmm msg2(const Xmm& x, const Xmm& w12) {
  const uint32_t w16 = x[0] + small_sigma1(w12[2]), w17 = x[1] + small_sigma1(w12[3]);
  return {w16, w17, x[2] + small_sigma1(w16), x[3] + small_sigma1(w17)};
}

// What the purgatory's CPUID reads: `ebx7_set` ORed into leaf 7's EBX, `ecx1_clear` cleared in
// leaf 1's ECX.
struct Cpu {
  uint32_t ebx7_set = 0, ecx1_clear = 0;
  bool emulate_sha = false;  ///< run the SHA instructions in hooks
  bool raise_ud = false;     ///< deliver #UD through the IDT on every SHA instruction instead
};

struct Seen {
  int cpuid_reads = 0;
  int sha_instructions = 0;
  int ud_delivered = 0;
  uint64_t idt_base_at_ud = 0;
  bool sse_was_off = false;  ///< a SHA instruction ran with CR4.OSFXSR clear
  uint64_t cr4_at_first_sha = 0;
};

// #UD (vector 6, no error code) as a CPU in 64-bit mode delivers it through the IDT (SDM Vol. 3A
// 6.14.2): the stack aligned down to 16, SS, RSP, RFLAGS, CS and RIP (the faulting instruction)
// pushed, IF and TF cleared, RIP = the gate's offset. Unicorn 2.0.1 itself stops on #UD.
void raise_ud(emu::Machine& machine, uint64_t rip, Seen& seen) {
  uc_x86_mmr idtr{};
  emu::check(uc_reg_read(machine.engine(), UC_X86_REG_IDTR, &idtr), "uc_reg_read idtr");
  ++seen.ud_delivered;
  seen.idt_base_at_ud = idtr.base;
  const std::vector<uint8_t> gate = machine.read(idtr.base + 6 * 16, 16);
  const auto le = [&gate](int at, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = v << 8 | gate[at + i];
    return v;
  };
  const uint64_t handler = le(0, 2) | le(6, 2) << 16 | le(8, 4) << 32;
  const uint64_t rsp = machine.reg_read(UC_X86_REG_RSP);
  const uint64_t rflags = machine.reg_read(UC_X86_REG_RFLAGS);
  const uint64_t frame[5] = {rip, machine.reg_read(UC_X86_REG_CS), rflags, rsp,
                             machine.reg_read(UC_X86_REG_SS)};
  const uint64_t top = (rsp & ~uint64_t{15}) - sizeof(frame);
  std::vector<uint8_t> bytes(sizeof(frame));
  for (size_t i = 0; i < sizeof(frame); ++i)
    bytes[i] = static_cast<uint8_t>(frame[i / 8] >> (8 * (i % 8)));
  machine.write(top, bytes);
  machine.reg_write(UC_X86_REG_RSP, top);
  machine.reg_write(UC_X86_REG_RFLAGS, rflags & ~uint64_t{(1u << 9) | (1u << 8)});
  machine.reg_write(UC_X86_REG_RIP, handler);
}

// Hooks on every CPUID of the purgatory (0f a2) and, with emulate_sha, on every register-form SHA
// instruction (0f 38 cb/cc/cd, optionally after a REX prefix). A match inside another instruction
// gets a hook that never runs: hooks fire only where an instruction starts.
void install(emu::Machine& machine, const emu::Chunk& purgatory, const Cpu& cpu, Seen& seen) {
  seen = {};
  const std::vector<uint8_t>& b = purgatory.bytes;
  for (size_t o = 0; o + 2 <= b.size(); ++o) {
    const uint64_t at = purgatory.addr + o;
    if (b[o] == 0x0f && b[o + 1] == 0xa2) {
      auto leaf = std::make_shared<uint64_t>(0);
      machine.on_code(
          [&machine, leaf](uint64_t, uint32_t) { *leaf = machine.reg_read(UC_X86_REG_RAX); }, at,
          at);
      machine.on_code(
          [&machine, leaf, cpu, &seen](uint64_t, uint32_t) {
            ++seen.cpuid_reads;
            if (*leaf == 7)
              machine.reg_write(UC_X86_REG_RBX, machine.reg_read(UC_X86_REG_RBX) | cpu.ebx7_set);
            if (*leaf == 1)
              machine.reg_write(UC_X86_REG_RCX,
                                machine.reg_read(UC_X86_REG_RCX) & ~uint64_t{cpu.ecx1_clear});
          },
          at + 2, at + 2);
    }
    if (!cpu.emulate_sha && !cpu.raise_ud) continue;
    const bool rex = (b[o] & 0xf0) == 0x40;
    const size_t p = o + (rex ? 1 : 0);
    if (p + 4 > b.size() || b[p] != 0x0f || b[p + 1] != 0x38 || b[p + 2] < 0xcb ||
        b[p + 2] > 0xcd || b[p + 3] < 0xc0)
      continue;
    const uint8_t op = b[p + 2], modrm = b[p + 3];
    const int dst = ((modrm >> 3) & 7) + (rex && (b[o] & 4) ? 8 : 0);
    const int src = (modrm & 7) + (rex && (b[o] & 1) ? 8 : 0);
    const uint64_t next = at + (p - o) + 4;
    if (cpu.raise_ud) {
      machine.on_code([&machine, at, &seen](uint64_t, uint32_t) { raise_ud(machine, at, seen); },
                      at, at);
      continue;
    }
    machine.on_code(
        [&machine, op, dst, src, next, &seen](uint64_t, uint32_t) {
          const uint64_t cr4 = machine.reg_read(UC_X86_REG_CR4);
          if (seen.sha_instructions++ == 0) seen.cr4_at_first_sha = cr4;
          if (!(cr4 & kCr4Osfxsr)) seen.sse_was_off = true;
          const Xmm d = read_xmm(machine, dst), s = read_xmm(machine, src);
          write_xmm(machine, dst,
                    op == 0xcb   ? rnds2(d, s, read_xmm(machine, 0))
                    : op == 0xcc ? msg1(d, s)
                                 : msg2(d, s));
          machine.reg_write(UC_X86_REG_RIP, next);
        },
        at, at);
  }
}

class ShaNiInEmulator : public testing::Test {
 protected:
  const host::ArchInfo& arch() const { return *host::find_arch("x86_64"); }
};

// CPUID claims SHA and the SHA instructions execute: the purgatory enables SSE (kexec leaves
// CR4.OSFXSR clear, and the emulator faults SSE instructions then), the routine passes its
// self-test and verifies, a flipped bit is named as under the generic code, and the next kernel
// gets CR0/CR4 as the purgatory found them.
TEST_F(ShaNiInEmulator, ClaimedShaRunsTheRoutineWithSseOnAndOffAgainAtTheHandOff) {
  const host::Image image = build(typical_request(arch()));
  const Cpu cpu{.ebx7_set = 1u << 29, .emulate_sha = true};
  Seen seen;
  const emu::RunResult r = run_with(image, cpu, seen);
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff)
      << r.console << r.detail << " at purgatory offset 0x" << std::hex
      << r.pc - cli::run_input(image, {}).chunks.back().addr << " after " << std::dec
      << seen.sha_instructions << " SHA instructions";
  EXPECT_TRUE(contains(r.console, "styx: sha256: sha-ni\n")) << r.console;
  EXPECT_TRUE(contains(r.console, "styx: verified 3 segments, 17291 bytes")) << r.console;
  EXPECT_EQ(r.register_problem, "");
  EXPECT_GE(seen.cpuid_reads, 3);
  // 32 SHA256RNDS2 + 12 MSG1 + 12 MSG2 per block.
  EXPECT_GT(seen.sha_instructions, 56 * 8);
  EXPECT_EQ(seen.sha_instructions % 56, 0);
  EXPECT_FALSE(seen.sse_was_off);
  EXPECT_EQ(seen.cr4_at_first_sha & (kCr4Osfxsr | kCr4Osxmmexcpt), kCr4Osfxsr | kCr4Osxmmexcpt);
  // Entry state (the profile's, as kexec leaves it): CR4 = PAE; CR0 without EM and TS.
  EXPECT_EQ(r.registers.at("cr4"), 1u << 5);
  EXPECT_EQ(r.registers.at("cr0") & 0xe, 0u) << "CR0.MP/EM/TS as the purgatory found them";

  const emu::RunResult generic = run(image);
  EXPECT_EQ(generic.registers.at("cr4"), 1u << 5);
  for (uint32_t segment = 0; segment < image.segments.size(); ++segment) {
    const uint64_t size = image.segments[segment].data.size();
    for (const cli::Flip flip : {cli::Flip{segment, 0, 0}, cli::Flip{segment, size - 1, 6}}) {
      SCOPED_TRACE("segment " + std::to_string(segment) + " byte " + std::to_string(flip.byte));
      const emu::RunResult bad = run_with(image, cpu, seen, {flip});
      EXPECT_EQ(bad.outcome, emu::Outcome::kFailure) << bad.console;
      EXPECT_TRUE(contains(bad.console, "styx: sha256: sha-ni\n")) << bad.console;
      EXPECT_EQ(bad.failed_segments, std::vector<uint32_t>{segment});
      const std::vector<std::string> lines = fail_lines(bad.console);
      ASSERT_EQ(lines.size(), 1u) << bad.console;
      EXPECT_EQ(lines, fail_lines(run(image, {flip}).console));
    }
  }
}

// CPUID claims SHA but the CPU raises #UD on the instructions (a CPUID that lies), delivered
// through the IDT as the CPU would. The purgatory runs the routine's first block under an IDT of
// its own: the #UD lands there, the old IDTR and CR0/CR4 are put back, the generic code verifies
// and names a flipped bit as it always does.
TEST_F(ShaNiInEmulator, ClaimedShaThatRaisesUdFallsBackToGeneric) {
  const host::Image image = build(typical_request(arch()));
  const Cpu cpu{.ebx7_set = 1u << 29, .raise_ud = true};
  Seen seen;
  const emu::RunResult r = run_with(image, cpu, seen);
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_TRUE(contains(
      r.console,
      "styx: sha256: generic (sha-ni: CPUID claims SHA, but its instructions raise #UD)\n"))
      << r.console;
  EXPECT_TRUE(contains(r.console, "styx: verified 3 segments, 17291 bytes")) << r.console;
  EXPECT_EQ(seen.ud_delivered, 1) << "one #UD, in the known-answer block, then never again";
  EXPECT_NE(seen.idt_base_at_ud, r.registers.at("idtr_base")) << "through the purgatory's own IDT";
  EXPECT_EQ(r.registers.at("idtr_base"), 0u) << "the old IDTR is put back";
  EXPECT_GE(seen.cpuid_reads, 3);
  EXPECT_EQ(r.registers.at("cr4"), 1u << 5) << "SSE off again, as kexec left it";
  EXPECT_EQ(r.register_problem, "");
  const emu::RunResult bad = run_with(image, cpu, seen, {{1, 100, 3}});
  EXPECT_EQ(bad.outcome, emu::Outcome::kFailure) << bad.console;
  EXPECT_EQ(bad.failed_segments, std::vector<uint32_t>{1});
  EXPECT_EQ(fail_lines(bad.console), fail_lines(run(image, {{1, 100, 3}}).console));
}

// CPUID without SSE4.1 (PBLENDW) or SSSE3 (PSHUFB): the generic code, whatever leaf 7 says.
TEST_F(ShaNiInEmulator, MissingSseLevelsKeepTheGenericCode) {
  const host::Image image = build(typical_request(arch()));
  for (const auto& [clear, why] :
       {std::pair<uint32_t, std::string>{1u << 19, "CPUID.1:ECX.SSE4_1 is 0"},
        std::pair<uint32_t, std::string>{1u << 9, "CPUID.1:ECX.SSSE3 is 0"}}) {
    Seen seen;
    const emu::RunResult r =
        run_with(image, Cpu{.ebx7_set = 1u << 29, .ecx1_clear = clear, .emulate_sha = true}, seen);
    ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
    EXPECT_TRUE(contains(r.console, "styx: sha256: generic (sha-ni: " + why + ")\n")) << r.console;
    EXPECT_EQ(seen.sha_instructions, 0);
    EXPECT_EQ(r.registers.at("cr4"), 1u << 5) << "SSE left off";
  }
}

}  // namespace shani

// s390x CPACF: the purgatory asks STFLE for facility 17 (MSA) and only then issues the KIMD query
// (function code 0), and never another function code: no KIMD-SHA-256 routine is built, since no
// emulator here runs one (Unicorn 2.0.1 aborts the host process on it). Unicorn's STFLE reports
// no MSA; the tests make STFLE and the query say what they want after the real instructions ran.
namespace cpacf {

struct Cpu {
  bool msa = false;
  int sha256 = -1;  ///< the query's SHA-256 bit: -1 as Unicorn reports it, 0 cleared, 1 set
};

struct Seen {
  int stfle = 0;
  std::vector<uint64_t> kimd_function_codes;  ///< r0 at every KIMD
  std::optional<bool> emulator_reports_sha256;
};

void install(emu::Machine& machine, const emu::Chunk& purgatory, const Cpu& cpu, Seen& seen) {
  seen = {};
  const std::vector<uint8_t>& b = purgatory.bytes;
  for (size_t o = 0; o + 4 <= b.size(); o += 2) {
    const uint64_t at = purgatory.addr + o;
    if (b[o] == 0xb2 && b[o + 1] == 0xb0) {  // STFLE D2(B2)
      const int base = b[o + 2] >> 4;
      const uint64_t disp = (b[o + 2] & 0xf) << 8 | b[o + 3];
      auto list = std::make_shared<uint64_t>(0);
      machine.on_code(
          [&machine, base, disp, list](uint64_t, uint32_t) {
            *list = (base ? machine.reg_read(UC_S390X_REG_R0 + base) : 0) + disp;
          },
          at, at);
      machine.on_code(
          [&machine, list, cpu, &seen](uint64_t, uint32_t) {
            ++seen.stfle;
            std::vector<uint8_t> byte2 = machine.read(*list + 2, 1);
            byte2[0] = cpu.msa ? (byte2[0] | 0x40) : (byte2[0] & ~0x40);  // facility 17
            machine.write(*list + 2, byte2);
          },
          at + 4, at + 4);
    }
    if (b[o] == 0xb9 && b[o + 1] == 0x3e) {  // KIMD
      machine.on_code(
          [&machine, &seen](uint64_t, uint32_t) {
            seen.kimd_function_codes.push_back(machine.reg_read(UC_S390X_REG_R0));
            // A non-query function would abort the host process: stop the run instead.
            if (machine.reg_read(UC_S390X_REG_R0) & 0x7f) machine.stop();
          },
          at, at);
      machine.on_code(
          [&machine, cpu, &seen](uint64_t, uint32_t) {
            const uint64_t block = machine.reg_read(UC_S390X_REG_R1);
            std::vector<uint8_t> byte0 = machine.read(block, 1);
            seen.emulator_reports_sha256 = (byte0[0] & 0x20) != 0;
            if (cpu.sha256 == 0) byte0[0] &= ~0x20;
            if (cpu.sha256 == 1) byte0[0] |= 0x20;
            machine.write(block, byte0);
          },
          at + 4, at + 4);
    }
  }
}

class CpacfInEmulator : public testing::Test {
 protected:
  host::Image image() const { return build(typical_request(*host::find_arch("s390x"))); }
};

TEST_F(CpacfInEmulator, WithoutMsaTheQueryIsNeverIssued) {
  Seen seen;
  const emu::RunResult r = run_with(image(), Cpu{}, seen);
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_TRUE(
      contains(r.console, "styx: sha256: generic (cpacf-kimd: STFLE facility 17 (MSA) is 0)\n"))
      << r.console;
  EXPECT_EQ(seen.stfle, 1);
  EXPECT_TRUE(seen.kimd_function_codes.empty());
}

TEST_F(CpacfInEmulator, AQueryWithoutSha256KeepsTheGenericCode) {
  for (const int sha256 : {-1, 0}) {
    SCOPED_TRACE(sha256 < 0 ? "as Unicorn reports it" : "cleared");
    Seen seen;
    const emu::RunResult r = run_with(image(), Cpu{.msa = true, .sha256 = sha256}, seen);
    // Unicorn's own query (its CPU model) reports no SHA-256.
    EXPECT_EQ(seen.emulator_reports_sha256, std::optional<bool>{false});
    ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
    EXPECT_TRUE(contains(
        r.console, "styx: sha256: generic (cpacf-kimd: the KIMD query does not report SHA-256)\n"))
        << r.console;
    EXPECT_EQ(seen.kimd_function_codes, std::vector<uint64_t>{0});
    EXPECT_TRUE(contains(r.console, "styx: verified 3 segments, 17291 bytes")) << r.console;
  }
}

// The query reports SHA-256: the purgatory says so and still runs the generic code (there is no
// tested routine to run), issuing no KIMD function but the query; a flipped bit is still named.
TEST_F(CpacfInEmulator, AQueryWithSha256IsReportedAndOnlyTheQueryIsIssued) {
  const host::Image img = image();
  Seen seen;
  const emu::RunResult r = run_with(img, Cpu{.msa = true, .sha256 = 1}, seen);
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_TRUE(
      contains(r.console,
               "styx: sha256: generic (cpacf-kimd: KIMD-SHA-256 is reported, but no routine "
               "for it is built (untested))\n"))
      << r.console;
  EXPECT_EQ(seen.kimd_function_codes, std::vector<uint64_t>{0});
  const emu::RunResult bad = run_with(img, Cpu{.msa = true, .sha256 = 1}, seen, {{1, 100, 3}});
  EXPECT_EQ(bad.outcome, emu::Outcome::kFailure) << bad.console;
  EXPECT_EQ(bad.failed_segments, std::vector<uint32_t>{1});
  EXPECT_EQ(seen.kimd_function_codes, std::vector<uint64_t>{0});
}

}  // namespace cpacf

// riscv64 Zknh: the purgatory reads the cpu nodes of the tree at boot argument a1, then probes the
// four instructions under its own trap vector. Unicorn runs the code in M-mode, where Zknh is
// illegal; the profile delivers that trap to the purgatory's stvec as S-mode would. Where the
// routine should run, the tests execute its Zknh instructions in code hooks.
namespace zknh {

// A tree with one cpu node per entry of `isa`: {property, value} with the value's NULs included.
std::vector<uint8_t> tree(const std::vector<std::pair<std::string, std::string>>& cpus) {
  std::vector<uint8_t> fdt(4096);
  const auto ok = [](int err) {
    if (err) throw std::runtime_error(fdt_strerror(err));
  };
  ok(fdt_create(fdt.data(), static_cast<int>(fdt.size())));
  ok(fdt_finish_reservemap(fdt.data()));
  ok(fdt_begin_node(fdt.data(), ""));
  ok(fdt_property_u32(fdt.data(), "#address-cells", 2));
  ok(fdt_begin_node(fdt.data(), "cpus"));
  for (size_t i = 0; i < cpus.size(); ++i) {
    ok(fdt_begin_node(fdt.data(), ("cpu@" + std::to_string(i)).c_str()));
    ok(fdt_property_string(fdt.data(), "device_type", "cpu"));
    ok(fdt_property(fdt.data(), cpus[i].first.c_str(), cpus[i].second.data(),
                    static_cast<int>(cpus[i].second.size())));
    ok(fdt_begin_node(fdt.data(), "interrupt-controller"));
    ok(fdt_property_string(fdt.data(), "riscv,isa", "rv64imac_zknh"));  // not a cpu: ignored
    ok(fdt_end_node(fdt.data()));
    ok(fdt_end_node(fdt.data()));
  }
  ok(fdt_end_node(fdt.data()));
  ok(fdt_end_node(fdt.data()));
  ok(fdt_finish(fdt.data()));
  fdt.resize(fdt_totalsize(fdt.data()));
  return fdt;
}

std::pair<std::string, std::string> isa(const std::string& s) {
  return {"riscv,isa", s + std::string(1, '\0')};
}

host::Image image_with(const std::vector<uint8_t>& dtb) {
  host::BuildRequest req = typical_request(*host::find_arch("riscv64"));
  req.segments[2].data = dtb;
  return build(req);
}

// Hooks on every Zknh instruction (sha256sum0/1, sha256sig0/1: OP-IMM, funct3 1, imm 0x100-0x103)
// that compute it as the CPU would and go on after it.
struct Seen {
  int zknh = 0;
};

void emulate_zknh(emu::Machine& machine, const emu::Chunk& purgatory, Seen& seen) {
  seen = {};
  const std::vector<uint8_t>& b = purgatory.bytes;
  for (size_t o = 0; o + 4 <= b.size(); o += 2) {
    const uint32_t insn = uint32_t{b[o]} | uint32_t{b[o + 1]} << 8 | uint32_t{b[o + 2]} << 16 |
                          uint32_t{b[o + 3]} << 24;
    if ((insn & 0xffc0707f) != 0x10001013) continue;
    const int which = (insn >> 20) & 3, rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
    const uint64_t at = purgatory.addr + o;
    machine.on_code(
        [&machine, which, rd, rs1, at, &seen](uint64_t, uint32_t) {
          ++seen.zknh;
          const uint32_t x =
              rs1 ? static_cast<uint32_t>(machine.reg_read(UC_RISCV_REG_X0 + rs1)) : 0;
          const uint32_t r = which == 0   ? shani::big_sigma0(x)
                             : which == 1 ? shani::big_sigma1(x)
                             : which == 2 ? shani::small_sigma0(x)
                                          : shani::small_sigma1(x);
          if (rd)
            machine.reg_write(UC_RISCV_REG_X0 + rd,
                              static_cast<uint64_t>(int64_t{static_cast<int32_t>(r)}));
          machine.reg_write(UC_RISCV_REG_PC, at + 4);
        },
        at, at);
  }
}

emu::RunResult run_riscv(const host::Image& image, bool emulate, Seen& seen,
                         const std::vector<cli::Flip>& flips = {}) {
  emu::RunInput in = cli::run_input(image, flips);
  in.max_instructions = 200'000'000;
  const emu::Chunk purgatory = in.chunks.back();
  if (emulate)
    in.before_run = [purgatory, &seen](emu::Machine& machine) {
      emulate_zknh(machine, purgatory, seen);
    };
  // Unicorn 2.0.1 reports a translation block that ends in an illegal riscv64 instruction with a
  // size that wrapped below zero (0xfffe for one 2-byte instruction before it), which the
  // block-hook count cannot read: these runs count with a hook on every instruction instead.
  return emu::run_with(in, {.count_each_instruction = true});
}

TEST(ZknhInEmulator, TreeWithoutZknhOnEveryCpuKeepsTheGenericCode) {
  const struct {
    std::vector<std::pair<std::string, std::string>> cpus;
    std::string why;
  } cases[] = {
      {{isa("rv64imafdc_zicsr_zifencei")}, "riscv,isa of the cpu nodes lacks zknh"},
      {{isa("rv64imac_zknh"), isa("rv64imac_zkne")}, "riscv,isa of the cpu nodes lacks zknh"},
      {{isa("rv64imac_zknhx")}, "riscv,isa of the cpu nodes lacks zknh"},
      {{}, "the device tree has no cpu nodes"},
  };
  for (const auto& c : cases) {
    Seen seen;
    const emu::RunResult r = run_riscv(image_with(tree(c.cpus)), true, seen);
    ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
    EXPECT_TRUE(contains(r.console, "styx: sha256: generic (zknh: " + c.why + ")\n")) << r.console;
    EXPECT_EQ(seen.zknh, 0) << "no Zknh instruction runs";
  }
}

TEST(ZknhInEmulator, TruncatedOrCorruptTreeKeepsTheGenericCode) {
  std::vector<uint8_t> t = tree({isa("rv64imac_zknh")});
  std::vector<uint8_t> big_struct = t;
  big_struct[36] = 0x7f;  // size_dt_struct far beyond the tree
  std::vector<uint8_t> big_total = t;
  big_total[4] = 0x7f;  // totalsize beyond the segment
  for (const auto& bytes : {big_struct, big_total}) {
    const emu::RunResult r = run(image_with(bytes));
    ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
    EXPECT_TRUE(contains(
        r.console, "styx: sha256: generic (zknh: the device tree's header is out of bounds)\n"))
        << r.console;
  }
  std::vector<uint8_t> bad_token = t;
  bad_token[fdt_off_dt_struct(t.data()) + 3] = 0x42;
  const emu::RunResult r = run(image_with(bad_token));
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_TRUE(contains(r.console, "styx: sha256: generic (zknh: the device tree is malformed)\n"))
      << r.console;
}

// A tree that lies: it claims Zknh, the CPU traps on it. The probe's trap vector catches it, the
// generic code verifies, a flipped bit is still named, and stvec is the purgatory's no longer.
TEST(ZknhInEmulator, TreeClaimingZknhOnACpuThatTrapsFallsBackToGeneric) {
  for (const auto& cpu : {isa("rv64imafdc_zicsr_zifencei_zknh"), isa("rv64imac_zk"),
                          std::pair<std::string, std::string>{
                              "riscv,isa-extensions", std::string("i\0m\0a\0c\0zknh\0", 13)}}) {
    SCOPED_TRACE(cpu.first);
    const host::Image image = image_with(tree({cpu, cpu}));
    Seen seen;
    const emu::RunResult r = run_riscv(image, false, seen);
    ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
    EXPECT_TRUE(contains(
        r.console,
        "styx: sha256: generic (zknh: the device tree claims zknh, but its instructions trap)\n"))
        << r.console;
    EXPECT_TRUE(contains(r.console, "styx: verified 3 segments")) << r.console;
    EXPECT_EQ(r.registers.at("stvec"), 0u) << "the probe's trap vector is put back";
    EXPECT_EQ(r.register_problem, "");
    const emu::RunResult bad = run_riscv(image, false, seen, {{1, 100, 3}});
    EXPECT_EQ(bad.outcome, emu::Outcome::kFailure) << bad.console;
    EXPECT_EQ(bad.failed_segments, std::vector<uint32_t>{1});
  }
}

// A tree that claims Zknh on a CPU that has it: the routine runs, verifies, and names a flipped
// bit at the start, middle and end of every segment as the generic code does.
TEST(ZknhInEmulator, TreeClaimingZknhOnACpuWithItRunsTheRoutine) {
  const host::Image image = image_with(tree({isa("rv64imac_zicsr_zknh")}));
  Seen seen;
  const emu::RunResult r = run_riscv(image, true, seen);
  ASSERT_EQ(r.outcome, emu::Outcome::kHandoff) << r.console << r.detail;
  EXPECT_TRUE(contains(r.console, "styx: sha256: zknh\n")) << r.console;
  EXPECT_TRUE(contains(r.console, "styx: verified 3 segments")) << r.console;
  EXPECT_EQ(r.register_problem, "");
  EXPECT_GT(seen.zknh, 4 + 8 * 224) << "the probe and at least 8 blocks";
  for (uint32_t segment = 0; segment < image.segments.size(); ++segment) {
    const uint64_t size = image.segments[segment].data.size();
    for (const cli::Flip flip : {cli::Flip{segment, 0, 0}, cli::Flip{segment, size / 2, 4},
                                 cli::Flip{segment, size - 1, 7}}) {
      SCOPED_TRACE("segment " + std::to_string(segment) + " byte " + std::to_string(flip.byte));
      const emu::RunResult a = run_riscv(image, true, seen, {flip});
      EXPECT_EQ(a.outcome, emu::Outcome::kFailure) << a.console;
      EXPECT_EQ(a.failed_segments, std::vector<uint32_t>{segment});
      const std::vector<std::string> lines = fail_lines(a.console);
      ASSERT_EQ(lines.size(), 1u) << a.console;
      // The generic code on the same image (the probe traps without the hooks).
      Seen none;
      const emu::RunResult g = run_riscv(image, false, none, {flip});
      EXPECT_TRUE(contains(g.console, "styx: sha256: generic (zknh:")) << g.console;
      EXPECT_EQ(lines, fail_lines(g.console));
    }
  }
}

}  // namespace zknh

}  // namespace
}  // namespace styx::test

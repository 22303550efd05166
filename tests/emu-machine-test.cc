// SPDX-License-Identifier: GPL-2.0-only
// Unit tests of the emulator: tiny hand-assembled programs run through the same path as a
// purgatory. Each byte array shows its assembly; jump targets are offsets into the array.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "machine.h"
#include "run-options.h"
#include "run.h"

namespace styx::emu {
namespace {

constexpr uint64_t kCode = 0x1000;   // where each program is loaded and starts
constexpr uint64_t kData = 0x2000;   // strings the programs print
constexpr uint64_t kEntry = 0x8000;  // the "next kernel"

// Nested loops and a call; ends in wfi.
const std::vector<uint8_t> kArm64Count = {
    0x49, 0x01, 0x80, 0xd2,  // 000: mov x9, #0xa
    // outer:
    0xea, 0x00, 0x80, 0xd2,  // 004: mov x10, #0x7
    // inner:
    0x00, 0x00, 0x0a, 0x8b,  // 008: add x0, x0, x10
    0x4a, 0x05, 0x00, 0xf1,  // 00c: subs x10, x10, #0x1
    0xc1, 0xff, 0xff, 0x54,  // 010: b.ne 8 <inner>
    0x04, 0x00, 0x00, 0x94,  // 014: bl 24 <twice>
    0x29, 0x05, 0x00, 0xf1,  // 018: subs x9, x9, #0x1
    0x41, 0xff, 0xff, 0x54,  // 01c: b.ne 4 <outer>
    0x7f, 0x20, 0x03, 0xd5,  // 020: wfi
    // twice:
    0x00, 0x00, 0x00, 0x8b,  // 024: add x0, x0, x0
    0xc0, 0x03, 0x5f, 0xd6,  // 028: ret
};

// Branches to 0x8000 with x0 = 0x48000000, x1-x3 = 0.
const std::vector<uint8_t> kArm64Handoff = {
    0x00, 0x00, 0xa9, 0xd2,  // 000: mov x0, #0x48000000
    0x04, 0x00, 0x90, 0xd2,  // 004: mov x4, #0x8000
    0x80, 0x00, 0x1f, 0xd6,  // 008: br x4
};

// As a64_handoff, but leaves x1 = 5.
const std::vector<uint8_t> kArm64HandoffX1 = {
    0x00, 0x00, 0xa9, 0xd2,  // 000: mov x0, #0x48000000
    0xa1, 0x00, 0x80, 0xd2,  // 004: mov x1, #0x5
    0x04, 0x00, 0x90, 0xd2,  // 008: mov x4, #0x8000
    0x80, 0x00, 0x1f, 0xd6,  // 00c: br x4
};

// Prints the NUL-terminated string at 0x2000 on the PL011 at 0x09000000, then halts.
const std::vector<uint8_t> kArm64Hi = {
    0x01, 0x20, 0xa1, 0xd2,  // 000: mov x1, #0x9000000
    0x02, 0x00, 0x84, 0xd2,  // 004: mov x2, #0x2000
    // next:
    0x43, 0x14, 0x40, 0x38,  // 008: ldrb w3, [x2], #1
    0xa3, 0x00, 0x00, 0x34,  // 00c: cbz w3, 20 <done>
    // wait:
    0x24, 0x18, 0x40, 0xb9,  // 010: ldr w4, [x1, #24]
    0xe4, 0xff, 0x2f, 0x37,  // 014: tbnz w4, #5, 10 <wait>
    0x23, 0x00, 0x00, 0xb9,  // 018: str w3, [x1]
    0xfb, 0xff, 0xff, 0x17,  // 01c: b 8 <next>
    // done:
    0x7f, 0x20, 0x03, 0xd5,  // 020: wfi
    0xff, 0xff, 0xff, 0x17,  // 024: b 20 <done>
};

// PSCI SYSTEM_RESET through hvc.
const std::vector<uint8_t> kArm64Hvc = {
    0x20, 0x01, 0x80, 0xd2,  // 000: mov x0, #0x9
    0x00, 0x80, 0xb0, 0xf2,  // 004: movk x0, #0x8400, lsl #16
    0x02, 0x00, 0x00, 0xd4,  // 008: hvc #0x0
    // halt:
    0x7f, 0x20, 0x03, 0xd5,  // 00c: wfi
    0xff, 0xff, 0xff, 0x17,  // 010: b c <halt>
};

// An hvc that is not a PSCI SYSTEM_RESET (x0 = 0x84000008, SYSTEM_OFF).
const std::vector<uint8_t> kArm64HvcOther = {
    0x00, 0x01, 0x80, 0xd2,  // 000: mov x0, #0x8
    0x00, 0x80, 0xb0, 0xf2,  // 004: movk x0, #0x8400, lsl #16
    0x02, 0x00, 0x00, 0xd4,  // 008: hvc #0x0
};

// Spins forever, three instructions per block.
const std::vector<uint8_t> kArm64Loop = {
    // spin:
    0x00, 0x04, 0x00, 0x91,  // 000: add x0, x0, #0x1
    0x00, 0x04, 0x00, 0x91,  // 004: add x0, x0, #0x1
    0xfe, 0xff, 0xff, 0x17,  // 008: b 0 <spin>
};

// Stores to 0x09000000 and reads it back into x5 (RAM there, so no PL011).
const std::vector<uint8_t> kArm64RamAtPl011 = {
    0x01, 0x20, 0xa1, 0xd2,  // 000: mov x1, #0x9000000
    0x43, 0x0f, 0x80, 0x52,  // 004: mov w3, #0x7a
    0x23, 0x00, 0x00, 0xb9,  // 008: str w3, [x1]
    0x25, 0x00, 0x40, 0xb9,  // 00c: ldr w5, [x1]
    0x7f, 0x20, 0x03, 0xd5,  // 010: wfi
};

// PSCI SYSTEM_RESET through smc.
const std::vector<uint8_t> kArm64Smc = {
    0x20, 0x01, 0x80, 0xd2,  // 000: mov x0, #0x9
    0x00, 0x80, 0xb0, 0xf2,  // 004: movk x0, #0x8400, lsl #16
    0x03, 0x00, 0x00, 0xd4,  // 008: smc #0x0
    // halt:
    0x7f, 0x20, 0x03, 0xd5,  // 00c: wfi
    0xff, 0xff, 0xff, 0x17,  // 010: b c <halt>
};

// Writes 'k' to a 16550 with 8-bit registers at 0x0a000000, then 'p' to the PL011 at 0x09000000.
const std::vector<uint8_t> kArm64UartMmio = {
    0x01, 0x40, 0xa1, 0xd2,  // 000: mov x1, #0xa000000
    // wait:
    0x24, 0x14, 0x40, 0x39,  // 004: ldrb w4, [x1, #5]
    0xe4, 0xff, 0x2f, 0x36,  // 008: tbz w4, #5, 4 <wait>
    0x63, 0x0d, 0x80, 0x52,  // 00c: mov w3, #0x6b
    0x23, 0x00, 0x00, 0x39,  // 010: strb w3, [x1]
    0x01, 0x20, 0xa1, 0xd2,  // 014: mov x1, #0x9000000
    0x03, 0x0e, 0x80, 0x52,  // 018: mov w3, #0x70
    0x23, 0x00, 0x00, 0xb9,  // 01c: str w3, [x1]
    0x7f, 0x20, 0x03, 0xd5,  // 020: wfi
};

const std::vector<uint8_t> kArm64Unmapped = {
    0x1f, 0x20, 0x03, 0xd5,  // 000: nop
    0x1f, 0x20, 0x03, 0xd5,  // 004: nop
    0x01, 0x02, 0xa0, 0xd2,  // 008: mov x1, #0x100000
    0x20, 0x00, 0x40, 0xf9,  // 00c: ldr x0, [x1]
    0x1f, 0x20, 0x03, 0xd5,  // 010: nop
    0x7f, 0x20, 0x03, 0xd5,  // 014: wfi
};

// Loops, string instructions and calls; ends in hlt.
const std::vector<uint8_t> kX86Count = {
    0xbc, 0x00, 0x90, 0x00, 0x00,  // 000: mov esp,0x9000
    0xb9, 0x0a, 0x00, 0x00, 0x00,  // 005: mov ecx,0xa
    // outer:
    0x51,                          // 00a: push rcx
    0xbf, 0x00, 0x30, 0x00, 0x00,  // 00b: mov edi,0x3000
    0xb9, 0x11, 0x00, 0x00, 0x00,  // 010: mov ecx,0x11
    0x31, 0xc0,                    // 015: xor eax,eax
    0xf3, 0xaa,                    // 017: rep stos BYTE PTR es:[rdi],al
    0xe8, 0x06, 0x00, 0x00, 0x00,  // 019: call 24 <sum>
    0x59,                          // 01e: pop rcx
    0xff, 0xc9,                    // 01f: dec ecx
    0x75, 0xe7,                    // 021: jne a <outer>
    0xf4,                          // 023: hlt
    // sum:
    0xbb, 0x05, 0x00, 0x00, 0x00,  // 024: mov ebx,0x5
    // again:
    0x48, 0x01, 0xd8,  // 029: add rax,rbx
    0xff, 0xcb,        // 02c: dec ebx
    0x75, 0xf9,        // 02e: jne 29 <again>
    0xc3,              // 030: ret
};

// Three instructions that run into the hand-off target right after them.
const std::vector<uint8_t> kX86Fallthrough = {
    0x90,        // 000: nop
    0x31, 0xc0,  // 001: xor eax,eax
    0x90,        // 003: nop
};

// Jumps to 0x30000, past the end of RAM.
const std::vector<uint8_t> kX86JumpAway = {
    0xb8, 0x00, 0x00, 0x03, 0x00,  // 000: mov eax,0x30000
    0xff, 0xe0,                    // 005: jmp rax
};

// Jumps to 0x8000 with rsi = 0x12345000 and every other register zero but rsp.
const std::vector<uint8_t> kX86Handoff = {
    0xbc, 0x00, 0x90, 0x00, 0x00,  // 000: mov esp,0x9000
    0x68, 0x00, 0x80, 0x00, 0x00,  // 005: push 0x8000
    0xbe, 0x00, 0x50, 0x34, 0x12,  // 00a: mov esi,0x12345000
    0xc3,                          // 00f: ret
};

// As x86_handoff, but leaves rdx = 5.
const std::vector<uint8_t> kX86HandoffRdx = {
    0xbc, 0x00, 0x90, 0x00, 0x00,  // 000: mov esp,0x9000
    0x68, 0x00, 0x80, 0x00, 0x00,  // 005: push 0x8000
    0xbe, 0x00, 0x50, 0x34, 0x12,  // 00a: mov esi,0x12345000
    0xba, 0x05, 0x00, 0x00, 0x00,  // 00f: mov edx,0x5
    0xc3,                          // 014: ret
};

// Prints the NUL-terminated string at 0x2000 on the 16550 at port 0x3f8, then halts.
const std::vector<uint8_t> kX86Hi = {
    0xbe, 0x00, 0x20, 0x00, 0x00,  // 000: mov esi,0x2000
    // next:
    0x8a, 0x1e,              // 005: mov bl,BYTE PTR [rsi]
    0x84, 0xdb,              // 007: test bl,bl
    0x74, 0x15,              // 009: je 20 <done>
    0x66, 0xba, 0xfd, 0x03,  // 00b: mov dx,0x3fd
    // wait:
    0xec,                    // 00f: in al,dx
    0xa8, 0x20,              // 010: test al,0x20
    0x74, 0xfb,              // 012: je f <wait>
    0x88, 0xd8,              // 014: mov al,bl
    0x66, 0xba, 0xf8, 0x03,  // 016: mov dx,0x3f8
    0xee,                    // 01a: out dx,al
    0x48, 0xff, 0xc6,        // 01b: inc rsi
    0xeb, 0xe5,              // 01e: jmp 5 <next>
    // done:
    0xfa,        // 020: cli
    0xf4,        // 021: hlt
    0xeb, 0xfc,  // 022: jmp 20 <done>
};

// Spins forever, three instructions per block.
const std::vector<uint8_t> kX86Loop = {
    // spin:
    0x48, 0xff, 0xc0,  // 000: inc rax
    0x48, 0xff, 0xc0,  // 003: inc rax
    0xeb, 0xf8,        // 006: jmp 0 <spin>
};

// Writes 'k' through a 16550 with 32-bit registers at 0xfe000000 after polling its LSR.
const std::vector<uint8_t> kX86Mmio32 = {
    0xbf, 0x00, 0x00, 0x00, 0xfe,  // 000: mov edi,0xfe000000
    // wait:
    0x8b, 0x47, 0x14,                    // 005: mov eax,DWORD PTR [rdi+0x14]
    0xa8, 0x20,                          // 008: test al,0x20
    0x74, 0xf9,                          // 00a: je 5 <wait>
    0xc7, 0x07, 0x6b, 0x00, 0x00, 0x00,  // 00c: mov DWORD PTR [rdi],0x6b
    0xf4,                                // 012: hlt
};

// Writes 'A' to the 16550 at port 0x2f8 and 'B' to the one at 0x3f8.
const std::vector<uint8_t> kX86Port2f8 = {
    0x66, 0xba, 0xf8, 0x02,  // 000: mov dx,0x2f8
    0xb0, 0x41,              // 004: mov al,0x41
    0xee,                    // 006: out dx,al
    0x66, 0xba, 0xf8, 0x03,  // 007: mov dx,0x3f8
    0xb0, 0x42,              // 00b: mov al,0x42
    0xee,                    // 00d: out dx,al
    0xf4,                    // 00e: hlt
};

// Selects a hard reset (0x02), then requests it (0x06) at port 0xcf9.
const std::vector<uint8_t> kX86Reset = {
    0x66, 0xba, 0xf9, 0x0c,  // 000: mov dx,0xcf9
    0xb0, 0x02,              // 004: mov al,0x2
    0xee,                    // 006: out dx,al
    0xb0, 0x06,              // 007: mov al,0x6
    0xee,                    // 009: out dx,al
    // halt:
    0xfa,        // 00a: cli
    0xf4,        // 00b: hlt
    0xeb, 0xfc,  // 00c: jmp a <halt>
};

const std::vector<uint8_t> kX86Ud2 = {
    0x90,        // 000: nop
    0x90,        // 001: nop
    0x0f, 0x0b,  // 002: ud2
};

const std::vector<uint8_t> kX86Unmapped = {
    0x90,                                            // 000: nop
    0x90,                                            // 001: nop
    0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00,  // 002: mov rax,QWORD PTR ds:0x100000
    0x90,                                            // 00a: nop
    0xf4,                                            // 00b: hlt
};

std::vector<uint8_t> bytes_of(const std::string& text) {
  std::vector<uint8_t> bytes(text.begin(), text.end());
  bytes.push_back(0);
  return bytes;
}

RunInput input_for(const std::string& arch, const std::vector<uint8_t>& code, uint64_t boot_arg) {
  RunInput input;
  input.arch = arch;
  input.ram = {{0, 0x20000}};
  input.chunks = {{kCode, code}};
  input.start = kCode;
  input.entry = kEntry;
  input.boot_args = {boot_arg};
  input.max_instructions = 1'000'000;
  return input;
}

RunInput x86(const std::vector<uint8_t>& code) {
  return input_for("x86_64", code, 0x12345000);
}
RunInput arm64(const std::vector<uint8_t>& code) {
  return input_for("arm64", code, 0x48000000);
}

Console console(ConsoleKind kind, uint64_t base) {
  return Console{static_cast<uint32_t>(kind), 0, base};
}

// The block count (run()) and a per-instruction hook must agree exactly.
void expect_exact_count(const RunInput& input, Outcome outcome, uint64_t expected) {
  const RunResult by_block = run(input);
  const RunResult by_instruction = run_with(input, {.count_each_instruction = true});
  EXPECT_EQ(by_block.outcome, outcome) << by_block.detail;
  EXPECT_EQ(by_instruction.outcome, outcome) << by_instruction.detail;
  EXPECT_EQ(by_block.instructions, by_instruction.instructions);
  EXPECT_EQ(by_block.instructions, expected);
}

// --- Machine ---

TEST(EmuMachine, ReadsBackWhatItWrote) {
  Machine machine(UC_ARCH_X86, UC_MODE_64);
  machine.map_ram(0x10000, 0x12000);
  machine.write(0x11ffe, std::vector<uint8_t>{1, 2});
  EXPECT_EQ(machine.read(0x11ffe, 2), (std::vector<uint8_t>{1, 2}));
  EXPECT_TRUE(machine.is_mapped(0x11fff, 0x13000));
  EXPECT_FALSE(machine.is_mapped(0x12000, 0x13000));
}

TEST(EmuMachine, FailedCallThrowsNamingTheCall) {
  Machine machine(UC_ARCH_ARM64, UC_MODE_ARM);
  try {
    machine.read(0x5000, 4);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("uc_mem_read"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("UC_ERR_READ_UNMAPPED"), std::string::npos) << e.what();
  }
}

TEST(EmuMachine, ExceptionInHookIsRethrownByStart) {
  Machine machine(UC_ARCH_X86, UC_MODE_64);
  machine.map_ram(0, 0x2000);
  machine.write(kCode, kX86Loop);
  machine.on_block([](uint64_t, uint32_t) { throw std::runtime_error("from the hook"); });
  EXPECT_THROW(machine.start(kCode, kEntry), std::runtime_error);
}

// --- x86_64 ---

TEST(EmuX86, PrintsThroughPolledUartThenHalts) {
  RunInput input = x86(kX86Hi);
  input.chunks.push_back({kData, bytes_of("hi\r\n")});
  const RunResult result = run(input);
  EXPECT_EQ(result.outcome, Outcome::kFailure) << result.detail;
  EXPECT_EQ(result.console, "hi\n");
  EXPECT_EQ(result.pc, kCode + 0x22);  // just past the hlt
  EXPECT_EQ(result.registers.at("rip"), result.pc);
}

TEST(EmuX86, BeforeRunCanPatchMemory) {
  RunInput input = x86(kX86Hi);
  input.before_run = [](Machine& machine) { machine.write(kData, bytes_of("ok")); };
  EXPECT_EQ(run(input).console, "ok");
}

TEST(EmuX86, HandoffWithBootRegisters) {
  const RunResult result = run(x86(kX86Handoff));
  EXPECT_EQ(result.outcome, Outcome::kHandoff) << result.detail;
  EXPECT_EQ(result.pc, kEntry);
  EXPECT_EQ(result.register_problem, "");
  EXPECT_EQ(result.registers.at("rsi"), 0x12345000u);
  EXPECT_EQ(result.registers.at("rsp"), 0x9000u);
  EXPECT_EQ(result.instructions, 4u);
}

TEST(EmuX86, HandoffWithDirtyRegisterIsReported) {
  const RunResult result = run(x86(kX86HandoffRdx));
  EXPECT_EQ(result.outcome, Outcome::kHandoff);
  EXPECT_EQ(result.register_problem, "rdx = 0x5, expected 0");
}

TEST(EmuX86, HandoffWithWrongBootParamsIsReported) {
  RunInput input = x86(kX86Handoff);
  input.boot_args = {0x99000};
  EXPECT_EQ(run(input).register_problem, "rsi = 0x12345000, expected 0x99000");
}

TEST(EmuX86, ResetThroughPortCf9) {
  const RunResult result = run(x86(kX86Reset));
  EXPECT_EQ(result.outcome, Outcome::kReset) << result.detail;
  EXPECT_EQ(result.reset_method, "port 0xcf9");
}

TEST(EmuX86, TimeoutStopsBeforeTheBlockThatWouldExceedTheBudget) {
  RunInput input = x86(kX86Loop);
  input.max_instructions = 1000;
  const RunResult result = run(input);
  EXPECT_EQ(result.outcome, Outcome::kTimeout);
  EXPECT_EQ(result.instructions, 999u);         // 333 blocks of 3
  EXPECT_EQ(result.registers.at("rax"), 666u);  // the 334th block did not run
  EXPECT_EQ(result.pc, kCode);
  EXPECT_EQ(result.detail, "instruction budget of 1000 exhausted at pc 0x1000");
}

TEST(EmuX86, UnmappedReadIsAFaultAtTheInstruction) {
  const RunResult result = run(x86(kX86Unmapped));
  EXPECT_EQ(result.outcome, Outcome::kFault);
  EXPECT_EQ(result.detail, "read from unmapped memory at 0x100000, pc 0x1002");
  EXPECT_EQ(result.pc, kCode + 2);
  EXPECT_EQ(result.registers.at("rip"), kCode + 2);
  EXPECT_EQ(result.instructions, 3u);  // the faulting instruction started
}

TEST(EmuX86, UnmappedWriteIsAFaultAtTheInstruction) {
  RunInput input = x86(kX86Handoff);
  input.ram = {{0, 0x8000}};  // the stack at 0x9000 is gone
  const RunResult result = run(input);
  EXPECT_EQ(result.outcome, Outcome::kFault);
  EXPECT_EQ(result.detail, "write to unmapped memory at 0x8ff8, pc 0x1005");
  EXPECT_EQ(result.instructions, 2u);
}

TEST(EmuX86, UnmappedFetchIsAFault) {
  const RunResult result = run(x86(kX86JumpAway));
  EXPECT_EQ(result.outcome, Outcome::kFault);
  EXPECT_EQ(result.detail, "fetch from unmapped memory at 0x30000, pc 0x30000");
  EXPECT_EQ(result.instructions, 2u);
}

TEST(EmuX86, InvalidInstructionIsAFault) {
  const RunInput input = x86(kX86Ud2);
  const RunResult result = run(input);
  EXPECT_EQ(result.outcome, Outcome::kFault);
  EXPECT_NE(result.detail.find("pc 0x1002"), std::string::npos) << result.detail;
  expect_exact_count(input, Outcome::kFault, 3);
}

TEST(EmuX86, BlockCountIsExact) {
  // 2 + 10 * (push, mov, mov, xor, 18 x stosb, call, 17 in sum, pop, dec, jne) + hlt. Unicorn,
  // like QEMU, runs `rep stosb` once per byte plus once more to find rcx = 0.
  expect_exact_count(x86(kX86Count), Outcome::kFailure, 2 + 10 * 43 + 1);
}

TEST(EmuX86, FallingIntoTheEntryCountsOnlyWhatRan) {
  RunInput input = x86(kX86Fallthrough);
  input.entry = kCode + kX86Fallthrough.size();
  expect_exact_count(input, Outcome::kHandoff, 3);
}

TEST(EmuX86, ConsoleOnAnotherPortAndTheDefault) {
  RunInput input = x86(kX86Port2f8);
  input.console = console(ConsoleKind::kUart8250Io, 0x2f8);
  EXPECT_EQ(run(input).console, "AB");
  input.console = {};
  EXPECT_EQ(run(input).console, "B");  // the default 0x3f8 is always there
}

TEST(EmuX86, Uart16550OnMmio32) {
  RunInput input = x86(kX86Mmio32);
  input.console = console(ConsoleKind::kUart8250Mmio32, 0xfe000000);
  const RunResult result = run(input);
  EXPECT_EQ(result.outcome, Outcome::kFailure) << result.detail;
  EXPECT_EQ(result.console, "k");
}

// --- arm64 ---

TEST(EmuArm64, PrintsThroughPl011ThenHalts) {
  RunInput input = arm64(kArm64Hi);
  input.chunks.push_back({kData, bytes_of("hi\r\n")});
  const RunResult result = run(input);
  EXPECT_EQ(result.outcome, Outcome::kFailure) << result.detail;
  EXPECT_EQ(result.console, "hi\n");
  EXPECT_EQ(result.pc, kCode + 0x24);  // just past the wfi
  EXPECT_EQ(result.registers.at("pc"), result.pc);

  input.console = console(ConsoleKind::kPl011, 0x09000000);  // the default, named explicitly
  EXPECT_EQ(run(input).console, "hi\n");
}

TEST(EmuArm64, HandoffWithBootRegisters) {
  const RunResult result = run(arm64(kArm64Handoff));
  EXPECT_EQ(result.outcome, Outcome::kHandoff) << result.detail;
  EXPECT_EQ(result.pc, kEntry);
  EXPECT_EQ(result.register_problem, "");
  EXPECT_EQ(result.registers.at("x0"), 0x48000000u);
  EXPECT_EQ(result.instructions, 3u);
}

TEST(EmuArm64, HandoffWithDirtyRegisterIsReported) {
  const RunResult result = run(arm64(kArm64HandoffX1));
  EXPECT_EQ(result.outcome, Outcome::kHandoff);
  EXPECT_EQ(result.register_problem, "x1 = 0x5, expected 0");
}

TEST(EmuArm64, PsciResetThroughHvc) {
  const RunResult result = run(arm64(kArm64Hvc));
  EXPECT_EQ(result.outcome, Outcome::kReset) << result.detail;
  EXPECT_EQ(result.reset_method, "psci hvc");
  EXPECT_EQ(result.instructions, 3u);
}

TEST(EmuArm64, PsciResetThroughSmc) {
  const RunResult result = run(arm64(kArm64Smc));
  EXPECT_EQ(result.outcome, Outcome::kReset) << result.detail;
  EXPECT_EQ(result.reset_method, "psci smc");
  EXPECT_EQ(result.instructions, 3u);
}

TEST(EmuArm64, OtherHvcIsAFault) {
  const RunResult result = run(arm64(kArm64HvcOther));
  EXPECT_EQ(result.outcome, Outcome::kFault);
  EXPECT_EQ(result.detail, "interrupt 1 at pc 0x1008");
}

TEST(EmuArm64, TimeoutStopsBeforeTheBlockThatWouldExceedTheBudget) {
  RunInput input = arm64(kArm64Loop);
  input.max_instructions = 1000;
  const RunResult result = run(input);
  EXPECT_EQ(result.outcome, Outcome::kTimeout);
  EXPECT_EQ(result.instructions, 999u);
  EXPECT_EQ(result.registers.at("x0"), 666u);
}

TEST(EmuArm64, UnmappedReadIsAFaultAtTheInstruction) {
  const RunResult result = run(arm64(kArm64Unmapped));
  EXPECT_EQ(result.outcome, Outcome::kFault);
  EXPECT_EQ(result.detail, "read from unmapped memory at 0x100000, pc 0x100c");
  EXPECT_EQ(result.pc, kCode + 0xc);
  EXPECT_EQ(result.instructions, 4u);
}

TEST(EmuArm64, BlockCountIsExact) {
  // mov + 10 * (mov, 7 * 3 in inner, bl, add, ret, subs, b.ne) + wfi
  expect_exact_count(arm64(kArm64Count), Outcome::kFailure, 1 + 10 * 27 + 1);
}

TEST(EmuArm64, Uart16550OnMmioAndTheDefaultPl011) {
  RunInput input = arm64(kArm64UartMmio);
  input.console = console(ConsoleKind::kUart8250Mmio, 0x0a000000);
  const RunResult result = run(input);
  EXPECT_EQ(result.outcome, Outcome::kFailure) << result.detail;
  EXPECT_EQ(result.console, "kp");
}

TEST(EmuArm64, NoDefaultPl011OverRam) {
  RunInput input = arm64(kArm64RamAtPl011);
  input.ram = {{0x08000000, 0x0a000000}};
  input.chunks = {{0x08000000, kArm64RamAtPl011}};
  input.start = 0x08000000;
  const RunResult result = run(input);
  EXPECT_EQ(result.outcome, Outcome::kFailure) << result.detail;
  EXPECT_EQ(result.console, "");
  EXPECT_EQ(result.registers.at("x5"), uint64_t{'z'});
}

// --- memory log ---

std::vector<uint8_t> log_bytes(uint64_t magic, uint32_t size, uint32_t used, uint32_t failed_mask,
                               const std::string& text) {
  LogHeader header{};
  header.magic = magic;
  header.size = size;
  header.used = used;
  header.status = static_cast<uint32_t>(LogStatus::kFailed);
  header.failed_mask = failed_mask;
  header.segments_verified = 3;
  header.bytes_verified = 12345;
  std::vector<uint8_t> bytes(sizeof header + text.size());
  std::memcpy(bytes.data(), &header, sizeof header);  // the host is little-endian, as the targets
  std::memcpy(bytes.data() + sizeof header, text.data(), text.size());
  return bytes;
}

TEST(EmuLog, ReadsHeaderTextAndFailedSegments) {
  RunInput input = x86(kX86Ud2);
  input.log_addr = 0x4000;
  input.log_size = 0x1000;
  input.chunks.push_back({0x4000, log_bytes(kLogMagic, 64, 5, 0b101, "hello world")});
  const RunResult result = run(input);
  ASSERT_TRUE(result.log.has_value());
  EXPECT_EQ(result.log->status, static_cast<uint32_t>(LogStatus::kFailed));
  EXPECT_EQ(result.log->segments_verified, 3u);
  EXPECT_EQ(result.log->bytes_verified, 12345u);
  EXPECT_EQ(result.log_text, "hello");
  EXPECT_EQ(result.failed_segments, (std::vector<uint32_t>{0, 2}));
}

TEST(EmuLog, TextIsBoundedByTheLogSize) {
  RunInput input = x86(kX86Ud2);
  input.log_addr = 0x4000;
  input.log_size = sizeof(LogHeader) + 3;
  input.chunks.push_back({0x4000, log_bytes(kLogMagic, 64, 11, 0, "hello world")});
  EXPECT_EQ(run(input).log_text, "hel");
}

TEST(EmuLog, IgnoredWithoutMagicOrMemory) {
  RunInput input = x86(kX86Ud2);
  input.log_addr = 0x4000;
  input.log_size = 0x1000;
  input.chunks.push_back({0x4000, log_bytes(kLogMagic + 1, 64, 5, 1, "hello")});
  EXPECT_FALSE(run(input).log.has_value());
  input.log_addr = 0x100000;  // unmapped
  EXPECT_FALSE(run(input).log.has_value());
}

// --- input checks ---

void expect_rejected(const RunInput& input, const std::string& part) {
  try {
    run(input);
    ADD_FAILURE() << "accepted; expected an error mentioning " << part;
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(EmuInput, Rejected) {
  RunInput input = x86(kX86Ud2);
  input.arch = "vax";
  expect_rejected(input, "'vax'");

  input = x86(kX86Ud2);
  input.ram = {{0, 0x1800}};
  expect_rejected(input, "not aligned");

  input.ram = {{0x2000, 0x2000}};
  expect_rejected(input, "empty");

  input.ram = {{0, 0x3000}, {0x2000, 0x4000}};
  expect_rejected(input, "overlap");

  input.ram = {{0, 0x1000}};
  expect_rejected(input, "outside RAM");

  input = arm64(kArm64Hi);
  input.console = console(ConsoleKind::kPl011, 0x10000);  // inside RAM
  expect_rejected(input, "overlaps");
}

TEST(EmuInput, ChunkMaySpanAdjacentRanges) {
  RunInput input = x86(kX86Ud2);
  input.ram = {{0x1000, 0x2000}, {0, 0x1000}};
  input.chunks = {{0xffe, {0x90, 0x90, 0x90, 0x90, 0x0f, 0x0b}}};
  input.start = 0xffe;
  EXPECT_EQ(run(input).outcome, Outcome::kFault);
}

TEST(EmuRun, NamesArchesAndOutcomes) {
  const std::vector<std::string> arches = supported_arches();
  EXPECT_NE(std::find(arches.begin(), arches.end(), "x86_64"), arches.end());
  EXPECT_NE(std::find(arches.begin(), arches.end(), "arm64"), arches.end());
  EXPECT_STREQ(outcome_name(Outcome::kHandoff), "handoff");
  EXPECT_STREQ(outcome_name(Outcome::kTimeout), "timeout");
}

}  // namespace
}  // namespace styx::emu

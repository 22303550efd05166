// SPDX-License-Identifier: GPL-2.0-only
// The one ABI between the host tool and the purgatory.
//
// The purgatory reserves one `Handoff` object in the `.styx.handoff` section; the host finds that
// section in the purgatory ELF, fills it in and copies it into the image. The purgatory writes
// back only into the memory log. Both sides compile this header, so every layout fact is pinned
// by a static_assert below: a change that moves a field breaks the build on both sides at once.
//
// All integers are in the target's byte order. Addresses are physical.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace styx {

/// "STYXHOFF" read as a little-endian u64.
inline constexpr uint64_t kHandoffMagic = 0x46464F4858595453ull;
/// Bumped on any incompatible change; the host refuses a purgatory of another version.
/// 2: `sha256_routine` (was reserved).
/// 3: `purgatory_sha256` and `handoff_sha256`, the seal the purgatory checks before anything else.
inline constexpr uint32_t kHandoffVersion = 3;
inline constexpr uint32_t kMaxSegments = 32;
inline constexpr uint32_t kMaxBootArgs = 8;
inline constexpr uint32_t kDigestSize = 32;

/// What a segment is; the purgatory only uses it to name a segment in its messages.
enum class Role : uint32_t {
  kData = 0,
  kKernel = 1,
  kInitrd = 2,
  kDtb = 3,
  kBootParams = 4,
  kIma = 5,
};
inline constexpr uint32_t kRoleCount = 6;

/// Spelling shared by the CLI, `styx inspect` and the purgatory's console lines.
constexpr const char* role_name(Role role) {
  switch (role) {
    case Role::kData: return "data";
    case Role::kKernel: return "kernel";
    case Role::kInitrd: return "initrd";
    case Role::kDtb: return "dtb";
    case Role::kBootParams: return "bootparams";
    case Role::kIma: return "ima";
  }
  return "unknown";
}

/// Console device kinds, named after the kernel's `earlycon=` drivers.
enum class ConsoleKind : uint32_t {
  kNone = 0,
  kUart8250Io = 1,      ///< `uart8250,io,PORT`: 16550 on x86 I/O ports
  kUart8250Mmio = 2,    ///< `uart8250,mmio,ADDR`: 16550, 8-bit registers
  kUart8250Mmio32 = 3,  ///< `uart8250,mmio32,ADDR`: 16550, 32-bit registers
  kPl011 = 4,           ///< `pl011,ADDR` or `pl011,mmio32,ADDR`
  kSbi = 5,             ///< `sbi`: the RISC-V SBI debug console
  kHvterm = 6,          ///< `hvterm[,VTERMNO]`: PAPR hypervisor console (H_PUT_TERM_CHAR)
  kSclp = 7,            ///< `sclp`: s390x SCLP ASCII (VT220) console, "write event data"
};

struct Console {
  uint32_t kind;  ///< ConsoleKind
  uint32_t reserved;
  uint64_t base;  ///< I/O port or MMIO address
};

enum class FailurePolicy : uint32_t {
  kHalt = 0,   ///< print a final line, then stop in a low-power loop
  kReset = 1,  ///< reset the machine through the ISA's reset method
};

/// How an ISA resets; each ISA accepts only its own methods (the host checks).
enum class ResetMethod : uint32_t {
  kDefault = 0,      ///< the ISA's first method
  kPortCf9 = 1,      ///< x86: reset control register at I/O port 0xCF9
  kPsciHvc = 2,      ///< arm64: PSCI SYSTEM_RESET through `hvc #0`
  kPsciSmc = 3,      ///< arm64: PSCI SYSTEM_RESET through `smc #0`
  kSbiSrst = 4,      ///< riscv64: SBI system reset extension
  kPseriesRtas = 5,  ///< ppc64le: RTAS system-reboot through QEMU pseries's H_RTAS hypercall
  kDiag308 = 6,      ///< s390x: re-IPL through `diag 0x308`
};

/// Which SHA-256 code the purgatory runs. The purgatory picks the hardware routine itself, on the
/// CPU it runs on; the host can only forbid it.
enum class Sha256Routine : uint32_t {
  kAuto = 0,     ///< the ISA's hardware routine when this CPU has it and it passes a self-test
  kGeneric = 1,  ///< always the generic code (for comparison, or as an escape hatch)
};

struct Segment {
  uint64_t addr;
  uint64_t size;
  uint32_t role;  ///< Role
  uint32_t reserved;
  uint8_t sha256[kDigestSize];
};

struct Handoff {
  uint64_t magic;    ///< kHandoffMagic once the host has filled the block; 0 in the raw purgatory
  uint32_t version;  ///< kHandoffVersion
  uint32_t size;     ///< sizeof(Handoff)
  uint32_t segment_count;
  uint32_t failure_policy;  ///< FailurePolicy
  uint32_t reset_method;    ///< ResetMethod
  uint32_t sha256_routine;  ///< Sha256Routine
  Console console;
  uint64_t entry;                    ///< the next kernel's first instruction
  uint64_t boot_args[kMaxBootArgs];  ///< values of the ISA's boot registers, in its fixed order
  uint64_t log_addr;                 ///< memory log (LogHeader + text); 0 = none
  uint64_t log_size;
  /// Rate of the ISA's timer (arch::timer_ticks()) when the host knows it and the CPU cannot tell
  /// (x86's TSC; the device tree's timebase-frequency on riscv64 and ppc64le); 0 = unknown. Only
  /// the purgatory's `verified N MiB in T ms` line uses it.
  uint64_t timer_hz;
  uint64_t reserved1[3];
  Segment segments[kMaxSegments];
  /// The seal, checked before any other field is used (a flipped bit in a field the purgatory
  /// trusts, or in its own code, must not reach the next kernel). SHA-256 of the purgatory's
  /// loaded bytes (its PT_LOAD file contents after relocation: code, read-only data, .data, GOT;
  /// not .bss, stack or memory log, which it writes itself) with the bytes of this block left out.
  uint8_t purgatory_sha256[kDigestSize];
  /// SHA-256 of this block up to this field, `purgatory_sha256` included: the last field, so a
  /// flip in it is still reported as a bad block rather than a bad purgatory.
  uint8_t handoff_sha256[kDigestSize];
};

/// "STYXLOG\0" read as a little-endian u64.
inline constexpr uint64_t kLogMagic = 0x00474F4C58595453ull;

enum class LogStatus : uint32_t {
  kRunning = 0,   ///< the purgatory started and has not decided yet
  kVerified = 1,  ///< every check passed; the hand-off follows
  kFailed = 2,    ///< a check failed; the failure policy follows
};

/// Start of the memory log, written only by the purgatory. Text follows it, `used` bytes long.
struct LogHeader {
  uint64_t magic;
  uint32_t size;    ///< bytes available for text after this header
  uint32_t used;    ///< bytes of text written (text past `size` is dropped, `used` stops there)
  uint32_t status;  ///< LogStatus
  uint32_t failed_mask;  ///< bit i set: segment i failed
  uint32_t segments_verified;
  uint32_t reserved;
  uint64_t bytes_verified;
};

static_assert(sizeof(Console) == 16);
static_assert(sizeof(Segment) == 56);
static_assert(offsetof(Segment, sha256) == 24);
static_assert(offsetof(Handoff, sha256_routine) == 28);
static_assert(offsetof(Handoff, console) == 32);
static_assert(offsetof(Handoff, entry) == 48);
static_assert(offsetof(Handoff, boot_args) == 56);
static_assert(offsetof(Handoff, log_addr) == 120);
static_assert(offsetof(Handoff, timer_hz) == 136);
static_assert(offsetof(Handoff, segments) == 168);
static_assert(offsetof(Handoff, purgatory_sha256) == 168 + kMaxSegments * sizeof(Segment));
static_assert(offsetof(Handoff, handoff_sha256) == offsetof(Handoff, purgatory_sha256) + 32);
static_assert(sizeof(Handoff) == offsetof(Handoff, handoff_sha256) + kDigestSize,
              "handoff_sha256 is the last field: it covers every byte before it");
static_assert(sizeof(LogHeader) == 40);
static_assert(kMaxSegments <= 32, "LogHeader::failed_mask has one bit per segment");

/// Name of the section that holds the Handoff object in the purgatory ELF.
#define STYX_HANDOFF_SECTION ".styx.handoff"

}  // namespace styx

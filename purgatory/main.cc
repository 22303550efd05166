// SPDX-License-Identifier: GPL-2.0-only
// The purgatory's arch-neutral flow: check the hand-off block, verify every segment, then either
// hand off to the next kernel or apply the failure policy. It never hands off after a failure.
#include <styx/handoff.h>

#include "arch.h"
#include "console.h"
#include "seal.h"
#include "sha256-select.h"
#include "verify-time.h"
#include "verify.h"

#ifndef STYX_ARCH_NAME
#error "the build defines STYX_ARCH_NAME"
#endif

namespace {
constexpr styx::Handoff unfilled_handoff() {
  styx::Handoff h{};
  h.version = styx::kHandoffVersion;
  h.size = sizeof(styx::Handoff);
  return h;
}
}  // namespace

// Filled in by the host. Constant-initialised (not zero) so it lands in its own PROGBITS section,
// never in .bss, and survives .bss clearing. Being a mutable global, the compiler cannot assume
// the values above are the ones seen at run time.
extern "C" {
[[gnu::section(STYX_HANDOFF_SECTION), gnu::used]] styx::Handoff styx_handoff = unfilled_handoff();
}

// Bounds of the purgatory's own memory, .bss and stack included, and the end of its loaded bytes
// (what the seal covers; see linker/purgatory.ld). Hidden, so an address constant the compiler
// keeps in data (s390x does) gets an R_*_RELATIVE relocation, not a symbolic one.
extern "C" [[gnu::visibility("hidden")]] char __styx_start[], __styx_loaded_end[], __styx_end[];

namespace styx {
namespace {

const char* reset_method_name(uint32_t method) {
  switch (static_cast<ResetMethod>(method)) {
    case ResetMethod::kPortCf9: return "port 0xcf9";
    case ResetMethod::kPsciHvc: return "psci hvc";
    case ResetMethod::kPsciSmc: return "psci smc";
    case ResetMethod::kSbiSrst: return "sbi srst";
    case ResetMethod::kDiag308: return "diag 308";
    case ResetMethod::kPseriesRtas: return "pseries rtas";
    case ResetMethod::kDefault: break;
  }
  return "the default method";
}

[[noreturn]] void fail(ConsoleSink& out, const Handoff* handoff) {
  if (LogHeader* log = out.log()) log->status = static_cast<uint32_t>(LogStatus::kFailed);
  if (handoff && handoff->failure_policy == static_cast<uint32_t>(FailurePolicy::kReset)) {
    format(out, "styx: not starting the next kernel; resetting through %s\n",
           reset_method_name(handoff->reset_method));
    arch::reset(static_cast<ResetMethod>(handoff->reset_method));
  }
  format(out, "styx: not starting the next kernel; halted\n");
  arch::halt();
}

}  // namespace
}  // namespace styx

extern "C" [[noreturn]] void styx_main() {
  using namespace styx;
  const Handoff& handoff = styx_handoff;
  const bool header_sound = handoff.magic == kHandoffMagic && handoff.version == kHandoffVersion &&
                            handoff.size == sizeof(Handoff);
  // Nothing in the block is used, not even its console, before its seal holds.
  const auto* image = reinterpret_cast<const uint8_t*>(__styx_start);
  const size_t image_size = static_cast<size_t>(__styx_loaded_end - __styx_start);
  const SealCheck seal = header_sound ? check_seal(handoff, image, image_size) : SealCheck{};
  const bool sealed = header_sound && seal.error == SealError::kNone;
  ConsoleSink out(sealed ? handoff.console : arch::default_console());
  if (sealed && handoff.segment_count <= kMaxSegments && log_usable(handoff)) {
    auto* log = reinterpret_cast<LogHeader*>(static_cast<uintptr_t>(handoff.log_addr));
    *log = LogHeader{};
    log->magic = kLogMagic;
    log->size = static_cast<uint32_t>(handoff.log_size - sizeof(LogHeader));
    log->status = static_cast<uint32_t>(LogStatus::kRunning);
    out.attach_log(log);
  }

  format(out, "\nstyx: purgatory for %s, hand-off v%u\n", STYX_ARCH_NAME, kHandoffVersion);
  if (header_sound && !sealed) {
    report_seal(out, handoff, seal, reinterpret_cast<uintptr_t>(image), image_size);
    fail(out, nullptr);
  }
  if (check_handoff(handoff, out) != HandoffError::kNone) fail(out, nullptr);
  const Sha256Choice sha256 = select_sha256(handoff, arch::sha256_hardware, out);
  format(out, "styx: verifying %u segments\n", handoff.segment_count);

  const Range self{reinterpret_cast<uintptr_t>(__styx_start),
                   reinterpret_cast<uintptr_t>(__styx_end)};
  if (const char* note = arch::fast_memory(handoff, true)) format(out, "styx: %s\n", note);
  const uint64_t started = arch::timer_ticks();
  const VerifyResult result = verify_segments(handoff, self, out, sha256.blocks);
  const uint64_t ticks = arch::timer_ticks() - started;
  arch::fast_memory(handoff, false);
  if (LogHeader* log = out.log()) {
    log->failed_mask = result.failed_mask;
    log->segments_verified = handoff.segment_count - result.failed;
    log->bytes_verified = result.bytes_verified;
  }
  if (result.failed) {
    format(out, "styx: %u of %u segments failed verification\n", result.failed,
           handoff.segment_count);
    fail(out, &handoff);
  }

  report_verify_time(out, result.bytes_verified, ticks, arch::timer_hz(handoff.timer_hz),
                     sha256.name);
  format(out, "styx: verified %u segments, %llu bytes; starting the next kernel at 0x%llx\n",
         handoff.segment_count, static_cast<unsigned long long>(result.bytes_verified),
         static_cast<unsigned long long>(handoff.entry));
  if (LogHeader* log = out.log()) log->status = static_cast<uint32_t>(LogStatus::kVerified);
  uint64_t boot_args[kMaxBootArgs];
  for (uint32_t i = 0; i < kMaxBootArgs; ++i) boot_args[i] = handoff.boot_args[i];
  arch::hand_off(handoff.entry, boot_args);
}

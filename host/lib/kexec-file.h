// SPDX-License-Identifier: GPL-2.0-only
// kexec_file_load(2) as Styx's second road: what the running system says about which kexec system
// call it allows, the choice `--syscall=auto` makes from that, what a kexec_file_load refusal
// means, and which of Styx's guarantees a kexec through the kernel's own purgatory loses.
#pragma once

#include <string>
#include <string_view>

#include "kexec-errors.h"
#include "kexec-kernel.h"
#include "live-system.h"

namespace styx::host {

enum class KexecSyscall { kLoad, kFile };

/// "kexec_load" or "kexec_file_load", as the load record and the messages spell them.
const char* syscall_name(KexecSyscall syscall);

/// Every fact the messages and the choice consult, read under the sysroot; an unreadable file
/// only leaves its fact unknown.
KexecFacts read_kexec_facts(const LiveSystem& live);

/// True when /sys/kernel/security/lockdown selects integrity or confidentiality.
bool locked_down(const KexecFacts& facts);

/// Why kexec_load cannot be used here, as a clause ("the kernel is locked down ..."); "" when
/// nothing known says so.
std::string kexec_load_unavailable(const KexecFacts& facts);

/// Why kexec_file_load cannot be used either, as a whole message; "" when nothing known says so.
/// kexec_load_disabled closes both system calls.
std::string kexec_file_unavailable(const KexecFacts& facts);

/// Why `--syscall=auto` takes kexec_file_load after kexec_load failed with `error` (EPERM or
/// EACCES, as root), as a clause; "" when the failure is not one kexec_file_load can get past.
std::string kexec_load_refusal_reason(int error, const KexecFacts& facts);

/// The message for `error` (an errno) from kexec_file_load(2) for `request`; it names the kernel.
std::string explain_kexec_file_load_error(int error, const KexecFileRequest& request,
                                          const KexecFacts& facts);

/// One paragraph: exactly which Styx guarantees a kexec_file_load boot does not have, and what
/// becomes of the IMA list (from the running kernel's configuration when it was found).
std::string kexec_file_guarantees_lost(const KexecFacts& facts);

}  // namespace styx::host

// SPDX-License-Identifier: GPL-2.0-only
// `styx load --syscall=file|auto`: loading through kexec_file_load(2), where the running kernel
// places the kernel, checks its signature and adds its own purgatory (load-file.cc).
#pragma once

#include <iosfwd>
#include <string>

#include "kexec-commands.h"
#include "kexec-file.h"
#include "live-system.h"
#include "load-record.h"

namespace styx::cli {

/// The system call `--syscall=SYSCALL` ("load", "file" or "auto") takes on a system with these
/// facts; "auto" says which it took and why. Refuses, before anything is read or loaded, when
/// neither call can work (kexec_load_disabled, not root).
host::KexecSyscall choose_load_syscall(const std::string& syscall, const host::KexecFacts& facts,
                                       std::ostream& out);

/// Loads `o.kernel` with kexec_file_load and records it; `why` is "" or how --syscall=auto came
/// to it. Options only Styx's purgatory honours are refused first, with one sentence.
int load_with_kexec_file(const LoadOptions& o, const host::LiveSystem& live,
                         const std::string& cmdline, const host::KexecFacts& facts,
                         const std::string& why, std::ostream& out);

/// What `styx exec` and `styx status` say of an image kexec_file_load loaded.
std::string kexec_file_exec_note(const host::KexecFacts& facts);

/// Unloads with the system call that can: kexec_file_load's when `state` says it loaded, or when
/// kexec_load is unavailable (lockdown refuses even its unload).
void unload_with_kernel(const std::optional<LoadState>& state, const host::KexecFacts& facts);

}  // namespace styx::cli

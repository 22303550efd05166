// SPDX-License-Identifier: GPL-2.0-only
// One line that says what to do when the kernel refuses a kexec system call.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "image.h"
#include "kexec.h"

namespace styx::host {

/// What the messages consult besides the error number: each fact the running system offers.
struct KexecFacts {
  bool root = true;                   ///< effective uid 0
  std::string lockdown;               ///< /sys/kernel/security/lockdown, "" when unknown
  std::optional<bool> load_disabled;  ///< /proc/sys/kernel/kexec_load_disabled
  std::vector<MemRange> ram;          ///< the running kernel's System RAM
  /// From the running kernel's configuration (kernel-config.h); nullopt when none was found.
  std::optional<bool> sig_force;  ///< CONFIG_KEXEC_SIG_FORCE=y
  std::optional<bool> ima_kexec;  ///< CONFIG_IMA_KEXEC=y: the kernel sends its IMA list itself
  std::string config_source;      ///< the configuration's file, or what was looked for
  std::string arch;               ///< the running ISA's name
};

/// The message for `error` (an errno) from kexec_load(2) given `plan`; it names the segment the
/// kernel refused when the facts point at one.
std::string explain_kexec_load_error(int error, const KexecPlan& plan, const KexecFacts& facts);

/// The first segment of `plan` not wholly inside `ram`, as "segment N (contents) at
/// [start, end)", or "" when every one is.
std::string segment_outside_ram(const KexecPlan& plan, const std::vector<MemRange>& ram);

}  // namespace styx::host

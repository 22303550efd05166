// SPDX-License-Identifier: GPL-2.0-only
// The running kernel's kexec interface: kexec_load(2), kexec_file_load(2) and
// reboot(LINUX_REBOOT_CMD_KEXEC), behind an interface so the commands that drive it are tested
// without loading anything.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "kexec.h"

namespace styx::host {

/// A system call failed; `error` is its errno.
class KexecError : public std::runtime_error {
 public:
  KexecError(int error, const std::string& what) : std::runtime_error(what), error_(error) {}
  int error() const { return error_; }

 private:
  int error_;
};

/// What kexec_file_load(2) is given: the kernel parses, places and (where configured) checks the
/// signature of these itself, and adds its own purgatory.
struct KexecFileRequest {
  std::string kernel;
  std::optional<std::string> initrd;  ///< none: KEXEC_FILE_NO_INITRAMFS
  std::string cmdline;
};

class KexecKernel {
 public:
  virtual ~KexecKernel() = default;
  /// kexec_load(entry, segments, KEXEC_ARCH_DEFAULT); replaces what was loaded.
  virtual void load(const KexecPlan& plan) = 0;
  /// kexec_load with no segments: unloads.
  virtual void unload() = 0;
  /// kexec_file_load(kernel_fd, initrd_fd, cmdline_len, cmdline, flags); replaces what was
  /// loaded. A file that cannot be opened is an InputError naming it.
  virtual void load_file(const KexecFileRequest& request) = 0;
  /// kexec_file_load with KEXEC_FILE_UNLOAD: unloads where kexec_load may not (lockdown).
  virtual void unload_file() = 0;
  /// sync(2), then reboot(LINUX_REBOOT_CMD_KEXEC); returns only by throwing.
  virtual void execute() = 0;
  /// True when the calls reach the running kernel: files read under a --sysroot describe
  /// another system then, and must not decide what this one loads or reboots into.
  virtual bool acts_on_this_machine() const { return false; }
};

/// The real system calls.
std::unique_ptr<KexecKernel> system_kexec_kernel();

}  // namespace styx::host

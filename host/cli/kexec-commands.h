// SPDX-License-Identifier: GPL-2.0-only
// `styx load`, `styx unload`, `styx exec`: Styx images on a running Linux system.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "kexec-kernel.h"
#include "live-system.h"

namespace styx::cli {

/// Where the kexec system calls go; tests install a recording stand-in. Default: the real ones.
using KexecKernelFactory = std::function<std::unique_ptr<host::KexecKernel>()>;
void set_kexec_kernel_factory(KexecKernelFactory factory);

/// What `styx load` was asked to do.
struct LoadOptions {
  std::optional<std::string> image;
  std::optional<std::string> kernel;
  std::optional<std::string> initrd;
  std::optional<std::string> append;
  bool reuse_cmdline = false;
  std::optional<std::string> dtb;
  bool no_ima = false;
  std::string ima = "carry";
  std::optional<std::string> console;
  std::string on_failure = "halt";
  bool on_failure_given = false;  ///< --on-failure was on the command line
  std::string syscall = "load";   ///< "load", "file" or "auto" (load-file.h)
  bool dry_run = false;
  std::string sysroot = "/";
};

/// `styx load`, `styx unload` and `styx exec` (not a dry run), for the kexec-tools front end.
int load_on_this_system(const LoadOptions& options, std::ostream& out);
int unload_on_this_system(const std::string& sysroot, std::ostream& out);
int exec_on_this_system(const std::string& sysroot, std::ostream& out);

/// The kexec system calls in use (the real ones, or the tests' stand-in).
std::unique_ptr<host::KexecKernel> make_kexec_kernel();

struct LoadState;
/// Runs `system_call` between writing `state` as "loading" and as "loaded", each atomically, so
/// that a styx killed at any point leaves a record reconcile() can judge; when it throws, the
/// record that was there before is put back (the kernel keeps the image it had).
void record_around(const host::LiveSystem& live, LoadState state,
                   const std::function<void()>& system_call);

/// False when tests have put a stand-in in place of the kexec system calls.
bool kexec_acts_on_this_machine();

}  // namespace styx::cli

// SPDX-License-Identifier: GPL-2.0-only
// kexec_file_load for `styx load` (see load-file.h). Styx builds nothing here: the kernel file,
// initrd and command line go to the running kernel as they are, so everything Styx's purgatory
// adds is absent, and the user is told so at every load.
#include "load-file.h"

#include <filesystem>
#include <ostream>

#include "cli.h"
#include "digest.h"
#include "error.h"
#include "file-io.h"

namespace styx::cli {
namespace {

using host::InputError;
using host::KexecSyscall;

// What only Styx's purgatory or Styx's own image does; kexec_file_load cannot honour it.
void refuse_styx_only_options(const LoadOptions& o, const std::string& via) {
  const std::string file = "kexec_file_load" + via;
  if (o.image)
    throw InputError(*o.image + ": a Styx image runs Styx's purgatory, which " + file +
                     " cannot load; give the kernel with --kernel, or use --syscall=load");
  if (!o.kernel) throw InputError("--syscall=file loads a kernel: give it with --kernel FILE");
  if (o.console)
    throw InputError("--console " + *o.console + ": sets Styx's purgatory console, and " + file +
                     " runs the kernel's own purgatory");
  if (o.on_failure_given)
    throw InputError("--on-failure " + o.on_failure + ": tells Styx's purgatory what to do, and " +
                     file + " runs the kernel's own purgatory");
  if (o.dtb)
    throw InputError("--dtb " + *o.dtb + ": " + file +
                     " takes no device tree (the running kernel passes its own)");
  if (o.no_ima || o.ima == "skip")
    throw InputError(std::string(o.no_ima ? "--no-ima" : "--ima=skip") + ": with " + file +
                     " the running kernel, not styx, decides whether its IMA list goes on");
}

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

}  // namespace

host::KexecSyscall choose_load_syscall(const std::string& syscall, const host::KexecFacts& facts,
                                       std::ostream& out) {
  if (syscall == "load") return KexecSyscall::kLoad;
  if (syscall == "file") return KexecSyscall::kFile;
  if (const std::string closed = host::kexec_file_unavailable(facts); !closed.empty())
    throw InputError("--syscall=auto: " + closed);
  if (const std::string why = host::kexec_load_unavailable(facts); !why.empty()) {
    out << "styx: --syscall=auto: using kexec_file_load, because " << why << "\n";
    return KexecSyscall::kFile;
  }
  const std::string lockdown = facts.lockdown.empty() ? "unknown" : facts.lockdown;
  const std::string force =
      !facts.sig_force ? "CONFIG_KEXEC_SIG_FORCE unknown" : "CONFIG_KEXEC_SIG_FORCE not set";
  out << "styx: --syscall=auto: using kexec_load (Styx's purgatory): nothing known forbids it "
         "(lockdown: "
      << lockdown << "; kexec_load_disabled: "
      << (facts.load_disabled ? (*facts.load_disabled ? "1" : "0") : "unknown") << "; " << force
      << ")\n";
  return KexecSyscall::kLoad;
}

int load_with_kexec_file(const LoadOptions& o, const host::LiveSystem& live,
                         const std::string& cmdline, const host::KexecFacts& facts,
                         const std::string& why, std::ostream& out) {
  const std::string via = why.empty() ? "" : " (chosen by --syscall=auto)";
  refuse_styx_only_options(o, via);
  LoadState state;
  state.syscall = host::syscall_name(KexecSyscall::kFile);
  state.arch = facts.arch;
  state.cmdline = cmdline;
  host::KexecFileRequest request;
  request.cmdline = cmdline;
  // The digests say which bytes were handed over, for `styx status`.
  const auto digest = [](const std::string& path) {
    return LoadedFile{path, host::to_hex(host::sha256(host::read_blob(path).data))};
  };
  state.kernel = digest(std::filesystem::absolute(*o.kernel).string());
  request.kernel = state.kernel->path;
  if (o.initrd) {
    state.initrd = digest(std::filesystem::absolute(*o.initrd).string());
    request.initrd = state.initrd->path;
  }
  const std::string call = "kexec_file_load(" + request.kernel + ", " +
                           request.initrd.value_or("no initrd") + ", " + quoted(cmdline) + ")";
  if (o.dry_run) {
    out << "styx: would call " << call << "\n" << host::kexec_file_guarantees_lost(facts);
    out << "styx: dry run: nothing loaded\n";
    return kExitOk;
  }
  host::check_output_path(live.path(kLoadRecordPath).string(),
                          {o.kernel.value_or(""), o.initrd.value_or("")});
  record_around(live, state, [&] {
    auto kernel = make_kexec_kernel();
    try {
      kernel->load_file(request);
    } catch (const host::KexecError& e) {
      throw InputError(host::explain_kexec_file_load_error(e.error(), request, facts));
    }
  });
  out << "styx: loaded with " << call << "\n" << host::kexec_file_guarantees_lost(facts);
  return kExitOk;
}

std::string kexec_file_exec_note(const host::KexecFacts& facts) {
  std::string lost = host::kexec_file_guarantees_lost(facts);
  return "styx: the image was loaded with kexec_file_load and is complete; executing it as it "
         "is\n" +
         lost;
}

void unload_with_kernel(const std::optional<LoadState>& state, const host::KexecFacts& facts) {
  const bool file = (state && state->syscall == "kexec_file_load") ||
                    !host::kexec_load_unavailable(facts).empty();
  auto kernel = make_kexec_kernel();
  try {
    if (file)
      kernel->unload_file();
    else
      kernel->unload();
  } catch (const host::KexecError& e) {
    if (!file) throw InputError(host::explain_kexec_load_error(e.error(), {}, facts));
    if (const std::string closed = host::kexec_file_unavailable(facts); !closed.empty())
      throw InputError(closed);
    throw InputError(std::string(e.what()));
  }
}

}  // namespace styx::cli

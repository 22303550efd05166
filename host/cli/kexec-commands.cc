// SPDX-License-Identifier: GPL-2.0-only
// `styx load`, `styx unload` and `styx exec`.
//
// `load --kernel` builds the image for the machine it runs on: what it is not given comes from
// the running system (LiveSystem: memory map, device tree, console, IMA list), the IMA list last,
// right before the system call, so that as few measurements as possible happen after the
// snapshot. What was loaded is remembered in /run/styx/loaded.json (load-record.h), so that
// `exec` can tell whether the list has grown since and, if it has, build and load again with a
// fresh snapshot from the same kernel, initrd and device tree bytes (checked by digest): the next
// kernel then starts with every measurement up to the reboot, still verified. Those bytes are
// kept in /run/styx/files at the load (load-copies.h), because exec may run when the files'
// own file systems are unmounted (systemd-shutdown runs `kexec -e` last).
#include "kexec-commands.h"

#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>

#include "arch-info.h"
#include "boot.h"
#include "builder.h"
#include "commands.h"
#include "console-spec.h"
#include "digest.h"
#include "embedded-purgatory.h"
#include "error.h"
#include "file-io.h"
#include "ima-preflight.h"
#include "ima.h"
#include "kexec-errors.h"
#include "kexec-file.h"
#include "kexec.h"
#include "live-system.h"
#include "load-copies.h"
#include "load-file.h"
#include "load-record.h"
#include "parse.h"
#include "subcommands.h"

namespace styx::cli {
namespace {

using host::InputError;
using nlohmann::json;

KexecKernelFactory& kernel_factory() {
  static KexecKernelFactory factory = host::system_kexec_kernel;
  return factory;
}

std::string trim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s;
}

// The running kernel's command line without what belongs to this boot only (as kexec-tools'
// --reuse-cmdline drops them): the boot loader's BOOT_IMAGE= and initrd=, and crashkernel=,
// which would reserve memory again in the next kernel.
std::string reusable_cmdline(const host::LiveSystem& live) {
  std::string out;
  for (const std::string& word : host::LiveSystem::split_cmdline(live.cmdline())) {
    if (word.starts_with("BOOT_IMAGE=") || word.starts_with("initrd=") ||
        word.starts_with("crashkernel="))
      continue;
    if (!out.empty()) out += ' ';
    out += word.find(' ') == std::string::npos ? word : '"' + word + '"';
  }
  return out;
}

bool has_word(const std::string& cmdline, std::string_view word) {
  for (const std::string& w : host::LiveSystem::split_cmdline(cmdline))
    if (w == word) return true;
  return false;
}

const host::ArchInfo& running_arch(const host::LiveSystem& live) {
  const std::string name = live.arch();
  const host::ArchInfo* arch = host::find_arch(name);
  if (!arch)
    throw InputError("this system runs " + name +
                     ", which styx does not support (supported: " + host::arch_names() + ")");
  return *arch;
}

struct Built {
  host::Image image;
  LoadState state;
  std::optional<host::ImaList> ima;
  std::optional<host::ImaRestore> restore;  ///< what the next kernel does with the list
  std::string ram_source;                   ///< where the boot's RAM came from (BootPlan)
};

// The name of a file's copy in /run/styx/files.
const char* copy_name(std::string_view what) {
  return what == "kernel" ? "kernel" : what == "initrd" ? "initrd" : "dtb";
}

// Reads a file the boot is built from. A load records the digest of the bytes it read, and keeps
// a copy of them when `copies` (load-copies.h); a reload (`exec`, after the IMA list grew) takes
// only those same bytes, from the copy where there is one, so that it never boots a file
// replaced since the load. The digest is of the bytes actually used, not of a second read.
host::NamedBlob read_loaded_file(LoadedFile& file, const char* what, bool reload,
                                 const host::LiveSystem* copies = nullptr) {
  if (!reload) {
    host::NamedBlob blob = host::read_blob(file.path);
    file.sha256 = host::to_hex(host::sha256(blob.data));
    file.copy.reset();
    if (copies) file.copy = keep_load_copy(*copies, copy_name(what), file.sha256, blob.data);
    return blob;
  }
  const char* const keep = "; not loading again (the loaded image stays; run `styx load` again)";
  const std::string& from = file.copy ? *file.copy : file.path;
  auto bytes = host::read_file_if_present(from);
  if (!bytes)
    throw InputError(from + ": the " +
                     (file.copy
                          ? "copy `styx load` kept of the " + std::string(what) + " " + file.path
                          : std::string(what) + " `styx load` loaded") +
                     " is gone" + keep);
  const std::string now = host::to_hex(host::sha256(*bytes));
  if (now != file.sha256)
    throw InputError(
        from + ": the " +
        (file.copy ? "copy of the " + std::string(what) + " " + file.path : std::string(what)) +
        " changed since `styx load` (sha256 " + file.sha256 + " then, " + now + " now)" + keep);
  return {file.path, std::move(*bytes)};
}

// Builds the boot `state` describes for the running machine; the IMA list is read last. A reload
// uses the files of the load only if their digests are unchanged; a load keeps copies of them
// in `copies` (its /run/styx/files) when given one.
Built build_for_live_system(const host::LiveSystem& live, const host::ArchInfo& arch,
                            LoadState state, bool with_ima, bool reload = false,
                            const host::LiveSystem* copies = nullptr) {
  if (!arch.plan_boot)
    throw InputError("--kernel: booting Linux is not supported on " + std::string(arch.name) +
                     " yet");
  host::BootInputs in;
  in.kernel = read_loaded_file(*state.kernel, "kernel", reload, copies);
  if (state.initrd) in.initrd = read_loaded_file(*state.initrd, "initrd", reload, copies);
  in.cmdline = state.cmdline;
  const bool device_tree = arch.boot_data_role == Role::kDtb;
  if (device_tree) {
    if (state.dtb) {
      in.dtb = read_loaded_file(*state.dtb, "device tree", reload, copies);
    } else if (auto fdt = live.device_tree()) {
      in.dtb = host::NamedBlob{live.path("/sys/firmware/fdt").string(), std::move(*fdt)};
    } else {
      throw InputError(live.path("/sys/firmware/fdt").string() +
                       ": no device tree to pass on; give one with --dtb");
    }
    // For a tree without /memory (booted through UEFI); one with it needs none of this, so a
    // map that cannot be read is only an error once it is needed.
    in.firmware_map_source = live.firmware_map_file().string();
    try {
      in.firmware_map = live.firmware_map();
      in.firmware_reserved = live.ram_reservations();
    } catch (const InputError& e) {
      in.firmware_map.clear();
      in.firmware_map_error = e.what();
    }
  } else {
    if (state.dtb)
      throw InputError("--dtb " + state.dtb->path + ": " + std::string(arch.name) +
                       " boots without one");
    in.firmware_map = live.firmware_map();
    in.ram = live.ram();
  }
  if (state.console) {
    in.console = host::parse_console(*state.console);
  } else if (auto spec = live.console()) {
    in.console = host::parse_console(*spec);
    state.console = *spec;
  }

  Built out;
  state.ima = false;
  if (with_ima) {
    if (auto snap = live.ima()) {
      const std::string name =
          live.path("/sys/kernel/security/ima/binary_runtime_measurements").string();
      host::ImaList list = host::parse_ima_list(
          snap->binary, name, snap->canonical ? std::optional<bool>(false) : std::nullopt);
      // The next kernel reads the buffer in the canonical order exactly when its own command line
      // says ima_canonical_fmt.
      const bool big_endian = arch.big_endian && !has_word(in.cmdline, "ima_canonical_fmt");
      in.ima = host::NamedBlob{name, host::build_ima_kexec_buffer(list, big_endian, 0)};
      state.ima = true;
      state.ima_records = list.records.size();
      state.ima_bytes = snap->binary.size();
      out.ima = std::move(list);
    }
  }

  const host::BootPlan plan = arch.plan_boot(in);
  host::BuildRequest req;
  req.arch = &arch;
  host::apply_boot_plan(plan, req);
  if (!req.timer_hz && arch.measure_timer_hz) req.timer_hz = arch.measure_timer_hz(live);
  req.policy = state.on_failure == "reset" ? FailurePolicy::kReset : FailurePolicy::kHalt;
  const auto purgatory = host::embedded_purgatory(arch.name);
  if (purgatory.empty())
    throw InputError("this styx was built without a " + std::string(arch.name) + " purgatory");
  out.image = host::build_image(req, purgatory);
  out.ram_source = plan.ram_source.empty() && !in.ram.empty()
                       ? live.firmware_map_file().string() + " (System RAM)"
                       : plan.ram_source;
  out.state = std::move(state);
  return out;
}

uint64_t page_size(const host::LiveSystem& live, const host::ArchInfo& arch) {
  if (live.path("/") == std::filesystem::path("/")) {
    const long size = ::sysconf(_SC_PAGESIZE);
    if (size > 0) return static_cast<uint64_t>(size);
  }
  return arch.page_size;
}

host::KexecFacts kexec_facts(const host::LiveSystem& live) {
  return host::read_kexec_facts(live);
}

// A sysroot's files describe another system (a captured tree, in the tests): loading or
// rebooting this machine after them would act on facts that are not its own.
void refuse_foreign_sysroot(const std::string& sysroot, bool dry_run) {
  if (dry_run) return;
  std::error_code ec;
  if (std::filesystem::weakly_canonical(sysroot, ec) == std::filesystem::path("/")) return;
  if (kernel_factory()()->acts_on_this_machine())
    throw InputError("--sysroot " + sysroot +
                     ": only with --dry-run (its files describe another system, not this one)");
}

// A kexec_load refusal, with its errno: --syscall=auto may take kexec_file_load after it.
class LoadRefused : public InputError {
 public:
  LoadRefused(int error, const std::string& what) : InputError(what), error_(error) {}
  int error() const { return error_; }

 private:
  int error_;
};

void load_plan(const host::LiveSystem& live, const host::KexecPlan& plan) {
  auto kernel = kernel_factory()();
  try {
    kernel->load(plan);
  } catch (const host::KexecError& e) {
    throw LoadRefused(e.error(),
                      host::explain_kexec_load_error(e.error(), plan, kexec_facts(live)));
  }
}

// Loads `plan` and records `state` (record_around); the copies the new record does not name go
// (load-copies.h). A refused load leaves them to the caller's CopiesCleanup.
void load_and_record(const host::LiveSystem& live, const host::KexecPlan& plan, LoadState state) {
  record_around(live, state, [&] { load_plan(live, plan); });
  state.state = "loaded";
  remove_stale_load_copies(live, state);
}

// Removes, unless dismissed, the copies a load kept before something refused it: the record in
// place names those that stay.
struct CopiesCleanup {
  const host::LiveSystem& live;
  bool armed = true;
  ~CopiesCleanup() {
    if (!armed) return;
    try {
      remove_stale_load_copies(live, read_load_record(live));
    } catch (const InputError&) {
      remove_stale_load_copies(live, std::nullopt);
    }
  }
};

void print_summary(std::ostream& out, const char* verb, const Built& b,
                   const host::KexecPlan& plan) {
  out << "styx: " << verb << " " << plan.segments.size() << " kexec segments, entry "
      << host::hex(plan.entry) << " (purgatory), next kernel entry "
      << host::hex(b.image.handoff.entry) << "\n";
  out << "styx: purgatory console: " << host::format_console(b.image.handoff.console) << "\n";
  if (!b.ram_source.empty()) {
    uint64_t bytes = 0;
    for (const host::MemRange& r : b.image.ram) bytes += r.size;
    out << "styx: RAM: " << (bytes >> 20) << " MiB in " << b.image.ram.size()
        << (b.image.ram.size() == 1 ? " range" : " ranges") << ", from " << b.ram_source << "\n";
  }
  if (const uint64_t hz = b.image.handoff.timer_hz)
    out << fmt::format("styx: purgatory timer: {:.3f} MHz, as given to it\n", hz / 1e6);
  const bool carries_ima =
      std::any_of(b.image.segments.begin(), b.image.segments.end(),
                  [](const host::ImageSegment& s) { return s.role == Role::kIma; });
  if (b.state.ima && b.restore && b.restore->verdict == host::ImaRestore::Verdict::kRestores)
    out << "styx: IMA: " << b.state.ima_records << " measurements carried and verified\n";
  else if (b.state.ima)
    out << "styx: IMA: " << b.state.ima_records
        << " measurements carried and checked by the purgatory; the next kernel may not restore "
           "them\n";
  else if (carries_ima)
    out << "styx: IMA: the image carries the list it was built with\n";
  else
    out << "styx: IMA: no measurement list carried\n";
}

int cmd_load(const LoadOptions& o, std::ostream& out) {
  refuse_foreign_sysroot(o.sysroot, o.dry_run);
  const host::LiveSystem live(o.sysroot);
  const host::ArchInfo& arch = running_arch(live);
  CopiesCleanup cleanup{live, !o.dry_run};
  const std::string cmdline =
      trim((o.reuse_cmdline ? reusable_cmdline(live) : "") + " " + o.append.value_or(""));
  const host::KexecFacts facts = kexec_facts(live);
  if (choose_load_syscall(o.syscall, facts, out) == host::KexecSyscall::kFile)
    return load_with_kexec_file(o, live, cmdline, facts, o.syscall == "auto" ? "auto" : "", out);
  Built built;
  if (o.image) {
    for (const auto& [flag, given] : {std::pair{"--kernel", o.kernel.has_value()},
                                      {"--initrd", o.initrd.has_value()},
                                      {"--append", o.append.has_value()},
                                      {"--reuse-cmdline", o.reuse_cmdline},
                                      {"--dtb", o.dtb.has_value()},
                                      {"--console", o.console.has_value()}})
      if (given) throw InputError(std::string(flag) + " builds an image: drop IMAGE or " + flag);
    built.image = host::read_image(*o.image);
    if (built.image.arch != &arch)
      throw InputError(*o.image + ": built for " + std::string(built.image.arch->name) +
                       ", but this system runs " + std::string(arch.name));
    built.state.arch = arch.name;
    built.state.image = std::filesystem::absolute(*o.image).string();
  } else {
    if (!o.kernel) throw InputError("give an IMAGE to load, or --kernel FILE to build one");
    LoadState state;
    state.arch = arch.name;
    state.kernel = LoadedFile{std::filesystem::absolute(*o.kernel).string(), "", std::nullopt};
    if (o.initrd)
      state.initrd = LoadedFile{std::filesystem::absolute(*o.initrd).string(), "", std::nullopt};
    if (o.dtb) state.dtb = LoadedFile{std::filesystem::absolute(*o.dtb).string(), "", std::nullopt};
    state.console = o.console;
    state.cmdline = cmdline;
    state.on_failure = o.on_failure;
    const bool carry = !o.no_ima && o.ima == "carry" &&
                       std::filesystem::is_directory(live.path("/sys/kernel/security/ima"));
    std::optional<host::ImaRestore> restore;
    if (carry) {
      restore = check_next_kernel(live, arch.name, state.kernel->path, out);
      check_live_attestation(live, out);
    }
    // Copies only for a load that happens; checked first, so that the warning comes before the
    // summary of a load that goes ahead without them.
    const host::LiveSystem* copies = nullptr;
    if (!o.dry_run) {
      if (const std::string why = why_no_load_copies(live); why.empty())
        copies = &live;
      else
        out << "styx: warning: " << why << ": keeping no copy of the kernel, initrd and device "
            << "tree; `styx exec` will need them at their paths, unchanged\n";
    }
    built = build_for_live_system(live, arch, state, carry, false, copies);
    built.restore = restore;
  }

  const host::KexecPlan plan = host::plan_kexec(built.image, page_size(live, arch));
  // The purgatory checks every digest again after the reboot; checking first makes a mismatch
  // a message now instead of a halted machine later.
  host::check_kexec_digests(plan, built.image, o.image ? *o.image : std::string("the image"));
  if (const std::string outside = host::segment_outside_ram(plan, live.ram()); !outside.empty())
    throw InputError((o.image ? *o.image : std::string("the image")) + ": " + outside +
                     " is not System RAM on this machine (see /proc/iomem)");
  if (o.dry_run) {
    out << host::format_kexec_plan(plan);
    if (!o.image) out << "command line: " << built.state.cmdline << "\n";
    print_summary(out, "would load", built, plan);
    out << "styx: dry run: nothing loaded\n";
    return kExitOk;
  }
  // Checked before the load: a state file that cannot be written must not follow one that was.
  host::check_output_path(
      live.path(kLoadRecordPath).string(),
      {o.image.value_or(""), o.kernel.value_or(""), o.initrd.value_or(""), o.dtb.value_or("")});
  try {
    load_and_record(live, plan, built.state);
  } catch (const LoadRefused& e) {
    const std::string why =
        o.syscall == "auto" ? host::kexec_load_refusal_reason(e.error(), facts) : std::string();
    if (why.empty()) throw;
    out << "styx: --syscall=auto: " << why << "; using kexec_file_load\n";
    return load_with_kexec_file(o, live, cmdline, facts, why, out);
  }
  cleanup.armed = false;
  print_summary(out, "loaded", built, plan);
  return kExitOk;
}

int cmd_unload(const std::string& sysroot, std::ostream& out) {
  refuse_foreign_sysroot(sysroot, false);
  const host::LiveSystem live(sysroot);
  if (!live.kexec_loaded()) {
    forget_load_record(live);
    remove_stale_load_copies(live, std::nullopt);
    out << "styx: nothing was loaded\n";
    return kExitOk;
  }
  std::optional<LoadState> record;
  try {
    record = read_load_record(live);
  } catch (const InputError&) {
  }
  unload_with_kernel(record, kexec_facts(live));
  forget_load_record(live);
  remove_stale_load_copies(live, std::nullopt);
  out << "styx: unloaded\n";
  return kExitOk;
}

int cmd_exec(const std::string& sysroot, bool dry_run, std::ostream& out) {
  refuse_foreign_sysroot(sysroot, dry_run);
  const host::LiveSystem live(sysroot);
  const LoadStatus status = reconcile(live);
  const std::optional<LoadState>& state = status.record;
  using Kind = LoadStatus::Kind;
  if (status.kind == Kind::kNothing || status.kind == Kind::kStaleRecord)
    throw InputError("nothing is loaded: run `styx load` first");
  if (status.kind == Kind::kUnfinished)
    throw InputError(live.path(kLoadRecordPath).string() +
                     ": the last `styx load` did not finish, so the loaded image may be its or "
                     "the one before: run `styx load` again");
  if (status.kind == Kind::kForeign) {
    out << "styx: the loaded image was not loaded by styx; executing it as it is\n";
  } else if (state->syscall == host::syscall_name(host::KexecSyscall::kFile)) {
    out << kexec_file_exec_note(kexec_facts(live));
  } else if (state->ima) {
    // Exec may have to load again: only from the bytes that were loaded, so the files are
    // checked before anything is judged by them (the rebuild checks the bytes it uses again).
    if (state->kernel) {
      std::vector<uint8_t> kernel;
      for (const auto& [what, file] : {std::pair{"kernel", state->kernel},
                                       {"initrd", state->initrd},
                                       {"device tree", state->dtb}})
        if (LoadedFile f = file.value_or(LoadedFile{}); file) {
          host::NamedBlob blob = read_loaded_file(f, what, true);
          if (std::string_view(what) == "kernel") kernel = std::move(blob.data);
        }
      check_next_kernel(live, state->arch, state->kernel->path, kernel, out);
    }
    check_live_attestation(live, out);
    const auto snap = live.ima();
    const uint64_t now = snap ? snap->binary.size() : 0;
    if (now > state->ima_bytes && state->kernel) {
      const host::ArchInfo& arch = running_arch(live);
      Built built = build_for_live_system(live, arch, *state, true, true);
      const host::KexecPlan plan = host::plan_kexec(built.image, page_size(live, arch));
      host::check_kexec_digests(plan, built.image, "the rebuilt image");
      out << "styx: the IMA list grew from " << state->ima_records << " to "
          << built.state.ima_records << " measurements since the load; "
          << (dry_run ? "would load again" : "loading again") << "\n";
      if (!dry_run) load_and_record(live, plan, built.state);
    } else if (now > state->ima_bytes) {
      out << "styx: warning: the IMA list grew since " << state->image.value_or("the image")
          << " was loaded; a prebuilt image carries only the measurements it was built with\n";
    } else {
      out << "styx: the IMA list is unchanged since the load (" << state->ima_records
          << " measurements)\n";
    }
  }
  if (dry_run) {
    out << "styx: dry run: not rebooting\n";
    return kExitOk;
  }
  out << "styx: starting the loaded image\n" << std::flush;
  auto kernel = kernel_factory()();
  try {
    kernel->execute();
  } catch (const host::KexecError& e) {
    throw InputError(std::string(e.what()));
  }
  return kExitOk;  // a kernel stand-in in tests returns
}

// What is loaded, as /sys/kernel/kexec_loaded and the load record say together; read only.
int cmd_status(const std::string& sysroot, std::ostream& out) {
  const host::LiveSystem live(sysroot);
  const LoadStatus status = reconcile(live);
  const std::string record = live.path(kLoadRecordPath).string();
  switch (status.kind) {
    case LoadStatus::Kind::kNothing: out << "styx: nothing is loaded\n"; return kExitOk;
    case LoadStatus::Kind::kStaleRecord:
      out << "styx: nothing is loaded; " << record
          << " is stale (from a `styx load` or `styx unload` that did not finish) and ignored\n";
      return kExitOk;
    case LoadStatus::Kind::kForeign:
      out << "styx: an image is loaded, not by styx (no " << record << ")\n";
      return kExitOk;
    case LoadStatus::Kind::kUnfinished:
      out << "styx: an image is loaded, but " << record
          << " is from a `styx load` that did not finish: it may be that load's image or the "
             "one before; run `styx load` again\n";
      return kExitOk;
    case LoadStatus::Kind::kLoadedByStyx: break;
  }
  const LoadState& s = *status.record;
  out << "styx: loaded by styx (" << s.arch << ") with " << s.syscall << "\n";
  if (s.image) out << "styx: image " << *s.image << "\n";
  for (const auto& [what, file] :
       {std::pair{"kernel", &s.kernel}, {"initrd", &s.initrd}, {"device tree", &s.dtb}})
    if (*file) {
      const LoadedFile& f = **file;
      out << "styx: " << what << " " << f.path << ", sha256 " << f.sha256 << ", "
          << describe_file_now(f.path, f.sha256);
      if (f.copy) out << "; kept as " << *f.copy << ", " << describe_file_now(*f.copy, f.sha256);
      out << "\n";
    }
  if (s.kernel) out << "styx: command line: " << s.cmdline << "\n";
  if (s.syscall == host::syscall_name(host::KexecSyscall::kFile))
    out << "styx: purgatory: the running kernel's own (kexec_file_load): Styx verifies nothing "
           "of this load; IMA: carried only if the running kernel sends its list\n";
  else if (s.ima)
    out << "styx: IMA: " << s.ima_records << " measurements carried\n";
  else
    out << "styx: IMA: no measurement list carried by this load\n";
  return kExitOk;
}

}  // namespace

int load_on_this_system(const LoadOptions& options, std::ostream& out) {
  return cmd_load(options, out);
}
int unload_on_this_system(const std::string& sysroot, std::ostream& out) {
  return cmd_unload(sysroot, out);
}
int exec_on_this_system(const std::string& sysroot, std::ostream& out) {
  return cmd_exec(sysroot, false, out);
}
std::unique_ptr<host::KexecKernel> make_kexec_kernel() {
  return kernel_factory()();
}

void record_around(const host::LiveSystem& live, LoadState state,
                   const std::function<void()>& system_call) {
  const std::string path = live.path(kLoadRecordPath).string();
  std::optional<std::vector<uint8_t>> previous;
  try {
    previous = host::read_file_if_present(path);
  } catch (const InputError&) {
  }
  state.state = "loading";
  write_load_record(live, state);
  try {
    system_call();
  } catch (const InputError&) {
    if (previous)
      host::write_file_atomic(path, *previous, false);
    else
      forget_load_record(live);
    throw;
  }
  state.state = "loaded";
  write_load_record(live, state);
}

bool kexec_acts_on_this_machine() {
  return kernel_factory()()->acts_on_this_machine();
}

void set_kexec_kernel_factory(KexecKernelFactory factory) {
  kernel_factory() = factory ? std::move(factory) : KexecKernelFactory(host::system_kexec_kernel);
}

void add_kexec_commands(CLI::App& app, Subcommands& commands, std::ostream& out) {
  auto o = std::make_shared<LoadOptions>();
  auto* l = app.add_subcommand(
      "load",
      "Load a kexec image into the running kernel (kexec_load): a Styx IMAGE, or one built for "
      "this machine from --kernel, taking the memory map, device tree, console and IMA list "
      "from the running system (on a device tree without /memory, as UEFI leaves it, RAM is "
      "/proc/iomem's System RAM less what it reserves inside); the kernel, initrd and device tree "
      "bytes are kept in /run/styx/files for `styx exec`");
  l->add_option("image", o->image, "Styx image (from `styx build`)");
  l->add_option("--kernel", o->kernel, "Linux kernel to build an image for");
  l->add_option("--initrd,--ramdisk", o->initrd, "Initial ramdisk");
  l->add_option("--append,--command-line,--cmdline", o->append,
                "Kernel command line (added after "
                "--reuse-cmdline's)");
  l->add_flag("--reuse-cmdline", o->reuse_cmdline,
              "Start from the running kernel's command line (without BOOT_IMAGE=, initrd=, "
              "crashkernel=)");
  l->add_option("--dtb", o->dtb, "Device tree (default: the running one, /sys/firmware/fdt)");
  l->add_option("--ima", o->ima,
                "carry: carry the IMA measurement list, after checking that the next kernel "
                "restores one (refused when its configuration says it cannot); skip: do not")
      ->check(CLI::IsMember({"carry", "skip"}))
      ->capture_default_str();
  l->add_flag("--no-ima", o->no_ima, "The same as --ima=skip");
  l->add_option("--console", o->console,
                "Purgatory console, earlycon syntax (default: the running system's serial "
                "console)");
  l->add_option("--on-failure", o->on_failure, "What the purgatory does after a failure")
      ->check(CLI::IsMember({"halt", "reset"}))
      ->capture_default_str();
  l->add_option(
       "--syscall", o->syscall,
       "load: kexec_load, with Styx's purgatory verifying every segment; file: "
       "kexec_file_load, for locked-down kernels: the running kernel checks the kernel's "
       "signature and runs its own purgatory, and Styx verifies nothing (it says what is "
       "lost); auto: load, unless lockdown, CONFIG_KEXEC_SIG_FORCE or an EPERM/EACCES refusal "
       "says only kexec_file_load works, and it says which it took and why")
      ->check(CLI::IsMember({"load", "file", "auto"}))
      ->capture_default_str();
  l->add_flag("--dry-run", o->dry_run,
              "Print the kexec segments and entry that would be loaded; change nothing");
  l->add_option("--sysroot", o->sysroot,
                "Read /proc and /sys under this directory instead of / (only with --dry-run)")
      ->capture_default_str();
  commands.push_back({l, [o, l, &out] {
                        o->on_failure_given = l->count("--on-failure") > 0;
                        return cmd_load(*o, out);
                      }});

  auto sysroot = std::make_shared<std::string>("/");
  auto* u = app.add_subcommand("unload", "Unload the loaded kexec image");
  u->add_option(
      "--sysroot", *sysroot,
      "Read /proc and /sys under this directory (tests only: refused on the real kernel)");
  commands.push_back({u, [sysroot, &out] { return cmd_unload(*sysroot, out); }});

  auto exec_dry = std::make_shared<bool>(false);
  auto* e = app.add_subcommand(
      "exec",
      "Reboot into the loaded image; first load it again if the IMA list has grown since "
      "`styx load`, so no measurement is lost (from the copies in /run/styx/files, so the "
      "original files may be unmounted by then)");
  e->add_option(
      "--sysroot", *sysroot,
      "Read /proc and /sys under this directory (tests only: refused on the real kernel)");
  e->add_flag("--dry-run", *exec_dry, "Say what would happen; do not reboot");
  commands.push_back({e, [sysroot, exec_dry, &out] { return cmd_exec(*sysroot, *exec_dry, out); }});

  auto* st = app.add_subcommand(
      "status",
      "Say what is loaded: /sys/kernel/kexec_loaded and /run/styx/loaded.json together (a "
      "record that disagrees with the kernel is called stale), and whether the kernel, initrd "
      "and device tree files and their copies in /run/styx/files still hold the bytes that "
      "were loaded");
  st->add_option("--sysroot", *sysroot, "Read /proc, /sys and /run under this directory");
  commands.push_back({st, [sysroot, &out] { return cmd_status(*sysroot, out); }});
}

}  // namespace styx::cli

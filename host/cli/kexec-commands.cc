// `styx load`, `styx unload` and `styx exec`.
//
// `load --kernel` builds the image for the machine it runs on: what it is not given comes from
// the running system (LiveSystem: memory map, device tree, console, IMA list), the IMA list last,
// right before the system call, so that as few measurements as possible happen after the
// snapshot. What was loaded is remembered in /run/styx/loaded.json, so that `exec` can tell
// whether the list has grown since and, if it has, build and load again with a fresh snapshot:
// the next kernel then starts with every measurement up to the reboot, still verified.
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
#include "embedded-purgatory.h"
#include "error.h"
#include "file-io.h"
#include "ima-preflight.h"
#include "ima.h"
#include "kexec-errors.h"
#include "kexec.h"
#include "live-system.h"
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

constexpr const char* kStatePath = "/run/styx/loaded.json";

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

// What `exec` needs to build the same boot again with a newer IMA list.
struct LoadState {
  std::string arch;
  std::optional<std::string> image;
  std::optional<std::string> kernel, initrd, dtb, console;
  std::string cmdline;
  std::string on_failure = "halt";
  bool ima = false;  ///< an IMA list was carried
  uint64_t ima_records = 0;
  uint64_t ima_bytes = 0;
};

json to_json(const LoadState& s) {
  const auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(); };
  return {{"version", 1},
          {"arch", s.arch},
          {"image", opt(s.image)},
          {"kernel", opt(s.kernel)},
          {"initrd", opt(s.initrd)},
          {"dtb", opt(s.dtb)},
          {"console", opt(s.console)},
          {"cmdline", s.cmdline},
          {"on_failure", s.on_failure},
          {"ima", s.ima ? json{{"records", s.ima_records}, {"bytes", s.ima_bytes}} : json()}};
}

std::optional<LoadState> read_state(const host::LiveSystem& live) {
  const std::filesystem::path path = live.path(kStatePath);
  if (!std::filesystem::exists(path)) return std::nullopt;
  const std::vector<uint8_t> bytes = host::read_file(path.string());
  try {
    const json j = json::parse(bytes.begin(), bytes.end());
    if (j.at("version") != 1) throw InputError(path.string() + ": unknown version");
    const auto opt = [&](const char* key) -> std::optional<std::string> {
      return j.at(key).is_null() ? std::nullopt : std::optional(j.at(key).get<std::string>());
    };
    LoadState s;
    s.arch = j.at("arch");
    s.image = opt("image");
    s.kernel = opt("kernel");
    s.initrd = opt("initrd");
    s.dtb = opt("dtb");
    s.console = opt("console");
    s.cmdline = j.at("cmdline");
    s.on_failure = j.at("on_failure");
    if (!j.at("ima").is_null()) {
      s.ima = true;
      s.ima_records = j.at("ima").at("records");
      s.ima_bytes = j.at("ima").at("bytes");
    }
    // `exec` rebuilds from the kernel or names the image; a state with neither describes no load.
    if (!s.image && !s.kernel)
      throw InputError(path.string() + ": names neither an image nor a kernel");
    return s;
  } catch (const json::exception& e) {
    throw InputError(path.string() + ": not a state file styx wrote (" + e.what() + ")");
  }
}

void write_state(const host::LiveSystem& live, const LoadState& state) {
  const std::filesystem::path path = live.path(kStatePath);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) throw InputError(path.parent_path().string() + ": " + ec.message());
  const std::string text = to_json(state).dump(2) + "\n";
  host::write_file_atomic(path.string(),
                          {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, false);
}

void forget_state(const host::LiveSystem& live) {
  std::error_code ec;
  std::filesystem::remove(live.path(kStatePath), ec);
}

struct Built {
  host::Image image;
  LoadState state;
  std::optional<host::ImaList> ima;
  std::optional<host::ImaRestore> restore;  ///< what the next kernel does with the list
};

// Builds the boot `state` describes for the running machine; the IMA list is read last.
Built build_for_live_system(const host::LiveSystem& live, const host::ArchInfo& arch,
                            LoadState state, bool with_ima) {
  if (!arch.plan_boot)
    throw InputError("--kernel: booting Linux is not supported on " + std::string(arch.name) +
                     " yet");
  host::BootInputs in;
  in.kernel = host::read_blob(*state.kernel);
  if (state.initrd) in.initrd = host::read_blob(*state.initrd);
  in.cmdline = state.cmdline;
  const bool device_tree = arch.boot_data_role == Role::kDtb;
  if (device_tree) {
    if (state.dtb) {
      in.dtb = host::read_blob(*state.dtb);
    } else if (auto fdt = live.device_tree()) {
      in.dtb = host::NamedBlob{live.path("/sys/firmware/fdt").string(), std::move(*fdt)};
    } else {
      throw InputError(live.path("/sys/firmware/fdt").string() +
                       ": no device tree to pass on; give one with --dtb");
    }
  } else {
    if (state.dtb)
      throw InputError("--dtb " + *state.dtb + ": " + std::string(arch.name) +
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
  host::KexecFacts facts;
  facts.root = ::geteuid() == 0;
  // Each fact is optional: an unreadable file only makes the message less specific.
  const auto first_line = [&](const char* path) -> std::optional<std::string> {
    try {
      const auto bytes = host::read_file(live.path(path).string());
      const std::string text(bytes.begin(), bytes.end());
      return trim(text.substr(0, text.find('\n')));
    } catch (const InputError&) {
      return std::nullopt;
    }
  };
  facts.lockdown = first_line("/sys/kernel/security/lockdown").value_or("");
  if (auto disabled = first_line("/proc/sys/kernel/kexec_load_disabled"))
    facts.load_disabled = *disabled == "1";
  try {
    facts.ram = live.ram();
  } catch (const InputError&) {
  }
  return facts;
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

void load_plan(const host::LiveSystem& live, const host::KexecPlan& plan) {
  auto kernel = kernel_factory()();
  try {
    kernel->load(plan);
  } catch (const host::KexecError& e) {
    throw InputError(host::explain_kexec_load_error(e.error(), plan, kexec_facts(live)));
  }
}

void print_summary(std::ostream& out, const char* verb, const Built& b,
                   const host::KexecPlan& plan) {
  out << "styx: " << verb << " " << plan.segments.size() << " kexec segments, entry "
      << host::hex(plan.entry) << " (purgatory), next kernel entry "
      << host::hex(b.image.handoff.entry) << "\n";
  out << "styx: purgatory console: " << host::format_console(b.image.handoff.console) << "\n";
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
    state.kernel = std::filesystem::absolute(*o.kernel).string();
    if (o.initrd) state.initrd = std::filesystem::absolute(*o.initrd).string();
    if (o.dtb) state.dtb = std::filesystem::absolute(*o.dtb).string();
    state.console = o.console;
    state.cmdline =
        trim((o.reuse_cmdline ? reusable_cmdline(live) : "") + " " + o.append.value_or(""));
    state.on_failure = o.on_failure;
    const bool carry = !o.no_ima && o.ima == "carry" &&
                       std::filesystem::is_directory(live.path("/sys/kernel/security/ima"));
    std::optional<host::ImaRestore> restore;
    if (carry) {
      restore = check_next_kernel(live, arch.name, *state.kernel, out);
      check_live_attestation(live, out);
    }
    built = build_for_live_system(live, arch, state, carry);
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
      live.path(kStatePath).string(),
      {o.image.value_or(""), o.kernel.value_or(""), o.initrd.value_or(""), o.dtb.value_or("")});
  load_plan(live, plan);
  write_state(live, built.state);
  print_summary(out, "loaded", built, plan);
  return kExitOk;
}

int cmd_unload(const std::string& sysroot, std::ostream& out) {
  refuse_foreign_sysroot(sysroot, false);
  const host::LiveSystem live(sysroot);
  if (!live.kexec_loaded()) {
    forget_state(live);
    out << "styx: nothing was loaded\n";
    return kExitOk;
  }
  auto kernel = kernel_factory()();
  try {
    kernel->unload();
  } catch (const host::KexecError& e) {
    throw InputError(host::explain_kexec_load_error(e.error(), {}, kexec_facts(live)));
  }
  forget_state(live);
  out << "styx: unloaded\n";
  return kExitOk;
}

int cmd_exec(const std::string& sysroot, bool dry_run, std::ostream& out) {
  refuse_foreign_sysroot(sysroot, dry_run);
  const host::LiveSystem live(sysroot);
  if (!live.kexec_loaded()) throw InputError("nothing is loaded: run `styx load` first");
  const std::optional<LoadState> state = read_state(live);
  if (!state) {
    out << "styx: the loaded image was not loaded by styx; executing it as it is\n";
  } else if (state->ima) {
    if (state->kernel) check_next_kernel(live, state->arch, *state->kernel, out);
    check_live_attestation(live, out);
    const auto snap = live.ima();
    const uint64_t now = snap ? snap->binary.size() : 0;
    if (now > state->ima_bytes && state->kernel) {
      const host::ArchInfo& arch = running_arch(live);
      Built built = build_for_live_system(live, arch, *state, true);
      const host::KexecPlan plan = host::plan_kexec(built.image, page_size(live, arch));
      host::check_kexec_digests(plan, built.image, "the rebuilt image");
      out << "styx: the IMA list grew from " << state->ima_records << " to "
          << built.state.ima_records << " measurements since the load; "
          << (dry_run ? "would load again" : "loading again") << "\n";
      if (!dry_run) {
        load_plan(live, plan);
        write_state(live, built.state);
      }
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
      "from the running system");
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
  l->add_flag("--dry-run", o->dry_run,
              "Print the kexec segments and entry that would be loaded; change nothing");
  l->add_option("--sysroot", o->sysroot,
                "Read /proc and /sys under this directory instead of / (only with --dry-run)")
      ->capture_default_str();
  commands.push_back({l, [o, &out] { return cmd_load(*o, out); }});

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
      "`styx load`, so no measurement is lost");
  e->add_option(
      "--sysroot", *sysroot,
      "Read /proc and /sys under this directory (tests only: refused on the real kernel)");
  e->add_flag("--dry-run", *exec_dry, "Say what would happen; do not reboot");
  commands.push_back({e, [sysroot, exec_dry, &out] { return cmd_exec(*sysroot, *exec_dry, out); }});
}

}  // namespace styx::cli

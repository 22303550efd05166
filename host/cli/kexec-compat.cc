// SPDX-License-Identifier: GPL-2.0-only
// `kexec` (styx run under that name, or `styx kexec`): kexec-tools' command line, so the scripts
// and systemd units that call kexec get Styx's verified purgatory without being changed. Options
// keep kexec-tools' meaning and exit status; what Styx cannot honour is refused before anything
// is loaded, unloaded or executed.
#include "kexec-compat.h"

#include <getopt.h>
#include <unistd.h>

#include <ostream>
#include <string>
#include <vector>

#include "arch-info.h"
#include "error.h"
#include "file-io.h"
#include "kexec-commands.h"
#include "live-system.h"

namespace styx::cli {
namespace {

using host::InputError;

// kexec-tools' exit status: 0 done, 1 anything failed (its usage errors and die() both give 1).
// -S is the exception: 1 loaded, 0 not.
constexpr int kCompatOk = 0;
constexpr int kCompatFailed = 1;

enum LongOnly : int {
  kMemMin = 256,
  kMemMax,
  kReuseInitrd,
  kPreserveContext,
  kJumpBackHelper,
  kEntry,
  kPrintCkrSize,
  kLoadLiveUpdate,
  kExecLiveUpdate,
  kHotplug,
  kNoCma,
  kForceDtb,
  kCommandLine,
  kReuseCmdline,
  kInitrd,
  kDtb,
  kSysroot,
  kUnsupportedTypeOption,
};

// kexec-tools options Styx has no counterpart for: refusing them names the option; taking them
// silently would do something other than what the caller asked.
const char* unsupported_reason(int opt) {
  switch (opt) {
    case kMemMin:
    case kMemMax: return "styx places every segment itself, inside System RAM";
    case kReuseInitrd: return "give the initrd with --initrd";
    case kPreserveContext:
    case kJumpBackHelper:
    case kEntry: return "styx does not jump back to this kernel";
    case kPrintCkrSize: return "styx does not load crash kernels yet";
    case kLoadLiveUpdate:
    case kExecLiveUpdate: return "styx does not run under Xen";
    case kHotplug:
    case kNoCma:
    case kForceDtb: return "not supported by styx";
    default: return "this kernel-type option is not supported by styx";
  }
}

const option kOptions[] = {
    {"help", no_argument, nullptr, 'h'},
    {"version", no_argument, nullptr, 'v'},
    {"debug", no_argument, nullptr, 'd'},
    {"force", no_argument, nullptr, 'f'},
    {"no-checks", no_argument, nullptr, 'i'},
    {"no-ifdown", no_argument, nullptr, 'x'},
    {"no-sync", no_argument, nullptr, 'y'},
    {"load", no_argument, nullptr, 'l'},
    {"load-panic", no_argument, nullptr, 'p'},
    {"unload", no_argument, nullptr, 'u'},
    {"exec", no_argument, nullptr, 'e'},
    {"type", required_argument, nullptr, 't'},
    {"kexec-file-syscall", no_argument, nullptr, 's'},
    {"kexec-syscall", no_argument, nullptr, 'c'},
    {"kexec-syscall-auto", no_argument, nullptr, 'a'},
    {"status", no_argument, nullptr, 'S'},
    {"mem-min", required_argument, nullptr, kMemMin},
    {"mem-max", required_argument, nullptr, kMemMax},
    {"reuseinitrd", no_argument, nullptr, kReuseInitrd},
    {"load-preserve-context", no_argument, nullptr, kPreserveContext},
    {"load-jump-back-helper", no_argument, nullptr, kJumpBackHelper},
    {"entry", required_argument, nullptr, kEntry},
    {"print-ckr-size", no_argument, nullptr, kPrintCkrSize},
    {"load-live-update", no_argument, nullptr, kLoadLiveUpdate},
    {"exec-live-update", no_argument, nullptr, kExecLiveUpdate},
    {"hotplug", no_argument, nullptr, kHotplug},
    {"no-cma", no_argument, nullptr, kNoCma},
    {"force-dtb", no_argument, nullptr, kForceDtb},
    // The kernel-type options kexec-tools' Linux loaders share.
    {"command-line", required_argument, nullptr, kCommandLine},
    {"append", required_argument, nullptr, kCommandLine},
    {"reuse-cmdline", no_argument, nullptr, kReuseCmdline},
    {"initrd", required_argument, nullptr, kInitrd},
    {"ramdisk", required_argument, nullptr, kInitrd},
    {"dtb", required_argument, nullptr, kDtb},
    // Type options of kexec-tools' other loaders, refused by name rather than as unknown.
    {"module", required_argument, nullptr, kUnsupportedTypeOption},
    {"real-mode", no_argument, nullptr, kUnsupportedTypeOption},
    {"entry-32bit", no_argument, nullptr, kUnsupportedTypeOption},
    {"args-linux", no_argument, nullptr, kUnsupportedTypeOption},
    {"args-elf", no_argument, nullptr, kUnsupportedTypeOption},
    {"args-none", no_argument, nullptr, kUnsupportedTypeOption},
    {"serial", required_argument, nullptr, kUnsupportedTypeOption},
    {"serial-baud", required_argument, nullptr, kUnsupportedTypeOption},
    {"console-vga", no_argument, nullptr, kUnsupportedTypeOption},
    {"console-serial", no_argument, nullptr, kUnsupportedTypeOption},
    {"reset-vga", no_argument, nullptr, kUnsupportedTypeOption},
    {"pass-memmap-cmdline", no_argument, nullptr, kUnsupportedTypeOption},
    {"noefi", no_argument, nullptr, kUnsupportedTypeOption},
    {"reuse-video-type", no_argument, nullptr, kUnsupportedTypeOption},
    {"elf64-core-headers", no_argument, nullptr, kUnsupportedTypeOption},
    {"dt-no-old-root", no_argument, nullptr, kUnsupportedTypeOption},
    // Tests only, as `styx load --sysroot`: refused unless the kexec calls are a stand-in.
    {"sysroot", required_argument, nullptr, kSysroot},
    {nullptr, 0, nullptr, 0},
};
// A leading ':' makes getopt report a missing argument as ':' instead of printing anything.
constexpr const char* kShortOptions = ":hvdfixyluet:pscaS";

constexpr const char* kUsage =
    "Usage: kexec [OPTION]... [kernel]\n"
    "Load a kernel to boot into, or boot into the loaded one, through Styx's purgatory, which\n"
    "checks the SHA-256 of every segment before it starts the next kernel.\n"
    "\n"
    " -h, --help            Print this help.\n"
    " -v, --version         Print the version.\n"
    " -l, --load            Load KERNEL into the running kernel.\n"
    " -e, --exec            Start the loaded kernel now (after sync(2)).\n"
    " -f, --force           Load KERNEL and start it at once, without shutdown(8).\n"
    "                       Without -l, -e, -f, -u or -S: load KERNEL, then run shutdown -r now.\n"
    " -u, --unload          Unload the loaded kernel.\n"
    " -S, --status          Exit 1 if a kernel is loaded, 0 if not (with -l: the kexec kernel;\n"
    "                       otherwise the crash kernel).\n"
    " -p, --load-panic      Refused: loading a crash kernel is not supported yet.\n"
    " -t, --type=TYPE       Check that KERNEL is of this kexec-tools type.\n"
    " -c, --kexec-syscall   Load with kexec_load and Styx's purgatory (the default).\n"
    " -s, --kexec-file-syscall\n"
    "                       Load with kexec_file_load: the running kernel checks the kernel's\n"
    "                       signature and runs its own purgatory; Styx says what is lost.\n"
    " -a, --kexec-syscall-auto\n"
    "                       kexec_load, unless lockdown, CONFIG_KEXEC_SIG_FORCE or a refusal\n"
    "                       says only kexec_file_load works; says which and why.\n"
    " -i, --no-checks       Refused: Styx always checks every segment.\n"
    " -d, --debug           Accepted; Styx always says what it loads.\n"
    " -x, --no-ifdown       Accepted (Styx never brings interfaces down).\n"
    " -y, --no-sync         Do not sync(2) before -e or -f.\n"
    "     --initrd=FILE, --ramdisk=FILE\n"
    "                       Initial ramdisk.\n"
    "     --append=STRING, --command-line=STRING\n"
    "                       Kernel command line (after --reuse-cmdline's).\n"
    "     --reuse-cmdline   Start from the running kernel's command line.\n"
    "     --dtb=FILE        Device tree (default: the running one).\n"
    "\n"
    "The IMA measurement list is carried to the next kernel, as `styx load` does; see styx(1).\n";

// The last of -l, -e, -f and -u counts, as in kexec-tools; none: load, then shutdown(8).
enum class Mode { kLoadAndShutdown, kLoad, kExec, kForce, kUnload };

struct CompatOptions {
  Mode mode = Mode::kLoadAndShutdown;
  bool status = false, panic = false, sync = true;
  std::optional<std::string> type;
  LoadOptions load_options;
  std::vector<std::string> files;
};

// getopt's messages, made here: getopt would write them to stderr itself, past `err`.
std::string option_error(int opt, int optopt_value, const char* word) {
  const std::string w = word ? word : "";
  if (opt == ':') {
    if (w.starts_with("--"))
      return "option '" + w.substr(0, w.find('=')) + "' requires an argument";
    return std::string("option requires an argument -- '") + static_cast<char>(optopt_value) + "'";
  }
  if (optopt_value == 0 || w.starts_with("--")) return "unrecognized option '" + w + "'";
  return std::string("invalid option -- '") + static_cast<char>(optopt_value) + "'";
}

// kexec-tools' status files; -S reads one and prints nothing.
bool loaded(const std::string& sysroot, bool crash) {
  const host::LiveSystem live(sysroot);
  const std::string file = crash ? "/sys/kernel/kexec_crash_loaded" : "/sys/kernel/kexec_loaded";
  const auto bytes = host::read_file_if_present(live.path(file).string(), 64);
  return bytes && !bytes->empty() && (*bytes)[0] == '1';
}

void check_type(const std::string& type, const std::string& sysroot) {
  const host::LiveSystem live(sysroot);
  const host::ArchInfo* arch = host::find_arch(live.arch());
  if (!arch) throw InputError("--type " + type + ": this system's ISA is not one styx knows");
  std::string known;
  for (std::string_view t : arch->kexec_types) {
    if (t == type) return;
    known += (known.empty() ? "" : ", ") + std::string(t);
  }
  throw InputError("--type " + type + ": styx loads " +
                   (known.empty() ? std::string("no kernel") : known) + " kernels on " +
                   std::string(arch->name));
}

[[noreturn]] void run_shutdown() {
  // As kexec-tools: the init system stops everything, then reboots into the loaded kernel.
  const char* args[] = {"shutdown", "-r", "now", nullptr};
  for (const char* path : {"/sbin/shutdown", "/etc/shutdown", "/bin/shutdown"})
    ::execv(path, const_cast<char* const*>(args));
  throw InputError("shutdown: cannot run /sbin/shutdown -r now; the kernel stays loaded");
}

int act(CompatOptions& o, std::ostream& out) {
  LoadOptions& lo = o.load_options;
  if (o.status) return loaded(lo.sysroot, o.mode != Mode::kLoad || o.panic) ? 1 : 0;
  if (o.panic)
    throw InputError("--load-panic: loading a crash kernel is not supported yet; nothing loaded");
  if (o.mode == Mode::kUnload)
    return unload_on_this_system(lo.sysroot, out) == 0 ? kCompatOk : kCompatFailed;

  if (o.mode != Mode::kExec) {
    if (o.files.empty()) throw InputError("no kernel specified");
    if (o.files.size() > 1)
      throw InputError(o.files[1] + ": more than one kernel given (kexec takes one)");
    if (o.type) check_type(*o.type, lo.sysroot);
    lo.kernel = o.files[0];
    if (const int status = load_on_this_system(lo, out); status != 0) return kCompatFailed;
  }
  if (o.mode == Mode::kLoad) return kCompatOk;
  if (!loaded(lo.sysroot, false)) throw InputError("Nothing has been loaded!");
  if (o.mode == Mode::kLoadAndShutdown) {
    if (!kexec_acts_on_this_machine()) {
      out << "kexec: would run shutdown -r now\n";
      return kCompatOk;
    }
    run_shutdown();
  }
  if (o.sync) ::sync();
  return exec_on_this_system(lo.sysroot, out) == 0 ? kCompatOk : kCompatFailed;
}

}  // namespace

std::vector<std::string> kexec_option_names() {
  std::vector<std::string> names;
  for (const option* o = kOptions; o->name; ++o)
    if (o->val != kSysroot) names.push_back(std::string("--") + o->name);
  for (const char* c = kShortOptions; *c; ++c)
    if (*c != ':') names.push_back(std::string("-") + *c);
  return names;
}

int run_kexec_compat(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::vector<std::string> words{"kexec"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  CompatOptions o;
  ::opterr = 0;
  ::optind = 0;  // glibc: start over, forgetting any earlier parse
  const auto fail = [&err](const std::string& what) {
    err << "kexec: " << what << " (see kexec --help)\n";
    return kCompatFailed;
  };
  for (;;) {
    int index = -1;
    const int opt =
        ::getopt_long(static_cast<int>(words.size()), argv.data(), kShortOptions, kOptions, &index);
    if (opt == -1) break;
    switch (opt) {
      case 'h': out << kUsage; return kCompatOk;
      case 'v': out << "kexec (styx " STYX_VERSION ")\n"; return kCompatOk;
      case 'l': o.mode = Mode::kLoad; break;
      case 'e': o.mode = Mode::kExec; break;
      case 'f': o.mode = Mode::kForce; break;
      case 'u': o.mode = Mode::kUnload; break;
      case 'S': o.status = true; break;
      case 'p': o.panic = true; break;
      case 't': o.type = ::optarg; break;
      // The last of -c, -s and -a counts, as in kexec-tools.
      case 'c': o.load_options.syscall = "load"; break;
      case 's': o.load_options.syscall = "file"; break;
      case 'a': o.load_options.syscall = "auto"; break;
      case 'd':
      case 'x': break;
      case 'y': o.sync = false; break;
      case 'i':
        return fail(
            "--no-checks: Styx always checks every segment before it starts the next kernel; "
            "that check is what it is for");
      case kCommandLine: o.load_options.append = ::optarg; break;
      case kReuseCmdline: o.load_options.reuse_cmdline = true; break;
      case kInitrd: o.load_options.initrd = ::optarg; break;
      case kDtb: o.load_options.dtb = ::optarg; break;
      case kSysroot: o.load_options.sysroot = ::optarg; break;
      case ':':
      case '?': return fail(option_error(opt, ::optopt, argv[::optind - 1]));
      default:
        return fail("--" + std::string(index >= 0 ? kOptions[index].name : "?") + ": " +
                    unsupported_reason(opt));
    }
  }
  // getopt moved the operands to the end of argv (not of words).
  for (int i = ::optind; i < static_cast<int>(words.size()); ++i) o.files.push_back(argv[i]);
  try {
    return act(o, out);
  } catch (const std::exception& e) {
    err << "kexec: " << e.what() << "\n";
    return kCompatFailed;
  }
}

}  // namespace styx::cli

// SPDX-License-Identifier: GPL-2.0-only
#include "kexec-file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "error.h"
#include "file-io.h"
#include "kernel-config.h"

namespace styx::host {
namespace {

std::string first_line(const LiveSystem& live, const char* path, bool& found) {
  found = false;
  try {
    const auto bytes = read_file(live.path(path).string());
    std::string text(bytes.begin(), bytes.end());
    text = text.substr(0, text.find('\n'));
    while (!text.empty() && text.back() == ' ') text.pop_back();
    found = true;
    return text;
  } catch (const InputError&) {
    return "";
  }
}

// The lockdown mode in force: the bracketed word of the securityfs file.
std::string lockdown_mode(const KexecFacts& facts) {
  const size_t open = facts.lockdown.find('['), close = facts.lockdown.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return facts.lockdown.substr(open + 1, close - open - 1);
}

std::string config_says(const KexecFacts& facts, const char* option, bool set) {
  return std::string(option) + (set ? "=y" : " is not set") + " in " + facts.config_source;
}

}  // namespace

const char* syscall_name(KexecSyscall syscall) {
  return syscall == KexecSyscall::kFile ? "kexec_file_load" : "kexec_load";
}

KexecFacts read_kexec_facts(const LiveSystem& live) {
  KexecFacts facts;
  facts.root = ::geteuid() == 0;
  bool found = false;
  facts.lockdown = first_line(live, "/sys/kernel/security/lockdown", found);
  const std::string disabled = first_line(live, "/proc/sys/kernel/kexec_load_disabled", found);
  if (found) facts.load_disabled = disabled == "1";
  try {
    facts.ram = live.ram();
  } catch (const InputError&) {
  }
  try {
    facts.arch = live.arch();
  } catch (const InputError&) {
  }
  std::string looked;
  if (const auto config = running_kernel_config(live, &looked)) {
    const auto set = [&](const char* option) {
      const auto it = config->options.find(option);
      return it != config->options.end() && it->second == "y";
    };
    facts.sig_force = set("CONFIG_KEXEC_SIG_FORCE");
    facts.ima_kexec = set("CONFIG_IMA_KEXEC");
    facts.config_source = config->source;
  } else {
    facts.config_source = looked;
  }
  return facts;
}

bool locked_down(const KexecFacts& facts) {
  const std::string mode = lockdown_mode(facts);
  return mode == "integrity" || mode == "confidentiality";
}

std::string kexec_load_unavailable(const KexecFacts& facts) {
  if (locked_down(facts))
    return "the kernel is locked down (" + lockdown_mode(facts) +
           ", /sys/kernel/security/lockdown): it refuses kexec_load and boots only signed kernels "
           "through kexec_file_load";
  if (facts.sig_force.value_or(false))
    return "the running kernel requires signed kernels (" +
           config_says(facts, "CONFIG_KEXEC_SIG_FORCE", true) +
           "), and only kexec_file_load checks a signature";
  return "";
}

std::string kexec_file_unavailable(const KexecFacts& facts) {
  if (!facts.root)
    return "kexec_file_load: not permitted: run styx as root (it needs CAP_SYS_BOOT)";
  if (facts.load_disabled.value_or(false))
    return "kexec_load and kexec_file_load are both disabled by "
           "/proc/sys/kernel/kexec_load_disabled = 1, which only a reboot clears";
  return "";
}

std::string kexec_load_refusal_reason(int error, const KexecFacts& facts) {
  if (!facts.root || facts.load_disabled.value_or(false)) return "";
  if (error == EPERM)
    return "kexec_load was refused (EPERM) although styx runs as root: a security module or "
           "lockdown forbids it";
  if (error == EACCES)
    return "kexec_load was refused (EACCES): IMA appraises kexec images here (Secure Boot or an "
           "IMA policy), which it can do only through kexec_file_load";
  return "";
}

std::string explain_kexec_file_load_error(int error, const KexecFileRequest& request,
                                          const KexecFacts& facts) {
  const std::string head = "kexec_file_load: " + request.kernel + ": ";
  const std::string rejected = head + "kernel signature not accepted (";
  switch (error) {
    case EPERM:
      if (const std::string closed = kexec_file_unavailable(facts); !closed.empty()) return closed;
      if (locked_down(facts))
        return rejected + "EPERM): the kernel is locked down (" + lockdown_mode(facts) +
               ") and boots only kernels signed by a key it trusts (its builtin, secondary, "
               "machine or platform keyring), or appraised by an IMA signature policy; this "
               "one's signature was not verified (see dmesg)";
      return head +
             "not permitted (EPERM): CAP_SYS_BOOT is missing in this namespace, or a "
             "security module refused it";
    case EKEYREJECTED:
      return rejected +
             "EKEYREJECTED): the signature does not match the image, or its key is "
             "revoked or blacklisted";
    case EBADMSG:
      return rejected +
             "EBADMSG): the signature is malformed, or the image was changed after it "
             "was signed";
    case ENOKEY:
      return rejected +
             "ENOKEY): it is signed by a key none of the running kernel's keyrings "
             "holds";
    case ENODATA:
      return rejected +
             "ENODATA): the image carries no signature, and the running kernel "
             "requires one";
    case ELIBBAD:
    case ENOPKG:
    case EMSGSIZE: return rejected + std::strerror(error) + "): the signature cannot be checked";
    case EACCES:
      return head +
             "refused by IMA appraisal (EACCES): the file has no valid IMA signature "
             "(security.ima) for the policy's KEXEC_KERNEL_CHECK rule";
    case ENOEXEC:
      return head +
             "not a kernel the running kernel can load (ENOEXEC): kexec_file_load takes "
             "only its own architecture's kernel format (x86_64: a 64-bit bzImage; arm64: "
             "an Image)";
    case ENOSYS:
      return "kexec_file_load: the running kernel has no kexec_file_load (built without "
             "CONFIG_KEXEC_FILE); only kexec_load can load a kernel here";
    case EBUSY:
      return "kexec_file_load: busy: another kexec load, unload or crash kernel is in use; try "
             "again";
    case ENOMEM:
      return "kexec_file_load: the kernel has no memory for the image; free memory or make the "
             "initrd smaller";
    case EINVAL:
      return head +
             "refused (EINVAL): the command line is too long for this kernel, or the "
             "kernel or initrd is not one it can place";
    default: return head + std::strerror(error);
  }
}

std::string kexec_file_guarantees_lost(const KexecFacts& facts) {
  std::string ima;
  if (facts.arch == "s390x")
    ima = "the IMA list is not carried (s390x kernels send none through kexec_file_load)";
  else if (!facts.ima_kexec)
    ima =
        "the IMA list goes on only if the running kernel was built with CONFIG_IMA_KEXEC, and "
        "its configuration was not found (looked for " +
        facts.config_source + ")";
  else if (*facts.ima_kexec)
    ima = "the running kernel sends its own IMA list (" +
          config_says(facts, "CONFIG_IMA_KEXEC", true) +
          ") as it is at the load: later measurements are not in it, and nothing checks it";
  else
    ima = "the IMA list is not carried (" + config_says(facts, "CONFIG_IMA_KEXEC", false) +
          "): the next kernel starts a new one";
  return "styx: kexec_file_load: the running kernel's own purgatory starts the next kernel, not "
         "Styx's, so this kexec has no per-segment SHA-256 verification named on the console "
         "(the kernel's purgatory checks one digest over all segments and prints nothing), no "
         "Styx hand-off seal, no Styx console or timer lines and no --on-failure (a mismatch "
         "stops in the kernel's purgatory); " +
         ima + "\n";
}

}  // namespace styx::host

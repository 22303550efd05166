// SPDX-License-Identifier: GPL-2.0-only
#include "kexec-errors.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

#include "ranges.h"

namespace styx::host {

std::string segment_outside_ram(const KexecPlan& plan, const std::vector<MemRange>& ram) {
  for (size_t i = 0; i < plan.segments.size(); ++i) {
    const KexecSegment& s = plan.segments[i];
    bool inside = false;
    for (const MemRange& r : ram) inside |= range_inside(r, s.mem, s.memsz);
    if (!inside)
      return range_wraps(s.mem, s.memsz)
                 ? fmt::format("segment {} ({}) at {:#x}+{:#x}", i, s.contents, s.mem, s.memsz)
                 : fmt::format("segment {} ({}) at [{:#x}, {:#x})", i, s.contents, s.mem,
                               s.mem + s.memsz);
  }
  return "";
}

std::string explain_kexec_load_error(int error, const KexecPlan& plan, const KexecFacts& facts) {
  switch (error) {
    case EPERM:
      if (!facts.root) return "kexec_load: not permitted: run styx as root (it needs CAP_SYS_BOOT)";
      if (facts.load_disabled.value_or(false))
        return "kexec_load: disabled by /proc/sys/kernel/kexec_load_disabled = 1, which only a "
               "reboot clears";
      if (facts.lockdown.find("[integrity]") != std::string::npos ||
          facts.lockdown.find("[confidentiality]") != std::string::npos)
        return "kexec_load: refused by kernel lockdown (" + facts.lockdown +
               "): a locked-down kernel loads only signed kernels through kexec_file_load; boot "
               "with lockdown=none to use styx, or load a signed kernel with --syscall=file";
      return "kexec_load: not permitted (EPERM): CAP_SYS_BOOT is missing in this namespace, or a "
             "security module refused it";
    case EACCES:
      return "kexec_load: refused by IMA (EACCES): the kernel appraises kexec images (Secure Boot "
             "or an IMA policy) and can do so only through kexec_file_load; load a signed kernel "
             "with --syscall=file";
    case ENOSYS:
      return "kexec_load: the running kernel has no kexec_load (built without CONFIG_KEXEC); "
             "kexec is not possible from this kernel";
    case EBUSY:
      return "kexec_load: busy: another kexec load, unload or crash kernel is in use; try again";
    case ENOMEM:
      return "kexec_load: the kernel has no memory for the image's pages; free memory or make the "
             "initrd smaller";
    case EINVAL:
    case EADDRNOTAVAIL: {
      const std::string name = error == EINVAL ? "EINVAL" : "EADDRNOTAVAIL";
      const std::string outside = segment_outside_ram(plan, facts.ram);
      if (!outside.empty())
        return "kexec_load: the kernel refused " + outside + " (" + name +
               "): it is not in this machine's System RAM (see /proc/iomem)";
      return "kexec_load: the kernel refused the segment list (" + name +
             "): segments overlap, exceed half of RAM, or lie beyond what kexec can reach; "
             "`styx load --dry-run` prints them";
    }
    default: return std::string("kexec_load: ") + std::strerror(error);
  }
}

}  // namespace styx::host

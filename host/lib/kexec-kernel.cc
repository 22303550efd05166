// SPDX-License-Identifier: GPL-2.0-only
#include "kexec-kernel.h"

#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "error.h"

namespace styx::host {
namespace {

class SystemKexecKernel final : public KexecKernel {
 public:
  void load(const KexecPlan& plan) override {
    std::vector<kexec_segment> segments;
    for (const KexecSegment& s : plan.segments)
      segments.push_back({.buf = s.buf.data(),
                          .bufsz = s.buf.size(),
                          .mem = reinterpret_cast<const void*>(static_cast<uintptr_t>(s.mem)),
                          .memsz = s.memsz});
    call_load(plan.entry, segments, "kexec_load");
  }

  void unload() override { call_load(0, {}, "kexec_load (unload)"); }

  void load_file(const KexecFileRequest& r) override {
    const Fd kernel(r.kernel);
    const std::optional<Fd> initrd =
        r.initrd ? std::optional<Fd>(std::in_place, *r.initrd) : std::nullopt;
    // The length counts the NUL the kernel requires at the end; an empty line is no line.
    const unsigned long flags = initrd ? 0 : KEXEC_FILE_NO_INITRAMFS;
    call_file(kernel.fd, initrd ? initrd->fd : -1, r.cmdline.empty() ? 0 : r.cmdline.size() + 1,
              r.cmdline.empty() ? nullptr : r.cmdline.c_str(), flags, "kexec_file_load");
  }

  void unload_file() override {
    call_file(-1, -1, 0, nullptr, KEXEC_FILE_UNLOAD, "kexec_file_load (unload)");
  }

  void execute() override {
    // The last lines printed before the reboot would otherwise die in a serial port's buffer:
    // a terminal's output is written to the device before the kernel is left.
    for (const int fd : {STDOUT_FILENO, STDERR_FILENO})
      if (::isatty(fd)) ::tcdrain(fd);
    ::sync();
    // glibc's reboot(2) wrapper takes only the command; the magic numbers are the raw call's.
    if (::syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_KEXEC,
                  nullptr) != 0) {
      const int e = errno;
      throw KexecError(e, std::string("reboot(LINUX_REBOOT_CMD_KEXEC): ") + std::strerror(e));
    }
    throw KexecError(0, "reboot(LINUX_REBOOT_CMD_KEXEC) returned");
  }

  bool acts_on_this_machine() const override { return true; }

 private:
  struct Fd {
    explicit Fd(const std::string& path) : fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
      if (fd < 0) throw InputError(path + ": " + std::strerror(errno));
    }
    ~Fd() { ::close(fd); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int fd;
  };

  static void call_file(int kernel, int initrd, unsigned long length, const char* cmdline,
                        unsigned long flags, const char* what) {
    if (::syscall(SYS_kexec_file_load, kernel, initrd, length, cmdline, flags) != 0) {
      const int e = errno;
      throw KexecError(e, std::string(what) + ": " + std::strerror(e));
    }
  }

  static void call_load(uint64_t entry, const std::vector<kexec_segment>& segments,
                        const char* what) {
    if (::syscall(SYS_kexec_load, static_cast<unsigned long>(entry), segments.size(),
                  segments.empty() ? nullptr : segments.data(),
                  static_cast<unsigned long>(KEXEC_ARCH_DEFAULT)) != 0) {
      const int e = errno;
      throw KexecError(e, std::string(what) + ": " + std::strerror(e));
    }
  }
};

}  // namespace

std::unique_ptr<KexecKernel> system_kexec_kernel() {
  return std::make_unique<SystemKexecKernel>();
}

}  // namespace styx::host

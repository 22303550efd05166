// SPDX-License-Identifier: GPL-2.0-only
// Whether a kernel image will restore the IMA measurement list a kexec hands it, told by its
// build configuration: the kernel restores a list only with CONFIG_IMA and CONFIG_HAVE_IMA_KEXEC
// (ima_load_kexec_buffer). HAVE_IMA_KEXEC comes with CONFIG_KEXEC_FILE on x86_64, arm64,
// ppc64le and riscv64, and never on s390x; CONFIG_IMA_KEXEC only decides whether the kernel
// itself sends its list on, which does not matter to a list Styx carries.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "live-system.h"

namespace styx::host {

/// The options a .config sets: "CONFIG_X=value" lines, value as written ("y", "m", "\"str\"").
/// "# CONFIG_X is not set" and every other line set nothing.
std::map<std::string, std::string> parse_kernel_config(std::string_view text);

/// The release of a kernel ("6.1.0-57-amd64"): from its file name once symbolic links are
/// resolved (vmlinuz-, vmlinux-, Image-, bzImage-, zImage-, kernel- + release), else from the
/// image (a bzImage's kernel_version string, else the "Linux version " banner of an
/// uncompressed or gzip-compressed image); "" when neither tells.
std::string kernel_release(const std::filesystem::path& kernel, std::span<const uint8_t> bytes);

/// The configuration CONFIG_IKCONFIG embeds (gzip data between "IKCFG_ST" and "IKCFG_ED"), looked
/// for in the image and, for a gzip image (Image.gz) or a bzImage whose payload is gzip, in the
/// inflated kernel; nullopt without one (a bzImage compressed otherwise cannot be looked into).
std::optional<std::string> embedded_kernel_config(std::span<const uint8_t> bytes);

/// The running kernel's configuration: /proc/config.gz, else /boot/config-<release> (release from
/// /proc/sys/kernel/osrelease), under the sysroot.
struct RunningConfig {
  std::map<std::string, std::string> options;
  std::string source;  ///< the file it was read from
};
/// nullopt when neither is readable; `looked` (if given) gets what was looked for.
std::optional<RunningConfig> running_kernel_config(const LiveSystem& live,
                                                   std::string* looked = nullptr);

struct ImaRestore {
  enum class Verdict { kRestores, kDrops, kUnknown };
  Verdict verdict = Verdict::kUnknown;
  std::string release;  ///< "" when unknown
  std::string source;   ///< where the configuration came from
  /// kDrops: the missing options ("CONFIG_HAVE_IMA_KEXEC is not set: ..."); kUnknown: what was
  /// looked for.
  std::string reason;
};

/// Decides for the kernel at `kernel` (bytes `bytes`) on `arch`, from the first configuration
/// found: config-<release> beside the kernel, /boot/config-<release> under the sysroot,
/// /proc/config.gz when the release is the running kernel's (/proc/sys/kernel/osrelease), or the
/// configuration embedded in the image.
ImaRestore check_ima_restore(const std::filesystem::path& kernel, std::span<const uint8_t> bytes,
                             const LiveSystem& live, std::string_view arch);

}  // namespace styx::host

// SPDX-License-Identifier: GPL-2.0-only
#include "kernel-config.h"

#include <zlib.h>

#include <algorithm>
#include <system_error>
#include <vector>

#include "bytes.h"
#include "error.h"
#include "file-io.h"

namespace styx::host {
namespace fs = std::filesystem;
namespace {

using Bytes = std::vector<uint8_t>;

// Kernels inflate to tens of MiB; a configuration is well below 1 MiB.
constexpr size_t kInflateLimit = 512u << 20;

// Inflates the gzip stream at the start of `data` (trailing bytes ignored); nullopt when it is
// not one or ends early.
std::optional<Bytes> gunzip_prefix(std::span<const uint8_t> data, size_t limit) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  Bytes out;
  z.next_in = const_cast<Bytef*>(data.data());
  z.avail_in = static_cast<uInt>(std::min<size_t>(data.size(), UINT32_MAX));
  int rc = Z_OK;
  while (rc == Z_OK && out.size() < limit) {
    const size_t have = out.size();
    out.resize(have + (1u << 20));
    z.next_out = out.data() + have;
    z.avail_out = 1u << 20;
    rc = inflate(&z, Z_NO_FLUSH);
    out.resize(have + (1u << 20) - z.avail_out);
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

bool is_gzip(std::span<const uint8_t> data) {
  return data.size() > 2 && data[0] == 0x1f && data[1] == 0x8b;
}

std::optional<size_t> find(std::span<const uint8_t> data, std::string_view needle,
                           size_t from = 0) {
  if (from > data.size()) return std::nullopt;
  const auto at = std::search(data.begin() + from, data.end(), needle.begin(), needle.end());
  if (at == data.end()) return std::nullopt;
  return static_cast<size_t>(at - data.begin());
}

bool is_bzimage(std::span<const uint8_t> data) {
  return data.size() > 0x250 && find(data.subspan(0x202, 4), "HdrS") == 0;
}

// The kernel a bzImage decompresses to, when its payload is gzip.
std::optional<Bytes> bzimage_payload(std::span<const uint8_t> data) {
  const size_t setup_sects = data[0x1f1] ? data[0x1f1] : 4;
  const size_t start = (setup_sects + 1) * 512;
  const uint64_t offset = get_uint(data, 0x248, 4, false), length = get_uint(data, 0x24c, 4, false);
  if (start > data.size() || offset > data.size() - start || length > data.size() - start - offset)
    return std::nullopt;
  const auto payload = data.subspan(start + offset, length);
  if (!is_gzip(payload)) return std::nullopt;
  return gunzip_prefix(payload, kInflateLimit);
}

// The kernel image as it runs: inflated when `data` is gzip or a bzImage with a gzip payload.
std::optional<Bytes> inflated_kernel(std::span<const uint8_t> data) {
  if (is_gzip(data)) return gunzip_prefix(data, kInflateLimit);
  if (is_bzimage(data)) return bzimage_payload(data);
  return std::nullopt;
}

std::string release_from_banner(std::span<const uint8_t> data) {
  constexpr std::string_view kBanner = "Linux version ";
  const auto at = find(data, kBanner);
  if (!at) return "";
  std::string release;
  for (size_t i = *at + kBanner.size(); i < data.size() && data[i] > ' ' && data[i] <= '~'; ++i)
    release.push_back(static_cast<char>(data[i]));
  return release;
}

std::optional<std::string> ikconfig_in(std::span<const uint8_t> data) {
  for (size_t from = 0;;) {
    const auto start = find(data, "IKCFG_ST", from);
    if (!start) return std::nullopt;
    const auto end = find(data, "IKCFG_ED", *start + 8);
    if (!end) return std::nullopt;
    if (auto text = gunzip_prefix(data.subspan(*start + 8, *end - *start - 8), 16u << 20))
      return std::string(text->begin(), text->end());
    from = *start + 8;  // the marker strings also occur where no configuration follows
  }
}

std::optional<std::string> read_text_if_present(const fs::path& file) {
  try {
    const auto bytes = read_file_if_present(file.string());
    if (!bytes) return std::nullopt;
    return std::string(bytes->begin(), bytes->end());
  } catch (const InputError&) {
    return std::nullopt;  // unreadable: look further
  }
}

std::string running_release(const LiveSystem& live) {
  const auto text = read_text_if_present(live.path("/proc/sys/kernel/osrelease"));
  if (!text) return "";
  return text->substr(0, text->find('\n'));
}

}  // namespace

std::map<std::string, std::string> parse_kernel_config(std::string_view text) {
  std::map<std::string, std::string> options;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    const std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    const size_t eq = line.find('=');
    if (!line.starts_with("CONFIG_") || eq == std::string_view::npos) continue;
    options[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return options;
}

std::string kernel_release(const fs::path& kernel, std::span<const uint8_t> bytes) {
  std::error_code ec;
  const fs::path real = fs::canonical(kernel, ec);
  const std::string file = (ec ? kernel : real).filename().string();
  for (std::string_view prefix :
       {"vmlinuz-", "vmlinux-", "Image-", "bzImage-", "zImage-", "kernel-"})
    if (file.starts_with(prefix) && file.size() > prefix.size()) return file.substr(prefix.size());
  if (is_bzimage(bytes)) {
    const uint64_t at = get_uint(bytes, 0x20e, 2, false) + 0x200;
    std::string release;
    for (size_t i = at; at > 0x200 && i < bytes.size() && bytes[i] > ' ' && bytes[i] <= '~'; ++i)
      release.push_back(static_cast<char>(bytes[i]));
    return release;
  }
  if (std::string release = release_from_banner(bytes); !release.empty()) return release;
  if (const auto inflated = inflated_kernel(bytes)) return release_from_banner(*inflated);
  return "";
}

std::optional<std::string> embedded_kernel_config(std::span<const uint8_t> bytes) {
  if (auto config = ikconfig_in(bytes)) return config;
  if (const auto inflated = inflated_kernel(bytes)) return ikconfig_in(*inflated);
  return std::nullopt;
}

std::optional<RunningConfig> running_kernel_config(const LiveSystem& live, std::string* looked) {
  const fs::path proc = live.path("/proc/config.gz");
  if (const auto gz = read_text_if_present(proc)) {
    const std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(gz->data()), gz->size());
    if (const auto text = gunzip_prefix(raw, 16u << 20))
      return RunningConfig{
          parse_kernel_config({reinterpret_cast<const char*>(text->data()), text->size()}),
          proc.string()};
  }
  const std::string release = running_release(live);
  const fs::path boot = live.path("/boot/config-" + (release.empty() ? "RELEASE" : release));
  if (!release.empty())
    if (const auto text = read_text_if_present(boot))
      return RunningConfig{parse_kernel_config(*text), boot.string()};
  if (looked) *looked = proc.string() + ", " + boot.string();
  return std::nullopt;
}

ImaRestore check_ima_restore(const fs::path& kernel, std::span<const uint8_t> bytes,
                             const LiveSystem& live, std::string_view arch) {
  ImaRestore out;
  out.release = kernel_release(kernel, bytes);
  std::optional<std::string> config;
  std::vector<std::string> looked;
  if (!out.release.empty()) {
    std::error_code ec;
    const fs::path real = fs::canonical(kernel, ec);
    for (const fs::path& file : {(ec ? kernel : real).parent_path() / ("config-" + out.release),
                                 live.path("/boot/config-" + out.release)}) {
      if (config) break;
      looked.push_back(file.string());
      if ((config = read_text_if_present(file))) out.source = file.string();
    }
    if (!config && out.release == running_release(live)) {
      const fs::path proc = live.path("/proc/config.gz");
      looked.push_back(proc.string());
      if (const auto gz = read_text_if_present(proc)) {
        const std::span<const uint8_t> raw(reinterpret_cast<const uint8_t*>(gz->data()),
                                           gz->size());
        if (const auto text = gunzip_prefix(raw, 16u << 20)) {
          config = std::string(text->begin(), text->end());
          out.source = proc.string() + " (the running kernel, the same release)";
        }
      }
    }
  }
  if (!config) {
    looked.push_back("a configuration embedded in the image (CONFIG_IKCONFIG)");
    if ((config = embedded_kernel_config(bytes)))
      out.source = "the configuration embedded in " + kernel.string();
  }
  if (!config) {
    out.reason = "no configuration found: looked for ";
    for (size_t i = 0; i < looked.size(); ++i) out.reason += (i ? ", " : "") + looked[i];
    if (out.release.empty()) out.reason += " (the kernel's release is unknown)";
    return out;
  }

  const auto options = parse_kernel_config(*config);
  const auto set = [&](const char* option) {
    const auto it = options.find(option);
    return it != options.end() && it->second == "y";
  };
  if (!set("CONFIG_IMA")) {
    out.verdict = ImaRestore::Verdict::kDrops;
    out.reason = "CONFIG_IMA is not set";
  } else if (!set("CONFIG_HAVE_IMA_KEXEC")) {
    out.verdict = ImaRestore::Verdict::kDrops;
    out.reason = "CONFIG_HAVE_IMA_KEXEC is not set";
    if (arch == "s390x")
      out.reason += " (s390x kernels have no IMA hand-over)";
    else if (!set("CONFIG_KEXEC_FILE"))
      out.reason += ": it comes with CONFIG_KEXEC_FILE, which is not set either";
  } else {
    out.verdict = ImaRestore::Verdict::kRestores;
  }
  return out;
}

}  // namespace styx::host

// SPDX-License-Identifier: GPL-2.0-only
#include "live-system.h"

#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>
#include <utility>

#include <libfdt.h>

#include "arch-info.h"
#include "console-spec.h"
#include "error.h"
#include "file-io.h"
#include "parse.h"

namespace styx::host {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kPage = 4096;

[[noreturn]] void fail(const fs::path& file, const std::string& why) {
  throw InputError(file.string() + ": " + why);
}

std::string as_text(const std::vector<uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// A one-value sysfs or procfs file: the value without its trailing newline.
std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string read_value(const fs::path& file) {
  return trimmed(as_text(read_file(file.string())));
}

std::optional<std::string> read_value_if_present(const fs::path& file) {
  auto bytes = read_file_if_present(file.string());
  if (!bytes) return std::nullopt;
  return trimmed(as_text(*bytes));
}

// Digits only, in `base`, the whole of `text`; nullopt otherwise or on overflow.
std::optional<uint64_t> parse_digits(std::string_view text, int base) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [at, ec] = std::from_chars(text.data(), end, value, base);
  if (text.empty() || ec != std::errc() || at != end) return std::nullopt;
  return value;
}

// "0x..." as sysfs prints addresses.
uint64_t parse_hex_value(const fs::path& file) {
  const std::string text = read_value(file);
  std::optional<uint64_t> value;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    value = parse_digits(std::string_view(text).substr(2), 16);
  if (!value) fail(file, "'" + text + "' is not a 0x-prefixed hex number");
  return *value;
}

uint64_t parse_decimal_value(const fs::path& file) {
  const std::string text = read_value(file);
  const auto value = parse_digits(text, 10);
  if (!value) fail(file, "'" + text + "' is not a decimal number");
  return *value;
}

// An inclusive [start, end] as both sources print it.
FirmwareRange inclusive_range(const fs::path& file, uint64_t start, uint64_t end,
                              std::string type) {
  // A range ending at 2^64 has no representable end(); no firmware reports one.
  if (end < start || end == UINT64_MAX)
    fail(file, "range " + hex(start) + "-" + hex(end) + " ends below its start or at 2^64");
  return FirmwareRange{start, end - start + 1, std::move(type)};
}

std::vector<FirmwareRange> read_memmap(const fs::path& dir) {
  std::vector<FirmwareRange> map;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path entry = it->path();
    const uint64_t start = parse_hex_value(entry / "start");
    const uint64_t last = parse_hex_value(entry / "end");
    std::string type = read_value(entry / "type");
    if (type.empty()) fail(entry / "type", "empty");
    map.push_back(inclusive_range(entry / "end", start, last, std::move(type)));
  }
  if (ec) fail(dir, ec.message());
  return map;
}

// Calls fn(line, number) for each line of text, numbered from 1, without its newline.
template <typename Fn>
void for_each_line(const std::string& text, Fn fn) {
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    fn(std::string_view(text.data() + pos, eol - pos), ++line_no);
    pos = eol + 1;
  }
}

// Calls fn(depth, start, last, name) for every line of /proc/iomem, "START-END : NAME" in hex
// without 0x, indented by two spaces a level; `last` is inclusive and below 2^64 - 1.
template <typename Fn>
void for_each_iomem_entry(const fs::path& file, const std::string& text, Fn fn) {
  for_each_line(text, [&](std::string_view line, size_t line_no) {
    const size_t depth = line.find_first_not_of(' ');
    if (depth == std::string_view::npos) return;
    const std::string_view entry = line.substr(depth);
    const size_t colon = entry.find(" : ");
    const size_t dash = entry.find('-');
    const auto start = parse_digits(entry.substr(0, dash), 16);
    const auto last = dash < colon && colon != std::string_view::npos
                          ? parse_digits(entry.substr(dash + 1, colon - dash - 1), 16)
                          : std::nullopt;
    if (!start || !last || *last < *start || *last == UINT64_MAX)
      fail(file, "line " + std::to_string(line_no) + ": expected START-END : NAME in '" +
                     std::string(line) + "'");
    fn(depth, *start, *last, entry.substr(colon + 3));
  });
}

// A sysfs CPU list ("0-3,8,10-11") as the CPU numbers, ascending.
std::vector<uint32_t> parse_cpu_list(const fs::path& file, const std::string& text) {
  std::vector<uint32_t> cpus;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string_view item(text.data() + pos, comma - pos);
    const size_t dash = item.find('-');
    const auto first = parse_digits(item.substr(0, dash), 10);
    const auto last =
        dash == std::string_view::npos ? first : parse_digits(item.substr(dash + 1), 10);
    // 8192 is the kernel's largest NR_CPUS on any ISA Styx knows.
    if (!first || !last || *last < *first || *last >= 8192 ||
        (!cpus.empty() && *first <= cpus.back()))
      fail(file, "'" + text + "' is not a CPU list");
    for (uint64_t c = *first; c <= *last; ++c) cpus.push_back(static_cast<uint32_t>(c));
    pos = comma + 1;
  }
  if (cpus.empty()) fail(file, "no CPUs listed");
  return cpus;
}

// The unindented lines of /proc/iomem, "START-END : NAME" in hex without 0x.
std::vector<FirmwareRange> read_iomem(const fs::path& file, const std::string& text) {
  std::vector<FirmwareRange> map;
  bool any_address = false;
  for_each_line(text, [&](std::string_view line, size_t line_no) {
    if (line.empty() || line[0] == ' ') return;
    const auto bad = [&](const std::string& why) {
      fail(file,
           "line " + std::to_string(line_no) + ": " + why + " in '" + std::string(line) + "'");
    };
    const size_t colon = line.find(" : ");
    const size_t dash = line.find('-');
    if (colon == std::string_view::npos || dash == std::string_view::npos || dash > colon)
      bad("expected START-END : NAME");
    const auto start = parse_digits(line.substr(0, dash), 16);
    const auto last = parse_digits(line.substr(dash + 1, colon - dash - 1), 16);
    if (!start || !last) bad("bad hex range");
    const std::string name(line.substr(colon + 3));
    if (name.empty()) bad("no name");
    if (*start != 0 || *last != 0) any_address = true;
    if (*last < *start || *last == UINT64_MAX) bad("end below start or at 2^64");
    map.push_back(FirmwareRange{*start, *last - *start + 1, name});
  });
  if (map.empty()) fail(file, "no ranges");
  // The kernel shows every address as 0 to a reader without CAP_SYS_ADMIN.
  if (!any_address) fail(file, "every address reads as 0 (reading it needs CAP_SYS_ADMIN)");
  return map;
}

std::string styx_arch_name(const std::string& machine, const std::string& source) {
  if (const ArchInfo* arch = find_arch(machine)) return std::string(arch->name);
  throw InputError(source + ": machine '" + machine + "' is not one Styx supports (" +
                   arch_names() + ")");
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// ttyS<N> (8250/16550) or ttyAMA<N> (PL011): the serial ports a console spec can name.
bool is_serial_tty(std::string_view name) {
  for (std::string_view prefix : {"ttyS", "ttyAMA"}) {
    if (starts_with(name, prefix) && parse_digits(name.substr(prefix.size()), 10)) return true;
  }
  return false;
}

// The serial console /proc/consoles prefers: lines "NAME  -W- (EC p a)  MAJ:MIN", where 'C' in
// the flags marks the preferred console and 'E' an enabled one.
std::optional<std::string> preferred_console(const std::string& text) {
  std::optional<std::string> preferred, enabled;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    const std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    const std::string name(line.substr(0, line.find(' ')));
    const size_t open = line.find('('), close = line.find(')');
    if (!is_serial_tty(name) || open == std::string_view::npos || close < open) continue;
    const std::string_view flags = line.substr(open + 1, close - open - 1);
    if (!preferred && flags.find('C') != std::string_view::npos) preferred = name;
    if (!enabled && flags.find('E') != std::string_view::npos) enabled = name;
  }
  return preferred ? preferred : enabled;
}

}  // namespace

LiveSystem::LiveSystem(fs::path sysroot) : sysroot_(std::move(sysroot)) {}

fs::path LiveSystem::path(std::string_view absolute) const {
  return sysroot_ / fs::path(absolute).relative_path();
}

std::string LiveSystem::arch() const {
  const fs::path file = path("/proc/sys/kernel/arch");
  if (auto machine = read_value_if_present(file)) return styx_arch_name(*machine, file.string());
  if (sysroot_.lexically_normal() != "/") fail(file, "No such file or directory");
  utsname uts{};
  if (::uname(&uts) != 0) throw InputError(std::string("uname(2): ") + std::strerror(errno));
  return styx_arch_name(uts.machine, "uname(2)");
}

std::string LiveSystem::cmdline() const {
  std::string text = as_text(read_file(path("/proc/cmdline").string()));
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

fs::path LiveSystem::firmware_map_file() const {
  const fs::path memmap = path("/sys/firmware/memmap");
  std::error_code ec;
  if (fs::is_directory(memmap, ec) && !fs::is_empty(memmap, ec)) return memmap;
  return path("/proc/iomem");
}

std::vector<FirmwareRange> LiveSystem::firmware_map() const {
  const fs::path memmap = path("/sys/firmware/memmap");
  std::vector<FirmwareRange> map;
  std::error_code ec;
  if (fs::is_directory(memmap, ec)) map = read_memmap(memmap);
  if (map.empty()) {
    const fs::path iomem = path("/proc/iomem");
    const auto text = read_file_if_present(iomem.string());
    if (!text) fail(iomem, "No such file or directory, and no " + memmap.string() + " either");
    map = read_iomem(iomem, as_text(*text));
  }
  std::sort(map.begin(), map.end(), [](const FirmwareRange& a, const FirmwareRange& b) {
    return a.start != b.start ? a.start < b.start : a.size < b.size;
  });
  return map;
}

std::vector<MemRange> LiveSystem::ram() const {
  std::vector<MemRange> merged;
  for (const FirmwareRange& r : firmware_map()) {  // sorted by start
    if (r.type != "System RAM") continue;
    if (!merged.empty() && r.start <= merged.back().end()) {
      merged.back().size = std::max(merged.back().end(), r.end()) - merged.back().start;
    } else {
      merged.push_back(MemRange{r.start, r.size});
    }
  }
  std::vector<MemRange> ram;
  for (const MemRange& r : merged) {
    const uint64_t start = (r.start + kPage - 1) & ~(kPage - 1);
    const uint64_t end = r.end() & ~(kPage - 1);
    if (start < end && start >= r.start) ram.push_back(MemRange{start, end - start});
  }
  return ram;
}

std::vector<MemRange> LiveSystem::ram_reservations() const {
  const fs::path iomem = path("/proc/iomem");
  const auto bytes = read_file_if_present(iomem.string());
  if (!bytes) return {};
  const std::string text = as_text(*bytes);
  std::vector<MemRange> out;
  // The indentation of the enclosing "System RAM" line, while inside one.
  std::optional<size_t> ram_depth;
  for_each_iomem_entry(
      iomem, text, [&](size_t depth, uint64_t start, uint64_t last, std::string_view name) {
        if (ram_depth && depth <= *ram_depth) ram_depth.reset();
        if (!ram_depth) {
          if (name == "System RAM") ram_depth = depth;
          return;
        }
        if (starts_with(name, "Kernel ")) return;
        const uint64_t first = start & ~(kPage - 1);
        const uint64_t end =
            last >= UINT64_MAX - kPage ? UINT64_MAX & ~(kPage - 1) : (last + kPage) & ~(kPage - 1);
        if (end > first) out.push_back(MemRange{first, end - first});
      });
  std::sort(out.begin(), out.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  return out;
}

std::optional<std::vector<uint8_t>> LiveSystem::device_tree() const {
  const fs::path file = path("/sys/firmware/fdt");
  auto blob = read_file_if_present(file.string());
  if (!blob) return std::nullopt;
  if (blob->size() < sizeof(fdt_header)) fail(file, "too short for a device tree header");
  const int err = fdt_check_header(blob->data());
  if (err != 0) fail(file, std::string("not a flattened device tree: ") + fdt_strerror(err));
  if (fdt_totalsize(blob->data()) > blob->size())
    fail(file, "the device tree header's totalsize exceeds the file");
  return blob;
}

std::optional<std::string> LiveSystem::console() const {
  const auto words = kernel_params();
  // What the kernel's own early console used, when the command line spells it out.
  const auto spec_of = [](std::string_view value) -> std::optional<std::string> {
    try {
      const Console c = parse_console(value);
      if (static_cast<ConsoleKind>(c.kind) == ConsoleKind::kNone) return std::nullopt;
      return format_console(c);
    } catch (const InputError&) {
      return std::nullopt;  // efifb, a bare `earlycon` or another driver: look further
    }
  };
  for (const std::string& w : words) {
    if (!starts_with(w, "earlycon=")) continue;
    if (auto spec = spec_of(std::string_view(w).substr(9))) return spec;
  }
  std::optional<std::string> from_console_arg;
  for (const std::string& w : words) {
    if (starts_with(w, "console=uart")) {
      if (auto spec = spec_of(std::string_view(w).substr(8))) from_console_arg = spec;
    }
  }
  if (from_console_arg) return from_console_arg;

  std::error_code ec;
  if (const auto fdt = device_tree()) {
    const int chosen = fdt_path_offset(fdt->data(), "/chosen");
    if (chosen >= 0 && (fdt_getprop(fdt->data(), chosen, "stdout-path", nullptr) ||
                        fdt_getprop(fdt->data(), chosen, "linux,stdout-path", nullptr)))
      return std::nullopt;
  }

  std::optional<std::string> tty;
  if (auto consoles = read_file_if_present(path("/proc/consoles").string())) {
    tty = preferred_console(as_text(*consoles));
  } else {
    for (const std::string& w : words) {
      if (!starts_with(w, "console=")) continue;
      const std::string name = w.substr(8, w.find(',') - 8);
      if (is_serial_tty(name)) tty = name;
    }
  }
  if (!tty) return std::nullopt;

  // serial_core's attributes; a tty without them is no UART a spec can name.
  const fs::path dir = path("/sys/class/tty/" + *tty);
  for (const char* attribute : {"io_type", "port", "iomem_base", "iomem_reg_shift"}) {
    if (!fs::exists(dir / attribute, ec)) return std::nullopt;
  }
  const uint64_t io_type = parse_decimal_value(dir / "io_type");
  const uint64_t port = parse_hex_value(dir / "port");
  const uint64_t mmio = parse_hex_value(dir / "iomem_base");
  const uint64_t shift = parse_decimal_value(dir / "iomem_reg_shift");
  // io_type is the kernel's UPIO_*: 0 port I/O, 2 8-bit MMIO, 3 32-bit MMIO.
  Console c{};
  if (starts_with(*tty, "ttyAMA")) {
    if ((io_type != 2 && io_type != 3) || mmio == 0) return std::nullopt;
    c.kind = static_cast<uint32_t>(ConsoleKind::kPl011);
    c.base = mmio;
  } else if (io_type == 0 && port != 0 && port <= 0xfff8) {
    c.kind = static_cast<uint32_t>(ConsoleKind::kUart8250Io);
    c.base = port;
  } else if (io_type == 2 && shift == 0 && mmio != 0) {
    c.kind = static_cast<uint32_t>(ConsoleKind::kUart8250Mmio);
    c.base = mmio;
  } else if (io_type == 3 && shift == 2 && mmio != 0) {
    c.kind = static_cast<uint32_t>(ConsoleKind::kUart8250Mmio32);
    c.base = mmio;
  } else {
    return std::nullopt;  // hub6, Alchemy, big-endian or 16-bit registers, odd register strides
  }
  return format_console(c);
}

std::optional<ImaSnapshot> LiveSystem::ima() const {
  const fs::path dir = path("/sys/kernel/security/ima");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  ImaSnapshot snapshot;
  snapshot.count = parse_decimal_value(dir / "runtime_measurements_count");
  snapshot.binary = read_file((dir / "binary_runtime_measurements").string());
  const auto words = kernel_params();
  snapshot.canonical = std::find(words.begin(), words.end(), "ima_canonical_fmt") != words.end();
  return snapshot;
}

std::vector<MemRange> LiveSystem::crash_regions() const {
  const fs::path iomem = path("/proc/iomem");
  std::vector<MemRange> out;
  for_each_iomem_entry(iomem, as_text(read_file(iomem.string())),
                       [&](size_t, uint64_t start, uint64_t last, std::string_view name) {
                         if (name == "Crash kernel") out.push_back({start, last - start + 1});
                       });
  std::sort(out.begin(), out.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  return out;
}

std::vector<CrashNote> LiveSystem::crash_notes() const {
  const fs::path cpus = path("/sys/devices/system/cpu");
  std::vector<CrashNote> notes;
  for (const uint32_t cpu : parse_cpu_list(cpus / "possible", read_value(cpus / "possible"))) {
    const fs::path dir = cpus / ("cpu" + std::to_string(cpu));
    std::error_code ec;
    // Possible but not present (a hot-plug slot): the kernel has not registered it.
    if (!fs::is_directory(dir, ec)) continue;
    const auto addr_text = read_value_if_present(dir / "crash_notes");
    if (!addr_text)
      fail(dir / "crash_notes",
           "missing: the running kernel keeps no crash notes (CONFIG_CRASH_DUMP) for CPU " +
               std::to_string(cpu));
    const auto addr = parse_digits(*addr_text, 16);
    if (!addr || *addr == 0)
      fail(dir / "crash_notes", "'" + *addr_text + "' is not a physical address");
    const uint64_t size = parse_decimal_value(dir / "crash_notes_size");
    if (size == 0 || size > kPage)
      fail(dir / "crash_notes_size", std::to_string(size) + " bytes is no CPU's crash note");
    notes.push_back({cpu, *addr, size});
  }
  if (notes.empty()) fail(cpus / "possible", "no CPU has crash notes");
  return notes;
}

MemRange LiveSystem::vmcoreinfo() const {
  const fs::path file = path("/sys/kernel/vmcoreinfo");
  const auto text = read_value_if_present(file);
  if (!text) fail(file, "missing: the running kernel has no vmcoreinfo (CONFIG_CRASH_CORE)");
  // "%pa %x": the note's physical address, 0x-prefixed, and its size in hex without a prefix.
  const size_t space = text->find(' ');
  std::string_view addr = std::string_view(*text).substr(0, space);
  if (addr.size() > 2 && addr[0] == '0' && (addr[1] == 'x' || addr[1] == 'X'))
    addr.remove_prefix(2);
  const auto start = parse_digits(addr, 16);
  const auto size = space == std::string::npos
                        ? std::nullopt
                        : parse_digits(std::string_view(*text).substr(space + 1), 16);
  if (!start || !size || *start == 0 || *size == 0 || *size > 1 << 20 ||
      *start > UINT64_MAX - *size)
    fail(file, "'" + *text + "' is not ADDRESS SIZE");
  return {*start, *size};
}

bool LiveSystem::kexec_loaded() const {
  const fs::path file = path("/sys/kernel/kexec_loaded");
  // The kernel creates it with kexec support (CONFIG_KEXEC_CORE); without, nothing can be loaded.
  if (!fs::exists(file) && fs::is_directory(path("/sys/kernel")))
    fail(file, "missing: the running kernel has no kexec support (CONFIG_KEXEC)");
  const std::string value = read_value(file);
  if (value == "1") return true;
  if (value == "0") return false;
  fail(file, "'" + value + "' is neither 0 nor 1");
}

std::vector<std::string> LiveSystem::kernel_params() const {
  auto words = split_cmdline(cmdline());
  words.erase(std::find(words.begin(), words.end(), "--"), words.end());
  return words;
}

std::vector<std::string> LiveSystem::split_cmdline(std::string_view cmdline) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false, in_word = false;
  for (const char ch : cmdline) {
    if (ch == '"') {
      quoted = !quoted;
      in_word = true;
    } else if (!quoted && (ch == ' ' || ch == '\t' || ch == '\n')) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += ch;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

}  // namespace styx::host

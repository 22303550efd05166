// SPDX-License-Identifier: GPL-2.0-only
#include "device-tree.h"

#include <libfdt.h>
#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>

#include "error.h"
#include "parse.h"

namespace styx::host {
namespace {

// Linux assumes these when the root does not say (OF_ROOT_NODE_*_CELLS_DEFAULT); the DT spec's
// default of 2 address cells would disagree with the kernel that reads the tree.
constexpr uint32_t kDefaultCells = 1;
// Enough for the properties a kexec hand-over adds before the first regrowth.
constexpr size_t kEditRoom = 4096;
// A DT consumer reads at most this much; no real tree comes near it.
constexpr uint64_t kMaxTreeRead = 64ull << 20;

// libfdt's loader: big-endian and safe at any alignment, as property values are.
uint32_t be32(const void* p) {
  return fdt32_ld(static_cast<const fdt32_t*>(p));
}

// A number of 1 or 2 cells; nullopt for wider ones, which no CPU address here needs.
std::optional<uint64_t> read_cells(const uint8_t* p, uint32_t cells) {
  if (cells == 1) return be32(p);
  if (cells == 2) return uint64_t{be32(p)} << 32 | be32(p + 4);
  return std::nullopt;
}

bool read_cells_ok(uint32_t cells) {
  return cells == 1 || cells == 2;
}

void append_cells(std::vector<uint8_t>& out, uint64_t v, uint32_t cells) {
  for (uint32_t i = cells; i-- > 0;) {
    const uint32_t word = i >= 2 ? 0 : static_cast<uint32_t>(v >> (32 * i));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(word >> shift));
  }
}

std::string err_text(int err) {
  return fdt_strerror(err);
}

int path_offset(const void* fdt, std::string_view path) {
  if (path.empty()) return -FDT_ERR_BADPATH;
  return fdt_path_offset_namelen(fdt, path.data(), static_cast<int>(path.size()));
}

std::optional<std::span<const uint8_t>> raw_prop(const void* fdt, int node, const char* name) {
  int len = 0;
  const void* p = fdt_getprop(fdt, node, name, &len);
  if (!p || len < 0) return std::nullopt;
  return std::span<const uint8_t>(static_cast<const uint8_t*>(p), static_cast<size_t>(len));
}

std::optional<uint32_t> u32_prop(const void* fdt, int node, const char* name) {
  const auto p = raw_prop(fdt, node, name);
  if (!p || p->size() != 4) return std::nullopt;
  return be32(p->data());
}

uint32_t own_cells(const void* fdt, int node, const char* name) {
  return u32_prop(fdt, node, name).value_or(kDefaultCells);
}

// The cells a node's `reg` is written in: the nearest ancestor that states them, as Linux's
// of_n_addr_cells() walks up, else the kernel's default.
uint32_t inherited_cells(const void* fdt, int node, const char* name) {
  for (int p = fdt_parent_offset(fdt, node); p >= 0; p = p == 0 ? -1 : fdt_parent_offset(fdt, p))
    if (const auto v = u32_prop(fdt, p, name)) return *v;
  return kDefaultCells;
}

// A one- or two-cell number property's value; nullopt for any other size.
std::optional<uint64_t> number_value(std::span<const uint8_t> p) {
  if (p.size() != 4 && p.size() != 8) return std::nullopt;
  return read_cells(p.data(), static_cast<uint32_t>(p.size() / 4));
}

bool string_is(std::optional<std::span<const uint8_t>> p, std::string_view want) {
  if (!p || p->empty()) return false;
  std::string_view v(reinterpret_cast<const char*>(p->data()), p->size());
  if (v.back() == '\0') v.remove_suffix(1);
  return v == want;
}

bool enabled(const void* fdt, int node) {
  const auto status = raw_prop(fdt, node, "status");
  return !status || string_is(status, "okay") || string_is(status, "ok");
}

bool compatible_with(const void* fdt, int node, const char* what) {
  const auto p = raw_prop(fdt, node, "compatible");
  return p && fdt_stringlist_contains(reinterpret_cast<const char*>(p->data()),
                                      static_cast<int>(p->size()), what);
}

std::optional<std::pair<uint64_t, uint64_t>> decode_addr_size(std::span<const uint8_t> p,
                                                              uint32_t ac, uint32_t sc) {
  if (p.size() < 4 * size_t{ac + sc}) return std::nullopt;
  const auto addr = read_cells(p.data(), ac);
  const auto size = read_cells(p.data() + size_t{4} * ac, sc);
  if (!addr || !size) return std::nullopt;
  return std::pair{*addr, *size};
}

// Maps a bus address up through each parent's `ranges` to a CPU physical address; nullopt when
// a bus has no `ranges` (not memory-mapped) or no window covers the address.
std::optional<uint64_t> translate(const void* fdt, int node, uint64_t addr) {
  for (int bus = fdt_parent_offset(fdt, node); bus > 0; bus = fdt_parent_offset(fdt, bus)) {
    const auto ranges = raw_prop(fdt, bus, "ranges");
    if (!ranges) return std::nullopt;
    if (ranges->empty()) continue;
    const uint32_t cac = own_cells(fdt, bus, "#address-cells");
    const uint32_t csc = own_cells(fdt, bus, "#size-cells");
    const uint32_t pac = inherited_cells(fdt, bus, "#address-cells");
    if (!read_cells_ok(cac) || !read_cells_ok(pac) || !read_cells_ok(csc)) return std::nullopt;
    const size_t stride = 4 * size_t{cac + pac + csc};
    bool mapped = false;
    for (size_t at = 0; at + stride <= ranges->size(); at += stride) {
      const uint8_t* e = ranges->data() + at;
      const auto child = read_cells(e, cac);
      const auto parent = read_cells(e + size_t{4} * cac, pac);
      const auto size = read_cells(e + size_t{4} * (cac + pac), csc);
      if (!child || !parent || !size) return std::nullopt;
      if (addr >= *child && addr - *child < *size) {
        addr = *parent + (addr - *child);
        mapped = true;
        break;
      }
    }
    if (!mapped) return std::nullopt;
  }
  return addr;
}

}  // namespace

DeviceTree::DeviceTree(std::span<const uint8_t> blob, std::string name) : name_(std::move(name)) {
  // libfdt wants an aligned buffer; a span into a larger file need not be.
  const std::vector<uint8_t> in(blob.begin(), blob.end());
  if (in.size() < sizeof(fdt_header))
    throw InputError(name_ + ": truncated device tree: a header is " +
                     std::to_string(sizeof(fdt_header)) + " bytes, there are " +
                     std::to_string(in.size()));
  if (fdt_magic(in.data()) != FDT_MAGIC)
    throw InputError(name_ + ": not a device tree blob (no d00dfeed magic)");
  const uint64_t total = fdt_totalsize(in.data());
  if (total > in.size())
    throw InputError(name_ + ": truncated device tree: the header says " + hex(total) +
                     " bytes, there are " + hex(in.size()));
  if (const int err = fdt_check_header(in.data()))
    throw InputError(name_ + ": bad device tree header: " + err_text(err));
  // Before version 17 the header has no structure size, and libfdt 1.6's full check reads a null
  // property name on such trees (fuzzing found it); dtc, qemu and firmware have written 17 since
  // 2007.
  if (fdt_version(in.data()) < 17)
    throw InputError(name_ + ": device tree version " + std::to_string(fdt_version(in.data())) +
                     " is older than 17, the oldest this reads");
  if (const int err = fdt_check_full(in.data(), total))
    throw InputError(name_ + ": malformed device tree: " + err_text(err));
  if (const int n = fdt_num_mem_rsv(in.data()); n < 0)
    throw InputError(name_ + ": malformed /memreserve/ block: " + err_text(n));
  buf_.resize(total + kEditRoom);
  if (const int err = fdt_open_into(in.data(), buf_.data(), static_cast<int>(buf_.size())))
    throw InputError(name_ + ": cannot edit this device tree: " + err_text(err));
}

template <class Edit>
int DeviceTree::edit(std::string_view what, Edit&& fn) {
  for (;;) {
    const int r = fn(static_cast<void*>(buf_.data()));
    if (r != -FDT_ERR_NOSPACE) {
      if (r < 0) throw InputError(name_ + ": cannot " + std::string(what) + ": " + err_text(r));
      return r;
    }
    std::vector<uint8_t> bigger(buf_.size() * 2);
    if (const int err = fdt_open_into(buf_.data(), bigger.data(), static_cast<int>(bigger.size())))
      throw InputError(name_ + ": cannot grow the device tree: " + err_text(err));
    buf_.swap(bigger);
  }
}

int DeviceTree::node_offset(std::string_view path) const {
  return path_offset(buf_.data(), path);
}

int DeviceTree::ensure_node(std::string_view path) {
  if (const int n = node_offset(path); n >= 0) return n;
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == path.size())
    throw InputError(name_ + ": no node " + std::string(path));
  const std::string parent(slash == 0 ? "/" : path.substr(0, slash));
  const std::string leaf(path.substr(slash + 1));
  if (node_offset(parent) < 0) ensure_node(parent);
  return edit("add " + std::string(path), [&](void* fdt) {
    const int p = path_offset(fdt, parent);
    return p < 0 ? p : fdt_add_subnode(fdt, p, leaf.c_str());
  });
}

uint32_t DeviceTree::address_cells() const {
  return own_cells(buf_.data(), 0, "#address-cells");
}
uint32_t DeviceTree::size_cells() const {
  return own_cells(buf_.data(), 0, "#size-cells");
}

std::optional<std::vector<uint8_t>> DeviceTree::property(std::string_view path,
                                                         std::string_view name) const {
  const int node = node_offset(path);
  if (node < 0) return std::nullopt;
  const auto p = raw_prop(buf_.data(), node, std::string(name).c_str());
  if (!p) return std::nullopt;
  return std::vector<uint8_t>(p->begin(), p->end());
}

std::optional<std::string> DeviceTree::string_property(std::string_view path,
                                                       std::string_view name) const {
  const auto p = property(path, name);
  if (!p) return std::nullopt;
  std::string s(p->begin(), p->end());
  if (const size_t nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
  return s;
}

std::optional<uint64_t> DeviceTree::number_property(std::string_view path,
                                                    std::string_view name) const {
  const auto p = property(path, name);
  return p ? number_value(*p) : std::nullopt;
}

uint64_t DeviceTree::timebase_frequency() const {
  if (const auto hz = number_property("/cpus", "timebase-frequency")) return *hz;
  const void* fdt = buf_.data();
  const int cpus = node_offset("/cpus");
  if (cpus < 0) return 0;
  int node;
  fdt_for_each_subnode(node, fdt, cpus) {
    if (!string_is(raw_prop(fdt, node, "device_type"), "cpu")) continue;
    const auto p = raw_prop(fdt, node, "timebase-frequency");
    if (const auto hz = p ? number_value(*p) : std::nullopt) return *hz;
  }
  return 0;
}

std::vector<MemRange> DeviceTree::memory() const {
  const void* fdt = buf_.data();
  const uint32_t ac = address_cells(), sc = size_cells();
  std::vector<MemRange> out;
  int node;
  fdt_for_each_subnode(node, fdt, 0) {
    if (!string_is(raw_prop(fdt, node, "device_type"), "memory") || !enabled(fdt, node)) continue;
    auto reg = raw_prop(fdt, node, "linux,usable-memory");
    if (!reg) reg = raw_prop(fdt, node, "reg");
    if (!reg) continue;
    check_root_cells("/memory");
    const size_t stride = 4 * size_t{ac + sc};
    for (size_t at = 0; at + stride <= reg->size(); at += stride) {
      const auto range = decode_addr_size(reg->subspan(at), ac, sc);
      if (!range || range->second == 0) continue;
      if (range->first + range->second < range->first)
        throw InputError(name_ + ": " + fdt_get_name(fdt, node, nullptr) + ": " +
                         hex(range->first) + "+" + hex(range->second) + " wraps around");
      out.push_back({range->first, range->second});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  return out;
}

void DeviceTree::check_root_cells(std::string_view what) const {
  const uint32_t ac = address_cells(), sc = size_cells();
  if (!read_cells_ok(ac) || !read_cells_ok(sc))
    throw InputError(name_ + ": root #address-cells " + std::to_string(ac) + " / #size-cells " +
                     std::to_string(sc) + " are not supported for " + std::string(what) +
                     " (1 or 2 each)");
}

std::vector<MemRange> DeviceTree::memreserve() const {
  std::vector<MemRange> out;
  const int n = fdt_num_mem_rsv(buf_.data());
  for (int i = 0; i < n; ++i) {
    uint64_t addr = 0, size = 0;
    if (fdt_get_mem_rsv(buf_.data(), i, &addr, &size) == 0) out.push_back({addr, size});
  }
  return out;
}

std::vector<MemRange> DeviceTree::reserved_memory() const {
  const void* fdt = buf_.data();
  std::vector<MemRange> out;
  const int parent = fdt_path_offset(fdt, "/reserved-memory");
  if (parent < 0) return out;
  // Linux requires /reserved-memory to use the root's cells and reads children with them.
  check_root_cells("/reserved-memory");
  const uint32_t ac = address_cells(), sc = size_cells();
  const size_t stride = 4 * size_t{ac + sc};
  int node;
  fdt_for_each_subnode(node, fdt, parent) {
    if (!enabled(fdt, node)) continue;
    const auto reg = raw_prop(fdt, node, "reg");
    if (!reg) continue;
    for (size_t at = 0; at + stride <= reg->size(); at += stride) {
      const auto range = decode_addr_size(reg->subspan(at), ac, sc);
      if (range && range->second) out.push_back({range->first, range->second});
    }
  }
  return out;
}

std::vector<MemRange> DeviceTree::reservations() const {
  std::vector<MemRange> out = memreserve();
  const auto more = reserved_memory();
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

std::optional<Console> DeviceTree::stdout_console() const {
  const void* fdt = buf_.data();
  auto path = string_property("/chosen", "stdout-path");
  if (!path) path = string_property("/chosen", "linux,stdout-path");
  if (!path) return std::nullopt;
  const std::string_view spec = std::string_view(*path).substr(0, path->find(':'));
  const int node = path_offset(fdt, spec);
  if (node < 0) return std::nullopt;
  const auto reg = raw_prop(fdt, node, "reg");
  const uint32_t ac = inherited_cells(fdt, node, "#address-cells");
  if (!reg || reg->size() < 4 * size_t{ac}) return std::nullopt;
  const auto bus_addr = read_cells(reg->data(), ac);
  if (!bus_addr) return std::nullopt;
  const auto base = translate(fdt, node, *bus_addr);
  if (!base) return std::nullopt;

  Console c{};
  if (compatible_with(fdt, node, "arm,pl011")) {
    c.kind = static_cast<uint32_t>(ConsoleKind::kPl011);
    c.base = *base;
    return c;
  }
  static constexpr const char* k8250[] = {"ns16550a", "ns16550", "ns16450", "ns8250",
                                          "snps,dw-apb-uart"};
  if (std::none_of(std::begin(k8250), std::end(k8250),
                   [&](const char* what) { return compatible_with(fdt, node, what); }))
    return std::nullopt;
  const uint32_t shift = u32_prop(fdt, node, "reg-shift").value_or(0);
  const uint32_t width = u32_prop(fdt, node, "reg-io-width").value_or(1);
  if (shift == 2 || width == 4)
    c.kind = static_cast<uint32_t>(ConsoleKind::kUart8250Mmio32);
  else if (shift == 0 && width == 1)
    c.kind = static_cast<uint32_t>(ConsoleKind::kUart8250Mmio);
  else
    return std::nullopt;
  c.base = *base + u32_prop(fdt, node, "reg-offset").value_or(0);
  return c;
}

void DeviceTree::set_property(std::string_view path, std::string_view name,
                              std::span<const uint8_t> value) {
  ensure_node(path);
  const std::string prop(name);
  edit("set " + std::string(path) + "/" + prop, [&](void* fdt) {
    const int node = path_offset(fdt, path);
    return node < 0
               ? node
               : fdt_setprop(fdt, node, prop.c_str(), value.data(), static_cast<int>(value.size()));
  });
}

void DeviceTree::set_string(std::string_view path, std::string_view name, std::string_view value) {
  std::vector<uint8_t> bytes(value.begin(), value.end());
  bytes.push_back(0);
  set_property(path, name, bytes);
}

void DeviceTree::set_u64(std::string_view path, std::string_view name, uint64_t value) {
  std::vector<uint8_t> bytes;
  append_cells(bytes, value, 2);
  set_property(path, name, bytes);
}

void DeviceTree::delete_property(std::string_view path, std::string_view name) {
  const std::string prop(name);
  edit("delete " + std::string(path) + "/" + prop, [&](void* fdt) {
    const int node = path_offset(fdt, path);
    if (node < 0) return 0;
    const int r = fdt_delprop(fdt, node, prop.c_str());
    return r == -FDT_ERR_NOTFOUND ? 0 : r;
  });
}

std::vector<uint8_t> DeviceTree::encode_addr_size(uint64_t addr, uint64_t size) const {
  const uint32_t ac = address_cells(), sc = size_cells();
  const auto fits = [](uint64_t v, uint32_t cells) { return cells >= 2 || v >> (32 * cells) == 0; };
  // libfdt's FDT_MAX_NCELLS: a tree claiming more is broken, and writing that many cells per
  // number would take memory without bound.
  if (ac > 4 || sc > 4)
    throw InputError(name_ + ": root #address-cells " + std::to_string(ac) + " / #size-cells " +
                     std::to_string(sc) + ": more than 4, the most a device tree allows");
  if (ac == 0 || sc == 0 || !fits(addr, ac) || !fits(size, sc))
    throw InputError(name_ + ": " + hex(addr) + "+" + hex(size) + " does not fit the root's " +
                     std::to_string(ac) + " address / " + std::to_string(sc) + " size cells");
  std::vector<uint8_t> out;
  append_cells(out, addr, ac);
  append_cells(out, size, sc);
  return out;
}

void DeviceTree::add_memreserve(uint64_t addr, uint64_t size) {
  edit("add a /memreserve/ entry", [&](void* fdt) { return fdt_add_mem_rsv(fdt, addr, size); });
}

bool DeviceTree::remove_memreserve(uint64_t addr, uint64_t size) {
  const auto entries = memreserve();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].start != addr || entries[i].size != size) continue;
    edit("remove a /memreserve/ entry",
         [&](void* fdt) { return fdt_del_mem_rsv(fdt, static_cast<int>(i)); });
    return true;
  }
  return false;
}

void DeviceTree::remove_stale_kexec_state(uint64_t page_size) {
  if (node_offset("/chosen") < 0) return;
  // Crash-kernel hand-over: meaningless for a normal boot, as Linux's kexec also drops them.
  delete_property("/chosen", "linux,elfcorehdr");
  delete_property("/chosen", "linux,usable-memory-range");

  // Firmware may have reserved the initrd rounded to pages, a kexec'ing kernel exactly.
  const auto drop_reservation = [&](uint64_t addr, uint64_t size) {
    if (!remove_memreserve(addr, size)) remove_memreserve(addr, align_up(size, page_size));
  };
  const auto start = number_property("/chosen", "linux,initrd-start");
  const auto end = number_property("/chosen", "linux,initrd-end");
  if (start && end && *end >= *start) drop_reservation(*start, *end - *start);
  delete_property("/chosen", "linux,initrd-start");
  delete_property("/chosen", "linux,initrd-end");

  if (const auto ima = property("/chosen", "linux,ima-kexec-buffer")) {
    if (const auto range = decode_addr_size(*ima, address_cells(), size_cells()))
      drop_reservation(range->first, range->second);
    delete_property("/chosen", "linux,ima-kexec-buffer");
  }
}

void DeviceTree::set_bootargs(std::string_view cmdline) {
  set_string("/chosen", "bootargs", cmdline);
}

void DeviceTree::set_initrd(uint64_t addr, uint64_t size) {
  set_u64("/chosen", "linux,initrd-start", addr);
  set_u64("/chosen", "linux,initrd-end", addr + size);
  add_memreserve(addr, size);
}

void DeviceTree::set_ima_buffer(uint64_t addr, uint64_t size, uint64_t page_size) {
  set_property("/chosen", "linux,ima-kexec-buffer", encode_addr_size(addr, size));
  add_memreserve(addr, align_up(size, page_size));
}

std::vector<uint8_t> DeviceTree::write_boot_chosen(
    std::string_view cmdline, std::optional<std::pair<uint64_t, uint64_t>> initrd,
    std::optional<std::pair<uint64_t, uint64_t>> ima, uint64_t page_size) {
  if (!cmdline.empty()) set_bootargs(cmdline);
  if (initrd) set_initrd(initrd->first, initrd->second);
  if (ima) set_ima_buffer(ima->first, ima->second, page_size);
  refresh_seeds();
  return pack();
}

DeviceTree open_boot_tree(const BootInputs& in, std::string_view isa) {
  if (!in.dtb) throw InputError(std::string(isa) + " needs a device tree: use --dtb");
  DeviceTree dt(in.dtb->data, in.dtb->name);
  refuse_empty_inputs(in);
  return dt;
}

std::vector<uint8_t> place_ima_and_write_chosen(DeviceTree& dt, Layout& layout,
                                                const BootInputs& in,
                                                std::optional<uint64_t> initrd_addr, BootPlan& plan,
                                                uint64_t page_size, uint64_t max_end) {
  std::optional<std::pair<uint64_t, uint64_t>> ima;
  if (in.ima) {
    // Whole pages: the /memreserve/ that protects it covers whole pages anyway.
    const uint64_t size = (in.ima->data.size() + page_size - 1) / page_size * page_size;
    ima = std::pair(
        layout.place("IMA buffer",
                     {.size = size, .align = page_size, .max_end = max_end, .high = true}),
        uint64_t{in.ima->data.size()});
    plan.segments.push_back({Role::kIma, in.ima->name, ima->first, in.ima->data});
  }
  std::optional<std::pair<uint64_t, uint64_t>> initrd;
  if (initrd_addr) initrd = std::pair(*initrd_addr, uint64_t{in.initrd->size()});
  return dt.write_boot_chosen(in.cmdline, initrd, ima, page_size);
}

void DeviceTree::refresh_seeds() {
  // Never pass on the old seeds: a reused seed is worse than none.
  delete_property("/chosen", "kaslr-seed");
  delete_property("/chosen", "rng-seed");
  std::vector<uint8_t> random(8 + kRngSeedSize);
  size_t got = 0;
  while (got < random.size()) {
    const ssize_t n = getrandom(random.data() + got, random.size() - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    got += static_cast<size_t>(n);
  }
  set_property("/chosen", "kaslr-seed", std::span(random).first(8));
  set_property("/chosen", "rng-seed", std::span(random).subspan(8));
}

std::vector<uint8_t> DeviceTree::pack() const {
  std::vector<uint8_t> out = buf_;
  if (const int err = fdt_pack(out.data()))
    throw InputError(name_ + ": cannot pack the device tree: " + err_text(err));
  out.resize(fdt_totalsize(out.data()));
  return out;
}

DtBootRam dt_boot_ram(const DeviceTree& dt, const BootInputs& in, uint64_t page) {
  DtBootRam out;
  out.avoid = dt.reservations();
  if (!in.ram.empty()) {
    out.ram = in.ram;
    out.source = "--mem";
    return out;
  }
  out.ram = whole_pages(dt.memory(), page);
  if (!out.ram.empty()) {
    out.source = "the /memory nodes of " + dt.name();
    return out;
  }
  std::vector<MemRange> system_ram;
  for (const FirmwareRange& r : in.firmware_map)
    if (r.type == "System RAM") system_ram.push_back({r.start, r.size});
  out.ram = whole_pages(std::move(system_ram), page);
  if (out.ram.empty()) {
    std::string why = "no enabled /memory node with a reg";
    if (!in.firmware_map_error.empty())
      why += ", and " + in.firmware_map_error;
    else if (!in.firmware_map_source.empty())
      why += ", and no System RAM in " + in.firmware_map_source;
    throw InputError(dt.name() + ": no RAM: " + why + " (or use --mem)");
  }
  out.avoid.insert(out.avoid.end(), in.firmware_reserved.begin(), in.firmware_reserved.end());
  out.source =
      (in.firmware_map_source.empty() ? std::string("the firmware map") : in.firmware_map_source) +
      " (System RAM; the tree has no /memory), " + std::to_string(in.firmware_reserved.size()) +
      " reserved ranges in it kept clear";
  return out;
}

std::vector<MemRange> whole_pages(std::vector<MemRange> ranges, uint64_t page) {
  std::sort(ranges.begin(), ranges.end(),
            [](const MemRange& a, const MemRange& b) { return a.start < b.start; });
  std::vector<MemRange> merged;
  for (const MemRange& r : ranges) {
    if (!merged.empty() && r.start <= merged.back().end()) {
      const uint64_t end = std::max(merged.back().end(), r.end());
      merged.back().size = end - merged.back().start;
    } else {
      merged.push_back(r);
    }
  }
  std::vector<MemRange> out;
  for (const MemRange& r : merged) {
    const uint64_t start = align_up(r.start, page);
    const uint64_t end = r.end() / page * page;
    if (start < end && start >= r.start) out.push_back({start, end - start});
  }
  return out;
}

NextKernel read_next_kernel_from_fdt(const ReadMemory& read, uint64_t dtb_addr) {
  const std::string where = "device tree at " + hex(dtb_addr);
  const std::vector<uint8_t> head = read(dtb_addr, sizeof(fdt_header));
  if (head.size() < sizeof(fdt_header) || be32(head.data()) != FDT_MAGIC)
    throw std::runtime_error(where + ": no d00dfeed magic");
  const uint64_t total = be32(head.data() + 4);
  if (total < sizeof(fdt_header) || total > kMaxTreeRead)
    throw std::runtime_error(where + ": implausible totalsize " + hex(total));
  const DeviceTree dt(read(dtb_addr, total), where);

  NextKernel next;
  next.cmdline = dt.string_property("/chosen", "bootargs").value_or("");
  const auto start = dt.number_property("/chosen", "linux,initrd-start");
  const auto end = dt.number_property("/chosen", "linux,initrd-end");
  if (start && end && *end >= *start) next.initrd = std::pair{*start, *end - *start};
  if (const auto ima = dt.property("/chosen", "linux,ima-kexec-buffer"))
    next.ima = decode_addr_size(*ima, dt.address_cells(), dt.size_cells());
  for (const MemRange& r : dt.memory()) next.memory.push_back({r.start, r.size});
  return next;
}

}  // namespace styx::host

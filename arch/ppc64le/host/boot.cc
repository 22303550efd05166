// SPDX-License-Identifier: GPL-2.0-only
// The ppc64 Linux kexec boot protocol (arch/powerpc/kernel/head_64.S, misc_64.S kexec_sequence):
// the kernel is entered at its first instruction in 64-bit real mode with r3 = the flattened
// device tree, r4 = the kernel's load address and r5 = 0 (no Open Firmware client interface).
// /chosen carries the command line, the initrd and the IMA buffer as on arm64; the tree's header
// names the boot CPU.
//
// Where things go, following Linux's own kexec_file_load (arch/powerpc/kexec/elf_64.c):
// - The kernel is loaded at a 64 KiB-aligned address above its own final place and copies itself
//   down to physical 0 (head_64.S __after_prom_start), relocatable or not. Loading it at 0
//   directly would put it where kexec_sequence writes the entry point's first 256 bytes.
//   So [0, memsz) must be RAM the tree does not reserve, and nothing else may be placed there.
// - Everything the purgatory and the early kernel touch in real mode (kernel, initrd, IMA
//   buffer, tree, purgatory) stays below the real-mode limit, Linux's ppc64_rma_size: the first
//   RAM range, at most 1 GiB.
// - Firmware memory is kept clear: RTAS (also added to /memreserve/ as Linux does), OPAL, the
//   root's reserved-ranges and a running kernel's hash table (/chosen/linux,htab-base).
#include <libfdt.h>

#include <algorithm>
#include <optional>

#include "boot.h"
#include "device-tree.h"
#include "error.h"
#include "layout.h"
#include "parse.h"
#include "vmlinux.h"

namespace styx::host {
namespace {

constexpr uint64_t kPage = 4096;
// 64 KiB: the largest base page size a ppc64 kernel may be built for (RELOCATABLE asks 16 KiB).
constexpr uint64_t kKernelAlign = 64 << 10;
constexpr uint64_t kMaxRealMode = 1ull << 30;
// fdt_header.boot_cpuid_phys (device tree format version 2 and later).
constexpr size_t kBootCpuidOffset = 28;

// libfdt's loader: big-endian and safe at any alignment, as property values are.
uint32_t be32(const void* p) {
  return fdt32_ld(static_cast<const fdt32_t*>(p));
}

// One of the NUL-separated strings of a stringlist property such as `compatible`.
bool has_string(const std::vector<uint8_t>& list, std::string_view want) {
  std::string_view rest(reinterpret_cast<const char*>(list.data()), list.size());
  while (!rest.empty()) {
    const size_t nul = std::min(rest.find('\0'), rest.size());
    if (rest.substr(0, nul) == want) return true;
    rest.remove_prefix(std::min(nul + 1, rest.size()));
  }
  return false;
}

bool overlaps(const MemRange& a, const MemRange& b) {
  return a.start < b.end() && b.start < a.end();
}

std::optional<MemRange> pair_range(const DeviceTree& dt, const char* path, const char* base,
                                   const char* size) {
  const auto b = dt.number_property(path, base);
  const auto s = dt.number_property(path, size);
  if (!b || !s || *s == 0) return std::nullopt;
  return MemRange{*b, *s};
}

// Memory firmware or the running kernel owns, which no segment may overwrite.
struct FirmwareMemory {
  std::optional<MemRange> rtas;
  std::vector<MemRange> other;
};

FirmwareMemory firmware_memory(const DeviceTree& dt) {
  FirmwareMemory fw;
  fw.rtas = pair_range(dt, "/rtas", "linux,rtas-base", "rtas-size");
  if (auto opal = pair_range(dt, "/ibm,opal", "opal-base-address", "opal-runtime-size"))
    fw.other.push_back(*opal);
  if (auto htab = pair_range(dt, "/chosen", "linux,htab-base", "linux,htab-size"))
    fw.other.push_back(*htab);
  // Two address and two size cells per entry, whatever the root says (prom.c).
  if (const auto rr = dt.property("/", "reserved-ranges")) {
    for (size_t at = 0; at + 16 <= rr->size(); at += 16) {
      const uint8_t* p = rr->data() + at;
      const uint64_t base = uint64_t{be32(p)} << 32 | be32(p + 4);
      const uint64_t size = uint64_t{be32(p + 8)} << 32 | be32(p + 12);
      if (size) fw.other.push_back({base, size});
    }
  }
  return fw;
}

// The hardware thread ids Linux matches boot_cpuid_phys against: each enabled cpu node's
// ibm,ppc-interrupt-server#s, else its reg (prom.c early_init_dt_scan_cpus), in tree order.
std::vector<uint32_t> cpu_threads(const DeviceTree& dt) {
  const void* fdt = dt.raw().data();
  std::vector<uint32_t> out;
  const int cpus = fdt_path_offset(fdt, "/cpus");
  if (cpus < 0) return out;
  int node;
  fdt_for_each_subnode(node, fdt, cpus) {
    int len = 0;
    const auto* type = static_cast<const char*>(fdt_getprop(fdt, node, "device_type", &len));
    if (!type || len < 4 || std::string_view(type, static_cast<size_t>(len - 1)) != "cpu") continue;
    const void* ids = fdt_getprop(fdt, node, "ibm,ppc-interrupt-server#s", &len);
    if (!ids) ids = fdt_getprop(fdt, node, "reg", &len);
    if (!ids || len < 4) continue;
    for (int i = 0; i + 4 <= len; i += 4) out.push_back(be32(static_cast<const uint8_t*>(ids) + i));
  }
  return out;
}

// kexec-tools' purgatory stores the id of the CPU that runs it; Styx cannot know at build time
// which CPU will call kexec, so it keeps the tree's own boot CPU when the tree has that thread,
// else names the first thread of the first cpu node (the one firmware boots on qemu and PowerVM).
uint32_t boot_cpu(const DeviceTree& dt, std::span<const uint8_t> original) {
  const std::vector<uint32_t> threads = cpu_threads(dt);
  if (threads.empty())
    throw InputError(dt.name() +
                     ": no /cpus node with device_type \"cpu\": the kernel could not identify "
                     "its boot CPU");
  const uint32_t given = be32(original.data() + kBootCpuidOffset);
  return std::find(threads.begin(), threads.end(), given) != threads.end() ? given
                                                                           : threads.front();
}

// Linux's ppc64_rma_size with the hash MMU: the first memory block, at most 1 GiB.
uint64_t real_mode_limit(const std::vector<MemRange>& memory) {
  if (memory.empty() || memory.front().start != 0) return 0;
  return std::min(memory.front().end(), kMaxRealMode);
}

std::optional<Console> stdout_console(const DeviceTree& dt) {
  auto path = dt.string_property("/chosen", "stdout-path");
  if (!path) path = dt.string_property("/chosen", "linux,stdout-path");
  if (!path) return std::nullopt;
  const std::string node = path->substr(0, path->find(':'));
  // A PAPR virtual terminal (/vdevice/vty@N on pseries): its reg is the terminal number.
  const auto compatible = dt.property(node, "compatible");
  const auto reg = dt.property(node, "reg");
  if (compatible && reg && reg->size() >= 4 && has_string(*compatible, "hvterm1"))
    return Console{static_cast<uint32_t>(ConsoleKind::kHvterm), 0, be32(reg->data())};
  // Byte-wide memory-mapped 16550s are the only other console the purgatory drives here.
  const auto uart = dt.stdout_console();
  if (uart && uart->kind == static_cast<uint32_t>(ConsoleKind::kUart8250Mmio)) return uart;
  return std::nullopt;
}

}  // namespace

BootPlan plan_ppc64le_boot(const BootInputs& in) {
  const Ppc64Kernel kernel = parse_ppc64_vmlinux(in.kernel.data, in.kernel.name);
  DeviceTree dt = open_boot_tree(in, "ppc64le");
  const uint32_t cpu = boot_cpu(dt, in.dtb->data);

  dt.remove_stale_kexec_state(kPage);
  const std::vector<MemRange> memory = whole_pages(dt.memory(), kPage);
  BootPlan plan;
  plan.ram = in.ram.empty() ? memory : in.ram;
  if (plan.ram.empty())
    throw InputError(dt.name() + ": no RAM: no enabled /memory node with a reg (or use --mem)");

  std::vector<MemRange> reservations = dt.reservations();
  const FirmwareMemory fw = firmware_memory(dt);
  if (fw.rtas && !subtract_ranges({*fw.rtas}, reservations).empty()) {
    dt.add_memreserve(fw.rtas->start, fw.rtas->size);
    reservations.push_back(*fw.rtas);
  }
  std::vector<MemRange> keep_out = reservations;
  keep_out.insert(keep_out.end(), fw.other.begin(), fw.other.end());

  // The kernel's final place, as the tree (what the kernel sees) describes memory.
  const MemRange home{0, align_up(kernel.memsz, kPage)};
  if (!subtract_ranges({home}, memory).empty())
    throw InputError(dt.name() + ": the kernel copies itself to 0.." + hex(home.end()) +
                     ", which the tree's /memory does not cover");
  for (const MemRange& r : keep_out)
    if (overlaps(home, r))
      throw InputError(dt.name() + ": " + hex(r.start) + "+" + hex(r.size) +
                       " is reserved, but the kernel copies itself to 0.." + hex(home.end()));
  const uint64_t limit = real_mode_limit(memory);

  Layout layout(subtract_ranges(plan.ram, keep_out));
  layout.exclude(home.start, home.size, "the kernel's final place");
  const uint64_t load = layout.place(
      "kernel",
      {.size = kernel.memsz, .align = kKernelAlign, .min_addr = home.end(), .max_end = limit});
  plan.entry = load + kernel.entry_offset;
  plan.segments.push_back(
      {Role::kKernel, in.kernel.name, load, kernel.image,
       kernel.memsz > kernel.image.size() ? kernel.memsz - kernel.image.size() : 0});

  std::optional<uint64_t> initrd_addr;
  if (in.initrd) {
    initrd_addr = layout.place(
        "initrd", {.size = in.initrd->size(), .align = kPage, .max_end = limit, .high = true});
    plan.segments.push_back(
        {Role::kInitrd, in.initrd->name, *initrd_addr, in.initrd->data, 0, in.initrd->file});
  }
  std::vector<uint8_t> blob =
      place_ima_and_write_chosen(dt, layout, in, initrd_addr, plan, kPage, limit);
  // libfdt writes version 17 trees, whose header has this field.
  for (size_t i = 0; i < 4; ++i)
    blob[kBootCpuidOffset + i] = static_cast<uint8_t>(cpu >> (24 - 8 * i));
  const uint64_t dtb_addr =
      layout.place("dtb", {.size = blob.size(), .align = kPage, .max_end = limit, .high = true});
  plan.segments.push_back({Role::kDtb, dt.name(), dtb_addr, std::move(blob)});
  plan.boot_args = {{"r3", dtb_addr}, {"r4", load}};

  plan.console = in.console ? in.console : stdout_console(dt);
  plan.timer_hz = dt.timebase_frequency();
  plan.reserved = keep_out;
  plan.reserved.push_back(home);
  // The purgatory runs in real mode too.
  for (const MemRange& r : plan.ram)
    if (r.end() > limit) {
      const uint64_t start = std::max(r.start, limit);
      plan.reserved.push_back({start, r.end() - start});
    }
  return plan;
}

}  // namespace styx::host

// SPDX-License-Identifier: GPL-2.0-only
// `styx demo`: the whole story on built-in sample segments, for one ISA or all of them.
#include <fmt/format.h>

#include <ostream>
#include <sstream>

#include "builder.h"
#include "commands.h"
#include "embedded-purgatory.h"
#include "emulate.h"
#include "error.h"
#include "parse.h"

namespace styx::cli {
namespace {

using host::hex;

std::vector<uint8_t> sample_bytes(size_t size, uint64_t seed) {
  std::vector<uint8_t> out(size);
  uint64_t x = seed;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<uint8_t>(x >> 32);
  }
  return out;
}

void print_console(std::ostream& out, const std::string& console) {
  std::istringstream lines(console);
  std::string line;
  while (std::getline(lines, line))
    if (!line.empty()) out << "    | " << line << "\n";
}

// Returns true when both runs did what they should.
bool demo_one(const host::ArchInfo& arch, std::ostream& out) {
  const uint64_t base = arch.demo_ram_base;
  host::BuildRequest req;
  req.arch = &arch;
  req.ram = {{base, 64 << 20}};
  req.segments.push_back(
      {Role::kKernel, "sample kernel", base + 0x200000, sample_bytes(192 << 10, 1)});
  req.segments.push_back(
      {Role::kInitrd, "sample initrd", base + 0x1000000, sample_bytes(96 << 10, 2)});
  req.segments.push_back(
      {arch.boot_data_role, "sample boot data", base + 0x2000000, sample_bytes(4 << 10, 3)});
  req.entry = base + 0x200000;
  req.boot_args = {{std::string(arch.boot_data_register()), base + 0x2000000}};
  const host::Image image = host::build_image(req, host::embedded_purgatory(arch.name));

  out << fmt::format("== Styx demo on {} ==\n", arch.name);
  out << fmt::format(
      "Built an image with 3 sample segments (kernel 192 KiB, initrd 96 KiB, {} 4 KiB) in 64 MiB "
      "of "
      "RAM at {}; the purgatory sits at {}.\n",
      role_name(arch.boot_data_role), hex(base), hex(image.purgatory_addr));

  out << "\n  Run 1: the image as built\n";
  const emu::RunResult good = emu::run(run_input(image, {}));
  print_console(out, good.console);
  const bool good_ok = good.outcome == emu::Outcome::kHandoff && good.register_problem.empty();
  out << fmt::format("  => {}. ({} instructions emulated)\n", describe_outcome(good, image),
                     good.instructions);

  const Flip flip{1, 0x1234, 3};
  out << fmt::format(
      "\n  Run 2: bit {} of byte {} of the initrd flipped, as a bad disk or DMA might\n", flip.bit,
      hex(flip.byte));
  const emu::RunResult bad = emu::run(run_input(image, {flip}));
  print_console(out, bad.console);
  const bool bad_ok =
      bad.outcome == emu::Outcome::kFailure && bad.failed_segments == std::vector<uint32_t>{1};
  out << fmt::format("  => {}.\n\n", describe_outcome(bad, image));
  if (!good_ok || !bad_ok) out << "  !! This is not what should have happened.\n\n";
  return good_ok && bad_ok;
}

}  // namespace

int cmd_demo(const std::optional<std::string>& arch_name, std::ostream& out) {
  std::vector<const host::ArchInfo*> arches;
  if (arch_name) {
    const host::ArchInfo* a = host::find_arch(*arch_name);
    if (!a)
      throw host::InputError("--arch '" + *arch_name +
                             "': unknown ISA (known: " + host::arch_names() + ")");
    arches.push_back(a);
  } else {
    arches = host::all_arches();
  }
  bool ok = true;
  for (const host::ArchInfo* a : arches) ok = demo_one(*a, out) && ok;
  out << (ok ? "Every purgatory verified the intact image and refused the corrupted one.\n"
             : "Something went wrong: see the lines marked !!.\n");
  return ok ? kExitOk : kExitFailure;
}

}  // namespace styx::cli

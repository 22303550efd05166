// SPDX-License-Identifier: GPL-2.0-only
// Benchmark figures (printed, never asserted): instructions per byte of SHA-256 in each ISA's
// purgatory as the emulator counts them, emulation speed, and host SHA-256 throughput.
#include <fmt/format.h>
#include <libfdt.h>
#include <unicorn/unicorn.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "arch-info.h"
#include "builder.h"
#include "digest.h"
#include "embedded-purgatory.h"
#include "emulate.h"
#include "file-io.h"
#include "image.h"
#include "machine.h"
#include "run-options.h"
#include "run.h"
#include "sha256.h"

#if STYX_HOST_SHANI
#include <cpuid.h>

extern "C" void styx_sha256_blocks_shani(uint32_t state[8], const uint8_t* data, size_t blocks);
#endif

namespace {

using namespace styx;

std::vector<uint8_t> bytes(size_t size) {
  std::vector<uint8_t> out(size);
  uint32_t x = 12345;
  for (auto& b : out) b = static_cast<uint8_t>((x = x * 1103515245u + 12345u) >> 16);
  return out;
}

struct Measure {
  uint64_t instructions;
  double seconds;
  bool hardware;  ///< the purgatory chose a hardware routine
};

Measure run_one(const host::ArchInfo& arch, size_t size, Sha256Routine routine) {
  host::BuildRequest req;
  req.arch = &arch;
  req.sha256_routine = routine;
  req.ram = {{arch.demo_ram_base, 64 << 20}};
  req.segments.push_back({Role::kKernel, "bench", arch.demo_ram_base + 0x200000, bytes(size)});
  req.entry = arch.demo_ram_base + 0x200000;
  const host::Image image = host::build_image(req, host::embedded_purgatory(arch.name));
  const auto start = std::chrono::steady_clock::now();
  const emu::RunResult r = emu::run(cli::run_input(image, {}));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (r.outcome != emu::Outcome::kHandoff)
    fmt::print("  ({}: unexpected outcome {})\n", arch.name, emu::outcome_name(r.outcome));
  const bool hardware = r.console.find("styx: sha256: generic") == std::string::npos;
  return {r.instructions, s, hardware};
}

// riscv64 Zknh: Unicorn lacks the instructions, so the image carries a tree whose cpu node names
// zknh, and code hooks execute the four sigma instructions (one executed instruction each, as on
// the CPU). The count is per instruction: a block containing an instruction Unicorn cannot
// decode has a wrong block size (docs/PERFORMANCE.md).
std::vector<uint8_t> zknh_tree() {
  std::vector<uint8_t> fdt(1024);
  void* t = fdt.data();
  fdt_create(t, static_cast<int>(fdt.size()));
  fdt_finish_reservemap(t);
  fdt_begin_node(t, "");
  fdt_begin_node(t, "cpus");
  fdt_begin_node(t, "cpu@0");
  fdt_property_string(t, "device_type", "cpu");
  fdt_property_string(t, "riscv,isa", "rv64imac_zicsr_zknh");
  fdt_end_node(t);
  fdt_end_node(t);
  fdt_end_node(t);
  fdt_finish(t);
  fdt.resize(fdt_totalsize(t));
  return fdt;
}

uint32_t ror(uint32_t x, int n) {
  return x >> n | x << (32 - n);
}

Measure run_zknh(const host::ArchInfo& arch, size_t size) {
  host::BuildRequest req;
  req.arch = &arch;
  req.ram = {{arch.demo_ram_base, 64 << 20}};
  req.segments.push_back({Role::kKernel, "bench", arch.demo_ram_base + 0x200000, bytes(size)});
  req.segments.push_back({Role::kDtb, "tree", arch.demo_ram_base + 0x1000000, zknh_tree()});
  req.entry = arch.demo_ram_base + 0x200000;
  req.boot_args = {{"a1", arch.demo_ram_base + 0x1000000}};
  const host::Image image = host::build_image(req, host::embedded_purgatory(arch.name));
  emu::RunInput in = cli::run_input(image, {});
  const emu::Chunk purgatory = in.chunks.back();
  in.before_run = [purgatory](emu::Machine& machine) {
    const std::vector<uint8_t>& b = purgatory.bytes;
    for (size_t o = 0; o + 4 <= b.size(); o += 2) {
      const uint32_t insn = uint32_t{b[o]} | uint32_t{b[o + 1]} << 8 | uint32_t{b[o + 2]} << 16 |
                            uint32_t{b[o + 3]} << 24;
      if ((insn & 0xffc0707f) != 0x10001013) continue;  // sha256sum0/1, sha256sig0/1
      const int which = (insn >> 20) & 3, rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
      const uint64_t at = purgatory.addr + o;
      machine.on_code(
          [&machine, which, rd, rs1, at](uint64_t, uint32_t) {
            const uint32_t x =
                rs1 ? static_cast<uint32_t>(machine.reg_read(UC_RISCV_REG_X0 + rs1)) : 0;
            const uint32_t r = which == 0   ? ror(x, 2) ^ ror(x, 13) ^ ror(x, 22)
                               : which == 1 ? ror(x, 6) ^ ror(x, 11) ^ ror(x, 25)
                               : which == 2 ? ror(x, 7) ^ ror(x, 18) ^ (x >> 3)
                                            : ror(x, 17) ^ ror(x, 19) ^ (x >> 10);
            if (rd)
              machine.reg_write(UC_RISCV_REG_X0 + rd,
                                static_cast<uint64_t>(int64_t{static_cast<int32_t>(r)}));
            machine.reg_write(UC_RISCV_REG_PC, at + 4);
          },
          at, at);
    }
  };
  const emu::RunResult r = emu::run_with(in, {.count_each_instruction = true});
  if (r.outcome != emu::Outcome::kHandoff)
    fmt::print("  (riscv64 zknh: unexpected outcome {})\n", emu::outcome_name(r.outcome));
  return {r.instructions, 0, r.console.find("styx: sha256: zknh") != std::string::npos};
}

// Figures of other purgatories' SHA-256, measured the same way (docs/PERFORMANCE.md): Styx is
// compared with them, `goal` is what its generic code aims at and `hardware_goal` (0: none) what
// its hardware routine aims at.
struct Anchors {
  std::string_view arch;
  double kexec_tools, best, goal, hardware_goal;
};

constexpr Anchors kAnchors[] = {
    {"arm64", 30.0, 29.97, 27, 2}, {"ppc64le", 36.8, 36.7, 33, 15}, {"riscv64", 63.9, 58.1, 52, 0},
    {"s390x", 48.5, 42.3, 38, 0},  {"x86_64", 53.4, 50.1, 45, 0},
};

const Anchors* anchors_of(std::string_view arch) {
  for (const Anchors& a : kAnchors)
    if (a.arch == arch) return &a;
  return nullptr;
}

// What one more byte costs, from runs at two sizes (see docs/PERFORMANCE.md).
struct Marginal {
  double per_byte, fixed, mips;
  bool hardware;
};

constexpr size_t kSmall = 1 << 20, kLarge = 2 << 20;

Marginal marginal(const host::ArchInfo& arch, Sha256Routine routine) {
  const Measure small = run_one(arch, kSmall, routine), large = run_one(arch, kLarge, routine);
  const double per_byte =
      static_cast<double>(large.instructions - small.instructions) / (kLarge - kSmall);
  return {per_byte, static_cast<double>(small.instructions) - per_byte * kSmall,
          static_cast<double>(large.instructions) / large.seconds / 1e6,
          small.hardware && large.hardware};
}

template <class F>
double ns_per_byte(F&& f, size_t size, int reps = 5) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) f();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s * 1e9 / (static_cast<double>(size) * reps);
}

// The best of several rounds, each alternating the two so that both see the same load.
template <class F, class G>
std::pair<double, double> best_of_pair(F&& f, G&& g, size_t size) {
  double best_f = 1e9, best_g = 1e9;
  for (int round = 0; round < 7; ++round) {
    best_f = std::min(best_f, ns_per_byte(f, size, 3));
    best_g = std::min(best_g, ns_per_byte(g, size, 3));
  }
  return {best_f, best_g};
}

#if STYX_HOST_SHANI
bool host_has_sha_ni() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 9)) || !(c & (1u << 19))) return false;
  return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
}
#endif

// The arm64 real boot's own record (tests/e2e/boot-arm64.sh): Debian's kernel and initrd verified
// under qemu by the same image built `--sha256 auto` and `--sha256 generic`, in one run.
void print_real_boot_rate() {
  const std::string path = STYX_BINARY_DIR "/tests/e2e/arm64-verify-rate.txt";
  fmt::print("\narm64 real boot (qemu cortex-a57, Debian kernel + initrd), auto vs generic\n");
  std::ifstream in(path);
  if (!in) {
    fmt::print("  not measured; run ctest -R e2e-boot-arm64$ (goal: auto >= 1.4x generic)\n");
    return;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("ratio: ", 0) == 0) {
      fmt::print("  {:<24} {}x the rate of generic (goal >= 1.4x)\n", "auto", line.substr(7));
    } else {
      fmt::print("  {}\n", line);
    }
  }
}

double seconds_of(const std::function<void()>& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The whole file through OpenSSL in 1 MiB reads, as `openssl dgst` and `sha256sum` do.
void hash_file(const std::string& path) {
  const auto file = host::InputFile::open(path, 1ull << 32);
  host::Sha256 h;
  file->read(0, file->size(), [&](std::span<const uint8_t> piece) { h.update(piece); });
  (void)h.finish();
}

// `styx build` of a 64 MiB --segment file, next to copying it and hashing it (what cp and
// sha256sum do) in the same run; `styx verify` of the image next to hashing the image file. The
// references run in this process with OpenSSL, faster than the cp, sha256sum and openssl
// commands the goals were set against, and without the fsync the build does.
void print_stream_rates() {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("styx-bench.{}", ::getpid());
  fs::create_directories(dir);
  const std::string input = (dir / "initrd").string(), image = (dir / "out.img").string();
  const size_t size = 64 << 20;
  host::write_file_atomic(input, bytes(size), false);
  const host::ArchInfo& arch = *host::find_arch("arm64");
  const auto build = [&] {
    host::BuildRequest req;
    req.arch = &arch;
    req.ram = {{0x40000000, 1ull << 30}};
    req.entry = 0x40200000;
    req.segments.push_back({Role::kKernel, "kernel", 0x40200000, bytes(1 << 20)});
    req.segments.push_back({Role::kInitrd, input, 0x48000000, {}, 0, host::open_region(input)});
    host::PlannedImage planned =
        host::plan_image(std::move(req), host::embedded_purgatory("arm64"));
    host::write_image(image, planned.image, [&](std::span<const host::Digest> digests) {
      host::link_image(planned, digests);
    });
  };
  double styx_build = 1e9, copy_hash = 1e9, styx_verify = 1e9, openssl = 1e9;
  for (int round = 0; round < 3; ++round) {
    styx_build = std::min(styx_build, seconds_of(build));
    copy_hash =
        std::min(copy_hash, seconds_of([&] {
                   std::filesystem::copy_file(input, (dir / "copy").string(),
                                              std::filesystem::copy_options::overwrite_existing);
                   hash_file(input);
                 }));
    styx_verify = std::min(
        styx_verify, seconds_of([&] { (void)host::segment_digests(host::open_image(image)); }));
    openssl = std::min(openssl, seconds_of([&] { hash_file(image); }));
  }
  fs::remove_all(dir);
  fmt::print("\nstyx build and verify, 64 MiB segment from {}, best of 3\n",
             fs::temp_directory_path().string());
  fmt::print("  styx build:              {:.3f} s\n", styx_build);
  fmt::print("  copy + OpenSSL hash:     {:.3f} s  (build goal <= 1.5x: {:.2f}x)\n", copy_hash,
             styx_build / copy_hash);
  fmt::print("  styx verify:             {:.3f} s\n", styx_verify);
  fmt::print("  OpenSSL hash of image:   {:.3f} s  (verify goal >= 0.9x throughput: {:.2f}x)\n",
             openssl, openssl / styx_verify);
}

}  // namespace

// Arguments name the ISAs to measure (all by default); with any given, only their SHA-256 tables
// are printed, which is what tuning one ISA's generic routine needs.
int main(int argc, char** argv) {
  const std::vector<std::string_view> only(argv + 1, argv + argc);
  for (const std::string_view name : only)
    if (!host::find_arch(name)) {
      fmt::print(stderr, "styx-bench: '{}': unknown ISA (known: {})\n", name, host::arch_names());
      return 2;
    }
  fmt::print(
      "SHA-256 in the purgatory, executed instructions per byte under Unicorn (marginal, {} vs {} "
      "bytes)\n",
      kSmall, kLarge);
  for (const host::ArchInfo* a : host::all_arches()) {
    if (!only.empty() && std::find(only.begin(), only.end(), a->name) == only.end()) continue;
    const Marginal generic = marginal(*a, Sha256Routine::kGeneric);
    // The purgatory decides on the (emulated) CPU whether it has a hardware routine.
    const Marginal automatic = marginal(*a, Sha256Routine::kAuto);
    fmt::print("\n{} (fixed cost {:.0f} instructions, {:.0f} emulated MIPS)\n", a->name,
               generic.fixed, generic.mips);
    fmt::print("  {:<24} {:>10}\n", "routine", "insns/byte");
    fmt::print("  {:<24} {:>10.2f}\n", "styx generic", generic.per_byte);
    if (automatic.hardware) {
      fmt::print("  {:<24} {:>10.2f}  (fixed cost {:.0f})\n", "styx hardware", automatic.per_byte,
                 automatic.fixed);
    } else {
      fmt::print("  {:<24} {:>10}\n", "styx hardware", "-");
    }
    if (a->name == std::string_view("riscv64")) {
      const Measure small = run_zknh(*a, kSmall), large = run_zknh(*a, kLarge);
      const double per_byte =
          static_cast<double>(large.instructions - small.instructions) / (kLarge - kSmall);
      if (small.hardware && large.hardware) {
        fmt::print("  {:<24} {:>10.2f}  (fixed cost {:.0f}; Zknh executed in hooks)\n", "styx zknh",
                   per_byte, static_cast<double>(small.instructions) - per_byte * kSmall);
      } else {
        fmt::print("  {:<24} {:>10}  (the purgatory did not choose it)\n", "styx zknh", "?");
      }
    }
    if (const Anchors* anchors = anchors_of(a->name)) {
      fmt::print("  {:<24} {:>10.2f}\n", "kexec-tools purgatory", anchors->kexec_tools);
      fmt::print("  {:<24} {:>10.2f}\n", "best anchor", anchors->best);
      fmt::print("  {:<24} {:>10}\n", "goal for generic", fmt::format("<= {:.0f}", anchors->goal));
      if (anchors->hardware_goal)
        fmt::print("  {:<24} {:>10}\n", "goal for hardware",
                   fmt::format("<= {:.0f}", anchors->hardware_goal));
    }
  }

  if (!only.empty()) return 0;
  const auto data = bytes(16 << 20);
  uint8_t digest[32];
  fmt::print("\nSHA-256 on this host, 16 MiB\n");
  fmt::print("  purgatory's generic C++: {:.2f} ns/byte\n",
             ns_per_byte([&] { styx::sha256(data.data(), data.size(), digest); }, data.size()));
  fmt::print("  OpenSSL:                 {:.2f} ns/byte\n",
             ns_per_byte([&] { (void)host::sha256(data); }, data.size()));
#if STYX_HOST_SHANI
  // The x86_64 purgatory's SHA-NI routine, natively (the emulator cannot run it), next to OpenSSL's
  // EVP SHA-256 on the same buffer in the same run; MB/s = bytes per microsecond.
  if (host_has_sha_ni()) {
    const auto [shani, openssl] = best_of_pair(
        [&] { styx::sha256(data.data(), data.size(), digest, styx_sha256_blocks_shani); },
        [&] { (void)host::sha256(data); }, data.size());
    fmt::print("\nx86_64 sha-ni routine on this host, 16 MiB, best of 7 rounds\n");
    fmt::print("  styx sha-ni:             {:.3f} ns/byte  {:7.0f} MB/s\n", shani, 1e3 / shani);
    fmt::print("  OpenSSL EVP sha256:      {:.3f} ns/byte  {:7.0f} MB/s\n", openssl, 1e3 / openssl);
    fmt::print("  styx / OpenSSL:          {:.2f}x throughput (goal >= 0.8)\n", openssl / shani);
  } else {
    fmt::print("\nx86_64 sha-ni routine: this CPU lacks SHA-NI, not measured\n");
  }
#endif
  print_stream_rates();
  print_real_boot_rate();
  return 0;
}

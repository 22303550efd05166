// `styx build --kernel` images run in the emulator: what the next kernel reads at the hand-off
// (command line, initrd, IMA list, memory map) must be exactly what was given, on every ISA
// that boots Linux. Kernels here are synthetic: only their headers matter before the entry.
#include <libfdt.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "file-io.h"
#include "fixture.h"

namespace styx::test {
namespace {

namespace fs = std::filesystem;

void put(std::vector<uint8_t>& f, size_t at, uint64_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) f[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// A relocatable 64-bit bzImage (boot protocol 2.15) with a 256 KiB protected-mode part.
std::vector<uint8_t> bzimage() {
  constexpr size_t kSetup = 5 * 512, kPm = 256 << 10;
  std::vector<uint8_t> f = pattern(kSetup + kPm, 9);
  std::fill(f.begin(), f.begin() + kSetup, 0);
  put(f, 0x1f1, 4, 1);       // setup_sects
  put(f, 0x1fe, 0xaa55, 2);  // boot_flag
  put(f, 0x201, 0x26c - 0x202, 1);
  put(f, 0x202, 0x53726448, 4);  // "HdrS"
  put(f, 0x206, 0x020f, 2);      // protocol 2.15
  put(f, 0x211, 1, 1);           // LOADED_HIGH
  put(f, 0x22c, 0x7fffffff, 4);  // initrd_addr_max
  put(f, 0x230, 2 << 20, 4);     // kernel_alignment
  put(f, 0x234, 1, 1);           // relocatable
  put(f, 0x235, 21, 1);          // min_alignment
  put(f, 0x236, 0x3, 2);         // XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
  put(f, 0x238, 2047, 4);        // cmdline_size
  put(f, 0x258, 16 << 20, 8);    // pref_address
  put(f, 0x260, 8 << 20, 4);     // init_size
  return f;
}

// An arm64 Image header (text_offset 0, image_size 1 MiB) and 192 KiB of body.
std::vector<uint8_t> arm64_image() {
  std::vector<uint8_t> f = pattern(192 << 10, 11);
  std::fill(f.begin(), f.begin() + 64, 0);
  put(f, 16, 1 << 20, 8);     // image_size
  put(f, 24, 0xa, 8);         // flags: little-endian, 4K pages
  put(f, 56, 0x644d5241, 4);  // "ARM\x64"
  return f;
}

// A qemu-virt-like device tree: 1 GiB at 0x40000000, a PL011, /chosen with stdout-path.
std::vector<uint8_t> virt_dtb() {
  std::vector<uint8_t> b(4096);
  auto be32 = [](uint32_t v) { return cpu_to_fdt32(v); };
  fdt_create(b.data(), static_cast<int>(b.size()));
  fdt_finish_reservemap(b.data());
  fdt_begin_node(b.data(), "");
  fdt_property_u32(b.data(), "#address-cells", 2);
  fdt_property_u32(b.data(), "#size-cells", 2);
  fdt_begin_node(b.data(), "memory@40000000");
  fdt_property_string(b.data(), "device_type", "memory");
  const uint32_t mem[] = {be32(0), be32(0x40000000), be32(0), be32(0x40000000)};
  fdt_property(b.data(), "reg", mem, sizeof mem);
  fdt_end_node(b.data());
  fdt_begin_node(b.data(), "pl011@9000000");
  fdt_property_string(b.data(), "compatible", "arm,pl011");
  const uint32_t uart[] = {be32(0), be32(0x09000000), be32(0), be32(0x1000)};
  fdt_property(b.data(), "reg", uart, sizeof uart);
  fdt_end_node(b.data());
  fdt_begin_node(b.data(), "chosen");
  fdt_property_string(b.data(), "stdout-path", "/pl011@9000000");
  fdt_end_node(b.data());
  fdt_end_node(b.data());
  fdt_finish(b.data());
  b.resize(fdt_totalsize(b.data()));
  return b;
}

using Result = CliResult;

class NextKernel : public testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::string name = testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '_');
    dir_ = fs::temp_directory_path() / ("styx-next-kernel-" + std::to_string(::getpid()) + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    x86_ = GetParam() == "x86_64";
    write("kernel", x86_ ? bzimage() : arm64_image());
    write("initrd", pattern(70001, 5));
    write("virt.dtb", virt_dtb());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::vector<uint8_t>& data) const {
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()),
               static_cast<std::streamsize>(data.size()));
  }
  std::vector<std::string> build_args(const std::string& cmdline) const {
    std::vector<std::string> args{"build",        "--arch",     GetParam(),     "--kernel",
                                  path("kernel"), "--initrd",   path("initrd"), "--cmdline",
                                  cmdline,        "--ima-list", kImaList,       "-o",
                                  path("image")};
    if (x86_) {
      args.insert(args.end(), {"--mem", "0x0:0x9f000", "--mem", "0x100000:0xff00000"});
    } else {
      args.insert(args.end(), {"--dtb", path("virt.dtb")});
    }
    return args;
  }

  static constexpr const char* kImaList =
      STYX_SOURCE_DIR "/tests/data/ima/debian12-amd64-binary_runtime_measurements";
  fs::path dir_;
  bool x86_ = false;
};

TEST_P(NextKernel, SeesExactlyWhatWasGiven) {
  const std::string cmdline = "console=ttyS0 root=/dev/vda ro quiet";
  Result r = styx(build_args(cmdline));
  ASSERT_EQ(r.status, 0) << r.err;
  r = styx({"run", path("image"), "--json"});
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "handoff");
  const auto& next = j["next_kernel"];
  EXPECT_EQ(next["cmdline"], cmdline);
  EXPECT_EQ(next["initrd"]["size"], "0x11171");
  EXPECT_EQ(next["initrd"]["matches"], true);
  EXPECT_EQ(next["ima"]["records"], 9);
  EXPECT_EQ(next["ima"]["matches"], true);
  ASSERT_FALSE(next["memory"].empty());
  if (x86_) {
    EXPECT_EQ(next["memory"][0]["start"], "0x0");
    EXPECT_EQ(next["memory"][0]["size"], "0x9f000");
    EXPECT_EQ(next["memory"][1]["start"], "0x100000");
  } else {
    EXPECT_EQ(next["memory"][0]["start"], "0x40000000");
    EXPECT_EQ(next["memory"][0]["size"], "0x40000000");
  }
  EXPECT_EQ(j["console"].get<std::string>().find("FAIL"), std::string::npos);

  // The carried list, as `styx ima show` reads it back out of the image.
  const Result shown = styx({"ima", "show", path("image")});
  EXPECT_EQ(shown.status, 0) << shown.err;
  const Result original = styx({"ima", "show", kImaList});
  EXPECT_EQ(shown.out, original.out);
  EXPECT_EQ(std::count(shown.out.begin(), shown.out.end(), '\n'), 9);
}

TEST_P(NextKernel, CorruptImaListIsNamedAndNothingIsHandedOver) {
  ASSERT_EQ(styx(build_args("quiet")).status, 0);
  const auto image = host::read_image(path("image"));
  uint32_t ima = 0;
  while (ima < image.segments.size() && image.segments[ima].role != Role::kIma) ++ima;
  ASSERT_LT(ima, image.segments.size());
  const Result r = styx({"run", path("image"), "--flip", std::to_string(ima) + ":100:2", "--json"});
  EXPECT_EQ(r.status, 1);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["outcome"], "failure");
  EXPECT_EQ(j["failed_segments"], nlohmann::json::array({ima}));
  EXPECT_FALSE(j.contains("next_kernel"));
  EXPECT_NE(j["console"].get<std::string>().find("FAIL segment " + std::to_string(ima) + " (ima)"),
            std::string::npos);
}

TEST_P(NextKernel, BadBootInputIsOneLineExitTwoAndNoFile) {
  auto expect_bad = [&](std::vector<std::string> args, const std::string& needle) {
    const Result r = styx(args);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(path("image")));
  };
  auto with_kernel = [&](const std::vector<uint8_t>& kernel) {
    write("bad-kernel", kernel);
    auto args = build_args("quiet");
    args[4] = path("bad-kernel");
    return args;
  };
  // Not a kernel of this ISA, and a truncated one.
  expect_bad(with_kernel(pattern(8192, 3)), path("bad-kernel") + ": ");
  auto kernel = x86_ ? bzimage() : arm64_image();
  kernel.resize(x86_ ? 0x300 : 40);
  expect_bad(with_kernel(kernel), path("bad-kernel") + ": ");
  // A list with a bad record: its index and offset are named.
  auto list = host::read_file(kImaList);
  list[4 + 20] = 0xff;  // the first record's template name length
  write("bad-list", list);
  auto args = build_args("quiet");
  args[10] = path("bad-list");
  expect_bad(args, path("bad-list") + ": record 0 at offset 0x0: ");
  // A command line longer than the boot protocol allows (x86_64: cmdline_size 2047).
  if (x86_) expect_bad(build_args(std::string(4096, 'x')), "command line");
  // A kernel too large for RAM.
  args = build_args("quiet");
  if (x86_) {
    args.erase(args.end() - 4, args.end());
    args.insert(args.end(), {"--mem", "0x100000:0x800000"});
  } else {
    args.insert(args.end(), {"--mem", "0x40000000:0x100000"});
  }
  expect_bad(args, "short by");
  if (!x86_) {
    // A malformed device tree.
    auto dtb = virt_dtb();
    dtb.resize(dtb.size() / 2);
    write("bad.dtb", dtb);
    args = build_args("quiet");
    args.back() = path("bad.dtb");
    expect_bad(args, path("bad.dtb") + ": ");
  }
}

std::vector<std::string> booting_arches() {
  std::vector<std::string> names;
  for (const host::ArchInfo* a : host::all_arches())
    if (a->plan_boot) names.emplace_back(a->name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Isa, NextKernel, testing::ValuesIn(booting_arches()), param_name);

}  // namespace
}  // namespace styx::test

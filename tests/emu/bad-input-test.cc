// SPDX-License-Identifier: GPL-2.0-only
// Bad input through the `styx` command line: every refusal is one line naming the file (or
// option) and the problem, a documented exit status, no output left behind, no input changed.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>

#include "digest.h"
#include "embedded-purgatory.h"
#include "file-io.h"
#include "fixture.h"
#include "image-limits.h"
#include "sample-boot.h"
#include "unit/crafted-image.h"

namespace styx::test {
namespace {

namespace fs = std::filesystem;

class BadInput : public testing::Test, protected TestDir {
 protected:
  BadInput() : TestDir("styx-bad-input-test") {}

  void SetUp() override {
    const host::ArchInfo& a = *host::find_arch("x86_64");
    base_ = a.demo_ram_base;
    write("kernel", pattern(8192, 1));
    write("initrd", pattern(5003, 2));
    write("boot", pattern(4096, 3));
    write("bzImage", sample_boot("x86_64").kernel);
    ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
    const CliResult r = styx(build_args("image"));
    ASSERT_EQ(r.status, 0) << r.err;
    fs::copy(fs::path(STYX_SOURCE_DIR) / "tests/data/sysroot/x86_64", path("sysroot"),
             fs::copy_options::recursive);
  }

  /// Writes `name`: the good image after `change` (crafted_image() keeps it self-consistent).
  void write_crafted(const std::string& name,
                     const std::function<void(host::Image&)>& change) const {
    write(name, crafted_image(host::read_image(path("image")), change));
  }

  std::string addr(uint64_t offset) const { return host::hex(base_ + offset); }

  std::vector<std::string> build_args(const std::string& out) const {
    return {"build",
            "--arch",
            "x86_64",
            "--segment",
            "kernel=" + path("kernel") + "@" + addr(0x200000),
            "--segment",
            "initrd=" + path("initrd") + "@" + addr(0x1000000),
            "--segment",
            "bootparams=" + path("boot") + "@" + addr(0x2000000),
            "--entry",
            addr(0x200000),
            "--boot-arg",
            "rsi=" + addr(0x2000000),
            "--mem",
            addr(0) + ":64M",
            "-o",
            out.starts_with("/") ? out : path(out)};
  }
  std::vector<std::string> with(std::vector<std::string> args,
                                const std::vector<std::string>& more) const {
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }

  /// Every entry of the directory (recursively) with the digest of its contents: what a command
  /// must leave exactly as it was when it refuses its input.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root())) {
      const std::string name = fs::relative(e.path(), root()).string();
      if (e.is_symlink())
        out[name] = "-> " + fs::read_symlink(e.path()).string();
      else if (e.is_regular_file())
        out[name] = fs::file_size(e.path()) > (64u << 20)
                        ? "size " + std::to_string(fs::file_size(e.path()))
                        : host::to_hex(host::sha256(host::read_file(e.path().string())));
      else
        out[name] = "special";
    }
    return out;
  }

  /// Runs `args`: exit `status`, one line on stderr that names `culprit` and says `problem`,
  /// nothing on stdout, and the directory exactly as before.
  void expect_refused(const std::vector<std::string>& args, int status, const std::string& culprit,
                      const std::string& problem) const {
    const auto before = snapshot();
    const CliResult r = styx(args);
    EXPECT_EQ(r.status, status) << r.out << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.err.starts_with("styx: ")) << r.err;
    EXPECT_NE(r.err.find(culprit), std::string::npos) << "culprit " << culprit << ": " << r.err;
    EXPECT_NE(r.err.find(problem), std::string::npos) << "problem " << problem << ": " << r.err;
    EXPECT_EQ(snapshot(), before) << "files changed or left behind";
  }

  uint64_t base_ = 0;
};

TEST_F(BadInput, SpecialFilesAreRefusedByTypeBeforeReading) {
  expect_refused({"inspect", "/dev/zero"}, 2, "/dev/zero", "is a character device");
  expect_refused({"verify", "/dev/zero"}, 2, "/dev/zero", "is a character device");
  expect_refused({"ima", "show", "/dev/urandom"}, 2, "/dev/urandom", "is a character device");
  expect_refused({"inspect", path("fifo")}, 2, path("fifo"), "is a FIFO");
  // A FIFO with no writer would block forever in open().
  expect_refused({"build", "--arch", "x86_64", "--kernel", path("fifo"), "--mem", addr(0) + ":64M",
                  "-o", path("out")},
                 2, path("fifo"), "is a FIFO, not a regular file");
}

TEST_F(BadInput, HugeSparseFilesAreRefusedBySizeBeforeReading) {
  fs::copy_file(path("image"), path("huge"));
  fs::resize_file(path("huge"), host::kMaxImageBytes + 4096);
  for (const std::string cmd : {"inspect", "verify", "run"})
    expect_refused({cmd, path("huge")}, 2, path("huge"), "larger than 4 GiB");
  expect_refused({"ima", "show", path("huge")}, 2, path("huge"), "larger than 4 GiB");
  fs::copy_file(path("initrd"), path("huge-initrd"));
  fs::resize_file(path("huge-initrd"), host::kMaxSegmentBytes + 1);
  expect_refused(with(build_args("out"), {"--segment", "data=" + path("huge-initrd") + "@0x0"}), 2,
                 path("huge-initrd"), "larger than 2 GiB");
}

TEST_F(BadInput, OutputEqualToAnInputIsRefused) {
  for (const std::string input : {"kernel", "initrd", "boot"})
    expect_refused(build_args(input), 2, path(input), "refusing to overwrite an input");
  fs::create_hard_link(path("initrd"), path("initrd-link"));
  expect_refused(build_args("initrd-link"), 2, path("initrd"), "refusing to overwrite an input");
  fs::create_symlink(path("kernel"), path("kernel-symlink"));
  expect_refused(build_args("kernel-symlink"), 2, path("kernel"), "refusing to overwrite an input");
  expect_refused({"build", "--arch", "x86_64", "--kernel", path("bzImage"), "--initrd",
                  path("initrd"), "--mem", addr(0) + ":64M", "-o", path("initrd")},
                 2, path("initrd"), "refusing to overwrite an input");
  expect_refused({"build", "--arch", "x86_64", "--kernel", path("bzImage"), "--mem",
                  addr(0) + ":64M", "-o", path("bzImage")},
                 2, path("bzImage"), "refusing to overwrite an input");
}

TEST_F(BadInput, OutputThatIsNotARegularFileIsRefused) {
  expect_refused(build_args("fifo"), 2, path("fifo"), "is a FIFO, not a regular file");
  fs::create_symlink(path("fifo"), path("to-fifo"));
  expect_refused(build_args("to-fifo"), 2, path("to-fifo"), "is a FIFO, not a regular file");
  fs::create_symlink("/dev/null", path("to-null"));
  expect_refused(build_args("to-null"), 2, path("to-null"), "is a character device");
  fs::create_directory(path("dir"));
  expect_refused(build_args("dir"), 2, path("dir"), "is a directory");
  fs::create_symlink(path("nothing"), path("dangling"));
  expect_refused(build_args("dangling"), 2, path("dangling"), "symlink to nothing");
}

TEST_F(BadInput, StructurallyImpossibleImagesAreRefusedByEveryReader) {
  // verify used to call these fine and load --dry-run to "would load" them.
  write_crafted("wraps", [](host::Image& i) { i.segments[1].addr = 0xfffffffffffff000; });
  write_crafted("huge", [](host::Image& i) { i.ram = {{0x1000, 0xfffffffffffff000}}; });
  write_crafted("overlap", [](host::Image& i) { i.segments[1].addr = i.segments[0].addr + 1; });
  for (const auto& [file, problem] : std::vector<std::pair<std::string, std::string>>{
           {"wraps", "segment 1 (initrd): address range wraps"},
           {"huge", "wraps around the address space"},
           {"overlap", "overlaps segment 0 (kernel)"}}) {
    for (const std::string cmd : {"inspect", "verify", "run"})
      expect_refused({cmd, path(file)}, 2, path(file), problem);
    expect_refused({"load", path(file), "--dry-run", "--sysroot", path("sysroot")}, 2, path(file),
                   problem);
  }
}

TEST_F(BadInput, ImaExtraThatWouldWrapIsRefused) {
  // Used to wrap to a buffer one byte short: build exited 0 and the purgatory refused the image.
  const std::string list =
      std::string(STYX_SOURCE_DIR) + "/tests/data/ima/debian12-amd64-binary_runtime_measurements";
  const std::vector<std::string> args{
      "build",          "--arch",     "x86_64", "--kernel", path("bzImage"), "--mem",
      addr(0) + ":64M", "--ima-list", list,     "-o",       path("out")};
  for (const std::string extra : {"0xffffffffffffffff", "0xfffffffffffffff0", "0x80000001"})
    expect_refused(with(args, {"--ima-extra", extra}), 2, "--ima-extra '" + extra + "'",
                   "at most 0x80000000");
  EXPECT_EQ(styx(with(args, {"--ima-extra", "4096"})).status, 0);
}

TEST_F(BadInput, MaxInsnsMustBeAPositiveNumber) {
  // CLI11 read -1 into the unsigned budget as 2^64 - 1: no limit at all.
  expect_refused({"run", path("image"), "--max-insns", "-1"}, 2, "--max-insns '-1'",
                 "not a number");
  expect_refused({"run", path("image"), "--max-insns", "0"}, 2, "--max-insns '0'",
                 "must be at least 1");
  const CliResult r = styx({"run", path("image"), "--max-insns", "100"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("timeout: instruction budget exhausted"), std::string::npos) << r.out;
}

TEST_F(BadInput, UnknownSubcommandIsNamedWithTheNearestMatch) {
  expect_refused({"biuld", "--arch", "x86_64"}, 2, "unknown command 'biuld'",
                 "(did you mean 'build'?)");
  expect_refused({"inpsect", path("image")}, 2, "unknown command 'inpsect'",
                 "(did you mean 'inspect'?)");
  expect_refused({"ima", "shwo", path("image")}, 2, "unknown command 'ima shwo'",
                 "(did you mean 'ima show'?)");
}

// The catalog: malformed inputs for every command that reads files, each refused in one line
// that names the culprit (the file, or the option and its value) and the problem, with the exit
// status of the README's table, leaving every file as it was and no output behind.
struct Case {
  std::string name;
  std::vector<std::string> args;
  int status;
  std::string culprit;
  std::string problem;
};

TEST_F(BadInput, Catalog) {
  const auto good = host::read_file(path("image"));
  const host::Image image = host::parse_image(good, "image");
  write("notes", {'h', 'e', 'l', 'l', 'o', '\n'});
  write("empty", {});
  write("random", pattern(100000, 9));
  write("truncated", {good.begin(), good.begin() + static_cast<ptrdiff_t>(good.size() / 2)});
  write("purgatory",
        {host::embedded_purgatory("x86_64").begin(), host::embedded_purgatory("x86_64").end()});
  auto patched = [&](const std::string& name, size_t at, uint8_t value) {
    auto bytes = good;
    bytes.at(at) = value;
    write(name, bytes);
  };
  patched("elf32", 4, 1);        // EI_CLASS
  patched("elf-order", 5, 7);    // EI_DATA
  patched("machine", 18, 0x99);  // e_machine
  patched("not-exec", 16, 3);    // e_type ET_DYN
  patched("phentsize", 54, 55);  // e_phentsize
  write_crafted("wraps", [](host::Image& i) { i.segments[1].addr = 0xfffffffffffff000; });
  write_crafted("overlap", [](host::Image& i) { i.segments[2].addr = i.segments[1].addr + 8; });
  write_crafted("outside", [](host::Image& i) { i.segments[0].addr = 0x80000000; });
  write_crafted("ram-overlap", [](host::Image& i) { i.ram.push_back(i.ram[0]); });
  write_crafted("ram-wraps", [](host::Image& i) { i.ram[0].size = UINT64_MAX - 0xfff; });
  write_crafted("ram-many", [](host::Image& i) {
    for (uint64_t r = 0; r < host::kMaxRamRanges; ++r)
      i.ram.push_back({0x100000000 + 2 * r * 0x1000, 0x1000});
  });
  write_crafted("entry", [](host::Image& i) { i.handoff.entry = 0x10; });
  write_crafted("log", [](host::Image& i) { i.handoff.log_addr = 0x10; });
  write_crafted("purgatory-overlap", [](host::Image& i) { i.segments[0].addr = i.purgatory_addr; });
  write_crafted("magic", [](host::Image& i) { i.handoff.magic ^= 1; });
  write_crafted("version", [](host::Image& i) { i.handoff.version = 9; });
  write_crafted("role", [](host::Image& i) { i.segments[0].role = static_cast<Role>(77); });
  {
    auto bytes = good;
    const auto initrd = pattern(5003, 2);
    auto it = std::search(bytes.begin(), bytes.end(), initrd.begin(), initrd.end());
    ASSERT_NE(it, bytes.end());
    it[7] ^= 0x80;
    write("corrupt", bytes);
  }
  fs::copy_file(path("image"), path("huge"));
  fs::resize_file(path("huge"), host::kMaxImageBytes + 1);
  fs::create_directory(path("dir"));
  fs::create_symlink("/dev/null", path("to-null"));
  const std::string list =
      std::string(STYX_SOURCE_DIR) + "/tests/data/ima/debian12-amd64-binary_runtime_measurements";
  const std::string ascii =
      std::string(STYX_SOURCE_DIR) + "/tests/data/ima/debian12-amd64-ascii_runtime_measurements";
  {
    auto bytes = host::read_file(list);
    write("ima-truncated", {bytes.begin(), bytes.end() - 7});
  }
  const std::string other = host::hex(0x40000000);
  const CliResult arm = styx({"build", "--arch", "arm64", "--segment",
                              "kernel=" + path("kernel") + "@" + host::hex(0x40200000), "--entry",
                              host::hex(0x40200000), "--mem", other + ":64M", "-o", path("arm")});
  ASSERT_EQ(arm.status, 0) << arm.err;

  const auto seg = [&](const std::string& spec) {
    return with(build_args("out"), {"--segment", spec});
  };
  const auto opt = [&](const std::string& option, const std::string& value) {
    return with(build_args("out"), {option, value});
  };
  const auto linux_build = [&](const std::vector<std::string>& more,
                               const std::string& kernel = "") {
    return with({"build", "--arch", "x86_64", "--kernel", kernel.empty() ? path("bzImage") : kernel,
                 "--mem", addr(0) + ":64M", "-o", path("out")},
                more);
  };
  const auto dry = [&](const std::vector<std::string>& more) {
    return with({"load", "--dry-run", "--sysroot", path("sysroot")}, more);
  };
  const std::string at = "@" + addr(0x3000000);
  auto many_mem = build_args("out");
  for (int i = 0; i < 1025; ++i)
    many_mem.insert(many_mem.end(), {"--mem", host::hex(0x100000000 + 2 * i * 0x1000) + ":4K"});
  auto many_segments = build_args("out");
  for (int i = 0; i < 30; ++i)
    many_segments.insert(many_segments.end(), {"--segment", "data=" + path("kernel") + "@" +
                                                                addr(0x3000000 + i * 0x10000)});

  const std::vector<Case> cases{
      // build: the files it reads
      {"segment missing", seg("data=" + path("missing") + at), 2, path("missing"), "No such file"},
      {"segment empty", seg("data=" + path("empty") + at), 2, path("empty"), "empty file"},
      {"segment directory", seg("data=" + path("dir") + at), 2, path("dir"), "is a directory"},
      {"segment FIFO", seg("data=" + path("fifo") + at), 2, path("fifo"), "is a FIFO"},
      {"segment /dev/zero", seg("data=/dev/zero" + at), 2, "/dev/zero", "character device"},
      {"segment huge", seg("data=" + path("huge") + at), 2, path("huge"), "larger than 2 GiB"},
      {"kernel missing", linux_build({}, path("missing")), 2, path("missing"), "No such file"},
      {"kernel not a bzImage", linux_build({}, path("random")), 2, path("random"), "not a bzImage"},
      {"kernel empty", linux_build({}, path("empty")), 2, path("empty"), "empty file"},
      {"kernel FIFO", linux_build({}, path("fifo")), 2, path("fifo"), "is a FIFO"},
      {"kernel /dev/urandom", linux_build({}, "/dev/urandom"), 2, "/dev/urandom",
       "character device"},
      {"initrd /dev/zero", linux_build({"--initrd", "/dev/zero"}), 2, "/dev/zero",
       "character device"},
      {"initrd empty", linux_build({"--initrd", path("empty")}), 2, path("empty"), "empty file"},
      {"dtb on x86_64", linux_build({"--dtb", path("boot")}), 2, path("boot"), "not a DTB"},
      {"IMA list garbage", linux_build({"--ima-list", path("random")}), 2, path("random"),
       "byte order"},
      {"IMA list truncated", linux_build({"--ima-list", path("ima-truncated")}), 2,
       path("ima-truncated"), "record"},
      {"IMA list ascii", linux_build({"--ima-list", ascii}), 2, ascii, "byte order"},
      {"IMA list directory", linux_build({"--ima-list", path("dir")}), 2, path("dir"),
       "is a directory"},
      {"ima-extra wraps", linux_build({"--ima-list", list, "--ima-extra", "0xffffffffffffffff"}), 2,
       "--ima-extra '0xffffffffffffffff'", "at most"},
      {"ima-extra not a number", linux_build({"--ima-list", list, "--ima-extra", "lots"}), 2,
       "--ima-extra: 'lots'", "not a number"},
      // build: the options
      {"unknown ISA", with({"build", "--arch", "mips", "-o", path("out")}, {}), 2, "--arch 'mips'",
       "unknown ISA"},
      {"unknown role", seg("firmware=" + path("kernel") + at), 2, "unknown role 'firmware'",
       "(kernel, initrd"},
      {"segment syntax", seg(path("kernel")), 2, "--segment '" + path("kernel") + "'",
       "expected ROLE=FILE@ADDR"},
      {"segment address", seg("data=" + path("kernel") + "@zz"), 2, "address", "not a number"},
      {"segment overlaps", seg("data=" + path("kernel") + "@" + addr(0x201000)), 2,
       "data segment " + path("kernel"), "overlaps kernel segment"},
      {"segment outside RAM", seg("data=" + path("kernel") + "@" + addr(0x4000000)), 2,
       "data segment " + path("kernel"), "is not inside one RAM range"},
      {"segment wraps", seg("data=" + path("kernel") + "@0xfffffffffffff000"), 2,
       "data segment " + path("kernel"), "address range wraps"},
      {"too many segments", many_segments, 2, "too many segments", "at most 32"},
      {"mem syntax", opt("--mem", "0x1000"), 2, "--mem '0x1000'", "expected START:SIZE"},
      {"mem unaligned", opt("--mem", "0x8000001:4K"), 2, "--mem '0x8000001:4K'",
       "start 0x8000001 is not a multiple of 0x1000"},
      {"mem overlaps", opt("--mem", addr(0x1000) + ":4K"), 2, "RAM range " + addr(0x1000),
       "overlaps RAM range"},
      {"mem empty", opt("--mem", "0x80000000:0"), 2, "RAM range 0x80000000:0x0", "empty"},
      {"mem wraps", opt("--mem", "0xfffffffffffff000:4K"), 2, "RAM range 0xfffffffffffff000",
       "wraps around the address space"},
      {"mem too many", many_mem, 2, "RAM: 1026 ranges", "at most 1024"},
      {"entry outside RAM",
       [&] {
         auto a = build_args("out");
         a.at(10) = "0x10";
         return a;
       }(),
       2, "entry 0x10", "is not inside RAM"},
      {"boot register", opt("--boot-arg", "x0=0x1"), 2, "boot register 'x0'", "passes only rsi"},
      {"boot-arg syntax", opt("--boot-arg", "rsi"), 2, "--boot-arg 'rsi'", "expected REG=VALUE"},
      {"console", opt("--console", "serial,0x3f8"), 2, "console 'serial,0x3f8'",
       "unknown driver 'serial'"},
      {"reset method for another ISA",
       with(opt("--reset-method", "psci-hvc"), {"--on-failure", "reset"}), 2,
       "--reset-method 'psci-hvc'", "x86_64 resets with cf9"},
      {"log size", opt("--log-size", "16M"), 2, "log size 0x1000000", "at most 0x100000"},
      {"purgatory address", opt("--purgatory-addr", addr(0x3000001)), 2,
       "purgatory address " + addr(0x3000001), "multiple of"},
      {"kernel with segments", linux_build({"--segment", "data=" + path("kernel") + at}), 2,
       "--kernel builds its own segments", "drop --segment"},
      {"initrd without kernel", opt("--initrd", path("initrd")), 2, "--initrd",
       "goes with --kernel"},
      // build: the output
      {"output is the kernel", build_args("kernel"), 2, path("kernel"),
       "refusing to overwrite an input"},
      {"output is a FIFO", build_args("fifo"), 2, path("fifo"), "is a FIFO"},
      {"output is a directory", build_args("dir"), 2, path("dir"), "is a directory"},
      {"output links to /dev/null", build_args("to-null"), 2, path("to-null"),
       "is a character device"},
      {"output directory missing", build_args(path("nowhere/out")), 2, path("nowhere/out"),
       "cannot create a file here"},
      // inspect, verify, run: what is not a sound image
      {"inspect missing", {"inspect", path("missing")}, 2, path("missing"), "No such file"},
      {"inspect empty", {"inspect", path("empty")}, 2, path("empty"), "empty file"},
      {"inspect text", {"inspect", path("notes")}, 2, path("notes"), "not an ELF file"},
      {"inspect /dev/zero", {"inspect", "/dev/zero"}, 2, "/dev/zero", "character device"},
      {"inspect FIFO", {"inspect", path("fifo")}, 2, path("fifo"), "is a FIFO"},
      {"inspect directory", {"inspect", path("dir")}, 2, path("dir"), "is a directory"},
      {"inspect huge", {"inspect", path("huge")}, 2, path("huge"), "larger than 4 GiB"},
      {"inspect truncated", {"inspect", path("truncated")}, 2, path("truncated"), "truncated"},
      {"inspect ELF32", {"inspect", path("elf32")}, 2, path("elf32"), "not a 64-bit ELF file"},
      {"inspect byte order",
       {"inspect", path("elf-order")},
       2,
       path("elf-order"),
       "unknown ELF byte order"},
      {"inspect machine",
       {"inspect", path("machine")},
       2,
       path("machine"),
       "not a Styx image (ELF machine"},
      {"inspect not executable",
       {"inspect", path("not-exec")},
       2,
       path("not-exec"),
       "not an ELF executable"},
      {"inspect phentsize",
       {"inspect", path("phentsize")},
       2,
       path("phentsize"),
       "bad program header size"},
      {"inspect raw purgatory",
       {"inspect", path("purgatory")},
       2,
       path("purgatory"),
       "not a Styx image"},
      {"inspect unknown role", {"inspect", path("role")}, 2, path("role"), "unknown role 77"},
      {"inspect bad magic", {"inspect", path("magic")}, 2, path("magic"), "bad magic"},
      {"inspect handoff version",
       {"inspect", path("version")},
       2,
       path("version"),
       "version 9 is not supported"},
      {"verify wraps", {"verify", path("wraps")}, 2, path("wraps"), "address range wraps"},
      {"verify overlap",
       {"verify", path("overlap")},
       2,
       path("overlap"),
       "overlaps segment 1 (initrd)"},
      {"verify outside RAM",
       {"verify", path("outside")},
       2,
       path("outside"),
       "is not inside one RAM range"},
      {"verify RAM overlap",
       {"verify", path("ram-overlap")},
       2,
       path("ram-overlap"),
       "overlaps RAM range"},
      {"verify RAM wraps",
       {"verify", path("ram-wraps")},
       2,
       path("ram-wraps"),
       "wraps around the address space"},
      {"verify 1025 RAM ranges",
       {"verify", path("ram-many")},
       2,
       path("ram-many"),
       "1025 RAM ranges, at most 1024"},
      {"verify entry", {"verify", path("entry")}, 2, path("entry"), "entry 0x10 is not inside RAM"},
      {"verify log", {"verify", path("log")}, 2, path("log"), "outside the purgatory's memory"},
      {"verify purgatory overlap",
       {"verify", path("purgatory-overlap")},
       2,
       path("purgatory-overlap"),
       "purgatory"},
      {"verify /dev/zero", {"verify", "/dev/zero"}, 2, "/dev/zero", "character device"},
      {"run truncated", {"run", path("truncated")}, 2, path("truncated"), "truncated"},
      {"run overlap", {"run", path("overlap")}, 2, path("overlap"), "overlaps"},
      {"run huge", {"run", path("huge")}, 2, path("huge"), "larger than 4 GiB"},
      {"run flip syntax",
       {"run", path("image"), "--flip", "1:2"},
       2,
       "--flip '1:2'",
       "expected SEG:BYTE:BIT"},
      {"run flip segment",
       {"run", path("image"), "--flip", "7:0:0"},
       2,
       "--flip '7:0:0'",
       "no segment 7"},
      {"run flip byte",
       {"run", path("image"), "--flip", "1:99999:0"},
       2,
       "--flip '1:99999:0'",
       "has only 5003 bytes"},
      {"run flip bit",
       {"run", path("image"), "--flip", "1:0:8"},
       2,
       "--flip '1:0:8'",
       "bit must be 0..7"},
      {"run max-insns -1",
       {"run", path("image"), "--max-insns", "-1"},
       2,
       "--max-insns '-1'",
       "not a number"},
      // ima show
      {"ima show /dev/urandom",
       {"ima", "show", "/dev/urandom"},
       2,
       "/dev/urandom",
       "character device"},
      {"ima show FIFO", {"ima", "show", path("fifo")}, 2, path("fifo"), "is a FIFO"},
      {"ima show missing", {"ima", "show", path("missing")}, 2, path("missing"), "No such file"},
      {"ima show garbage", {"ima", "show", path("random")}, 2, path("random"), "byte order"},
      {"ima show truncated list",
       {"ima", "show", path("ima-truncated")},
       2,
       path("ima-truncated"),
       "record"},
      {"ima show image without a list",
       {"ima", "show", path("image")},
       2,
       path("image"),
       "carries no IMA list"},
      {"ima show impossible image",
       {"ima", "show", path("wraps")},
       2,
       path("wraps"),
       "address range wraps"},
      {"ima show huge", {"ima", "show", path("huge")}, 2, path("huge"), "larger than 4 GiB"},
      // load --dry-run
      {"load corrupt image", dry({path("corrupt")}), 1, path("corrupt"),
       "segment 1 (initrd) " + addr(0x1000000) + "+0x138b: sha256 expected"},
      {"load image for arm64", dry({path("arm")}), 2, path("arm"), "built for arm64"},
      {"load impossible image", dry({path("wraps")}), 2, path("wraps"), "address range wraps"},
      {"load truncated image", dry({path("truncated")}), 2, path("truncated"), "truncated"},
      {"load /dev/zero", dry({"/dev/zero"}), 2, "/dev/zero", "character device"},
      {"load kernel missing", dry({"--kernel", path("missing")}), 2, path("missing"),
       "No such file"},
      {"load kernel not a bzImage", dry({"--kernel", path("random")}), 2, path("random"),
       "not a bzImage"},
      {"load kernel FIFO", dry({"--kernel", path("fifo")}), 2, path("fifo"), "is a FIFO"},
      {"load initrd /dev/zero", dry({"--kernel", path("bzImage"), "--initrd", "/dev/zero"}), 2,
       "/dev/zero", "character device"},
      {"load dtb on x86_64", dry({"--kernel", path("bzImage"), "--dtb", path("boot")}), 2,
       "--dtb " + path("boot"), "boots without one"},
      {"load console", dry({"--kernel", path("bzImage"), "--console", "serial"}), 2,
       "console 'serial'", "unknown driver 'serial'"},
      {"load image and kernel", dry({path("image"), "--kernel", path("bzImage")}), 2, "--kernel",
       "drop IMAGE or --kernel"},
      {"load nothing", dry({}), 2, "give an IMAGE", "--kernel FILE"},
      {"load sysroot missing",
       {"load", "--dry-run", "--sysroot", path("nowhere"), path("image")},
       2,
       path("nowhere"),
       "No such file"},
      // the command line itself
      {"unknown command",
       {"verfiy", path("image")},
       2,
       "unknown command 'verfiy'",
       "did you mean 'verify'"},
  };
  EXPECT_GE(cases.size(), 60u);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_refused(c.args, c.status, c.culprit, c.problem);
  }
}

}  // namespace
}  // namespace styx::test

// Bad input through the `styx` command line: every refusal is one line naming the file (or
// option) and the problem, a documented exit status, no output left behind, no input changed.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>

#include "digest.h"
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

}  // namespace
}  // namespace styx::test

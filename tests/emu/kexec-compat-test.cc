// SPDX-License-Identifier: GPL-2.0-only
// `kexec` with kexec-tools' options (`styx kexec`, or styx run as `kexec`) against captured
// sysroot trees, the kexec system calls replaced by a recorder that keeps kexec_loaded true.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "arch-info.h"
#include "file-io.h"
#include "fixture.h"
#include "kexec-commands.h"
#include "kexec.h"
#include "sample-boot.h"

namespace styx::test {
namespace {

namespace fs = std::filesystem;

struct Calls {
  int loads = 0, unloads = 0, executes = 0, file_loads = 0, file_unloads = 0;
  std::string sysroot;
};

// Writes /sys/kernel/kexec_loaded as the kernel would, so a load is seen by what follows it.
class RecordingKernel final : public host::KexecKernel {
 public:
  explicit RecordingKernel(std::shared_ptr<Calls> calls) : calls_(std::move(calls)) {}
  void load(const host::KexecPlan&) override {
    ++calls_->loads;
    set(true);
  }
  void unload() override {
    ++calls_->unloads;
    set(false);
  }
  void load_file(const host::KexecFileRequest&) override {
    ++calls_->file_loads;
    set(true);
  }
  void unload_file() override {
    ++calls_->file_unloads;
    set(false);
  }
  void execute() override { ++calls_->executes; }
  bool acts_on_this_machine() const override { return false; }

 private:
  void set(bool loaded) {
    std::ofstream(calls_->sysroot + "/sys/kernel/kexec_loaded") << (loaded ? "1\n" : "0\n");
  }
  std::shared_ptr<Calls> calls_;
};

class KexecCompat : public testing::TestWithParam<std::string>, protected TestDir {
 protected:
  KexecCompat() : TestDir("styx-kexec-compat-test") {}

  void SetUp() override {
    fs::copy(fs::path(STYX_SOURCE_DIR) / "tests/data/sysroot" / GetParam(), path("sysroot"),
             fs::copy_options::recursive);
    write("sysroot/sys/kernel/kexec_loaded", {'0', '\n'});
    write("kernel", sample_boot(GetParam()).kernel);
    write("initrd", pattern(70001, 7));
    calls_ = std::make_shared<Calls>();
    calls_->sysroot = path("sysroot");
    cli::set_kexec_kernel_factory(
        [calls = calls_] { return std::make_unique<RecordingKernel>(calls); });
  }
  void TearDown() override { cli::set_kexec_kernel_factory(nullptr); }

  // `styx kexec --sysroot=... ARGS`: the same code path as a program called `kexec`.
  CliResult kexec(std::vector<std::string> args) {
    args.insert(args.begin(), {"kexec", "--sysroot=" + path("sysroot")});
    return styx(args);
  }
  std::string state() const { return read_text(path("sysroot/run/styx/loaded.json")); }
  std::string read_text(const std::string& file) const {
    const auto bytes = host::read_file(file);
    return {bytes.begin(), bytes.end()};
  }
  const host::ArchInfo& arch() const { return *host::find_arch(GetParam()); }

  std::shared_ptr<Calls> calls_;
};

TEST_P(KexecCompat, LoadTakesKexecToolsSpellings) {
  CliResult r = kexec({"-l", path("kernel"), "--initrd=" + path("initrd"), "--append=quiet x=1"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->loads, 1);
  EXPECT_NE(state().find("\"cmdline\": \"quiet x=1\""), std::string::npos) << state();
  EXPECT_NE(state().find(path("initrd")), std::string::npos);

  r = kexec({"--load", path("kernel"), "--ramdisk", path("initrd"), "--reuse-cmdline",
             "--command-line=y=2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->loads, 2);
  EXPECT_NE(state().find(" y=2\""), std::string::npos) << state();
  EXPECT_EQ(state().find("\"cmdline\": \"y=2\""), std::string::npos)
      << "--reuse-cmdline kept nothing of the running command line: " << state();
}

TEST_P(KexecCompat, ExecForceUnloadAndTheDefault) {
  CliResult r = kexec({"-e"});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("loaded"), std::string::npos) << r.err;
  EXPECT_EQ(calls_->executes, 0);

  ASSERT_EQ(kexec({"-l", path("kernel")}).status, 0);
  r = kexec({"--exec", "-y", "-x", "-d"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->executes, 1);

  r = kexec({"-u"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->unloads, 1);

  r = kexec({"-f", path("kernel")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->loads, 2);
  EXPECT_EQ(calls_->executes, 2);

  // No mode: load, then let the init system reboot (kexec-tools runs shutdown -r now).
  r = kexec({path("kernel")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->loads, 3);
  EXPECT_EQ(calls_->executes, 2);
  EXPECT_NE(r.out.find("would run shutdown -r now"), std::string::npos) << r.out;

  // The last mode given counts, as in kexec-tools.
  r = kexec({"-e", "-l", path("kernel")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->loads, 4);
  EXPECT_EQ(calls_->executes, 2);
}

TEST_P(KexecCompat, StatusIsTheExitCode) {
  // -S alone asks about the crash kernel, with -l about the kexec kernel: 1 loaded, 0 not.
  EXPECT_EQ(kexec({"-S"}).status, 0);
  EXPECT_EQ(kexec({"-l", "-S"}).status, 0);
  ASSERT_EQ(kexec({"-l", path("kernel")}).status, 0);
  EXPECT_EQ(kexec({"-l", "-S"}).status, 1);
  EXPECT_EQ(kexec({"--status"}).status, 0);
  write("sysroot/sys/kernel/kexec_crash_loaded", {'1', '\n'});
  EXPECT_EQ(kexec({"-S"}).status, 1);
  EXPECT_EQ(kexec({"-p", "-S"}).status, 1);
  EXPECT_EQ(calls_->loads, 1) << "-S loads nothing";
}

TEST_P(KexecCompat, TypeIsChecked) {
  const std::string type(arch().kexec_types.at(0));
  CliResult r = kexec({"-t", type, "-l", path("kernel")});
  ASSERT_EQ(r.status, 0) << r.err;
  r = kexec({"--type=multiboot-x86", "-l", path("kernel")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("--type multiboot-x86: styx loads " + type), std::string::npos) << r.err;
  EXPECT_EQ(calls_->loads, 1);
}

// -c kexec_load, -s kexec_file_load, -a Styx's auto (kexec_load unless only kexec_file_load
// works); the last one given counts, as in kexec-tools.
TEST_P(KexecCompat, SyscallChoice) {
  CliResult r = kexec({"-c", "-l", path("kernel")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->loads, 1);
  r = kexec({"-s", "-l", path("kernel"), "--initrd=" + path("initrd")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->file_loads, 1);
  EXPECT_NE(r.out.find("kexec_file_load: the running kernel's own purgatory"), std::string::npos)
      << r.out;
  r = kexec({"--kexec-file-syscall", "-c", "-l", path("kernel")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->loads, 2);
  r = kexec({"-a", "-l", path("kernel")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("--syscall=auto: using kexec_load"), std::string::npos) << r.out;
  EXPECT_EQ(calls_->loads, 3);
  write("sysroot/sys/kernel/security/lockdown",
        {reinterpret_cast<const uint8_t*>("none [integrity] confidentiality\n"),
         reinterpret_cast<const uint8_t*>("none [integrity] confidentiality\n") + 33});
  r = kexec({"--kexec-syscall-auto", "-l", path("kernel")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("--syscall=auto: using kexec_file_load, because the kernel is locked down"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(calls_->file_loads, 2);
  EXPECT_EQ(calls_->loads, 3);
  // -u after a kexec_file_load load unloads with kexec_file_load.
  r = kexec({"-u"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->file_unloads, 1);
  // A compat call Styx cannot honour with kexec_file_load is refused and changes nothing.
  r = kexec({"-s", "-l", path("kernel"), "--dtb=" + path("initrd")});
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("kexec: --dtb " + path("initrd") + ": kexec_file_load takes no device tree"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(calls_->file_loads, 2);
}

TEST_P(KexecCompat, RefusalsChangeNothing) {
  ASSERT_EQ(kexec({"-l", path("kernel")}).status, 0);
  const std::string before = state();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"-i", "-l", path("kernel")}, "kexec: --no-checks: Styx always checks every segment"},
      {{"--no-checks", "-e"}, "--no-checks"},
      {{"-p", "-l", path("kernel")}, "--load-panic: loading a crash kernel is not supported"},
      {{"--bogus", "-l", path("kernel")}, "kexec: unrecognized option '--bogus'"},
      {{"-z", "-e"}, "kexec: invalid option -- 'z'"},
      {{"-l", path("kernel"), "-t"}, "kexec: option requires an argument -- 't'"},
      {{"-l", path("kernel"), "--type"}, "kexec: option '--type' requires an argument"},
      {{"--mem-min", "0x1000", "-l", path("kernel")}, "kexec: --mem-min: styx places every"},
      {{"--module=x", "-l", path("kernel")}, "kexec: --module: this kernel-type option"},
      {{"-l"}, "kexec: no kernel specified"},
      {{"-l", path("kernel"), path("initrd")}, "more than one kernel"},
      {{"-l", path("missing")}, path("missing")},
      {{"-l", path("kernel"), "--initrd=" + path("missing")}, path("missing")},
  };
  for (const auto& [args, message] : cases) {
    const CliResult r = kexec(args);
    EXPECT_EQ(r.status, 1) << args[0];
    EXPECT_NE(r.err.find(message), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  }
  EXPECT_EQ(calls_->loads, 1);
  EXPECT_EQ(calls_->unloads, 0);
  EXPECT_EQ(calls_->executes, 0);
  EXPECT_EQ(state(), before);
}

TEST_P(KexecCompat, DtbGoesToTheLoad) {
  const CliResult r = kexec({"-l", path("kernel"), "--dtb=" + path("initrd")});
  EXPECT_EQ(r.status, 1);
  // Either ISA refuses this file as a device tree, or (x86_64) any device tree: both name it.
  EXPECT_NE(r.err.find(arch().boot_data_role == Role::kDtb ? path("initrd") : "--dtb"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(calls_->loads, 0);
}

TEST_P(KexecCompat, HelpAndVersion) {
  CliResult r = kexec({"--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("Usage: kexec [OPTION]... [kernel]"), std::string::npos);
  r = kexec({"-v"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("kexec (styx ", 0), 0u) << r.out;
  r = styx({"--help"});
  EXPECT_NE(r.out.find("kexec"), std::string::npos) << "styx --help lists kexec";
}

INSTANTIATE_TEST_SUITE_P(Sysroots, KexecCompat, testing::Values("x86_64", "arm64"));

}  // namespace
}  // namespace styx::test

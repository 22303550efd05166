// SPDX-License-Identifier: GPL-2.0-only
// `styx load --syscall=load|file|auto` against captured sysroot trees with the facts a locked-down
// or restricted kernel shows (lockdown, kexec_load_disabled, its configuration), the kexec system
// calls replaced by a recorder: which call is made, what is refused, and what the user is told.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "file-io.h"
#include "fixture.h"
#include "kexec-commands.h"
#include "sample-boot.h"

namespace styx::test {
namespace {

namespace fs = std::filesystem;

struct Calls {
  int loads = 0, unloads = 0, file_unloads = 0, executes = 0;
  std::vector<host::KexecFileRequest> file_loads;
  int load_fails_with = 0;  ///< errno kexec_load fails with, 0 for success
  int file_fails_with = 0;  ///< errno kexec_file_load fails with
};

class RecordingKernel final : public host::KexecKernel {
 public:
  explicit RecordingKernel(std::shared_ptr<Calls> calls) : calls_(std::move(calls)) {}
  void load(const host::KexecPlan&) override {
    if (calls_->load_fails_with) throw host::KexecError(calls_->load_fails_with, "kexec_load");
    ++calls_->loads;
  }
  void unload() override { ++calls_->unloads; }
  void load_file(const host::KexecFileRequest& request) override {
    if (calls_->file_fails_with) throw host::KexecError(calls_->file_fails_with, "kexec_file_load");
    calls_->file_loads.push_back(request);
  }
  void unload_file() override { ++calls_->file_unloads; }
  void execute() override { ++calls_->executes; }

 private:
  std::shared_ptr<Calls> calls_;
};

class LoadSyscall : public testing::TestWithParam<std::string>, protected TestDir {
 protected:
  LoadSyscall() : TestDir("styx-load-syscall-test") {}

  void SetUp() override {
    fs::copy(fs::path(STYX_SOURCE_DIR) / "tests/data/sysroot" / GetParam(), sysroot(),
             fs::copy_options::recursive);
    write("kernel", sample_boot(GetParam()).kernel);
    write("initrd", pattern(70001, 7));
    set_text("sys/kernel/kexec_loaded", "0\n");
    calls_ = std::make_shared<Calls>();
    cli::set_kexec_kernel_factory(
        [calls = calls_] { return std::make_unique<RecordingKernel>(calls); });
  }
  void TearDown() override { cli::set_kexec_kernel_factory(nullptr); }

  std::string sysroot() const { return path("sysroot"); }
  std::string record() const { return sysroot() + "/run/styx/loaded.json"; }
  void set_text(const std::string& file, const std::string& text) const {
    write("sysroot/" + file, {text.begin(), text.end()});
  }
  void lockdown(const std::string& mode) const {
    std::string text;
    for (const char* m : {"none", "integrity", "confidentiality"})
      text += (text.empty() ? "" : " ") + (m == mode ? "[" + mode + "]" : std::string(m));
    set_text("sys/kernel/security/lockdown", text + "\n");
  }
  // The running kernel's configuration, as /boot/config-<release> of its release.
  void running_config(const std::string& config) const {
    set_text("proc/sys/kernel/osrelease", "6.1.0-test\n");
    set_text("boot/config-6.1.0-test", config);
  }
  std::string config_path() const { return sysroot() + "/boot/config-6.1.0-test"; }
  std::vector<std::string> load(const std::string& syscall,
                                std::vector<std::string> more = {}) const {
    std::vector<std::string> args{"load",         "--sysroot",    sysroot(),
                                  "--kernel",     path("kernel"), "--initrd",
                                  path("initrd"), "--append",     "quiet x=1"};
    if (!syscall.empty()) args.push_back("--syscall=" + syscall);
    args.insert(args.end(), more.begin(), more.end());
    return args;
  }
  std::string recorded_syscall() const {
    const auto bytes = host::read_file(record());
    return nlohmann::json::parse(bytes.begin(), bytes.end()).at("syscall");
  }
  void expect_nothing_loaded(const CliResult& r) const {
    EXPECT_EQ(calls_->loads, 0);
    EXPECT_TRUE(calls_->file_loads.empty());
    EXPECT_FALSE(fs::exists(record())) << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
  }

  std::shared_ptr<Calls> calls_;
};

const char* const kLost =
    "styx: kexec_file_load: the running kernel's own purgatory starts the next kernel, not "
    "Styx's, so this kexec has no per-segment SHA-256 verification named on the console";

TEST_P(LoadSyscall, DefaultIsKexecLoadAndALockdownRefusalSaysWhatWorks) {
  ASSERT_EQ(styx(load({})).status, 0);
  EXPECT_EQ(calls_->loads, 1);
  EXPECT_EQ(recorded_syscall(), "kexec_load");
  fs::remove(record());
  calls_->loads = 0;

  lockdown("integrity");
  calls_->load_fails_with = EPERM;
  const CliResult r = styx(load({}));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "styx: kexec_load: refused by kernel lockdown (none [integrity] confidentiality): a "
            "locked-down kernel loads only signed kernels through kexec_file_load; boot with "
            "lockdown=none to use styx, or load a signed kernel with --syscall=file\n");
  expect_nothing_loaded(r);
}

TEST_P(LoadSyscall, FileLoadsTheFilesAsTheyAreAndSaysWhatIsLost) {
  const CliResult r = styx(load("file"));
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(calls_->file_loads.size(), 1u);
  EXPECT_EQ(calls_->loads, 0);
  const host::KexecFileRequest& q = calls_->file_loads[0];
  EXPECT_EQ(q.kernel, path("kernel"));
  EXPECT_EQ(q.initrd, path("initrd"));
  EXPECT_EQ(q.cmdline, "quiet x=1");
  EXPECT_NE(r.out.find("styx: loaded with kexec_file_load(" + path("kernel") + ", " +
                       path("initrd") + ", \"quiet x=1\")\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(kLost), std::string::npos) << r.out;
  EXPECT_EQ(recorded_syscall(), "kexec_file_load");

  // Without an initrd the request has none (KEXEC_FILE_NO_INITRAMFS).
  const CliResult no_initrd =
      styx({"load", "--sysroot", sysroot(), "--kernel", path("kernel"), "--syscall=file"});
  ASSERT_EQ(no_initrd.status, 0) << no_initrd.err;
  EXPECT_FALSE(calls_->file_loads.at(1).initrd);
}

TEST_P(LoadSyscall, FileDryRunCallsNothing) {
  const CliResult r = styx(load("file", {"--dry-run"}));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: would call kexec_file_load("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("dry run: nothing loaded"), std::string::npos) << r.out;
  EXPECT_TRUE(calls_->file_loads.empty());
  EXPECT_FALSE(fs::exists(record()));
}

TEST_P(LoadSyscall, TheImaSentenceFollowsTheRunningKernelsConfiguration) {
  CliResult r = styx(load("file", {"--dry-run"}));
  EXPECT_NE(r.out.find("the IMA list goes on only if the running kernel was built with "
                       "CONFIG_IMA_KEXEC, and its configuration was not found (looked for " +
                       sysroot() + "/proc/config.gz, "),
            std::string::npos)
      << r.out;
  running_config("# CONFIG_IMA_KEXEC is not set\n");
  r = styx(load("file", {"--dry-run"}));
  EXPECT_NE(r.out.find("the IMA list is not carried (CONFIG_IMA_KEXEC is not set in " +
                       config_path() + "): the next kernel starts a new one\n"),
            std::string::npos)
      << r.out;
  running_config("CONFIG_IMA_KEXEC=y\n");
  r = styx(load("file", {"--dry-run"}));
  EXPECT_NE(r.out.find("the running kernel sends its own IMA list (CONFIG_IMA_KEXEC=y in " +
                       config_path() + ") as it is at the load"),
            std::string::npos)
      << r.out;
}

TEST_P(LoadSyscall, AutoTakesFileUnderLockdownAndSaysWhy) {
  for (const std::string mode : {"integrity", "confidentiality"}) {
    lockdown(mode);
    calls_->load_fails_with = EPERM;  // as the kernel would: auto must not even try
    const CliResult r = styx(load("auto"));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("styx: --syscall=auto: using kexec_file_load, because the kernel is "
                         "locked down (" +
                         mode + ", /sys/kernel/security/lockdown)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(kLost), std::string::npos) << r.out;
  }
  EXPECT_EQ(calls_->file_loads.size(), 2u);
  EXPECT_EQ(calls_->loads, 0);
  EXPECT_EQ(recorded_syscall(), "kexec_file_load");
}

TEST_P(LoadSyscall, AutoTakesLoadWhenNothingForbidsItAndSaysSo) {
  lockdown("none");
  set_text("proc/sys/kernel/kexec_load_disabled", "0\n");
  running_config("# CONFIG_KEXEC_SIG_FORCE is not set\n");
  const CliResult r = styx(load("auto"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: --syscall=auto: using kexec_load (Styx's purgatory): nothing known "
                       "forbids it (lockdown: [none] integrity confidentiality; "
                       "kexec_load_disabled: 0; CONFIG_KEXEC_SIG_FORCE not set)\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(calls_->loads, 1);
  EXPECT_TRUE(calls_->file_loads.empty());
  EXPECT_EQ(r.out.find(kLost), std::string::npos) << r.out;
}

TEST_P(LoadSyscall, AutoTakesFileWhenTheKernelForcesSignatures) {
  running_config("CONFIG_KEXEC_SIG=y\nCONFIG_KEXEC_SIG_FORCE=y\n");
  const CliResult r = styx(load("auto"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("using kexec_file_load, because the running kernel requires signed "
                       "kernels (CONFIG_KEXEC_SIG_FORCE=y in " +
                       config_path() + "), and only kexec_file_load checks a signature\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(calls_->file_loads.size(), 1u);
  EXPECT_EQ(calls_->loads, 0);
}

TEST_P(LoadSyscall, AutoTakesFileAfterKexecLoadIsRefused) {
  for (const int error : {EPERM, EACCES}) {
    calls_->load_fails_with = error;
    const CliResult r = styx(load("auto"));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find(std::string("styx: --syscall=auto: kexec_load was refused (") +
                         (error == EPERM ? "EPERM" : "EACCES")),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("; using kexec_file_load\n"), std::string::npos) << r.out;
  }
  EXPECT_EQ(calls_->file_loads.size(), 2u);
  EXPECT_EQ(recorded_syscall(), "kexec_file_load");
  // Control: a refusal kexec_file_load cannot get past is not retried.
  fs::remove(record());
  calls_->load_fails_with = EBUSY;
  const CliResult r = styx(load("auto"));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("kexec_load: busy"), std::string::npos) << r.err;
  EXPECT_EQ(calls_->file_loads.size(), 2u);
  EXPECT_FALSE(fs::exists(record()));
}

TEST_P(LoadSyscall, KexecLoadDisabledClosesBothCalls) {
  set_text("proc/sys/kernel/kexec_load_disabled", "1\n");
  lockdown("integrity");
  const CliResult r = styx(load("auto"));
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "styx: --syscall=auto: kexec_load and kexec_file_load are both disabled by "
            "/proc/sys/kernel/kexec_load_disabled = 1, which only a reboot clears\n");
  expect_nothing_loaded(r);
  calls_->file_fails_with = EPERM;
  const CliResult file = styx(load("file"));
  EXPECT_EQ(file.status, 2);
  EXPECT_EQ(file.err,
            "styx: kexec_load and kexec_file_load are both disabled by "
            "/proc/sys/kernel/kexec_load_disabled = 1, which only a reboot clears\n");
  expect_nothing_loaded(file);
}

TEST_P(LoadSyscall, OptionsOnlyStyxsPurgatoryHonoursAreRefusedWithFile) {
  write("img", pattern(100, 1));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"load", "--sysroot", sysroot(), path("img"), "--syscall=file"},
       path("img") + ": a Styx image runs Styx's purgatory, which kexec_file_load cannot load"},
      {{"load", "--sysroot", sysroot(), "--syscall=file"},
       "--syscall=file loads a kernel: give it with --kernel FILE"},
      {load("file", {"--console", "uart8250,io,0x3f8"}),
       "--console uart8250,io,0x3f8: sets Styx's purgatory console, and kexec_file_load runs "
       "the kernel's own purgatory"},
      {load("file", {"--on-failure", "halt"}), "--on-failure halt: tells Styx's purgatory"},
      {load("file", {"--dtb", path("initrd")}),
       "--dtb " + path("initrd") + ": kexec_file_load takes no device tree"},
      {load("file", {"--no-ima"}), "--no-ima: with kexec_file_load the running kernel, not styx,"},
      {load("file", {"--ima=skip"}), "--ima=skip: with kexec_file_load"},
  };
  for (const auto& [args, message] : cases) {
    const CliResult r = styx(args);
    EXPECT_EQ(r.status, 2) << message;
    EXPECT_EQ(r.err.find("styx: " + message), 0u) << r.err;
    expect_nothing_loaded(r);
  }
  // auto says it chose kexec_file_load in the refusal.
  lockdown("integrity");
  const CliResult r = styx(load("auto", {"--console", "uart8250,io,0x3f8"}));
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("kexec_file_load (chosen by --syscall=auto) runs the kernel's own"),
            std::string::npos)
      << r.err;
  expect_nothing_loaded(r);
}

TEST_P(LoadSyscall, SignatureAndFormatRefusalsNameTheKernel) {
  lockdown("integrity");
  const std::string head = "styx: kexec_file_load: " + path("kernel") + ": ";
  const std::vector<std::pair<int, std::string>> cases = {
      {EPERM, "kernel signature not accepted (EPERM): the kernel is locked down (integrity)"},
      {EKEYREJECTED, "kernel signature not accepted (EKEYREJECTED)"},
      {EBADMSG, "kernel signature not accepted (EBADMSG)"},
      {ENOKEY, "kernel signature not accepted (ENOKEY)"},
      {ENODATA, "kernel signature not accepted (ENODATA)"},
      {EACCES, "refused by IMA appraisal (EACCES)"},
      {ENOEXEC, "not a kernel the running kernel can load (ENOEXEC)"},
  };
  for (const auto& [error, message] : cases) {
    calls_->file_fails_with = error;
    const CliResult r = styx(load("file"));
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err.find(head + message), 0u) << r.err;
    expect_nothing_loaded(r);
  }
  // A refused load puts back the record of the load before.
  calls_->file_fails_with = 0;
  ASSERT_EQ(styx(load("file")).status, 0);
  const std::vector<uint8_t> before = host::read_file(record());
  calls_->file_fails_with = EKEYREJECTED;
  EXPECT_EQ(styx(load("file")).status, 2);
  EXPECT_EQ(host::read_file(record()), before);
}

TEST_P(LoadSyscall, ExecStatusAndUnloadOfAFileLoad) {
  ASSERT_EQ(styx(load("file")).status, 0);
  set_text("sys/kernel/kexec_loaded", "1\n");
  CliResult r = styx({"status", "--sysroot", sysroot()});
  EXPECT_TRUE(r.out.starts_with("styx: loaded by styx (" + GetParam() + ") with kexec_file_load\n"))
      << r.out;
  EXPECT_NE(r.out.find("Styx verifies nothing of this load"), std::string::npos) << r.out;

  r = styx({"exec", "--sysroot", sysroot()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: the image was loaded with kexec_file_load and is complete; "
                       "executing it as it is\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(kLost), std::string::npos) << r.out;
  EXPECT_EQ(calls_->executes, 1);
  EXPECT_EQ(calls_->loads, 0);
  EXPECT_EQ(calls_->file_loads.size(), 1u);

  r = styx({"unload", "--sysroot", sysroot()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->file_unloads, 1);
  EXPECT_EQ(calls_->unloads, 0);
}

TEST_P(LoadSyscall, UnloadUnderLockdownUsesKexecFileLoad) {
  set_text("sys/kernel/kexec_loaded", "1\n");
  ASSERT_EQ(styx({"unload", "--sysroot", sysroot()}).status, 0);
  EXPECT_EQ(calls_->unloads, 1) << "control: without lockdown, kexec_load unloads";
  lockdown("integrity");
  ASSERT_EQ(styx({"unload", "--sysroot", sysroot()}).status, 0);
  EXPECT_EQ(calls_->file_unloads, 1);
  EXPECT_EQ(calls_->unloads, 1);
}

INSTANTIATE_TEST_SUITE_P(Sysroot, LoadSyscall, testing::Values("x86_64", "arm64"), param_name);

}  // namespace
}  // namespace styx::test

// SPDX-License-Identifier: GPL-2.0-only
// `styx load`, `unload` and `exec` against captured sysroot trees (tests/data/sysroot), with the
// kexec system calls replaced by a recorder: what would reach the kernel, and what the user sees.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "device-tree.h"
#include "digest.h"
#include "error.h"
#include "file-io.h"
#include "fixture.h"
#include "ima-replay.h"
#include "ima.h"
#include "image.h"
#include "kexec-commands.h"
#include "kexec.h"
#include "live-system.h"
#include "load-copies.h"
#include "sample-boot.h"

namespace styx::test {
namespace {

namespace fs = std::filesystem;

struct Calls {
  std::vector<host::KexecPlan> loads;
  std::vector<host::KexecFileRequest> file_loads;
  int unloads = 0;
  int file_unloads = 0;
  int file_fail_with = 0;  ///< errno the next kexec_file_load fails with
  int executes = 0;
  int fail_with = 0;                  ///< errno the next load fails with, 0 for success
  bool real = false;                  ///< pretend to be the running kernel's system calls
  std::function<void()> during_load;  ///< runs inside the load "system call"
};

class RecordingKernel final : public host::KexecKernel {
 public:
  explicit RecordingKernel(std::shared_ptr<Calls> calls) : calls_(std::move(calls)) {}
  void load(const host::KexecPlan& plan) override {
    if (calls_->during_load) calls_->during_load();
    if (calls_->fail_with) throw host::KexecError(calls_->fail_with, "kexec_load");
    calls_->loads.push_back(plan);
  }
  void unload() override { ++calls_->unloads; }
  void load_file(const host::KexecFileRequest& request) override {
    if (calls_->file_fail_with) throw host::KexecError(calls_->file_fail_with, "kexec_file_load");
    calls_->file_loads.push_back(request);
  }
  void unload_file() override { ++calls_->file_unloads; }
  void execute() override { ++calls_->executes; }
  bool acts_on_this_machine() const override { return calls_->real; }

 private:
  std::shared_ptr<Calls> calls_;
};

class Load : public testing::TestWithParam<std::string>, protected TestDir {
 protected:
  Load() : TestDir("styx-load-test") {}

  void SetUp() override {
    fs::copy(fs::path(STYX_SOURCE_DIR) / "tests/data/sysroot" / GetParam(), sysroot(),
             fs::copy_options::recursive);
    const SampleBoot boot = sample_boot(arch());
    write("kernel", boot.kernel);
    write("initrd", pattern(70001, 7));
    calls_ = std::make_shared<Calls>();
    cli::set_kexec_kernel_factory(
        [calls = calls_] { return std::make_unique<RecordingKernel>(calls); });
    // As on a system whose /run is tmpfs, whatever the test directory is on.
    set_memory_backed(true);
  }
  void TearDown() override {
    cli::set_kexec_kernel_factory(nullptr);
    cli::set_memory_backed_probe(nullptr);
  }
  void set_memory_backed(bool backed) {
    cli::set_memory_backed_probe([backed](const std::string&) { return backed; });
  }
  std::string copies_dir() const { return sysroot() + "/run/styx/files"; }
  std::vector<std::string> copies() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(copies_dir(), ec))
      names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  // The ISA of the captured tree: its name up to a '-' (arm64-uefi: arm64 started by UEFI).
  std::string arch() const { return GetParam().substr(0, GetParam().find('-')); }
  std::string sysroot() const { return path("sysroot"); }
  std::string ima_path() const {
    return sysroot() + "/sys/kernel/security/ima/binary_runtime_measurements";
  }
  size_t ima_records() const {
    return host::parse_ima_list(host::read_file(ima_path()), "list").records.size();
  }
  std::string state_path() const { return sysroot() + "/run/styx/loaded.json"; }
  void set_loaded(bool loaded) const {
    write("sysroot/sys/kernel/kexec_loaded", {static_cast<uint8_t>(loaded ? '1' : '0'), '\n'});
  }
  std::vector<std::string> load_args() const {
    return {"load",     "--sysroot",    sysroot(),         "--kernel", path("kernel"),
            "--initrd", path("initrd"), "--reuse-cmdline", "--append", "extra=1"};
  }
  // Appends a copy of the list's last record: the running kernel measured one more file. The
  // kexec buffer's records are the list's bytes in the same format, after its header.
  void measure_one_more() const {
    host::ImaList list = host::parse_ima_list(host::read_file(ima_path()), "list");
    list.records.push_back(list.records.back());
    const bool big = host::find_arch(arch())->big_endian;
    const std::vector<uint8_t> buffer = host::build_ima_kexec_buffer(list, big, 0);
    write("sysroot/sys/kernel/security/ima/binary_runtime_measurements",
          {buffer.begin() + host::kImaKexecHeaderSize, buffer.end()});
  }
  // The IMA buffer inside the loaded segments: records it carries.
  size_t carried_records(const host::KexecPlan& plan) const {
    const bool big = host::find_arch(arch())->big_endian;
    for (const host::KexecSegment& s : plan.segments) {
      const size_t at = s.contents.find("ima");
      if (at == std::string::npos) continue;
      // The IMA buffer starts with ima_kexec_hdr (version 1); find it in the segment's bytes.
      for (size_t off = 0; off + host::kImaKexecHeaderSize <= s.buf.size(); off += 8) {
        if (s.buf[off] != (big ? 0 : 1) || s.buf[off + 1] != (big ? 1 : 0)) continue;
        try {
          return host::parse_ima_kexec_buffer({s.buf.data() + off, s.buf.size() - off}, big, "ima")
              .records.size();
        } catch (const host::InputError&) {
        }
      }
    }
    return 0;
  }

  // A TPM in the sysroot whose PCRs are what the live list replays to, or zeros.
  void write_tpm(bool matching) const {
    host::PcrValues values;
    for (const char* bank : {"sha1", "sha256"})
      for (uint32_t pcr = 0; pcr < 24; ++pcr)
        values.banks[bank][pcr] = std::vector<uint8_t>(host::pcr_bank_digest_size(bank), 0);
    if (matching) {
      const auto parsed = host::parse_ima_list_with_order(host::read_file(ima_path()), "list");
      for (const auto& [bank, pcrs] : host::replay_ima_list(parsed, values).replayed)
        for (const auto& [pcr, value] : pcrs) values.banks[bank][pcr] = value;
    }
    for (const auto& [bank, pcrs] : values.banks)
      for (const auto& [pcr, value] : pcrs) {
        const std::string hex = host::to_hex(value) + "\n";
        write("sysroot/sys/class/tpm/tpm0/pcr-" + bank + "/" + std::to_string(pcr),
              {hex.begin(), hex.end()});
      }
  }
  // The kernel again as /boot/vmlinuz-RELEASE beside config-RELEASE; returns load arguments.
  std::vector<std::string> load_args_with_config(const std::string& config) const {
    write("boot/vmlinuz-6.1.0-test", sample_boot(arch()).kernel);
    write("boot/config-6.1.0-test", {config.begin(), config.end()});
    std::vector<std::string> args = load_args();
    args[4] = path("boot/vmlinuz-6.1.0-test");
    return args;
  }

  std::shared_ptr<Calls> calls_;
};

TEST_P(Load, DryRunPrintsTheSegmentsAndChangesNothing) {
  std::vector<std::string> args = load_args();
  args.push_back("--dry-run");
  const CliResult r = styx(args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("bufsz"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("kernel\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("initrd\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("purgatory"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nentry 0x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" extra=1\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("BOOT_IMAGE="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("IMA: " + std::to_string(ima_records()) + " measurements carried"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(arch() == "x86_64" ? "purgatory console: uart8250,io,0x3f8\n"
                                          : "purgatory console: pl011,0x9000000\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("dry run: nothing loaded"), std::string::npos);
  EXPECT_TRUE(calls_->loads.empty());
  EXPECT_FALSE(fs::exists(state_path()));
}

TEST_P(Load, LoadsPageAlignedSegmentsInRamWithTheWholeList) {
  const CliResult r = styx(load_args());
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(calls_->loads.size(), 1u);
  const host::KexecPlan& plan = calls_->loads[0];
  const std::vector<host::MemRange> ram = host::LiveSystem(sysroot()).ram();
  for (const host::KexecSegment& s : plan.segments) {
    EXPECT_EQ(s.mem % 4096, 0u) << s.contents;
    EXPECT_EQ(s.memsz % 4096, 0u) << s.contents;
    bool inside = false;
    for (const host::MemRange& m : ram) inside |= s.mem >= m.start && s.mem + s.memsz <= m.end();
    EXPECT_TRUE(inside) << s.contents << " at " << host::hex(s.mem);
  }
  EXPECT_EQ(carried_records(plan), ima_records());
  EXPECT_TRUE(fs::exists(state_path()));
  EXPECT_NE(r.out.find("styx: loaded "), std::string::npos) << r.out;
}

TEST_P(Load, NoImaCarriesNoList) {
  std::vector<std::string> args = load_args();
  args.push_back("--no-ima");
  const CliResult r = styx(args);
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(calls_->loads.size(), 1u);
  EXPECT_EQ(carried_records(calls_->loads[0]), 0u);
  EXPECT_NE(r.out.find("no measurement list carried"), std::string::npos) << r.out;
}

TEST_P(Load, ExecLoadsAgainWhenTheListGrew) {
  ASSERT_EQ(styx(load_args()).status, 0);
  set_loaded(true);
  CliResult r = styx({"exec", "--sysroot", sysroot(), "--dry-run"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("unchanged since the load"), std::string::npos) << r.out;

  const size_t before = ima_records();
  measure_one_more();
  r = styx({"exec", "--sysroot", sysroot(), "--dry-run"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("grew from " + std::to_string(before) + " to " + std::to_string(before + 1) +
                       " measurements since the load; would load"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(calls_->loads.size(), 1u);
  EXPECT_EQ(calls_->executes, 0);

  r = styx({"exec", "--sysroot", sysroot()});
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(calls_->loads.size(), 2u);
  EXPECT_EQ(carried_records(calls_->loads[1]), before + 1);
  EXPECT_EQ(calls_->executes, 1);
  // The fresh load is what a later exec compares with.
  r = styx({"exec", "--sysroot", sysroot(), "--dry-run"});
  EXPECT_NE(r.out.find("unchanged since the load (" + std::to_string(before + 1)),
            std::string::npos)
      << r.out;
}

TEST_P(Load, ExecWithNothingLoadedSaysSo) {
  set_loaded(false);
  const CliResult r = styx({"exec", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "styx: nothing is loaded: run `styx load` first\n");
  EXPECT_EQ(calls_->executes, 0);
}

TEST_P(Load, KernelWithoutKexecSaysSo) {
  fs::remove(sysroot() + "/sys/kernel/kexec_loaded");
  const CliResult r = styx({"exec", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "styx: " + sysroot() +
                       "/sys/kernel/kexec_loaded: missing: the running kernel has no kexec "
                       "support (CONFIG_KEXEC)\n");
  EXPECT_EQ(styx({"unload", "--sysroot", sysroot()}).err, r.err);
}

TEST_P(Load, UnloadForgetsTheLoad) {
  ASSERT_EQ(styx(load_args()).status, 0);
  set_loaded(true);
  const CliResult r = styx({"unload", "--sysroot", sysroot()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->unloads, 1);
  EXPECT_FALSE(fs::exists(state_path()));
}

TEST_P(Load, KernelRefusalIsOneLineAndLeavesNoState) {
  calls_->fail_with = EBUSY;
  CliResult r = styx(load_args());
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("kexec_load: busy"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(state_path()));

  calls_->fail_with = ENOSYS;
  r = styx(load_args());
  EXPECT_NE(r.err.find("CONFIG_KEXEC"), std::string::npos) << r.err;
}

TEST_P(Load, RefusesAnImageForAnotherIsa) {
  const std::string other = arch() == "x86_64" ? "arm64" : "x86_64";
  const host::ArchInfo& a = *host::find_arch(other);
  write("k", pattern(4096, 1));
  const CliResult built =
      styx({"build", "--arch", other, "--segment",
            "kernel=" + path("k") + "@" + host::hex(a.demo_ram_base + 0x200000), "--entry",
            host::hex(a.demo_ram_base + 0x200000), "--mem",
            host::hex(a.demo_ram_base) + ":0x4000000", "-o", path("other.img")});
  ASSERT_EQ(built.status, 0) << built.err;
  const CliResult r = styx({"load", "--sysroot", sysroot(), path("other.img")});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "styx: " + path("other.img") + ": built for " + other +
                       ", but this system runs " + arch() + "\n");
  EXPECT_TRUE(calls_->loads.empty());
}

TEST_P(Load, BadInputNamesTheFile) {
  write("not-a-kernel", pattern(100, 3));
  std::vector<std::string> args = load_args();
  args[4] = path("not-a-kernel");
  CliResult r = styx(args);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(path("not-a-kernel")), std::string::npos) << r.err;

  r = styx({"load", "--sysroot", path("nowhere"), "--kernel", path("kernel")});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find(path("nowhere")), std::string::npos) << r.err;
  EXPECT_TRUE(calls_->loads.empty());
}

TEST_P(Load, ImageWhoseDigestsNoLongerMatchIsRefusedBeforeLoading) {
  const std::vector<host::MemRange> ram = host::LiveSystem(sysroot()).ram();
  const host::MemRange r = *std::max_element(
      ram.begin(), ram.end(), [](const auto& a, const auto& b) { return a.size < b.size; });
  const std::string at = host::hex(r.start + r.size / 2 / 4096 * 4096);
  const std::vector<uint8_t> kernel = pattern(8192, 5);
  write("k", kernel);
  const CliResult built =
      styx({"build", "--arch", arch(), "--segment", "kernel=" + path("k") + "@" + at, "--entry", at,
            "--mem", host::hex(r.start) + ":" + host::hex(r.size), "-o", path("img")});
  ASSERT_EQ(built.status, 0) << built.err;
  std::vector<uint8_t> bytes = host::read_file(path("img"));
  auto it = std::search(bytes.begin(), bytes.end(), kernel.begin(), kernel.end());
  ASSERT_NE(it, bytes.end());
  it[4000] ^= 0x01;
  write("img", bytes);
  const std::string expected = "styx: " + path("img") + ": segment 0 (kernel) " + at +
                               "+0x2000: sha256 expected " + host::to_hex(host::sha256(kernel));
  for (const bool dry_run : {true, false}) {
    std::vector<std::string> args{"load", "--sysroot", sysroot(), path("img")};
    if (dry_run) args.push_back("--dry-run");
    const CliResult r = styx(args);
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_TRUE(r.err.starts_with(expected)) << r.err;
    EXPECT_TRUE(r.err.ends_with("; not loading\n")) << r.err;
  }
  EXPECT_TRUE(calls_->loads.empty());
  EXPECT_FALSE(fs::exists(state_path()));
  it[4000] ^= 0x01;
  write("img", bytes);
  EXPECT_EQ(styx({"load", "--sysroot", sysroot(), path("img")}).status, 0);
  EXPECT_EQ(calls_->loads.size(), 1u);
}

// The purgatory halts at boot on a broken seal; the host refuses it first, so that the running
// system keeps going instead of kexec'ing into a halt.
TEST_P(Load, ImageWhoseSealIsBrokenIsRefusedBeforeLoading) {
  const std::vector<host::MemRange> ram = host::LiveSystem(sysroot()).ram();
  const host::MemRange r = *std::max_element(
      ram.begin(), ram.end(), [](const auto& a, const auto& b) { return a.size < b.size; });
  const std::string at = host::hex(r.start + r.size / 2 / 4096 * 4096);
  write("k", pattern(8192, 6));
  ASSERT_EQ(
      styx({"build", "--arch", arch(), "--segment", "kernel=" + path("k") + "@" + at, "--entry", at,
            "--mem", host::hex(r.start) + ":" + host::hex(r.size), "-o", path("img")})
          .status,
      0);
  const std::vector<uint8_t> good = host::read_file(path("img"));
  const host::Image image = host::read_image(path("img"));
  const auto where =
      std::search(good.begin(), good.end(), image.purgatory.begin(), image.purgatory.end());
  ASSERT_NE(where, good.end());
  const size_t purgatory_at = static_cast<size_t>(where - good.begin());
  struct Case {
    const char* what;
    size_t offset;  ///< into the purgatory's bytes
    std::string expected;
  };
  const std::vector<Case> cases{
      {"entry", image.handoff_offset + offsetof(Handoff, entry),
       "styx: " + path("img") + ": hand-off block: sha256 expected " +
           host::to_hex(image.handoff.handoff_sha256) + " actual "},
      {"code", 0,
       "styx: " + path("img") + ": purgatory at " + host::hex(image.purgatory_addr) +
           ": sha256 expected " + host::to_hex(image.handoff.purgatory_sha256) + " actual "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    std::vector<uint8_t> bytes = good;
    bytes[purgatory_at + c.offset] ^= 0x10;
    write("img", bytes);
    for (const bool dry_run : {true, false}) {
      std::vector<std::string> args{"load", "--sysroot", sysroot(), path("img")};
      if (dry_run) args.push_back("--dry-run");
      const CliResult res = styx(args);
      EXPECT_EQ(res.status, 1) << res.out;
      EXPECT_TRUE(res.err.starts_with(c.expected)) << res.err;
      EXPECT_TRUE(res.err.ends_with("; not loading\n")) << res.err;
    }
  }
  EXPECT_TRUE(calls_->loads.empty());
  EXPECT_FALSE(fs::exists(state_path()));
  // The control: the same image unbroken loads.
  write("img", good);
  EXPECT_EQ(styx({"load", "--sysroot", sysroot(), path("img")}).status, 0);
  EXPECT_EQ(calls_->loads.size(), 1u);
}

TEST_P(Load, StateFileThatCannotBeWrittenIsRefusedBeforeLoading) {
  fs::create_directories(fs::path(state_path()).parent_path());
  ASSERT_EQ(::mkfifo(state_path().c_str(), 0600), 0);
  const CliResult r = styx(load_args());
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err,
            "styx: " + state_path() + ": is a FIFO, not a regular file: refusing to replace it\n");
  EXPECT_TRUE(calls_->loads.empty());
}

TEST_P(Load, ExecRefusesAStateNamingNeitherImageNorKernel) {
  // Used to dereference the empty image name while warning that the list grew.
  write("sysroot/run/styx/loaded.json", [] {
    const std::string text =
        R"({"version": 2, "state": "loaded", "arch": "x86_64", "image": null, "kernel": null,
                  "initrd": null,
                  "dtb": null, "console": null, "cmdline": "", "on_failure": "halt",
                  "ima": {"records": 1, "bytes": 1}})";
    return std::vector<uint8_t>(text.begin(), text.end());
  }());
  set_loaded(true);
  for (const bool dry_run : {true, false}) {
    std::vector<std::string> args{"exec", "--sysroot", sysroot()};
    if (dry_run) args.push_back("--dry-run");
    const CliResult r = styx(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "styx: " + state_path() + ": names neither an image nor a kernel\n");
  }
  EXPECT_EQ(calls_->executes, 0);
}

TEST_P(Load, SysrootWithoutDryRunIsRefusedOnTheRealKernel) {
  calls_->real = true;
  const std::string refusal =
      "styx: --sysroot " + sysroot() +
      ": only with --dry-run (its files describe another system, not this one)\n";
  set_loaded(true);
  for (const std::vector<std::string>& args :
       {load_args(), {"exec", "--sysroot", sysroot()}, {"unload", "--sysroot", sysroot()}}) {
    const CliResult r = styx(args);
    EXPECT_EQ(r.status, 2) << args[0];
    EXPECT_EQ(r.err, refusal) << args[0];
  }
  EXPECT_TRUE(calls_->loads.empty());
  EXPECT_EQ(calls_->unloads, 0);
  EXPECT_EQ(calls_->executes, 0);
  std::vector<std::string> dry = load_args();
  dry.push_back("--dry-run");
  EXPECT_EQ(styx(dry).status, 0);
  EXPECT_EQ(styx({"exec", "--sysroot", sysroot(), "--dry-run"}).status, 0);
  EXPECT_FALSE(fs::exists(state_path()));
}

// Pre-flight: what the next kernel does with the list, and whether attestation holds now. The
// captured trees have no TPM and the test kernel no configuration: the list is carried with a
// warning, never "carried and verified".
TEST_P(Load, UnknownKernelConfigurationIsAWarning) {
  const CliResult r = styx(load_args());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: warning: cannot tell whether " + path("kernel") +
                       " restores the IMA list (no configuration found"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("styx: IMA: no TPM (/sys/class/tpm/tpm0)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("measurements carried and checked by the purgatory; the next kernel may "
                       "not restore them"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("carried and verified"), std::string::npos) << r.out;
  EXPECT_EQ(carried_records(calls_->loads.at(0)), ima_records());
}

TEST_P(Load, KernelThatCannotRestoreTheListIsRefused) {
  std::vector<std::string> args =
      load_args_with_config("CONFIG_IMA=y\n# CONFIG_KEXEC_FILE is not set\n");
  CliResult r = styx(args);
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "styx: " + path("boot/vmlinuz-6.1.0-test") +
                       " (Linux 6.1.0-test) cannot restore an IMA list: CONFIG_HAVE_IMA_KEXEC is "
                       "not set: it comes with CONFIG_KEXEC_FILE, which is not set either (" +
                       path("boot/config-6.1.0-test") +
                       "); --ima=skip loads it without the list\n");
  EXPECT_TRUE(calls_->loads.empty());
  EXPECT_FALSE(fs::exists(state_path()));

  args.push_back("--ima=skip");
  r = styx(args);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(carried_records(calls_->loads.at(0)), 0u);
  EXPECT_NE(r.out.find("no measurement list carried"), std::string::npos) << r.out;

  args = load_args_with_config("# CONFIG_IMA is not set\n");
  r = styx(args);
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("CONFIG_IMA is not set"), std::string::npos) << r.err;
}

TEST_P(Load, KernelThatRestoresTheListCarriesItVerified) {
  const CliResult r =
      styx(load_args_with_config("CONFIG_IMA=y\nCONFIG_KEXEC_FILE=y\nCONFIG_HAVE_IMA_KEXEC=y\n"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("IMA: " + std::to_string(ima_records()) + " measurements carried and verified\n"),
      std::string::npos)
      << r.out;
}

TEST_P(Load, ListThatDoesNotReplayToTheTpmIsAWarning) {
  write_tpm(false);
  CliResult r = styx(load_args());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: warning: the live IMA list does not replay to the TPM, so "
                       "attestation was broken before this kexec (diverged: "),
            std::string::npos)
      << r.out;

  write_tpm(true);
  r = styx(load_args());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: IMA: the live list replays to the TPM (matched: " +
                       std::to_string(ima_records()) + " records"),
            std::string::npos)
      << r.out;

  fs::remove_all(sysroot() + "/sys/class/tpm/tpm0/pcr-sha256");
  r = styx(load_args());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: warning: cannot check the live IMA list against the TPM: "),
            std::string::npos)
      << r.out;
}

TEST_P(Load, ExecRefusesAKernelThatNoLongerRestoresTheList) {
  const std::string restores = "CONFIG_IMA=y\nCONFIG_KEXEC_FILE=y\nCONFIG_HAVE_IMA_KEXEC=y\n";
  ASSERT_EQ(styx(load_args_with_config(restores)).status, 0);
  set_loaded(true);
  CliResult r = styx({"exec", "--sysroot", sysroot(), "--dry-run"});
  ASSERT_EQ(r.status, 0) << r.err;
  write("boot/config-6.1.0-test", {'#', '\n'});
  r = styx({"exec", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot restore an IMA list: CONFIG_IMA is not set"), std::string::npos)
      << r.err;
  EXPECT_EQ(calls_->executes, 0);
}

// The load record (load-record.h): "loading" while the system call runs, "loaded" after, with
// the digests of the bytes that were loaded.
TEST_P(Load, RecordSaysLoadingDuringTheSystemCallAndLoadedAfter) {
  std::string during;
  calls_->during_load = [&] {
    const auto bytes = host::read_file(state_path());
    during = nlohmann::json::parse(bytes.begin(), bytes.end()).at("state");
  };
  ASSERT_EQ(styx(load_args()).status, 0);
  EXPECT_EQ(during, "loading");
  const auto bytes = host::read_file(state_path());
  const nlohmann::json j = nlohmann::json::parse(bytes.begin(), bytes.end());
  EXPECT_EQ(j.at("state"), "loaded");
  EXPECT_EQ(j.at("kernel").at("sha256"),
            host::to_hex(host::sha256(host::read_file(path("kernel")))));
  EXPECT_EQ(j.at("initrd").at("sha256"),
            host::to_hex(host::sha256(host::read_file(path("initrd")))));
}

TEST_P(Load, RefusedLoadPutsBackThePreviousRecord) {
  ASSERT_EQ(styx(load_args()).status, 0);
  const std::vector<uint8_t> before = host::read_file(state_path());
  calls_->fail_with = EBUSY;
  write("initrd", pattern(5000, 9));
  EXPECT_EQ(styx(load_args()).status, 2);
  EXPECT_EQ(host::read_file(state_path()), before);
}

// Without copies (a /run that is not memory-backed), exec reads the files at their paths.
TEST_P(Load, ExecReloadsOnlyTheBytesThatWereLoaded) {
  set_memory_backed(false);
  const std::vector<uint8_t> kernel = host::read_file(path("kernel"));
  ASSERT_EQ(styx(load_args()).status, 0);
  set_loaded(true);
  measure_one_more();
  const std::string then = host::to_hex(host::sha256(kernel));
  std::vector<uint8_t> replaced = kernel;
  replaced[replaced.size() / 2] ^= 1;
  write("kernel", replaced);
  const std::string keep = "; not loading again (the loaded image stays; run `styx load` again)\n";
  for (const bool dry_run : {true, false}) {
    std::vector<std::string> args{"exec", "--sysroot", sysroot()};
    if (dry_run) args.push_back("--dry-run");
    const CliResult r = styx(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err, "styx: " + path("kernel") + ": the kernel changed since `styx load` (sha256 " +
                         then + " then, " + host::to_hex(host::sha256(replaced)) + " now)" + keep);
  }
  // Gone is said as gone.
  fs::remove(path("kernel"));
  CliResult r = styx({"exec", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "styx: " + path("kernel") + ": the kernel `styx load` loaded is gone" + keep);
  write("kernel", kernel);
  fs::remove(path("initrd"));
  r = styx({"exec", "--sysroot", sysroot()});
  EXPECT_EQ(r.err, "styx: " + path("initrd") + ": the initrd `styx load` loaded is gone" + keep);
  EXPECT_EQ(calls_->loads.size(), 1u);
  EXPECT_EQ(calls_->executes, 0);
  // Control: the same bytes back, and the reload happens.
  write("initrd", pattern(70001, 7));
  r = styx({"exec", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(calls_->loads.size(), 2u);
  EXPECT_EQ(calls_->executes, 1);
}

// A styx killed between the system call and the second write leaves a "loading" record: what is
// loaded may be that load's image or the one before, so exec refuses and status says so; with
// nothing loaded the record is stale.
TEST_P(Load, InterruptedLoadLeavesARecordThatIsCalledStale) {
  std::vector<uint8_t> loading;
  calls_->during_load = [&] { loading = host::read_file(state_path()); };
  ASSERT_EQ(styx(load_args()).status, 0);
  write("sysroot/run/styx/loaded.json", loading);
  const std::string record = state_path();

  set_loaded(true);
  CliResult r = styx({"status", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "styx: an image is loaded, but " + record +
                       " is from a `styx load` that did not finish: it may be that load's image "
                       "or the one before; run `styx load` again\n");
  r = styx({"exec", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "styx: " + record +
                       ": the last `styx load` did not finish, so the loaded image may be its or "
                       "the one before: run `styx load` again\n");
  EXPECT_EQ(calls_->executes, 0);

  set_loaded(false);
  r = styx({"status", "--sysroot", sysroot()});
  EXPECT_EQ(r.out, "styx: nothing is loaded; " + record +
                       " is stale (from a `styx load` or `styx unload` that did not finish) and "
                       "ignored\n");
  EXPECT_EQ(styx({"exec", "--sysroot", sysroot()}).err,
            "styx: nothing is loaded: run `styx load` first\n");
  // A finished load's record with nothing loaded (an unload killed before it removed it) is as
  // stale.
  ASSERT_EQ(styx(load_args()).status, 0);
  EXPECT_EQ(styx({"status", "--sysroot", sysroot()}).out, r.out);
}

TEST_P(Load, StatusSaysWhatIsLoadedAndWhetherTheFilesStillHoldIt) {
  set_loaded(false);
  EXPECT_EQ(styx({"status", "--sysroot", sysroot()}).out, "styx: nothing is loaded\n");
  set_loaded(true);
  EXPECT_EQ(styx({"status", "--sysroot", sysroot()}).out,
            "styx: an image is loaded, not by styx (no " + state_path() + ")\n");
  ASSERT_EQ(styx(load_args()).status, 0);
  const std::string kernel_line = "styx: kernel " + path("kernel") + ", sha256 " +
                                  host::to_hex(host::sha256(host::read_file(path("kernel"))));
  CliResult r = styx({"status", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.out.starts_with("styx: loaded by styx (" + arch() + ") with kexec_load\n"))
      << r.out;
  const std::string copy = "; kept as " + copies_dir() + "/kernel." +
                           host::to_hex(host::sha256(host::read_file(path("kernel"))));
  EXPECT_NE(r.out.find(kernel_line + ", unchanged" + copy + ", unchanged\n"), std::string::npos)
      << r.out;
  write("kernel", pattern(4096, 2));
  r = styx({"status", "--sysroot", sysroot()});
  EXPECT_NE(r.out.find(kernel_line + ", changed since the load (sha256 now " +
                       host::to_hex(host::sha256(pattern(4096, 2))) + ")" + copy + ", unchanged\n"),
            std::string::npos)
      << r.out;
  fs::remove(path("kernel"));
  r = styx({"status", "--sysroot", sysroot()});
  EXPECT_NE(r.out.find(kernel_line + ", gone since the load" + copy + ", unchanged\n"),
            std::string::npos)
      << r.out;
  for (const auto& e : fs::directory_iterator(copies_dir())) fs::remove(e.path());
  r = styx({"status", "--sysroot", sysroot()});
  EXPECT_NE(r.out.find(kernel_line + ", gone since the load" + copy + ", gone since the load\n"),
            std::string::npos)
      << r.out;
}

// The load keeps the exact bytes in /run/styx/files, named by digest; exec rebuilds from them
// when the original files are gone (their file system unmounted) or replaced.
TEST_P(Load, ExecRebuildsFromTheCopiesTheLoadKept) {
  const std::vector<uint8_t> kernel = host::read_file(path("kernel"));
  const std::vector<uint8_t> initrd = host::read_file(path("initrd"));
  const std::string ksha = host::to_hex(host::sha256(kernel));
  const std::string isha = host::to_hex(host::sha256(initrd));
  CliResult r = styx(load_args());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("keeping no copy"), std::string::npos) << r.out;
  EXPECT_EQ(copies(), (std::vector<std::string>{"initrd." + isha, "kernel." + ksha}));
  EXPECT_EQ(host::read_file(copies_dir() + "/kernel." + ksha), kernel);
  EXPECT_EQ(host::read_file(copies_dir() + "/initrd." + isha), initrd);
  const nlohmann::json record = nlohmann::json::parse(host::read_file(state_path()));
  EXPECT_EQ(record["kernel"]["copy"], copies_dir() + "/kernel." + ksha);
  EXPECT_EQ(record["kernel"]["path"], path("kernel"));
  EXPECT_EQ(record["initrd"]["copy"], copies_dir() + "/initrd." + isha);

  set_loaded(true);
  r = styx({"status", "--sysroot", sysroot()});
  EXPECT_NE(r.out.find("; kept as " + copies_dir() + "/kernel." + ksha + ", unchanged\n"),
            std::string::npos)
      << r.out;
  measure_one_more();
  fs::remove(path("kernel"));
  write("initrd", pattern(5000, 9));
  r = styx({"exec", "--sysroot", sysroot()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: the IMA list grew from "), std::string::npos) << r.out;
  ASSERT_EQ(calls_->loads.size(), 2u);
  EXPECT_EQ(calls_->executes, 1);
  EXPECT_EQ(carried_records(calls_->loads[1]), ima_records());
  // The reload used the loaded bytes: its kernel and initrd segments are those of the first load.
  const auto file_segments = [](const host::KexecPlan& plan) {
    std::vector<std::vector<uint8_t>> out;
    for (const host::KexecSegment& s : plan.segments)
      if (s.contents == "kernel" || s.contents == "initrd") out.push_back(s.buf);
    return out;
  };
  ASSERT_FALSE(file_segments(calls_->loads[0]).empty());
  EXPECT_EQ(file_segments(calls_->loads[0]), file_segments(calls_->loads[1]));
  EXPECT_EQ(copies().size(), 2u);
}

TEST_P(Load, ExecRefusesACopyThatChangedOrWent) {
  ASSERT_EQ(styx(load_args()).status, 0);
  set_loaded(true);
  measure_one_more();
  const std::vector<uint8_t> kernel = host::read_file(path("kernel"));
  const std::string ksha = host::to_hex(host::sha256(kernel));
  const std::string copy = copies_dir() + "/kernel." + ksha;
  const std::string keep = "; not loading again (the loaded image stays; run `styx load` again)\n";
  std::vector<uint8_t> changed = kernel;
  changed[changed.size() / 3] ^= 4;
  write("sysroot/run/styx/files/kernel." + ksha, changed);
  CliResult r = styx({"exec", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "styx: " + copy + ": the copy of the kernel " + path("kernel") +
                       " changed since `styx load` (sha256 " + ksha + " then, " +
                       host::to_hex(host::sha256(changed)) + " now)" + keep);
  fs::remove(copy);
  r = styx({"exec", "--sysroot", sysroot()});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "styx: " + copy + ": the copy `styx load` kept of the kernel " + path("kernel") +
                       " is gone" + keep);
  EXPECT_EQ(calls_->loads.size(), 1u);
  EXPECT_EQ(calls_->executes, 0);
}

// A new load replaces the copies; a refused one leaves those of the load before; unload (and a
// load from a prebuilt image) leaves none.
TEST_P(Load, CopiesFollowTheRecord) {
  ASSERT_EQ(styx(load_args()).status, 0);
  const std::vector<std::string> first = copies();
  ASSERT_EQ(first.size(), 2u);
  write("initrd", pattern(5000, 9));
  ASSERT_EQ(styx(load_args()).status, 0);
  const std::vector<std::string> second = copies();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_NE(first, second);
  calls_->fail_with = EBUSY;
  write("initrd", pattern(6000, 3));
  EXPECT_EQ(styx(load_args()).status, 2);
  EXPECT_EQ(copies(), second);
  calls_->fail_with = 0;
  // A killed load's leftovers go with the next load.
  write("sysroot/run/styx/files/initrd.leftover", pattern(10, 1));
  ASSERT_EQ(styx(load_args()).status, 0);
  EXPECT_EQ(copies().size(), 2u);
  set_loaded(true);
  ASSERT_EQ(styx({"unload", "--sysroot", sysroot()}).status, 0);
  EXPECT_EQ(copies(), std::vector<std::string>{});
  // A dry run keeps nothing.
  std::vector<std::string> dry = load_args();
  dry.push_back("--dry-run");
  ASSERT_EQ(styx(dry).status, 0);
  EXPECT_EQ(copies(), std::vector<std::string>{});
}

// Where /run is not memory-backed the load says so once, keeps nothing, and the record names no
// copy: exec falls back to the paths (ExecReloadsOnlyTheBytesThatWereLoaded).
TEST_P(Load, NoCopiesWhereRunIsNotMemoryBacked) {
  set_memory_backed(false);
  const CliResult r = styx(load_args());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: warning: " + copies_dir() +
                       " is not on tmpfs or ramfs: keeping no copy of the kernel, initrd and "
                       "device tree; `styx exec` will need them at their paths, unchanged\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(copies(), std::vector<std::string>{});
  const nlohmann::json record = nlohmann::json::parse(host::read_file(state_path()));
  EXPECT_TRUE(record["kernel"]["copy"].is_null());
}

// --- Booted through UEFI on ACPI: the tree has no /memory (tests/data/sysroot/arm64-uefi) ---

class LoadUefi : public Load {
 protected:
  std::vector<std::string> dry_run_args() const {
    std::vector<std::string> args = load_args();
    args.push_back("--dry-run");
    return args;
  }
  // Where the loaded segments overlap anything /proc/iomem reserves (at the top level, or
  // inside System RAM); "" when nothing does.
  std::string overlap_with_reserved(const host::KexecPlan& plan) const {
    const host::LiveSystem live(sysroot());
    std::vector<host::MemRange> reserved = live.ram_reservations();
    for (const host::FirmwareRange& r : live.firmware_map())
      if (r.type == "reserved") reserved.push_back({r.start, r.size});
    for (const host::KexecSegment& s : plan.segments)
      for (const host::MemRange& r : reserved)
        if (s.mem < r.end() && r.start < s.mem + s.memsz)
          return s.contents + " at " + host::hex(s.mem) + "+" + host::hex(s.memsz) +
                 " overlaps reserved " + host::hex(r.start) + "+" + host::hex(r.size);
    return "";
  }
  // The device tree inside the loaded segments (found by its magic on a page boundary).
  std::vector<uint8_t> loaded_tree(const host::KexecPlan& plan) const {
    for (const host::KexecSegment& s : plan.segments)
      for (size_t off = 0; off + 8 <= s.buf.size(); off += 4096)
        if (s.buf[off] == 0xd0 && s.buf[off + 1] == 0x0d && s.buf[off + 2] == 0xfe &&
            s.buf[off + 3] == 0xed) {
          const size_t total = size_t{s.buf[off + 4]} << 24 | size_t{s.buf[off + 5]} << 16 |
                               size_t{s.buf[off + 6]} << 8 | s.buf[off + 7];
          if (total > s.buf.size() - off) continue;
          return {s.buf.begin() + off, s.buf.begin() + off + total};
        }
    return {};
  }
};

TEST_P(LoadUefi, DryRunSaysRamCameFromIomem) {
  const CliResult r = styx(dry_run_args());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("styx: RAM: 1017 MiB in 3 ranges, from " + sysroot() +
                       "/proc/iomem (System RAM; the tree has no /memory), 14 reserved ranges in "
                       "it kept clear\n"),
            std::string::npos)
      << r.out;
}

TEST_P(LoadUefi, SegmentsAvoidEveryReservedRange) {
  ASSERT_EQ(styx(load_args()).status, 0);
  ASSERT_EQ(calls_->loads.size(), 1u);
  EXPECT_EQ(overlap_with_reserved(calls_->loads[0]), "");
}

// The control: the same tree with the nested lines of /proc/iomem gone, so styx sees System RAM
// only; the check above must catch the segments it then places over reserved memory.
TEST_P(LoadUefi, WithoutTheNestedReservationsTheCheckFails) {
  const std::vector<uint8_t> iomem = host::read_file(sysroot() + "/proc/iomem");
  std::string kept;
  std::string text(iomem.begin(), iomem.end());
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    if (text[pos] != ' ') kept += text.substr(pos, eol - pos) + "\n";
    pos = eol + 1;
  }
  write("sysroot/proc/iomem", {kept.begin(), kept.end()});
  ASSERT_EQ(styx(load_args()).status, 0);
  ASSERT_EQ(calls_->loads.size(), 1u);
  // Back to the real file for the check itself.
  write("sysroot/proc/iomem", iomem);
  EXPECT_NE(overlap_with_reserved(calls_->loads[0]), "");
}

TEST_P(LoadUefi, KeepsTheEfiPropertiesAndAddsNoMemory) {
  ASSERT_EQ(styx(load_args()).status, 0);
  ASSERT_EQ(calls_->loads.size(), 1u);
  const std::vector<uint8_t> blob = loaded_tree(calls_->loads[0]);
  ASSERT_FALSE(blob.empty());
  const host::DeviceTree next(blob, "loaded tree");
  const host::DeviceTree live(host::read_file(sysroot() + "/sys/firmware/fdt"), "live tree");
  for (const char* name :
       {"linux,uefi-system-table", "linux,uefi-mmap-start", "linux,uefi-mmap-size",
        "linux,uefi-mmap-desc-size", "linux,uefi-mmap-desc-ver", "linux,uefi-secure-boot"}) {
    ASSERT_TRUE(live.property("/chosen", name)) << name;
    EXPECT_EQ(next.property("/chosen", name), live.property("/chosen", name)) << name;
  }
  EXPECT_TRUE(next.memory().empty());
  EXPECT_TRUE(next.number_property("/chosen", "linux,initrd-start"));
  EXPECT_NE(next.string_property("/chosen", "bootargs").value_or("").find("extra=1"),
            std::string::npos);
}

// The control for where RAM comes from: without /proc/iomem (and no memmap) there is none.
TEST_P(LoadUefi, WithoutIomemThereIsNoRam) {
  fs::remove(sysroot() + "/proc/iomem");
  const CliResult r = styx(dry_run_args());
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "styx: " + sysroot() +
                       "/sys/firmware/fdt: no RAM: no enabled /memory node with a reg, and " +
                       sysroot() + "/proc/iomem: No such file or directory, and no " + sysroot() +
                       "/sys/firmware/memmap either (or use --mem)\n");
  EXPECT_TRUE(calls_->loads.empty());
}

INSTANTIATE_TEST_SUITE_P(Sysroot, LoadUefi, testing::Values("arm64-uefi"),
                         [](const testing::TestParamInfo<std::string>&) { return "arm64_uefi"; });

INSTANTIATE_TEST_SUITE_P(Sysroot, Load, testing::Values("x86_64", "arm64", "arm64-uefi"),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace styx::test

// SPDX-License-Identifier: GPL-2.0-only
// Whether the next kernel restores a carried IMA list: its configuration found beside it, in
// /boot under the sysroot, as /proc/config.gz of the same running release, or embedded in it.
#include "kernel-config.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bytes.h"

namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using styx::host::ImaRestore;

constexpr char kRestores[] = "CONFIG_IMA=y\nCONFIG_KEXEC_FILE=y\nCONFIG_HAVE_IMA_KEXEC=y\n";
constexpr char kNoKexecFile[] = "CONFIG_IMA=y\n# CONFIG_KEXEC_FILE is not set\n";
constexpr char kNoIma[] = "# CONFIG_IMA is not set\nCONFIG_KEXEC_FILE=y\n";

Bytes gzip(const std::string& text) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  Bytes out(text.size() + 1024);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes text(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

// An image with CONFIG_IKCONFIG's markers around the gzip of `config`.
Bytes with_ikconfig(const std::string& config) {
  Bytes image(4096, 0x90);
  const Bytes st = text("IKCFG_ST"), ed = text("IKCFG_ED"), gz = gzip(config);
  image.insert(image.end(), st.begin(), st.end());
  image.insert(image.end(), gz.begin(), gz.end());
  image.insert(image.end(), ed.begin(), ed.end());
  image.resize(image.size() + 100, 0);
  return image;
}

class KernelConfig : public testing::Test {
 protected:
  KernelConfig() {
    dir_ =
        fs::temp_directory_path() / ("styx-kernel-config-" + std::to_string(::getpid()) + "-" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "sysroot");
  }
  ~KernelConfig() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const Bytes& bytes) const {
    fs::create_directories(fs::path(path(name)).parent_path());
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  ImaRestore check(const std::string& kernel, std::string_view arch = "x86_64") const {
    const Bytes bytes = [&] {
      std::ifstream in(path(kernel), std::ios::binary);
      return Bytes(std::istreambuf_iterator<char>(in), {});
    }();
    return styx::host::check_ima_restore(path(kernel), bytes,
                                         styx::host::LiveSystem(path("sysroot")), arch);
  }

  fs::path dir_;
};

TEST(KernelConfigText, ReadsSetOptionsOnly) {
  const auto options = styx::host::parse_kernel_config(
      "#\n# comment\nCONFIG_IMA=y\nCONFIG_X=m\n# CONFIG_KEXEC_FILE is not set\n"
      "CONFIG_S=\"a=b\"\n");
  EXPECT_EQ(options.size(), 3u);
  EXPECT_EQ(options.at("CONFIG_IMA"), "y");
  EXPECT_EQ(options.at("CONFIG_S"), "\"a=b\"");
  EXPECT_EQ(options.count("CONFIG_KEXEC_FILE"), 0u);
}

TEST_F(KernelConfig, ReleaseFromTheFileNameThroughSymlinks) {
  write("boot/vmlinuz-6.1.0-57-amd64", Bytes(100, 0));
  fs::create_symlink("boot/vmlinuz-6.1.0-57-amd64", path("vmlinuz"));
  EXPECT_EQ(styx::host::kernel_release(path("vmlinuz"), {}), "6.1.0-57-amd64");
  EXPECT_EQ(styx::host::kernel_release(path("Image"), {}), "");
}

TEST_F(KernelConfig, ReleaseFromABzImageHeaderOrABanner) {
  Bytes bz(0x1000, 0);
  const Bytes hdrs = text("HdrS"), version = text("6.1.0-test (builder) #1 SMP");
  std::copy(hdrs.begin(), hdrs.end(), bz.begin() + 0x202);
  styx::host::put_uint(bz, 0x20e, 0x600, 2, false);
  std::copy(version.begin(), version.end(), bz.begin() + 0x800);
  EXPECT_EQ(styx::host::kernel_release(path("bzImage"), bz), "6.1.0-test");

  const Bytes banner = text("....Linux version 6.12.9-arm64 (gcc) #1 SMP\n");
  EXPECT_EQ(styx::host::kernel_release(path("Image"), banner), "6.12.9-arm64");
  const Bytes gz = gzip(std::string(banner.begin(), banner.end()));
  EXPECT_EQ(styx::host::kernel_release(path("Image.gz"), gz), "6.12.9-arm64");
}

TEST_F(KernelConfig, EmbeddedConfigurationPlainOrInAGzipImage) {
  const Bytes image = with_ikconfig(kRestores);
  EXPECT_EQ(styx::host::embedded_kernel_config(image), std::string(kRestores));
  EXPECT_EQ(styx::host::embedded_kernel_config(gzip(std::string(image.begin(), image.end()))),
            std::string(kRestores));
  EXPECT_FALSE(styx::host::embedded_kernel_config(Bytes(4096, 0)));
}

TEST_F(KernelConfig, ConfigBesideTheKernelDecides) {
  write("boot/vmlinuz-6.1.0-57-amd64", Bytes(100, 0));
  write("boot/config-6.1.0-57-amd64", text(kRestores));
  ImaRestore r = check("boot/vmlinuz-6.1.0-57-amd64");
  EXPECT_EQ(r.verdict, ImaRestore::Verdict::kRestores);
  EXPECT_EQ(r.release, "6.1.0-57-amd64");
  EXPECT_EQ(r.source, path("boot/config-6.1.0-57-amd64"));

  write("boot/config-6.1.0-57-amd64", text(kNoKexecFile));
  r = check("boot/vmlinuz-6.1.0-57-amd64", "arm64");
  EXPECT_EQ(r.verdict, ImaRestore::Verdict::kDrops);
  EXPECT_EQ(r.reason,
            "CONFIG_HAVE_IMA_KEXEC is not set: it comes with CONFIG_KEXEC_FILE, which is not set "
            "either");
  EXPECT_EQ(check("boot/vmlinuz-6.1.0-57-amd64", "s390x").reason,
            "CONFIG_HAVE_IMA_KEXEC is not set (s390x kernels have no IMA hand-over)");

  write("boot/config-6.1.0-57-amd64", text(kNoIma));
  EXPECT_EQ(check("boot/vmlinuz-6.1.0-57-amd64").reason, "CONFIG_IMA is not set");
}

TEST_F(KernelConfig, BootUnderTheSysrootAndProcConfigOfTheSameRelease) {
  write("k/vmlinuz-6.1.0-9", Bytes(100, 0));
  write("sysroot/boot/config-6.1.0-9", text(kNoKexecFile));
  EXPECT_EQ(check("k/vmlinuz-6.1.0-9").source, path("sysroot/boot/config-6.1.0-9"));

  fs::remove(path("sysroot/boot/config-6.1.0-9"));
  write("sysroot/proc/config.gz", gzip(kRestores));
  // Not the running release: /proc/config.gz says nothing about this kernel.
  EXPECT_EQ(check("k/vmlinuz-6.1.0-9").verdict, ImaRestore::Verdict::kUnknown);
  write("sysroot/proc/sys/kernel/osrelease", text("6.1.0-9\n"));
  const ImaRestore r = check("k/vmlinuz-6.1.0-9");
  EXPECT_EQ(r.verdict, ImaRestore::Verdict::kRestores);
  EXPECT_NE(r.source.find("config.gz"), std::string::npos);
}

TEST_F(KernelConfig, EmbeddedConfigurationWhenNoFileIsFound) {
  write("Image", with_ikconfig(kNoKexecFile));
  const ImaRestore r = check("Image", "arm64");
  EXPECT_EQ(r.verdict, ImaRestore::Verdict::kDrops);
  EXPECT_EQ(r.source, "the configuration embedded in " + path("Image"));
}

TEST_F(KernelConfig, NothingFoundIsUnknownAndSaysWhatWasLookedFor) {
  write("boot/vmlinuz-6.1.0-1", Bytes(100, 0));
  ImaRestore r = check("boot/vmlinuz-6.1.0-1");
  EXPECT_EQ(r.verdict, ImaRestore::Verdict::kUnknown);
  EXPECT_NE(r.reason.find(path("boot/config-6.1.0-1")), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("CONFIG_IKCONFIG"), std::string::npos) << r.reason;

  write("kernel", Bytes(100, 0));
  r = check("kernel");
  EXPECT_EQ(r.verdict, ImaRestore::Verdict::kUnknown);
  EXPECT_NE(r.reason.find("release is unknown"), std::string::npos) << r.reason;
}

}  // namespace

// The running kernel's own configuration (kexec-file.h reads KEXEC_SIG_FORCE and IMA_KEXEC from
// it): /proc/config.gz first, else /boot/config-<running release>.
TEST_F(KernelConfig, RunningConfigurationFromProcThenBoot) {
  std::string looked;
  EXPECT_FALSE(styx::host::running_kernel_config(styx::host::LiveSystem(path("sysroot")), &looked));
  EXPECT_NE(looked.find(path("sysroot/proc/config.gz")), std::string::npos) << looked;
  write("sysroot/proc/sys/kernel/osrelease", text("6.1.0-9\n"));
  write("sysroot/boot/config-6.1.0-9", text("CONFIG_KEXEC_SIG_FORCE=y\n"));
  auto config = styx::host::running_kernel_config(styx::host::LiveSystem(path("sysroot")));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->source, path("sysroot/boot/config-6.1.0-9"));
  EXPECT_EQ(config->options.at("CONFIG_KEXEC_SIG_FORCE"), "y");
  write("sysroot/proc/config.gz", gzip("CONFIG_IMA_KEXEC=y\n"));
  config = styx::host::running_kernel_config(styx::host::LiveSystem(path("sysroot")));
  ASSERT_TRUE(config);
  EXPECT_EQ(config->source, path("sysroot/proc/config.gz"));
  EXPECT_EQ(config->options.count("CONFIG_KEXEC_SIG_FORCE"), 0u);
}

// SPDX-License-Identifier: GPL-2.0-only
// The one place files are read and written: special files and oversized files are refused
// before reading, outputs never replace anything but a regular file, and nothing is left behind.
#include "file-io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>

#include "error.h"

namespace styx::host {
namespace {

namespace fs = std::filesystem;

class FileIo : public testing::Test {
 protected:
  FileIo() {
    std::string tmpl = (fs::temp_directory_path() / "styx-file-io-test.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
  }
  ~FileIo() override { fs::remove_all(root_); }

  std::string path(const std::string& name) const { return (root_ / name).string(); }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(path(name), std::ios::binary) << text;
  }
  std::string error_of(const std::function<void()>& f) const {
    try {
      f();
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path root_;
};

TEST_F(FileIo, RefusesDevicesAndFifosByTypeBeforeReading) {
  EXPECT_EQ(error_of([] { read_file("/dev/zero"); }),
            "/dev/zero: is a character device, not a regular file");
  EXPECT_EQ(error_of([] { read_file("/dev/urandom"); }),
            "/dev/urandom: is a character device, not a regular file");
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  // Would block forever in open() if it were opened like a file: no writer ever comes.
  EXPECT_EQ(error_of([&] { read_file(path("fifo")); }),
            path("fifo") + ": is a FIFO, not a regular file");
  EXPECT_EQ(error_of([&] { read_file(root_.string()); }),
            root_.string() + ": is a directory, not a regular file");
}

TEST_F(FileIo, RefusesAFileLargerThanTheLimitBeforeReading) {
  { std::ofstream(path("sparse")).put('x'); }
  fs::resize_file(path("sparse"), kMaxImageBytes + 1);  // sparse: no disk space used
  EXPECT_EQ(error_of([&] { read_file(path("sparse"), kMaxImageBytes); }),
            path("sparse") + ": larger than 4 GiB, the most styx reads from one file");
  write("small", "12345");
  EXPECT_NE(error_of([&] { read_file(path("small"), 4); }).find("larger than 0x4 bytes"),
            std::string::npos);
  EXPECT_EQ(read_file(path("small"), 5).size(), 5u);
}

// sysfs says 4096 bytes for every attribute: `kexec -e` read /sys/kernel/kexec_loaded with a
// 64-byte limit and was refused on every real system.
TEST_F(FileIo, ReadsASysfsAttributeWhoseReportedSizeExceedsTheLimit) {
  const std::string attr = "/sys/kernel/uevent_seqnum";
  struct stat st {};
  if (::stat(attr.c_str(), &st) != 0 || st.st_size <= 64) GTEST_SKIP() << attr << ": not here";
  const auto bytes = read_file_if_present(attr, 64);
  ASSERT_TRUE(bytes);
  EXPECT_FALSE(bytes->empty());
}

TEST_F(FileIo, OutputMustBeARegularFileOrNew) {
  EXPECT_NO_THROW(check_output_path(path("new"), {}));
  write("file", "x");
  EXPECT_NO_THROW(check_output_path(path("file"), {}));
  ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
  EXPECT_EQ(error_of([&] { check_output_path(path("fifo"), {}); }),
            path("fifo") + ": is a FIFO, not a regular file: refusing to replace it");
  EXPECT_EQ(error_of([] { check_output_path("/dev/null", {}); }),
            "/dev/null: is a character device, not a regular file: refusing to replace it");
  fs::create_symlink("/dev/null", path("to-null"));
  EXPECT_NE(error_of([&] {
              write_file_atomic(path("to-null"), {}, false);
            }).find("is a character device"),
            std::string::npos);
  EXPECT_TRUE(fs::is_symlink(path("to-null")));
  fs::create_symlink(path("nothing"), path("dangling"));
  EXPECT_NE(error_of([&] { check_output_path(path("dangling"), {}); }).find("symlink to nothing"),
            std::string::npos);
}

TEST_F(FileIo, OutputEqualToAnInputIsRefusedByInode) {
  write("kernel", "k");
  fs::create_hard_link(path("kernel"), path("hardlink"));
  fs::create_symlink(path("kernel"), path("symlink"));
  for (const std::string& out :
       {path("kernel"), path("hardlink"), path("symlink"), (root_ / "." / "kernel").string()}) {
    EXPECT_EQ(error_of([&] {
                check_output_path(out, {path("initrd"), path("kernel")});
              }),
              out + ": is the input " + path("kernel") + ": refusing to overwrite an input");
  }
}

TEST_F(FileIo, WritesThroughASymlinkToARegularFile) {
  write("real", "old");
  fs::create_symlink("real", path("link"));
  const std::vector<uint8_t> data{'n', 'e', 'w'};
  write_file_atomic(path("link"), data, false);
  EXPECT_TRUE(fs::is_symlink(path("link")));
  EXPECT_EQ(read_file(path("real")), data);
  EXPECT_EQ(entries(), (std::vector<std::string>{"link", "real"}));
}

TEST_F(FileIo, RemovesTemporariesThatAKilledWriterLeft) {
  // A PID above any pid_max (at most 2^22): no process has it, and none can get it while the
  // test runs, as a reaped child's PID could on a busy machine.
  const pid_t dead = 999999999;
  write("." + std::string("image.") + std::to_string(dead) + ".a1b2c3", "half an image");
  write(".image." + std::to_string(::getppid()) + ".d4e5f6", "a live writer's");
  write(".image." + std::to_string(dead) + ".tmp", "named just before its rename");
  write(".other." + std::to_string(dead) + ".a1b2c3", "another output's");
  write(".image.5." + std::to_string(dead) + ".a1b2c3", "the output image.5's");
  write_file_atomic(path("image"), std::vector<uint8_t>{1, 2, 3}, false);
  std::vector<std::string> kept{".image." + std::to_string(::getppid()) + ".d4e5f6",
                                ".image.5." + std::to_string(dead) + ".a1b2c3",
                                ".other." + std::to_string(dead) + ".a1b2c3", "image"};
  std::sort(kept.begin(), kept.end());  // as entries() are: the order depends on the PIDs
  EXPECT_EQ(entries(), kept);
}

TEST_F(FileIo, SigtermDuringAWriteLeavesNoTemporary) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    const std::vector<uint8_t> big(size_t{64} << 20, 0x5a);
    const char go = 1;
    if (::write(ready[1], &go, 1) != 1) ::_exit(3);
    try {
      write_file_atomic(path("image"), big, false);
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(0);
  }
  ASSERT_GT(child, 0);
  char go = 0;
  ASSERT_EQ(::read(ready[0], &go, 1), 1);
  ::kill(child, SIGTERM);  // wherever the write is by now: before, during or after
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  EXPECT_TRUE((WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) ||
              (WIFEXITED(status) && WEXITSTATUS(status) == 0));
  for (const std::string& name : entries()) EXPECT_EQ(name, "image") << "left behind";
}

}  // namespace
}  // namespace styx::host

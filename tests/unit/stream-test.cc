// SPDX-License-Identifier: GPL-2.0-only
// Streamed builds and verifies: the same bytes as the in-memory path, inputs read once in bounded
// pieces, and an input that changes or a disk that fills leaves nothing under the output name.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "builder.h"
#include "digest.h"
#include "embedded-purgatory.h"
#include "error.h"
#include "file-io.h"
#include "image.h"
#include "random-bytes.h"

namespace styx::host {
namespace {

namespace fs = std::filesystem;

using styx::test::random_bytes;

class Stream : public testing::Test {
 protected:
  Stream() {
    std::string tmpl = (fs::temp_directory_path() / "styx-stream-test.XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
  }
  ~Stream() override { fs::remove_all(root_); }

  std::string path(const std::string& name) const { return (root_ / name).string(); }
  void write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    std::ofstream(path(name), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }
  static std::string error_of(const std::function<void()>& f) {
    try {
      f();
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  }

  // Kernel in memory, initrd (larger than one read chunk) and a data segment from files.
  BuildRequest request(bool from_files) const {
    BuildRequest req;
    req.arch = find_arch("arm64");
    req.ram = {{0x40000000, 64 << 20}};
    req.entry = 0x40200000;
    req.segments = {{Role::kKernel, "Image", 0x40200000, kernel_, 0x10000},
                    {Role::kInitrd, "initrd", 0x41000000, {}},
                    {Role::kData, "data", 0x42000000, {}}};
    if (from_files) {
      req.segments[1].file = open_region(path("initrd"));
      req.segments[2].file = open_region(path("data"));
    } else {
      req.segments[1].data = initrd_;
      req.segments[2].data = data_;
    }
    return req;
  }

  void SetUp() override {
    write("initrd", initrd_);
    write("data", data_);
  }

  void build_streamed(const std::string& out, BuildRequest req) const {
    PlannedImage planned = plan_image(std::move(req), embedded_purgatory("arm64"));
    write_image(out, planned.image,
                [&](std::span<const Digest> digests) { link_image(planned, digests); });
  }

  std::vector<uint8_t> kernel_ = random_bytes(20000, 1);
  std::vector<uint8_t> initrd_ = random_bytes(InputFile::kReadChunk * 3 + 12345, 2);
  std::vector<uint8_t> data_ = random_bytes(4097, 3);
  fs::path root_;
};

TEST_F(Stream, StreamedBuildWritesTheBytesOfTheInMemoryBuild) {
  const Image in_memory = build_image(request(false), embedded_purgatory("arm64"));
  build_streamed(path("out.img"), request(true));
  EXPECT_EQ(read_file(path("out.img"), 1ull << 30), serialize_image(in_memory));
  const Image back = read_image(path("out.img"));
  EXPECT_EQ(to_hex(back.handoff.segments[1].sha256), to_hex(sha256(initrd_)));
  EXPECT_EQ(to_hex(back.handoff.segments[2].sha256), to_hex(sha256(data_)));
}

TEST_F(Stream, BuildFromFilesWithoutStreamingGivesTheSameImage) {
  const Image a = build_image(request(false), embedded_purgatory("arm64"));
  const Image b = build_image(request(true), embedded_purgatory("arm64"));
  EXPECT_EQ(serialize_image(a), serialize_image(b));
}

TEST_F(Stream, OpenedImageKeepsSegmentsInTheFileAndVerifiesThemAll) {
  build_streamed(path("out.img"), request(true));
  const Image image = open_image(path("out.img"));
  ASSERT_EQ(image.segments.size(), 3u);
  for (const auto& s : image.segments) EXPECT_TRUE(s.file.has_value());
  EXPECT_EQ(image.segments[1].bytes(), initrd_);
  const std::vector<Digest> digests = segment_digests(image);
  ASSERT_EQ(digests.size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(to_hex(digests[i]), to_hex(image.handoff.segments[i].sha256)) << i;
}

TEST_F(Stream, AFlippedByteInOneOfSeveralSegmentsChangesOnlyItsDigest) {
  build_streamed(path("out.img"), request(true));
  const Image good = open_image(path("out.img"));
  const FileRegion& initrd = *good.segments[1].file;
  {
    std::fstream f(path("out.img"), std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(initrd.offset + initrd.size - 1));
    f.put(static_cast<char>(initrd_.back() ^ 1));
  }
  const Image image = open_image(path("out.img"));
  const std::vector<Digest> digests = segment_digests(image);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(to_hex(digests[i]) == to_hex(image.handoff.segments[i].sha256), i != 1) << i;
}

TEST_F(Stream, AnInputThatShrinksOrGrowsWhileReadIsRefusedAndNothingIsWritten) {
  for (const bool grow : {false, true}) {
    BuildRequest req = request(true);  // opened at the sizes written in SetUp
    if (grow) {
      std::ofstream(path("initrd"), std::ios::binary | std::ios::app) << "more";
    } else {
      fs::resize_file(path("initrd"), 1000);
    }
    EXPECT_EQ(error_of([&] { build_streamed(path("out.img"), std::move(req)); }),
              path("initrd") + ": changed while being read")
        << grow;
    EXPECT_EQ(entries(), (std::vector<std::string>{"data", "initrd"})) << grow;
    write("initrd", initrd_);
  }
}

TEST_F(Stream, AFullDiskLeavesNoOutputAndNoTemporary) {
  // RLIMIT_FSIZE with SIGXFSZ ignored: writes past the limit fail with EFBIG, as a full disk
  // fails with ENOSPC. In a child, so that the limit stays there.
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{1 << 20, 1 << 20};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    const std::string error = error_of([&] { build_streamed(path("out.img"), request(true)); });
    ::_exit(error == path("out.img") + ": " + std::strerror(EFBIG) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(entries(), (std::vector<std::string>{"data", "initrd"}));
}

TEST_F(Stream, InputFileRefusesEmptyAndSpecialFiles) {
  write("empty", {});
  EXPECT_EQ(error_of([&] { open_region(path("empty")); }), path("empty") + ": empty file");
  EXPECT_EQ(error_of([] { open_region("/dev/zero"); }),
            "/dev/zero: is a character device, not a regular file");
}

}  // namespace
}  // namespace styx::host

// SPDX-License-Identifier: GPL-2.0-only
// Whole-file reads and crash-safe writes. Every file a command reads and every file it writes
// goes through here, so the checks that keep bad paths from hanging, exhausting memory or
// destroying data live in one place.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "image-limits.h"

namespace styx::host {

/// Reads all of the regular file `path`; InputError "PATH: <reason>" when it cannot. Anything
/// else (a device such as /dev/zero, a FIFO, a directory) is refused by its type before a byte
/// is read, and a file larger than `limit` by its size, or when it turns out longer while being
/// read (procfs and sysfs files report 0 or 4096).
std::vector<uint8_t> read_file(const std::string& path, uint64_t limit = kMaxSegmentBytes);

/// As read_file(); nullopt when it does not exist (ENOENT, or ENOTDIR on the way).
std::optional<std::vector<uint8_t>> read_file_if_present(const std::string& path,
                                                         uint64_t limit = kMaxSegmentBytes);

/// A regular file opened for reading in pieces, so that `styx build` can stream a big input into
/// the image and `styx verify` hash a segment in place, neither holding the file in memory.
class InputFile {
 public:
  /// Opens `path` with read_file()'s checks (a regular file of at most `limit` bytes).
  static std::shared_ptr<const InputFile> open(const std::string& path,
                                               uint64_t limit = kMaxSegmentBytes);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  const std::string& path() const { return path_; }
  /// As it was when opened.
  uint64_t size() const { return size_; }
  int fd() const { return fd_; }
  /// Passes bytes [offset, offset + size) to `sink` in pieces of at most kReadChunk, from a buffer
  /// reused between them. InputError "PATH: changed while being read" when the file turns out
  /// shorter, longer or modified since it was opened: the digest of what was read would be the
  /// digest of no version of it.
  void read(uint64_t offset, uint64_t size,
            const std::function<void(std::span<const uint8_t>)>& sink) const;
  std::vector<uint8_t> read(uint64_t offset, uint64_t size) const;

  static constexpr size_t kReadChunk = 1 << 20;

 private:
  InputFile(std::string path, int fd, uint64_t size, timespec mtime);
  [[noreturn]] void changed() const;
  std::string path_;
  int fd_;
  uint64_t size_;
  timespec mtime_;
};

/// Bytes of an InputFile: a segment whose contents stay on disk until they are written or hashed.
struct FileRegion {
  std::shared_ptr<const InputFile> file;
  uint64_t offset = 0;
  uint64_t size = 0;
  void read(const std::function<void(std::span<const uint8_t>)>& sink) const {
    file->read(offset, size, sink);
  }
  std::vector<uint8_t> bytes() const { return file->read(offset, size); }
};

/// All of the regular file `path` as a FileRegion; InputError "PATH: empty file" when it is empty.
FileRegion open_region(const std::string& path, uint64_t limit = kMaxSegmentBytes);

/// Refuses `path` as an output before any work is done: InputError when it exists and is not a
/// regular file (a device, FIFO, directory, or a symlink to one) or when it is the same file as
/// one of `inputs` (by device and inode, so another name or a hard link is caught too).
void check_output_path(const std::string& path, const std::vector<std::string>& inputs);

/// Writes `data` to a temporary file beside `path` (an unnamed O_TMPFILE where the filesystem
/// has them), syncs it and renames it over `path`, so a failure never leaves a half-written
/// file. A symlink to a regular file is written through. SIGINT and SIGTERM during the write
/// remove the temporary file; temporaries of `path` left by a killed process are removed first.
/// InputError "PATH: <reason>" when it cannot.
void write_file_atomic(const std::string& path, std::span<const uint8_t> data, bool executable);

/// The temporary file of write_file_atomic(), for a writer that produces its contents in pieces.
/// A failed write throws InputError "PATH: <reason>" naming the output.
class OutputFile {
 public:
  OutputFile(int fd, const std::string& path) : fd_(fd), path_(path) {}
  void write(std::span<const uint8_t> data);
  /// Zeros up to `offset` (not before the current end).
  void pad_to(uint64_t offset);
  /// Rewrites bytes already written, e.g. headers that depend on what came after them.
  void write_at(uint64_t offset, std::span<const uint8_t> data);
  uint64_t size() const { return size_; }

 private:
  int fd_;
  const std::string& path_;
  uint64_t size_ = 0;
};

/// As write_file_atomic(), with the contents written by `write`. Whatever it throws (an
/// input that changed, a full disk) leaves no file under `path` and no temporary.
void write_file_atomic_with(const std::string& path, const std::function<void(OutputFile&)>& write,
                            bool executable);

}  // namespace styx::host

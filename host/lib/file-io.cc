// SPDX-License-Identifier: GPL-2.0-only
#include "file-io.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <utility>

#include "error.h"

namespace styx::host {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw InputError(path + ": " + why);
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

std::string size_text(uint64_t bytes) {
  if (bytes && bytes % (1ull << 30) == 0) return fmt::format("{} GiB", bytes >> 30);
  if (bytes && bytes % (1ull << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
  return fmt::format("{:#x} bytes", bytes);
}

[[noreturn]] void fail_too_large(const std::string& path, uint64_t limit) {
  fail(path, "larger than " + size_text(limit) + ", the most styx reads from one file");
}

// sysfs and securityfs report a page (4096) for every attribute and procfs 0, whatever they
// hold: a limit judged by that size would refuse /sys/kernel/kexec_loaded at 64 bytes.
bool size_is_content(int fd) {
  struct statfs fs {};
  if (::fstatfs(fd, &fs) != 0) return true;
  return fs.f_type != SYSFS_MAGIC && fs.f_type != PROC_SUPER_MAGIC &&
         fs.f_type != SECURITYFS_MAGIC && fs.f_type != DEBUGFS_MAGIC;
}

// Refused by type before opening, and again on the descriptor in case the path changed between.
void refuse_special(const std::string& path, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) fail(path, "is " + type_name(st.st_mode) + ", not a regular file");
}

// The descriptor of `path`, opened for reading once it is known to be a regular file of at most
// `limit` bytes (`st` describes it); -1 when it does not exist and `missing_ok`.
int open_regular(const std::string& path, uint64_t limit, bool missing_ok, struct stat& st) {
  const auto missing = [&] { return missing_ok && (errno == ENOENT || errno == ENOTDIR); };
  if (::stat(path.c_str(), &st) != 0) {
    if (missing()) return -1;
    fail(path, std::strerror(errno));
  }
  refuse_special(path, st);
  // O_NONBLOCK: a FIFO swapped in after the check must not block the open.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (fd.get() < 0) {
    if (missing()) return -1;
    fail(path, std::strerror(errno));
  }
  if (::fstat(fd.get(), &st) != 0) fail(path, std::strerror(errno));
  refuse_special(path, st);
  if (static_cast<uint64_t>(st.st_size) > limit && size_is_content(fd.get()))
    fail_too_large(path, limit);
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
    fail(path, std::strerror(errno));
  return fd.release();
}

std::optional<std::vector<uint8_t>> read_all(const std::string& path, uint64_t limit,
                                             bool missing_ok) {
  struct stat st {};
  Fd fd(open_regular(path, limit, missing_ok, st));
  if (fd.get() < 0) return std::nullopt;
  std::vector<uint8_t> data;
  // The size is a hint only (see size_is_content).
  data.reserve(static_cast<size_t>(std::min<uint64_t>(st.st_size, limit)));
  uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, std::strerror(errno));
    }
    if (n == 0) break;
    if (static_cast<uint64_t>(n) > limit - data.size()) fail_too_large(path, limit);
    data.insert(data.end(), buf, buf + n);
  }
  return data;
}

// The temporary file being written, for the signal handler: it may only call async-signal-safe
// functions, so the name sits in a fixed buffer.
char g_temp_path[4096];
volatile sig_atomic_t g_temp_named = 0;
struct sigaction g_old_int {
}, g_old_term{};

extern "C" void remove_temp_and_reraise(int sig) {
  if (g_temp_named) ::unlink(g_temp_path);
  ::sigaction(sig, sig == SIGINT ? &g_old_int : &g_old_term, nullptr);
  ::raise(sig);
}

// While alive, SIGINT and SIGTERM remove the named temporary file before the process dies.
class TempGuard {
 public:
  TempGuard() {
    struct sigaction sa {};
    sa.sa_handler = remove_temp_and_reraise;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, nullptr, &g_old_int);
    ::sigaction(SIGTERM, nullptr, &g_old_term);
    // An ignored signal does not end the process: nothing to clean up then.
    int_ = g_old_int.sa_handler != SIG_IGN && ::sigaction(SIGINT, &sa, nullptr) == 0;
    term_ = g_old_term.sa_handler != SIG_IGN && ::sigaction(SIGTERM, &sa, nullptr) == 0;
  }
  ~TempGuard() {
    forget();
    if (int_) ::sigaction(SIGINT, &g_old_int, nullptr);
    if (term_) ::sigaction(SIGTERM, &g_old_term, nullptr);
  }
  TempGuard(const TempGuard&) = delete;
  TempGuard& operator=(const TempGuard&) = delete;
  /// Names the temporary file; false if the name does not fit (then it is not guarded).
  void name(const std::string& path) {
    g_temp_named = 0;
    if (path.size() >= sizeof g_temp_path) return;
    std::memcpy(g_temp_path, path.c_str(), path.size() + 1);
    g_temp_named = 1;
  }
  void forget() { g_temp_named = 0; }

 private:
  bool int_ = false, term_ = false;
};

// Temporaries are ".NAME.PID.tmp" (O_TMPFILE, named just before the rename) or ".NAME.PID.XXXXXX"
// (mkostemp) beside the output: the PID tells a killed writer's leftovers (no such process any
// more) from another writer's file in progress.
std::string temp_prefix(const std::string& base) {
  return "." + base + ".";
}

// The PID of a temporary of `base`, or 0 when `name` is not one (another output's, say
// ".NAME.5.PID.XXXXXX" for an output named "NAME.5").
pid_t temp_owner(std::string_view name, const std::string& base) {
  const std::string prefix = temp_prefix(base);
  if (!name.starts_with(prefix)) return 0;
  const std::string_view rest = name.substr(prefix.size());
  const size_t dot = rest.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot > 9) return 0;
  const std::string_view digits = rest.substr(0, dot), suffix = rest.substr(dot + 1);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return 0;
  if (suffix != "tmp" && (suffix.size() != 6 || suffix.find('.') != std::string_view::npos))
    return 0;
  return static_cast<pid_t>(std::stol(std::string(digits)));
}

void remove_stale_temporaries(const fs::path& dir, const std::string& base) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  while (const dirent* e = ::readdir(d)) {
    const pid_t pid = temp_owner(e->d_name, base);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(pid, 0) != 0 && errno == ESRCH) ::unlinkat(::dirfd(d), e->d_name, 0);
  }
  ::closedir(d);
}

}  // namespace

std::vector<uint8_t> read_file(const std::string& path, uint64_t limit) {
  return std::move(*read_all(path, limit, false));
}

std::optional<std::vector<uint8_t>> read_file_if_present(const std::string& path, uint64_t limit) {
  return read_all(path, limit, true);
}

void check_output_path(const std::string& path, const std::vector<std::string>& inputs) {
  struct stat out {};
  if (::stat(path.c_str(), &out) != 0) {
    struct stat link {};
    if (errno == ENOENT && ::lstat(path.c_str(), &link) == 0)
      fail(path, "is a symlink to nothing: refusing to write through it");
    if (errno == ENOENT || errno == ENOTDIR) return;  // a new file; its directory is checked later
    fail(path, std::strerror(errno));
  }
  if (!S_ISREG(out.st_mode))
    fail(path, "is " + type_name(out.st_mode) + ", not a regular file: refusing to replace it");
  for (const std::string& in : inputs) {
    struct stat st {};
    if (::stat(in.c_str(), &st) == 0 && st.st_dev == out.st_dev && st.st_ino == out.st_ino)
      fail(path, "is the input " + in + ": refusing to overwrite an input");
  }
}

void write_file_atomic(const std::string& path, std::span<const uint8_t> data, bool executable) {
  write_file_atomic_with(
      path, [&](OutputFile& out) { out.write(data); }, executable);
}

void write_file_atomic_with(const std::string& path, const std::function<void(OutputFile&)>& write,
                            bool executable) {
  check_output_path(path, {});
  std::string target = path;
  struct stat link {};
  if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    std::error_code ec;
    target = fs::canonical(path, ec).string();
    if (ec) fail(path, ec.message());
  }
  const fs::path t(target);
  const fs::path dir = t.has_parent_path() ? t.parent_path() : fs::path(".");
  const std::string base = t.filename().string();
  remove_stale_temporaries(dir, base);
  const std::string named = (dir / (temp_prefix(base) + std::to_string(::getpid()) + ".")).string();
  const mode_t mask = ::umask(0);
  ::umask(mask);
  const mode_t mode = (executable ? 0777 : 0666) & ~mask;
  TempGuard guard;

  // An unnamed file first: a writer killed even by SIGKILL leaves nothing behind. It gets a
  // name only once complete, for the rename over the target.
  {
    Fd fd(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, mode));
    if (fd.get() >= 0) {
      const auto abandon = [&](int error) { fail(path, std::strerror(error)); };
      OutputFile out(fd.get(), path);
      write(out);
      if (::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0) abandon(errno);
      const std::string tmp = named + "tmp";
      ::unlink(tmp.c_str());  // this process's own, from an earlier failed attempt
      guard.name(tmp);
      const std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
      // Without /proc (an initramfs) AT_EMPTY_PATH still works for root.
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) == 0 ||
          ::linkat(fd.get(), "", AT_FDCWD, tmp.c_str(), AT_EMPTY_PATH) == 0) {
        if (::rename(tmp.c_str(), target.c_str()) != 0) {
          const int error = errno;
          ::unlink(tmp.c_str());
          abandon(error);
        }
        return;
      }
      guard.forget();
      // Written but not linkable: written again below, into a named file.
    }
  }

  // A named temporary file, removed on failure and on SIGINT/SIGTERM; after SIGKILL the next
  // write of the same output removes it.
  std::string tmpl = named + "XXXXXX";
  Fd fd(::mkostemp(tmpl.data(), O_CLOEXEC));
  if (fd.get() < 0) fail(path, std::string("cannot create a file here: ") + std::strerror(errno));
  guard.name(tmpl);
  const auto abandon = [&](int error) {
    ::unlink(tmpl.c_str());
    fail(path, std::strerror(error));
  };
  try {
    OutputFile out(fd.get(), path);
    write(out);
  } catch (...) {
    ::unlink(tmpl.c_str());
    throw;
  }
  if (::fchmod(fd.get(), mode) != 0 || ::fsync(fd.get()) != 0) abandon(errno);
  if (::close(fd.release()) != 0) abandon(errno);
  if (::rename(tmpl.c_str(), target.c_str()) != 0) abandon(errno);
}

InputFile::InputFile(std::string path, int fd, uint64_t size, timespec mtime)
    : path_(std::move(path)), fd_(fd), size_(size), mtime_(mtime) {}

InputFile::~InputFile() {
  ::close(fd_);
}

std::shared_ptr<const InputFile> InputFile::open(const std::string& path, uint64_t limit) {
  struct stat st {};
  Fd fd(open_regular(path, limit, false, st));
  // procfs and sysfs sizes are no sizes: such files are small and read whole (read_file).
  if (!size_is_content(fd.get())) fail(path, "not a file on disk, cannot be read in pieces");
  auto* file = new InputFile(path, fd.get(), static_cast<uint64_t>(st.st_size), st.st_mtim);
  fd.release();
  return std::shared_ptr<const InputFile>(file);
}

void InputFile::changed() const {
  fail(path_, "changed while being read");
}

void InputFile::read(uint64_t offset, uint64_t size,
                     const std::function<void(std::span<const uint8_t>)>& sink) const {
  if (offset > size_ || size > size_ - offset) changed();
  std::vector<uint8_t> buf(std::min<uint64_t>(size, kReadChunk));
  while (size) {
    const ssize_t n =
        ::pread(fd_, buf.data(), std::min<uint64_t>(size, buf.size()), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path_, std::strerror(errno));
    }
    if (n == 0) changed();  // shorter than when opened
    sink(std::span(buf.data(), static_cast<size_t>(n)));
    offset += static_cast<uint64_t>(n);
    size -= static_cast<uint64_t>(n);
  }
  // Longer, or rewritten in place: what was read may mix two versions.
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail(path_, std::strerror(errno));
  if (static_cast<uint64_t>(st.st_size) != size_ || st.st_mtim.tv_sec != mtime_.tv_sec ||
      st.st_mtim.tv_nsec != mtime_.tv_nsec)
    changed();
}

std::vector<uint8_t> InputFile::read(uint64_t offset, uint64_t size) const {
  std::vector<uint8_t> out;
  out.reserve(size);
  read(offset, size,
       [&](std::span<const uint8_t> piece) { out.insert(out.end(), piece.begin(), piece.end()); });
  return out;
}

FileRegion open_region(const std::string& path, uint64_t limit) {
  auto file = InputFile::open(path, limit);
  if (file->size() == 0) fail(path, "empty file");
  const uint64_t size = file->size();
  return {std::move(file), 0, size};
}

void OutputFile::write(std::span<const uint8_t> data) {
  write_at(size_, data);
}

void OutputFile::pad_to(uint64_t offset) {
  static const uint8_t kZeros[4096] = {};
  while (size_ < offset)
    write(std::span(kZeros, std::min<uint64_t>(offset - size_, sizeof kZeros)));
}

void OutputFile::write_at(uint64_t offset, std::span<const uint8_t> data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n =
        ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path_, std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  size_ = std::max<uint64_t>(size_, offset + data.size());
}

}  // namespace styx::host

#include "file-io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "error.h"

namespace styx::host {
namespace {

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

std::optional<std::vector<uint8_t>> read_all(const std::string& path, bool missing_ok) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (missing_ok && (errno == ENOENT || errno == ENOTDIR)) return std::nullopt;
    fail(path, std::strerror(errno));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(path, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) fail(path, "is a directory");
  std::vector<uint8_t> data;
  // The size of a regular file is a hint only: sysfs and procfs files report 4096 or 0.
  if (S_ISREG(st.st_mode)) data.reserve(static_cast<size_t>(st.st_size));
  uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, std::strerror(errno));
    }
    if (n == 0) break;
    data.insert(data.end(), buf, buf + n);
  }
  return data;
}

}  // namespace

std::vector<uint8_t> read_file(const std::string& path) {
  return std::move(*read_all(path, false));
}

std::optional<std::vector<uint8_t>> read_file_if_present(const std::string& path) {
  return read_all(path, true);
}

void write_file_atomic(const std::string& path, std::span<const uint8_t> data, bool executable) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  Fd fd(::mkstemp(tmpl.data()));
  if (fd.get() < 0) fail(path, std::string("cannot create a file here: ") + std::strerror(errno));
  const std::string tmp = tmpl;
  auto abandon = [&](const std::string& why) {
    ::unlink(tmp.c_str());
    fail(path, why);
  };
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      abandon(std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  const mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd.get(), (executable ? 0777 : 0666) & ~mask) != 0) abandon(std::strerror(errno));
  if (::fsync(fd.get()) != 0) abandon(std::strerror(errno));
  if (::close(fd.release()) != 0) abandon(std::strerror(errno));
  if (::rename(tmp.c_str(), path.c_str()) != 0) abandon(std::strerror(errno));
}

}  // namespace styx::host

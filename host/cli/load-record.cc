// SPDX-License-Identifier: GPL-2.0-only
// /run/styx/loaded.json, read and written (see load-record.h).
#include "load-record.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "digest.h"
#include "error.h"
#include "file-io.h"

namespace styx::cli {
namespace {

using host::InputError;
using nlohmann::json;

// Version 2 added the state and the digests; a version 1 record cannot say which bytes were
// loaded, so it is refused rather than trusted.
constexpr int kVersion = 2;

json file_json(const std::optional<LoadedFile>& f) {
  if (!f) return json();
  return {{"path", f->path}, {"sha256", f->sha256}, {"copy", f->copy ? json(*f->copy) : json()}};
}

json to_json(const LoadState& s) {
  const auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(); };
  return {{"version", kVersion},
          {"state", s.state},
          {"syscall", s.syscall},
          {"arch", s.arch},
          {"image", opt(s.image)},
          {"kernel", file_json(s.kernel)},
          {"initrd", file_json(s.initrd)},
          {"dtb", file_json(s.dtb)},
          {"console", opt(s.console)},
          {"cmdline", s.cmdline},
          {"on_failure", s.on_failure},
          {"ima", s.ima ? json{{"records", s.ima_records}, {"bytes", s.ima_bytes}} : json()}};
}

}  // namespace

std::optional<LoadState> read_load_record(const host::LiveSystem& live) {
  const std::filesystem::path path = live.path(kLoadRecordPath);
  const auto bytes = host::read_file_if_present(path.string());
  if (!bytes) return std::nullopt;
  try {
    const json j = json::parse(bytes->begin(), bytes->end());
    if (j.at("version") != kVersion)
      throw InputError(path.string() + ": version " + j.at("version").dump() +
                       ", not the version " + std::to_string(kVersion) +
                       " this styx writes: run `styx load` again");
    const auto opt = [&](const char* key) -> std::optional<std::string> {
      return j.at(key).is_null() ? std::nullopt : std::optional(j.at(key).get<std::string>());
    };
    const auto file = [&](const char* key) -> std::optional<LoadedFile> {
      if (j.at(key).is_null()) return std::nullopt;
      // "copy" came later within version 2: a record without it names no copy.
      const json& f = j.at(key);
      const json copy = f.value("copy", json());
      return LoadedFile{f.at("path"), f.at("sha256"),
                        copy.is_null() ? std::nullopt : std::optional(copy.get<std::string>())};
    };
    LoadState s;
    s.state = j.at("state");
    if (s.state != "loading" && s.state != "loaded")
      throw InputError(path.string() + ": unknown state '" + s.state + "'");
    // Records from before kexec_file_load existed in styx name no system call: kexec_load.
    s.syscall = j.value("syscall", "kexec_load");
    if (s.syscall != "kexec_load" && s.syscall != "kexec_file_load")
      throw InputError(path.string() + ": unknown system call '" + s.syscall + "'");
    s.arch = j.at("arch");
    s.image = opt("image");
    s.kernel = file("kernel");
    s.initrd = file("initrd");
    s.dtb = file("dtb");
    s.console = opt("console");
    s.cmdline = j.at("cmdline");
    s.on_failure = j.at("on_failure");
    if (!j.at("ima").is_null()) {
      s.ima = true;
      s.ima_records = j.at("ima").at("records");
      s.ima_bytes = j.at("ima").at("bytes");
    }
    // `exec` rebuilds from the kernel or names the image; a state with neither describes no load.
    if (!s.image && !s.kernel)
      throw InputError(path.string() + ": names neither an image nor a kernel");
    return s;
  } catch (const json::exception& e) {
    throw InputError(path.string() + ": not a state file styx wrote (" + e.what() + ")");
  }
}

void write_load_record(const host::LiveSystem& live, const LoadState& state) {
  const std::filesystem::path path = live.path(kLoadRecordPath);
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) throw InputError(path.parent_path().string() + ": " + ec.message());
  const std::string text = to_json(state).dump(2) + "\n";
  host::write_file_atomic(path.string(),
                          {reinterpret_cast<const uint8_t*>(text.data()), text.size()}, false);
}

bool forget_load_record(const host::LiveSystem& live) {
  std::error_code ec;
  std::filesystem::remove(live.path(kLoadRecordPath), ec);
  return !ec;
}

LoadStatus reconcile(const host::LiveSystem& live) {
  LoadStatus out;
  const bool loaded = live.kexec_loaded();
  out.record = read_load_record(live);
  using Kind = LoadStatus::Kind;
  if (!loaded)
    out.kind = out.record ? Kind::kStaleRecord : Kind::kNothing;
  else if (!out.record)
    out.kind = Kind::kForeign;
  else
    out.kind = out.record->state == "loaded" ? Kind::kLoadedByStyx : Kind::kUnfinished;
  return out;
}

std::string describe_file_now(const std::string& path, const std::string& sha256) {
  try {
    const auto bytes = host::read_file_if_present(path);
    if (!bytes) return "gone since the load";
    const std::string now = host::to_hex(host::sha256(*bytes));
    return now == sha256 ? "unchanged" : "changed since the load (sha256 now " + now + ")";
  } catch (const InputError& e) {
    return std::string("unreadable (") + e.what() + ")";
  }
}

}  // namespace styx::cli

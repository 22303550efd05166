// SPDX-License-Identifier: GPL-2.0-only
#include "ima-preflight.h"

#include <filesystem>
#include <optional>
#include <ostream>

#include "cmd-ima-replay.h"
#include "error.h"
#include "file-io.h"
#include "ima-replay.h"

namespace styx::cli {

void check_live_attestation(const host::LiveSystem& live, std::ostream& out) {
  std::error_code ec;
  if (!std::filesystem::exists(live.path(kTpmSysfsDir), ec)) {
    out << "styx: IMA: no TPM (" << kTpmSysfsDir << "), so the list is not checked against PCRs\n";
    return;
  }
  try {
    // The PCRs first, as `styx ima replay` reads them: the list read after them holds at least
    // what they account for.
    const host::PcrValues tpm = read_live_pcrs(live);
    const auto snap = live.ima();
    if (!snap) return;  // no IMA: nothing to carry, nothing to check
    const std::string name =
        live.path("/sys/kernel/security/ima/binary_runtime_measurements").string();
    const host::ParsedImaList parsed = host::parse_ima_list_with_order(
        snap->binary, name, snap->canonical ? std::optional<bool>(false) : std::nullopt);
    const host::ImaReplay replay = host::replay_ima_list(parsed, tpm);
    if (replay.matched())
      out << "styx: IMA: the live list replays to the TPM (" << replay_verdict(replay, parsed.list)
          << ")\n";
    else
      out << "styx: warning: the live IMA list does not replay to the TPM, so attestation was "
             "broken before this kexec ("
          << replay_verdict(replay, parsed.list) << "; see `styx ima replay`)\n";
  } catch (const host::InputError& e) {
    out << "styx: warning: cannot check the live IMA list against the TPM: " << e.what() << "\n";
  }
}

host::ImaRestore check_next_kernel(const host::LiveSystem& live, std::string_view arch,
                                   const std::string& kernel, std::ostream& out) {
  return check_next_kernel(live, arch, kernel, host::read_file(kernel), out);
}

host::ImaRestore check_next_kernel(const host::LiveSystem& live, std::string_view arch,
                                   const std::string& kernel, std::span<const uint8_t> bytes,
                                   std::ostream& out) {
  const host::ImaRestore r = host::check_ima_restore(kernel, bytes, live, arch);
  const std::string label =
      kernel + (r.release.empty() ? std::string() : " (Linux " + r.release + ")");
  switch (r.verdict) {
    case host::ImaRestore::Verdict::kRestores: break;
    case host::ImaRestore::Verdict::kDrops:
      throw host::InputError(label + " cannot restore an IMA list: " + r.reason + " (" + r.source +
                             "); --ima=skip loads it without the list");
    case host::ImaRestore::Verdict::kUnknown:
      out << "styx: warning: cannot tell whether " << label << " restores the IMA list ("
          << r.reason << "); it is carried, but the next kernel may drop it\n";
      break;
  }
  return r;
}

}  // namespace styx::cli

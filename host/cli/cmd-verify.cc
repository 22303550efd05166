// SPDX-License-Identifier: GPL-2.0-only
// `styx verify`: recompute every segment's SHA-256 on the host and compare with the hand-off block,
// and the block's seal (its own digest and the purgatory's) as the purgatory will check it.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "digest.h"
#include "handoff-seal.h"
#include "image.h"
#include "parse.h"

namespace styx::cli {

int cmd_verify(const std::string& path, bool json, std::ostream& out) {
  const host::Image image = host::open_image(path);
  const std::vector<host::Digest> digests = host::segment_digests(image);
  const Handoff& h = image.handoff;
  nlohmann::ordered_json segs = nlohmann::ordered_json::array();
  std::vector<uint32_t> bad;
  const host::SealStatus seal = host::check_seal(image.purgatory, image.handoff_offset);
  const bool sealed = seal.handoff_ok() && seal.purgatory_ok();
  // The block is checked first, as the purgatory does: with a broken block, the purgatory digest
  // it stores means nothing.
  if (!json) {
    if (seal.handoff_ok()) {
      out << "hand-off block: ok\n";
    } else {
      out << fmt::format("hand-off block: MISMATCH sha256 expected {} actual {}\n",
                         host::to_hex(seal.handoff_expected), host::to_hex(seal.handoff_actual));
    }
    if (seal.purgatory_ok()) {
      out << fmt::format("purgatory {}+{}: ok\n", host::hex(image.purgatory_addr),
                         host::hex(image.purgatory.size()));
    } else {
      out << fmt::format("purgatory {}+{}: MISMATCH sha256 expected {} actual {}\n",
                         host::hex(image.purgatory_addr), host::hex(image.purgatory.size()),
                         host::to_hex(seal.purgatory_expected),
                         host::to_hex(seal.purgatory_actual));
    }
  }
  for (uint32_t i = 0; i < h.segment_count; ++i) {
    const Segment& s = h.segments[i];
    const host::Digest& actual = digests[i];
    const std::string expected_hex = host::to_hex(s.sha256), actual_hex = host::to_hex(actual);
    const bool ok = expected_hex == actual_hex;
    if (!ok) bad.push_back(i);
    const char* role = role_name(static_cast<Role>(s.role));
    if (json) {
      segs.push_back({{"index", i},
                      {"role", role},
                      {"addr", s.addr},
                      {"size", s.size},
                      {"ok", ok},
                      {"expected", expected_hex},
                      {"actual", actual_hex}});
    } else if (ok) {
      out << fmt::format("segment {} ({}) {}+{}: ok\n", i, role, host::hex(s.addr),
                         host::hex(s.size));
    } else {
      out << fmt::format("segment {} ({}) {}+{}: MISMATCH sha256 expected {} actual {}\n", i, role,
                         host::hex(s.addr), host::hex(s.size), expected_hex, actual_hex);
    }
  }
  if (json) {
    nlohmann::ordered_json j;
    j["image"] = path;
    j["ok"] = bad.empty() && sealed;
    j["handoff"] = {{"ok", seal.handoff_ok()},
                    {"expected", host::to_hex(seal.handoff_expected)},
                    {"actual", host::to_hex(seal.handoff_actual)}};
    j["purgatory"] = {{"addr", image.purgatory_addr},
                      {"size", image.purgatory.size()},
                      {"ok", seal.purgatory_ok()},
                      {"expected", host::to_hex(seal.purgatory_expected)},
                      {"actual", host::to_hex(seal.purgatory_actual)}};
    j["failed_segments"] = bad;
    j["segments"] = segs;
    out << j.dump(2) << "\n";
  } else {
    if (!seal.handoff_ok()) out << fmt::format("{}: the hand-off block is corrupt\n", path);
    if (!seal.purgatory_ok()) out << fmt::format("{}: the purgatory is corrupt\n", path);
    if (bad.empty()) {
      out << fmt::format("{}: all {} segments match\n", path, h.segment_count);
    } else {
      out << fmt::format("{}: {} of {} segments do not match\n", path, bad.size(), h.segment_count);
    }
  }
  return bad.empty() && sealed ? kExitOk : kExitFailure;
}

}  // namespace styx::cli

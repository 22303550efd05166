// SPDX-License-Identifier: GPL-2.0-only
// `styx inspect`: what an image holds, as text or JSON.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "commands.h"
#include "console-spec.h"
#include "digest.h"
#include "handoff-seal.h"
#include "image.h"
#include "parse.h"

namespace styx::cli {
namespace {

using host::hex;

std::string policy_name(uint32_t policy) {
  return policy == static_cast<uint32_t>(FailurePolicy::kReset) ? "reset" : "halt";
}

}  // namespace

int cmd_inspect(const std::string& path, bool json, std::ostream& out) {
  const host::Image image = host::open_image(path);
  const Handoff& h = image.handoff;
  const auto& regs = image.arch->boot_registers;
  const std::string reset(host::reset_method_name(static_cast<ResetMethod>(h.reset_method)));
  const host::SealStatus seal = host::check_seal(image.purgatory, image.handoff_offset);

  if (json) {
    nlohmann::ordered_json j;
    j["image"] = path;
    j["arch"] = image.arch->name;
    j["entry"] = h.entry;
    nlohmann::ordered_json boot = nlohmann::ordered_json::object();
    for (size_t i = 0; i < regs.size(); ++i) boot[std::string(regs[i])] = h.boot_args[i];
    j["boot_registers"] = boot;
    j["purgatory"] = {{"addr", image.purgatory_addr},
                      {"size", image.purgatory_memsz},
                      {"entry", image.purgatory_entry}};
    j["seal"] = {{"handoff_sha256", host::to_hex(seal.handoff_expected)},
                 {"handoff_ok", seal.handoff_ok()},
                 {"purgatory_sha256", host::to_hex(seal.purgatory_expected)},
                 {"purgatory_bytes", image.purgatory.size()},
                 {"purgatory_ok", seal.purgatory_ok()}};
    j["console"] = host::format_console(h.console);
    j["on_failure"] = policy_name(h.failure_policy);
    j["reset_method"] = reset;
    j["log"] = {{"addr", h.log_addr}, {"size", h.log_size}};
    auto& ram = j["ram"] = nlohmann::ordered_json::array();
    for (const auto& r : image.ram) ram.push_back({{"start", r.start}, {"size", r.size}});
    auto& segs = j["segments"] = nlohmann::ordered_json::array();
    for (uint32_t i = 0; i < h.segment_count; ++i) {
      const Segment& s = h.segments[i];
      segs.push_back({{"index", i},
                      {"role", role_name(static_cast<Role>(s.role))},
                      {"addr", s.addr},
                      {"size", s.size},
                      {"sha256", host::to_hex(s.sha256)}});
    }
    out << j.dump(2) << "\n";
    return kExitOk;
  }

  out << fmt::format("image:      {}\n", path);
  out << fmt::format("arch:       {}\n", image.arch->name);
  std::string boot;
  for (size_t i = 0; i < regs.size(); ++i)
    boot += fmt::format(" {}={}", regs[i], hex(h.boot_args[i]));
  out << fmt::format("entry:      {} (boot registers:{})\n", hex(h.entry), boot);
  out << fmt::format("purgatory:  {} ({} bytes in memory), entry {}\n", hex(image.purgatory_addr),
                     image.purgatory_memsz, hex(image.purgatory_entry));
  const auto verdict = [](bool ok) { return ok ? "matches" : "MISMATCH"; };
  out << fmt::format("seal:       hand-off block sha256 {} ({})\n",
                     host::to_hex(seal.handoff_expected), verdict(seal.handoff_ok()));
  out << fmt::format("            purgatory sha256 {} over {} bytes ({})\n",
                     host::to_hex(seal.purgatory_expected), image.purgatory.size(),
                     verdict(seal.purgatory_ok()));
  out << fmt::format("console:    {}\n", host::format_console(h.console));
  out << fmt::format(
      "on failure: {}{}\n", policy_name(h.failure_policy),
      h.failure_policy == static_cast<uint32_t>(FailurePolicy::kReset) ? " via " + reset : "");
  out << fmt::format("memory log: {} ({} bytes)\n", hex(h.log_addr), h.log_size);
  for (const auto& r : image.ram)
    out << fmt::format("ram:        {}-{}\n", hex(r.start), hex(r.end()));
  out << fmt::format("segments:   {}\n", h.segment_count);
  out << fmt::format("  {:>2}  {:<10} {:>18} {:>10}  {}\n", "#", "role", "address", "size",
                     "sha256");
  for (uint32_t i = 0; i < h.segment_count; ++i) {
    const Segment& s = h.segments[i];
    out << fmt::format("  {:>2}  {:<10} {:>18} {:>10}  {}\n", i,
                       role_name(static_cast<Role>(s.role)), hex(s.addr), hex(s.size),
                       host::to_hex(s.sha256));
  }
  return kExitOk;
}

}  // namespace styx::cli

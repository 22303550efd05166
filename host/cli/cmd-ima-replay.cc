// SPDX-License-Identifier: GPL-2.0-only
#include "cmd-ima-replay.h"

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "cli.h"
#include "digest.h"
#include "error.h"
#include "file-io.h"

namespace styx::cli {
namespace {

namespace fs = std::filesystem;
using host::InputError;
using nlohmann::json;

constexpr const char* kLivePath = "/sys/kernel/security/ima/binary_runtime_measurements";

struct ReplayOptions {
  std::optional<std::string> list;
  std::vector<std::string> pcrs;
  bool tpm = false;
  bool canonical = false;
  bool json = false;
  std::string sysroot = "/";
};

std::set<uint32_t> all_pcrs() {
  std::set<uint32_t> pcrs;
  for (uint32_t i = 0; i < 24; ++i) pcrs.insert(i);
  return pcrs;
}

std::string pcr_list(const std::set<uint32_t>& pcrs) {
  std::string out;
  for (uint32_t p : pcrs) out += (out.empty() ? "" : ", ") + std::to_string(p);
  return out;
}

std::string bank_list(const std::vector<std::string>& banks) {
  std::string out;
  for (size_t i = 0; i < banks.size(); ++i)
    out += (i == 0 ? "" : i + 1 == banks.size() ? " and " : ", ") + banks[i];
  return out;
}

// The first bank and PCR whose replay differs from the TPM.
std::pair<std::string, uint32_t> first_mismatch(const host::ImaReplay& r,
                                                const host::PcrValues& tpm) {
  for (const std::string& bank : r.banks)
    for (uint32_t pcr : r.pcrs)
      if (r.replayed.at(bank).at(pcr) != *tpm.find(bank, pcr)) return {bank, pcr};
  return {r.banks.front(), *r.pcrs.begin()};
}

std::string record_label(const host::ImaList& list, size_t index) {
  const std::string name = host::ima_record_name(list.records[index]);
  return "record " + std::to_string(index) + (name.empty() ? "" : " (" + name + ")");
}

const char* boot_aggregate_result(const host::BootAggregateCheck& c) {
  switch (c.result) {
    case host::BootAggregateCheck::Result::kMatches: return "matches";
    case host::BootAggregateCheck::Result::kDiffers: return "differs";
    case host::BootAggregateCheck::Result::kNotChecked: break;
  }
  return "not checked";
}

int cmd_ima_replay(const ReplayOptions& o, std::ostream& out) {
  if (o.tpm && !o.pcrs.empty()) throw InputError("--tpm and --pcrs: give one of them");
  const host::LiveSystem live(o.sysroot);
  // The TPM first: the list read after it holds every measurement its PCRs account for.
  std::optional<host::PcrValues> tpm;
  if (o.pcrs.empty()) tpm = read_live_pcrs(live);

  std::string name;
  host::ParsedImaList parsed;
  if (o.list) {
    name = *o.list;
    parsed = host::parse_ima_list_with_order(
        host::read_file(name), name, o.canonical ? std::optional<bool>(false) : std::nullopt);
  } else {
    name = live.path(kLivePath).string();
    const auto snap = live.ima();
    if (!snap)
      throw InputError(live.path("/sys/kernel/security/ima").string() +
                       ": missing: securityfs is not mounted, or the kernel has no IMA");
    parsed = host::parse_ima_list_with_order(
        snap->binary, name,
        snap->canonical || o.canonical ? std::optional<bool>(false) : std::nullopt);
  }
  if (!tpm) tpm = read_given_pcrs(o.pcrs, host::ima_list_pcrs(parsed.list));
  const host::ImaReplay r = host::replay_ima_list(parsed, *tpm);
  const std::string verdict = replay_verdict(r, parsed.list);

  if (o.json) {
    json pcrs = json::array();
    for (const std::string& bank : r.banks)
      for (uint32_t pcr : r.pcrs) {
        const auto& replayed = r.replayed.at(bank).at(pcr);
        const auto& held = *tpm->find(bank, pcr);
        pcrs.push_back({{"bank", bank},
                        {"pcr", pcr},
                        {"replay", host::to_hex(replayed)},
                        {"tpm", host::to_hex(held)},
                        {"match", replayed == held}});
      }
    json diverged;
    if (r.altered_record) {
      diverged = {{"record", *r.altered_record},
                  {"name", host::ima_record_name(parsed.list.records[*r.altered_record])},
                  {"reason", "template data does not hash to the template digest"}};
    } else if (!r.matched_records) {
      const auto [bank, pcr] = first_mismatch(r, *tpm);
      diverged = {{"record", nullptr},
                  {"bank", bank},
                  {"pcr", pcr},
                  {"reason", "no number of records replays to the TPM"}};
    }
    json sources = json::object();
    for (const std::string& bank : r.banks) sources[bank] = tpm->sources.at(bank);
    const json j = {{"list", name},
                    {"records", r.records},
                    {"banks", r.banks},
                    {"sources", sources},
                    {"matched", r.matched()},
                    {"matched_records", r.matched_records ? json(*r.matched_records) : json()},
                    {"diverged", diverged},
                    {"pcrs", pcrs},
                    {"boot_aggregate",
                     {{"result", boot_aggregate_result(r.boot_aggregate)},
                      {"detail", r.boot_aggregate.detail}}},
                    {"verdict", verdict}};
    out << j.dump(2) << "\n";
  } else {
    for (const std::string& bank : r.banks)
      for (uint32_t pcr : r.pcrs) {
        const auto& replayed = r.replayed.at(bank).at(pcr);
        const auto& held = *tpm->find(bank, pcr);
        out << bank << (bank.size() < 6 ? std::string(6 - bank.size(), ' ') : "") << " PCR "
            << (pcr < 10 ? " " : "") << pcr << ": replay " << host::to_hex(replayed) << "\n"
            << std::string(14, ' ') << "TPM    " << host::to_hex(held)
            << (replayed == held ? "" : "  differs") << "\n";
      }
    out << "boot_aggregate: " << boot_aggregate_result(r.boot_aggregate) << ": "
        << r.boot_aggregate.detail << "\n";
    out << verdict << "\n";
  }
  return r.matched() ? kExitOk : kExitFailure;
}

}  // namespace

host::PcrValues read_given_pcrs(const std::vector<std::string>& sources,
                                const std::set<uint32_t>& pcrs) {
  std::set<uint32_t> boot;
  for (uint32_t i = 0; i < 10; ++i) boot.insert(i);
  host::PcrValues values;
  for (const std::string& source : sources) {
    std::error_code ec;
    if (fs::is_directory(source, ec)) {
      host::PcrValues dir = host::read_pcr_dir(source, pcrs, boot);
      for (auto& [bank, v] : dir.banks) {
        if (values.banks.count(bank))
          throw InputError(source + ": " + bank + " PCR values were given already by " +
                           values.sources[bank]);
        values.banks[bank] = std::move(v);
        values.sources[bank] = dir.sources[bank];
      }
      continue;
    }
    // BANK,FILE as evmctl takes it, or FILE with the bank told by the digest length.
    std::string bank, file = source;
    const size_t comma = source.find(',');
    if (comma != std::string::npos && source.find('/') > comma) {
      bank = source.substr(0, comma);
      file = source.substr(comma + 1);
    }
    const std::vector<uint8_t> bytes = host::read_file(file);
    host::parse_pcr_text(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), bank, file,
        values);
  }
  return values;
}

host::PcrValues read_live_pcrs(const host::LiveSystem& live) {
  return host::read_pcr_dir(live.path(kTpmSysfsDir), all_pcrs(), {});
}

std::string replay_verdict(const host::ImaReplay& r, const host::ImaList& list) {
  const std::string where = "PCR " + pcr_list(r.pcrs) + " in the " + bank_list(r.banks) +
                            (r.banks.size() > 1 ? " banks" : " bank");
  if (r.altered_record)
    return "diverged at " + record_label(list, *r.altered_record) +
           ": its template data does not hash to its template digest, so it is not what the "
           "kernel measured";
  if (!r.matched_records)
    return "diverged: no number of the " + std::to_string(r.records) + " records replays to " +
           where +
           " (a record is missing, or altered together with its digest, or something else "
           "extended the PCR)";
  if (*r.matched_records == r.records)
    return "matched: " + std::to_string(r.records) + " records replay to " + where;
  return "matched: the first " + std::to_string(*r.matched_records) + " of " +
         std::to_string(r.records) + " records replay to " + where + "; the other " +
         std::to_string(r.records - *r.matched_records) + " were measured after the PCRs were read";
}

void add_ima_replay_command(CLI::App& ima, Subcommands& commands, std::ostream& out) {
  auto o = std::make_shared<ReplayOptions>();
  auto* r = ima.add_subcommand(
      "replay",
      "Replay a measurement list into the PCRs it names, in the sha1 and sha256 banks as the "
      "kernel extends them, and compare with the TPM.\n"
      "Prints each PCR's replayed and TPM value, whether boot_aggregate matches PCRs 0-9, then "
      "\"matched: ...\" or \"diverged ...\" naming the first record known to diverge.\n"
      "Exit status: 0 matched, 1 diverged, 2 bad input (a list that does not parse, no TPM, a "
      "TPM without the sha256 bank, PCR values missing, unreadable or malformed).");
  r->add_option("list", o->list,
                "binary_runtime_measurements file (default: the running kernel's, " +
                    std::string(kLivePath) + ")");
  r->add_flag("--tpm", o->tpm,
              "Compare with the running system's TPM: " + std::string(kTpmSysfsDir) +
                  "/pcr-<bank>/<n> (the default)");
  r->add_option("--pcrs", o->pcrs,
                "Compare with these values instead of the TPM: a directory laid out like " +
                    std::string(kTpmSysfsDir) +
                    " (pcr-sha1/N, pcr-sha256/N files, one hex digest each), or a bank's file "
                    "in evmctl's format (lines \"PCR-NN: <hex>\") as BANK,FILE or FILE (bank "
                    "from the digest length); repeatable, one per bank")
      ->allow_extra_args(false);
  r->add_flag("--ima-canonical", o->canonical,
              "The list is in the canonical little-endian format (default: detect)");
  r->add_flag("--json", o->json, kJsonHelp);
  r->add_option("--sysroot", o->sysroot, "Read /sys under this directory instead of / (for tests)")
      ->capture_default_str();
  commands.push_back({r, [o, &out] { return cmd_ima_replay(*o, out); }});
}

}  // namespace styx::cli

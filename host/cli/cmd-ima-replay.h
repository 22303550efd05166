// SPDX-License-Identifier: GPL-2.0-only
// `styx ima replay`: does a measurement list account for what the TPM's PCRs hold?
#pragma once

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <string>
#include <vector>

#include "ima-replay.h"
#include "live-system.h"
#include "subcommands.h"

namespace styx::cli {

/// Where the running system's TPM shows its PCRs.
inline constexpr const char* kTpmSysfsDir = "/sys/class/tpm/tpm0";

/// The PCR values `--pcrs` names (each a directory laid out like kTpmSysfsDir, BANK,FILE or FILE
/// in evmctl's "PCR-NN: <hex>" format), for the PCRs in `pcrs` (and 0-9 where present, for the
/// boot_aggregate check). InputError for anything missing, unreadable or malformed.
host::PcrValues read_given_pcrs(const std::vector<std::string>& sources,
                                const std::set<uint32_t>& pcrs);

/// Every PCR of the running system's TPM (kTpmSysfsDir under the sysroot), read before the list
/// so that the list holds at least what they account for.
host::PcrValues read_live_pcrs(const host::LiveSystem& live);

/// One line: "matched: ..." or "diverged ...".
std::string replay_verdict(const host::ImaReplay& replay, const host::ImaList& list);

/// Adds `styx ima replay` under `ima`.
void add_ima_replay_command(CLI::App& ima, Subcommands& commands, std::ostream& out);

}  // namespace styx::cli

// SPDX-License-Identifier: GPL-2.0-only
// Running an image in the emulator, shared by `styx run` and `styx demo`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "image.h"
#include "run.h"

namespace styx::cli {

struct Flip {
  uint32_t segment = 0;
  uint64_t byte = 0;
  unsigned bit = 0;
};

/// Parses SEG:BYTE:BIT and checks it against `image`; InputError otherwise.
Flip parse_flip(const std::string& spec, const host::Image& image);

/// What the emulator needs to run `image`, with `flips` applied to the segments' bytes.
emu::RunInput run_input(const host::Image& image, const std::vector<Flip>& flips);

/// One plain sentence about the outcome ("handed off to 0x... with x0=0x..." ...).
std::string describe_outcome(const emu::RunResult& result, const host::Image& image);

/// Verified bytes from the memory log, 0 without one.
uint64_t bytes_verified(const emu::RunResult& result);

}  // namespace styx::cli

namespace styx::cli {

/// What the next kernel would read at the hand-off, checked against what the image carries.
struct NextKernelReport {
  host::NextKernel seen;
  std::optional<bool> initrd_matches;  ///< the initrd bytes equal the image's initrd segment
  std::optional<uint64_t> ima_records;
  std::optional<bool> ima_matches;  ///< the IMA list equals the carried one, record for record
  std::string problem;              ///< why the hand-off could not be read, if it could not
};

/// Arranges for `input` to fill `report` when its run ends in a hand-off (ISAs that can
/// describe their boot data only).
void report_next_kernel(emu::RunInput& input, const host::Image& image, NextKernelReport& report,
                        bool& reported);

}  // namespace styx::cli

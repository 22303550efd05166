// SPDX-License-Identifier: GPL-2.0-only
// `styx ima show`: the IMA measurement list of a securityfs dump or of an image, in the ASCII
// form of `ascii_runtime_measurements`.
#pragma once

#include <iosfwd>
#include <string>

namespace styx::cli {

/// Shows the list in `path`: a `binary_runtime_measurements` file (byte order detected, or
/// little-endian with `canonical`), or a Styx image (the kexec buffer of its `ima` segment, in the
/// image ISA's byte order, or little-endian with `canonical`). Returns the exit status; bad input
/// throws host::InputError.
int cmd_ima_show(const std::string& path, bool canonical, std::ostream& out);

}  // namespace styx::cli

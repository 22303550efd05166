// SPDX-License-Identifier: GPL-2.0-only
// What `styx load` and `styx exec` check before they carry the IMA list into the next kernel:
// whether attestation still holds now, and whether the next kernel will restore the list at all.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>

#include "kernel-config.h"
#include "live-system.h"

namespace styx::cli {

/// Where the running system has a TPM and an IMA list, replays the list against the TPM's PCRs
/// and says on `out` whether it matches; a list that does not match means attestation was
/// broken before this kexec, and carrying the list cannot mend that. Says there is no TPM when
/// there is none. Only ever warns: a problem reading either side is a warning too.
void check_live_attestation(const host::LiveSystem& live, std::ostream& out);

/// Whether `kernel` restores a carried list (kernel-config.h). InputError naming the kernel, the
/// missing option and `--ima=skip` when it cannot; a warning on `out` when that is unknown.
host::ImaRestore check_next_kernel(const host::LiveSystem& live, std::string_view arch,
                                   const std::string& kernel, std::ostream& out);
/// The same for the bytes `bytes` the kernel at `kernel` held at the load (its kept copy): the
/// path still says where to look for its configuration, and names it.
host::ImaRestore check_next_kernel(const host::LiveSystem& live, std::string_view arch,
                                   const std::string& kernel, std::span<const uint8_t> bytes,
                                   std::ostream& out);

}  // namespace styx::cli

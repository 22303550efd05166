// SPDX-License-Identifier: GPL-2.0-only
// The s390x Linux image's parameter area (arch/s390/include/asm/setup.h, struct parmarea): the
// only boot data the kernel reads. The image is linked at 0, so file offsets are addresses.
#pragma once

#include <cstdint>

namespace styx::host::s390x {

inline constexpr uint64_t kEntry = 0x10000;       ///< startup: the image's normal entry
inline constexpr uint64_t kEntryTable = 0x10008;  ///< "S390EP", then the number of entries
inline constexpr uint64_t kParmArea = 0x10400;    ///< PARMAREA
inline constexpr uint64_t kIplDevice = 0x10400;
inline constexpr uint64_t kInitrdStart = 0x10408;
inline constexpr uint64_t kInitrdSize = 0x10410;
inline constexpr uint64_t kOldmemBase = 0x10418;  ///< non-zero only for a kdump kernel
inline constexpr uint64_t kOldmemSize = 0x10420;
inline constexpr uint64_t kKernelVersion = 0x10428;  ///< offset of the version string, or 0
/// The command line's capacity including its NUL; 0 in kernels before 5.3, which have 896.
inline constexpr uint64_t kMaxCommandLineSize = 0x10430;
inline constexpr uint64_t kCommandLine = 0x10480;
inline constexpr uint64_t kLegacyCommandLineSize = 896;
/// Bytes from the parameter area's start to the end of the fixed fields.
inline constexpr uint64_t kFieldsSize = kMaxCommandLineSize + 8 - kParmArea;

}  // namespace styx::host::s390x

// SPDX-License-Identifier: GPL-2.0-only
// What an s390x kernel reads at its entry: the parameter area at 0x10400 of its image,
// whatever the boot registers hold. The IMA buffer, which no kernel reads, is looked for where
// plan_boot puts it: the first page boundary after the initrd.
#include <stdexcept>
#include <string>
#include <vector>

#include "arch-info.h"
#include "bytes.h"
#include "ima.h"
#include "parmarea.h"
#include "parse.h"

namespace styx::host {
namespace {

using namespace s390x;

constexpr uint64_t kPage = 4096;

uint64_t be(std::span<const uint8_t> d, uint64_t at, size_t width) {
  return get_uint(d, at, width, true);
}

}  // namespace

NextKernel read_s390x_next_kernel(const ReadMemory& read, std::span<const uint64_t>) {
  const std::vector<uint8_t> table = read_memory_exactly(read, kEntryTable, 6, "entry table");
  if (std::string(table.begin(), table.end()) != "S390EP")
    throw std::runtime_error("no s390x Linux image: no \"S390EP\" entry table at " +
                             hex(kEntryTable));
  const std::vector<uint8_t> parm =
      read_memory_exactly(read, kParmArea, kFieldsSize, "parameter area");
  NextKernel next;
  uint64_t capacity = be(parm, kMaxCommandLineSize - kParmArea, 8);
  if (capacity == 0) capacity = kLegacyCommandLineSize;
  const std::vector<uint8_t> line =
      read_memory_exactly(read, kCommandLine, capacity, "command line");
  size_t len = 0;
  while (len < line.size() && line[len] != 0) ++len;
  if (len == line.size())
    throw std::runtime_error("command line at " + hex(kCommandLine) + ": no NUL within " +
                             std::to_string(capacity) + " bytes (max_command_line_size)");
  next.cmdline.assign(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(len));

  const uint64_t initrd = be(parm, kInitrdStart - kParmArea, 8);
  const uint64_t initrd_size = be(parm, kInitrdSize - kParmArea, 8);
  if (initrd_size == 0) return next;
  next.initrd = {{initrd, initrd_size}};
  // An ima_kexec_hdr (version 1, big-endian) right after the initrd; anything else is no list.
  const uint64_t ima = (initrd + initrd_size + kPage - 1) / kPage * kPage;
  std::vector<uint8_t> head;
  try {
    head = read_memory_exactly(read, ima, kImaKexecHeaderSize, "IMA buffer");
  } catch (const std::runtime_error&) {
    return next;  // past the end of RAM: nothing there
  }
  const uint64_t size = be(head, 8, 8);
  if (be(head, 0, 2) == 1 && be(head, 2, 2) == 0 && size >= kImaKexecHeaderSize)
    next.ima = {{ima, size}};
  return next;
}

}  // namespace styx::host

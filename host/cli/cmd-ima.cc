// SPDX-License-Identifier: GPL-2.0-only
#include "cmd-ima.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <ostream>

#include "arch-info.h"
#include "cli.h"
#include "error.h"
#include "file-io.h"
#include "ima.h"
#include "image.h"

namespace styx::cli {

int cmd_ima_show(const std::string& path, bool canonical, std::ostream& out) {
  static constexpr uint8_t kElfMagic[] = {0x7f, 'E', 'L', 'F'};
  const std::vector<uint8_t> bytes = host::read_file(path, host::kMaxImageBytes);
  host::ImaList list;
  if (bytes.size() >= sizeof kElfMagic &&
      std::equal(kElfMagic, std::end(kElfMagic), bytes.begin())) {
    const host::Image image = host::parse_image(bytes, path);
    const auto segment =
        std::find_if(image.segments.begin(), image.segments.end(),
                     [](const host::ImageSegment& s) { return s.role == Role::kIma; });
    // An empty segment hands over no list, as the kernel reads it.
    if (segment == image.segments.end() || segment->data.empty())
      throw host::InputError(path + ": the image carries no IMA list");
    const auto index = segment - image.segments.begin();
    // A kernel booted with ima_canonical_fmt reads the buffer little-endian whatever its ISA.
    list = host::parse_ima_kexec_buffer(segment->data, canonical ? false : image.arch->big_endian,
                                        path + ": segment " + std::to_string(index) + " (ima)");
  } else {
    list = host::parse_ima_list(bytes, path, canonical ? std::optional<bool>(false) : std::nullopt);
  }
  out << host::format_ima_ascii(list);
  return kExitOk;
}

}  // namespace styx::cli

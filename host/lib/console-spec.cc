// SPDX-License-Identifier: GPL-2.0-only
#include "console-spec.h"

#include <string>
#include <vector>

#include "error.h"
#include "parse.h"

namespace styx::host {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

}  // namespace

Console parse_console(std::string_view spec) {
  const auto bad = [&](const std::string& why) -> InputError {
    return InputError("console '" + std::string(spec) + "': " + why +
                      " (expected e.g. uart8250,io,0x3f8 or pl011,0x9000000 or none)");
  };
  const auto parts = split(spec, ',');
  const std::string_view driver = parts[0];
  Console c{};
  if (driver == "none" && parts.size() == 1) return c;
  if (driver == "sbi" && parts.size() == 1) {
    c.kind = static_cast<uint32_t>(ConsoleKind::kSbi);
    return c;
  }
  if (driver == "sclp" && parts.size() == 1) {
    c.kind = static_cast<uint32_t>(ConsoleKind::kSclp);
    return c;
  }
  if (driver == "hvterm" && parts.size() <= 2) {
    // The vterm number is the unit address of the /vdevice/vty node; the first one is 0.
    c.kind = static_cast<uint32_t>(ConsoleKind::kHvterm);
    if (parts.size() == 1) return c;
    const auto vtermno = parse_number(parts[1]);
    if (!vtermno || *vtermno > 0xffffffff)
      throw bad("bad vterm number '" + std::string(parts[1]) + "'");
    c.base = *vtermno;
    return c;
  }
  size_t at = 1;
  if (driver == "uart8250" || driver == "uart") {
    if (parts.size() < 3) throw bad("needs an access type and an address");
    const std::string_view access = parts[1];
    if (access == "io")
      c.kind = static_cast<uint32_t>(ConsoleKind::kUart8250Io);
    else if (access == "mmio")
      c.kind = static_cast<uint32_t>(ConsoleKind::kUart8250Mmio);
    else if (access == "mmio32")
      c.kind = static_cast<uint32_t>(ConsoleKind::kUart8250Mmio32);
    else
      throw bad("unknown access type '" + std::string(access) + "' (io, mmio, mmio32)");
    at = 2;
  } else if (driver == "pl011") {
    if (parts.size() < 2) throw bad("needs an address");
    if (parts[1] == "mmio32") at = 2;
    c.kind = static_cast<uint32_t>(ConsoleKind::kPl011);
  } else {
    throw bad("unknown driver '" + std::string(driver) +
              "' (uart8250, pl011, sbi, hvterm, sclp, none)");
  }
  if (at >= parts.size()) throw bad("needs an address");
  const auto base = parse_number(parts[at]);
  if (!base) throw bad("bad address '" + std::string(parts[at]) + "'");
  if (c.kind == static_cast<uint32_t>(ConsoleKind::kUart8250Io) && *base > 0xfff8)
    throw bad("I/O port out of range");
  c.base = *base;
  return c;
}

std::string_view console_kind_name(ConsoleKind kind) {
  switch (kind) {
    case ConsoleKind::kNone: return "none";
    case ConsoleKind::kUart8250Io: return "uart8250,io";
    case ConsoleKind::kUart8250Mmio: return "uart8250,mmio";
    case ConsoleKind::kUart8250Mmio32: return "uart8250,mmio32";
    case ConsoleKind::kPl011: return "pl011";
    case ConsoleKind::kSbi: return "sbi";
    case ConsoleKind::kHvterm: return "hvterm";
    case ConsoleKind::kSclp: return "sclp";
  }
  return "unknown";
}

std::string format_console(const Console& console) {
  const auto kind = static_cast<ConsoleKind>(console.kind);
  if (kind == ConsoleKind::kNone || kind == ConsoleKind::kSbi || kind == ConsoleKind::kSclp)
    return std::string(console_kind_name(kind));
  if (kind == ConsoleKind::kHvterm)
    return std::string(console_kind_name(kind)) + "," + std::to_string(console.base);
  return std::string(console_kind_name(kind)) + "," + hex(console.base);
}

}  // namespace styx::host

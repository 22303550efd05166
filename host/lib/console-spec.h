// SPDX-License-Identifier: GPL-2.0-only
// Console descriptors in the kernel's `earlycon=` syntax.
#pragma once

#include <styx/handoff.h>

#include <string>
#include <string_view>

namespace styx::host {

/// Parses `uart8250,io,0x3f8`, `uart8250,mmio,ADDR`, `uart8250,mmio32,ADDR`, `uart,io,PORT`,
/// `pl011,ADDR`, `pl011,mmio32,ADDR`, `sbi`, `hvterm[,VTERMNO]`, `sclp` or `none`; trailing options
/// (`,115200n8`) are accepted and ignored. InputError on anything else.
Console parse_console(std::string_view spec);
/// The canonical spelling of `console`.
std::string format_console(const Console& console);
std::string_view console_kind_name(ConsoleKind kind);

}  // namespace styx::host

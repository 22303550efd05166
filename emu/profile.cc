// SPDX-License-Identifier: GPL-2.0-only
#include "profile.h"

#include "hex.h"
#include "machine.h"

namespace styx::emu {

void State::request_stop(Machine& machine, Stop why) {
  if (!stop) stop = std::move(why);
  machine.stop();
}

std::optional<Stop> Profile::interrupt(Machine& machine, State&, uint32_t intno) const {
  return Stop{Outcome::kFault, "interrupt " + std::to_string(intno) + " at pc " + hex(pc(machine))};
}

std::string first_difference(const Registers& registers, std::span<const Expected> expected) {
  for (const Expected& e : expected) {
    const uint64_t actual = registers.at(std::string(e.name));
    if (actual != e.value) {
      return std::string(e.name) + " = " + hex(actual) + ", expected " + hex(e.value);
    }
  }
  return "";
}

}  // namespace styx::emu

// SPDX-License-Identifier: GPL-2.0-only
// Template: the emulator profile (emu/profile.h). Each method throws until it is written, so a
// test run names exactly what is missing.
#include <stdexcept>

#include "profile.h"

namespace styx::emu {
namespace {

[[noreturn]] void missing(const char* what) {
  throw std::runtime_error(std::string("arch/template emulator profile: ") + what +
                           " is not written yet");
}

class TemplateProfile final : public Profile {
 public:
  std::string_view name() const override { return "template"; }
  uc_arch arch() const override { missing("arch()"); }
  uc_mode mode() const override { missing("mode()"); }
  // CPU state as kexec leaves it, console and reset device models, ISA hooks.
  void setup(Machine&, const RunInput&, State&) const override { missing("setup()"); }
  uint64_t pc(Machine&) const override { missing("pc()"); }
  // Exact count of the instructions in one translation block.
  uint64_t count_instructions(const uint8_t*, size_t) const override {
    missing("count_instructions()");
  }
  Registers capture_registers(Machine&) const override { missing("capture_registers()"); }
  std::string check_boot_registers(const Registers&, const std::vector<uint64_t>&) const override {
    missing("check_boot_registers()");
  }
  std::span<const uint8_t> halt_instruction() const override { missing("halt_instruction()"); }
};

}  // namespace

const Profile& styx_emu_profile_template() {
  static const TemplateProfile profile;
  return profile;
}

}  // namespace styx::emu

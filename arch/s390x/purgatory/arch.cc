// s390x: no console driver yet (the memory log carries the output), re-IPL through diag 0x308,
// disabled-wait halt, Linux s390x hand-off through a 64-bit PSW.
#include "arch.h"

extern "C" [[noreturn]] void styx_s390x_enter(uint64_t entry, uint64_t boot_data);
extern "C" [[noreturn]] void styx_s390x_halt();

namespace styx::arch {

// SCLP "write event data" needs a page-aligned SCCB below 2 GiB and a service-signal interrupt
// handshake; until that is written the console is `none` and the memory log is the channel.
void console_putc(const Console&, char) {}

Console default_console() {
  return Console{};
}

void halt() {
  styx_s390x_halt();
}

void reset(ResetMethod) {
  // Subcode 3 re-IPLs from the configured IPL device after a clear reset, as `reboot` does.
  register uint64_t subcode asm("r3") = 3;
  register uint64_t parm asm("r2") = 0;
  asm volatile("diag %0,%1,0x308" : : "d"(parm), "d"(subcode) : "memory");
  halt();
}

void hand_off(uint64_t entry, const uint64_t (&boot_args)[kMaxBootArgs]) {
  styx_s390x_enter(entry, boot_args[0]);
}

}  // namespace styx::arch

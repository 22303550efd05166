// SPDX-License-Identifier: GPL-2.0-only
// s390x: SCLP ASCII console, re-IPL through diag 0x308, disabled-wait halt, Linux s390x hand-off
// through a 64-bit PSW.
#include "arch.h"

extern "C" [[noreturn]] void styx_s390x_enter(uint64_t entry, uint64_t boot_data);
extern "C" [[noreturn]] void styx_s390x_halt();
/// One SCLP service call with its service-signal handshake (entry.S): the condition code.
extern "C" int styx_s390x_service_call(uint32_t command, void* sccb);

namespace styx::arch {
namespace {

// SCLP "write event data" with a VT220 (ASCII) event buffer, as the kernel's early console
// does (drivers/s390/char/sclp_early_core.c); every LPAR, z/VM guest and KVM/qemu guest has it.
constexpr uint32_t kWriteEventMask = 0x00780005;
constexpr uint32_t kWriteEventData = 0x00760005;
constexpr uint16_t kNormalCompletion = 0x0020;
constexpr uint8_t kEventVt220 = 0x1a;
constexpr uint32_t kMaskVt220 = 1u << (32 - kEventVt220);

// The SCCB must be 8-byte aligned, below 2 GiB (where the host places the purgatory) and must
// not cross a page; one twice its size always holds an SCCB that does not.
constexpr uint32_t kSccbSize = 256;
alignas(8) uint8_t sccb_space[2 * kSccbSize];

struct SccbHeader {
  uint16_t length;
  uint8_t function_code;
  uint8_t control_mask[3];
  uint16_t response_code;
};
struct MaskSccb {  // write event mask with 4-byte masks
  SccbHeader header;
  uint16_t reserved;
  uint16_t mask_length;
  uint32_t cp_receive_mask;
  uint32_t cp_send_mask;
  uint32_t sclp_receive_mask;  // what the SCLP accepts from us
  uint32_t sclp_send_mask;
};
struct EventSccb {  // write event data with one event buffer
  SccbHeader header;
  uint16_t event_length;
  uint8_t event_type;
  uint8_t event_flags;
  uint16_t event_reserved;
  char text[kSccbSize - 14];
} __attribute__((packed));
static_assert(sizeof(MaskSccb) == 28 && sizeof(EventSccb) == kSccbSize);

uint8_t* sccb() {
  auto at = reinterpret_cast<uintptr_t>(sccb_space);
  if (at % 4096 + kSccbSize > 4096) at = (at + 4095) / 4096 * 4096;
  auto* p = reinterpret_cast<uint8_t*>(at);
  for (uint32_t i = 0; i < kSccbSize; ++i) p[i] = 0;
  return p;
}

bool set_event_mask(uint32_t send_mask, bool* vt220) {
  auto* m = reinterpret_cast<MaskSccb*>(sccb());
  m->header.length = sizeof(MaskSccb);
  m->mask_length = 4;
  m->cp_send_mask = send_mask;
  if (styx_s390x_service_call(kWriteEventMask, m) != 0) return false;
  if (m->header.response_code != kNormalCompletion) return false;
  if (vt220) *vt220 = (m->sclp_receive_mask & kMaskVt220) != 0;
  return true;
}

// One console line at a time: a service call per byte would cost an interrupt per byte.
char line[sizeof(EventSccb::text)];
uint32_t line_used;

void sclp_write_line() {
  bool vt220 = false;
  if (set_event_mask(kMaskVt220, &vt220) && vt220) {
    auto* e = reinterpret_cast<EventSccb*>(sccb());
    for (uint32_t i = 0; i < line_used; ++i) e->text[i] = line[i];
    e->event_length = static_cast<uint16_t>(6 + line_used);
    e->event_type = kEventVt220;
    e->header.length = static_cast<uint16_t>(sizeof(SccbHeader) + e->event_length);
    styx_s390x_service_call(kWriteEventData, e);
  }
  // Leave no event registration behind for the next kernel's SCLP driver.
  set_event_mask(0, nullptr);
  line_used = 0;
}

void sclp_putc(char c) {
  line[line_used++] = c;
  if (c == '\n' || line_used == sizeof(line)) sclp_write_line();
}

}  // namespace

void console_putc(const Console& console, char c) {
  if (static_cast<ConsoleKind>(console.kind) == ConsoleKind::kSclp) sclp_putc(c);
}

Console default_console() {
  return Console{static_cast<uint32_t>(ConsoleKind::kSclp), 0, 0};
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

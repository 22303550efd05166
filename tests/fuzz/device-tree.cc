// SPDX-License-Identifier: GPL-2.0-only
// A device tree blob (--dtb, /sys/firmware/fdt): every read the boot planners make, the stale
// kexec state removed, and the /chosen hand-over written; the result is a tree that opens again.
#include "device-tree.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  styx::fuzz::refusing([&] {
    styx::host::DeviceTree dt(styx::fuzz::bytes(data, size), "dtb");
    (void)dt.address_cells();
    (void)dt.size_cells();
    (void)dt.memory();
    (void)dt.reservations();
    (void)dt.stdout_console();
    (void)dt.string_property("/chosen", "bootargs");
    (void)dt.number_property("/chosen", "linux,initrd-start");
    dt.remove_stale_kexec_state();
    const auto packed =
        dt.write_boot_chosen("console=ttyS0", std::pair<uint64_t, uint64_t>{0x48000000, 0x1000},
                             std::pair<uint64_t, uint64_t>{0x49000000, 0x100}, 4096);
    styx::host::DeviceTree again(packed, "packed");
    FUZZ_CHECK(again.string_property("/chosen", "bootargs") == "console=ttyS0");
    FUZZ_CHECK(again.number_property("/chosen", "linux,initrd-start") == 0x48000000u);
  });
  return 0;
}

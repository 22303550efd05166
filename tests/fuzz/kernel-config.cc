// SPDX-License-Identifier: GPL-2.0-only
// Kernel configurations: a .config's text, and the configuration and release an image embeds
// (IKCONFIG gzip data, the "Linux version" banner, a bzImage's kernel_version).
#include "kernel-config.h"
#include "fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto options = styx::host::parse_kernel_config(styx::fuzz::text(data, size));
  for (const auto& [name, value] : options) FUZZ_CHECK(name.starts_with("CONFIG_"));
  styx::fuzz::refusing(
      [&] { (void)styx::host::embedded_kernel_config(styx::fuzz::bytes(data, size)); });
  styx::fuzz::refusing(
      [&] { (void)styx::host::kernel_release("kernel", styx::fuzz::bytes(data, size)); });
  return 0;
}

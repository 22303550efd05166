// SPDX-License-Identifier: GPL-2.0-only
// evmctl's PCR files (`styx ima replay --pcrs [BANK,]FILE`): every value parsed has its bank's
// digest size.
#include "fuzz.h"
#include "tpm-pcrs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string bank = data[0] % 3 == 0 ? "" : data[0] % 3 == 1 ? "sha1" : "sha256";
  styx::fuzz::refusing([&] {
    styx::host::PcrValues values;
    styx::host::parse_pcr_text(styx::fuzz::text(data + 1, size - 1), bank, "pcrs", values);
    for (const auto& [name, pcrs] : values.banks)
      for (const auto& [pcr, digest] : pcrs) {
        FUZZ_CHECK(pcr < 24);
        FUZZ_CHECK(digest.size() == styx::host::pcr_bank_digest_size(name));
      }
  });
  return 0;
}

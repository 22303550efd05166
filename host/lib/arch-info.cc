// SPDX-License-Identifier: GPL-2.0-only
#include "arch-info.h"

#include <algorithm>
#include <stdexcept>

#include "parse.h"

namespace styx::host {

std::vector<uint8_t> read_memory_exactly(const ReadMemory& read, uint64_t addr, uint64_t size,
                                         const std::string& what) {
  std::vector<uint8_t> out = read(addr, size);
  if (out.size() != size)
    throw std::runtime_error(what + " at " + hex(addr) + ": read " + std::to_string(out.size()) +
                             " of " + std::to_string(size) + " bytes");
  return out;
}

// Defined by the generated arch-table.cc: one entry per arch/<isa>/host/.
const std::vector<const ArchInfo*>& arch_table();

const ArchInfo* find_arch(std::string_view name) {
  for (const ArchInfo* a : arch_table())
    if (a->name == name ||
        std::find(a->aliases.begin(), a->aliases.end(), name) != a->aliases.end())
      return a;
  return nullptr;
}

const std::vector<const ArchInfo*>& all_arches() {
  return arch_table();
}

std::string arch_names() {
  std::string out;
  for (const ArchInfo* a : arch_table()) {
    if (!out.empty()) out += ", ";
    out += a->name;
  }
  return out;
}

std::string reset_method_names(const ArchInfo& arch) {
  std::string out;
  for (ResetMethod m : arch.reset_methods) {
    if (!out.empty()) out += ", ";
    out += reset_method_name(m);
  }
  return out;
}

std::string_view reset_method_name(ResetMethod method) {
  switch (method) {
    case ResetMethod::kDefault: return "default";
    case ResetMethod::kPortCf9: return "cf9";
    case ResetMethod::kPsciHvc: return "psci-hvc";
    case ResetMethod::kPsciSmc: return "psci-smc";
    case ResetMethod::kSbiSrst: return "sbi-srst";
    case ResetMethod::kDiag308: return "diag308";
    case ResetMethod::kPseriesRtas: return "pseries-rtas";
  }
  return "unknown";
}

}  // namespace styx::host

#include "arch-info.h"

#include <algorithm>

namespace styx::host {

// Defined by the generated arch-table.cc: one entry per arch/<isa>/host/.
const std::vector<const ArchInfo*>& arch_table();

const ArchInfo* find_arch(std::string_view name) {
  for (const ArchInfo* a : arch_table())
    if (a->name == name) return a;
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

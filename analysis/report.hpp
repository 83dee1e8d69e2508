#pragma once
// Human and machine summaries of a run: the console table and the --json file
// (fields as in shared/DESIGN.md §4).
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/summary.hpp"

namespace specsim::analysis {

std::string format_table(const std::vector<SummaryRow>& rows);
std::string summary_json(const std::string& scenario, std::uint64_t seed, const std::vector<SummaryRow>& rows);

}  // namespace specsim::analysis

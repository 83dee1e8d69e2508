#pragma once
// Human and machine summaries of a run: the console table and the --json file
// (fields as in shared/DESIGN.md §4, then every figure of the HDF5 summary under its name).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/objective.hpp"
#include "analysis/summary.hpp"

namespace specsim::analysis {

// The table, then its legend; a net value column when the objective states a value of time.
std::string format_table(const std::vector<SummaryRow>& rows, const Objective& objective);
std::string summary_json(const std::string& scenario, std::uint64_t seed, const std::vector<SummaryRow>& rows,
                         const Objective& objective);
nlohmann::ordered_json objective_json(const Objective& objective);

}  // namespace specsim::analysis

#pragma once
// A fleet run's outputs (analysis/fleet_metrics.hpp): the console table, the JSON summary and
// the HDF5 file (tables `fleet`, `fleet_limits` and `fleet_tasks`, docs/results.md).
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/fleet_metrics.hpp"
#include "sim/files.hpp"

namespace specsim::analysis {

std::string format_fleet_table(const FleetResult& result);
nlohmann::ordered_json fleet_json(const FleetResult& result);
void write_fleet_h5(const std::string& path, const std::map<std::string, std::string>& attributes,
                    const FleetResult& result, sim::CommitGroup* group);

}  // namespace specsim::analysis

#pragma once
// What a user decides with (scenario key `objective`): what a second of latency is worth, a
// latency SLO on a quantile, and a budget per episode. Stated, never defaulted: an absent field
// is absent, and the advice says which rule it ranked by.
#include <optional>
#include <string>

#include "sim/config_node.hpp"

namespace specsim::analysis {

struct LatencySlo {
  double quantile = 0.95;  // 0.95 or 0.99
  double seconds = 0;
  std::string name() const;  // "p95" or "p99"
};

struct Objective {
  std::optional<double> value_of_time_usd_per_s;
  std::optional<LatencySlo> slo;
  std::optional<double> budget_usd_per_episode;
  bool empty() const { return !value_of_time_usd_per_s && !slo && !budget_usd_per_episode; }
};

// `objective: {value_of_time_usd_per_s: 0.002, slo: {p95: 30}, budget_usd_per_episode: 0.1}`
Objective decode_objective(const sim::ConfigNode& node);
// The objective of a scenario's text (as stored in result files); empty if it states none.
Objective objective_of_scenario_text(const std::string& text, const std::string& name);

}  // namespace specsim::analysis

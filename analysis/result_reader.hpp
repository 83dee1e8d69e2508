#pragma once
// Reading back what a run's result file holds beyond its summary (analysis/stored_summary.hpp):
// root attributes, and the per-episode outcomes of one policy, for paired comparisons.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace specsim::analysis {

struct EpisodeOutcome {
  std::int64_t episode;
  double latency_s, cost_usd;
};

// A string attribute of the file's root (e.g. scenario_yaml); nullopt if absent.
std::optional<std::string> read_root_attribute(const std::string& path, const std::string& name);
// A string attribute of a policy's group (label, kind, config).
std::string read_policy_attribute(const std::string& path, const std::string& label, const std::string& name);
// The policy's episodes table, in episode order.
std::vector<EpisodeOutcome> read_episode_outcomes(const std::string& path, const std::string& label);

}  // namespace specsim::analysis

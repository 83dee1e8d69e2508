#pragma once
// Runs every policy of a scenario over the same episodes, in parallel and deterministically:
// episodes are cut into fixed-size chunks; a chunk of a policy that does not learn runs on a
// fresh instance, while a learning policy runs its chunks in order on one instance and timeline.
// Results are consumed strictly in (chunk, policy) order, so the summary, the JSON and the HDF5
// tables are identical for any thread count, and memory stays bounded by a window of chunks.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/result_file.hpp"
#include "analysis/summary.hpp"
#include "tools/specsim/scenario.hpp"

namespace specsim::app {

struct RunOptions {
  int threads = 1;
  std::int64_t chunk_episodes = 256;
};

struct RunOutcome {
  std::vector<analysis::SummaryRow> rows;  // in the scenario's policy order
  double wall_seconds = 0;
  std::int64_t simulated_steps = 0;  // over all policies, the baseline included
};

// `out` (may be null) receives every episode row, plus calls and rounds of recorded episodes.
RunOutcome run_experiment(const Scenario& scenario, const RunOptions& options, analysis::ResultFile* out);

std::vector<analysis::PolicyInfo> policy_infos(const Scenario& scenario);

}  // namespace specsim::app

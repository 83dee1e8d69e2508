#pragma once
// Runs every policy of a scenario over the same episodes (common random numbers), in parallel
// and deterministically: episodes are cut into fixed-size chunks; a chunk of a policy that does
// not learn runs on a fresh instance, while a learning policy runs its chunks in order on one
// instance and timeline. Results reach the sinks in a fixed order (sim/run_observer.hpp), so
// every output is identical for any thread count, and memory stays bounded by a window of chunks.
#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "analysis/summary.hpp"
#include "sim/planner.hpp"
#include "sim/run_observer.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::runner {

struct RunOptions {
  int threads = 1;
  std::int64_t chunk_episodes = 256;
  const std::atomic<bool>* stop = nullptr;  // set (by a signal handler): finish the chunks running, start no more
};

// The planner's settings: max_steps, and the scenario's concurrency limits as slot pools.
sim::PlannerConfig planner_config(const Scenario& scenario);
// The policies a run executes: the scenario's, plus the hidden sequential baseline if needed.
std::vector<policies::PolicySpec> lane_specs(const Scenario& scenario);
// The run's lanes: the scenario's policies, plus a hidden sequential baseline when none is listed.
sim::RunInfo run_info(const Scenario& scenario);

// False if stopped before the end: then the sinks never see on_run_end (nothing is committed).
bool run_experiment(const Scenario& scenario, const RunOptions& options, sim::RunObserver& sink);

// The common case: just the summary rows. (For more outputs, make a SummarySink and the sinks
// that read it, and pass their fan-out to run_experiment.)
struct RunOutcome {
  std::vector<analysis::SummaryRow> rows;  // in the scenario's policy order
  double wall_seconds = 0;
  std::int64_t simulated_steps = 0;        // over all lanes, the baseline included
  bool completed = true;                   // false if stopped (then nothing was written)
};
RunOutcome run_summary(const Scenario& scenario, const RunOptions& options);
// The summary, and the run's HDF5 result file with the given attributes.
RunOutcome run_to_file(const Scenario& scenario, const RunOptions& options, const std::string& h5_path,
                       const std::map<std::string, std::string>& attributes);

}  // namespace specsim::runner

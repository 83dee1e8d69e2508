#pragma once
// `specsim live`: the scenario's policies, the very planner and policy objects of `specsim run`,
// against the OpenAI-compatible endpoints its agents name, on a wall clock whose loop also drives
// the HTTP client. Episodes run in the schedule of episode_schedule.hpp (several at once on this
// one thread, sharing the client and therefore each endpoint's limits), which the dry run
// (live_dry_run.hpp) follows on a simulated clock; results reach the sinks as in `specsim run`.
#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "sim/run_observer.hpp"
#include "tools/runner/episode_schedule.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::runner {

struct LiveRunOptions {
  std::optional<std::int64_t> episodes;  // default: every task of the tasks file
  int concurrency = 4;                   // episodes in flight
  std::optional<double> max_cost_usd;
  std::string trace_file;                // empty: no recording
  std::ostream* progress = nullptr;      // one progress line, rewritten (stderr)
  // Set (by a signal handler): cancel the calls in flight, start nothing more, and end without
  // on_run_end, so that no sink commits a file.
  const std::atomic<bool>* stop = nullptr;
};

struct LiveLearning {  // a learning policy's live figures
  std::string policy;
  double prediction_ms = 0;  // mean measured prediction latency
  std::int64_t predictions = 0, jobs_completed = 0;  // jobs trained on the worker thread
};

struct LiveRunResult : ScheduleResult {
  double wall_seconds = 0;
  bool trace_written = false;  // false when no episode committed a step (a trace has a task)
  std::vector<LiveLearning> learning;
};

// Throws sim::InputError when the scenario names no endpoint (no `live:` section).
LiveRunResult run_live(const Scenario& scenario, const LiveRunOptions& options, sim::RunObserver& sink);

// The scenario's tasks as the simulator's episodes: `specsim live --dry-run` runs them first.
std::int64_t live_episodes(const Scenario& scenario, const LiveRunOptions& options);

}  // namespace specsim::runner

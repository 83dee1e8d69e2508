#pragma once
// `specsim live`: the scenario's policies, the very planner and policy objects of `specsim run`,
// against the OpenAI-compatible endpoints its agents name, on a wall clock whose loop also drives
// the HTTP client. Several episodes run at once on that one thread (up to `concurrency`), sharing
// the client and therefore each endpoint's limits. A policy that does not learn gets a fresh
// instance per episode, as in simulation; a learning policy keeps one instance and runs its
// episodes one after another, in order, so that it learns from each before the next.
//
// Results reach the sinks as in `specsim run`: episode by episode, lane by lane, in episode
// order. An episode in which some lane's call failed is left out of the sinks (the summary pairs
// every policy with the baseline on the same episodes) and reported in `failed`. With a spending
// cap, no new episode starts once the dollars spent by finished episodes reach it.
#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "sim/run_observer.hpp"
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

struct FailedEpisode {
  std::int64_t episode = 0;
  std::string task_id, policy, error;
};

struct LiveLearning {  // a learning policy's live figures
  std::string policy;
  double prediction_ms = 0;  // mean measured prediction latency
  std::int64_t predictions = 0, jobs_completed = 0;  // jobs trained on the worker thread
};

struct LiveRunResult {
  std::int64_t episodes_planned = 0, episodes_reported = 0;
  std::vector<FailedEpisode> failed;
  double spent_usd = 0;  // every finished episode, failed ones included
  bool stopped_by_cap = false;
  double wall_seconds = 0;
  std::int64_t calls = 0;
  bool trace_written = false;
  bool completed = true;  // false if stopped (then nothing was written)
  std::vector<LiveLearning> learning;  // false when no episode committed a step (a trace has a task)
};

// Throws sim::InputError when the scenario names no endpoint (no `live:` section).
LiveRunResult run_live(const Scenario& scenario, const LiveRunOptions& options, sim::RunObserver& sink);

// The scenario's tasks as the simulator's episodes: `specsim live --dry-run` runs them first.
std::int64_t live_episodes(const Scenario& scenario, const LiveRunOptions& options);

}  // namespace specsim::runner

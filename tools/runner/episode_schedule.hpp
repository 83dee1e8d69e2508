#pragma once
// How a live run runs its episodes (docs/live.md, "Episodes in flight"), on any clock: every
// (episode, lane) pair in episode order, up to `concurrency` at once; a learning lane keeps one
// policy and runs its episodes one after another, in order, every other lane makes a fresh policy
// per episode; finished episodes reach the sinks in episode order, an episode in which some lane
// failed left out (the summary pairs every policy with the baseline on the same episodes). With a
// spending cap, no new episode starts once the dollars of finished episode runs reach it.
//
// `specsim live` runs the schedule on the wall clock with HTTP backends (live_run.hpp), its dry
// run on a simulated clock with the scenario's world (live_dry_run.hpp): the estimate is the very
// schedule the live run will follow, episodes sharing a self-hosted endpoint's load included.
#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/live/live_config.hpp"
#include "sim/clock.hpp"
#include "sim/planner.hpp"
#include "sim/run_observer.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::runner {

// One episode of one lane, with the backend it runs on.
class ScheduledEpisode {
 public:
  virtual ~ScheduledEpisode() = default;
  virtual sim::Planner& planner() = 0;
};

// What a schedule's episodes run on.
class EpisodeWorld {
 public:
  virtual ~EpisodeWorld() = default;
  // A planner for `episode` of `lane` over `policy` (which outlives it), not begun yet.
  virtual std::unique_ptr<ScheduledEpisode> make(std::int64_t episode, std::size_t lane, sim::DepthPolicy& policy) = 0;
  // The episode's run ended; its record goes to the sinks next (a live world records it here).
  virtual void ended(ScheduledEpisode&, std::int64_t /*episode*/, std::size_t /*lane*/, const sim::EpisodeRun&) {}
  // Calls in flight, for the progress line.
  virtual std::size_t calls_running() const { return 0; }
};

struct ScheduleOptions {
  std::int64_t episodes = 0;  // the first of the tasks
  int concurrency = 4;        // episode runs in flight
  std::optional<double> max_cost_usd;
  bool wall_clock = false;  // the policies run on a wall clock (policies::PolicyEnv::wall_clock)
  std::string what = "live";         // the progress line's first word
  std::ostream* progress = nullptr;  // one progress line, rewritten (stderr)
  // Set (by a signal handler): start nothing more and end without on_run_end, so that no sink
  // commits a file; the world's episodes are dropped (a live backend cancels its calls).
  const std::atomic<bool>* stop = nullptr;
};

struct FailedEpisode {
  std::int64_t episode = 0;
  std::string task_id, policy, error;
};

// How long an endpoint's limits held its calls back: the calls sent under them and the time
// from each one's request to its start, in all.
struct LimitWaits {
  std::string limits;  // models::live::limits_name
  std::int64_t calls = 0;
  sim::Time waited;
};

struct ScheduleResult {
  std::int64_t episodes_planned = 0, episodes_reported = 0;
  std::vector<FailedEpisode> failed;
  double spent_usd = 0;  // every finished episode run, failed ones included
  bool stopped_by_cap = false;
  std::int64_t calls = 0;
  bool completed = true;  // false if stopped (then nothing was written)
  sim::Time elapsed;      // on the schedule's clock, from its start to its last episode's end
  std::vector<std::optional<sim::LearningStats>> learned;  // by lane: a learning lane's totals
  std::vector<LimitWaits> limit_waits;  // by limited endpoint (filled by the world's runner)
};

ScheduleResult run_schedule(const Scenario& scenario, const std::vector<models::live::LiveTask>& tasks,
                            const ScheduleOptions& options, sim::Clock& clock, EpisodeWorld& world, sim::RunObserver& sink);

}  // namespace specsim::runner

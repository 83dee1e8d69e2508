#pragma once
// `specsim live --dry-run`: the live run's schedule (episode_schedule.hpp) on a simulated clock,
// each episode on the scenario's simulated world, the calls of agents with a served latency
// sharing their endpoints as the live run's share the real ones. The summary is what the live
// run is expected to measure, and the clock's end how long it is expected to take. Policies see
// what they see live: no world features and no look-ahead.
#include "sim/run_observer.hpp"
#include "tools/runner/episode_schedule.hpp"
#include "tools/runner/live_run.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::runner {

ScheduleResult simulate_live(const Scenario& scenario, const LiveRunOptions& options, sim::RunObserver& sink);

}  // namespace specsim::runner

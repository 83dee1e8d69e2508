#pragma once
// A fleet run: many sessions of a scenario's agent on one simulated clock, one planner per
// session in flight, all calls passing the fleet's shared limits (models/shared_limits.hpp).
// Each (policy, replication) is an independent simulation: replications run in parallel over
// the engine's pool and are pooled in order, so results are identical for any thread count.
// Episode scripts and arrivals come from streams named by (seed, replication, task): every
// policy sees the same tasks arriving at the same instants (common random numbers).
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/fleet_metrics.hpp"
#include "sim/time.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::runner {

using analysis::FleetPoint;
using analysis::FleetResult;
using analysis::FleetRow;
using analysis::FleetTask;
using analysis::kReplicationStride;

struct FleetOptions {
  int threads = 1;
  const std::atomic<bool>* stop = nullptr;
};

// Every load of the fleet, each over its replications. Throws sim::InputError if the scenario has
// no `fleet:` block.
FleetResult run_fleet(const Scenario& scenario, const FleetOptions& options);

}  // namespace specsim::runner

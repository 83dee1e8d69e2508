#pragma once
// A fleet run's figures (tools/runner/fleet.hpp): per task, per shared limit, and per policy
// pooled over replications: throughput, task latency quantiles, queueing delay, utilisation of
// each limit, cost per task, and Little's law checked on the measurement windows.
#include <cstdint>
#include <string>
#include <vector>

#include "models/shared_limits.hpp"
#include "sim/time.hpp"

namespace specsim::analysis {

// Task i of replication r is episode r * kReplicationStride + i (replication 0: the episodes
// `specsim run` simulates, for the no-contention check).
constexpr std::int64_t kReplicationStride = std::int64_t{1} << 32;

struct FleetTask {
  std::int64_t episode = 0;
  int replication = 0;
  sim::Time arrival, latency;  // latency: arrival to the last committed step
  sim::Time waited;            // over its calls, waiting for the shared limits
  std::int64_t rejections = 0; // its calls' 429s
  double cost_usd = 0;
  int steps = 0;
  bool measured = false;       // arrived inside the measurement window
};

// One limit's figures over the measurement window (NaN where the limit sets no such bound).
struct FleetLimitRow {
  std::string name;
  double in_flight_utilisation = 0, requests_utilisation = 0, tokens_utilisation = 0;
  double wait_mean_s = 0;  // per admitted call
  std::int64_t rejections = 0;
};

struct FleetRow {
  std::string label, kind;
  std::int64_t tasks = 0;  // measured, over all replications
  double window_s = 0;     // the measurement windows' total length
  double throughput_per_s = 0;
  double latency_mean_s = 0, latency_p50_s = 0, latency_p95_s = 0, latency_p99_s = 0;
  double queue_delay_mean_s = 0;  // per task, over its calls
  double rejections_per_task = 0;
  double cost_per_task_usd = 0;
  // Little's law over the windows: sessions in flight (time average) against arrival rate x mean latency.
  double sessions_mean = 0, arrival_rate_per_s = 0, little_error = 0;
  std::vector<FleetLimitRow> limits;
};

// The fleet at one offered load.
struct FleetPoint {
  double load = 0;  // poisson: tasks/s; closed: users; trace: the measured arrival rate
  std::vector<FleetRow> rows;                 // in the scenario's policy order
  std::vector<std::vector<FleetTask>> tasks;  // per row, in (replication, arrival) order
};

struct FleetResult {
  std::string scenario;
  std::uint64_t seed = 0;
  std::string load_unit;  // "tasks/s" or "users"
  std::vector<FleetPoint> points;  // in the order of the loads
  bool completed = true;
};

// One replication of one policy: its tasks and what happened inside its measurement window.
struct FleetReplication {
  std::vector<FleetTask> tasks;     // by episode
  sim::Time window;                 // the measurement window's length
  std::int64_t in_flight_ns = 0;    // integral of sessions in flight over the window
  std::vector<models::LimitUsage> usage;  // per limit, over the window
};

// The policy's row, pooled over its replications in order.
FleetRow fleet_row(const std::string& label, const std::string& kind, const std::vector<models::LimitSpec>& limits,
                   const std::vector<FleetReplication>& replications);

// Where speculation stops paying off: for each policy, the load at which its p95 task latency
// reaches sequential's, linearly interpolated between the two swept loads around the crossing
// (the first load if it never beats sequential; NaN if it beats it at every load swept). Empty
// without a sequential policy to compare with.
struct BreakEven {
  std::string label, kind;
  double load = 0;
};
std::vector<BreakEven> break_even_loads(const FleetResult& result);

}  // namespace specsim::analysis

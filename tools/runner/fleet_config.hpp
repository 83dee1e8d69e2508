#pragma once
// The `fleet:` block of a scenario: many sessions of the agent on one simulated clock, arriving
// by a process (Poisson, closed users with think times, or the times of a file), over a task
// count or a duration, with a warm-up whose tasks are not measured, and the limits every session
// shares (models/shared_limits.hpp). Schema: docs/scenarios.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/shared_limits.hpp"
#include "sim/config_node.hpp"
#include "sim/time.hpp"

namespace specsim::runner {

struct Arrivals {
  enum class Kind { poisson, closed, trace };
  Kind kind = Kind::poisson;
  double rate_per_s = 0;          // poisson
  int users = 0;                  // closed: each user runs one task at a time,
  sim::Time think;                // then thinks an exponential time of this mean
  std::string file;               // trace: one arrival time (seconds) per line, non-decreasing
  std::vector<sim::Time> times;   // trace: read from `file`
};

struct FleetSpec {
  Arrivals arrivals;
  // A sweep over load: `rate_per_s` (poisson) or `users` (closed) given as a list runs the fleet
  // once per value, in order; `arrivals` holds the first.
  std::vector<double> loads;
  std::optional<std::int64_t> tasks;   // arrivals per replication, or
  std::optional<sim::Time> duration;   // no arrival after this
  sim::Time warmup;                    // tasks that arrive before it are not measured
  int replications = 1;                // independent runs, in parallel, pooled
  std::vector<models::LimitSpec> limits;
};

// `models`: the scenario's agents' model names (limits may name only those).
FleetSpec decode_fleet(const sim::ConfigNode& node, const std::vector<std::string>& models);
// The fleet at one of its loads.
FleetSpec at_load(const FleetSpec& fleet, double load);

}  // namespace specsim::runner

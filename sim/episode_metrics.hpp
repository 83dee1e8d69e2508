#pragma once
// One episode's figures (shared/DESIGN.md §3). The engine declares them so that a planner can
// add up an episode's calls as its rounds close (through a CallMeter that knows the prices) and
// keep no call of an episode nobody records; analysis/episode_metrics.hpp computes the same
// figures from a recorded episode's calls.
#include <cstdint>

#include "sim/call.hpp"

namespace specsim::sim {

struct EpisodeMetrics {
  std::int64_t episode = 0;
  std::int32_t steps = 0, rounds = 0;
  std::int32_t terminated = 0;
  double latency_s = 0;
  double cost_usd = 0;
  double unnecessary_cost_usd = 0;  // calls whose output is not on the committed path
  double speculation_cost_usd = 0;  // A's matched guesses: the price of the speed-up
  std::int32_t calls_target = 0, calls_approx = 0, calls_cancelled = 0;
  std::int64_t input_tokens_target = 0, output_tokens_target = 0;  // billed
  std::int64_t input_tokens_approx = 0, output_tokens_approx = 0;
  double concurrency_mean = 0;
  std::int32_t concurrency_peak = 0;
  double mean_k = 0;  // over the episode's rounds
  std::int32_t k_cut_rounds = 0;  // rounds whose chosen k was cut to the steps left before max_steps
  // Environment calls (tools the steps' actions call): how many, what they cost (in cost_usd
  // too), how many ran ahead on a guess, and what those on no committed action cost (in
  // unnecessary_cost_usd too).
  std::int32_t calls_environment = 0, environment_ahead_calls = 0;
  double environment_cost_usd = 0, environment_wasted_cost_usd = 0;

  bool operator==(const EpisodeMetrics&) const = default;  // exactly: the same sums in the same order
};

// Adds one closed call (its status and role final) to an episode's figures: counts, billed
// tokens and costs, in the order the calls were made.
class CallMeter {
 public:
  virtual void add(const CallRecord& call, EpisodeMetrics& m) const = 0;

 protected:
  ~CallMeter() = default;
};

}  // namespace specsim::sim

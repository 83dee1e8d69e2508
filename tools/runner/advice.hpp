#pragma once
// `specsim advise`: the best policy and setting of a run or a sweep under the objective (value of
// a second, latency SLO, budget per episode), with its interval and the runner-up, and whether
// the two differ beyond noise. The difference is paired per episode where both were run on the
// same episodes (common random numbers: one run file, or sweep runs of one seed and world).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/objective.hpp"

namespace specsim::runner {

// A policy and setting, its figures pooled over the seeds it ran with.
struct Candidate {
  std::string label, kind;
  std::int64_t episodes = 0;
  double latency_mean_s = 0, latency_ci95_s = 0, cost_usd = 0, cost_ci95_usd = 0;
  double net_value_usd = 0, net_value_ci95_usd = 0;  // NaN without a value of time
  double latency_slo_s = 0;  // the SLO's quantile (the largest over seeds)
  struct EpisodesOf {
    std::string file, label;
    std::uint64_t seed;
  };
  std::vector<EpisodesOf> episodes_from;  // per seed, where the run stored its episodes
};

struct Difference {
  double mean = 0, ci95 = 0;  // runner-up's score minus the best's, per episode
  std::int64_t pairs = 0;     // 0: unpaired (summaries only), from the two intervals
  bool significant() const { return mean - ci95 > 0; }
};

// The advice for one world (a run, or a sweep's runs with the same world-axis values).
struct Advice {
  std::string world;  // "workload.match.p=0.3", or empty for a run
  std::string rule;   // what was minimised, in words
  std::optional<Candidate> best, runner_up, bound;  // bound: the oracle, not runnable
  std::optional<Difference> difference;
  std::size_t candidates = 0, infeasible = 0;
};

struct AdviceReport {
  analysis::Objective objective;
  std::vector<Advice> worlds;
};

// RESULTS is a run's .h5 or .json, or a sweep folder; `given` overrides the stated objective's fields.
AdviceReport advise(const std::string& results, const analysis::Objective& given);
std::string format_advice(const AdviceReport& report);

}  // namespace specsim::runner

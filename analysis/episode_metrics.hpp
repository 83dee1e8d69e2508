#pragma once
// One episode's figures (shared/DESIGN.md §3, sim/episode_metrics.hpp), computed from the
// planner's call records, the agents' prices and the billing rule for cancelled calls.
#include <array>
#include <cstdint>

#include "models/pricing.hpp"
#include "models/workload.hpp"
#include "sim/episode_metrics.hpp"
#include "sim/planner.hpp"

namespace specsim::analysis {

using EpisodeMetrics = sim::EpisodeMetrics;

// Prices each call with its agent's model and the billing rule for cancelled calls: what a
// planner meters an episode with (sim::PlannerConfig::meter).
class PriceMeter final : public sim::CallMeter {
 public:
  PriceMeter(const models::Agents& agents, models::Billing billing);
  void add(const sim::CallRecord& call, EpisodeMetrics& m) const override;

 private:
  void add_environment(const sim::CallRecord& call, EpisodeMetrics& m) const;
  // Per agent, what AgentModel::cost prices a call with (so the same costs to the last bit).
  // Without long-context tiers every call pays the standard tier's rates, worked out once here
  // (the same products, so the same bits) instead of per call.
  struct AgentPrice {
    models::Price price;
    models::CacheShares cache;
    bool one_tier = false;
    double input_rate = 0, output_rate = 0;  // one_tier: $ per 1M prompt and output tokens
  };
  std::array<AgentPrice, sim::kAgents> prices_;
  models::Billing billing_;
};

// The episode's figures: those its planner metered as it ran, if it had a meter (the same sums
// in the same order), else computed from its calls and rounds.
EpisodeMetrics measure_episode(const sim::EpisodeRun& run, const models::Agents& agents,
                               models::Billing billing);

}  // namespace specsim::analysis

#pragma once
// One episode's figures (shared/DESIGN.md §3, sim/episode_metrics.hpp), computed from the
// planner's call records, the agents' prices and the billing rule for cancelled calls.
#include "models/pricing.hpp"
#include "models/workload.hpp"
#include "sim/episode_metrics.hpp"
#include "sim/planner.hpp"

namespace specsim::analysis {

using EpisodeMetrics = sim::EpisodeMetrics;

// The agents' prices and the billing rule for cancelled calls, as a planner meters an episode
// with them (sim::PlannerConfig::meter): each tier's rates are AgentModel::cost's, worked out
// once per agent and tier.
class PriceMeter final : public sim::CallMeter {
 public:
  PriceMeter(const models::Agents& agents, models::Billing billing);
};

// The episode's figures: those its planner metered as it ran, if it had a meter (the same
// tallies, priced the same way), else computed from its calls and rounds.
EpisodeMetrics measure_episode(const sim::EpisodeRun& run, const models::Agents& agents,
                               models::Billing billing);

}  // namespace specsim::analysis

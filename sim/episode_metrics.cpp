#include "sim/episode_metrics.hpp"

namespace specsim::sim {

CallTotals::CallTotals(const CallMeter& meter) : meter_(&meter) {
  base_ = {0, meter.tiers(Agent::approx) * 3};
  tallies_.resize(static_cast<std::size_t>(base_[1] + meter.tiers(Agent::target) * 3));
}

void CallTotals::add_environment(const CallRecord& call) {
  EpisodeMetrics& m = environment_;
  ++m.calls_environment;
  m.environment_ahead_calls += call.ahead;
  if (call.status == CallStatus::cancelled || call.status == CallStatus::cancelled_queued) ++m.calls_cancelled;
  const double cost = environment_cost(call);
  m.environment_cost_usd += cost;
  if (call.role == CallRole::wasted) m.environment_wasted_cost_usd += cost;
}

void CallTotals::clear() {
  std::fill(tallies_.begin(), tallies_.end(), TokenTally{});
  environment_ = {};
}

void CallTotals::figures(EpisodeMetrics& m) const {
  const EpisodeMetrics& env = environment_;
  m.calls_target = m.calls_approx = 0;
  m.calls_cancelled = env.calls_cancelled;
  m.input_tokens_target = m.output_tokens_target = m.input_tokens_approx = m.output_tokens_approx = 0;
  double cost = 0, wasted = 0, speculation = 0;
  for (Agent a : {Agent::approx, Agent::target}) {
    const bool target = a == Agent::target;
    for (int tier = 0; tier < meter_->tiers(a); ++tier) {
      const TokenTally* t = tier_tallies(a, tier);
      TokenTally all = t[0];
      all += t[1];
      all += t[2];
      (target ? m.calls_target : m.calls_approx) += all.calls;
      m.calls_cancelled += all.cancelled;
      (target ? m.input_tokens_target : m.input_tokens_approx) += all.input;
      (target ? m.output_tokens_target : m.output_tokens_approx) += all.output;
      cost += meter_->cost(a, tier, all);
      speculation += meter_->cost(a, tier, t[1]);
      wasted += meter_->cost(a, tier, t[2]);
    }
  }
  m.calls_environment = env.calls_environment;
  m.environment_ahead_calls = env.environment_ahead_calls;
  m.environment_cost_usd = env.environment_cost_usd;
  m.environment_wasted_cost_usd = env.environment_wasted_cost_usd;
  m.cost_usd = cost + env.environment_cost_usd;
  m.unnecessary_cost_usd = wasted + env.environment_wasted_cost_usd;
  m.speculation_cost_usd = speculation;
}

}  // namespace specsim::sim

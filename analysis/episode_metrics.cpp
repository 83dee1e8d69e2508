#include "analysis/episode_metrics.hpp"

namespace specsim::analysis {

PriceMeter::PriceMeter(const models::Agents& agents, models::Billing billing) : billing_(billing) {
  for (std::size_t a = 0; a < prices_.size(); ++a) {
    const models::Price& price = agents[a].price;
    prices_[a] = {price, agents[a].cache, price.long_context.empty(), price.input_rate(agents[a].cache), price.output};
  }
}

void PriceMeter::add(const sim::CallRecord& call, EpisodeMetrics& m) const {
  if (call.agent == sim::Agent::environment) return add_environment(call, m);
  const bool target = call.agent == sim::Agent::target;
  (target ? m.calls_target : m.calls_approx) += 1;
  if (call.status == sim::CallStatus::cancelled || call.status == sim::CallStatus::cancelled_queued)
    ++m.calls_cancelled;
  const sim::CallTokens billed = models::billed_tokens(call, billing_);
  (target ? m.input_tokens_target : m.input_tokens_approx) += billed.input;
  (target ? m.output_tokens_target : m.output_tokens_approx) += billed.output;
  const AgentPrice& p = prices_[static_cast<std::size_t>(sim::index(call.agent))];
  const double cost =
      p.one_tier ? models::Price::cost_at(billed, p.input_rate, p.output_rate) : p.price.cost(billed, call.tokens.input, p.cache);
  m.cost_usd += cost;
  if (call.role == sim::CallRole::wasted) m.unnecessary_cost_usd += cost;
  if (call.role == sim::CallRole::speculation) m.speculation_cost_usd += cost;
}

void PriceMeter::add_environment(const sim::CallRecord& call, EpisodeMetrics& m) const {
  ++m.calls_environment;
  m.environment_ahead_calls += call.ahead;
  if (call.status == sim::CallStatus::cancelled || call.status == sim::CallStatus::cancelled_queued)
    ++m.calls_cancelled;
  const double cost = models::environment_cost(call);
  m.cost_usd += cost;
  m.environment_cost_usd += cost;
  if (call.role != sim::CallRole::wasted) return;
  m.unnecessary_cost_usd += cost;
  m.environment_wasted_cost_usd += cost;
}

EpisodeMetrics measure_episode(const sim::EpisodeRun& run, const models::Agents& agents,
                               models::Billing billing) {
  if (run.metrics) return *run.metrics;
  EpisodeMetrics m;
  m.episode = run.episode;
  m.steps = run.steps;
  m.rounds = static_cast<std::int32_t>(run.rounds.size());
  m.terminated = run.terminated;
  m.latency_s = run.latency.seconds();
  m.concurrency_mean = run.concurrency_mean;
  m.concurrency_peak = run.concurrency_peak;
  const PriceMeter meter(agents, billing);
  for (const sim::CallRecord& call : run.calls) meter.add(call, m);
  double k_sum = 0;
  for (const sim::RoundRecord& r : run.rounds) {
    k_sum += r.k;
    m.k_cut_rounds += r.k < r.chosen_k;
  }
  m.mean_k = run.rounds.empty() ? 0.0 : k_sum / static_cast<double>(run.rounds.size());
  return m;
}

}  // namespace specsim::analysis

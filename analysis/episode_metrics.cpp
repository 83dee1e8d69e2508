#include "analysis/episode_metrics.hpp"

namespace specsim::analysis {

PriceMeter::PriceMeter(const models::Agents& agents, models::Billing billing) {
  for (std::size_t a = 0; a < tiers_.size(); ++a) {
    const models::Price& price = agents[a].price;
    const models::CacheShares cache = agents[a].cache;
    tiers_[a] = {{0, price.input_rate(cache), price.output}};
    for (const models::LongContextTier& t : price.long_context)
      tiers_[a].push_back({t.above_input_tokens, t.prices.input_rate(cache), t.prices.output});
  }
  cancelled_input_ = billing != models::Billing::none;
  cancelled_output_ = billing == models::Billing::full       ? CancelledOutput::planned
                      : billing == models::Billing::prorated ? CancelledOutput::generated
                                                             : CancelledOutput::none;
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
  sim::CallTotals totals(meter);
  for (const sim::CallRecord& call : run.calls) totals.add(call);
  totals.figures(m);
  double k_sum = 0;
  for (const sim::RoundRecord& r : run.rounds) {
    k_sum += r.k;
    m.k_cut_rounds += r.k < r.chosen_k;
  }
  m.mean_k = run.rounds.empty() ? 0.0 : k_sum / static_cast<double>(run.rounds.size());
  return m;
}

}  // namespace specsim::analysis

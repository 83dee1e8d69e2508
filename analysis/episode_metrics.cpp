#include "analysis/episode_metrics.hpp"

namespace specsim::analysis {

EpisodeMetrics measure_episode(const sim::EpisodeRun& run, const models::Agents& agents,
                               models::Billing billing) {
  EpisodeMetrics m;
  m.episode = run.episode;
  m.steps = run.steps;
  m.rounds = static_cast<std::int32_t>(run.rounds.size());
  m.terminated = run.terminated;
  m.latency_s = run.latency.seconds();
  m.concurrency_mean = run.concurrency_mean;
  m.concurrency_peak = run.concurrency_peak;
  for (const sim::CallRecord& call : run.calls) {
    const bool target = call.agent == sim::Agent::target;
    (target ? m.calls_target : m.calls_approx) += 1;
    if (call.status == sim::CallStatus::cancelled || call.status == sim::CallStatus::cancelled_queued)
      ++m.calls_cancelled;
    const sim::CallTokens billed = models::billed_tokens(call, billing);
    (target ? m.input_tokens_target : m.input_tokens_approx) += billed.input;
    (target ? m.output_tokens_target : m.output_tokens_approx) += billed.output;
    const double cost = agents[static_cast<std::size_t>(sim::index(call.agent))].cost(billed);
    m.cost_usd += cost;
    if (call.role == sim::CallRole::wasted) m.unnecessary_cost_usd += cost;
    if (call.role == sim::CallRole::speculation) m.speculation_cost_usd += cost;
  }
  double k_sum = 0;
  for (const sim::RoundRecord& r : run.rounds) {
    k_sum += r.k;
    m.k_cut_rounds += r.k < r.chosen_k;
  }
  m.mean_k = run.rounds.empty() ? 0.0 : k_sum / static_cast<double>(run.rounds.size());
  return m;
}

}  // namespace specsim::analysis

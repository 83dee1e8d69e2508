#include "analysis/sinks/summary_sink.hpp"

namespace specsim::analysis {

void SummarySink::on_run_start(const sim::RunInfo& run) {
  run_ = run;
  acc_.clear();
  for (const auto& lane : run.lanes)
    if (!lane.hidden) acc_.emplace_back(lane.kind, lane.label, objective_.value_of_time_usd_per_s);
  current_.assign(run.lanes.size(), EpisodeMetrics{});
  learning_.assign(run.lanes.size(), std::nullopt);
  k_counts_.assign(run.lanes.size(), {});
  rows_.clear();
  steps_ = 0;
}

void SummarySink::on_episode(std::size_t lane, const sim::EpisodeRun& episode) {
  current_[lane] = measure_episode(episode, agents_, billing_);
  steps_ += episode.steps;
  auto& counts = k_counts_[lane];
  for (const auto& [k_of_rounds, rounds] : episode.k_counts) {
    const auto k = static_cast<std::size_t>(k_of_rounds);
    if (counts.size() <= k) counts.resize(k + 1, 0);
    counts[k] += rounds;
  }
  if (episode.learning_total) learning_[lane] = episode.learning_total;
  // The runner delivers an episode lane by lane: with the last lane, every pair is complete.
  if (lane + 1 < run_.lanes.size()) return;
  for (std::size_t l = 0, reported = 0; l < run_.lanes.size(); ++l)
    if (!run_.lanes[l].hidden) acc_[reported++].add(current_[l], current_[run_.baseline]);
}

void SummarySink::on_run_end() {
  rows_.clear();
  for (std::size_t l = 0, reported = 0; l < run_.lanes.size(); ++l) {
    if (run_.lanes[l].hidden) continue;
    PolicyAccumulator& a = acc_[reported++];
    a.add_k_counts(k_counts_[l]);
    if (learning_[l]) a.add_learning(*learning_[l]);
    rows_.push_back(a.row());
  }
}

}  // namespace specsim::analysis

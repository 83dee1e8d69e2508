#include "analysis/sinks/h5_sink.hpp"

namespace specsim::analysis {

namespace {

constexpr std::size_t kHidden = static_cast<std::size_t>(-1);
constexpr std::size_t kBlock = 256;  // episode rows per append

// One episode of a learning policy, from the change of its cumulative counters.
LearningRow learning_row(const sim::EpisodeRun& e, double mean_k) {
  const sim::LearningStats& d = *e.learning_delta;
  LearningRow row{};
  row.episode = e.episode;
  row.predictions = static_cast<std::int32_t>(d.predictions);
  row.evaluated = static_cast<std::int32_t>(d.evaluated);
  row.accuracy = d.evaluated > 0 ? static_cast<double>(d.hits) / static_cast<double>(d.evaluated) : 0.0;
  row.mae = d.evaluated > 0 ? d.abs_error / static_cast<double>(d.evaluated) : 0.0;
  row.mean_k = mean_k;
  row.training_jobs = static_cast<std::int32_t>(e.learning_total->jobs_completed);
  row.staleness = d.predictions > 0 ? d.staleness / static_cast<double>(d.predictions) : 0.0;
  return row;
}

}  // namespace

H5Sink::H5Sink(std::string path, std::map<std::string, std::string> attributes, const SummarySink& summary,
               const models::Agents& agents, models::Billing billing, std::int64_t record_episodes,
               sim::CommitGroup* group)
    : path_(std::move(path)), attributes_(std::move(attributes)), summary_(summary), agents_(agents),
      billing_(billing), record_episodes_(record_episodes), group_(group) {}

void H5Sink::on_run_start(const sim::RunInfo& run) {
  std::vector<PolicyInfo> policies;
  policy_of_lane_.clear();
  for (const auto& lane : run.lanes) {
    policy_of_lane_.push_back(lane.hidden ? kHidden : policies.size());
    if (!lane.hidden) policies.push_back({lane.label, lane.kind, lane.config});
  }
  buffers_.assign(policies.size(), Buffer{});
  file_ = std::make_unique<ResultFile>(path_, attributes_, run.seed, policies, group_);
}

void H5Sink::on_episode(std::size_t lane, const sim::EpisodeRun& episode) {
  const std::size_t policy = policy_of_lane_[lane];
  if (policy == kHidden) return;
  Buffer& b = buffers_[policy];
  b.episodes.push_back(measure_episode(episode, agents_, billing_));
  if (episode.learning_delta) b.learning.push_back(learning_row(episode, b.episodes.back().mean_k));
  if (episode.episode < record_episodes_) {
    auto calls = call_rows(episode, agents_, billing_);
    b.calls.insert(b.calls.end(), calls.begin(), calls.end());
    auto rounds = round_rows(episode);
    b.rounds.insert(b.rounds.end(), rounds.begin(), rounds.end());
  }
  if (b.episodes.size() >= kBlock) flush(policy);
}

void H5Sink::flush(std::size_t policy) {
  Buffer& b = buffers_[policy];
  file_->add_episodes(policy, b.episodes);
  file_->add_calls(policy, b.calls);
  file_->add_rounds(policy, b.rounds);
  if (!b.learning.empty()) file_->add_learning(policy, b.learning);
  b = Buffer{};
}

void H5Sink::on_run_end() {
  for (std::size_t p = 0; p < buffers_.size(); ++p) flush(p);
  file_->write_summary(summary_.rows());
  file_->commit();
}

}  // namespace specsim::analysis

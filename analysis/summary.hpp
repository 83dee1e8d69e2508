#pragma once
// Per-policy aggregation of episode metrics, paired with the sequential baseline on the same
// episodes for speedup and cost ratio.
#include <string>
#include <vector>

#include "analysis/episode_metrics.hpp"
#include "analysis/stats.hpp"
#include "sim/depth_policy.hpp"

#include <optional>

namespace specsim::analysis {

// The figures of a summary row: plain data, stored as-is in the HDF5 summary table.
struct SummaryFigures {
  std::int64_t episodes = 0;
  double steps = 0;  // per episode
  double latency_mean_s = 0, latency_ci95_s = 0;
  double latency_p50_s = 0, latency_p50_lo_s = 0, latency_p50_hi_s = 0;
  double latency_p95_s = 0, latency_p95_lo_s = 0, latency_p95_hi_s = 0;
  double speedup = 0, speedup_ci95 = 0;        // baseline latency / policy latency (paired)
  double cost_usd = 0, cost_ci95_usd = 0;      // per episode
  double cost_ratio = 0, cost_ratio_ci95 = 0;  // policy cost / baseline cost (paired)
  double unnecessary_cost_usd = 0, speculation_cost_usd = 0;
  double calls_target = 0, calls_approx = 0, calls_cancelled = 0;  // per episode
  double concurrency_mean = 0;
  std::int32_t concurrency_peak = 0;
  double mean_k = 0;
  // Appended after the figures above, which keep their place in stored tables.
  double latency_p99_s = 0, latency_p99_lo_s = 0, latency_p99_hi_s = 0;
  double unnecessary_cost_ci95_usd = 0, speculation_cost_ci95_usd = 0, mean_k_ci95 = 0;
  // Against the baseline on the same episodes: the mean seconds saved and dollars added.
  double seconds_saved_s = 0, seconds_saved_ci95_s = 0;
  double extra_cost_usd = 0, extra_cost_ci95_usd = 0;
  // Dollars added per second saved (paired ratio); NaN unless the policy saves time.
  double usd_per_s_saved = 0, usd_per_s_saved_ci95 = 0;
  // value_of_time * seconds saved - dollars added, per episode; NaN without a value of time.
  double net_value_usd = 0, net_value_ci95_usd = 0;
  double k_cut_share = 0;  // of the rounds, those whose chosen k was cut to the steps left
};

struct LearnerSummary {
  double accuracy = 0;        // DSP's: predictions equal to the ideal k or one more
  double mae = 0;             // mean |V - ideal k|
  std::int64_t predictions = 0, training_jobs = 0;
  std::int64_t diverged_jobs = 0;  // of the training jobs, those discarded for weights not finite
  double staleness_mean = 0;  // breaking points not yet learned by the weights in use
};

struct SummaryRow : SummaryFigures {
  std::string name, label;
  std::vector<std::int64_t> k_histogram;  // rounds by chosen k (index = k)
  std::optional<LearnerSummary> learner;  // for learning policies
};

LearnerSummary summarize_learning(const sim::LearningStats& stats);

class PolicyAccumulator {
 public:
  // Net value needs the value of a second (the scenario's objective); without one it is NaN.
  PolicyAccumulator(std::string name, std::string label, std::optional<double> value_of_time_usd_per_s)
      : name_(std::move(name)), label_(std::move(label)), value_of_time_(value_of_time_usd_per_s) {}
  // `baseline` is the sequential run of the same episode.
  void add(const EpisodeMetrics& m, const EpisodeMetrics& baseline);
  void add_k_counts(const std::vector<std::int64_t>& counts);
  void add_learning(const sim::LearningStats& delta);
  SummaryRow row() const;

 private:
  std::string name_, label_;
  std::optional<double> value_of_time_;
  RunningStats latency_, cost_, unnecessary_, speculation_, steps_, calls_t_, calls_a_, cancelled_, conc_, k_;
  RunningStats saved_, extra_, net_value_;
  std::int64_t rounds_ = 0, k_cut_rounds_ = 0;
  QuantileSketch latency_q_;
  PairedRatio speedup_, cost_ratio_, usd_per_s_;
  std::int32_t peak_ = 0;
  std::vector<std::int64_t> k_counts_;
  std::optional<sim::LearningStats> learning_;
};

}  // namespace specsim::analysis

#include "analysis/summary.hpp"

#include <algorithm>
#include <limits>

namespace specsim::analysis {

void PolicyAccumulator::add(const EpisodeMetrics& m, const EpisodeMetrics& baseline) {
  latency_.add(m.latency_s);
  latency_q_.add(m.latency_s);
  cost_.add(m.cost_usd);
  unnecessary_.add(m.unnecessary_cost_usd);
  speculation_.add(m.speculation_cost_usd);
  steps_.add(m.steps);
  calls_t_.add(m.calls_target);
  calls_a_.add(m.calls_approx);
  cancelled_.add(m.calls_cancelled);
  conc_.add(m.concurrency_mean);
  k_.add(m.mean_k);
  rounds_ += m.rounds;
  k_cut_rounds_ += m.k_cut_rounds;
  peak_ = std::max(peak_, m.concurrency_peak);
  speedup_.add(baseline.latency_s, m.latency_s);
  cost_ratio_.add(m.cost_usd, baseline.cost_usd);
  const double saved = baseline.latency_s - m.latency_s, extra = m.cost_usd - baseline.cost_usd;
  saved_.add(saved);
  extra_.add(extra);
  usd_per_s_.add(extra, saved);
  if (value_of_time_) net_value_.add(*value_of_time_ * saved - extra);
}

void PolicyAccumulator::add_k_counts(const std::vector<std::int64_t>& counts) {
  if (k_counts_.size() < counts.size()) k_counts_.resize(counts.size(), 0);
  for (std::size_t k = 0; k < counts.size(); ++k) k_counts_[k] += counts[k];
}

void PolicyAccumulator::add_learning(const sim::LearningStats& d) {
  if (!learning_) learning_.emplace();
  *learning_ += d;
}

LearnerSummary summarize_learning(const sim::LearningStats& s) {
  LearnerSummary l;
  l.predictions = s.predictions;
  l.training_jobs = s.jobs_completed;
  l.diverged_jobs = s.jobs_diverged;
  l.accuracy = s.evaluated > 0 ? static_cast<double>(s.hits) / static_cast<double>(s.evaluated) : 0.0;
  l.mae = s.evaluated > 0 ? s.abs_error / static_cast<double>(s.evaluated) : 0.0;
  l.staleness_mean = s.predictions > 0 ? s.staleness / static_cast<double>(s.predictions) : 0.0;
  return l;
}

// An estimate and its 95% half-width, for a mean (RunningStats) or a paired ratio (PairedRatio).
namespace {
std::pair<double, double> mean_ci95(const RunningStats& s) { return {s.mean(), s.ci95()}; }
std::pair<double, double> ratio_ci95(const PairedRatio& s) { return {s.ratio(), s.ci95()}; }
}  // namespace

SummaryRow PolicyAccumulator::row() const {
  SummaryRow r;
  r.k_histogram = k_counts_;
  if (learning_) r.learner = summarize_learning(*learning_);
  r.name = name_;
  r.label = label_;
  r.episodes = latency_.count();
  r.steps = steps_.mean();
  std::tie(r.latency_mean_s, r.latency_ci95_s) = mean_ci95(latency_);
  r.latency_p50_s = latency_q_.quantile(0.5);
  r.latency_p95_s = latency_q_.quantile(0.95);
  r.latency_p99_s = latency_q_.quantile(0.99);
  std::tie(r.latency_p50_lo_s, r.latency_p50_hi_s) = latency_q_.quantile_ci95(0.5);
  std::tie(r.latency_p95_lo_s, r.latency_p95_hi_s) = latency_q_.quantile_ci95(0.95);
  std::tie(r.latency_p99_lo_s, r.latency_p99_hi_s) = latency_q_.quantile_ci95(0.99);
  std::tie(r.speedup, r.speedup_ci95) = ratio_ci95(speedup_);
  std::tie(r.cost_usd, r.cost_ci95_usd) = mean_ci95(cost_);
  std::tie(r.cost_ratio, r.cost_ratio_ci95) = ratio_ci95(cost_ratio_);
  std::tie(r.unnecessary_cost_usd, r.unnecessary_cost_ci95_usd) = mean_ci95(unnecessary_);
  std::tie(r.speculation_cost_usd, r.speculation_cost_ci95_usd) = mean_ci95(speculation_);
  r.calls_target = calls_t_.mean();
  r.calls_approx = calls_a_.mean();
  r.calls_cancelled = cancelled_.mean();
  r.concurrency_mean = conc_.mean();
  r.concurrency_peak = peak_;
  std::tie(r.mean_k, r.mean_k_ci95) = mean_ci95(k_);
  std::tie(r.seconds_saved_s, r.seconds_saved_ci95_s) = mean_ci95(saved_);
  std::tie(r.extra_cost_usd, r.extra_cost_ci95_usd) = mean_ci95(extra_);
  constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();
  // Only a policy that saves time has a price per second saved (the baseline saves none).
  const bool saves_time = r.seconds_saved_s > 0;
  r.usd_per_s_saved = saves_time ? usd_per_s_.ratio() : kUndefined;
  r.usd_per_s_saved_ci95 = saves_time ? usd_per_s_.ci95() : kUndefined;
  r.net_value_usd = value_of_time_ ? net_value_.mean() : kUndefined;
  r.net_value_ci95_usd = value_of_time_ ? net_value_.ci95() : kUndefined;
  r.k_cut_share = rounds_ > 0 ? static_cast<double>(k_cut_rounds_) / static_cast<double>(rounds_) : 0.0;
  return r;
}

}  // namespace specsim::analysis

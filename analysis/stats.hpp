#pragma once
// Streaming statistics with bounded memory: results stream to disk, summaries must not grow
// with the number of episodes.
#include <cmath>
#include <cstdint>
#include <vector>

namespace specsim::analysis {

// Mean and variance by Welford's update: one pass, numerically stable, order-deterministic.
class RunningStats {
 public:
  void add(double x) {
    ++n_;
    const double d = x - mean_;
    mean_ += d / static_cast<double>(n_);
    m2_ += d * (x - mean_);
    sum_ += x;
  }
  std::int64_t count() const { return n_; }
  double mean() const { return mean_; }
  double sum() const { return sum_; }
  double variance() const { return n_ > 1 ? m2_ / static_cast<double>(n_ - 1) : 0.0; }
  // Half-width of the normal-approximation 95% confidence interval of the mean.
  double ci95() const { return n_ > 1 ? 1.959964 * std::sqrt(variance() / static_cast<double>(n_)) : 0.0; }

 private:
  std::int64_t n_ = 0;
  double mean_ = 0, m2_ = 0, sum_ = 0;
};

// Quantiles of positive values from a log-bucketed histogram (relative bucket width 2^-8, about
// 0.4%): fixed memory, deterministic, and a confidence interval from the binomial distribution
// of the order statistics.
class QuantileSketch {
 public:
  QuantileSketch();
  void add(double x);
  std::int64_t count() const { return n_; }
  double quantile(double q) const;
  // 95% CI of the q-quantile: the order statistics at ranks n q -/+ 1.96 sqrt(n q (1 - q)).
  std::pair<double, double> quantile_ci95(double q) const;

 private:
  static constexpr int kSub = 256, kMinExp = -40, kMaxExp = 40;
  double value_at_rank(std::int64_t rank) const;  // rank in [1, n]
  // Per power of two, its kSub buckets, allocated when first used: values span a few binades,
  // so a sketch stays a few kilobytes.
  std::vector<std::vector<std::int64_t>> binades_;
  std::int64_t zeros_ = 0, n_ = 0;
  double min_ = 0, max_ = 0;  // exact extremes: a bucket's midpoint never lies outside them
};

// Paired ratio of means over the same episodes, e.g. speedup = mean(baseline latency) /
// mean(policy latency), with a delta-method confidence interval that uses the pairing.
class PairedRatio {
 public:
  void add(double numerator, double denominator) {
    ++n_;
    sx_ += numerator; sy_ += denominator;
    sxx_ += numerator * numerator; syy_ += denominator * denominator; sxy_ += numerator * denominator;
  }
  double ratio() const { return sy_ != 0 ? sx_ / sy_ : 0.0; }
  double ci95() const;

 private:
  std::int64_t n_ = 0;
  double sx_ = 0, sy_ = 0, sxx_ = 0, syy_ = 0, sxy_ = 0;
};

}  // namespace specsim::analysis

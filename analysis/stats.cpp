#include "analysis/stats.hpp"

#include <algorithm>

namespace specsim::analysis {

QuantileSketch::QuantileSketch() : binades_(static_cast<std::size_t>(kMaxExp - kMinExp)) {}

void QuantileSketch::add(double x) {
  min_ = n_ == 0 ? x : std::min(min_, x);
  max_ = n_ == 0 ? x : std::max(max_, x);
  ++n_;
  if (!(x > 0)) {
    ++zeros_;
    return;
  }
  int exp = 0;
  const double mant = std::frexp(x, &exp);  // x = mant * 2^exp, mant in [0.5, 1)
  exp = std::clamp(exp, kMinExp, kMaxExp - 1);
  const int sub = std::clamp(static_cast<int>((mant - 0.5) * 2 * kSub), 0, kSub - 1);
  auto& binade = binades_[static_cast<std::size_t>(exp - kMinExp)];
  if (binade.empty()) binade.assign(kSub, 0);
  ++binade[static_cast<std::size_t>(sub)];
}

double QuantileSketch::value_at_rank(std::int64_t rank) const {
  if (rank <= zeros_) return 0.0;
  std::int64_t seen = zeros_;
  for (std::size_t b = 0; b < binades_.size(); ++b) {
    for (std::size_t i = 0; i < binades_[b].size(); ++i) {
      seen += binades_[b][i];
      if (seen >= rank) {
        const int exp = static_cast<int>(b) + kMinExp;
        // The bucket's midpoint, within the observed range.
        return std::clamp(std::ldexp(0.5 + (static_cast<double>(i) + 0.5) / (2.0 * kSub), exp), min_, max_);
      }
    }
  }
  return 0.0;
}

double QuantileSketch::quantile(double q) const {
  if (n_ == 0) return 0.0;
  const auto rank = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(q * static_cast<double>(n_))), 1, n_);
  return value_at_rank(rank);
}

std::pair<double, double> QuantileSketch::quantile_ci95(double q) const {
  if (n_ == 0) return {0.0, 0.0};
  const double n = static_cast<double>(n_);
  const double half = 1.959964 * std::sqrt(n * q * (1 - q));
  const auto lo = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(n * q - half)), 1, n_);
  const auto hi = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(n * q + half)), 1, n_);
  return {value_at_rank(lo), value_at_rank(hi)};
}

double PairedRatio::ci95() const {
  if (n_ < 2 || sy_ == 0) return 0.0;
  const double n = static_cast<double>(n_);
  const double mx = sx_ / n, my = sy_ / n;
  const double vx = (sxx_ - n * mx * mx) / (n - 1);
  const double vy = (syy_ - n * my * my) / (n - 1);
  const double cxy = (sxy_ - n * mx * my) / (n - 1);
  const double r = mx / my;
  // Var(mean x / mean y) ~ (vx - 2 r cxy + r^2 vy) / (n my^2).
  const double var = std::max(0.0, (vx - 2 * r * cxy + r * r * vy) / (n * my * my));
  return 1.959964 * std::sqrt(var);
}

}  // namespace specsim::analysis

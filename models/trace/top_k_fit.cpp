#include "models/trace/top_k_fit.hpp"

#include <algorithm>
#include <cmath>

namespace specsim::models::trace {

TopKRates top_k_rates(std::span<const Task* const> tasks, const MatchRule& rule) {
  TopKRates r;
  for (const Task* task : tasks)
    for (const Step& step : task->steps) {
      if (!step.approx) continue;
      ++r.guessed;
      const int rank = candidate_rank(step, rule);
      r.top1 += rank == 0;
      r.topk += rank >= 0;
      r.candidates = std::max(r.candidates, 1 + static_cast<int>(step.approx->alternatives.size()));
    }
  return r;
}

std::vector<double> hit_curve(std::span<const Task* const> tasks, const MatchRule& rule, int candidates) {
  std::vector<double> hits(static_cast<std::size_t>(std::max(1, candidates)), 0.0);
  double guessed = 0;
  for (const Task* task : tasks)
    for (const Step& step : task->steps) {
      if (!step.approx) continue;
      ++guessed;
      const int rank = candidate_rank(step, rule);
      for (int k = std::max(rank, 0); rank >= 0 && k < static_cast<int>(hits.size()); ++k) hits[static_cast<std::size_t>(k)] += 1;
    }
  if (guessed > 0)
    for (double& h : hits) h /= guessed;
  return hits;
}

double TopKCurveFit::p(int k) const { return 1 - (1 - p1) * std::pow(1 - catch_rate, k - 1); }

TopKCurveFit fit_top_k_curve(const TopKRates& rates) {
  TopKCurveFit fit;
  fit.p1 = rates.p1();
  if (rates.candidates > 1 && fit.p1 < 1) {
    const double missed = (1 - rates.pk()) / (1 - fit.p1);  // (1 - q)^(K - 1)
    fit.catch_rate = std::clamp(1 - std::pow(missed, 1.0 / (rates.candidates - 1)), 0.0, 1.0);
  }
  return fit;
}

}  // namespace specsim::models::trace

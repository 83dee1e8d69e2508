#pragma once
// Top-K hit rates of a trace's guesses, and the synthetic world's curve fitted to them
// (models/workload.hpp TopKCurve: p(K) = 1 - (1 - p1)(1 - q)^(K - 1)).
#include <cstdint>
#include <span>
#include <vector>

#include "models/trace/match_rule.hpp"
#include "models/trace/trace.hpp"

namespace specsim::models::trace {

struct TopKRates {
  std::int64_t guessed = 0;  // steps with a guess
  std::int64_t top1 = 0;     // ... whose top candidate matched
  std::int64_t topk = 0;     // ... where one of the candidates did
  int candidates = 1;        // the most candidates any guess had
  double p1() const { return guessed > 0 ? double(top1) / double(guessed) : 0.0; }
  double pk() const { return guessed > 0 ? double(topk) / double(guessed) : 0.0; }
};

TopKRates top_k_rates(std::span<const Task* const> tasks, const MatchRule& rule);

// Per k = 1..candidates, the fraction of guessed steps whose target action is among A's first k
// candidates (all 0 without a guessed step).
std::vector<double> hit_curve(std::span<const Task* const> tasks, const MatchRule& rule, int candidates);

struct TopKCurveFit {
  double p1 = 0, catch_rate = 0;
  double p(int k) const;  // p(K) of the curve
};

// p1 from the top-1 rate; q so that the curve meets the top-K rate at K = rates.candidates.
TopKCurveFit fit_top_k_curve(const TopKRates& rates);

}  // namespace specsim::models::trace

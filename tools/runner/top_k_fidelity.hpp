#pragma once
// Held-out fidelity of the synthetic top-K curve on a trace with recorded candidates (Speculative
// Actions' runs, docs/traces.md §12). Runs are grouped by their folder (one target, one
// speculator, one K); within a group, the curve is fitted on every other run and predicts the
// other runs' top-1 and top-K hit rates, and the one-step-ahead saving those imply, then the
// halves swap (two folds).
#include <string>
#include <vector>

#include "models/trace/match_rule.hpp"
#include "models/trace/top_k_fit.hpp"
#include "models/trace/trace.hpp"

namespace specsim::runner {

struct TopKFold {
  std::string group;
  int fold = 0, runs = 0, candidates = 1;
  models::trace::TopKRates held_out;
  models::trace::TopKCurveFit fit;  // on the group's other runs
};

struct TopKFidelity {
  std::vector<TopKFold> folds;  // folds whose fitting and held-out halves both have guesses
  double top1_mae = 0, topk_mae = 0, saving_mae = 0;
};

// The one-step-ahead saving at hit probability p with a/t -> 0 (docs/DESIGN.md): p / (1 + p).
double saving_bound(double p);

TopKFidelity top_k_fidelity(const models::trace::Trace& trace, const models::trace::MatchRule& rule);
std::string format_top_k_fidelity(const TopKFidelity& f);

}  // namespace specsim::runner

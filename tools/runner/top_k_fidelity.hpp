#pragma once
// Held-out fidelity on a trace with recorded top-K candidates (Speculative Actions' runs,
// docs/traces.md §12): leave one task out (a chess game, a HotpotQA question). Each task is
// predicted from the other tasks of its group (its id up to the last '/': one target, one
// speculator, one K; all tasks when ids have no '/'):
//   p(k)       the top-K curve (models/workload.hpp TopKCurve) fitted to the others, against the
//              task's own hit rates within the top k; naive: the others' top-1 rate for every k
//   policies   (with a scenario) each policy's mean latency and cost on the task, predicted with
//              verdicts and ranks drawn from that curve and latencies from models fitted to the
//              others (latency: recorded traces; `latency: agents` keeps the scenario's agents),
//              against the replay with the task's recorded values; naive: the target alone on the
//              held-out world (its cost), its time cut by the closed form's one-step-ahead saving
//              p_K / (1 + p_K) times min(1, mean k - 1) (a round of k = 1 looks no step ahead)
#include <string>
#include <vector>

#include "models/trace/match_rule.hpp"
#include "models/trace/trace.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::runner {

// The one-step-ahead saving at hit probability p with a/t -> 0 (docs/DESIGN.md): p / (1 + p).
double saving_bound(double p);

struct TopKTask {
  std::string task_id, group;
  int guessed = 0;                               // the task's steps with a guess
  int trained_on = 0;                            // tasks the prediction learnt from
  double catch_rate = 0;                         // of the curve fitted to them
  std::vector<double> measured, predicted, naive;  // p(k), k = 1..candidates
};

// Prediction against reference, over tasks: (sum predicted / sum reference) - 1 and the mean
// absolute percentage error (tasks with a zero reference left out).
struct ErrorFigures {
  double mean_error = 0, mape = 0;
  int tasks = 0;
};
ErrorFigures error_figures(const std::vector<double>& predicted, const std::vector<double>& reference);

struct PolicyOnTask {
  double replay_s = 0, held_out_s = 0, naive_s = 0;
  double replay_usd = 0, held_out_usd = 0, naive_usd = 0;
};

struct TopKPolicy {
  std::string label;
  std::vector<PolicyOnTask> tasks;  // aligned with TopKFidelity::tasks
  ErrorFigures latency, latency_naive, cost, cost_naive;
};

struct TopKFidelity {
  int candidates = 1;
  std::vector<TopKTask> tasks;  // tasks with a guess and something to learn from, in file order
  // Over tasks, per k: mean of (predicted - measured), and mean |predicted - measured| (hit rates
  // may be 0, so no percentage).
  std::vector<double> mean_error, mae, naive_mean_error, naive_mae;
  std::vector<TopKPolicy> policies;  // empty without a scenario
};

TopKFidelity top_k_fidelity(const models::trace::Trace& trace, const models::trace::MatchRule& rule);

// The scenario's policies on every task of `fidelity`: replayed, predicted held out, and the naive
// estimate, with `draws` episodes each. The scenario's workload must be a trace workload (its match
// rule, latency source and off-path settings are kept; its file is not read again).
void add_policy_fidelity(TopKFidelity& fidelity, const models::trace::Trace& trace, Scenario& scenario, int draws);

std::string format_top_k_fidelity(const TopKFidelity& f);

}  // namespace specsim::runner

#pragma once
// A policy with one knob, the value of a second in dollars: at each round start it speculates
// one step deeper while the seconds that step is expected to save, at that value, pay for the
// dollars it is expected to add (per committed step, policies/speculation_value.hpp).
//
// It never sees the world: it learns what it needs from the rounds it ran. The match probability
// at a round start comes from an online logistic learner on the state DSP's predictor sees (the
// world's features, the step, recent history), taught by every guess verified so far; the step
// latencies of A and T and their prices per step come from the planner's per-agent
// tallies (RoundOutcome::agents). Until it has seen A finish a step it knows no price of
// speculation and explores at k_max. A value of 0 never speculates: the target alone, exactly.
#include <optional>

#include "policies/learner/match_estimator.hpp"
#include "policies/registry.hpp"
#include "policies/speculation_value.hpp"

namespace specsim::policies {

struct CostAwareConfig {
  std::optional<double> usd_per_s;  // absent: the scenario objective's value_of_time_usd_per_s
  int k_max = 8;
  double learning_rate = 0.05;  // of the match learner
};

class CostAware final : public Policy {
 public:
  CostAware(CostAwareConfig config, const PolicyEnv& env);
  Decision choose_k(const RoundContext& context) override;
  void on_round_end(const RoundOutcome& outcome) override;

  // What the policy believes at this round start (its model's inputs).
  StepEconomics economics(const RoundContext& context) const;

 private:
  struct Seen {  // one agent's rounds, added up
    double steps = 0, finished_steps = 0, finished_s = 0, usd = 0, wasted_steps = 0, wasted_usd = 0;
  };
  CostAwareConfig config_;
  double usd_per_s_;
  learner::MatchEstimator matches_;
  RoundContext round_context_;  // the open round's start, to observe its guessed steps
  Seen approx_, target_;
};

PolicySpec decode_cost_aware(const sim::ConfigNode& node);

}  // namespace specsim::policies

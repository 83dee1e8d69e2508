#pragma once
// Confidence gating for any policy (`gate: {min_confidence: 0.6}` in a policy's entry): the
// wrapped policy still chooses each round's k, and a guess of A whose confidence is below the
// threshold launches no deeper guess in that round (the planner applies it, Decision::min_confidence).
#include <memory>

#include "policies/registry.hpp"

namespace specsim::policies {

class ConfidenceGate final : public Policy {
 public:
  ConfidenceGate(std::unique_ptr<Policy> inner, double min_confidence)
      : inner_(std::move(inner)), min_confidence_(min_confidence) {}
  void attach(sim::Clock& clock) override { inner_->attach(clock); }
  Decision choose_k(const RoundContext& context) override {
    Decision d = inner_->choose_k(context);
    d.min_confidence = min_confidence_;
    return d;
  }
  void on_round_end(const RoundOutcome& outcome) override { inner_->on_round_end(outcome); }
  void on_episode_end(std::int64_t episode) override { inner_->on_episode_end(episode); }
  const LearningStats* learning() const override { return inner_->learning(); }

 private:
  std::unique_ptr<Policy> inner_;
  double min_confidence_;
};

// Wraps `inner` (decoded from its entry without the `gate` key) in the gate `gate` describes.
// Its label gains "+gate(min_confidence=X)" unless `labelled` (the entry named it).
PolicySpec gate_policy(PolicySpec inner, const sim::ConfigNode& gate, bool labelled);

}  // namespace specsim::policies

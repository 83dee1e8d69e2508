#pragma once
// Replays the choices of a recorded run: at a round start where the recording started a round,
// the k it used (and its predictor's latency); elsewhere (the replay diverged from the recording)
// a fallback k. For fidelity checks against measured runs.
#include "policies/registry.hpp"

namespace specsim::policies {

class RecordedK final : public Policy {
 public:
  RecordedK(int fallback_k, bool predictor_latency) : fallback_k_(fallback_k), predictor_latency_(predictor_latency) {}
  Decision choose_k(const RoundContext& context) override;
  std::int64_t divergences() const { return divergences_; }

 private:
  int fallback_k_;
  bool predictor_latency_;
  std::int64_t divergences_ = 0;
};

PolicySpec decode_recorded_k(const sim::ConfigNode& node);

}  // namespace specsim::policies

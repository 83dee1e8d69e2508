#pragma once
// k drawn at every round from an empirical distribution (the choices recorded on other tasks),
// with a predictor latency drawn the same way: what a model of a run's k knows without the run.
// For held-out fidelity (`specsim trace fidelity`). Draws come from the stream (seed, "drawn_k",
// episode), so they depend only on the seed and the episode.
#include <optional>
#include <vector>

#include "policies/policy.hpp"
#include "sim/random.hpp"

namespace specsim::policies {

class DrawnK final : public Policy {
 public:
  DrawnK(std::vector<int> ks, std::vector<sim::Time> delays, std::uint64_t seed)
      : ks_(std::move(ks)), delays_(std::move(delays)), seed_(seed) {}
  Decision choose_k(const RoundContext& context) override;

 private:
  std::vector<int> ks_;
  std::vector<sim::Time> delays_;
  std::uint64_t seed_;
  std::int64_t episode_ = -1;
  std::optional<sim::RandomStream> rng_;
};

}  // namespace specsim::policies

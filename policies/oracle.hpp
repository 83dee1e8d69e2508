#pragma once
// The oracle knows how many of the next guesses will match and speculates exactly one step
// further (the step whose guess fails, or the plan's end): no wasted guess, no missed match.
// Not a real policy, a bound for plots. Needs a world that can look ahead (simulation only).
#include "policies/registry.hpp"

namespace specsim::policies {

class Oracle final : public Policy {
 public:
  explicit Oracle(int k_max) : k_max_(k_max) {}
  Decision choose_k(const RoundContext& context) override;

 private:
  int k_max_;
};

PolicySpec decode_oracle(const sim::ConfigNode& node);

}  // namespace specsim::policies

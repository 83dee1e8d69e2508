#include "policies/oracle.hpp"

#include <algorithm>
#include <stdexcept>

namespace specsim::policies {

Decision Oracle::choose_k(const RoundContext& context) {
  const std::optional<int> matches =
      context.look_ahead ? context.look_ahead->leading_matches(context.step, k_max_) : std::nullopt;
  if (!matches) throw std::runtime_error("the oracle policy needs a simulated world that can look ahead");
  return {std::min(*matches + 1, k_max_), sim::Time::zero()};
}

PolicySpec decode_oracle(const sim::ConfigNode& node) {
  node.expect_keys({"kind", "label", "k_max"});
  const int k_max = node.get_int("k_max", 1, 1000, 64);
  PolicySpec spec;
  spec.kind = "oracle";
  spec.looks_ahead = true;
  spec.label = node.get<std::string>("label", "oracle");
  spec.make = [k_max](const PolicyEnv&) { return std::make_unique<Oracle>(k_max); };
  return spec;
}

}  // namespace specsim::policies

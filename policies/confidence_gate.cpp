#include "policies/confidence_gate.hpp"

namespace specsim::policies {

PolicySpec gate_policy(PolicySpec inner, const sim::ConfigNode& gate, bool labelled) {
  gate.expect_keys({"min_confidence"});
  const double threshold = gate.get_probability("min_confidence");
  // The wrapped policy keeps its own label for its random streams (named after it): gated and
  // ungated, it draws the same numbers, so the two compare on common random numbers.
  const std::string own_label = inner.label;
  if (!labelled) inner.label += "+gate(min_confidence=" + gate.at("min_confidence").as<std::string>() + ")";
  inner.make = [make = std::move(inner.make), threshold, own_label](const PolicyEnv& env) -> std::unique_ptr<Policy> {
    PolicyEnv own = env;
    own.label = own_label;
    return std::make_unique<ConfidenceGate>(make(own), threshold);
  };
  return inner;
}

}  // namespace specsim::policies

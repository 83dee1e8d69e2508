#include "policies/basic_policies.hpp"

namespace specsim::policies {

PolicySpec decode_sequential(const sim::ConfigNode& node) {
  node.expect_keys({"kind", "label"});
  PolicySpec spec;
  spec.kind = "sequential";
  spec.label = node.get<std::string>("label", "sequential");
  spec.make = [](const PolicyEnv&) { return std::make_unique<Sequential>(); };
  return spec;
}

PolicySpec decode_fixed_k(const sim::ConfigNode& node) {
  node.expect_keys({"kind", "label", "k"});
  const int k = node.get_int("k", 1, 1000);
  PolicySpec spec;
  spec.kind = "fixed_k";
  spec.label = node.get<std::string>("label", "fixed_k(k=" + std::to_string(k) + ")");
  spec.make = [k](const PolicyEnv&) { return std::make_unique<FixedK>(k); };
  return spec;
}

}  // namespace specsim::policies

#include "sim/speculation_tree.hpp"

#include "sim/registry.hpp"

namespace specsim::sim {

SpeculationTree decode_speculation_tree(const ConfigNode& node) {
  node.expect_keys({"candidates", "branches", "budget", "pricing"});
  using P = Registry<GuessPricing>;
  static const P pricing{"guess pricing", {{"one_call", P::constant(GuessPricing::one_call)},
                                           {"per_candidate", P::constant(GuessPricing::per_candidate)}}};
  SpeculationTree t;
  // A branch per candidate is one more target call in flight per speculated position: 64 is far
  // beyond what any recorded top-K list holds.
  t.candidates = node.get_int("candidates", 1, 64);
  t.branches = node.has("branches") ? node.get_int("branches", 1, 64) : t.candidates;
  // A round's tree holds at most k * budget T steps: 1024 per position is far beyond any use.
  if (node.has("budget")) t.budget = node.get_int("budget", 1, 1024);
  if (auto v = node.find("pricing")) t.pricing = pricing.decode(*v);
  return t;
}

std::string describe(const SpeculationTree& t) {
  return "top_k=" + std::to_string(t.candidates) + " branches=" + std::to_string(t.branches) +
         (t.budget > 0 ? " budget=" + std::to_string(t.budget) : "") +
         " pricing=" + (t.pricing == GuessPricing::one_call ? "one_call" : "per_candidate");
}

}  // namespace specsim::sim

#pragma once
// Top-K guesses (Speculative Actions, arXiv 2510.04371): A proposes `candidates` alternatives per
// step and the planner speculates T's next step on up to `branches` of them, best first, so a
// round's speculation is a tree one level wide at every position. The branch under the top
// candidate carries the round on; the others are leaves (T's step only). When T's step is known
// the losing branches are cancelled; a winning leaf commits its step and ends the round. With
// the defaults (one candidate) the planner is DSP's chain.
#include <string>

#include "sim/config_node.hpp"

namespace specsim::sim {

enum class GuessPricing {
  one_call,       // one call returns all K candidates: its output tokens are paid K times
  per_candidate,  // K calls, one per candidate: input and output tokens are paid K times
};

struct SpeculationTree {
  int candidates = 1;  // K: alternatives A proposes per step
  int branches = 1;    // the branching budget: T's next step runs under at most this many of them
  GuessPricing pricing = GuessPricing::one_call;

  int width() const { return candidates < branches ? candidates : branches; }  // branches per position
};

// `{candidates: K, branches: B, pricing: one_call | per_candidate}`; branches defaults to K.
SpeculationTree decode_speculation_tree(const ConfigNode& node);
std::string describe(const SpeculationTree& t);  // "top_k=3 branches=3 pricing=one_call"

}  // namespace specsim::sim

#pragma once
// Top-K guesses (Speculative Actions, arXiv 2510.04371): A proposes `candidates` alternatives per
// step and the planner speculates T's next step on up to `branches` of them, best first, so a
// round's speculation is a tree. Its nodes at one position are numbered best first, by the ranks
// of the candidates on their path read as a number in base `branches` (the earlier guess the more
// significant digit), and the round runs only the first `budget` of them: with the default budget
// (the width) only the top candidates' chain goes deeper and the other branches are leaves (T's
// step only); a larger budget lets lower branches guess and branch too. When T's step is known
// every subtree that loses is cancelled and the winning branch carries the round on. With the
// defaults (one candidate) the planner is DSP's chain.
#include <string>

#include "sim/config_node.hpp"

namespace specsim::sim {

// How a guess's K candidates are paid for. The planner does not apply it (it bills the tokens a
// backend reports): the simulated world's draws do (models/agent_model.hpp), while a recorded or
// live call's tokens are what its endpoint billed, the whole list's.
enum class GuessPricing {
  one_call,       // one call returns all K candidates: K answers' output tokens
  per_candidate,  // K calls, one per candidate: K times the input and output tokens
};

struct SpeculationTree {
  int candidates = 1;  // K: alternatives A proposes per step
  int branches = 1;    // T's next step runs under at most this many of them
  int budget = 0;      // T steps per position of the round's tree, best first (0: the width)
  GuessPricing pricing = GuessPricing::one_call;

  int width() const { return candidates < branches ? candidates : branches; }  // branches per node
  int level_budget() const { return budget > 0 ? budget : width(); }
};

// `{candidates: K, branches: B, budget: N, pricing: one_call | per_candidate}`; branches defaults
// to K, budget to min(K, B).
SpeculationTree decode_speculation_tree(const ConfigNode& node);
std::string describe(const SpeculationTree& t);  // "top_k=3 branches=3 pricing=one_call"

}  // namespace specsim::sim

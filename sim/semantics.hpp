#pragma once
// The three points where speculative planners differ, each a named scenario option
// (`planner: {cancel: eager, terminate_guess: stops, retries: bill_each}`). The defaults are
// DSP's code (OpenAGI/openagi_dyn_k_parallel.py), the reference of shared/DESIGN.md §1; the
// alternatives are what specsim did before, kept so that old results stay reproducible.
#include <string>

#include "sim/config_node.hpp"
#include "sim/speculation_tree.hpp"

namespace specsim::sim {

enum class CancelRule {
  eager,     // T_j disagrees with g_j: cancel every call after position j at once (DSP)
  in_order,  // cancel only when verification reaches the mismatch
};

enum class TerminateGuess {
  stops,          // A guessing terminate stops the round's speculation, right or wrong (DSP)
  only_if_right,  // only a right terminate guess stops it (needs a world that knows T's answer)
};

enum class RetryBilling {
  bill_each,  // every attempt of a retried call pays its prompt, as the provider bills (DSP)
  fold,       // retries folded into one billed call
};

struct Semantics {
  CancelRule cancel = CancelRule::eager;
  TerminateGuess terminate_guess = TerminateGuess::stops;
  RetryBilling retries = RetryBilling::bill_each;
  SpeculationTree top_k{};  // (initialised: aggregates that omit it stay warning-free) top-K guesses (sim/speculation_tree.hpp); one candidate: DSP's chain
};

// `{cancel: eager | in_order, terminate_guess: stops | only_if_right, retries: bill_each | fold,
// top_k: {candidates, branches, pricing}}`, every key optional.
Semantics decode_semantics(const ConfigNode& node);
std::string describe(const Semantics& s);  // "cancel=eager terminate_guess=stops retries=bill_each" (+ top_k)

}  // namespace specsim::sim

#pragma once
// One agent (approximation or target): its model's prices and speed, how many calls make one of
// its steps (direct/CoT 1, ReAct 2, debate 5), and how many tokens each call reads and writes.
#include <string>
#include <vector>

#include "models/catalogue.hpp"
#include "models/episode_script.hpp"
#include "sim/config_node.hpp"
#include "sim/random.hpp"
#include "sim/speculation_tree.hpp"

namespace specsim::models {

struct TokenDistribution {  // lognormal with the given mean; sigma 0 gives the mean exactly
  double mean = 1;
  double sigma = 0;
};

struct AgentModel {
  std::string model;
  std::string style;
  int calls_per_step = 1;
  double input_base = 0;      // prompt tokens of a step's first call at step 0
  double input_per_step = 0;  // growth of the prompt with the history
  std::vector<TokenDistribution> output;     // per call of a step (one entry: the same for all)
  std::vector<TokenDistribution> reasoning;  // per call, hidden reasoning tokens (none: no entry)
  CacheShares cache;                         // shares of a prompt read from and written to the cache
  Price price;
  LatencyModel latency;
  // Top-K guesses (planner.top_k), for A's model: the step's last call answers `candidates`
  // alternatives, paid as `pricing` says. The tokens above are one candidate's, and draw()
  // returns what the whole guess costs, since only the world that draws the tokens knows
  // what they stand for: the planner bills what a backend reports. 1 for T, and for a model
  // fitted to recorded calls, whose tokens are already the whole call's.
  int candidates = 1;
  sim::GuessPricing pricing = sim::GuessPricing::one_call;

  // The prompt of call `call_index` of step `step`: the step's, and what the step's earlier
  // calls wrote (`prior_output`).
  int prompt_tokens(int step, int prior_output) const;
  // Draws one call. Later calls of a step also read what earlier calls of the step wrote.
  ScriptedCall draw(int step, int call_index, int prior_output, sim::RandomStream& rng) const;
  // Draws no random number: every call's tokens and latency follow from its step and inputs.
  bool constant() const {
    for (const auto* tokens : {&output, &reasoning})
      for (const auto& d : *tokens)
        if (d.sigma > 0) return false;
    return !latency.draws();  // jitter or exponential call times: a fresh time per call
  }
  // Dollars for the `billed` tokens of `call` (its prompt length picks the price tier).
  double cost(const sim::CallRecord& call, const sim::CallTokens& billed) const {
    return price.cost(billed, call.tokens.input, cache);
  }
};

AgentModel decode_agent(const sim::ConfigNode& node, const Catalogue& catalogue);
int calls_per_style(const sim::ConfigNode& style_node);

}  // namespace specsim::models

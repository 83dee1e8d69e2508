#pragma once
// What happens on the committed path of one episode, fixed before any policy acts on it: the
// plan's length, whether A's guess of each step matches T's, and the latency and tokens of every
// call on that path. Every policy replays the same script for episode i (common random numbers),
// so paired comparisons are exact; only calls off the path (after a wrong guess) differ.
#include <cstdint>
#include <vector>

#include "sim/call.hpp"
#include "sim/time.hpp"

namespace specsim::models {

struct ScriptedCall {
  sim::Time latency;
  sim::Time first_token;
  sim::CallTokens tokens;
};

struct EpisodeScript {
  int steps = 0;                     // the target's plan length
  bool ends_with_terminate = true;   // false when cut at max_steps: the last step is not T's stop
  std::vector<std::uint8_t> match;   // A's guess of step s equals T's action
  std::vector<std::int32_t> run;     // consecutive matches starting at step s
  std::vector<ScriptedCall> target;  // [step * calls_per_step + call]
  std::vector<ScriptedCall> approx;
  int feature_dim = 0;
  std::vector<double> features;      // [step * feature_dim + i]: what a learned policy observes

  void clear() {
    steps = 0;
    ends_with_terminate = true;
    match.clear();
    run.clear();
    target.clear();
    approx.clear();
    features.clear();
  }
  // Fills `run` from `match`.
  void index_runs() {
    run.assign(match.size() + 1, 0);
    for (std::size_t s = match.size(); s-- > 0;) run[s] = match[s] ? run[s + 1] + 1 : 0;
  }
};

}  // namespace specsim::models

#pragma once
// What happens on the committed path of one episode, fixed before any policy acts on it: the
// plan's length, whether A's guess of each step matches T's, and the latency and tokens of every
// call on that path. Every policy replays the same script for episode i (common random numbers),
// so paired comparisons are exact; only calls off the path (after a wrong guess) differ.
#include <cstdint>
#include <span>
#include <vector>

#include "sim/call.hpp"
#include "sim/time.hpp"

namespace specsim::models {

struct ScriptedCall {
  sim::Time latency;
  sim::Time first_token;
  sim::CallTokens tokens;
  int attempts = 1;  // API attempts (recorded retries); the latency covers them all
};

// The environment call of step s's action (a tool), whoever proposes the action: A's guess of
// the step, right or wrong, calls the same tool for as long and at the same price as T's action.
struct ScriptedEnvironmentCall {
  std::int16_t tool = -1;  // -1: the step calls no tool
  bool side_effect_free = false;
  sim::Time latency;
  double price_usd = 0;
};

struct EpisodeScript {
  int steps = 0;                     // the target's plan length
  bool ends_with_terminate = true;   // false when cut at max_steps: the last step is not T's stop
  std::vector<std::uint8_t> match;   // A's guess of step s equals T's action
  std::vector<std::int32_t> run;     // consecutive matches starting at step s
  // Top-K guesses: the rank of T's action among A's candidates for step s (0: the top one, as
  // match[s]; -1: none of them), where the workload has candidates; else empty.
  std::vector<std::int8_t> rank;
  // A's guess of step s was terminate, where a recording says so (a wrong terminate guess also
  // stops speculation, sim/semantics.hpp); empty when unknown. A right guess of the plan's last
  // step counts as terminate anyway.
  std::vector<std::uint8_t> guess_terminal;
  // A's confidence in its guess of step s, a probability (modelled or recorded); empty when the
  // world has none, and then every guess passes a confidence gate.
  std::vector<double> confidence;
  // Each step's environment call (models/environment.hpp, or recorded); empty when the world
  // has no environment.
  std::vector<ScriptedEnvironmentCall> environment;
  // The calls of each agent, step after step; step s's calls start at first_*[s] (size steps + 1).
  std::vector<ScriptedCall> target, approx;
  std::vector<std::int32_t> first_target, first_approx;
  // The rounds of a recorded run (replays of traces only), to replay its choices of k.
  struct RecordedRound {
    int start_step, k;
    sim::Time predictor_latency;
  };
  std::vector<RecordedRound> recorded;
  int feature_dim = 0;
  std::vector<double> features;      // [step * feature_dim + i]: what a learned policy observes

  void clear() {
    steps = 0;
    ends_with_terminate = true;
    match.clear();
    run.clear();
    rank.clear();
    guess_terminal.clear();
    confidence.clear();
    environment.clear();
    target.clear();
    approx.clear();
    first_target.assign(1, 0);
    first_approx.assign(1, 0);
    features.clear();
    recorded.clear();
    feature_dim = 0;
  }
  // Appends one step's calls for an agent (steps in order).
  void add_step(sim::Agent agent, std::span<const ScriptedCall> calls) {
    auto& list = agent == sim::Agent::target ? target : approx;
    auto& first = agent == sim::Agent::target ? first_target : first_approx;
    list.insert(list.end(), calls.begin(), calls.end());
    first.push_back(static_cast<std::int32_t>(list.size()));
  }
  // The same in two parts: append the step's calls to calls_of(agent), then end_step(agent).
  std::vector<ScriptedCall>& calls_of(sim::Agent agent) { return agent == sim::Agent::target ? target : approx; }
  void end_step(sim::Agent agent) {
    auto& first = agent == sim::Agent::target ? first_target : first_approx;
    first.push_back(static_cast<std::int32_t>(calls_of(agent).size()));
  }
  // With the first step's `per_step` calls in calls_of(agent), and nothing after them: makes
  // every step of the plan the same calls.
  void repeat_first_step(sim::Agent agent, int per_step) {
    auto& list = calls_of(agent);
    auto& first = agent == sim::Agent::target ? first_target : first_approx;
    const auto n = static_cast<std::size_t>(per_step);
    const auto total = n * static_cast<std::size_t>(steps);
    list.resize(total > n ? total : n);
    for (std::size_t i = n; i < total; ++i) list[i] = list[i - n];
    first.resize(static_cast<std::size_t>(steps) + 1);
    for (std::size_t s = 0; s <= static_cast<std::size_t>(steps); ++s) first[s] = static_cast<std::int32_t>(s * n);
  }
  std::span<const ScriptedCall> step_calls(sim::Agent agent, int step) const {
    const auto& list = agent == sim::Agent::target ? target : approx;
    const auto& first = agent == sim::Agent::target ? first_target : first_approx;
    const auto s = static_cast<std::size_t>(step);
    return {list.data() + first[s], static_cast<std::size_t>(first[s + 1] - first[s])};
  }
  int rank_of(int step) const {
    const auto s = static_cast<std::size_t>(step);
    return s < rank.size() ? rank[s] : (match[s] ? 0 : -1);
  }
  // Fills `run` from `match`.
  void index_runs() {
    run.assign(match.size() + 1, 0);
    for (std::size_t s = match.size(); s-- > 0;) run[s] = match[s] ? run[s + 1] + 1 : 0;
  }
};

}  // namespace specsim::models

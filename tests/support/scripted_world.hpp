#pragma once
// Test worlds with hand-chosen matches and constant latencies, for hand-computed timelines.
#include <functional>
#include <memory>
#include <vector>

#include "models/sim_backend.hpp"
#include "policies/basic_policies.hpp"
#include "sim/planner.hpp"

namespace specsim::testing {

// Agents with constant latency (seconds) and constant tokens: input = base + 10 * step.
inline models::AgentModel fixed_agent(double seconds, int calls_per_step, int input_base, int output) {
  models::AgentModel a;
  a.model = "test";
  a.calls_per_step = calls_per_step;
  a.input_base = input_base;
  a.input_per_step = 10;
  a.output = {models::TokenDistribution{static_cast<double>(output), 0}};
  a.latency.kind = models::LatencyModel::Kind::fixed;
  a.latency.fixed_s = seconds;
  a.price.input = 1.0;
  a.price.cached_input = 0.5;
  a.price.output = 2.0;
  a.price.cache_write = 1.0;
  return a;
}

// The hand-worked timelines' world: A answers in 1 s, T in 4 s (over `target_calls` calls a step).
inline models::Agents agents_a1_t4(int target_calls = 1) {
  models::Agents agents;
  agents[sim::index(sim::Agent::approx)] = fixed_agent(1.0, 1, 100, 20);
  agents[sim::index(sim::Agent::target)] = fixed_agent(4.0 / target_calls, target_calls, 200, 30);
  return agents;
}

// Every episode has the given matches; the plan ends after match.size() steps. `edit`, when set,
// changes the drawn script (a call's latency or attempts, A's terminate guesses) for timelines
// the constant agents cannot produce.
class FixedMatchWorkload final : public models::Workload {
 public:
  explicit FixedMatchWorkload(std::vector<std::uint8_t> match) : match_(std::move(match)) {}
  std::function<void(models::EpisodeScript&)> edit;
  void script(std::int64_t, int max_steps, const models::Agents& agents, const models::WorldStreams& streams,
              models::EpisodeScript& out) const override {
    out.clear();
    out.steps = std::min<int>(static_cast<int>(match_.size()), max_steps);
    out.ends_with_terminate = static_cast<int>(match_.size()) <= max_steps;
    out.match.assign(match_.begin(), match_.begin() + out.steps);
    out.index_runs();
    models::draw_path_calls(agents, streams, out);
    if (edit) edit(out);
  }

 private:
  std::vector<std::uint8_t> match_;
};

struct World {
  models::Agents agents;
  FixedMatchWorkload workload;
  sim::SimClock clock;
  std::unique_ptr<policies::Policy> policy;
  models::SimBackend backend;
  sim::Planner planner;

  World(models::Agents a, std::vector<std::uint8_t> match, std::unique_ptr<policies::Policy> p,
        sim::PlannerConfig config = {})
      : agents(std::move(a)), workload(std::move(match)), policy(std::move(p)),
        backend(agents, workload, clock, 1, config.max_steps), planner(config, clock, backend, *policy, &backend, &backend) {}
};

}  // namespace specsim::testing

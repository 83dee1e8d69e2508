// Simulated steps per second, single thread: the planner, the simulated backend, the policy and
// the per-episode metrics, on the bundled scenarios' worlds. Reported as items_per_second.
#include <benchmark/benchmark.h>

#include "analysis/episode_metrics.hpp"
#include "models/sim_backend.hpp"
#include "policies/basic_policies.hpp"
#include "sim/planner.hpp"
#include "tools/specsim/scenario.hpp"

using namespace specsim;

namespace {

void run_policy(benchmark::State& state, const char* scenario_file, std::unique_ptr<policies::Policy> policy) {
  const app::Scenario s = app::load_scenario(std::string(SPECSIM_SOURCE_DIR) + "/" + scenario_file);
  sim::SimClock clock;
  models::SimBackend backend(s.agents, *s.workload, clock, s.seed, s.max_steps);
  sim::PlannerConfig config;
  config.max_steps = s.max_steps;
  sim::Planner planner(config, clock, backend, *policy);
  std::int64_t episode = 0, steps = 0;
  double cost = 0;
  for (auto _ : state) {
    const sim::EpisodeRun& run = planner.run_episode(episode++);
    cost += analysis::measure_episode(run, s.agents, s.billing).cost_usd;
    steps += run.steps;
  }
  benchmark::DoNotOptimize(cost);
  state.SetItemsProcessed(steps);
  state.counters["steps_per_episode"] = static_cast<double>(steps) / static_cast<double>(episode);
}

void BM_fixed_k3_iid_fixed(benchmark::State& state) {
  run_policy(state, "scenarios/validation/iid-fixed.yaml", std::make_unique<policies::FixedK>(3));
}
void BM_fixed_k3_quickstart(benchmark::State& state) {
  run_policy(state, "scenarios/quickstart.yaml", std::make_unique<policies::FixedK>(3));
}
void BM_sequential_quickstart(benchmark::State& state) {
  run_policy(state, "scenarios/quickstart.yaml", std::make_unique<policies::Sequential>());
}

}  // namespace

BENCHMARK(BM_fixed_k3_iid_fixed);
BENCHMARK(BM_fixed_k3_quickstart);
BENCHMARK(BM_sequential_quickstart);

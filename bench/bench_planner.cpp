// Simulated steps per second, single thread: the planner, the simulated backend, the policy and
// the per-episode metrics, on the bundled scenarios' worlds. Reported as items_per_second.
#include <benchmark/benchmark.h>

#include "analysis/episode_metrics.hpp"
#include "models/sim_backend.hpp"
#include "policies/basic_policies.hpp"
#include "policies/registry.hpp"
#include "sim/planner.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

runner::Scenario scenario(const char* file) { return runner::load_scenario(std::string(SPECSIM_SOURCE_DIR) + "/" + file); }

void run_policy(benchmark::State& state, const runner::Scenario& s, std::unique_ptr<policies::Policy> policy) {
  sim::SimClock clock;
  models::SimBackend backend(s.agents, *s.workload, clock, s.seed, s.max_steps);
  sim::PlannerConfig config;
  config.max_steps = s.max_steps;
  sim::Planner planner(config, clock, backend, *policy, &backend, &backend);
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
  if (const auto* learning = policy->learning())
    state.counters["training_jobs_per_step"] = static_cast<double>(learning->jobs_completed) / static_cast<double>(steps);
}

void run_policy(benchmark::State& state, const char* file, std::unique_ptr<policies::Policy> policy) {
  run_policy(state, scenario(file), std::move(policy));
}

// DSP with learning on, as configured in the OpenAGI-like scenario (a training job at every
// breaking point), and with training every 16 breaking points.
void run_dsp(benchmark::State& state, const std::string& extra) {
  runner::Scenario s = scenario("scenarios/dsp-openagi-like.yaml");
  const std::string text = "- {kind: dsp, tau: 0.5, prediction_latency_s: 0.6, training: {target: ideal_k}" + extra + "}";
  const auto specs = policies::decode_policies(sim::ConfigNode::load_string(text, "bench"));
  run_policy(state, s, specs[0].make(policies::PolicyEnv{s.seed, specs[0].label}));
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

void BM_dsp_learning_every_break(benchmark::State& state) { run_dsp(state, ""); }
void BM_dsp_learning_every_16_breaks(benchmark::State& state) { run_dsp(state, ", train_every: 16"); }

}  // namespace

BENCHMARK(BM_dsp_learning_every_break);
BENCHMARK(BM_dsp_learning_every_16_breaks);
BENCHMARK(BM_fixed_k3_iid_fixed);
BENCHMARK(BM_fixed_k3_quickstart);
BENCHMARK(BM_sequential_quickstart);

// Simulated steps per second, single thread: the planner, the simulated backend, the policy and
// the per-episode metrics, for every policy of every bundled scenario with the scenario's own
// settings (DSP's training time, learning rate and all), as the runner runs a lane. Reported as
// items_per_second. Also: DSP with a training job every 16 breaking points (`train_every: 16`,
// the scenario's entry otherwise), both with training on the policy's worker thread as well
// (`+background_training`, wall time), and sweep throughput over 1 .. N jobs (runs per second).
// Run: ./build/bench/specsim_bench [--benchmark_filter=REGEX]
#include <benchmark/benchmark.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "analysis/episode_metrics.hpp"
#include "models/sim_backend.hpp"
#include "policies/registry.hpp"
#include "sim/planner.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"
#include "tools/runner/sweep.hpp"

using namespace specsim;

namespace {

const char* const kScenarios[] = {"scenarios/validation/iid-fixed.yaml", "scenarios/quickstart.yaml",
                                  "scenarios/dsp-openagi-like.yaml"};

std::string source(const std::string& file) { return std::string(SPECSIM_SOURCE_DIR) + "/" + file; }

// One lane of a run: the scenario's planner settings, a meter, and no recorded episode. A
// learning policy trains inline (each job inside its trigger, on this thread, whose CPU time is
// the rate's, as `specsim run` trains), or with `background` on its own worker thread as live
// runs train (the rate then in wall time).
void run_policy(benchmark::State& state, const runner::Scenario& s, const policies::PolicySpec& spec,
                bool background = false) {
  sim::SimClock clock;
  auto policy = spec.make(policies::PolicyEnv{s.seed, spec.label, false, s.objective.value_of_time_usd_per_s, background});
  models::SimBackend backend(s.agents, *s.workload, clock, s.seed, s.max_steps);
  const analysis::PriceMeter meter(s.agents, s.billing);
  sim::PlannerConfig config = runner::planner_config(s);
  config.meter = &meter;
  sim::Planner planner(config, clock, backend, *policy, &backend, spec.looks_ahead ? &backend : nullptr);
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

// The scenario with `train_every: 16` added to each dsp entry.
runner::Scenario amortised(const std::string& file) {
  YAML::Node root = YAML::LoadFile(file);
  for (YAML::Node p : root["policies"])
    if (p.IsMap() && p["kind"].as<std::string>() == "dsp") p["train_every"] = 16;
  const std::string dir = std::filesystem::path(file).parent_path().string();
  return runner::parse_scenario(YAML::Dump(root), dir + "/amortised.yaml");
}

// With `background`, the policies train on their worker threads: named NAME+background_training,
// timed in wall time.
void register_scenario(const std::string& name, runner::Scenario s, const char* only_kind = nullptr,
                       bool background = false) {
  static std::vector<std::unique_ptr<runner::Scenario>> kept;  // the benchmarks outlive this call
  kept.push_back(std::make_unique<runner::Scenario>(std::move(s)));
  const runner::Scenario& scenario = *kept.back();
  for (const auto& spec : scenario.policies) {
    if (only_kind && spec.kind != only_kind) continue;
    const std::string full = name + (background ? "+background_training/" : "/") + spec.label;
    auto* b = benchmark::RegisterBenchmark(
        full.c_str(), [&scenario, spec, background](benchmark::State& st) { run_policy(st, scenario, spec, background); });
    if (background) b->UseRealTime();
  }
}

// A sweep's runs per second with `jobs` runs at once: the bundled k-vs-match-rate sweep (72
// runs of iid-fixed) at 500 episodes a run, into a fresh folder each time.
void BM_sweep_jobs(benchmark::State& state) {
  runner::SweepSpec spec = runner::load_sweep(source("scenarios/sweeps/k-vs-match-rate.yaml"));
  spec.episodes = 500;
  const std::size_t runs = runner::expand_sweep(spec).size();
  const std::atomic<bool> stop{false};
  const auto dir = std::filesystem::temp_directory_path() / ("specsim-bench-sweep-" + std::to_string(::getpid()));
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
    runner::SweepOptions options;
    options.out_dir = dir.string();
    options.jobs = static_cast<int>(state.range(0));
    options.progress = false;
    if (runner::run_sweep(spec, options, stop) != 0) state.SkipWithError("sweep left runs undone");
  }
  std::filesystem::remove_all(dir);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(runs));
  state.counters["runs"] = static_cast<double>(runs);
}

const bool registered = [] {
  for (const char* file : kScenarios) {
    const std::string name = std::filesystem::path(file).stem().string();
    register_scenario(name, runner::load_scenario(source(file)));
  }
  register_scenario("dsp-openagi-like+train_every=16", amortised(source("scenarios/dsp-openagi-like.yaml")), "dsp");
  // DSP training on its worker, beside the inline cases above.
  register_scenario("dsp-openagi-like", runner::load_scenario(source("scenarios/dsp-openagi-like.yaml")), "dsp", true);
  register_scenario("dsp-openagi-like+train_every=16", amortised(source("scenarios/dsp-openagi-like.yaml")), "dsp", true);
  auto* sweep = benchmark::RegisterBenchmark("sweep_jobs", BM_sweep_jobs)->Unit(benchmark::kSecond)->UseRealTime();
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int jobs = 1; jobs <= cores; jobs *= 2) sweep->Arg(jobs);
  if ((cores & (cores - 1)) != 0) sweep->Arg(cores);
  return true;
}();

}  // namespace

#include <catch2/catch.hpp>

#include <map>

#include "analysis/episode_metrics.hpp"
#include "models/sim_backend.hpp"
#include "sim/planner.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

runner::Scenario scenario(const char* file) { return runner::load_scenario(std::string(SPECSIM_SOURCE_DIR) + "/" + file); }

// One policy on its own clock and world, as the runner runs a lane; metered or not.
struct World {
  World(const runner::Scenario& s, const policies::PolicySpec& spec, const sim::CallMeter* meter, std::int64_t record)
      : policy(spec.make(policies::PolicyEnv{s.seed, spec.label, false, s.objective.value_of_time_usd_per_s})),
        backend(s.agents, *s.workload, clock, s.seed, s.max_steps),
        planner(config(s, meter, record), clock, backend, *policy, &backend, spec.looks_ahead ? &backend : nullptr) {}
  static sim::PlannerConfig config(const runner::Scenario& s, const sim::CallMeter* meter, std::int64_t record) {
    sim::PlannerConfig c = runner::planner_config(s);
    c.meter = meter;
    c.record_episodes = record;
    return c;
  }
  sim::SimClock clock{true};  // fingerprinted
  std::unique_ptr<policies::Policy> policy;
  models::SimBackend backend;
  sim::Planner planner;
};

}  // namespace

// The runner's planners price each round as it closes and keep only the recorded episodes'
// calls and rounds: the figures must be those computed from every call, to the last bit.
TEST_CASE("metered episodes give the figures of their calls, and unrecorded ones keep none", "[metering]") {
  for (const char* file : {"scenarios/quickstart.yaml", "scenarios/dsp-openagi-like.yaml"}) {
    const runner::Scenario s = scenario(file);
    const analysis::PriceMeter meter(s.agents, s.billing);
    for (const auto& spec : s.policies) {
      // The cost-aware policy decides on the prices the meter reports: without one it sees every
      // call as free and runs another episode (tests/cli/test_fingerprint.cpp meters it).
      if (spec.kind == "cost_aware") continue;
      CAPTURE(file, spec.label);
      World full(s, spec, nullptr, 0), metered(s, spec, &meter, 2);
      for (std::int64_t e = 0; e < 60; ++e) {
        const sim::EpisodeRun& a = full.planner.run_episode(e);
        const sim::EpisodeRun& b = metered.planner.run_episode(e);
        REQUIRE_FALSE(a.metrics);
        REQUIRE(b.metrics);
        CHECK(analysis::measure_episode(a, s.agents, s.billing) == *b.metrics);
        std::map<std::int32_t, std::int32_t> k_counts;
        for (const auto& r : a.rounds) ++k_counts[r.k];
        CHECK(std::vector<std::pair<std::int32_t, std::int32_t>>(k_counts.begin(), k_counts.end()) == b.k_counts);
        if (e < 2) {
          CHECK(b.calls.size() == a.calls.size());
          CHECK(b.rounds.size() == a.rounds.size());
        } else {
          CHECK(b.calls.empty());
          CHECK(b.rounds.empty());
        }
      }
      CHECK(full.clock.fingerprint() == metered.clock.fingerprint());
    }
  }
}

// An unrecorded episode holds the calls of its open round only, however long it runs.
TEST_CASE("an unrecorded long episode keeps its call storage bounded", "[metering]") {
  runner::Scenario s = runner::parse_scenario(R"(
name: long
seed: 5
episodes: 1
max_steps: 200000
models:
  a: {provider: none, price: {input: 1, output: 1}}
  t: {provider: none, price: {input: 1, output: 1}}
agents:
  approx: {model: a, output_tokens: 10, latency: {kind: fixed, seconds: 1}}
  target: {model: t, output_tokens: 10, latency: {kind: fixed, seconds: 4}}
workload: {kind: synthetic, steps: {kind: fixed, n: 200000}, match: {kind: iid, p: 0.7}}
policies: [{kind: fixed_k, k: 4}]
)", "long.yaml");
  const analysis::PriceMeter meter(s.agents, s.billing);
  World w(s, s.policies[0], &meter, 0);
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  CHECK(run.steps == 200000);
  CHECK(run.metrics->calls_target + run.metrics->calls_approx > 400000);
  CHECK(run.calls.capacity() < 64);  // the calls of one round of k = 4, never the episode's
  CHECK(run.rounds.capacity() == 0);
}

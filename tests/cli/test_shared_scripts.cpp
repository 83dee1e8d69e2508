#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "analysis/episode_metrics.hpp"
#include "models/episode_scripts.hpp"
#include "models/sim_backend.hpp"
#include "sim/planner.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

// The event fingerprint and the metered figures of episodes 0 .. episodes - 1 of the scenario's
// first policies, their worlds read from `scripts` where it holds them (else made by the backend).
std::vector<std::string> run(const runner::Scenario& s, std::int64_t episodes, const models::EpisodeScripts* scripts) {
  std::vector<std::string> out;
  for (std::size_t p = 0; p < std::min<std::size_t>(3, s.policies.size()); ++p) {
    const auto& spec = s.policies[p];
    sim::SimClock clock{true};  // fingerprinted
    auto policy = spec.make(policies::PolicyEnv{s.seed, spec.label, false, s.objective.value_of_time_usd_per_s});
    models::SimBackend backend(s.agents, *s.workload, clock, s.seed, s.max_steps);
    backend.share_scripts(scripts);
    const analysis::PriceMeter meter(s.agents, s.billing);
    sim::PlannerConfig config;
    config.meter = &meter;
    config.max_steps = s.max_steps;
    config.semantics = s.semantics;
    sim::Planner planner(config, clock, backend, *policy, &backend, spec.looks_ahead ? &backend : nullptr);
    for (std::int64_t e = 0; e < episodes; ++e) {
      const sim::EpisodeMetrics m = *planner.run_episode(e).metrics;
      out.push_back(fmt::format("{} {} {} {} {:.17g} {:.17g}", spec.label, e, m.steps, m.rounds, m.latency_s, m.cost_usd));
    }
    out.push_back(fmt::format("{} {:016x}", spec.label, clock.fingerprint()));
  }
  return out;
}

}  // namespace

TEST_CASE("shared episode scripts replay the worlds the backend would make", "[scripts]") {
  for (const char* file : {"scenarios/quickstart.yaml", "scenarios/dsp-openagi-like.yaml", "scenarios/environment-actions.yaml",
                           "scenarios/specactions-hotpotqa.yaml"}) {
    INFO(file);
    const runner::Scenario s = runner::load_scenario(std::string(SPECSIM_SOURCE_DIR) + "/" + file);
    const auto own = run(s, 30, nullptr);
    models::EpisodeScripts scripts;
    scripts.make(*s.workload, s.agents, s.seed, s.max_steps, 0, 30);
    CHECK(scripts.holds(0));
    CHECK(scripts.holds(29));
    CHECK_FALSE(scripts.holds(30));
    CHECK(run(s, 30, &scripts) == own);
    // Made again in the same storage for a range that ends early: episodes past it are made by
    // the backend, and the results do not change.
    scripts.make(*s.workload, s.agents, s.seed, s.max_steps, 5, 10);
    CHECK_FALSE(scripts.holds(4));
    CHECK(scripts.holds(14));
    CHECK_FALSE(scripts.holds(15));
    CHECK(run(s, 30, &scripts) == own);
  }
}

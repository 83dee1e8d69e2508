#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "models/sim_backend.hpp"
#include "sim/planner.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

// The hash of every event of `episodes` episodes of each policy, each on its own clock, as the
// runner runs a lane (DESIGN §5.9). Any change to the order or time of an event, a random
// stream, the planner's state machine or a policy's choices shows here.
std::vector<std::string> fingerprints(const char* file, std::int64_t episodes) {
  const runner::Scenario s = runner::load_scenario(std::string(SPECSIM_SOURCE_DIR) + "/" + file);
  std::vector<std::string> out;
  for (const auto& spec : s.policies) {
    sim::SimClock clock;
    auto policy = spec.make(policies::PolicyEnv{s.seed, spec.label});
    models::SimBackend backend(s.agents, *s.workload, clock, s.seed, s.max_steps);
    sim::PlannerConfig config;
    config.max_steps = s.max_steps;
    sim::Planner planner(config, clock, backend, *policy, &backend, spec.looks_ahead ? &backend : nullptr);
    for (std::int64_t e = 0; e < episodes; ++e) planner.run_episode(e);
    out.push_back(fmt::format("{} {:016x}", spec.label, clock.fingerprint()));
  }
  return out;
}

}  // namespace

// Pinned: change these only with a change that means to alter the simulation, and say so.
TEST_CASE("the event sequence of the bundled scenarios is pinned", "[fingerprint]") {
  CHECK(fingerprints("scenarios/quickstart.yaml", 50) == std::vector<std::string>{
      "sequential 8badd8a56f0bd45e", "fixed_k(k=1) be1962389a9a91f1", "fixed_k(k=2) 8840e9c7605b6255",
      "fixed_k(k=3) 4987325c1ddcbeda", "fixed_k(k=4) 22f428623abb4c83", "dsp(tau=0.5) 3e08320f51d4bd51",
      "dsp(tau=0.9) 0e124583fc7f1c78", "oracle ffe534d76fbb70b9"});
  CHECK(fingerprints("scenarios/dsp-openagi-like.yaml", 200) == std::vector<std::string>{
      "sequential 9fe4a71931db57c4", "fixed_k(k=1) 42730bd379f6bb26", "fixed_k(k=2) c4272a11e7957db7",
      "fixed_k(k=3) 0caf26503338a47e", "fixed_k(k=4) 842b02eafa492f38", "fixed_k(k=5) 808b0bf6df5f9a2d",
      "fixed_k(k=6) 1781955030ef1200", "dsp(tau=0.3) 8f6ad1312a3b8789", "dsp(tau=0.5) efb08ad75f047719",
      "dsp(tau=0.7) 50e970ccfed301f8", "dsp(tau=0.9) 359f1b2d8ae6876c", "dsp(tau=0.5,offset=-1) a71bcfa2e45bb6be",
      "dsp(tau=0.5,offset=0) 037f591616f975d8", "dsp(tau=0.5,offset=1) fc5eb1cddbb6957a",
      "dsp(tau=0.5,offset=2) b08ed518f909de27", "oracle e250ac0a009f2920"});
}

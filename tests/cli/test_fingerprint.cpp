#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <optional>

#include "models/sim_backend.hpp"
#include "sim/planner.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

// The hash of every event of `episodes` episodes of each policy, each on its own clock, as the
// runner runs a lane (DESIGN §5.9). Any change to the order or time of an event, a random
// stream, the planner's state machine or a policy's choices shows here.
std::vector<std::string> fingerprints(const char* file, std::int64_t episodes,
                                      std::optional<sim::Semantics> semantics = std::nullopt) {
  const runner::Scenario s = runner::load_scenario(std::string(SPECSIM_SOURCE_DIR) + "/" + file);
  std::vector<std::string> out;
  for (const auto& spec : s.policies) {
    sim::SimClock clock;
    auto policy = spec.make(policies::PolicyEnv{s.seed, spec.label});
    models::SimBackend backend(s.agents, *s.workload, clock, s.seed, s.max_steps);
    sim::PlannerConfig config;
    config.max_steps = s.max_steps;
    config.semantics = semantics.value_or(s.semantics);
    sim::Planner planner(config, clock, backend, *policy, &backend, spec.looks_ahead ? &backend : nullptr);
    for (std::int64_t e = 0; e < episodes; ++e) planner.run_episode(e);
    out.push_back(fmt::format("{} {:016x}", spec.label, clock.fingerprint()));
  }
  return out;
}

}  // namespace

// Pinned: change these only with a change that means to alter the simulation, and say so.
// Last changed by DSP's semantics becoming the default (eager cancellation; sim/semantics.hpp).
TEST_CASE("the event sequence of the bundled scenarios is pinned", "[fingerprint]") {
  CHECK(fingerprints("scenarios/quickstart.yaml", 50) == std::vector<std::string>{
      "sequential 8badd8a56f0bd45e", "fixed_k(k=1) be1962389a9a91f1", "fixed_k(k=2) 8840e9c7605b6255",
      "fixed_k(k=3) 95b86b001fdf2b33", "fixed_k(k=4) de035db5e362b298", "dsp(tau=0.5) 3e08320f51d4bd51",
      "dsp(tau=0.9) 59109bc0bfd1260d", "oracle ffe534d76fbb70b9"});
  CHECK(fingerprints("scenarios/dsp-openagi-like.yaml", 200) == std::vector<std::string>{
      "sequential 9fe4a71931db57c4", "fixed_k(k=1) 42730bd379f6bb26", "fixed_k(k=2) c4272a11e7957db7",
      "fixed_k(k=3) bbcf7e6cf6e4e6a9", "fixed_k(k=4) 44db4472804ffd5f", "fixed_k(k=5) 60cbc17bbadfa848",
      "fixed_k(k=6) e3ad90da0a1874c4", "dsp(tau=0.3) edff743fd08f8601", "dsp(tau=0.5) f94dcb0e65872630",
      "dsp(tau=0.7) 94ae8e4ee336f58f", "dsp(tau=0.9) 646d005ac88edc62", "dsp(tau=0.5,offset=-1) d99237ab426bf608",
      "dsp(tau=0.5,offset=0) 3f03802b65461a43", "dsp(tau=0.5,offset=1) 0ffcd7dcb7902df5",
      "dsp(tau=0.5,offset=2) 0088f6d1050944e2", "oracle e250ac0a009f2920"});
}

// The fingerprints pinned before DSP's semantics became the default (in-order cancellation, a
// terminate guess stopping only when right, retries folded): the options reproduce them exactly.
TEST_CASE("specsim's former semantics still give the former event sequence", "[fingerprint]") {
  const sim::Semantics former{sim::CancelRule::in_order, sim::TerminateGuess::only_if_right, sim::RetryBilling::fold};
  CHECK(fingerprints("scenarios/quickstart.yaml", 50, former) == std::vector<std::string>{
      "sequential 8badd8a56f0bd45e", "fixed_k(k=1) be1962389a9a91f1", "fixed_k(k=2) 8840e9c7605b6255",
      "fixed_k(k=3) 4987325c1ddcbeda", "fixed_k(k=4) 22f428623abb4c83", "dsp(tau=0.5) 3e08320f51d4bd51",
      "dsp(tau=0.9) 0e124583fc7f1c78", "oracle ffe534d76fbb70b9"});
  CHECK(fingerprints("scenarios/dsp-openagi-like.yaml", 200, former) == std::vector<std::string>{
      "sequential 9fe4a71931db57c4", "fixed_k(k=1) 42730bd379f6bb26", "fixed_k(k=2) c4272a11e7957db7",
      "fixed_k(k=3) 0caf26503338a47e", "fixed_k(k=4) 842b02eafa492f38", "fixed_k(k=5) 808b0bf6df5f9a2d",
      "fixed_k(k=6) 1781955030ef1200", "dsp(tau=0.3) 8f6ad1312a3b8789", "dsp(tau=0.5) efb08ad75f047719",
      "dsp(tau=0.7) 50e970ccfed301f8", "dsp(tau=0.9) 359f1b2d8ae6876c", "dsp(tau=0.5,offset=-1) a71bcfa2e45bb6be",
      "dsp(tau=0.5,offset=0) 037f591616f975d8", "dsp(tau=0.5,offset=1) fc5eb1cddbb6957a",
      "dsp(tau=0.5,offset=2) b08ed518f909de27", "oracle e250ac0a009f2920"});
}

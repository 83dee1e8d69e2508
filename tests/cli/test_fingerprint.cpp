#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <optional>

#include "analysis/episode_metrics.hpp"
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
    sim::SimClock clock{true};  // fingerprinted
    auto policy = spec.make(policies::PolicyEnv{s.seed, spec.label, false, s.objective.value_of_time_usd_per_s});
    models::SimBackend backend(s.agents, *s.workload, clock, s.seed, s.max_steps);
    const analysis::PriceMeter meter(s.agents, s.billing);  // a cost-aware policy learns the prices
    sim::PlannerConfig config;
    config.meter = &meter;
    config.record_episodes = episodes;
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
// The runs are metered as the runner meters them, so that the cost-aware policy sees its prices.
// Last changed by each part of a world drawing from its own stream (models::WorldStreams: the
// plan, the verdicts, each agent's calls), which changed every drawn world; before, by the
// random engine becoming xoshiro256++ (sim/random.hpp).
TEST_CASE("the event sequence of the bundled scenarios is pinned", "[fingerprint]") {
  CHECK(fingerprints("scenarios/quickstart.yaml", 50) == std::vector<std::string>{
      "sequential aeff0c180f9c85bb", "fixed_k(k=1) 1d1f1c002e621481", "fixed_k(k=2) bb4721ec988a66d8",
      "fixed_k(k=3) a8aa4c8a92ba60d9", "fixed_k(k=4) ac385072c15afa37", "dsp(tau=0.5) 207b68e8d4b75786",
      "dsp(tau=0.9) 6a2e7187371b3aa8", "oracle 9e31aa76b353f359"});
  CHECK(fingerprints("scenarios/dsp-openagi-like.yaml", 200) == std::vector<std::string>{
      "sequential 962835ac59fbdfff", "fixed_k(k=1) ecdee35ab39a6aee", "fixed_k(k=2) e4b3655c79870ab9",
      "fixed_k(k=3) fd245336c47fd947", "fixed_k(k=4) c29b3595198dee62", "fixed_k(k=5) 8aea3b15fd3d966e",
      "fixed_k(k=6) cc71dd76f22b8d79", "dsp(tau=0.3) 75eae01f3d225051", "dsp(tau=0.5) ec2b14fbec629f58",
      "dsp(tau=0.7) 290e72b3c5239dbe", "dsp(tau=0.9) 05d30148f9d95ea1", "dsp(tau=0.5,offset=-1) 6d455841a47e0c81",
      "dsp(tau=0.5,offset=0) 3634473466d94ee6", "dsp(tau=0.5,offset=1) b8309ccdebe348c5",
      "dsp(tau=0.5,offset=2) 00dbcdcb7f2fdbc1", "cost_aware(objective) d8362b5710dc2593",
      "cost_aware(usd_per_s=0.01) 8efb1277fe5d1d29", "cost_aware(usd_per_s=0.02) a5cc7f4101eed3c4", "oracle 9b262bd170d129b4"});
}

// The fingerprints pinned before DSP's semantics became the default (in-order cancellation, a
// terminate guess stopping only when right, retries folded): the options reproduce them exactly.
TEST_CASE("specsim's former semantics still give the former event sequence", "[fingerprint]") {
  const sim::Semantics former{sim::CancelRule::in_order, sim::TerminateGuess::only_if_right, sim::RetryBilling::fold};
  CHECK(fingerprints("scenarios/quickstart.yaml", 50, former) == std::vector<std::string>{
      "sequential aeff0c180f9c85bb", "fixed_k(k=1) 1d1f1c002e621481", "fixed_k(k=2) bb4721ec988a66d8",
      "fixed_k(k=3) 652c43c4682f5be5", "fixed_k(k=4) 6f9976ea41b35a4c", "dsp(tau=0.5) 358e3bc9954e0ffc",
      "dsp(tau=0.9) 4880e542adeb11b7", "oracle 9e31aa76b353f359"});
  CHECK(fingerprints("scenarios/dsp-openagi-like.yaml", 200, former) == std::vector<std::string>{
      "sequential 962835ac59fbdfff", "fixed_k(k=1) ecdee35ab39a6aee", "fixed_k(k=2) e4b3655c79870ab9",
      "fixed_k(k=3) 2faf65d4a88e3f06", "fixed_k(k=4) 5dda9d64ca635bc6", "fixed_k(k=5) eba8f70636d4a978",
      "fixed_k(k=6) e114035ea621413b", "dsp(tau=0.3) 75eae01f3d225051", "dsp(tau=0.5) 7d10a07104d5932f",
      "dsp(tau=0.7) 8929e95545b7e0d2", "dsp(tau=0.9) 8cada54ce3a1438f", "dsp(tau=0.5,offset=-1) c9e5e5d852843b08",
      "dsp(tau=0.5,offset=0) 6bf6afee55cd8442", "dsp(tau=0.5,offset=1) f6d5880d7aade68b",
      "dsp(tau=0.5,offset=2) 519dc9601c6d7dde", "cost_aware(objective) 7b8a464b9fb58a6c",
      "cost_aware(usd_per_s=0.01) 2a56e546a8f127b0", "cost_aware(usd_per_s=0.02) f5583b90920becd4", "oracle 9b262bd170d129b4"});
}

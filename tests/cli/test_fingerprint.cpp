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
// Last changed by the random engine becoming xoshiro256++ (sim/random.hpp): every stream, hence
// every drawn world and every initial weight, changed with it.
TEST_CASE("the event sequence of the bundled scenarios is pinned", "[fingerprint]") {
  CHECK(fingerprints("scenarios/quickstart.yaml", 50) == std::vector<std::string>{
      "sequential ba4a5d061fbb81af", "fixed_k(k=1) c4425b5995867fb6", "fixed_k(k=2) a75330b5b7d3a135",
      "fixed_k(k=3) 29ef652d02a0ca21", "fixed_k(k=4) 85b42f1e5c3f3d1b", "dsp(tau=0.5) c66b28aa8ad99b86",
      "dsp(tau=0.9) 1901f27786020cfc", "oracle cdac92174c120ba0"});
  CHECK(fingerprints("scenarios/dsp-openagi-like.yaml", 200) == std::vector<std::string>{
      "sequential 819e7cc36772c43b", "fixed_k(k=1) f2741e1d01f1bca0", "fixed_k(k=2) b902dce80eab847b",
      "fixed_k(k=3) 4a0991606d542027", "fixed_k(k=4) 51c4e2b76cbb7330", "fixed_k(k=5) 72c25f7c92615d9f",
      "fixed_k(k=6) ab05e5e01403517f", "dsp(tau=0.3) 078aaf796301884a", "dsp(tau=0.5) 1e15daa5be029397",
      "dsp(tau=0.7) 1b379d07d5408467", "dsp(tau=0.9) f7545ad4f4e19fac", "dsp(tau=0.5,offset=-1) b971accb053a0722",
      "dsp(tau=0.5,offset=0) 72461ac1746ea578", "dsp(tau=0.5,offset=1) 2f952a5c77f5f4e0",
      "dsp(tau=0.5,offset=2) e5adff3bc6a2409e", "cost_aware(objective) 7765655b08d403c8",
      "cost_aware(usd_per_s=0.01) a44700cfaa27cd27", "cost_aware(usd_per_s=0.02) 180f7832be867f28", "oracle 9e709d0f3a005707"});
}

// The fingerprints pinned before DSP's semantics became the default (in-order cancellation, a
// terminate guess stopping only when right, retries folded): the options reproduce them exactly.
TEST_CASE("specsim's former semantics still give the former event sequence", "[fingerprint]") {
  const sim::Semantics former{sim::CancelRule::in_order, sim::TerminateGuess::only_if_right, sim::RetryBilling::fold};
  CHECK(fingerprints("scenarios/quickstart.yaml", 50, former) == std::vector<std::string>{
      "sequential ba4a5d061fbb81af", "fixed_k(k=1) c4425b5995867fb6", "fixed_k(k=2) a75330b5b7d3a135",
      "fixed_k(k=3) 02c4e0856544d2eb", "fixed_k(k=4) 95f73fe092119a30", "dsp(tau=0.5) b8cd9f3935d5a24b",
      "dsp(tau=0.9) bd3a8d3bdab428c4", "oracle cdac92174c120ba0"});
  CHECK(fingerprints("scenarios/dsp-openagi-like.yaml", 200, former) == std::vector<std::string>{
      "sequential 819e7cc36772c43b", "fixed_k(k=1) f2741e1d01f1bca0", "fixed_k(k=2) b902dce80eab847b",
      "fixed_k(k=3) 46cb5351b7195b81", "fixed_k(k=4) b0bdc308b37287bf", "fixed_k(k=5) 272141a62f1e2830",
      "fixed_k(k=6) ac686b4c782b6b00", "dsp(tau=0.3) 9107afc46527b931", "dsp(tau=0.5) ee2a8f35987d0536",
      "dsp(tau=0.7) 14ee21ce64bea03a", "dsp(tau=0.9) d595cdb8887d3012", "dsp(tau=0.5,offset=-1) d4cae2d2ddad8995",
      "dsp(tau=0.5,offset=0) e0031272e5f57b20", "dsp(tau=0.5,offset=1) 9ea734626b959e97",
      "dsp(tau=0.5,offset=2) 12153ba84058b489", "cost_aware(objective) 22aa9432f72e73f5",
      "cost_aware(usd_per_s=0.01) 8e81bada978c2b5a", "cost_aware(usd_per_s=0.02) 6393cba1da62ca5a", "oracle 9e709d0f3a005707"});
}

#pragma once
// A scenario: the world (agents, workload, prices), the policies to compare, and the run's
// size and seed, decoded and validated from YAML (schema: docs/scenarios.md).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/objective.hpp"
#include "models/live/live_config.hpp"
#include "models/pricing.hpp"
#include "models/workload.hpp"
#include "policies/registry.hpp"
#include "sim/semantics.hpp"
#include "tools/runner/fleet_config.hpp"

namespace specsim::runner {

// A run of more episodes than this is a typo (and its chunk arithmetic would near int64's end).
constexpr std::int64_t kMaxEpisodes = 1'000'000'000;

// What a run may take before it starts (`limits:`); beyond them a scenario is refused with a
// message that names the limit, because such sizes are nearly always typos (a grid with a list too
// many, an extra zero) that would otherwise exhaust the machine's memory or run for days.
struct WorkLimits {
  double memory_gib = 8;           // what the policies hold at once (learners and their buffers)
  double simulated_steps = 1e11;   // episodes x policies x max_steps (about half a day at 2.5 M steps/s)
};

struct Scenario {
  std::string name, file, text;
  std::uint64_t seed = 1;
  std::int64_t episodes = 100;
  int max_steps = 50;
  models::Billing billing = models::Billing::input_only;
  sim::Semantics semantics;  // `planner:`: DSP's cancellation, terminate guesses and retries by default
  models::Agents agents;
  std::unique_ptr<models::Workload> workload;
  std::vector<policies::PolicySpec> policies;
  std::map<std::string, int> concurrency;  // model name -> max calls in flight
  int record_episodes = 3;                 // episodes whose calls and rounds are stored
  std::optional<FleetSpec> fleet;  // many sessions on one clock (`fleet:`, `specsim fleet`)
  std::optional<models::live::LiveSettings> live;  // endpoints etc. (`specsim live`; run ignores it)
  analysis::Objective objective;                    // what the advice ranks by (`objective:`)
  // Defaults the scenario relies on that change cost or latency, stated once by the command.
  std::vector<std::string> warnings;
  WorkLimits limits;

  // Throws sim::InputError when the run's work estimate exceeds `limits` (call it again after
  // changing `episodes`).
  void check_work() const;

 private:
  void check_fleet_work() const;
};

// The files a run of the scenario reads: the scenario itself and what it refers to.
std::vector<std::string> input_files(const Scenario& s);

Scenario load_scenario(const std::string& path);

// What a command line may change in a scenario (--seed, --episodes).
struct ScenarioOverrides {
  std::optional<std::uint64_t> seed;
  std::optional<std::int64_t> episodes;
};
// The scenario with the overrides applied and its work checked again (check_work).
Scenario load_scenario(const std::string& path, const ScenarioOverrides& overrides);
Scenario parse_scenario(const std::string& text, const std::string& name);

}  // namespace specsim::runner

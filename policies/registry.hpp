#pragma once
// Policies are chosen by `kind` in the scenario. A decoded entry is a PolicySpec: a label for
// reports and a factory, because each independent slice of episodes gets a fresh instance
// unless the policy learns across episodes (then one instance runs them all, in order).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "policies/policy.hpp"
#include "sim/config_node.hpp"
#include "sim/registry.hpp"

namespace specsim::policies {

// What a policy instance may draw on: the run's master seed (for its own random streams, named
// after its label) and its label.
struct PolicyEnv {
  std::uint64_t seed = 1;
  std::string label;
  // The policy runs on a wall clock (live runs): a learner trains on a worker thread and
  // installs its weights when the job finishes; predictions take the time they take.
  bool wall_clock = false;
  // The scenario objective's value of a second (`objective: {value_of_time_usd_per_s}`), if it
  // states one: the default knob of a policy that trades seconds for dollars.
  std::optional<double> value_of_time_usd_per_s = std::nullopt;
  // A learner in simulated time may train on a worker thread of its own while its thread plans
  // (the background_training benchmarks and the tests that check the results are the same
  // either way); `specsim run` trains inline, where the worker does not pay.
  bool train_in_background = false;
};

struct PolicySpec {
  std::string label;  // unique within a scenario, e.g. "fixed_k(k=3)"
  std::string kind;
  bool learns = false;  // carries state from one episode to the next
  bool looks_ahead = false;  // reads the world ahead (the oracle, replays of recorded k)
  bool needs_value_of_time = false;  // takes its knob from the scenario objective (PolicyEnv)
  std::function<std::unique_ptr<Policy>(const PolicyEnv&)> make;
  std::string config;   // the entry as YAML, for result files
  double memory_bytes = 0;  // at least what one instance holds (a learner's state), for the work estimate
};

// kind -> decoder. New policies register here, with one line in registry.cpp.
const sim::Registry<PolicySpec>& policy_registry();

// Decodes the scenario's `policies` list. An entry is a kind name or a map with `kind`; a map
// field given as a list expands the entry into one policy per value (a grid over its lists).
std::vector<PolicySpec> decode_policies(const sim::ConfigNode& list);

}  // namespace specsim::policies

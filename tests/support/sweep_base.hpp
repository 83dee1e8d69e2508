#pragma once
// The base scenario the sweep tests and the sweep fuzzer expand: two catalogued agents, 3 to 8
// steps, i.i.d. matches, sequential against fixed_k(2). Small enough that a sweep of a few runs
// takes milliseconds.
#include <string>

namespace specsim::testing {

inline std::string sweep_base_scenario(int episodes) {
  return "name: sweep-base\nseed: 5\nepisodes: " + std::to_string(episodes) + R"(
agents:
  approx: {model: gpt-4o-mini, style: direct, input_tokens: {base: 100}, output_tokens: 10}
  target: {model: gpt-4o, style: react, input_tokens: {base: 100}, output_tokens: [40, 10]}
workload:
  kind: synthetic
  steps: {kind: uniform, min: 3, max: 8}
  match: {kind: iid, p: 0.5}
policies:
  - sequential
  - {kind: fixed_k, k: 2}
)";
}

}  // namespace specsim::testing

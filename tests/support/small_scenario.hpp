#pragma once
// The smallest complete world the CLI tests start from: two catalogued agents with token models,
// five fixed steps, i.i.d. matches, no policies. Tests append the policies and the field they
// probe; the name is on line 1, so the line numbers of what follows never move.
#include <string>

namespace specsim::testing {

inline std::string small_scenario(const std::string& name) {
  return "name: " + name + R"(
episodes: 5
agents:
  approx: {model: gpt-4o-mini, style: direct, input_tokens: {base: 100}, output_tokens: 10}
  target: {model: gpt-4o, style: react, input_tokens: {base: 100}, output_tokens: 20}
workload:
  kind: synthetic
  steps: {kind: fixed, n: 5}
  match: {kind: iid, p: 0.5}
)";
}

}  // namespace specsim::testing

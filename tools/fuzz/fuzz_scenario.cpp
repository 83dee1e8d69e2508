// Fuzz target: the scenario loader on arbitrary bytes, then a bounded simulation of every scenario
// that loads. Loading must give a scenario or a sim::InputError (exit code 2 with
// file:line:column and field); the simulation (one episode of at most 40 steps, one thread) must
// finish without an exception, and its summary must be finite. Anything else escapes and is
// reported by libFuzzer, as are crashes, hangs, huge allocations and sanitizer findings.
//
// Scenarios that choose their own training sizes (`epochs`, `batch_steps`) or read trace files
// are loaded but not simulated: their cost is the user's choice, and a timeout there is no bug.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/input_error.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"

namespace {

bool simulable(const std::string& text, const specsim::runner::Scenario& s) {
  for (const char* costly : {"epochs", "batch_steps", "file"})
    if (text.find(costly) != std::string::npos) return false;
  double memory = 0;
  for (const auto& p : s.policies) memory += p.memory_bytes;
  return memory < 64.0 * 1024 * 1024;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  specsim::runner::Scenario scenario;
  try {
    scenario = specsim::runner::parse_scenario(text, "fuzz.yaml");
  } catch (const specsim::sim::InputError&) {
    return 0;
  }
  if (!simulable(text, scenario)) return 0;
  scenario.episodes = 1;
  scenario.max_steps = std::min(scenario.max_steps, 40);
  const specsim::runner::RunOutcome outcome = specsim::runner::run_summary(scenario, {});
  for (const auto& row : outcome.rows)
    if (!std::isfinite(row.latency_mean_s) || !std::isfinite(row.cost_usd) || !std::isfinite(row.mean_k)) {
      std::fprintf(stderr, "fuzz_scenario: a non-finite summary for policy %s\n", row.label.c_str());
      std::abort();
    }
  return 0;
}

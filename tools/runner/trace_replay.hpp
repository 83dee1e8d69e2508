#pragma once
// The simulator's side of recorded traces: writing a scenario's synthetic workload as a trace,
// and the fidelity report (replaying recorded runs with the k they chose, against their measured
// wall time).
#include <string>
#include <vector>

#include "models/trace/trace.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::runner {

// Episode i of the scenario becomes task "episode-i": its committed path, calls and verdicts.
models::trace::Trace synthesize_trace(const Scenario& scenario);

struct FidelityRow {
  std::string task_id;
  int steps = 0, rounds = 0;
  double measured_s = 0, simulated_s = 0;
  double error = 0;         // (simulated - measured) / measured
  double sequential_s = 0;  // the recording's target-alone time: the naive estimate, for contrast
};

struct FidelityReport {
  std::vector<FidelityRow> rows;  // tasks with a measured time
  double mape = 0;                // mean absolute percentage error, in percent
  double sequential_mape = 0;     // the same for the naive estimate (target alone)
  std::int64_t divergences = 0;   // rounds where the replay left the recording's round starts
};

// Replays every task of `trace` with the k its recorded run chose (and its predictor latency):
// recorded calls as recorded, the rest from models fitted to the trace. `model` prices the calls.
FidelityReport fidelity(const models::trace::Trace& trace, const std::string& model, std::uint64_t seed);

}  // namespace specsim::runner

#pragma once
// The simulator's side of recorded traces: writing a scenario's synthetic workload as a trace.
// The fidelity report against recorded runs is tools/runner/fidelity.hpp.
#include <functional>
#include <string>
#include <vector>

#include "models/trace/trace.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::runner {

// Episode i of the scenario becomes task "episode-i": its committed path, calls and verdicts,
// handed to `emit` one at a time (so a trace of any length is written in bounded memory) until it
// returns false.
void synthesize_trace(const Scenario& scenario, const std::function<bool(const models::trace::Task&)>& emit);
// All of them at once.
models::trace::Trace synthesize_trace(const Scenario& scenario);

}  // namespace specsim::runner

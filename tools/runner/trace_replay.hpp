#pragma once
// The simulator's side of recorded traces: writing a scenario's synthetic workload as a trace.
// The fidelity report against recorded runs is tools/runner/fidelity.hpp.
#include <string>
#include <vector>

#include "models/trace/trace.hpp"
#include "tools/runner/scenario.hpp"

namespace specsim::runner {

// Episode i of the scenario becomes task "episode-i": its committed path, calls and verdicts.
models::trace::Trace synthesize_trace(const Scenario& scenario);

}  // namespace specsim::runner

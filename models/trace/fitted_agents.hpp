#pragma once
// Agent models fitted to a trace's own calls, for the calls a replay makes that the recording
// does not hold (guesses after a mismatch, target calls conditioned on a wrong guess, steps a
// different k reaches): per agent, the usual number of calls per step; per call of a step, the
// prompt size against the step index (least squares), the output size (lognormal) and the
// latency against output tokens (least squares, with lognormal jitter from the residuals).
#include "models/agent_model.hpp"
#include "models/trace/trace.hpp"

namespace specsim::models::trace {

// `base` keeps its model name and price; what the trace shows replaces the rest, top-K included:
// a recorded guess's tokens are its whole call's, so the fitted model draws one candidate
// (AgentModel::candidates 1). An agent without recorded calls keeps `base` unchanged.
AgentModel fit_agent(const Trace& trace, sim::Agent agent, const AgentModel& base);

}  // namespace specsim::models::trace

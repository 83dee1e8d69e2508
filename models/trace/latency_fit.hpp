#pragma once
// Latency models fitted to recorded calls, one per call kind (A's guess, T's thought, T's
// action): latency = ttft + prefill * input tokens + decode * output tokens (least squares,
// every term >= 0), times a residual drawn from the fitted calls' own residuals (the empirical
// distribution of measured / line, normalised to mean 1). A session factor (the recorded
// session's calls, measured over fitted) carries the speed of the API at the time of a run.
// Used by `workload: {kind: trace, latency: fitted}` and by `specsim trace fidelity`, which
// fits on the tasks it does not predict.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "models/episode_script.hpp"
#include "models/trace/trace.hpp"
#include "sim/random.hpp"

namespace specsim::models::trace {

enum class CallKind : std::uint8_t { guess, thought, action };
constexpr int kCallKinds = 3;
const char* name(CallKind kind);
// A's calls are guesses; T's first call of a step its thought, later ones its action.
inline CallKind call_kind(sim::Agent agent, std::size_t call_index) {
  if (agent == sim::Agent::approx) return CallKind::guess;
  return call_index == 0 ? CallKind::thought : CallKind::action;
}

struct KindLatency {
  double ttft_s = 0, prefill_s = 0, decode_s = 0;  // seconds, per input and per output token
  std::vector<double> residuals;                  // measured / line, of mean 1, sorted
  std::size_t samples = 0;
  double line_s(std::int64_t input, std::int64_t output) const {
    return ttft_s + prefill_s * static_cast<double>(input) + decode_s * static_cast<double>(output);
  }
};

struct LatencyFit {
  std::array<KindLatency, kCallKinds> kinds;
  std::vector<double> predictor_s;  // recorded predictor latencies, drawn from
  double session = 1;               // speed factor of the session being predicted

  const KindLatency& of(CallKind k) const { return kinds[static_cast<std::size_t>(k)]; }
  // The expected latency of a call (no residual), and one draw with a residual.
  double expected_s(CallKind kind, std::int64_t input, std::int64_t output) const;
  ScriptedCall draw(CallKind kind, const Call& recorded, sim::RandomStream& rng) const;
  sim::Time draw_predictor(sim::RandomStream& rng) const;
};

// Fitted to the calls of the chosen tasks of `trace` (indices). Retried calls are left out: their
// latency covers several attempts.
LatencyFit fit_latency(const Trace& trace, std::span<const std::size_t> tasks);
LatencyFit fit_latency(const Trace& trace);  // every task
// measured / fitted over the calls of `tasks`: how fast the API was in their session (1 if none).
double session_factor(const LatencyFit& fit, const Trace& trace, std::span<const std::size_t> tasks);

}  // namespace specsim::models::trace

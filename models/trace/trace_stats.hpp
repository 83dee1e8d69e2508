#pragma once
// Statistics of a trace, for `specsim trace stats`: how long tasks are, how often A's guess
// matched, and what each agent's steps and calls cost in time and tokens.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/trace/trace.hpp"

namespace specsim::models::trace {

// Quantiles interpolate linearly between order statistics (numpy's default, type 7), so a p50 of
// an even count is the mean of the two middle values. All zero when count is 0.
struct Summary {
  std::size_t count = 0;
  double mean = 0, p50 = 0, p95 = 0, min = 0, max = 0;
  bool operator==(const Summary&) const = default;
};

Summary summarize(std::vector<double> values);

struct AgentStats {
  std::size_t steps = 0;  // steps where this agent acted
  std::size_t calls = 0;
  std::size_t retried_calls = 0;  // calls with more than one attempt
  Summary step_latency_s;         // per step: its calls, one after another
  Summary call_latency_s;
  Summary step_input_tokens;
  Summary step_output_tokens;
  std::int64_t input_tokens = 0, output_tokens = 0;  // totals
};

struct TraceStats {
  std::size_t tasks = 0, steps = 0;
  std::size_t terminated_tasks = 0;  // last target action is TERMINATE
  Summary steps_per_task;
  // Matches per recorded_match(): the recorded verdict, else exact equality; steps without a
  // guess have no verdict and are left out of the rate.
  std::size_t steps_with_verdict = 0, matches = 0;
  std::optional<double> match_rate;
  AgentStats target, approx;
  std::size_t tasks_with_rounds = 0, rounds = 0;
  Summary round_k, round_steps;  // the recorded k, and the steps each round committed
  std::size_t tasks_measured = 0;
  Summary measured_latency_s, measured_sequential_s;
  Summary measured_speedup;  // sequential / latency, per task with both
};

TraceStats compute_trace_stats(const Trace& trace);

// Fixed key order; the JSON form `specsim trace stats --json` prints.
nlohmann::ordered_json trace_stats_to_json(const TraceStats& stats);

// A small plain-text table.
std::string format_trace_stats(const TraceStats& stats);

}  // namespace specsim::models::trace

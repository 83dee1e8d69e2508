#include "models/trace/trace_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace specsim::models::trace {
namespace {

double quantile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

void add_agent_step(AgentStats& a, const AgentStep& s, std::vector<double>& step_latency, std::vector<double>& call_latency,
                    std::vector<double>& in, std::vector<double>& out) {
  ++a.steps;
  a.calls += s.calls.size();
  for (const Call& c : s.calls) {
    call_latency.push_back(c.latency.seconds());
    if (c.attempts > 1) ++a.retried_calls;
  }
  step_latency.push_back(s.latency().seconds());
  in.push_back(static_cast<double>(s.input_tokens()));
  out.push_back(static_cast<double>(s.output_tokens()));
  a.input_tokens += s.input_tokens();
  a.output_tokens += s.output_tokens();
}

struct AgentSamples {
  std::vector<double> step_latency, call_latency, in, out;
  void add(AgentStats& a, const AgentStep& s) { add_agent_step(a, s, step_latency, call_latency, in, out); }
  void finish(AgentStats& a) {
    a.step_latency_s = summarize(std::move(step_latency));
    a.call_latency_s = summarize(std::move(call_latency));
    a.step_input_tokens = summarize(std::move(in));
    a.step_output_tokens = summarize(std::move(out));
  }
};

nlohmann::ordered_json to_json(const Summary& s) {
  return {{"count", s.count}, {"mean", s.mean}, {"p50", s.p50}, {"p95", s.p95}, {"min", s.min}, {"max", s.max}};
}

nlohmann::ordered_json to_json(const AgentStats& a) {
  return {{"steps", a.steps},
          {"calls", a.calls},
          {"retried_calls", a.retried_calls},
          {"input_tokens", a.input_tokens},
          {"output_tokens", a.output_tokens},
          {"step_latency_s", to_json(a.step_latency_s)},
          {"call_latency_s", to_json(a.call_latency_s)},
          {"step_input_tokens", to_json(a.step_input_tokens)},
          {"step_output_tokens", to_json(a.step_output_tokens)}};
}

std::string row(const char* name, const Summary& s) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-26s %6zu %11.3f %11.3f %11.3f %11.3f %11.3f\n", name, s.count, s.mean, s.p50, s.p95,
                s.min, s.max);
  return buf;
}

}  // namespace

Summary summarize(std::vector<double> values) {
  Summary s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  s.count = values.size();
  // Summing sorted values keeps the mean independent of the input order.
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  s.p50 = quantile(values, 0.5);
  s.p95 = quantile(values, 0.95);
  s.min = values.front();
  s.max = values.back();
  return s;
}

TraceStats compute_trace_stats(const Trace& trace) {
  TraceStats st;
  std::vector<double> steps_per_task, round_k, round_steps, latency, sequential, speedup;
  AgentSamples target, approx;
  for (const Task& task : trace.tasks) {
    ++st.tasks;
    st.steps += task.steps.size();
    steps_per_task.push_back(static_cast<double>(task.steps.size()));
    if (!task.steps.empty() && task.steps.back().target.action == kTerminateAction) ++st.terminated_tasks;
    for (const Step& s : task.steps) {
      target.add(st.target, s.target);
      if (s.approx) approx.add(st.approx, *s.approx);
      if (auto m = recorded_match(s)) {
        ++st.steps_with_verdict;
        if (*m) ++st.matches;
      }
    }
    if (!task.rounds.empty()) ++st.tasks_with_rounds;
    for (std::size_t r = 0; r < task.rounds.size(); ++r) {
      ++st.rounds;
      round_k.push_back(static_cast<double>(task.rounds[r].k));
      const std::int64_t next =
          r + 1 < task.rounds.size() ? task.rounds[r + 1].start_step : static_cast<std::int64_t>(task.steps.size());
      round_steps.push_back(static_cast<double>(next - task.rounds[r].start_step));
    }
    if (task.measured && (task.measured->latency || task.measured->sequential)) {
      ++st.tasks_measured;
      if (task.measured->latency) latency.push_back(task.measured->latency->seconds());
      if (task.measured->sequential) sequential.push_back(task.measured->sequential->seconds());
      if (task.measured->latency && task.measured->sequential && task.measured->latency->ns() > 0)
        speedup.push_back(task.measured->sequential->seconds() / task.measured->latency->seconds());
    }
  }
  if (st.steps_with_verdict > 0)
    st.match_rate = static_cast<double>(st.matches) / static_cast<double>(st.steps_with_verdict);
  st.steps_per_task = summarize(std::move(steps_per_task));
  target.finish(st.target);
  approx.finish(st.approx);
  st.round_k = summarize(std::move(round_k));
  st.round_steps = summarize(std::move(round_steps));
  st.measured_latency_s = summarize(std::move(latency));
  st.measured_sequential_s = summarize(std::move(sequential));
  st.measured_speedup = summarize(std::move(speedup));
  return st;
}

nlohmann::ordered_json trace_stats_to_json(const TraceStats& st) {
  nlohmann::ordered_json j;
  j["tasks"] = st.tasks;
  j["steps"] = st.steps;
  j["terminated_tasks"] = st.terminated_tasks;
  j["steps_per_task"] = to_json(st.steps_per_task);
  j["steps_with_verdict"] = st.steps_with_verdict;
  j["matches"] = st.matches;
  j["match_rate"] = st.match_rate ? nlohmann::ordered_json(*st.match_rate) : nlohmann::ordered_json(nullptr);
  j["target"] = to_json(st.target);
  j["approx"] = to_json(st.approx);
  j["tasks_with_rounds"] = st.tasks_with_rounds;
  j["rounds"] = st.rounds;
  j["round_k"] = to_json(st.round_k);
  j["round_steps"] = to_json(st.round_steps);
  j["tasks_measured"] = st.tasks_measured;
  j["measured_latency_s"] = to_json(st.measured_latency_s);
  j["measured_sequential_s"] = to_json(st.measured_sequential_s);
  j["measured_speedup"] = to_json(st.measured_speedup);
  return j;
}

std::string format_trace_stats(const TraceStats& st) {
  std::string out;
  char buf[200];
  std::snprintf(buf, sizeof buf, "%zu tasks (%zu end in %s), %zu steps, %zu rounds recorded\n", st.tasks,
                st.terminated_tasks, std::string(kTerminateAction).c_str(), st.steps, st.rounds);
  out += buf;
  if (st.match_rate) {
    std::snprintf(buf, sizeof buf, "match rate %.4f (%zu of %zu steps with a verdict)\n", *st.match_rate, st.matches,
                  st.steps_with_verdict);
  } else {
    std::snprintf(buf, sizeof buf, "match rate: no step has a verdict\n");
  }
  out += buf;
  out += "  " + std::string("quantity                    count        mean         p50         p95         min         max\n");
  out += row("steps per task", st.steps_per_task);
  out += row("target step latency (s)", st.target.step_latency_s);
  out += row("target call latency (s)", st.target.call_latency_s);
  out += row("target input tokens/step", st.target.step_input_tokens);
  out += row("target output tokens/step", st.target.step_output_tokens);
  out += row("approx step latency (s)", st.approx.step_latency_s);
  out += row("approx call latency (s)", st.approx.call_latency_s);
  out += row("approx input tokens/step", st.approx.step_input_tokens);
  out += row("approx output tokens/step", st.approx.step_output_tokens);
  if (st.rounds > 0) {
    out += row("round k", st.round_k);
    out += row("steps per round", st.round_steps);
  }
  if (st.tasks_measured > 0) {
    out += row("measured latency (s)", st.measured_latency_s);
    out += row("measured sequential (s)", st.measured_sequential_s);
    out += row("measured speedup", st.measured_speedup);
  }
  return out;
}

}  // namespace specsim::models::trace

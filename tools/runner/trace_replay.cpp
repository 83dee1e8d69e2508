#include "tools/runner/trace_replay.hpp"

#include <fmt/format.h>

#include <cmath>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "models/catalogue.hpp"
#include "models/trace/dsp_log_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/files.hpp"
#include "models/sim_backend.hpp"
#include "models/trace/trace_workload.hpp"
#include "policies/recorded_k.hpp"
#include "sim/planner.hpp"

namespace specsim::runner {

namespace trace = models::trace;

namespace {

trace::AgentStep recorded(std::string action, std::span<const models::ScriptedCall> calls) {
  trace::AgentStep step;
  step.action = std::move(action);
  for (const auto& c : calls) step.calls.push_back(trace::Call{c.latency, c.tokens.input, c.tokens.output, 1});
  return step;
}

}  // namespace

trace::Trace synthesize_trace(const Scenario& s) {
  trace::Trace out;
  models::EpisodeScript script;
  for (std::int64_t e = 0; e < s.episodes; ++e) {
    models::make_script(*s.workload, s.agents, s.seed, e, s.max_steps, script);
    trace::Task task;
    task.task_id = "episode-" + std::to_string(e);
    task.task = s.name + ", episode " + std::to_string(e);
    for (int st = 0; st < script.steps; ++st) {
      const bool last = st == script.steps - 1 && script.ends_with_terminate;
      const std::string action = last ? std::string(trace::kTerminateAction) : "step-" + std::to_string(st);
      const bool match = script.match[static_cast<std::size_t>(st)];
      trace::Step step;
      step.target = recorded(action, script.step_calls(sim::Agent::target, st));
      step.approx = recorded(match ? action : "other-" + std::to_string(st), script.step_calls(sim::Agent::approx, st));
      step.match = match;
      task.steps.push_back(std::move(step));
    }
    out.tasks.push_back(std::move(task));
  }
  return out;
}

FidelityReport fidelity(const trace::Trace& recorded_trace, const std::string& model, std::uint64_t seed) {
  const models::ModelInfo* info = models::Catalogue::builtin().find(model);
  if (!info) throw sim::InputError("--model", 0, 0, "", "unknown model '" + model + "'");
  models::Agents agents;
  for (auto& a : agents) {
    a.model = info->name;
    a.price = info->price;
    a.latency = info->latency;
    a.output = {models::TokenDistribution{}};
  }
  trace::TraceWorkloadConfig config;
  const trace::TraceWorkload workload(recorded_trace, std::move(config));
  workload.adapt_agents(agents);

  int max_steps = 1;
  for (const auto& t : recorded_trace.tasks) max_steps = std::max(max_steps, static_cast<int>(t.steps.size()));
  sim::SimClock clock;
  models::SimBackend backend(agents, workload, clock, seed, max_steps);
  policies::RecordedK policy(1, true);
  sim::PlannerConfig planner_config;
  planner_config.max_steps = max_steps;
  sim::Planner planner(planner_config, clock, backend, policy, &backend, &backend);

  FidelityReport report;
  double abs_sum = 0, seq_sum = 0;
  for (std::size_t i = 0; i < recorded_trace.tasks.size(); ++i) {
    const trace::Task& task = recorded_trace.tasks[i];
    const sim::EpisodeRun& run = planner.run_episode(static_cast<std::int64_t>(i));
    if (!task.measured || !task.measured->latency) continue;
    FidelityRow row;
    row.task_id = task.task_id;
    row.steps = run.steps;
    row.rounds = static_cast<int>(run.rounds.size());
    row.measured_s = task.measured->latency->seconds();
    row.simulated_s = run.latency.seconds();
    row.error = row.measured_s > 0 ? (row.simulated_s - row.measured_s) / row.measured_s : 0.0;
    abs_sum += std::abs(row.error);
    row.sequential_s = task.measured->sequential ? task.measured->sequential->seconds() : 0.0;
    seq_sum += row.measured_s > 0 ? std::abs(row.sequential_s - row.measured_s) / row.measured_s : 0.0;
    report.rows.push_back(row);
  }
  report.mape = report.rows.empty() ? 0.0 : 100.0 * abs_sum / static_cast<double>(report.rows.size());
  report.sequential_mape = report.rows.empty() ? 0.0 : 100.0 * seq_sum / static_cast<double>(report.rows.size());
  report.divergences = policy.divergences();
  return report;
}

}  // namespace specsim::runner

#include "tools/runner/trace_replay.hpp"

#include "models/workload.hpp"

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

void synthesize_trace(const Scenario& s, const std::function<bool(const trace::Task&)>& emit) {
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
      if (!script.confidence.empty()) step.confidence = script.confidence[static_cast<std::size_t>(st)];
      task.steps.push_back(std::move(step));
    }
    if (!emit(task)) return;
  }
}

trace::Trace synthesize_trace(const Scenario& s) {
  trace::Trace out;
  synthesize_trace(s, [&](const trace::Task& task) {
    out.tasks.push_back(task);
    return true;
  });
  return out;
}

}  // namespace specsim::runner

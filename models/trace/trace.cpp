#include "models/trace/trace.hpp"

namespace specsim::models::trace {

sim::Time AgentStep::latency() const {
  sim::Time total;
  for (const Call& c : calls) total += c.latency;
  return total;
}

std::int64_t AgentStep::input_tokens() const {
  std::int64_t total = 0;
  for (const Call& c : calls) total += c.input_tokens;
  return total;
}

std::int64_t AgentStep::output_tokens() const {
  std::int64_t total = 0;
  for (const Call& c : calls) total += c.output_tokens;
  return total;
}

std::optional<bool> recorded_match(const Step& step) {
  if (step.match) return step.match;
  if (!step.approx) return std::nullopt;
  return !step.approx->action.empty() && step.approx->action == step.target.action;
}

std::string recording_session(const Task& task) {
  const auto slash = task.task_id.rfind('/');
  return slash == std::string::npos ? std::string() : task.task_id.substr(0, slash);
}

}  // namespace specsim::models::trace

#include "models/trace/specactions_importer.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "models/trace/specactions_json.hpp"
#include "sim/input_error.hpp"

namespace specsim::models::trace {

namespace {

namespace fs = std::filesystem;
namespace sa = specactions;
using nlohmann::json;

// The question is the prompt's last "Question: " line (the ones before it are the few-shot examples).
std::string question(const json& obs) {
  const auto it = obs.find("prompt");
  if (it == obs.end() || !it->is_string()) return {};
  const std::string prompt = it->get<std::string>();
  const auto at = prompt.rfind("Question: ");
  if (at == std::string::npos) return {};
  const auto start = at + 10;
  return prompt.substr(start, prompt.find('\n', start) - start);
}

AgentStep untimed(std::string action) { return AgentStep{std::move(action), {Call{}}}; }

Task import_run(const fs::path& dir, const std::string& id, std::vector<std::string>& warnings) {
  const fs::path normal_file = dir / "normalobs.json", sim_file = dir / "simobs.json";
  const json normal = sa::read_object(normal_file), simulated = sa::read_object(sim_file);
  const json& actions = sa::member(normal, normal_file, "", "actions");
  const json& guesses = sa::member(simulated, sim_file, "", "actions");
  if (!actions.is_array()) throw sim::InputError(normal_file.string(), 0, 0, "actions", "expected an array");
  if (!guesses.is_array()) throw sim::InputError(sim_file.string(), 0, 0, "actions", "expected an array");
  if (actions.empty()) throw sim::InputError(normal_file.string(), 0, 0, "actions", "the run has no step");
  if (guesses.size() != actions.size())
    warnings.push_back(id + ": " + std::to_string(actions.size()) + " steps of T, " + std::to_string(guesses.size()) +
                       " of A's guesses (steps without one have no guess)");
  Task task;
  task.task_id = id;
  task.task = question(normal);
  for (std::size_t s = 0; s < actions.size(); ++s) {
    const std::string field = "actions[" + std::to_string(s) + "]";
    Step step;
    step.target = untimed(sa::string_value(actions[s], normal_file, field));
    if (step.target.action.empty()) throw sim::InputError(normal_file.string(), 0, 0, field, "T's action is empty");
    if (s < guesses.size()) {
      // A's candidates, best first; a single string is a top-1 guess.
      const json& g = guesses[s];
      const std::vector<std::string> candidates =
          g.is_array() ? sa::string_list(g, sim_file, field) : std::vector<std::string>{sa::string_value(g, sim_file, field)};
      step.approx = sa::ranked_guess(candidates, Call{}, sim_file, field);
    }
    task.steps.push_back(std::move(step));
  }
  task.source = json{{"format", "speculative-actions-hotpotqa"}, {"run", id}, {"timings", "none recorded"}};
  return task;
}

}  // namespace

SpecActionsImport import_specactions_hotpotqa(const std::string& root) {
  const auto is_run = [](const fs::path& d) { return fs::exists(d / "normalobs.json") && fs::exists(d / "simobs.json"); };
  SpecActionsImport out;
  for (const sa::RunFolder& run : sa::find_runs(root, is_run)) out.trace.tasks.push_back(import_run(run.dir, run.id, out.warnings));
  return out;
}

}  // namespace specsim::models::trace

#include "models/trace/specactions_importer.hpp"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/files.hpp"
#include "sim/input_error.hpp"

namespace specsim::models::trace {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json read_json(const fs::path& file) {
  const std::string text = sim::read_text_file(file.string());
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw sim::InputError(file.string(), 0, 0, "", "expected a JSON object");
  return j;
}

const json& array_field(const json& j, const fs::path& file, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) throw sim::InputError(file.string(), 0, 0, key, "expected an array");
  return *it;
}

std::string string_at(const json& j, const fs::path& file, const std::string& field) {
  if (!j.is_string()) throw sim::InputError(file.string(), 0, 0, field, "expected a string");
  return j.get<std::string>();
}

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
  const json normal = read_json(normal_file), simulated = read_json(sim_file);
  const json& actions = array_field(normal, normal_file, "actions");
  const json& guesses = array_field(simulated, sim_file, "actions");
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
    step.target = untimed(string_at(actions[s], normal_file, field));
    if (step.target.action.empty()) throw sim::InputError(normal_file.string(), 0, 0, field, "T's action is empty");
    if (s < guesses.size()) {
      // A's candidates, best first; a single string is a top-1 guess.
      const json& g = guesses[s];
      std::vector<std::string> candidates;
      if (g.is_array()) {
        for (std::size_t c = 0; c < g.size(); ++c)
          candidates.push_back(string_at(g[c], sim_file, field + "[" + std::to_string(c) + "]"));
      } else {
        candidates.push_back(string_at(g, sim_file, field));
      }
      if (candidates.size() > 64) throw sim::InputError(sim_file.string(), 0, 0, field, "more than 64 candidates");
      step.approx = untimed(candidates.empty() ? std::string() : candidates.front());
      if (candidates.size() > 1) step.approx->alternatives.assign(candidates.begin() + 1, candidates.end());
    }
    task.steps.push_back(std::move(step));
  }
  task.source = json{{"format", "speculative-actions-hotpotqa"}, {"run", id}, {"timings", "none recorded"}};
  return task;
}

}  // namespace

SpecActionsImport import_specactions_hotpotqa(const std::string& root) {
  const fs::path base(root);
  std::error_code ec;
  if (!fs::is_directory(base, ec)) throw sim::InputError(root, 0, 0, "", "not a folder");
  std::vector<fs::path> runs;
  const auto is_run = [](const fs::path& d) { return fs::exists(d / "normalobs.json") && fs::exists(d / "simobs.json"); };
  if (is_run(base)) runs.push_back(base);
  for (const auto& entry : fs::recursive_directory_iterator(base, ec))
    if (entry.is_directory() && is_run(entry.path())) runs.push_back(entry.path());
  if (ec) throw sim::InputError(root, 0, 0, "", "cannot list the folder: " + ec.message());
  std::sort(runs.begin(), runs.end());
  SpecActionsImport out;
  for (const fs::path& dir : runs) {
    std::string id = dir.lexically_relative(base).generic_string();
    if (id == ".") id = dir.filename().generic_string();
    out.trace.tasks.push_back(import_run(dir, id, out.warnings));
  }
  return out;
}

}  // namespace specsim::models::trace

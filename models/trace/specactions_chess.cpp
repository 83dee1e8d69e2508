// Speculative Actions' chess games (models/trace/specactions_importer.hpp).
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>

#include "models/trace/specactions_importer.hpp"
#include "models/trace/specactions_json.hpp"
#include "sim/input_error.hpp"

namespace specsim::models::trace {

namespace {

namespace fs = std::filesystem;
namespace sa = specactions;
using nlohmann::json;

struct GuessFile {
  fs::path path;
  std::string model;
  int guesses = 0;
};

// The game's steps_info_<model>_guess_<K>.json with the largest K (the same K: the first model by
// name); none when the folder holds no such file.
std::optional<GuessFile> best_guess_file(const fs::path& dir) {
  static const std::regex name(R"(steps_info_(.+)_guess_([0-9]{1,2})\.json)");
  std::optional<GuessFile> best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::smatch m;
    const std::string file = entry.path().filename().string();
    if (!entry.is_regular_file() || !std::regex_match(file, m, name)) continue;
    GuessFile g{entry.path(), m[1].str(), std::stoi(m[2].str())};
    if (!best || g.guesses > best->guesses || (g.guesses == best->guesses && g.path < best->path)) best = g;
  }
  return best;
}

// "0", "1", ..., "12": decimal, without a sign or leading zeros (which would name a move twice).
bool is_move_number(const std::string& key) {
  return !key.empty() && (key == "0" || key[0] != '0') &&
         std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Call call_of(const json& move, const fs::path& file, const std::string& field, const char* seconds, const char* input,
             const char* output) {
  Call c;
  c.latency = sa::seconds_value(sa::member(move, file, field, seconds), file, field + "." + seconds);
  c.input_tokens = sa::tokens_value(sa::member(move, file, field, input), file, field + "." + input);
  c.output_tokens = sa::tokens_value(sa::member(move, file, field, output), file, field + "." + output);
  return c;
}

Task import_game(const sa::RunFolder& run, const GuessFile& g) {
  const json moves = sa::read_object(g.path);
  if (moves.empty()) throw sim::InputError(g.path.string(), 0, 0, "", "the game has no move");
  if (!sa::is_utf8(g.model)) throw sim::InputError(g.path.string(), 0, 0, "", "the file's name is not valid UTF-8");
  Task task;
  task.task_id = run.id;
  task.task = "chess game " + run.id;
  // Moves are keyed "0", "1", ...: each key must be there, in any order in the file.
  const std::string keyed = "moves are keyed \"0\" to \"" + std::to_string(moves.size() - 1) + "\"";
  for (const auto& [key, value] : moves.items())
    if (!is_move_number(key)) throw sim::InputError(g.path.string(), 0, 0, json(key).dump(), "not a move number: " + keyed);
  for (std::size_t s = 0; s < moves.size(); ++s) {
    const std::string key = std::to_string(s), field = "\"" + key + "\"";
    const auto it = moves.find(key);
    if (it == moves.end())
      throw sim::InputError(g.path.string(), 0, 0, field, "missing: " + keyed);
    const json& move = *it;
    Step step;
    step.target.action = sa::string_value(sa::member(move, g.path, field, "current_move"), g.path, field + ".current_move");
    if (step.target.action.empty()) throw sim::InputError(g.path.string(), 0, 0, field + ".current_move", "T's move is empty");
    step.target.calls = {call_of(move, g.path, field, "time_taken_current_agent", "input_tokens_current_agent",
                                 "output_tokens_current_agent")};
    const auto guesses = sa::string_list(sa::member(move, g.path, field, "guessed_moves"), g.path, field + ".guessed_moves");
    step.approx = sa::ranked_guess(
        guesses, call_of(move, g.path, field, "guess_prediction_time", "guess_input_tokens", "guess_output_tokens"), g.path,
        field + ".guessed_moves");
    task.steps.push_back(std::move(step));
  }
  task.source = json{{"format", "speculative-actions-chess"},
                     {"game", run.id},
                     {"file", g.path.filename().generic_string()},
                     {"speculator", g.model},
                     {"guesses", g.guesses}};
  return task;
}

}  // namespace

SpecActionsImport import_specactions_chess(const std::string& root) {
  SpecActionsImport out;
  const auto is_game = [](const fs::path& d) { return best_guess_file(d).has_value(); };
  for (const sa::RunFolder& run : sa::find_runs(root, is_game)) {
    const GuessFile g = *best_guess_file(run.dir);
    Task task = import_game(run, g);
    for (std::size_t s = 0; s < task.steps.size(); ++s) {
      const std::size_t k = 1 + task.steps[s].approx->alternatives.size();
      if (k != static_cast<std::size_t>(g.guesses))
        out.warnings.push_back(run.id + ": move " + std::to_string(s) + " has " + std::to_string(k) + " guesses, the file's name says " +
                               std::to_string(g.guesses));
    }
    out.trace.tasks.push_back(std::move(task));
  }
  return out;
}

}  // namespace specsim::models::trace

#pragma once
// What the importers of Speculative Actions' logs share (models/trace/specactions_importer.hpp):
// finding the run folders below a root, reading the logs' JSON with errors that name the file,
// line and field, and turning a speculator's ranked candidates into A's step.
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/trace/trace.hpp"

namespace specsim::models::trace::specactions {

struct RunFolder {
  std::filesystem::path dir;
  std::string id;  // the folder relative to the root; when the root is a run, relative to its parent
};

// Every folder under `root` (itself included) for which `is_run` holds, in path order. Throws
// sim::InputError when root is not a readable folder or a run folder's id is not valid UTF-8.
std::vector<RunFolder> find_runs(const std::string& root, const std::function<bool(const std::filesystem::path&)>& is_run);

// Whether a string (a file name) is valid UTF-8, as every string of a trace must be.
bool is_utf8(const std::string& s);

// The file's JSON object. Throws sim::InputError naming the file and the line of a parse error,
// the field of a number beyond a double (1e400) or of a key given twice in one object (nlohmann
// would keep the last silently), or a nesting deeper than 64 levels.
nlohmann::json read_object(const std::filesystem::path& file);

// Fields of a JSON object, each throwing sim::InputError(file, 0, 0, field, ...) when missing or of
// the wrong type. `field` is the path written in errors, e.g. `"12".guessed_moves`.
const nlohmann::json& member(const nlohmann::json& j, const std::filesystem::path& file, const std::string& field,
                             const char* key);
std::string string_value(const nlohmann::json& j, const std::filesystem::path& file, const std::string& field);
std::vector<std::string> string_list(const nlohmann::json& j, const std::filesystem::path& file,
                                     const std::string& field);
// Seconds, finite, 0 to kMaxLatencySeconds.
sim::Time seconds_value(const nlohmann::json& j, const std::filesystem::path& file, const std::string& field);
// A token count: a JSON integer, 0 to 1e12.
std::int64_t tokens_value(const nlohmann::json& j, const std::filesystem::path& file, const std::string& field);

// A's step from its candidates, best first: the first is the guess, the rest its alternatives.
// No candidate is a guess that never matches (""); more than 64 is an error.
AgentStep ranked_guess(const std::vector<std::string>& candidates, Call call, const std::filesystem::path& file,
                       const std::string& field);

}  // namespace specsim::models::trace::specactions

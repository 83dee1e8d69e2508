#include "models/trace/specactions_json.hpp"

#include <algorithm>
#include <cmath>

#include "models/trace/json_depth.hpp"
#include "models/trace/json_fields.hpp"
#include "sim/files.hpp"
#include "sim/input_error.hpp"

namespace specsim::models::trace::specactions {

namespace fs = std::filesystem;
using nlohmann::json;

bool is_utf8(const std::string& s) {
  try {
    (void)json(s).dump(-1, ' ', false, json::error_handler_t::strict);
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

std::vector<RunFolder> find_runs(const std::string& root, const std::function<bool(const fs::path&)>& is_run) {
  const fs::path base(root);
  std::error_code ec;
  if (!fs::is_directory(base, ec)) throw sim::InputError(root, 0, 0, "", "not a folder");
  std::vector<fs::path> dirs;
  const bool root_is_run = is_run(base);
  if (root_is_run) dirs.push_back(base);
  for (const auto& entry : fs::recursive_directory_iterator(base, ec))
    if (entry.is_directory() && is_run(entry.path())) dirs.push_back(entry.path());
  if (ec) throw sim::InputError(root, 0, 0, "", "cannot list the folder: " + ec.message());
  std::sort(dirs.begin(), dirs.end());
  // Ids are relative to the root; when the root is a run itself, to its parent, so that the root
  // ("g", also for "g/" or ".") and a run below it ("g/g") keep ids of their own.
  fs::path top = fs::absolute(base, ec).lexically_normal();
  if (!top.has_filename()) top = top.parent_path();
  const fs::path ids_from = root_is_run ? top.parent_path() : top;
  std::vector<RunFolder> out;
  for (const fs::path& dir : dirs) {
    const fs::path rel = dir.lexically_relative(base);
    std::string id = (rel == "." ? top : top / rel).lexically_relative(ids_from).generic_string();
    if (id.empty() || id == ".") id = "run";  // the root is "/"
    if (!is_utf8(id)) throw sim::InputError(dir.string(), 0, 0, "", "the folder's name is not valid UTF-8 (it is the task id)");
    out.push_back({dir, std::move(id)});
  }
  return out;
}

namespace {

constexpr int kMaxDepth = 64;  // the logs nest 3 deep; the trace reader's limit

// The 1-based line of byte `at` (clamped to the text).
int line_at(const std::string& text, std::size_t at) {
  const auto end = text.begin() + static_cast<std::ptrdiff_t>(std::min(at, text.size()));
  return 1 + static_cast<int>(std::count(text.begin(), end, '\n'));
}

}  // namespace

json read_object(const fs::path& file) {
  const std::string text = sim::read_text_file(file.string());
  if (json_nesting_depth(text) > kMaxDepth)
    throw sim::InputError(file.string(), 0, 0, "", "not JSON: nested deeper than " + std::to_string(kMaxDepth) + " levels");
  // nlohmann's parser takes a NUL byte for the end of its input and ignores what follows.
  if (const auto nul = text.find('\0'); nul != std::string::npos)
    throw sim::InputError(file.string(), line_at(text, nul), 0, "", "not JSON: a NUL byte");
  JsonFieldTracker fields;
  json j;
  try {
    j = json::parse(text, [&fields](int, json::parse_event_t event, json& parsed) { return fields.on(event, parsed); });
  } catch (const json::parse_error& e) {
    throw sim::InputError(file.string(), line_at(text, e.byte), 0, "", "not JSON");
  } catch (const json::exception&) {  // out_of_range: a number beyond a double (1e400)
    throw sim::InputError(file.string(), 0, 0, fields.path(), "number out of range (JSON numbers are doubles)");
  }
  if (!fields.duplicate().empty())
    throw sim::InputError(file.string(), 0, 0, fields.duplicate(), "given twice in one object");
  if (!j.is_object()) throw sim::InputError(file.string(), 1, 0, "", "expected a JSON object");
  return j;
}

const json& member(const json& j, const fs::path& file, const std::string& field, const char* key) {
  const std::string path = field.empty() ? key : field + "." + key;
  if (!j.is_object()) throw sim::InputError(file.string(), 0, 0, field, "expected an object");
  const auto it = j.find(key);
  if (it == j.end()) throw sim::InputError(file.string(), 0, 0, path, "missing");
  return *it;
}

std::string string_value(const json& j, const fs::path& file, const std::string& field) {
  if (!j.is_string()) throw sim::InputError(file.string(), 0, 0, field, "expected a string");
  return j.get<std::string>();
}

std::vector<std::string> string_list(const json& j, const fs::path& file, const std::string& field) {
  if (!j.is_array()) throw sim::InputError(file.string(), 0, 0, field, "expected an array of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < j.size(); ++i) out.push_back(string_value(j[i], file, field + "[" + std::to_string(i) + "]"));
  return out;
}

sim::Time seconds_value(const json& j, const fs::path& file, const std::string& field) {
  if (!j.is_number()) throw sim::InputError(file.string(), 0, 0, field, "expected a number of seconds");
  const double s = j.get<double>();
  if (!std::isfinite(s) || s < 0 || s > kMaxLatencySeconds)
    throw sim::InputError(file.string(), 0, 0, field, "seconds out of range (0 to 1e6)");
  return sim::Time::from_seconds(s);
}

std::int64_t tokens_value(const json& j, const fs::path& file, const std::string& field) {
  if (!j.is_number_integer()) throw sim::InputError(file.string(), 0, 0, field, "expected an integer token count");
  const auto n = j.get<std::int64_t>();
  if (n < 0 || n > 1'000'000'000'000) throw sim::InputError(file.string(), 0, 0, field, "token count out of range (0 to 1e12)");
  return n;
}

AgentStep ranked_guess(const std::vector<std::string>& candidates, Call call, const fs::path& file,
                       const std::string& field) {
  if (candidates.size() > 64) throw sim::InputError(file.string(), 0, 0, field, "more than 64 candidates");
  AgentStep step{candidates.empty() ? std::string() : candidates.front(), {call}};
  if (candidates.size() > 1) step.alternatives.assign(candidates.begin() + 1, candidates.end());
  return step;
}

}  // namespace specsim::models::trace::specactions

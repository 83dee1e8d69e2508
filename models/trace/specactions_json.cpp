#include "models/trace/specactions_json.hpp"

#include <algorithm>
#include <cmath>

#include "sim/files.hpp"
#include "sim/input_error.hpp"

namespace specsim::models::trace::specactions {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<RunFolder> find_runs(const std::string& root, const std::function<bool(const fs::path&)>& is_run) {
  const fs::path base(root);
  std::error_code ec;
  if (!fs::is_directory(base, ec)) throw sim::InputError(root, 0, 0, "", "not a folder");
  std::vector<fs::path> dirs;
  if (is_run(base)) dirs.push_back(base);
  for (const auto& entry : fs::recursive_directory_iterator(base, ec))
    if (entry.is_directory() && is_run(entry.path())) dirs.push_back(entry.path());
  if (ec) throw sim::InputError(root, 0, 0, "", "cannot list the folder: " + ec.message());
  std::sort(dirs.begin(), dirs.end());
  std::vector<RunFolder> out;
  for (const fs::path& dir : dirs) {
    std::string id = dir.lexically_relative(base).generic_string();
    if (id == ".") id = dir.filename().generic_string();
    out.push_back({dir, std::move(id)});
  }
  return out;
}

json read_object(const fs::path& file) {
  const std::string text = sim::read_text_file(file.string());
  try {
    json j = json::parse(text);
    if (!j.is_object()) throw sim::InputError(file.string(), 1, 0, "", "expected a JSON object");
    return j;
  } catch (const json::parse_error& e) {
    const auto at = std::min<std::size_t>(e.byte, text.size());
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    throw sim::InputError(file.string(), line, 0, "", "not JSON");
  }
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

#include "models/trace/trace_reader.hpp"
#include "models/trace/json_depth.hpp"
#include "models/trace/json_fields.hpp"

#include "sim/files.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

namespace specsim::models::trace {
namespace {

using nlohmann::json;

// Bounds that keep arithmetic on a trace exact: token sums stay far from int64 overflow, and
// JSON nesting stays shallow enough that nothing recursive can exhaust the stack.
constexpr std::int64_t kMaxTokens = 1'000'000'000'000;
constexpr std::int64_t kMaxAttempts = 1'000'000;
constexpr int kMaxDepth = 64;

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string index(const std::string& path, std::size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

const char* type_name(const json& j) {
  if (j.is_number_integer() || j.is_number_unsigned()) return "integer";
  if (j.is_number_float()) return "number";
  return j.type_name();
}

// Shortest text that reads back to v, as the writer prints numbers.
std::string number_text(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, ec == std::errc() ? end : buf);
}

}  // namespace

// One engine for both modes: stop at the first problem (read) or collect them all (validate).
class TraceLineReader::Parser {
 public:
  Parser(std::string name, bool collect) : name_(std::move(name)), collect_(collect) {}

  void report(int line, int column, const std::string& field, const std::string& message) {
    sim::InputError e(name_, line, column, field, message);
    if (!collect_) throw e;
    ++error_count_;
    if (errors_.size() < TraceLineReader::kMaxKeptErrors) errors_.push_back(std::move(e));
  }

  std::optional<Task> next_line(std::string_view text);
  void finish() {
    if (!any_content_) report(0, 0, "", "empty trace: no tasks");
  }
  const std::vector<sim::InputError>& errors() const { return errors_; }
  std::size_t error_count() const { return error_count_; }

 private:
  std::optional<Task> parse_line(std::string_view line_text, int line);
  std::optional<Task> parse_task(const json& j);
  void parse_task_id(const json& j, Task& task);
  void parse_features(const json& f, Task& task);
  void parse_steps(const json& steps, Task& task);
  std::optional<Step> parse_step(const json& j, const std::string& path);
  std::optional<AgentStep> parse_agent_step(const json& j, const std::string& path, bool is_target);
  std::optional<Call> parse_call(const json& j, const std::string& path);
  std::optional<Round> parse_round(const json& j, const std::string& path);
  std::optional<Measured> parse_measured(const json& j, const std::string& path);
  std::optional<TrainingJob> parse_training_job(const json& j, const std::string& path);
  std::optional<TrainingEpoch> parse_training_epoch(const json& j, const std::string& path);
  void check_rounds(const Task& task);

  // Field helpers: each reports its own problem and returns nullopt/false.
  bool expect_object(const json& j, const std::string& path, std::initializer_list<std::string_view> allowed);
  const json* member(const json& obj, std::string_view key, const std::string& path, bool required);
  std::optional<std::string> get_string(const json& j, const std::string& path);
  std::optional<double> get_number(const json& j, const std::string& path);
  std::optional<sim::Time> get_latency(const json& j, const std::string& path);
  std::optional<std::int64_t> get_integer(const json& j, const std::string& path, std::int64_t min,
                                          std::int64_t max);
  std::optional<bool> get_bool(const json& j, const std::string& path);
  std::optional<EnvironmentStep> parse_environment_step(const json& j, const std::string& path);

  std::string name_;
  bool collect_;
  int line_ = 0;
  int lines_read_ = 0;
  bool any_content_ = false;
  std::size_t error_count_ = 0;
  std::vector<sim::InputError> errors_;
  std::map<std::string, int> id_lines_;  // task id -> line that defined it
  std::optional<std::pair<std::size_t, int>> feature_size_;  // (length, line) of the first task with features
};

std::optional<Task> TraceLineReader::Parser::next_line(std::string_view l) {
  ++lines_read_;
  if (lines_read_ == 1 && l.substr(0, 3) == "\xEF\xBB\xBF") l.remove_prefix(3);  // UTF-8 byte order mark
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  if (l.find_first_not_of(" \t\r") == std::string_view::npos) return std::nullopt;  // blank lines are allowed
  any_content_ = true;
  return parse_line(l, lines_read_);
}

std::optional<Task> TraceLineReader::Parser::parse_line(std::string_view line_text, int line) {
  line_ = line;
  if (json_nesting_depth(line_text) > kMaxDepth) {
    report(line, 0, "", "malformed JSON: nested deeper than " + std::to_string(kMaxDepth) + " levels");
    return std::nullopt;
  }
  // nlohmann's parser takes a NUL byte for the end of its input and ignores what follows.
  if (const std::size_t nul = line_text.find('\0'); nul != std::string_view::npos) {
    report(line, static_cast<int>(std::min<std::size_t>(nul + 1, std::numeric_limits<int>::max())), "",
           "malformed JSON: a NUL byte");
    return std::nullopt;
  }
  json j;
  JsonFieldTracker fields;  // nlohmann keeps the last of two equal keys silently
  try {
    j = json::parse(line_text, [&fields](int, json::parse_event_t event, json& parsed) { return fields.on(event, parsed); });
  } catch (const json::parse_error& e) {
    // nlohmann says "[json.exception.parse_error.101] parse error at line 1, column 7: <why>".
    std::string why = e.what();
    const std::size_t at = why.find("column ");
    const std::size_t colon = at == std::string::npos ? std::string::npos : why.find(": ", at);
    if (colon != std::string::npos) why = why.substr(colon + 2);
    const std::size_t column = std::min<std::size_t>(e.byte, static_cast<std::size_t>(std::numeric_limits<int>::max()));
    report(line, static_cast<int>(column), "", "malformed JSON: " + why);
    return std::nullopt;
  } catch (const json::exception& e) {
    // Numbers too large for a double (1e999) arrive here: JSON has no infinity.
    std::string why = e.what();
    if (const std::size_t close = why.find("] "); close != std::string::npos) why = why.substr(close + 2);
    report(line, 0, "", "malformed JSON: " + why);
    return std::nullopt;
  }
  if (!fields.duplicate().empty()) {
    report(line, 0, "", "malformed JSON: key \"" + fields.duplicate_key() + "\" is given twice in one object");
    return std::nullopt;
  }
  try {
    if (!j.is_object()) {
      report(line, 0, "", std::string("a task line must be a JSON object, got ") + type_name(j));
      return std::nullopt;
    }
    return parse_task(j);
  } catch (const json::exception& e) {
    // Defensive: every access is type-checked first, so this means a bug here, not bad input.
    report(line, 0, "", std::string("invalid JSON value: ") + e.what());
  }
  return std::nullopt;
}

bool TraceLineReader::Parser::expect_object(const json& j, const std::string& path,
                           std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) {
    report(line_, 0, path, std::string("expected an object, got ") + type_name(j));
    return false;
  }
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || key == a;
    if (!known) report(line_, 0, join(path, key), "unknown field");
  }
  return true;
}

const json* TraceLineReader::Parser::member(const json& obj, std::string_view key, const std::string& path, bool required) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) {
    if (required) report(line_, 0, join(path, key), "missing required field");
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> TraceLineReader::Parser::get_string(const json& j, const std::string& path) {
  if (!j.is_string()) {
    report(line_, 0, path, std::string("expected a string, got ") + type_name(j));
    return std::nullopt;
  }
  return j.get<std::string>();
}

std::optional<double> TraceLineReader::Parser::get_number(const json& j, const std::string& path) {
  if (!j.is_number()) {
    report(line_, 0, path, std::string("expected a number, got ") + type_name(j));
    return std::nullopt;
  }
  const double v = j.get<double>();
  if (!std::isfinite(v)) {
    report(line_, 0, path, "must be finite, got " + number_text(v));
    return std::nullopt;
  }
  return v;
}

std::optional<sim::Time> TraceLineReader::Parser::get_latency(const json& j, const std::string& path) {
  const auto v = get_number(j, path);
  if (!v) return std::nullopt;
  if (*v < 0) {
    report(line_, 0, path, "must be >= 0, got " + number_text(*v));
    return std::nullopt;
  }
  if (*v > kMaxLatencySeconds) {
    report(line_, 0, path, "must be at most 1e6 seconds, got " + number_text(*v));
    return std::nullopt;
  }
  return sim::Time::from_seconds(*v);
}

std::optional<std::int64_t> TraceLineReader::Parser::get_integer(const json& j, const std::string& path, std::int64_t min,
                                                std::int64_t max) {
  if (j.is_number_float()) {
    const double v = j.get<double>();
    if (!std::isfinite(v)) report(line_, 0, path, "must be finite, got " + number_text(v));
    else if (v < static_cast<double>(min)) report(line_, 0, path, "must be >= " + std::to_string(min) + ", got " + number_text(v));
    else report(line_, 0, path, "expected an integer, got " + number_text(v));
    return std::nullopt;
  }
  if (!j.is_number_integer()) {
    report(line_, 0, path, std::string("expected an integer, got ") + type_name(j));
    return std::nullopt;
  }
  if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    report(line_, 0, path, "must be at most " + std::to_string(max) + ", got " + std::to_string(j.get<std::uint64_t>()));
    return std::nullopt;
  }
  const std::int64_t v = j.is_number_unsigned() ? static_cast<std::int64_t>(j.get<std::uint64_t>())
                                                : j.get<std::int64_t>();
  if (v < min) {
    report(line_, 0, path, "must be >= " + std::to_string(min) + ", got " + std::to_string(v));
    return std::nullopt;
  }
  if (v > max) {
    report(line_, 0, path, "must be at most " + std::to_string(max) + ", got " + std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> TraceLineReader::Parser::get_bool(const json& j, const std::string& path) {
  if (!j.is_boolean()) {
    report(line_, 0, path, std::string("expected true or false, got ") + type_name(j));
    return std::nullopt;
  }
  return j.get<bool>();
}

void TraceLineReader::Parser::parse_task_id(const json& id, Task& task) {
  if (auto s = get_string(id, "task_id")) {
    if (s->empty()) {
      report(line_, 0, "task_id", "must not be empty");
    } else if (auto [it, inserted] = id_lines_.emplace(*s, line_); !inserted) {
      report(line_, 0, "task_id", "duplicate task id '" + *s + "' (first defined on line " +
                                      std::to_string(it->second) + ")");
    }
    task.task_id = std::move(*s);
  }
}

void TraceLineReader::Parser::parse_features(const json& f, Task& task) {
  if (!f.is_array()) {
    report(line_, 0, "features", std::string("expected an array of numbers, got ") + type_name(f));
  } else {
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (auto v = get_number(f[i], index("features", i))) task.features.push_back(*v);
    }
    if (!f.empty()) {
      if (!feature_size_) {
        feature_size_ = std::make_pair(f.size(), line_);
      } else if (feature_size_->first != f.size()) {
        report(line_, 0, "features", "has " + std::to_string(f.size()) + " values, but the task on line " +
                                         std::to_string(feature_size_->second) + " has " +
                                         std::to_string(feature_size_->first) + " (all tasks need the same length)");
      }
    }
  }
}

void TraceLineReader::Parser::parse_steps(const json& steps, Task& task) {
  if (!steps.is_array()) {
    report(line_, 0, "steps", std::string("expected an array of steps, got ") + type_name(steps));
  } else if (steps.empty()) {
    report(line_, 0, "steps", "a task needs at least one step");
  } else {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (auto s = parse_step(steps[i], index("steps", i))) task.steps.push_back(std::move(*s));
    }
    // Indices are only meaningful when every step parsed.
    const std::size_t checked = task.steps.size() == steps.size() ? task.steps.size() : 0;
    for (std::size_t i = 0; i + 1 < checked; ++i) {
      if (task.steps[i].target.action == kTerminateAction) {
        report(line_, 0, index("steps", i) + ".target.action",
               std::string(kTerminateAction) + " ends the task, so only the last step may have it");
      }
    }
  }
}

std::optional<Task> TraceLineReader::Parser::parse_task(const json& j) {
  const std::size_t errors_before = error_count_;
  expect_object(j, "", {"task_id", "task", "features", "steps", "rounds", "measured", "training", "source"});
  Task task;

  if (const json* id = member(j, "task_id", "", true)) parse_task_id(*id, task);
  if (const json* text = member(j, "task", "", true)) {
    if (auto s = get_string(*text, "task")) task.task = std::move(*s);
  }

  if (const json* f = member(j, "features", "", false)) parse_features(*f, task);
  if (const json* steps = member(j, "steps", "", true)) parse_steps(*steps, task);

  if (const json* rounds = member(j, "rounds", "", false)) {
    if (!rounds->is_array()) {
      report(line_, 0, "rounds", std::string("expected an array of rounds, got ") + type_name(*rounds));
    } else {
      for (std::size_t i = 0; i < rounds->size(); ++i) {
        if (auto r = parse_round((*rounds)[i], index("rounds", i))) task.rounds.push_back(*r);
      }
    }
  }

  if (const json* m = member(j, "measured", "", false)) task.measured = parse_measured(*m, "measured");

  if (const json* training = member(j, "training", "", false)) {
    if (!training->is_array()) {
      report(line_, 0, "training", std::string("expected an array of training jobs, got ") + type_name(*training));
    } else {
      for (std::size_t i = 0; i < training->size(); ++i)
        if (auto job = parse_training_job((*training)[i], index("training", i))) task.training.push_back(std::move(*job));
    }
  }

  if (const json* src = member(j, "source", "", false)) {
    if (!src->is_object()) report(line_, 0, "source", std::string("expected an object, got ") + type_name(*src));
    else task.source = *src;
  }

  if (error_count_ != errors_before) return std::nullopt;
  check_rounds(task);
  if (error_count_ != errors_before) return std::nullopt;
  return task;
}

// Rounds must tile the steps in order, each committing at most its k steps.
void TraceLineReader::Parser::check_rounds(const Task& task) {
  const auto n = static_cast<std::int64_t>(task.steps.size());
  for (std::size_t i = 0; i < task.rounds.size(); ++i) {
    const Round& r = task.rounds[i];
    const std::string path = index("rounds", i);
    if (i == 0 && r.start_step != 0) {
      report(line_, 0, path + ".start_step", "the first round must start at step 0, got " + std::to_string(r.start_step));
      return;
    }
    if (r.start_step >= n) {
      report(line_, 0, path + ".start_step", "must be less than the number of steps (" + std::to_string(n) +
                                                 "), got " + std::to_string(r.start_step));
      return;
    }
    const std::int64_t next = i + 1 < task.rounds.size() ? task.rounds[i + 1].start_step : n;
    if (next <= r.start_step) {
      report(line_, 0, index("rounds", i + 1) + ".start_step",
             "rounds must start at increasing steps, got " + std::to_string(next) + " after " + std::to_string(r.start_step));
      return;
    }
    if (next - r.start_step > r.k) {
      report(line_, 0, path + ".k", "the round commits " + std::to_string(next - r.start_step) + " steps (from step " +
                                        std::to_string(r.start_step) + "), more than k = " + std::to_string(r.k));
    }
  }
}

std::optional<Step> TraceLineReader::Parser::parse_step(const json& j, const std::string& path) {
  if (!expect_object(j, path, {"target", "approx", "match", "confidence", "logprob", "env"})) return std::nullopt;
  Step step;
  bool ok = true;
  if (const json* t = member(j, "target", path, true)) {
    if (auto a = parse_agent_step(*t, join(path, "target"), true)) step.target = std::move(*a);
    else ok = false;
  } else {
    ok = false;
  }
  if (const json* a = member(j, "approx", path, false)) {
    step.approx = parse_agent_step(*a, join(path, "approx"), false);
    ok = ok && step.approx.has_value();
  }
  if (const json* m = member(j, "match", path, false)) {
    step.match = get_bool(*m, join(path, "match"));
    ok = ok && step.match.has_value();
  }
  if (const json* e = member(j, "env", path, false)) {
    step.env = parse_environment_step(*e, join(path, "env"));
    ok = ok && step.env.has_value();
  }
  const json* confidence = member(j, "confidence", path, false);
  const json* logprob = member(j, "logprob", path, false);
  if ((confidence || logprob) && !j.contains("approx")) {
    report(line_, 0, join(path, confidence ? "confidence" : "logprob"), "a confidence needs a guess (approx)");
    ok = false;
  } else if (confidence && logprob) {
    report(line_, 0, join(path, "logprob"), "give confidence or logprob, not both");
    ok = false;
  } else if (confidence) {
    auto c = get_number(*confidence, join(path, "confidence"));
    if (c && (*c < 0 || *c > 1)) {
      report(line_, 0, join(path, "confidence"), "must be in [0, 1], got " + number_text(*c));
      c.reset();
    }
    step.confidence = c;
    ok = ok && c.has_value();
  } else if (logprob) {
    auto l = get_number(*logprob, join(path, "logprob"));
    if (l && *l > 0) {
      report(line_, 0, join(path, "logprob"), "must be <= 0 (a log-probability), got " + number_text(*l));
      l.reset();
    }
    if (l) step.confidence = std::exp(*l);
    ok = ok && l.has_value();
  }
  if (!ok) return std::nullopt;
  return step;
}

std::optional<EnvironmentStep> TraceLineReader::Parser::parse_environment_step(const json& j, const std::string& path) {
  if (!expect_object(j, path, {"tool", "latency_s", "price_usd", "side_effect_free"})) return std::nullopt;
  EnvironmentStep env;
  bool ok = true;
  if (const json* v = member(j, "tool", path, true)) {
    auto s = get_string(*v, join(path, "tool"));
    if (s && s->empty()) {
      report(line_, 0, join(path, "tool"), "must not be empty");
      s.reset();
    }
    if (s) env.tool = std::move(*s);
    ok = ok && s.has_value();
  } else {
    ok = false;
  }
  if (const json* v = member(j, "latency_s", path, true)) {
    const auto t = get_latency(*v, join(path, "latency_s"));
    if (t) env.latency = *t;
    ok = ok && t.has_value();
  } else {
    ok = false;
  }
  if (const json* v = member(j, "price_usd", path, false)) {
    auto p = get_number(*v, join(path, "price_usd"));
    if (p && (*p < 0 || *p > 1e6)) {
      report(line_, 0, join(path, "price_usd"), "must be in [0, 1000000], got " + number_text(*p));
      p.reset();
    }
    if (p) env.price_usd = *p;
    ok = ok && p.has_value();
  }
  if (const json* v = member(j, "side_effect_free", path, true)) {
    const auto b = get_bool(*v, join(path, "side_effect_free"));
    if (b) env.side_effect_free = *b;
    ok = ok && b.has_value();
  } else {
    ok = false;
  }
  if (!ok) return std::nullopt;
  return env;
}

std::optional<AgentStep> TraceLineReader::Parser::parse_agent_step(const json& j, const std::string& path, bool is_target) {
  if (!expect_object(j, path, {"action", "calls", "alternatives"})) return std::nullopt;
  AgentStep agent;
  bool ok = true;
  if (const json* alts = member(j, "alternatives", path, false)) {
    const std::string apath = join(path, "alternatives");
    if (is_target) {
      report(line_, 0, apath, "only the approximation's guess has alternatives");
      ok = false;
    } else if (!alts->is_array() || alts->size() > 63) {
      report(line_, 0, apath, "expected an array of at most 63 strings (the guess's further candidates)");
      ok = false;
    } else {
      for (std::size_t i = 0; i < alts->size(); ++i) {
        if (auto s = get_string((*alts)[i], index(apath, i))) agent.alternatives.push_back(std::move(*s));
        else ok = false;
      }
    }
  }
  if (const json* a = member(j, "action", path, true)) {
    if (auto s = get_string(*a, join(path, "action"))) {
      if (is_target && s->empty()) {
        report(line_, 0, join(path, "action"), "the target's action must not be empty");
        ok = false;
      }
      agent.action = std::move(*s);
    } else {
      ok = false;
    }
  } else {
    ok = false;
  }
  if (const json* calls = member(j, "calls", path, true)) {
    const std::string cpath = join(path, "calls");
    if (!calls->is_array()) {
      report(line_, 0, cpath, std::string("expected an array of calls, got ") + type_name(*calls));
      ok = false;
    } else if (calls->empty()) {
      report(line_, 0, cpath, "needs at least one call");
      ok = false;
    } else {
      for (std::size_t i = 0; i < calls->size(); ++i) {
        if (auto c = parse_call((*calls)[i], index(cpath, i))) agent.calls.push_back(*c);
        else ok = false;
      }
    }
  } else {
    ok = false;
  }
  if (!ok) return std::nullopt;
  return agent;
}

std::optional<Call> TraceLineReader::Parser::parse_call(const json& j, const std::string& path) {
  if (!expect_object(j, path, {"latency_s", "input_tokens", "output_tokens", "attempts"})) return std::nullopt;
  Call call;
  bool ok = true;
  if (const json* v = member(j, "latency_s", path, true)) {
    auto t = get_latency(*v, join(path, "latency_s"));
    if (t) call.latency = *t;
    ok = ok && t.has_value();
  } else {
    ok = false;
  }
  for (auto [key, field] : {std::pair<std::string_view, std::int64_t*>{"input_tokens", &call.input_tokens},
                            std::pair<std::string_view, std::int64_t*>{"output_tokens", &call.output_tokens}}) {
    if (const json* v = member(j, key, path, true)) {
      auto n = get_integer(*v, join(path, key), 0, kMaxTokens);
      if (n) *field = *n;
      ok = ok && n.has_value();
    } else {
      ok = false;
    }
  }
  if (const json* v = member(j, "attempts", path, false)) {
    auto n = get_integer(*v, join(path, "attempts"), 1, kMaxAttempts);
    if (n) call.attempts = *n;
    ok = ok && n.has_value();
  }
  if (!ok) return std::nullopt;
  return call;
}

std::optional<Round> TraceLineReader::Parser::parse_round(const json& j, const std::string& path) {
  if (!expect_object(j, path, {"start_step", "k", "predicted_k", "predictor_latency_s"})) return std::nullopt;
  Round round;
  bool ok = true;
  if (const json* v = member(j, "start_step", path, true)) {
    auto n = get_integer(*v, join(path, "start_step"), 0, std::numeric_limits<std::int64_t>::max());
    if (n) round.start_step = *n;
    ok = ok && n.has_value();
  } else {
    ok = false;
  }
  if (const json* v = member(j, "k", path, true)) {
    auto n = get_integer(*v, join(path, "k"), 1, std::numeric_limits<std::int64_t>::max());
    if (n) round.k = *n;
    ok = ok && n.has_value();
  } else {
    ok = false;
  }
  if (const json* v = member(j, "predicted_k", path, false)) {
    round.predicted_k = get_integer(*v, join(path, "predicted_k"), std::numeric_limits<std::int64_t>::min(),
                                    std::numeric_limits<std::int64_t>::max());
    ok = ok && round.predicted_k.has_value();
  }
  if (const json* v = member(j, "predictor_latency_s", path, false)) {
    round.predictor_latency = get_latency(*v, join(path, "predictor_latency_s"));
    ok = ok && round.predictor_latency.has_value();
  }
  if (!ok) return std::nullopt;
  return round;
}

std::optional<Measured> TraceLineReader::Parser::parse_measured(const json& j, const std::string& path) {
  if (!expect_object(j, path, {"latency_s", "sequential_s"})) return std::nullopt;
  Measured m;
  bool ok = true;
  if (const json* v = member(j, "latency_s", path, false)) {
    m.latency = get_latency(*v, join(path, "latency_s"));
    ok = ok && m.latency.has_value();
  }
  if (const json* v = member(j, "sequential_s", path, false)) {
    m.sequential = get_latency(*v, join(path, "sequential_s"));
    ok = ok && m.sequential.has_value();
  }
  if (!ok) return std::nullopt;
  return m;
}

std::optional<TrainingJob> TraceLineReader::Parser::parse_training_job(const json& j, const std::string& path) {
  if (!expect_object(j, path, {"epochs"})) return std::nullopt;
  const json* epochs = member(j, "epochs", path, true);
  if (!epochs) return std::nullopt;
  const std::string epath = join(path, "epochs");
  if (!epochs->is_array() || epochs->empty()) {
    report(line_, 0, epath, std::string("expected a non-empty array of epochs, got ") +
                                (epochs->is_array() ? "an empty array" : type_name(*epochs)));
    return std::nullopt;
  }
  TrainingJob job;
  bool ok = true;
  for (std::size_t i = 0; i < epochs->size(); ++i) {
    auto e = parse_training_epoch((*epochs)[i], index(epath, i));
    if (e && !job.epochs.empty() && e->at < job.epochs.back().at) {
      report(line_, 0, join(index(epath, i), "at_s"), "epochs must be in time order");
      e.reset();
    }
    if (e) job.epochs.push_back(*e);
    else ok = false;
  }
  if (!ok) return std::nullopt;
  return job;
}

std::optional<TrainingEpoch> TraceLineReader::Parser::parse_training_epoch(const json& j, const std::string& path) {
  if (!expect_object(j, path, {"at_s", "loss", "accuracy", "trajectories"})) return std::nullopt;
  TrainingEpoch e;
  bool ok = true;
  if (const json* v = member(j, "at_s", path, true)) {
    auto t = get_latency(*v, join(path, "at_s"));
    if (t) e.at = *t;
    ok = ok && t.has_value();
  } else {
    ok = false;
  }
  if (const json* v = member(j, "loss", path, true)) {
    auto l = get_number(*v, join(path, "loss"));
    if (l && *l < 0) {
      report(line_, 0, join(path, "loss"), "must be >= 0, got " + number_text(*l));
      l.reset();
    }
    if (l) e.loss = *l;
    ok = ok && l.has_value();
  } else {
    ok = false;
  }
  if (const json* v = member(j, "accuracy", path, true)) {
    auto a = get_number(*v, join(path, "accuracy"));
    if (a && (*a < 0 || *a > 1)) {
      report(line_, 0, join(path, "accuracy"), "must be in [0, 1], got " + number_text(*a));
      a.reset();
    }
    if (a) e.accuracy = *a;
    ok = ok && a.has_value();
  } else {
    ok = false;
  }
  if (const json* v = member(j, "trajectories", path, false)) {
    e.trajectories = get_integer(*v, join(path, "trajectories"), 1, std::numeric_limits<std::int64_t>::max());
    ok = ok && e.trajectories.has_value();
  }
  if (!ok) return std::nullopt;
  return e;
}

TraceLineReader::TraceLineReader(std::string name, bool collect)
    : parser_(std::make_unique<Parser>(std::move(name), collect)) {}
TraceLineReader::~TraceLineReader() = default;
std::optional<Task> TraceLineReader::next_line(std::string_view line) { return parser_->next_line(line); }
void TraceLineReader::finish() { parser_->finish(); }
const std::vector<sim::InputError>& TraceLineReader::errors() const { return parser_->errors(); }
std::size_t TraceLineReader::error_count() const { return parser_->error_count(); }

namespace {
// Text already in memory, split as a file is read.
void for_each_text_line(std::string_view text, const std::function<void(std::string_view)>& visit) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    visit(text.substr(pos, end - pos));
    pos = end + 1;
  }
}
}  // namespace

Trace parse_trace(std::string_view text, const std::string& name) {
  Trace trace;
  trace.file = name;
  TraceLineReader reader(name, false);
  for_each_text_line(text, [&](std::string_view line) {
    if (auto task = reader.next_line(line)) trace.tasks.push_back(std::move(*task));
  });
  reader.finish();
  return trace;
}

std::vector<sim::InputError> validate_trace_text(std::string_view text, const std::string& name) {
  TraceLineReader reader(name, true);
  for_each_text_line(text, [&](std::string_view line) { reader.next_line(line); });
  reader.finish();
  return reader.errors();
}

Trace read_trace(const std::string& path) {
  Trace trace;
  trace.file = path;
  TraceLineReader reader(path, false);
  sim::for_each_line(path, [&](std::string_view line) {
    if (auto task = reader.next_line(line)) trace.tasks.push_back(std::move(*task));
  });
  reader.finish();
  return trace;
}

TraceCheck check_trace_file(const std::string& path) {
  TraceCheck check;
  TraceLineReader reader(path, true);
  try {
    sim::for_each_line(path, [&](std::string_view line) {
      if (auto task = reader.next_line(line)) {
        ++check.tasks;
        check.steps += task->steps.size();
      }
    });
  } catch (const sim::InputError& e) {
    check.errors = {e};
    check.error_count = 1;
    return check;
  }
  reader.finish();
  check.errors = reader.errors();
  check.error_count = reader.error_count();
  return check;
}

std::vector<sim::InputError> validate_trace(const std::string& path) { return check_trace_file(path).errors; }

}  // namespace specsim::models::trace

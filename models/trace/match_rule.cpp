#include "models/trace/match_rule.hpp"
#include "models/trace/json_depth.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace specsim::models::trace {

namespace {

bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// ASCII punctuation: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~ (what ispunct says in the C locale).
bool is_punct(unsigned char c) {
  return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && is_space(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits at commas outside brackets; an argument that starts with a quote runs to its closing
// quote (backslash escapes), so "a, b" inside quotes stays one argument while the apostrophe of
// don't does not open a quote.
std::vector<std::string> split_args(std::string_view s) {
  std::vector<std::string> out;
  if (trim(s).empty()) return out;
  std::size_t i = 0, start = 0;
  int depth = 0;
  bool at_arg_start = true;
  while (i < s.size()) {
    const char c = s[i];
    if (at_arg_start && is_space(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (at_arg_start && (c == '"' || c == '\'')) {
      at_arg_start = false;
      ++i;
      while (i < s.size() && s[i] != c) i += s[i] == '\\' ? 2 : 1;
      ++i;  // past the closing quote (or the end)
      continue;
    }
    at_arg_start = false;
    if (c == '(' || c == '[' || c == '{') ++depth;
    else if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    else if (c == ',' && depth == 0) {
      out.push_back(normalize_text(s.substr(start, i - start)));
      start = i + 1;
      at_arg_start = true;
    }
    ++i;
  }
  out.push_back(normalize_text(s.substr(std::min(start, s.size()))));
  return out;
}


constexpr int kMaxJsonDepth = 32;

std::string value_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::vector<std::string> json_args(const nlohmann::json& args) {
  std::vector<std::string> out;
  if (args.is_array()) {
    for (const auto& v : args) out.push_back(normalize_text(value_text(v)));
  } else if (args.is_object()) {
    for (const auto& [key, v] : args.items()) out.push_back(normalize_text(key + "=" + value_text(v)));
  } else if (args.is_string()) {
    return split_args(args.get_ref<const std::string&>());
  } else if (!args.is_null()) {
    out.push_back(normalize_text(args.dump()));
  }
  return out;
}

std::optional<nlohmann::json> parse_json(std::string_view text) {
  if (json_nesting_depth(text) > kMaxJsonDepth) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// {"name": "...", "arguments": ...}; nullopt when the text is not such an object.
std::optional<FunctionCall> parse_json_call(std::string_view text) {
  auto j = parse_json(text);
  if (!j || !j->is_object()) return std::nullopt;
  auto name = j->find("name");
  if (name == j->end() || !name->is_string()) return std::nullopt;
  FunctionCall call;
  call.name = normalize_text(name->get_ref<const std::string&>());
  auto args = j->find("arguments");
  if (args == j->end()) args = j->find("args");
  if (args == j->end()) return call;
  // OpenAI-style tool calls carry their arguments as a JSON-encoded string.
  if (args->is_string()) {
    const std::string& s = args->get_ref<const std::string&>();
    const std::string_view t = trim(s);
    if (!t.empty() && (t.front() == '{' || t.front() == '[')) {
      if (auto inner = parse_json(t); inner && (inner->is_object() || inner->is_array())) {
        call.args = json_args(*inner);
        return call;
      }
    }
  }
  call.args = json_args(*args);
  return call;
}

}  // namespace

std::string normalize_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_space(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (is_punct(c)) continue;
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : ch);
  }
  return out;
}

FunctionCall parse_function_call(std::string_view action) {
  const std::string_view s = trim(action);
  if (!s.empty() && s.front() == '{' && s.back() == '}') {
    if (auto call = parse_json_call(s)) return *call;
  }
  const std::size_t open = s.find_first_of("([");
  if (open != std::string_view::npos) {
    const char close = s[open] == '(' ? ')' : ']';
    if (s.size() >= open + 2 && s.back() == close) {
      return FunctionCall{normalize_text(s.substr(0, open)), split_args(s.substr(open + 1, s.size() - open - 2))};
    }
  }
  return FunctionCall{normalize_text(s), {}};
}

std::string joined_args(const FunctionCall& call) {
  std::string out;
  for (std::size_t i = 0; i < call.args.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += call.args[i];
  }
  return out;
}

std::size_t levenshtein(std::string_view a, std::string_view b) {
  if (a.size() < b.size()) std::swap(a, b);  // the row runs over the shorter string
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];  // row[i-1][j-1]
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];  // row[i-1][j]
      row[j] = std::min({up + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

double levenshtein_similarity(std::string_view a, std::string_view b) {
  const std::size_t longest = std::max(a.size(), b.size());
  if (longest == 0) return 1.0;
  return 1.0 - static_cast<double>(levenshtein(a, b)) / static_cast<double>(longest);
}

bool similarity_at_least(std::string_view a, std::string_view b, double threshold) {
  constexpr double kTie = 1e-12;
  const std::size_t longest = std::max(a.size(), b.size());
  if (longest == 0) return true;
  // The distance is at least the difference of the lengths.
  const double bound = static_cast<double>(std::min(a.size(), b.size())) / static_cast<double>(longest);
  if (bound + kTie < threshold) return false;
  return levenshtein_similarity(a, b) + kTie >= threshold;
}

bool ExactMatch::matches(std::string_view target_action, std::string_view guess) const {
  return !guess.empty() && target_action == guess;
}

bool NormalizedMatch::matches(std::string_view target_action, std::string_view guess) const {
  const std::string g = normalize_text(guess);
  return !g.empty() && normalize_text(target_action) == g;
}

FunctionArgsMatch::FunctionArgsMatch(double threshold) : threshold_(threshold) {}

bool FunctionArgsMatch::matches(std::string_view target_action, std::string_view guess) const {
  if (guess.empty()) return false;
  const FunctionCall t = parse_function_call(target_action);
  const FunctionCall g = parse_function_call(guess);
  if (g.name.empty() && g.args.empty()) return false;  // nothing left of the guess
  return t.name == g.name && similarity_at_least(joined_args(t), joined_args(g), threshold_);
}

std::string FunctionArgsMatch::describe() const {
  std::ostringstream out;
  out << "function_args(threshold=" << threshold_ << ")";
  return out.str();
}

bool step_matches(const Step& step, const MatchRule& rule) {
  if (step.match) return *step.match;
  if (!step.approx) return false;
  return rule.matches(step.target.action, step.approx->action);
}

int candidate_rank(const Step& step, const MatchRule& rule) {
  if (step_matches(step, rule)) return 0;
  if (!step.approx) return -1;
  const auto& alternatives = step.approx->alternatives;
  for (std::size_t i = 0; i < alternatives.size(); ++i)
    if (rule.matches(step.target.action, alternatives[i])) return static_cast<int>(i) + 1;
  return -1;
}

namespace {

// A rule without parameters: just the name, or a map with only `kind`.
template <class Rule>
std::unique_ptr<MatchRule> decode_plain(const sim::ConfigNode& node) {
  if (node.is_map()) node.expect_keys({"kind"});
  return std::make_unique<Rule>();
}

std::unique_ptr<MatchRule> decode_function_args(const sim::ConfigNode& node) {
  double threshold = FunctionArgsMatch::kDefaultThreshold;
  if (node.is_map()) {
    node.expect_keys({"kind", "threshold"});
    if (auto t = node.find("threshold")) {
      threshold = t->as<double>();
      if (threshold < 0 || threshold > 1) t->fail("must be between 0 and 1, got " + t->as<std::string>());
    }
  }
  return std::make_unique<FunctionArgsMatch>(threshold);
}

}  // namespace

const sim::Registry<std::unique_ptr<MatchRule>>& match_rule_registry() {
  static const sim::Registry<std::unique_ptr<MatchRule>> registry{"match rule", {
      {"exact", decode_plain<ExactMatch>},
      {"normalized", decode_plain<NormalizedMatch>},
      {"function_args", decode_function_args},
  }};
  return registry;
}

std::unique_ptr<MatchRule> decode_match_rule(const sim::ConfigNode& node) {
  if (node.is_null() || !(node.is_scalar() || node.is_map()))
    node.fail("expected a match rule name (" + match_rule_registry().names() + ") or a mapping with `kind`");
  return match_rule_registry().decode(node.is_map() ? node.at("kind") : node, node);
}

std::unique_ptr<MatchRule> make_match_rule(std::string_view kind) {
  if (!match_rule_registry().contains(kind)) return nullptr;
  // The rule's name alone, as a scenario would give it: its decoder's defaults.
  const sim::ConfigNode name(YAML::Node(std::string(kind)), std::make_shared<const std::string>(), "match_rule");
  return match_rule_registry().decode(name);
}

}  // namespace specsim::models::trace

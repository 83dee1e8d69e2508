#pragma once
// Match rules: when does A's guess count as T's action? Chosen by name from YAML through a small
// registry (docs/traces.md, "Match rules"):
//
//   match_rule: exact                                   # byte-for-byte equality (DSP's own rule)
//   match_rule: normalized                              # case, white space and punctuation ignored
//   match_rule: {kind: function_args, threshold: 0.8}   # same tool, similar arguments
//
// An empty guess never matches, under every rule. A step's recorded verdict wins over any rule
// (step_matches).
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/trace/trace.hpp"
#include "sim/config_node.hpp"
#include "sim/registry.hpp"

namespace specsim::models::trace {

class MatchRule {
 public:
  virtual ~MatchRule() = default;
  // Whether `guess` (A's) stands for `target_action` (T's). False whenever guess is empty.
  virtual bool matches(std::string_view target_action, std::string_view guess) const = 0;
  // The registry name ("exact", "normalized", "function_args").
  virtual std::string_view kind() const = 0;
  // The rule with its parameters, for reports: "function_args(threshold=0.8)".
  virtual std::string describe() const { return std::string(kind()); }
};

// Byte-for-byte equality.
class ExactMatch final : public MatchRule {
 public:
  bool matches(std::string_view target_action, std::string_view guess) const override;
  std::string_view kind() const override { return "exact"; }
};

// Equality after normalize_text(): "  Image-Deblurring! " matches "imagedeblurring". A guess
// that normalizes to nothing (" ?! ") never matches.
class NormalizedMatch final : public MatchRule {
 public:
  bool matches(std::string_view target_action, std::string_view guess) const override;
  std::string_view kind() const override { return "normalized"; }
};

// Tool calls: the same function name (normalized) and similarity_at_least(joined_args(target),
// joined_args(guess), threshold). A guess with neither a name nor arguments ("()") never matches.
class FunctionArgsMatch final : public MatchRule {
 public:
  static constexpr double kDefaultThreshold = 0.8;
  explicit FunctionArgsMatch(double threshold = kDefaultThreshold);
  bool matches(std::string_view target_action, std::string_view guess) const override;
  std::string_view kind() const override { return "function_args"; }
  std::string describe() const override;
  double threshold() const { return threshold_; }

 private:
  double threshold_;
};

// ASCII letters lowercased, ASCII punctuation deleted (not replaced: "Image-Deblurring" becomes
// "imagedeblurring"), runs of ASCII white space collapsed to one space, leading and trailing
// white space trimmed. Other bytes (UTF-8 text) are kept as they are.
std::string normalize_text(std::string_view s);

// An action read as a function call. Accepted forms (white space around the parts is ignored):
//   Name(arg, arg, ...)      Name[arg, arg, ...]      {"name": "Name", "arguments": ...}
// and anything else as a bare name without arguments ("TERMINATE", "Image Deblurring").
// `name` is normalize_text of the name; `args` are the arguments, split at top-level commas (not
// inside quotes or brackets), each normalize_text'ed. A JSON form's "arguments" (or "args") may be
// a string (split like the bracket forms), an array (one argument per element) or an object (one
// "key=value" argument per member, in key order); strings are taken without their quotes, other
// values as compact JSON.
struct FunctionCall {
  std::string name;
  std::vector<std::string> args;
  bool operator==(const FunctionCall&) const = default;
};
FunctionCall parse_function_call(std::string_view action);

// The normalized argument string compared by function_args: the arguments joined with ",".
std::string joined_args(const FunctionCall& call);

// Byte-level Levenshtein distance (insert, delete, substitute: cost 1 each).
std::size_t levenshtein(std::string_view a, std::string_view b);

// 1 - levenshtein(a, b) / max(|a|, |b|); 1 when both are empty.
double levenshtein_similarity(std::string_view a, std::string_view b);

// Whether levenshtein_similarity(a, b) >= threshold, without computing the distance when the
// lengths alone rule it out. Ties within 1e-12 count as reaching the threshold (0.8 is reached
// by one edit in five characters despite rounding).
bool similarity_at_least(std::string_view a, std::string_view b, double threshold);

// The verdict of a step: its recorded `match` flag if present (it wins over any rule), else the
// rule on the target's action and the approximation's guess; a step without a guess never matches.
bool step_matches(const Step& step, const MatchRule& rule);
// Top-K: 0 when the step matches, else 1 + the index of the first of the guess's alternatives
// that the rule matches with the target's action, else -1.
int candidate_rank(const Step& step, const MatchRule& rule);

// Registry: name -> decoder of the rule's YAML (a map with `kind`, or just the name).
const sim::Registry<std::unique_ptr<MatchRule>>& match_rule_registry();

// `match_rule: normalized` or `match_rule: {kind: function_args, threshold: 0.8}`. Unknown kinds,
// unknown keys and out-of-range parameters are sim::InputErrors naming file, line and field.
std::unique_ptr<MatchRule> decode_match_rule(const sim::ConfigNode& node);

// A rule by name with default parameters; nullptr for an unknown name.
std::unique_ptr<MatchRule> make_match_rule(std::string_view kind);

}  // namespace specsim::models::trace

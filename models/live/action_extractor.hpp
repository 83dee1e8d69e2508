#pragma once
// How the action is read from the answer of an agent's step-closing call (scenario key `action`):
//
//   action: content                        # the whole answer, trimmed (the default)
//   action: {regex: "Action:\\s*(.+)"}     # the first capture group (or the whole match)
//   action: {json_field: action}           # a field of the answer read as a JSON object
//   action: tool_calls                     # the first tool call, as {"name": ..., "arguments": ...}
//
// The tool-call form is what the function_args match rule reads (models/trace/match_rule.hpp).
// An answer the extractor finds nothing in gives nullopt: the backend records a failed call.
//
// Top-K (A asked for K candidates in one call): the answer is a list, best first, either a JSON
// array (the whole answer, optionally in a ``` fence) or lines numbered "1." / "1)"; the extractor
// reads each item as if it were a whole answer. With `tool_calls`, each tool call is a candidate.
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "models/live/openai.hpp"
#include "sim/config_node.hpp"

namespace specsim::models::live {

class ActionExtractor {
 public:
  enum class Kind { content, regex, json_field, tool_calls };
  ActionExtractor() = default;
  static ActionExtractor decode(const sim::ConfigNode& node);

  std::optional<std::string> extract(const ChatResult& answer) const;
  // The first `k` candidates of a list answer, best first ("" for an item the extractor finds
  // nothing in: a guess that never matches); nullopt when the answer holds no list.
  std::optional<std::vector<std::string>> extract_candidates(const ChatResult& answer, int k) const;
  Kind kind() const { return kind_; }
  bool wants_tools() const { return kind_ == Kind::tool_calls; }

 private:
  Kind kind_ = Kind::content;
  std::string argument_;  // the pattern or the field
  std::regex regex_;
};

}  // namespace specsim::models::live

#include "models/live/action_extractor.hpp"

#include <nlohmann/json.hpp>

#include "sim/registry.hpp"

namespace specsim::models::live {

namespace {

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Models often wrap JSON in a ```json fence: read what is between the first '{' and the last '}'.
std::optional<nlohmann::json> json_object_in(const std::string& text) {
  const auto b = text.find('{');
  const auto e = text.rfind('}');
  if (b == std::string::npos || e == std::string::npos || e < b) return std::nullopt;
  auto j = nlohmann::json::parse(text.begin() + static_cast<std::ptrdiff_t>(b),
                                 text.begin() + static_cast<std::ptrdiff_t>(e) + 1, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

// The items of a list answer: a JSON array (strings as they are, other items as JSON text), else
// the lines numbered "<n>." or "<n>)", in the order written; empty when there is neither.
std::vector<std::string> list_items(const std::string& content) {
  std::string text = trim(content);
  if (text.rfind("```", 0) == 0) {  // a fenced block: what is between the fences
    const auto body = text.find('\n');
    const auto close = text.rfind("```");
    text = body != std::string::npos && close > body ? trim(std::string_view(text).substr(body + 1, close - body - 1)) : "";
  }
  std::vector<std::string> items;
  if (!text.empty() && text.front() == '[') {
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_discarded() && j.is_array()) {
      for (const auto& item : j) items.push_back(item.is_string() ? item.get<std::string>() : item.dump());
      return items;
    }
  }
  static const std::regex numbered(R"(^\s*\d{1,2}\s*[.)]\s*(.*\S)\s*$)");
  std::size_t pos = 0;
  while (pos <= content.size()) {
    const auto nl = std::min(content.find('\n', pos), content.size());
    const std::string line = content.substr(pos, nl - pos);
    std::smatch m;
    if (std::regex_match(line, m, numbered)) items.push_back(m[1].str());
    pos = nl + 1;
  }
  return items;
}

}  // namespace

std::optional<std::vector<std::string>> ActionExtractor::extract_candidates(const ChatResult& answer, int k) const {
  std::vector<std::string> out;
  if (kind_ == Kind::tool_calls && !answer.tool_calls.empty()) {
    for (const auto& call : answer.tool_calls) {
      ChatResult one;
      one.tool_calls.push_back(call);
      out.push_back(extract(one).value_or(""));
    }
  } else {
    for (auto& item : list_items(answer.content)) {
      ChatResult one;
      one.content = std::move(item);
      out.push_back(extract(one).value_or(""));
    }
  }
  if (out.empty()) return std::nullopt;
  if (out.size() > static_cast<std::size_t>(k)) out.resize(static_cast<std::size_t>(k));
  return out;
}

ActionExtractor ActionExtractor::decode(const sim::ConfigNode& node) {
  ActionExtractor x;
  if (node.is_scalar()) {  // the extractors without parameters; the others are maps
    static const sim::Registry<Kind> names("action extractor (or a map {regex: ...} or {json_field: ...})",
                                           {{"content", sim::Registry<Kind>::constant(Kind::content)},
                                            {"tool_calls", sim::Registry<Kind>::constant(Kind::tool_calls)}});
    x.kind_ = names.decode(node);
    return x;
  }
  node.expect_keys({"regex", "json_field"});
  if (node.has("regex") == node.has("json_field")) node.fail("give exactly one of regex, json_field");
  if (auto r = node.find("regex")) {
    x.kind_ = Kind::regex;
    x.argument_ = r->as<std::string>();
    try {
      x.regex_ = std::regex(x.argument_, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      r->fail(std::string("not a valid regular expression: ") + e.what());
    }
  } else {
    x.kind_ = Kind::json_field;
    x.argument_ = node.get<std::string>("json_field");
    if (x.argument_.empty()) node.at("json_field").fail("must not be empty");
  }
  return x;
}

std::optional<std::string> ActionExtractor::extract(const ChatResult& answer) const {
  switch (kind_) {
    case Kind::content: {
      std::string s = trim(answer.content);
      if (s.empty()) return std::nullopt;
      return s;
    }
    case Kind::regex: {
      std::smatch m;
      if (!std::regex_search(answer.content, m, regex_)) return std::nullopt;
      std::string a = trim(m.size() > 1 && m[1].matched ? m[1].str() : m[0].str());
      if (a.empty()) return std::nullopt;
      return a;
    }
    case Kind::json_field: {
      const auto j = json_object_in(answer.content);
      if (!j) return std::nullopt;
      const auto it = j->find(argument_);
      if (it == j->end() || it->is_null()) return std::nullopt;
      std::string a = it->is_string() ? trim(it->get<std::string>()) : it->dump();
      if (a.empty()) return std::nullopt;
      return a;
    }
    case Kind::tool_calls: {
      // No tool call: the model answered in text, which is how it says it is done, or a plain
      // action; the text (if any) stands for the action.
      if (answer.tool_calls.empty()) {
        std::string s = trim(answer.content);
        if (s.empty()) return std::nullopt;
        return s;
      }
      const ToolCall& call = answer.tool_calls.front();
      return nlohmann::json{{"name", call.name}, {"arguments", call.arguments}}.dump();
    }
  }
  return std::nullopt;
}

}  // namespace specsim::models::live

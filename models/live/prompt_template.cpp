#include "models/live/prompt_template.hpp"

#include <algorithm>
#include <stdexcept>

namespace specsim::models::live {

namespace {

constexpr std::string_view kProtocol = "task: {task_id}\nagent: {agent}\nsteps:\n{steps}";
constexpr std::string_view kProtocolCall = "task: {task_id}\nagent: {agent}\ncall: {call}\nsteps:\n{steps}";
constexpr std::string_view kProtocolCandidates = "task: {task_id}\nagent: {agent}\ncandidates: {candidates}\nsteps:\n{steps}";

std::string numbered_steps(const std::vector<std::string_view>& steps) {
  std::string s;
  for (std::size_t i = 0; i < steps.size(); ++i) s.append(std::to_string(i + 1)).append(". ").append(steps[i]).append("\n");
  return s;
}

std::string value_of(std::string_view name, const PromptContext& c) {
  if (name == "task_id") return std::string(c.task_id);
  if (name == "task") return std::string(c.task);
  if (name == "agent") return sim::name(c.agent);
  if (name == "call") return std::to_string(c.call);
  if (name == "step") return std::to_string(c.steps.size() + 1);
  if (name == "steps") return numbered_steps(c.steps);
  if (name == "candidates") return std::to_string(c.candidates);
  throw std::invalid_argument("unknown placeholder {" + std::string(name) +
                              "} (expected one of task_id, task, agent, call, step, steps, candidates)");
}

}  // namespace

std::string render_template(std::string_view text, const PromptContext& context) {
  std::string out;
  out.reserve(text.size() + 64);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if ((ch == '{' || ch == '}') && i + 1 < text.size() && text[i + 1] == ch) {
      out += ch;
      ++i;
      continue;
    }
    if (ch != '{') {
      out += ch;
      continue;
    }
    const auto close = text.find('}', i);
    if (close == std::string_view::npos) throw std::invalid_argument("unclosed '{' (write {{ for a literal brace)");
    out += value_of(text.substr(i + 1, close - i - 1), context);
    i = close;
  }
  return out;
}

PromptTemplates::PromptTemplates() : user_{std::string(kProtocol)} {}

PromptTemplates PromptTemplates::protocol(int calls, int candidates) {
  PromptTemplates t;
  t.user_.assign(static_cast<std::size_t>(std::max(calls - 1, 0)), std::string(kProtocolCall));
  t.user_.emplace_back(candidates > 1 ? kProtocolCandidates : kProtocol);
  return t;
}

PromptTemplates PromptTemplates::decode(const sim::ConfigNode& node) {
  node.expect_keys({"system", "user"});
  PromptTemplates t;
  const PromptContext probe;
  const auto check = [&probe](const sim::ConfigNode& n) {
    const auto text = n.as<std::string>();
    try {
      (void)render_template(text, probe);
    } catch (const std::invalid_argument& e) {
      n.fail(e.what());
    }
    return text;
  };
  if (auto s = node.find("system")) t.system_ = check(*s);
  if (auto u = node.find("user")) {
    t.user_.clear();
    if (u->is_sequence()) {
      for (const auto& item : u->items()) t.user_.push_back(check(item));
      if (t.user_.empty()) u->fail("needs at least one template");
    } else {
      t.user_.push_back(check(*u));
    }
  }
  return t;
}

std::vector<ChatMessage> PromptTemplates::messages(const PromptContext& context, const std::vector<std::string>& earlier) const {
  std::vector<ChatMessage> m;
  if (!system_.empty()) m.push_back({"system", render_template(system_, context)});
  const auto user_of = [this](int call) { return user_[std::min(static_cast<std::size_t>(call), user_.size() - 1)]; };
  PromptContext c = context;
  for (int i = 0; i <= context.call; ++i) {
    c.call = i;
    m.push_back({"user", render_template(user_of(i), c)});
    if (i < context.call) m.push_back({"assistant", i < static_cast<int>(earlier.size()) ? earlier[static_cast<std::size_t>(i)] : std::string()});
  }
  return m;
}

}  // namespace specsim::models::live

#include "models/live/prompt_protocol.hpp"

#include <charconv>

#include "models/live/openai.hpp"

namespace specsim::models::live {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "<n>. rest" with n >= 1; nullopt when the line is not numbered.
std::optional<std::pair<long, std::string_view>> numbered(std::string_view line) {
  long n = 0;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), n);
  if (ec != std::errc{} || end == line.data() || end == line.data() + line.size() || *end != '.') return std::nullopt;
  return std::pair{n, trim(std::string_view(end + 1, static_cast<std::size_t>(line.data() + line.size() - end - 1)))};
}

int integer_in(std::string_view v, int lo, int hi, const std::string& what) {
  int n = lo - 1;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || end != v.data() + v.size() || n < lo || n > hi)
    throw ProtocolError(what + ": expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return n;
}

}  // namespace

PromptQuery parse_prompt(std::string_view text) {
  PromptQuery q;
  bool have_task = false, in_steps = false;
  int line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    const std::string where = "prompt line " + std::to_string(line_no) + ": ";
    if (in_steps) {
      if (const auto item = numbered(line)) {
        if (item->first != q.step() + 1)
          throw ProtocolError(where + "step " + std::to_string(item->first) + " out of order (expected " +
                              std::to_string(q.step() + 1) + ")");
        q.steps.emplace_back(item->second);
        continue;
      }
      if (!line.empty()) in_steps = false;  // free text after the list
    }
    if (starts_with(line, "task:")) {
      q.task = std::string(trim(line.substr(5)));
      if (q.task.empty()) throw ProtocolError(where + "task: empty");
      have_task = true;
    } else if (starts_with(line, "agent:")) {
      const auto a = trim(line.substr(6));
      if (a == "target") q.agent = sim::Agent::target;
      else if (a == "approx") q.agent = sim::Agent::approx;
      else throw ProtocolError(where + "agent: expected target or approx, got '" + std::string(a.substr(0, 40)) + "'");
    } else if (starts_with(line, "call:")) {
      q.call = integer_in(trim(line.substr(5)), 0, 1000, where + "call");
    } else if (starts_with(line, "candidates:")) {
      q.candidates = integer_in(trim(line.substr(11)), 1, 64, where + "candidates");
    } else if (line == "steps:") {
      in_steps = true;
    }
  }
  if (!have_task) throw ProtocolError("prompt: no 'task: <id>' line in the last user message");
  return q;
}

std::string format_prompt(const PromptQuery& q, std::string_view preamble) {
  std::string s;
  if (!preamble.empty()) s.append(preamble).append("\n");
  s += "task: " + q.task + "\n";
  if (q.agent) s += std::string("agent: ") + sim::name(*q.agent) + "\n";
  if (q.call) s += "call: " + std::to_string(*q.call) + "\n";
  if (q.candidates) s += "candidates: " + std::to_string(*q.candidates) + "\n";
  s += "steps:\n";
  for (std::size_t i = 0; i < q.steps.size(); ++i) s += std::to_string(i + 1) + ". " + q.steps[i] + "\n";
  return s;
}

}  // namespace specsim::models::live

#pragma once
// The prompt protocol between specsim's live prompt templates and `specsim serve`: how a served
// world knows which task, step, agent and call a chat request is about, without understanding
// language. The last user message carries, one per line (other lines are free text and ignored):
//
//   task: <id>                 the task (a trace's task_id; a synthetic scenario's episode index)
//   agent: target | approx     optional; needed only when both agents use the same model name
//   call: <n>                  optional; 0-based call of the agent's step (ReAct: 0 thought,
//                              1 action); default: the step's last call, the one naming the action
//   candidates: <K>            optional; A under top-K: answer K candidate actions, best first,
//                              one per line numbered from 1 (default 1: the action alone)
//   steps:                     then the steps so far, numbered from 1: the committed steps, then,
//   1. <action>                for a target call conditioned on guesses (T_j), A's guesses as if
//   2. <action>                committed. The step asked for is the number of steps listed.
//
// Without an `agent:` line the request's `model` field chooses the agent.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/call.hpp"

namespace specsim::models::live {

struct PromptQuery {
  std::string task;
  std::optional<sim::Agent> agent;
  std::optional<int> call;
  std::optional<int> candidates;
  std::vector<std::string> steps;  // the step asked for is steps.size()
  int step() const { return static_cast<int>(steps.size()); }
};

// Throws ProtocolError (models/live/openai.hpp) naming the line that is wrong.
PromptQuery parse_prompt(std::string_view user_message);
// The user message for `q`, with `preamble` (free text, e.g. the task's wording) first.
std::string format_prompt(const PromptQuery& q, std::string_view preamble = {});

}  // namespace specsim::models::live

#pragma once
// An agent's prompt templates (scenario key `prompt`): a system message and a user message per
// call of the step (the last serves any later call), with placeholders
//
//   {task_id} {task}   the task's id and text (the tasks file)
//   {agent} {call}     "target" or "approx"; the 0-based call of the step (ReAct: 0 thought, 1 action)
//   {step}             the 1-based number of the step asked for
//   {steps}            the steps so far, one per line, "1. <action>": the committed steps, then,
//                      for a target call conditioned on guesses (T_j), A's guesses as if committed
//                      (on a lower branch of a top-K tree: the candidate that branch runs under)
//   {candidates}       how many candidate actions the call is asked for (A under top-K: K; else 1)
//
// and "{{" / "}}" for literal braces. The default templates are the prompt protocol that
// `specsim serve` reads (prompt_protocol.hpp). A later call of a step (ReAct's action call) sees
// the earlier calls' answers as assistant messages, each followed by that call's user message.
#include <string>
#include <string_view>
#include <vector>

#include "models/live/openai.hpp"
#include "sim/call.hpp"
#include "sim/config_node.hpp"

namespace specsim::models::live {

struct PromptContext {
  std::string_view task_id, task;
  sim::Agent agent = sim::Agent::target;
  int call = 0;
  std::vector<std::string_view> steps;
  int candidates = 1;
};

class PromptTemplates {
 public:
  PromptTemplates();  // the prompt protocol for one call per step, no system message
  // The prompt protocol for a step of `calls` calls: earlier calls name their index; the last
  // names none, which a served world reads as "the call that gives the action" however many
  // calls its recorded step took.
  // `candidates` > 1 (A under top-K) adds the protocol's `candidates: K` line.
  static PromptTemplates protocol(int calls, int candidates = 1);
  // `prompt: {system: ..., user: ... | [..., ...]}`; unknown placeholders are errors here.
  static PromptTemplates decode(const sim::ConfigNode& node);

  // The messages of call `context.call`; `earlier` holds the answers of the step's earlier calls.
  std::vector<ChatMessage> messages(const PromptContext& context, const std::vector<std::string>& earlier) const;

 private:
  std::string system_;
  std::vector<std::string> user_;
};

// `text` with its placeholders filled in. Throws std::invalid_argument for an unknown one.
std::string render_template(std::string_view text, const PromptContext& context);

}  // namespace specsim::models::live

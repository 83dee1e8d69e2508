#pragma once
// A's confidence in its guess from the log-probabilities the endpoint reports (`logprobs: true`):
// the probability that the model writes exactly this action here, exp of the sum of the
// log-probabilities of the answer's tokens that overlap the action's text (its first occurrence
// in the answer; the whole answer when the action is not in it verbatim, as for a tool call).
// Why the whole action and not its first token: actions share their first tokens ("Search[",
// a function's name), so the first token says how sure A is of the verb, not of the step.
#include <optional>
#include <string_view>

#include "models/live/openai.hpp"

namespace specsim::models::live {

// nullopt when the answer carries no log-probabilities.
std::optional<double> action_confidence(const ChatResult& answer, std::string_view action);

}  // namespace specsim::models::live

#include "models/live/logprob_confidence.hpp"

#include <cmath>

namespace specsim::models::live {

std::optional<double> action_confidence(const ChatResult& answer, std::string_view action) {
  if (!answer.logprobs) return std::nullopt;
  const auto at = action.empty() ? std::string::npos : answer.content.find(action);
  const std::size_t from = at == std::string::npos ? 0 : at;
  const std::size_t to = at == std::string::npos ? std::string::npos : at + action.size();
  double sum = 0;
  std::size_t offset = 0;  // the token's first character in the answer (tokens spell it in order)
  for (const auto& t : *answer.logprobs) {
    const std::size_t end = offset + t.token.size();
    if (end > from && offset < to) sum += t.logprob;
    // A token of no text (some servers' special tokens) lies at the point it stands at.
    else if (t.token.empty() && offset >= from && offset < to) sum += t.logprob;
    offset = end;
  }
  return std::exp(sum);
}

}  // namespace specsim::models::live

#pragma once
// The OpenAI chat-completions wire format, both ways: requests (built by the client, read by
// `specsim serve`), streamed chunks and whole responses (built by the server, read by the client).
// Only the fields specsim needs are modelled; anything else in an answer is ignored, and an answer
// that is not the expected JSON raises ProtocolError with a short excerpt, never a crash.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace specsim::models::live {

class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ChatMessage {
  std::string role;  // system, user, assistant
  std::string content;
  bool operator==(const ChatMessage&) const = default;
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  bool stream = true;
  bool include_usage = true;  // streaming only: ask for the usage chunk (stream_options)
  std::optional<std::int64_t> max_tokens;
  std::optional<double> temperature;
  nlohmann::json tools;  // null: none; else the `tools` array, passed through
  bool logprobs = false;  // ask for each output token's log-probability (A's confidence)
};

struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  bool operator==(const Usage&) const = default;
};

struct ToolCall {
  std::string id, name, arguments;  // arguments: the JSON text as the model wrote it
  bool operator==(const ToolCall&) const = default;
};

// One output token and its log-probability (`choices[0].logprobs.content[]`).
struct TokenLogprob {
  std::string token;
  double logprob = 0;
  bool operator==(const TokenLogprob&) const = default;
};

struct ChatResult {
  std::string model;
  std::string content;
  std::vector<ToolCall> tool_calls;
  std::string finish_reason;
  std::optional<Usage> usage;  // absent when the server reported none
  // The answer's tokens with their log-probabilities, in order; absent when the server sent none
  // (it was not asked, or does not give them).
  std::optional<std::vector<TokenLogprob>> logprobs;
};

// The request body. Streaming requests ask for usage in the last chunk (stream_options).
std::string request_body(const ChatRequest& request);
// Reads a request body (the server's side). Throws ProtocolError naming the bad field.
ChatRequest parse_request(std::string_view body);

// Folds the `data:` payloads of a streamed answer into a ChatResult.
class StreamAccumulator {
 public:
  // One SSE data payload. Returns the content delta it carried (empty if none). Throws
  // ProtocolError for JSON that is not a chat-completion chunk, or for data after [DONE].
  std::string add(std::string_view data);
  bool done() const { return done_; }
  const ChatResult& result() const { return result_; }
  // Content chunks received: what a cancelled call had streamed (about one token each).
  std::int64_t content_chunks() const { return chunks_; }

 private:
  ChatResult result_;
  std::vector<std::string> tool_indexes_;  // tool_calls are merged by their `index`
  bool done_ = false;
  std::int64_t chunks_ = 0;
};

// A non-streamed answer body. Throws ProtocolError.
ChatResult parse_response(std::string_view body);
// The `error.message` of an error body, or a short excerpt of the body if it has none.
std::string error_message(std::string_view body);

// The server's side.
// `prompt_usage`: the prompt's usage in this (first, empty) chunk, so that a client that cancels
// the call knows what it will be billed for its input; the usage chunk at the end has the totals.
// `logprob`: the content's log-probability, sent as one token's `logprobs` entry (a request that
// asked for logprobs); nullptr: none.
std::string chunk_json(const std::string& id, const std::string& model, std::int64_t created,
                       std::string_view content, const char* finish_reason, const Usage* prompt_usage = nullptr,
                       const double* logprob = nullptr);
std::string usage_chunk_json(const std::string& id, const std::string& model, std::int64_t created, const Usage& usage);
// `logprobs`: the answer's tokens, sent as `choices[0].logprobs.content` (nullptr: none).
std::string response_json(const std::string& id, const std::string& model, std::int64_t created,
                          const std::string& content, const Usage& usage, const std::vector<TokenLogprob>* logprobs = nullptr);
std::string error_json(const std::string& message, const std::string& type);

}  // namespace specsim::models::live

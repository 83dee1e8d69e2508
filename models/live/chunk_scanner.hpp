#pragma once
// The common streamed chunk read without building a JSON document. A chat-completion stream
// sends one chunk per token, and nlohmann's document (a std::map per object, a std::string per
// key) was most of the client's time per call. The scanner reads the few fields the accumulator
// needs from a chunk of the usual shape and validates the rest as JSON while skipping it; any
// chunk it is not sure of (escapes beyond the simple ones or in names, non-ASCII text, tool
// calls, log-probabilities, an error, duplicate keys, more than one choice) it declines, and the
// caller reads that one with nlohmann. So it never accepts what the full reader rejects, nor reads it differently.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace specsim::models::live {

struct ScannedUsage {
  std::int64_t prompt_tokens = 0, completion_tokens = 0;
};

struct ScannedChunk {
  std::string model;          // "" when absent or null
  std::string content;        // the delta's text, "" when absent or null
  std::string finish_reason;  // "" when absent or null
  bool has_choice = false;    // false: a chunk with an empty choices array
  std::optional<ScannedUsage> usage;  // absent when absent or null
};

// The chunk's fields, or nullopt when the chunk needs the full reader.
std::optional<ScannedChunk> scan_chunk(std::string_view json);

}  // namespace specsim::models::live

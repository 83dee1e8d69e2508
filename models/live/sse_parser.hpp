#pragma once
// Server-sent events (the WHATWG "text/event-stream" rules) parsed incrementally: bytes arrive in
// whatever pieces the network delivers, so a line, a CRLF pair or a UTF-8 sequence may be split
// between two feeds. Lines end with LF, CR or CRLF; `:` starts a comment; a blank line dispatches
// the event. `data: [DONE]` is OpenAI's end marker and is left to the caller (it is ordinary data
// here). A line or event beyond the size limit is an error, so a hostile server cannot make the
// client buffer without bound.
#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace specsim::models::live {

class SseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SseEvent {
  std::string event;  // the `event:` field; empty means "message"
  std::string data;   // `data:` lines joined with "\n"
  std::string id;
};

class SseParser {
 public:
  using Handler = std::function<void(const SseEvent&)>;
  explicit SseParser(std::size_t max_event_bytes = 1 << 20) : max_bytes_(max_event_bytes) {}

  // Parses `bytes`, calling `on_event` for every event completed by them. Throws SseError.
  void feed(std::string_view bytes, const Handler& on_event);
  // True when bytes of an unfinished event are buffered: a stream that ends here was cut short.
  bool pending() const { return !line_.empty() || has_data_ || !current_.event.empty(); }

 private:
  void end_line(std::string_view line, const Handler& on_event);

  std::size_t max_bytes_;
  std::string line_;
  SseEvent current_;
  bool has_data_ = false;
  bool after_cr_ = false;  // the previous byte was CR: an LF right after it ends nothing more
};

}  // namespace specsim::models::live

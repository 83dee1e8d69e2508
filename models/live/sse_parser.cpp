#include "models/live/sse_parser.hpp"

namespace specsim::models::live {

void SseParser::feed(std::string_view bytes, const Handler& on_event) {
  for (const char c : bytes) {
    if (after_cr_) {
      after_cr_ = false;
      if (c == '\n') continue;  // the LF of a CRLF, possibly split over two feeds
    }
    if (c == '\r' || c == '\n') {
      after_cr_ = c == '\r';
      end_line(on_event);
      continue;
    }
    line_.push_back(c);
    if (line_.size() + current_.data.size() > max_bytes_)
      throw SseError("server-sent event larger than " + std::to_string(max_bytes_) + " bytes");
  }
}

void SseParser::end_line(const Handler& on_event) {
  if (line_.empty()) {  // blank line: dispatch
    if (has_data_) on_event(current_);
    current_ = SseEvent{};
    has_data_ = false;
    return;
  }
  if (line_.front() == ':') {  // comment (servers send them as keep-alives)
    line_.clear();
    return;
  }
  const auto colon = line_.find(':');
  const std::string_view line(line_);
  const std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string::npos ? std::string_view{} : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    current_.id.assign(value);
  }  // `retry` and unknown fields are ignored, as the standard says
  line_.clear();
}

}  // namespace specsim::models::live

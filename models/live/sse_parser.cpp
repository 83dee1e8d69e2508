#include "models/live/sse_parser.hpp"

namespace specsim::models::live {

void SseParser::feed(std::string_view bytes, const Handler& on_event) {
  // Whole runs of a line's bytes at a time: a chunk is one or two lines, so this appends a few
  // spans per chunk rather than every byte.
  std::size_t i = 0;
  if (after_cr_ && !bytes.empty()) {
    after_cr_ = false;
    if (bytes.front() == '\n') i = 1;  // the LF of a CRLF split over two feeds
  }
  while (i < bytes.size()) {
    // A plain loop: find_first_of calls memchr on the two-byte set for every byte.
    std::size_t stop = i;
    while (stop < bytes.size() && bytes[stop] != '\r' && bytes[stop] != '\n') ++stop;
    const std::size_t end = stop == bytes.size() ? std::string_view::npos : stop;
    if (line_.size() + (stop - i) + current_.data.size() > max_bytes_)
      throw SseError("server-sent event larger than " + std::to_string(max_bytes_) + " bytes");
    line_.append(bytes.substr(i, stop - i));
    if (end == std::string_view::npos) return;
    end_line(on_event);
    i = end + 1;
    if (bytes[end] == '\r') {
      if (i == bytes.size()) after_cr_ = true;
      else if (bytes[i] == '\n') ++i;
    }
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

#include "models/live/sse_parser.hpp"

#include <cstring>

namespace specsim::models::live {

void SseParser::feed(std::string_view bytes, const Handler& on_event) {
  std::size_t i = 0;
  if (after_cr_ && !bytes.empty()) {
    after_cr_ = false;
    if (bytes.front() == '\n') i = 1;  // the LF of a CRLF split over two feeds
  }
  while (i < bytes.size()) {
    // The line's end by memchr (vectorised): LF first, then a CR before it (servers send LF, so
    // the second search is over one line and usually finds nothing).
    const char* begin = bytes.data() + i;
    const std::size_t left = bytes.size() - i;
    const auto* lf = static_cast<const char*>(std::memchr(begin, '\n', left));
    const std::size_t span = lf ? static_cast<std::size_t>(lf - begin) : left;
    const auto* cr = static_cast<const char*>(std::memchr(begin, '\r', span));
    const std::size_t stop = i + (cr ? static_cast<std::size_t>(cr - begin) : span);
    const bool ended = cr != nullptr || lf != nullptr;
    if (line_.size() + (stop - i) + current_.data.size() > max_bytes_)
      throw SseError("server-sent event larger than " + std::to_string(max_bytes_) + " bytes");
    if (!ended) {
      line_.append(bytes.substr(i, stop - i));
      return;
    }
    // A line wholly inside this feed is read in place; one begun in an earlier feed is joined first.
    if (line_.empty()) {
      end_line(bytes.substr(i, stop - i), on_event);
    } else {
      line_.append(bytes.substr(i, stop - i));
      end_line(line_, on_event);
      line_.clear();
    }
    i = stop + 1;
    if (bytes[stop] == '\r') {
      if (i == bytes.size()) after_cr_ = true;
      else if (bytes[i] == '\n') ++i;
    }
  }
}

void SseParser::end_line(std::string_view line, const Handler& on_event) {
  if (line.empty()) {  // blank line: dispatch
    if (has_data_) on_event(current_);
    // Cleared, not replaced: the strings keep their capacity, so an event allocates nothing.
    current_.event.clear();
    current_.data.clear();
    current_.id.clear();
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // comment (servers send them as keep-alives)
  const auto colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
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
}

}  // namespace specsim::models::live

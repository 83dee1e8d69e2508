#include "models/live/sse_parser.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

using specsim::models::live::SseEvent;
using specsim::models::live::SseParser;

std::vector<SseEvent> parse_in_pieces(const std::string& text, std::size_t piece) {
  SseParser p;
  std::vector<SseEvent> out;
  for (std::size_t i = 0; i < text.size(); i += piece)
    p.feed(std::string_view(text).substr(i, piece), [&](const SseEvent& e) { out.push_back(e); });
  return out;
}

}  // namespace

TEST_CASE("sse: events, multi-line data, comments, [DONE] as plain data") {
  const std::string text =
      ": keep-alive\n"
      "data: {\"a\":1}\n\n"
      "event: note\nid: 7\ndata: one\ndata:two\n\n"
      "data: [DONE]\n\n";
  const auto events = parse_in_pieces(text, text.size());
  REQUIRE(events.size() == 3);
  CHECK(events[0].data == "{\"a\":1}");
  CHECK(events[0].event.empty());
  CHECK(events[1].event == "note");
  CHECK(events[1].id == "7");
  CHECK(events[1].data == "one\ntwo");
  CHECK(events[2].data == "[DONE]");
}

TEST_CASE("sse: the same events whatever the split, with LF, CRLF or CR line ends") {
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    const std::string text = "data: x" + eol + eol + ":c" + eol + "data: y" + eol + "data: z" + eol + eol;
    for (std::size_t piece = 1; piece <= text.size(); ++piece) {
      const auto events = parse_in_pieces(text, piece);
      REQUIRE(events.size() == 2);
      CHECK(events[0].data == "x");
      CHECK(events[1].data == "y\nz");
    }
  }
}

TEST_CASE("sse: a CR at the end of one feed and its LF at the start of the next is one line end") {
  SseParser p;
  std::vector<std::string> data;
  const auto h = [&](const SseEvent& e) { data.push_back(e.data); };
  p.feed("data: a\r", h);
  p.feed("\n\r", h);
  p.feed("\ndata: b\r\n\r\n", h);
  CHECK(data == std::vector<std::string>{"a", "b"});
}

TEST_CASE("sse: an event without data is not dispatched, an unfinished one is pending") {
  SseParser p;
  int n = 0;
  const auto h = [&](const SseEvent&) { ++n; };
  p.feed("event: ping\n\n", h);
  p.feed("id: 3\n\n", h);
  CHECK(n == 0);
  CHECK_FALSE(p.pending());
  p.feed("data: partial", h);
  CHECK(p.pending());
  CHECK(n == 0);
}

TEST_CASE("sse: a field without colon, an empty data value, unknown fields") {
  const auto events = parse_in_pieces("data\n\ndata:\nretry: 10\nfoo: bar\n\n", 3);
  REQUIRE(events.size() == 2);
  CHECK(events[0].data.empty());
  CHECK(events[1].data.empty());
}

TEST_CASE("sse: an event beyond the size limit is an error, not unbounded memory") {
  SseParser p(64);
  const auto h = [](const SseEvent&) {};
  CHECK_THROWS_WITH(p.feed("data: " + std::string(100, 'x'), h), "server-sent event larger than 64 bytes");
  SseParser q(64);
  q.feed("data: " + std::string(40, 'x') + "\n", h);
  CHECK_THROWS_AS(q.feed("data: " + std::string(40, 'x') + "\n", h), specsim::models::live::SseError);
}

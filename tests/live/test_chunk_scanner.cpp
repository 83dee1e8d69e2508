// The streamed-chunk scanner: it reads the usual chunks exactly, and declines every chunk it is
// not sure of, which the accumulator then reads with the full JSON reader (same fields, same
// errors): checked here chunk by chunk against that reader.
#include <catch2/catch.hpp>

#include "models/live/chunk_scanner.hpp"
#include "models/live/openai.hpp"

using namespace specsim::models::live;

namespace {

// What the accumulator makes of one chunk: its delta, the fields it kept, or its error.
struct Read {
  std::string model, content, finish_reason, error;
  std::optional<Usage> usage;
};

Read full_read(const std::string& chunk) {
  StreamAccumulator acc;
  Read r;
  try {
    r.content = acc.add(chunk);
  } catch (const ProtocolError& e) {
    r.error = e.what();
  }
  r.model = acc.result().model;
  r.finish_reason = acc.result().finish_reason;
  r.usage = acc.result().usage;
  return r;
}

const Usage kPromptUsage{300, 0};

}  // namespace

TEST_CASE("chunk scanner: the usual chunks, field by field", "[live]") {
  // specsim serve's chunk (keys sorted) and OpenAI's (id first, logprobs, system_fingerprint).
  auto a = scan_chunk(chunk_json("id-1", "m", 7, "hello", nullptr));
  REQUIRE(a);
  CHECK(a->model == "m");
  CHECK(a->content == "hello");
  CHECK(a->finish_reason.empty());
  CHECK(a->has_choice);
  auto b = scan_chunk(
      R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x","system_fingerprint":"fp",)"
      R"("choices":[{"index":0,"delta":{"content":"a \"quoted\"\nline\\/"},"logprobs":null,"finish_reason":null}],"usage":null})");
  REQUIRE(b);
  CHECK(b->content == "a \"quoted\"\nline\\/");
  auto c = scan_chunk(R"( {"choices":[{"delta":{},"finish_reason":"stop","index":0}],"model":"m"} )");
  REQUIRE(c);
  CHECK(c->content.empty());
  CHECK(c->finish_reason == "stop");
  auto d = scan_chunk(R"({"choices":[],"model":null,"extra":{"n":[1,-2.5e3,true,false,null,{}]}})");
  REQUIRE(d);
  CHECK(!d->has_choice);
  CHECK(d->model.empty());
  // Reasoning deltas (DeepSeek, Groq) are skipped, as the full reader ignores them.
  auto e = scan_chunk(R"({"choices":[{"delta":{"reasoning_content":"hmm","content":null},"index":0}],"model":"m"})");
  REQUIRE(e);
  CHECK(e->content.empty());
}

TEST_CASE("chunk scanner: declines what it is not sure of, the full reader decides", "[live]") {
  const std::vector<std::string> declined = {
      R"({"choices":[{"delta":{"content":"caf\u00e9"},"index":0}],"model":"m"})",          // \u escape
      "{\"choices\":[{\"delta\":{\"content\":\"caf\xc3\xa9\"},\"index\":0}],\"model\":\"m\"}",  // UTF-8
      R"({"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{}"}}]},"index":0}]})",
      R"({"choices":[],"usage":{"prompt_tokens":3.0,"completion_tokens":4}})",
      R"({"error":{"message":"overloaded"}})",
      R"({"choices":[{"delta":{"content":"a"},"index":0},{"delta":{"content":"b"},"index":1}]})",
      R"({"choices":[{"delta":{"content":"a","content":"b"},"index":0}]})",
      R"({"model":"m"})",
      R"({"choices":[{"delta":{"content":5},"index":0}]})",
      R"({"choices":[{"delta":"x","index":0}]})",
      R"({"choices":[{"delta":{"content":"a"},"index":0}]} x)",
      R"({"choices":[{"delta":{"content":"a"},"index":01}]})",
      R"({"choices":[{"delta":{"content":"a"},"index":0}],})",
      R"({"choices":[{"delta":{"content":"a	tab"},"index":0}]})",
      R"([1,2])",
      R"({"choices":[{"delta":{"content":"a"},"index":0}])",
      "not json",
      R"({"choices":[],"usage":{"prompt_tokens":-3,"completion_tokens":4}})",
      R"({"choices":[],"usage":{"prompt_tokens":3}})",
      R"({"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1e2}})",
      R"({"choices":[],"usage":"none"})",
  };
  for (const std::string& chunk : declined) {
    INFO(chunk);
    CHECK(!scan_chunk(chunk));
  }
  // The accumulator still reads each as before: content where the chunk is valid, else the
  // full reader's error.
  CHECK(full_read(declined[0]).content == "caf\xc3\xa9");
  CHECK(full_read(declined[1]).content == "caf\xc3\xa9");
  CHECK(full_read(declined[5]).content == "a");  // the first choice
  CHECK_THAT(full_read(declined[4]).error, Catch::Contains("overloaded"));
  CHECK_THAT(full_read(declined[10]).error, Catch::Contains("stream chunk is not JSON"));
  CHECK_THAT(full_read(declined[7]).error, Catch::Contains("no choices array"));
  CHECK_THAT(full_read(declined[3]).error, Catch::Contains("usage.prompt_tokens: expected a non-negative integer"));
  CHECK_THAT(full_read(declined[18]).error, Catch::Contains("usage.completion_tokens: expected a non-negative integer"));
}

TEST_CASE("chunk scanner: the scanned and the full reading agree on every accepted chunk", "[live]") {
  const std::vector<std::string> accepted = {
      chunk_json("id", "served", 1, "tok en", nullptr),
      chunk_json("id", "served", 1, "", "stop"),
      R"({"choices":[{"delta":{"role":"assistant","content":""},"index":0}],"model":"m","usage":null})",
      R"({"choices":[{"delta":null,"finish_reason":"length","index":0}],"model":"m"})",
      usage_chunk_json("id", "served", 1, Usage{120, 20}),
      chunk_json("id", "served", 1, "", nullptr, &kPromptUsage),
      R"({"choices":[],"usage":{"prompt_tokens":0,"completion_tokens":987654321012345678,"total_tokens":1,)"
      R"("completion_tokens_details":{"reasoning_tokens":5}}})",
  };
  for (const std::string& chunk : accepted) {
    INFO(chunk);
    const auto scanned = scan_chunk(chunk);
    REQUIRE(scanned);
    // The full reader of the same chunk, padded with a \u escape in an ignored member so that the
    // scanner declines it and the accumulator takes the document path.
    const std::string padded = chunk.substr(0, chunk.size() - 1) + R"(,"pad":"\u0041"})";
    REQUIRE(!scan_chunk(padded));
    const Read full = full_read(padded);
    CHECK(full.error.empty());
    CHECK(full.content == scanned->content);
    CHECK(full.model == scanned->model);
    CHECK(full.finish_reason == scanned->finish_reason);
    CHECK(full.usage.has_value() == scanned->usage.has_value());
    if (full.usage && scanned->usage) {
      CHECK(full.usage->prompt_tokens == scanned->usage->prompt_tokens);
      CHECK(full.usage->completion_tokens == scanned->usage->completion_tokens);
    }
  }
}

// The scanner reads a string's plain bytes eight at a time: every byte value, at every place in
// and across those words, must stop it exactly where the byte-by-byte reading would.
TEST_CASE("chunk scanner: every byte at every offset of a string is read as one byte at a time would", "[live]") {
  for (int b = 1; b < 256; ++b) {
    for (std::size_t offset = 0; offset < 20; ++offset) {
      const std::string before(offset, 'a');
      const std::string chunk = R"({"choices":[{"delta":{"content":")" + before + static_cast<char>(b) + R"(nd"}}]})";
      INFO("byte " << b << " at offset " << offset);
      const auto scanned = scan_chunk(chunk);
      if (b == '\\') {  // "\n" then "d"
        REQUIRE(scanned);
        CHECK(scanned->content == before + "\nd");
      } else if (b >= 0x20 && b < 0x80 && b != '"') {
        REQUIRE(scanned);
        CHECK(scanned->content == before + static_cast<char>(b) + "nd");
      } else {  // a control byte or non-ASCII (the full reader's), or a quote that ends it early
        CHECK_FALSE(scanned);
      }
    }
  }
}

#include "models/live/openai.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace live = specsim::models::live;
using nlohmann::json;

TEST_CASE("openai: a streaming request asks for usage, the server reads it back") {
  live::ChatRequest r;
  r.model = "gpt-4o-mini";
  r.messages = {{"system", "be brief"}, {"user", "task: 3\nsteps:\n1. look"}};
  r.max_tokens = 64;
  const json body = json::parse(live::request_body(r));
  CHECK(body["stream"] == true);
  CHECK(body["stream_options"] == json{{"include_usage", true}});
  CHECK(body["max_tokens"] == 64);
  CHECK_FALSE(body.contains("temperature"));
  const live::ChatRequest back = live::parse_request(live::request_body(r));
  CHECK(back.model == r.model);
  CHECK(back.messages == r.messages);
  CHECK(back.stream);
  CHECK(back.max_tokens == 64);

  r.stream = false;
  CHECK_FALSE(json::parse(live::request_body(r)).contains("stream_options"));
}

TEST_CASE("openai: bad requests name the field") {
  CHECK_THROWS_WITH(live::parse_request("{"), Catch::StartsWith("request body is not JSON"));
  CHECK_THROWS_WITH(live::parse_request("[]"), Catch::StartsWith("request body is not a JSON object"));
  CHECK_THROWS_WITH(live::parse_request(R"({"messages":[{"role":"user","content":"x"}]})"), "model: required");
  CHECK_THROWS_WITH(live::parse_request(R"({"model":"m","messages":[]})"), "messages: expected a non-empty array");
  CHECK_THROWS_WITH(live::parse_request(R"({"model":"m","messages":[{"role":"user","content":3}]})"),
                    "messages[0].content: expected a string or an array of parts");
  CHECK_THROWS_WITH(live::parse_request(R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"})"),
                    "stream: expected a boolean");
  // Content parts (the newer message form) are read as their text.
  const auto r = live::parse_request(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]})");
  CHECK(r.messages[0].content == "ab");
  CHECK_FALSE(r.stream);
}

TEST_CASE("openai: streamed chunks fold into content, tool calls and usage") {
  live::StreamAccumulator acc;
  CHECK(acc.add(R"({"id":"c1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})").empty());
  CHECK(acc.add(R"({"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]})") == "Hel");
  CHECK(acc.add(R"({"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]})") == "lo");
  acc.add(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"search","arguments":"{\"q\":"}}]}}]})");
  acc.add(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","function":{"name":"open","arguments":"{}"}}]}}]})");
  acc.add(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"x\"}"}}]}}]})");
  acc.add(R"({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})");
  acc.add(R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}})");
  CHECK_FALSE(acc.done());
  acc.add("[DONE]");
  CHECK(acc.done());
  const auto& r = acc.result();
  CHECK(r.model == "m");
  CHECK(r.content == "Hello");
  CHECK(acc.content_chunks() == 2);
  CHECK(r.finish_reason == "stop");
  REQUIRE(r.usage);
  CHECK(*r.usage == live::Usage{12, 2});
  REQUIRE(r.tool_calls.size() == 2);
  CHECK(r.tool_calls[0] == live::ToolCall{"call_1", "search", "{\"q\":\"x\"}"});
  CHECK(r.tool_calls[1] == live::ToolCall{"call_2", "open", "{}"});
  CHECK_THROWS_WITH(acc.add("{}"), "data after [DONE]");
}

TEST_CASE("openai: malformed chunks are protocol errors with an excerpt") {
  live::StreamAccumulator acc;
  CHECK_THROWS_WITH(acc.add("{\"choices\":[{"), "stream chunk is not JSON: {\"choices\":[{");
  CHECK_THROWS_WITH(acc.add("{\"id\":1}"), Catch::StartsWith("stream chunk: no choices array"));
  CHECK_THROWS_WITH(acc.add(R"({"choices":[{"delta":{"content":5}}]})"), "delta.content: expected a string");
  CHECK_THROWS_WITH(acc.add(R"({"choices":[],"usage":{"prompt_tokens":-1,"completion_tokens":0}})"),
                    "usage.prompt_tokens: expected a non-negative integer");
  CHECK_THROWS_WITH(acc.add(R"({"error":{"message":"overloaded"}})"), "error in stream: overloaded");
  CHECK_THROWS_WITH(acc.add(std::string(500, 'x')), Catch::EndsWith("..."));
}

TEST_CASE("openai: a whole response, and error bodies") {
  const auto r = live::parse_response(live::response_json("c9", "m", 1, "Image Deblurring", {382, 10}));
  CHECK(r.content == "Image Deblurring");
  CHECK(r.finish_reason == "stop");
  REQUIRE(r.usage);
  CHECK(*r.usage == live::Usage{382, 10});
  const auto no_usage = live::parse_response(R"({"choices":[{"message":{"content":"x"}}]})");
  CHECK_FALSE(no_usage.usage);
  const auto tools = live::parse_response(
      R"({"choices":[{"message":{"content":null,"tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}}]}}]})");
  CHECK(tools.content.empty());
  REQUIRE(tools.tool_calls.size() == 1);
  CHECK(tools.tool_calls[0] == live::ToolCall{"a", "f", "{}"});
  CHECK_THROWS_WITH(live::parse_response("<html>"), "response body is not JSON: <html>");
  CHECK_THROWS_WITH(live::parse_response(R"({"choices":[]})"), "response: choices is empty");
  CHECK_THROWS_WITH(live::parse_response(live::error_json("slow down", "rate_limit")), "error answer: slow down");
  CHECK(live::error_message(live::error_json("bad model", "invalid_request_error")) == "bad model");
  CHECK(live::error_message("Bad Gateway") == "Bad Gateway");
}

TEST_CASE("openai: server chunks are what the accumulator reads") {
  live::StreamAccumulator acc;
  acc.add(live::chunk_json("c", "m", 5, "ab", nullptr));
  acc.add(live::chunk_json("c", "m", 5, "", "stop"));
  acc.add(live::usage_chunk_json("c", "m", 5, {7, 2}));
  acc.add("[DONE]");
  CHECK(acc.result().content == "ab");
  CHECK(acc.result().finish_reason == "stop");
  CHECK(*acc.result().usage == live::Usage{7, 2});
}

TEST_CASE("openai: server chunks have OpenAI's shape, byte for byte") {
  const live::Usage prompt{100, 0};
  CHECK(live::chunk_json("c\"1", "m", 5, "a \"b\"\n", nullptr) ==
        R"({"choices":[{"delta":{"content":"a \"b\"\n","role":"assistant"},"finish_reason":null,"index":0}],"created":5,"id":"c\"1","model":"m","object":"chat.completion.chunk"})");
  CHECK(live::chunk_json("c", "m", 5, "", nullptr, &prompt) ==
        R"({"choices":[{"delta":{"content":"","role":"assistant"},"finish_reason":null,"index":0}],"created":5,"id":"c","model":"m","object":"chat.completion.chunk","usage":{"completion_tokens":0,"prompt_tokens":100,"total_tokens":100}})");
  CHECK(live::chunk_json("c", "m", 5, "", "stop") ==
        R"({"choices":[{"delta":{},"finish_reason":"stop","index":0}],"created":5,"id":"c","model":"m","object":"chat.completion.chunk"})");
  CHECK(live::usage_chunk_json("c", "m", 5, {7, 2}) ==
        R"({"choices":[],"created":5,"id":"c","model":"m","object":"chat.completion.chunk","usage":{"completion_tokens":2,"prompt_tokens":7,"total_tokens":9}})");
}

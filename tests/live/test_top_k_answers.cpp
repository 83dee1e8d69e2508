// The pieces of top-K and confidence in live runs, one at a time: reading A's candidate list,
// its confidence from log-probabilities, the wire format of logprobs both ways, and the prompt
// protocol's `candidates:` line.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>

#include "models/live/action_extractor.hpp"
#include "models/live/logprob_confidence.hpp"
#include "models/live/prompt_protocol.hpp"
#include "models/live/prompt_template.hpp"

namespace live = specsim::models::live;
using Candidates = std::vector<std::string>;

namespace {

live::ChatResult text_answer(std::string content) {
  live::ChatResult r;
  r.content = std::move(content);
  return r;
}

live::ActionExtractor extractor(const std::string& yaml) {
  return live::ActionExtractor::decode(specsim::sim::ConfigNode::load_string(yaml, "action.yaml"));
}

}  // namespace

TEST_CASE("top-K answers: numbered lines or a JSON array, best first, each item read by the extractor") {
  const auto content = extractor("content");
  CHECK(content.extract_candidates(text_answer("1. Search[a]\n2. Lookup[b]\n3) Finish[c]\n"), 3) == Candidates{"Search[a]", "Lookup[b]", "Finish[c]"});
  CHECK(content.extract_candidates(text_answer("Here you go:\n 1.  Search[a] \nsome note\n2. Lookup[b]"), 3) == Candidates{"Search[a]", "Lookup[b]"});
  CHECK(content.extract_candidates(text_answer("[\"Search[a]\", \"Lookup[b]\", \"x\", \"y\"]"), 3) == Candidates{"Search[a]", "Lookup[b]", "x"});
  CHECK(content.extract_candidates(text_answer("```json\n[\"a\", {\"k\": 1}]\n```"), 3) == Candidates{"a", "{\"k\":1}"});
  CHECK(content.extract_candidates(text_answer("[\"\", \"b\"]"), 3) == Candidates{"", "b"});  // an empty item never matches
  // No list: a lone action (even one that ends in brackets) is not one.
  CHECK_FALSE(content.extract_candidates(text_answer("Finish[1992]"), 3));
  CHECK_FALSE(content.extract_candidates(text_answer("[not json"), 3));
  CHECK_FALSE(content.extract_candidates(text_answer(""), 3));

  const auto regex = extractor("{regex: \"Action: (.+)\"}");
  CHECK(regex.extract_candidates(text_answer("1. Action: go\n2. no action here\n3. Action: stop"), 3) == Candidates{"go", "", "stop"});
  const auto field = extractor("{json_field: action}");
  CHECK(field.extract_candidates(text_answer(R"([{"action": "a"}, {"other": 1}])"), 3) == Candidates{"a", ""});

  const auto tools = extractor("tool_calls");
  live::ChatResult calls;
  calls.tool_calls = {{"1", "search", "{\"q\":\"a\"}"}, {"2", "finish", "{}"}};
  CHECK(tools.extract_candidates(calls, 3) ==
        Candidates{R"({"arguments":"{\"q\":\"a\"}","name":"search"})", R"({"arguments":"{}","name":"finish"})"});
  CHECK(tools.extract_candidates(text_answer("1. x\n2. y"), 3) == Candidates{"x", "y"});  // no tool call: the text's list
}

TEST_CASE("A's confidence: exp of the summed log-probabilities of the tokens the action's text overlaps") {
  live::ChatResult r = text_answer("1. Search[a]\n2. Lookup[b]");
  CHECK_FALSE(live::action_confidence(r, "Search[a]"));  // no logprobs reported
  r.logprobs = std::vector<live::TokenLogprob>{{"1.", -0.5}, {" Sea", -0.1}, {"rch[a", -0.2}, {"]\n2", -0.3}, {". Lookup[b]", -1.0}};
  CHECK(*live::action_confidence(r, "Search[a]") == Approx(std::exp(-0.1 - 0.2 - 0.3)));
  CHECK(*live::action_confidence(r, "Lookup[b]") == Approx(std::exp(-1.0)));
  // Not in the text verbatim (a tool call, an extractor that rewrote it): the whole answer.
  CHECK(*live::action_confidence(r, "search(a)") == Approx(std::exp(-2.1)));
  CHECK(*live::action_confidence(r, "") == Approx(std::exp(-2.1)));
}

TEST_CASE("openai: logprobs asked for, sent and read, streamed and whole") {
  live::ChatRequest q;
  q.model = "m";
  q.messages = {{"user", "task: 1\nsteps:\n"}};
  q.logprobs = true;
  CHECK(nlohmann::json::parse(live::request_body(q))["logprobs"] == true);
  CHECK(live::parse_request(live::request_body(q)).logprobs);
  q.logprobs = false;
  CHECK_FALSE(nlohmann::json::parse(live::request_body(q)).contains("logprobs"));
  CHECK_THROWS_WITH(live::parse_request(R"({"model": "m", "messages": [{"role": "user", "content": "x"}], "logprobs": 1})"),
                    Catch::Contains("logprobs: expected a boolean"));

  live::StreamAccumulator acc;
  const double lp = -0.25, zero = 0;
  acc.add(live::chunk_json("id", "m", 0, "Sea", nullptr, nullptr, &lp));
  acc.add(live::chunk_json("id", "m", 0, "rch", nullptr, nullptr, &zero));
  acc.add(live::chunk_json("id", "m", 0, "!", nullptr));  // a chunk without them adds none
  acc.add(live::usage_chunk_json("id", "m", 0, {5, 3}));
  REQUIRE(acc.result().logprobs);
  CHECK(*acc.result().logprobs == std::vector<live::TokenLogprob>{{"Sea", -0.25}, {"rch", 0}});
  CHECK(acc.result().content == "Search!");
  CHECK(acc.content_chunks() == 3);

  live::StreamAccumulator plain;
  plain.add(live::chunk_json("id", "m", 0, "x", nullptr));
  CHECK_FALSE(plain.result().logprobs);

  const std::vector<live::TokenLogprob> tokens{{"a", -1}, {"b", 0}};
  const live::ChatResult whole = live::parse_response(live::response_json("id", "m", 0, "ab", {5, 2}, &tokens));
  REQUIRE(whole.logprobs);
  CHECK(*whole.logprobs == tokens);
  CHECK_FALSE(live::parse_response(live::response_json("id", "m", 0, "ab", {5, 2})).logprobs);

  live::StreamAccumulator bad;
  CHECK_THROWS_WITH(bad.add(R"({"choices":[{"delta":{"content":"x"},"logprobs":{"content":[{"token":"x","logprob":"high"}]}}]})"),
                    Catch::Contains("logprob <= 0"));
}

TEST_CASE("prompt protocol: A under top-K is asked for K candidates") {
  const auto q = live::parse_prompt("task: 7\nagent: approx\ncandidates: 3\nsteps:\n1. a\n");
  CHECK(q.candidates == 3);
  CHECK(q.step() == 1);
  CHECK(live::parse_prompt(live::format_prompt(q)).candidates == 3);
  CHECK_FALSE(live::parse_prompt("task: 7\nsteps:\n").candidates);
  CHECK_THROWS_WITH(live::parse_prompt("task: 7\ncandidates: 0\n"), Catch::Contains("candidates: expected an integer in [1, 64]"));

  live::PromptContext c{"7", "the task", specsim::sim::Agent::approx, 0, {"a"}, 3};
  const auto m = live::PromptTemplates::protocol(1, 3).messages(c, {});
  CHECK(m.back().content == "task: 7\nagent: approx\ncandidates: 3\nsteps:\n1. a\n");
  CHECK(live::PromptTemplates::protocol(1).messages(c, {}).back().content == "task: 7\nagent: approx\nsteps:\n1. a\n");
  CHECK(live::render_template("Give your {candidates} best next actions.", c) == "Give your 3 best next actions.");
}

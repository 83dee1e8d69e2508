// Match rules: exact, normalized and function_args on hand-made pairs, the recorded verdict's
// precedence, and decoding from YAML with file:line:column and field in every error.
#include <catch2/catch.hpp>

#include "support/input_error.hpp"

#include <string>

#include "models/trace/match_rule.hpp"
#include "sim/config_node.hpp"

using namespace specsim::models::trace;
using specsim::sim::ConfigNode;
using specsim::sim::InputError;

namespace {

// The `match_rule` node of a one-key YAML document named rules.yaml.
std::unique_ptr<MatchRule> decode(const std::string& yaml) {
  return decode_match_rule(ConfigNode::load_string(yaml, "rules.yaml").at("match_rule"));
}

std::string decode_error(const std::string& yaml) {
  return specsim::testing::input_error_of([&] { decode(yaml); });
}

Step step(const std::string& target, std::optional<std::string> guess, std::optional<bool> match = std::nullopt) {
  Step s;
  s.target.action = target;
  if (guess) s.approx = AgentStep{*guess, {}};
  s.match = match;
  return s;
}

}  // namespace

TEST_CASE("exact: byte-for-byte, and an empty guess never matches", "[trace][match_rule]") {
  const ExactMatch rule;
  CHECK(rule.matches("Image Deblurring", "Image Deblurring"));
  CHECK_FALSE(rule.matches("Image Deblurring", "image deblurring"));
  CHECK_FALSE(rule.matches("Image Deblurring", "Image Deblurring "));
  CHECK_FALSE(rule.matches("Image Deblurring", ""));
  CHECK_FALSE(rule.matches("", ""));
  CHECK(rule.kind() == "exact");
  CHECK(rule.describe() == "exact");
}

TEST_CASE("normalize_text: case, white space and ASCII punctuation", "[trace][match_rule]") {
  CHECK(normalize_text("  Image   Deblurring\t\n") == "image deblurring");
  CHECK(normalize_text("Image-Deblurring!") == "imagedeblurring");  // deleted, not a separator
  CHECK(normalize_text("Don't STOP, ok?") == "dont stop ok");
  CHECK(normalize_text("a - b") == "a b");  // a lone punctuation mark leaves one space
  CHECK(normalize_text("!!! ...") == "");
  CHECK(normalize_text("") == "");
  CHECK(normalize_text("CAF\xC3\x89 Noir") == "caf\xC3\x89 noir");  // non-ASCII bytes are kept as they are
}

TEST_CASE("normalized: equal after normalisation", "[trace][match_rule]") {
  const NormalizedMatch rule;
  CHECK(rule.matches("Image Deblurring", "  image   DEBLURRING "));
  CHECK(rule.matches("Image Deblurring", "Image Deblurring."));
  CHECK(rule.matches("Image-Deblurring", "ImageDeblurring"));
  CHECK_FALSE(rule.matches("Image-Deblurring", "Image Deblurring"));
  CHECK_FALSE(rule.matches("Image Deblurring", "Image Denoising"));
  CHECK_FALSE(rule.matches("Image Deblurring", ""));
  // A guess of punctuation and white space only is no guess either, even against such a target.
  CHECK_FALSE(rule.matches("...", " ?! "));
  CHECK(rule.kind() == "normalized");
}

TEST_CASE("levenshtein distance and similarity", "[trace][match_rule]") {
  CHECK(levenshtein("kitten", "sitting") == 3);
  CHECK(levenshtein("flaw", "lawn") == 2);
  CHECK(levenshtein("", "abc") == 3);
  CHECK(levenshtein("abc", "") == 3);
  CHECK(levenshtein("same", "same") == 0);
  CHECK(levenshtein_similarity("kitten", "sitting") == Approx(1.0 - 3.0 / 7.0).epsilon(1e-15));
  CHECK(levenshtein_similarity("", "") == 1.0);
  CHECK(levenshtein_similarity("", "ab") == 0.0);
  CHECK(similarity_at_least("abcde", "abcdx", 0.8));
  CHECK_FALSE(similarity_at_least("abcde", "abcdx", 0.81));
  CHECK_FALSE(similarity_at_least("ab", "abcdefghij", 0.3));  // ruled out by the lengths alone
  CHECK(similarity_at_least("ab", "abcdefghij", 0.2));
}

TEST_CASE("parse_function_call: the documented forms", "[trace][match_rule]") {
  using V = std::vector<std::string>;
  CHECK(parse_function_call("FlightSearch[New York, London, 2022-03-16]") ==
        FunctionCall{"flightsearch", V{"new york", "london", "20220316"}});
  CHECK(parse_function_call(" Tool( A ,b ) ") == FunctionCall{"tool", V{"a", "b"}});
  CHECK(parse_function_call("Tool()") == FunctionCall{"tool", V{}});
  CHECK(parse_function_call("Tool(,)") == FunctionCall{"tool", V{"", ""}});
  // A quoted argument keeps its commas; an apostrophe inside a word opens no quote.
  CHECK(parse_function_call(R"(Search("a, b", 'c'))") == FunctionCall{"search", V{"a b", "c"}});
  CHECK(parse_function_call("Search[don't, stop]") == FunctionCall{"search", V{"dont", "stop"}});
  // Commas inside nested brackets do not split.
  CHECK(parse_function_call("f(g(a, b), [c, d])") == FunctionCall{"f", V{"ga b", "c d"}});
  // Bare actions and malformed calls are a name without arguments.
  CHECK(parse_function_call("Image Deblurring") == FunctionCall{"image deblurring", V{}});
  CHECK(parse_function_call("Tool(a") == FunctionCall{"toola", V{}});
  CHECK(parse_function_call("Tool(a]") == FunctionCall{"toola", V{}});
  // JSON tool calls: arguments as an object (key order), an array, or a JSON-encoded string.
  CHECK(parse_function_call(R"({"name": "FlightSearch", "arguments": {"to": "LA", "from": "New York"}})") ==
        FunctionCall{"flightsearch", V{"fromnew york", "tola"}});
  CHECK(parse_function_call(R"({"name":"f","args":["a B",2,null]})") == FunctionCall{"f", V{"a b", "2", "null"}});
  CHECK(parse_function_call(R"({"name":"f","arguments":"{\"x\": 1}"})") == FunctionCall{"f", V{"x1"}});
  CHECK(parse_function_call(R"({"name":"f","arguments":"a, b"})") == FunctionCall{"f", V{"a", "b"}});
  CHECK(parse_function_call(R"({"name":"f"})") == FunctionCall{"f", V{}});
  // Not a tool-call object: read as a bare name.
  CHECK(parse_function_call(R"({"tool":"f"})") == FunctionCall{"toolf", V{}});
  CHECK(joined_args(parse_function_call("T[a b, c]")) == "a b,c");
}

TEST_CASE("function_args: same name, argument similarity at the threshold", "[trace][match_rule]") {
  const FunctionArgsMatch rule;  // 0.8
  CHECK(rule.threshold() == 0.8);
  CHECK(rule.describe() == "function_args(threshold=0.8)");
  CHECK(rule.matches("FlightSearch[New York, London, 2022-03-16]", "flightsearch( new york,london , 2022/03/16 )"));
  CHECK(rule.matches("Tool(a, b)", "Tool[a,b]"));
  CHECK(rule.matches("TERMINATE", "terminate"));
  CHECK_FALSE(rule.matches("Search[a]", "Lookup[a]"));
  CHECK_FALSE(rule.matches("Search[a]", ""));
  CHECK_FALSE(rule.matches("()", "()"));  // nothing to compare: no guess

  // "abcdefghij" vs "abcdefghxy": 2 edits in 10 characters, similarity exactly 0.8.
  const std::string target = "Search[abcdefghij]", guess = "Search[abcdefghxy]";
  CHECK(FunctionArgsMatch(0.8).matches(target, guess));
  CHECK(FunctionArgsMatch(0.79).matches(target, guess));
  CHECK_FALSE(FunctionArgsMatch(0.81).matches(target, guess));
  CHECK_FALSE(FunctionArgsMatch(0.8000001).matches(target, guess));
  // One edit in five.
  CHECK(FunctionArgsMatch(0.8).matches("T(abcde)", "T(abcdx)"));
  CHECK_FALSE(FunctionArgsMatch(0.8).matches("T(abcde)", "T(abcxy)"));
  // Bounds: 0 accepts any arguments of the same tool, 1 needs equal normalized arguments.
  CHECK(FunctionArgsMatch(0.0).matches("T(abc)", "T(xyz, 1, 2)"));
  CHECK_FALSE(FunctionArgsMatch(0.0).matches("T(abc)", "U(abc)"));
  CHECK(FunctionArgsMatch(1.0).matches("T(Abc, d)", "T( abc ,D)"));
  CHECK_FALSE(FunctionArgsMatch(1.0).matches("T(abc)", "T(abd)"));
}

TEST_CASE("step_matches: a recorded verdict wins over any rule", "[trace][match_rule]") {
  const ExactMatch exact;
  const NormalizedMatch normalized;
  CHECK(step_matches(step("A", "totally different", true), exact));
  CHECK_FALSE(step_matches(step("A", "A", false), exact));
  CHECK(step_matches(step("A", std::nullopt, true), exact));  // a verdict even without a guess
  CHECK_FALSE(step_matches(step("A", std::nullopt), exact));   // no guess, no verdict: no match
  CHECK_FALSE(step_matches(step("A", ""), exact));
  CHECK(step_matches(step("Image Deblurring", "image deblurring"), normalized));
  CHECK_FALSE(step_matches(step("Image Deblurring", "image deblurring"), exact));
}

TEST_CASE("decode_match_rule: a name or a map with kind", "[trace][match_rule]") {
  CHECK(decode("match_rule: exact\n")->kind() == "exact");
  CHECK(decode("match_rule: normalized\n")->kind() == "normalized");
  CHECK(decode("match_rule: {kind: normalized}\n")->kind() == "normalized");
  auto scalar = decode("match_rule: function_args\n");
  REQUIRE(scalar->kind() == "function_args");
  CHECK(dynamic_cast<const FunctionArgsMatch&>(*scalar).threshold() == 0.8);
  auto map = decode("match_rule: {kind: function_args, threshold: 0.65}\n");
  CHECK(dynamic_cast<const FunctionArgsMatch&>(*map).threshold() == 0.65);
  CHECK(dynamic_cast<const FunctionArgsMatch&>(*decode("match_rule: {kind: function_args, threshold: 0}\n")).threshold() == 0.0);
  CHECK(dynamic_cast<const FunctionArgsMatch&>(*decode("match_rule: {kind: function_args, threshold: 1}\n")).threshold() == 1.0);
  CHECK(make_match_rule("normalized")->kind() == "normalized");
  CHECK(make_match_rule("nope") == nullptr);
  CHECK(match_rule_registry().size() == 3);
}

TEST_CASE("decode_match_rule: errors name file, line, column and field", "[trace][match_rule]") {
  CHECK(decode_error("match_rule: fuzzy\n") ==
        "rules.yaml:1:13: match_rule: unknown match rule 'fuzzy' (expected one of: exact, function_args, normalized)");
  CHECK(decode_error("match_rule:\n  kind: fuzzy\n") ==
        "rules.yaml:2:9: match_rule.kind: unknown match rule 'fuzzy' (expected one of: exact, function_args, normalized)");
  CHECK(decode_error("match_rule: {kind: function_args, treshold: 0.5}\n") ==
        "rules.yaml:1:35: match_rule.treshold: unknown key (expected one of: kind, threshold)");
  CHECK(decode_error("match_rule: {kind: exact, threshold: 0.5}\n") ==
        "rules.yaml:1:27: match_rule.threshold: unknown key (expected one of: kind)");
  CHECK(decode_error("match_rule: {kind: function_args, threshold: 1.5}\n") ==
        "rules.yaml:1:46: match_rule.threshold: must be between 0 and 1, got 1.5");
  CHECK(decode_error("match_rule:\n  kind: function_args\n  threshold: -0.01\n") ==
        "rules.yaml:3:14: match_rule.threshold: must be between 0 and 1, got -0.01");
  CHECK(decode_error("match_rule: {kind: function_args, threshold: high}\n") ==
        "rules.yaml:1:46: match_rule.threshold: expected a number, got 'high'");
  CHECK(decode_error("match_rule: {threshold: 0.5}\n") == "rules.yaml:1:13: match_rule.kind: missing required key");
  CHECK(decode_error("match_rule: [exact]\n") ==
        "rules.yaml:1:13: match_rule: expected a match rule name (exact, function_args, normalized) or a mapping with `kind`");
  CHECK(decode_error("other: 1\nmatch_rule: ~\n") ==
        "rules.yaml:2:13: match_rule: expected a match rule name (exact, function_args, normalized) or a mapping with `kind`");
}

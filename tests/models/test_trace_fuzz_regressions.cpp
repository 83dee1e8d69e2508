// Inputs on which the trace reader and writer broke a property checked by tools/fuzz/fuzz_trace:
// a parsed trace, written and read back, must be equal and write the same bytes again.
#include <catch2/catch.hpp>

#include <string>

#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"

using namespace specsim::models::trace;

namespace {

const std::string kSteps = R"("steps":[{"target":{"action":"A","calls":[{"latency_s":1,"input_tokens":1,"output_tokens":1}]}}])";

// Parses, writes, reads back and writes again, checking the fuzz target's round-trip properties.
std::string round_trip(const std::string& line) {
  const Trace trace = parse_trace(line, "fuzz.jsonl");
  const std::string written = trace_to_jsonl(trace);
  const Trace back = parse_trace(written, "back.jsonl");
  CHECK(back == trace);
  CHECK(trace_to_jsonl(back) == written);
  return written;
}

}  // namespace

TEST_CASE("a negative zero feature writes as 0", "[fuzz][trace]") {
  // Was: written as "-0", which reads back as the integer 0 and is then written as "0".
  CHECK(round_trip(R"({"task_id":"a","task":"x","features":[-0.0,0,-1.5e-300],)" + kSteps + "}\n") ==
        R"({"task_id":"a","task":"x","features":[0,0,-1.5e-300],)" + kSteps + "}\n");
  // Equal traces give identical files.
  CHECK(trace_to_jsonl(parse_trace(R"({"task_id":"a","task":"x","features":[-0.0],)" + kSteps + "}", "m.jsonl")) ==
        trace_to_jsonl(parse_trace(R"({"task_id":"a","task":"x","features":[0.0],)" + kSteps + "}", "p.jsonl")));
}

TEST_CASE("edge values survive the round trip", "[fuzz][trace]") {
  // Inputs tried against the fuzz target's properties while hunting for the case above.
  round_trip(R"({"task_id":"a","task":"x","source":{"a":-0.0,"b":1e308,"c":-9223372036854775809,"d":4.9e-324},)" + kSteps + "}");
  round_trip(R"({"task_id":"a","task":"x\u0000y","source":{"\u0000":"\ud83d\ude00"},)" + kSteps + "}");
  round_trip(R"({"task_id":"a","task":"x","steps":[{"target":{"action":"A","calls":[{"latency_s":999999.9999999995,"input_tokens":1,"output_tokens":1}]}}]})");
  round_trip(R"({"task_id":"a","task":"x","steps":[{"target":{"action":"A","calls":[{"latency_s":1e-10,"input_tokens":1,"output_tokens":1}]}}],"measured":{}})");
}

// A guess's recorded confidence in a trace: read as a probability or a log-probability, written
// back as a probability, and replayed into the episode's script.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_workload.hpp"
#include "models/trace/trace_writer.hpp"
#include "support/trace_lines.hpp"

using namespace specsim;
using namespace specsim::models::trace;

namespace {

const std::string& kTarget = testing::kTraceTarget;
const std::string& kGuess = testing::kTraceGuess;

}  // namespace

TEST_CASE("a guess's confidence reads as a probability or a log-probability", "[trace][confidence]") {
  const Trace t = parse_trace(testing::trace_task_with("{" + kTarget + "," + kGuess + R"(,"confidence":0.25},)" +
                                        "{" + kTarget + "," + kGuess + R"(,"logprob":-0.5},)" +
                                        "{" + kTarget + "," + kGuess + "}"),
                              "t.jsonl");
  const auto& steps = t.tasks.at(0).steps;
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].confidence == 0.25);
  CHECK(steps[1].confidence == std::exp(-0.5));
  CHECK_FALSE(steps[2].confidence.has_value());
  // Written back as a probability, it reads back to the same trace.
  const std::string line = task_to_json_line(t.tasks[0]);
  CHECK(line.find(R"("confidence":0.25)") != std::string::npos);
  CHECK(parse_trace(line + "\n", "u.jsonl") == t);
}

TEST_CASE("a bad confidence is reported with its line and field", "[trace][confidence]") {
  CHECK(testing::first_trace_problem(testing::trace_task_with("{" + kTarget + "," + kGuess + R"(,"confidence":1.5})")) ==
        "t.jsonl:1: steps[0].confidence: must be in [0, 1], got 1.5");
  CHECK(testing::first_trace_problem(testing::trace_task_with("{" + kTarget + "," + kGuess + R"(,"logprob":0.1})")) ==
        "t.jsonl:1: steps[0].logprob: must be <= 0 (a log-probability), got 0.1");
  CHECK(testing::first_trace_problem(testing::trace_task_with("{" + kTarget + "," + kGuess + R"(,"confidence":0.5,"logprob":-1})")) ==
        "t.jsonl:1: steps[0].logprob: give confidence or logprob, not both");
  CHECK(testing::first_trace_problem(testing::trace_task_with("{" + kTarget + R"(,"confidence":0.5})")) ==
        "t.jsonl:1: steps[0].confidence: a confidence needs a guess (approx)");
  CHECK(testing::first_trace_problem(testing::trace_task_with("{" + kTarget + "," + kGuess + R"(,"confidence":"high"})")) ==
        "t.jsonl:1: steps[0].confidence: expected a number, got string");
}

TEST_CASE("a replayed trace gives each guess its recorded confidence, 1 where none is", "[trace][confidence]") {
  Trace t = parse_trace(testing::trace_task_with("{" + kTarget + "," + kGuess + R"(,"confidence":0.25},)" + "{" + kTarget + "," +
                                  kGuess + "}"),
                        "t.jsonl");
  TraceWorkload workload(t, TraceWorkloadConfig{});
  models::Agents agents;
  models::EpisodeScript script;
  const models::WorldStreams streams(1, 0);
  workload.script(0, 10, agents, streams, script);
  CHECK(script.confidence == std::vector<double>{0.25, 1.0});

  Trace none = parse_trace(testing::trace_task_with("{" + kTarget + "," + kGuess + "}"), "t.jsonl");
  TraceWorkload plain(none, TraceWorkloadConfig{});
  plain.script(0, 10, agents, streams, script);
  CHECK(script.confidence.empty());
}

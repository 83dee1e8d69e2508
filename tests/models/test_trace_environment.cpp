// A step's recorded environment call in a trace: read, written back, and replayed into the
// episode's script.
#include <catch2/catch.hpp>

#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_workload.hpp"
#include "models/trace/trace_writer.hpp"
#include "support/trace_lines.hpp"

using namespace specsim;
using namespace specsim::models::trace;

namespace {

// Each step has A's guess: the test's agents have no model to draw a missing one from.
const std::string kTarget = testing::kTraceTarget + "," + testing::kTraceGuess;
const std::string kSearch = R"("env":{"tool":"search","latency_s":1.5,"price_usd":0.005,"side_effect_free":true})";
const std::string kBuy = R"("env":{"tool":"buy","latency_s":2,"side_effect_free":false})";

}  // namespace

TEST_CASE("a step's tool call reads, writes back and replays", "[trace][environment]") {
  const Trace t = parse_trace(testing::trace_task_with("{" + kTarget + "," + kSearch + "},{" + kTarget + "},{" + kTarget + "," +
                                        kBuy + "}"),
                              "t.jsonl");
  const auto& steps = t.tasks.at(0).steps;
  REQUIRE(steps.size() == 3);
  REQUIRE(steps[0].env.has_value());
  CHECK(steps[0].env->tool == "search");
  CHECK(steps[0].env->latency == sim::Time::from_seconds(1.5));
  CHECK(steps[0].env->price_usd == 0.005);
  CHECK(steps[0].env->side_effect_free);
  CHECK_FALSE(steps[1].env.has_value());
  CHECK(steps[2].env->price_usd == 0);  // absent: free
  CHECK_FALSE(steps[2].env->side_effect_free);
  const std::string line = task_to_json_line(t.tasks[0]);
  CHECK(line.find(kSearch) != std::string::npos);
  CHECK(parse_trace(line + "\n", "u.jsonl") == t);

  TraceWorkload workload(t, TraceWorkloadConfig{});
  models::Agents agents;
  models::EpisodeScript script;
  const models::WorldStreams streams(1, 0);
  workload.script(0, 10, agents, streams, script);
  REQUIRE(script.environment.size() == 3);
  CHECK(script.environment[0].tool == 0);
  CHECK(script.environment[0].latency == sim::Time::from_seconds(1.5));
  CHECK(script.environment[1].tool == -1);
  CHECK(script.environment[2].tool == 1);
  CHECK_FALSE(script.environment[2].side_effect_free);

  TraceWorkload plain(parse_trace(testing::trace_task_with("{" + kTarget + "}"), "t.jsonl"), TraceWorkloadConfig{});
  plain.script(0, 10, agents, streams, script);
  CHECK(script.environment.empty());
}

TEST_CASE("a bad tool call is reported with its line and field", "[trace][environment]") {
  CHECK(testing::first_trace_problem(testing::trace_task_with("{" + kTarget + R"(,"env":{"tool":"s","latency_s":-1,"side_effect_free":true}})")) ==
        "t.jsonl:1: steps[0].env.latency_s: must be >= 0, got -1");
  CHECK(testing::first_trace_problem(testing::trace_task_with("{" + kTarget + R"(,"env":{"tool":"s","latency_s":1,"side_effect_free":true,"cost":1}})")) ==
        "t.jsonl:1: steps[0].env.cost: unknown field");
  CHECK(testing::first_trace_problem(testing::trace_task_with("{" + kTarget + R"(,"env":{"tool":"s","latency_s":1}})")) ==
        "t.jsonl:1: steps[0].env.side_effect_free: missing required field");
  CHECK(testing::first_trace_problem(testing::trace_task_with("{" + kTarget + R"(,"env":{"tool":"s","latency_s":1,"price_usd":-2,"side_effect_free":true}})")) ==
        "t.jsonl:1: steps[0].env.price_usd: must be in [0, 1000000], got -2");
}

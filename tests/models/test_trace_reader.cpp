// The trace reader: a hand-written trace parses to the expected structs, and every kind of bad
// input is reported with its file, line and field path (validate_trace reports them all).
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/files.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "support/temp_dir.hpp"

using namespace specsim::models::trace;
using specsim::sim::InputError;
using specsim::sim::Time;

namespace {

// Two tasks; the second has no approximation on its last step and no rounds or measurements.
const std::string kTwoTasks =
    R"({"task_id":"openagi-11","task":"Given blurry image, how to return the regular image step by step?","features":[0.5,-1.25],)"
    R"("steps":[{"target":{"action":"Image Deblurring","calls":[{"latency_s":7.709,"input_tokens":382,"output_tokens":121},)"
    R"({"latency_s":1.101,"input_tokens":530,"output_tokens":10}]},"approx":{"action":"Image Deblurring","calls":[{"latency_s":7.52,"input_tokens":364,"output_tokens":10}]},"match":true},)"
    R"({"target":{"action":"TERMINATE","calls":[{"latency_s":2,"input_tokens":1,"output_tokens":2}]},"approx":{"action":"","calls":[{"latency_s":1,"input_tokens":467,"output_tokens":0,"attempts":9}]},"match":false}],)"
    R"("rounds":[{"start_step":0,"k":2,"predicted_k":2,"predictor_latency_s":0.08}],)"
    R"("measured":{"latency_s":146.384227,"sequential_s":156.96},"source":{"files":["a.log"],"datapoint":11}})"
    "\n"
    "\n"  // blank lines are allowed
    R"({"task_id":"t2","task":"","steps":[{"target":{"action":"Fill Mask","calls":[{"latency_s":0.5,"input_tokens":0,"output_tokens":3}]}}]})"
    "\r\n";

std::string first_message(const std::string& text) {
  auto errors = validate_trace_text(text, "t.jsonl");
  return errors.empty() ? std::string("(no error)") : std::string(errors.front().what());
}

// A task line with the given steps.
std::string task_with(const std::string& step_json) {
  return R"({"task_id":"a","task":"x","steps":[)" + step_json + "]}\n";
}

const std::string kGoodStep = R"({"target":{"action":"A","calls":[{"latency_s":1,"input_tokens":1,"output_tokens":1}]}})";

}  // namespace

TEST_CASE("a hand-written two-task trace parses to the expected structs", "[trace][reader]") {
  const Trace t = parse_trace(kTwoTasks, "two.jsonl");
  CHECK(t.file == "two.jsonl");
  REQUIRE(t.tasks.size() == 2);

  const Task& a = t.tasks[0];
  CHECK(a.task_id == "openagi-11");
  CHECK(a.task == "Given blurry image, how to return the regular image step by step?");
  CHECK(a.features == std::vector<double>{0.5, -1.25});
  REQUIRE(a.steps.size() == 2);
  const Step& s0 = a.steps[0];
  CHECK(s0.target.action == "Image Deblurring");
  REQUIRE(s0.target.calls.size() == 2);
  CHECK(s0.target.calls[0] == Call{Time::from_ns(7'709'000'000), 382, 121, 1});
  CHECK(s0.target.calls[1] == Call{Time::from_ns(1'101'000'000), 530, 10, 1});
  CHECK(s0.target.latency() == Time::from_ns(8'810'000'000));
  CHECK(s0.target.input_tokens() == 912);
  CHECK(s0.target.output_tokens() == 131);
  REQUIRE(s0.approx.has_value());
  CHECK(s0.approx->action == "Image Deblurring");
  CHECK(s0.approx->calls == std::vector<Call>{{Time::from_ns(7'520'000'000), 364, 10, 1}});
  CHECK(s0.match == std::optional<bool>(true));
  const Step& s1 = a.steps[1];
  CHECK(s1.target.action == "TERMINATE");
  CHECK(s1.approx->action.empty());
  CHECK(s1.approx->calls[0].attempts == 9);
  CHECK(s1.match == std::optional<bool>(false));
  REQUIRE(a.rounds.size() == 1);
  CHECK(a.rounds[0] == Round{0, 2, 2, Time::from_ns(80'000'000)});
  REQUIRE(a.measured.has_value());
  CHECK(a.measured->latency == Time::from_ns(146'384'227'000));
  CHECK(a.measured->sequential == Time::from_ns(156'960'000'000));
  CHECK(a.source == nlohmann::json::parse(R"({"files":["a.log"],"datapoint":11})"));

  const Task& b = t.tasks[1];
  CHECK(b.task_id == "t2");
  CHECK(b.task.empty());
  CHECK(b.features.empty());
  REQUIRE(b.steps.size() == 1);
  CHECK(b.steps[0].target.calls == std::vector<Call>{{Time::from_ns(500'000'000), 0, 3, 1}});
  CHECK_FALSE(b.steps[0].approx.has_value());
  CHECK_FALSE(b.steps[0].match.has_value());
  CHECK(b.rounds.empty());
  CHECK_FALSE(b.measured.has_value());
  CHECK(b.source.is_null());
}

TEST_CASE("recorded_match prefers the recorded verdict, then exact equality", "[trace]") {
  Step s;
  s.target.action = "A";
  CHECK_FALSE(recorded_match(s).has_value());
  s.approx = AgentStep{"A", {}};
  CHECK(recorded_match(s) == std::optional<bool>(true));
  s.match = false;
  CHECK(recorded_match(s) == std::optional<bool>(false));
  s.match.reset();
  s.approx->action = "";
  CHECK(recorded_match(s) == std::optional<bool>(false));
}

TEST_CASE("each kind of bad input is reported with its line and field", "[trace][reader]") {
  SECTION("malformed JSON") {
    CHECK(first_message(task_with(kGoodStep) + "{\"task_id\": \n") ==
          "t.jsonl:2:13: malformed JSON: syntax error while parsing value - unexpected end of input; expected '[', '{', or a literal");
  }
  SECTION("a key given twice, a NUL byte") {
    CHECK(first_message(R"({"task_id":"a","task":"x","task":"y","steps":[)" + kGoodStep + "]}\n") ==
          "t.jsonl:1: malformed JSON: key \"task\" is given twice in one object");
    CHECK(first_message(task_with(R"({"target":{"action":"A","action":"B","calls":[]}})")) ==
          "t.jsonl:1: malformed JSON: key \"action\" is given twice in one object");
    CHECK(first_message(task_with(kGoodStep).substr(0, 5) + std::string(1, '\0') + "\n") ==
          "t.jsonl:1:6: malformed JSON: a NUL byte");
    CHECK(first_message(R"({"task_id":"a","task":"x","steps":[)" + kGoodStep + "]}" + std::string(1, '\0') + "\n") ==
          "t.jsonl:1:" + std::to_string(std::string(R"({"task_id":"a","task":"x","steps":[)").size() + kGoodStep.size() + 3) +
              ": malformed JSON: a NUL byte");
  }
  SECTION("a line that is not an object") {
    CHECK(first_message("[1,2]\n") == "t.jsonl:1: a task line must be a JSON object, got array");
  }
  SECTION("missing fields") {
    CHECK(first_message(R"({"task":"x","steps":[)" + kGoodStep + "]}") == "t.jsonl:1: task_id: missing required field");
    CHECK(first_message(R"({"task_id":"a","task":"x"})") == "t.jsonl:1: steps: missing required field");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":1,"input_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.calls[0].output_tokens: missing required field");
    CHECK(first_message(task_with(R"({"approx":{"action":"A","calls":[]}})")) ==
          "t.jsonl:1: steps[0].target: missing required field");
  }
  SECTION("wrong types") {
    CHECK(first_message(R"({"task_id":7,"task":"x","steps":[)" + kGoodStep + "]}") ==
          "t.jsonl:1: task_id: expected a string, got integer");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":"1","input_tokens":1,"output_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.calls[0].latency_s: expected a number, got string");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":1,"input_tokens":1.5,"output_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.calls[0].input_tokens: expected an integer, got 1.5");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":1,"input_tokens":1,"output_tokens":1}]},"match":"yes"})")) ==
          "t.jsonl:1: steps[0].match: expected true or false, got string");
    CHECK(first_message(R"({"task_id":"a","task":"x","steps":{}})") == "t.jsonl:1: steps: expected an array of steps, got object");
  }
  SECTION("unknown fields are typos, not extensions") {
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency":1,"latency_s":1,"input_tokens":1,"output_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.calls[0].latency: unknown field");
  }
  SECTION("negative or non-finite latency and tokens") {
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":-0.5,"input_tokens":1,"output_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.calls[0].latency_s: must be >= 0, got -0.5");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":1e999,"input_tokens":1,"output_tokens":1}]}})")) ==
          "t.jsonl:1: malformed JSON: number overflow parsing '1e999'");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":1,"input_tokens":-3,"output_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.calls[0].input_tokens: must be >= 0, got -3");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":1,"input_tokens":1,"output_tokens":1e400}]}})")) ==
          "t.jsonl:1: malformed JSON: number overflow parsing '1e400'");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":2e6,"input_tokens":1,"output_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.calls[0].latency_s: must be at most 1e6 seconds, got 2e+06");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[{"latency_s":1,"input_tokens":18446744073709551615,"output_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.calls[0].input_tokens: must be at most 1000000000000, got 18446744073709551615");
  }
  SECTION("a step without a target action") {
    CHECK(first_message(task_with(R"({"target":{"calls":[{"latency_s":1,"input_tokens":1,"output_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.action: missing required field");
    CHECK(first_message(task_with(R"({"target":{"action":"","calls":[{"latency_s":1,"input_tokens":1,"output_tokens":1}]}})")) ==
          "t.jsonl:1: steps[0].target.action: the target's action must not be empty");
    CHECK(first_message(task_with(R"({"target":{"action":"A","calls":[]}})")) ==
          "t.jsonl:1: steps[0].target.calls: needs at least one call");
  }
  SECTION("no steps") {
    CHECK(first_message(R"({"task_id":"a","task":"x","steps":[]})") == "t.jsonl:1: steps: a task needs at least one step");
  }
  SECTION("an empty file") {
    CHECK(first_message("") == "t.jsonl: empty trace: no tasks");
    CHECK(first_message("\n  \n\r\n") == "t.jsonl: empty trace: no tasks");
  }
  SECTION("duplicate task ids") {
    const std::string line = task_with(kGoodStep);
    CHECK(first_message(line + "\n" + line) == "t.jsonl:3: task_id: duplicate task id 'a' (first defined on line 1)");
  }
  SECTION("TERMINATE before the last step") {
    CHECK(first_message(task_with(R"({"target":{"action":"TERMINATE","calls":[{"latency_s":1,"input_tokens":1,"output_tokens":1}]}},)" + kGoodStep)) ==
          "t.jsonl:1: steps[0].target.action: TERMINATE ends the task, so only the last step may have it");
  }
  SECTION("rounds that do not tile the steps") {
    const std::string two = R"({"task_id":"a","task":"x","steps":[)" + kGoodStep + "," + kGoodStep + R"(],"rounds":)";
    CHECK(first_message(two + R"([{"start_step":1,"k":1}]})") ==
          "t.jsonl:1: rounds[0].start_step: the first round must start at step 0, got 1");
    CHECK(first_message(two + R"([{"start_step":0,"k":1}]})") ==
          "t.jsonl:1: rounds[0].k: the round commits 2 steps (from step 0), more than k = 1");
    CHECK(first_message(two + R"([{"start_step":0,"k":0}]})") == "t.jsonl:1: rounds[0].k: must be >= 1, got 0");
    CHECK(first_message(two + R"([{"start_step":0,"k":2},{"start_step":0,"k":2}]})") ==
          "t.jsonl:1: rounds[1].start_step: rounds must start at increasing steps, got 0 after 0");
    CHECK(first_message(two + R"([{"start_step":0,"k":2},{"start_step":2,"k":2}]})") ==
          "t.jsonl:1: rounds[1].start_step: must be less than the number of steps (2), got 2");
  }
  SECTION("training jobs") {
    const std::string one = R"({"task_id":"a","task":"x","steps":[)" + kGoodStep + R"(],"training":)";
    CHECK(first_message(one + R"({}})") == "t.jsonl:1: training: expected an array of training jobs, got object");
    CHECK(first_message(one + R"([{"epochs":[]}]})") == "t.jsonl:1: training[0].epochs: expected a non-empty array of epochs, got an empty array");
    CHECK(first_message(one + R"([{"epochs":[{"at_s":1,"loss":0.5}]}]})") ==
          "t.jsonl:1: training[0].epochs[0].accuracy: missing required field");
    CHECK(first_message(one + R"([{"epochs":[{"at_s":1,"loss":0.5,"accuracy":1.5}]}]})") ==
          "t.jsonl:1: training[0].epochs[0].accuracy: must be in [0, 1], got 1.5");
    CHECK(first_message(one + R"([{"epochs":[{"at_s":1,"loss":-1,"accuracy":1}]}]})") ==
          "t.jsonl:1: training[0].epochs[0].loss: must be >= 0, got -1");
    CHECK(first_message(one + R"([{"epochs":[{"at_s":2,"loss":1,"accuracy":1},{"at_s":1,"loss":1,"accuracy":1}]}]})") ==
          "t.jsonl:1: training[0].epochs[1].at_s: epochs must be in time order");
    CHECK(first_message(one + R"([{"epochs":[{"at_s":1,"loss":1,"accuracy":1,"trajectories":0}]}]})") ==
          "t.jsonl:1: training[0].epochs[0].trajectories: must be >= 1, got 0");
    const Trace t = parse_trace(one + R"([{"epochs":[{"at_s":1.5,"loss":0.25,"accuracy":0.5,"trajectories":3},{"at_s":2,"loss":0.125,"accuracy":1}]}]})", "t");
    REQUIRE(t.tasks[0].training.size() == 1);
    CHECK(t.tasks[0].training[0].epochs ==
          std::vector<TrainingEpoch>{{Time::from_ns(1'500'000'000), 0.25, 0.5, 3}, {Time::from_ns(2'000'000'000), 0.125, 1.0, std::nullopt}});
  }
  SECTION("features of different lengths") {
    const std::string a = R"({"task_id":"a","task":"x","features":[1,2],"steps":[)" + kGoodStep + "]}\n";
    const std::string b = R"({"task_id":"b","task":"x","features":[1],"steps":[)" + kGoodStep + "]}\n";
    CHECK(first_message(a + b) ==
          "t.jsonl:2: features: has 1 values, but the task on line 1 has 2 (all tasks need the same length)");
  }
  SECTION("an unreadable file") {
    auto errors = validate_trace("/nonexistent/dir/trace.jsonl");
    REQUIRE(errors.size() == 1);
    CHECK(std::string(errors[0].what()) == "/nonexistent/dir/trace.jsonl: cannot open file: No such file or directory");
    CHECK_THROWS_WITH(read_trace("/nonexistent/dir/trace.jsonl"),
                      "/nonexistent/dir/trace.jsonl: cannot open file: No such file or directory");
    auto dir_errors = validate_trace("/tmp");
    REQUIRE(dir_errors.size() == 1);
    CHECK(std::string(dir_errors[0].what()) == "/tmp: cannot read file: is a directory");
  }
}

TEST_CASE("validate_trace reports every problem, read_trace the first", "[trace][reader]") {
  const std::string text =
      R"({"task_id":"a","task":"x","steps":[{"target":{"action":"A","calls":[{"latency_s":-1,"input_tokens":-2,"output_tokens":1}]}}]})"
      "\n"
      "not json\n" +
      task_with(kGoodStep) +  // line 3 defines "a" again
      R"({"task_id":"b","task":"x","steps":[]})"
      "\n";
  auto errors = validate_trace_text(text, "t.jsonl");
  REQUIRE(errors.size() == 5);
  CHECK(std::string(errors[0].what()) == "t.jsonl:1: steps[0].target.calls[0].latency_s: must be >= 0, got -1");
  CHECK(errors[0].line() == 1);
  CHECK(errors[0].field() == "steps[0].target.calls[0].latency_s");
  CHECK(std::string(errors[1].what()) == "t.jsonl:1: steps[0].target.calls[0].input_tokens: must be >= 0, got -2");
  CHECK(std::string(errors[2].what()) == "t.jsonl:2:2: malformed JSON: syntax error while parsing value - invalid literal; last read: 'no'");
  CHECK(std::string(errors[3].what()) == "t.jsonl:3: task_id: duplicate task id 'a' (first defined on line 1)");
  CHECK(std::string(errors[4].what()) == "t.jsonl:4: steps: a task needs at least one step");

  CHECK_THROWS_WITH(parse_trace(text, "t.jsonl"), "t.jsonl:1: steps[0].target.calls[0].latency_s: must be >= 0, got -1");
  try {
    parse_trace(text, "t.jsonl");
  } catch (const InputError& e) {
    CHECK(e.line() == 1);
    CHECK(e.file() == "t.jsonl");
  }
}

TEST_CASE("the reader survives hostile bytes", "[trace][reader]") {
  // Deep nesting, invalid UTF-8, NUL bytes, lone surrogates: reported, never a crash.
  const std::string deep = "{\"source\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK(first_message(deep) == "t.jsonl:1: malformed JSON: nested deeper than 64 levels");
  CHECK(first_message(std::string("{\"task_id\":\"\xff\"}")).find("t.jsonl:1:") == 0);
  CHECK(first_message(std::string("{\"task_id\0\":1}", 15)).find("t.jsonl:1:") == 0);
  CHECK(first_message("{\"task_id\":\"\\ud800\"}").find("t.jsonl:1:") == 0);
  CHECK(first_message(std::string(64, '{')).find("t.jsonl:1:") == 0);
  CHECK(first_message("\xEF\xBB\xBF" + task_with(kGoodStep)) == "(no error)");  // a byte order mark is fine
  // Every prefix of a valid trace either parses or is reported: no exception escapes validate.
  for (std::size_t n = 0; n <= kTwoTasks.size(); ++n) {
    CHECK_NOTHROW(validate_trace_text(std::string_view(kTwoTasks).substr(0, n), "t.jsonl"));
  }
}

TEST_CASE("mutated traces are either valid and round-trip, or reported", "[trace][reader]") {
  // A cheap stand-in for the libFuzzer target: random byte edits of a valid trace. Whatever
  // validate accepts, parse must accept too, and writing it back must give the same trace.
  std::uint64_t state = 0x9E3779B97F4A7C15u;  // splitmix64: the same edits everywhere
  auto next = [&state]() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
  };
  const std::string alphabet = "{}[]\",:0123456789.-eE truefalsnl\\u\n\xff";
  int valid = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = kTwoTasks;
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t pos = next() % text.size();
      switch (next() % 3) {
        case 0: text[pos] = alphabet[next() % alphabet.size()]; break;
        case 1: text.insert(pos, 1, alphabet[next() % alphabet.size()]); break;
        default: text.erase(pos, 1 + next() % 8); break;
      }
    }
    std::vector<InputError> errors;
    REQUIRE_NOTHROW(errors = validate_trace_text(text, "m.jsonl"));
    if (!errors.empty()) {
      CHECK_THROWS_AS(parse_trace(text, "m.jsonl"), InputError);
      continue;
    }
    ++valid;
    const Trace t = parse_trace(text, "m.jsonl");
    const Trace back = parse_trace(trace_to_jsonl(t), "back.jsonl");
    CHECK(back == t);
  }
  CHECK(valid > 0);
}

TEST_CASE("the example in docs/traces.md is a valid trace", "[trace][reader]") {
  const std::string doc = specsim::sim::read_text_file(std::string(SPECSIM_SOURCE_DIR) + "/docs/traces.md");
  const std::size_t start = doc.find("```json\n");
  REQUIRE(start != std::string::npos);
  const std::size_t end = doc.find("```", start + 8);
  const Trace t = parse_trace(std::string_view(doc).substr(start + 8, end - start - 8), "docs/traces.md");
  REQUIRE(t.tasks.size() == 2);
  CHECK(t.tasks[0].steps.size() == 2);
  CHECK(t.tasks[0].steps[1].approx->calls[0].attempts == 9);
  CHECK(t.tasks[1].features == std::vector<double>{0.5, -1.25});
}

TEST_CASE("a trace file is checked line by line: counts, and the first problems kept of all", "[trace][reader]") {
  specsim::testing::TempDir dir;
  const std::string path = (dir.path() / "big.jsonl").string();
  const std::size_t bad_lines = TraceLineReader::kMaxKeptErrors + 500;
  {
    std::ofstream out(path, std::ios::binary);
    out << kTwoTasks;  // lines 1-3: two tasks, three steps
    // Arrays, then tasks without steps: past the kept problems, a bad task must still not count.
    for (std::size_t i = 0; i < bad_lines; ++i)
      out << (i < 10 ? std::string("[]") : R"({"task_id":"x)" + std::to_string(i) + R"(","task":"x","steps":[]})") << "\n";
    out << task_with(kGoodStep).substr(0, task_with(kGoodStep).size() - 1);  // a last line without '\n'
  }
  const TraceCheck check = check_trace_file(path);
  CHECK(check.error_count == bad_lines);
  REQUIRE(check.errors.size() == TraceLineReader::kMaxKeptErrors);
  CHECK(std::string(check.errors.front().what()) == path + ":4: a task line must be a JSON object, got array");
  CHECK(check.errors.back().line() == static_cast<int>(3 + TraceLineReader::kMaxKeptErrors));
  CHECK(check.tasks == 3);
  CHECK(check.steps == 4);

  // Reading streams the file too, with the same line numbers as text in memory.
  const std::string good = (dir.path() / "good.jsonl").string();
  std::ofstream(good, std::ios::binary) << kTwoTasks;
  const Trace from_file = read_trace(good);
  const Trace from_text = parse_trace(kTwoTasks, good);
  CHECK(from_file == from_text);
  CHECK(check_trace_file(good).error_count == 0);
  CHECK(check_trace_file(good).tasks == 2);
}

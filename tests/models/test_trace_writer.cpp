// The trace writer: deterministic text, exact round trips, and no partial file on error.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "support/temp_dir.hpp"

using namespace specsim::models::trace;
using specsim::sim::InputError;
using specsim::sim::Time;
using specsim::testing::TempDir;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Trace sample_trace() {
  Task a;
  a.task_id = "openagi-11";
  a.task = "Given blurry image, \"quoted\" \\ and \xc3\xa9 \t tab";
  a.features = {0.1, 1.0 / 3.0, -2.5e-300, 123456789.125, std::numeric_limits<double>::max()};
  Step s0;
  s0.target = {"Image Deblurring", {{Time::from_ns(7'709'000'000), 382, 121, 1}, {Time::from_ns(1'101'000'000), 530, 10, 1}}};
  s0.approx = AgentStep{"Image Deblurring", {{Time::from_ns(7'520'000'000), 364, 10, 1}}};
  s0.match = true;
  Step s1;
  // Odd nanosecond counts and the largest allowed latency must survive the decimal round trip.
  s1.target = {"TERMINATE", {{Time::from_ns(1), 0, 0, 1}, {Time::from_ns(999'999'999'999'999), 1'000'000'000'000, 7, 3}}};
  s1.approx = AgentStep{"", {{Time::from_ns(123'456'789'012), 467, 0, 9}}};
  s1.match = false;
  a.steps = {s0, s1};
  a.rounds = {{0, 2, 0, Time::from_ns(80'000'000)}};
  a.measured = Measured{Time::from_ns(146'384'227'000), Time::from_ns(156'960'000'000)};
  a.source = nlohmann::json::parse(R"({"z":1,"a":[0.1,"x"],"files":["approximation_datapoint11.log"]})");

  Task b;
  b.task_id = "b";
  b.task = "";
  b.features = {4.0, 5.0, 6.0, 7.0, 8.0};
  Step only;
  only.target = {"Fill Mask", {{Time::from_ns(0), 0, 0, 1}}};
  b.steps = {only};
  b.rounds = {{0, 1, std::nullopt, std::nullopt}};
  b.measured = Measured{std::nullopt, Time::from_ns(5)};

  Trace t;
  t.tasks = {a, b};
  return t;
}

}  // namespace

TEST_CASE("seconds are written as the exact decimal of their nanoseconds", "[trace][writer]") {
  CHECK(format_seconds(Time::from_ns(8'810'000'000)) == "8.81");
  CHECK(format_seconds(Time::from_ns(12'000'000'000)) == "12");
  CHECK(format_seconds(Time::from_ns(0)) == "0");
  CHECK(format_seconds(Time::from_ns(1)) == "0.000000001");
  CHECK(format_seconds(Time::from_ns(-1'500'000'000)) == "-1.5");
  CHECK(format_seconds(Time::from_ns(std::numeric_limits<std::int64_t>::min())) == "-9223372036.854775808");
}

TEST_CASE("a task is one line with a fixed key order", "[trace][writer]") {
  const Trace t = sample_trace();
  CHECK(task_to_json_line(t.tasks[1]) ==
        R"({"task_id":"b","task":"","features":[4,5,6,7,8],"steps":[{"target":{"action":"Fill Mask","calls":[{"latency_s":0,"input_tokens":0,"output_tokens":0}]}}],)"
        R"("rounds":[{"start_step":0,"k":1}],"measured":{"sequential_s":0.000000005}})");
  const std::string a = task_to_json_line(t.tasks[0]);
  CHECK(a.find(R"("features":[0.1,0.3333333333333333,-2.5e-300,123456789.125,1.7976931348623157e+308])") != std::string::npos);
  CHECK(a.find(R"({"latency_s":999999.999999999,"input_tokens":1000000000000,"output_tokens":7,"attempts":3})") != std::string::npos);
  CHECK(a.find(R"("rounds":[{"start_step":0,"k":2,"predicted_k":0,"predictor_latency_s":0.08}])") != std::string::npos);
  CHECK(a.find(R"("source":{"a":[0.1,"x"],"files":["approximation_datapoint11.log"],"z":1})") != std::string::npos);
}

TEST_CASE("write then read gives an equal trace, and writing is deterministic", "[trace][writer]") {
  TempDir dir;
  const Trace t = sample_trace();
  const std::string path = (dir.path() / "t.jsonl").string();
  write_trace(t, path);
  const Trace back = read_trace(path);
  CHECK(back == t);
  CHECK(back.file == path);
  REQUIRE(back.tasks.size() == 2);
  CHECK(back.tasks[0].steps[1].target.calls[1].latency == Time::from_ns(999'999'999'999'999));
  CHECK(back.tasks[0].features == t.tasks[0].features);

  // Same trace, same bytes; and a second write of what was read is identical.
  const std::string first = slurp(path);
  CHECK(first == trace_to_jsonl(t));
  write_trace(back, path);
  CHECK(slurp(path) == first);

  // Equality is about content: a change anywhere is seen.
  Trace changed = back;
  changed.tasks[0].steps[0].target.calls[1].output_tokens = 11;
  CHECK_FALSE(changed == t);
  changed = back;
  changed.tasks[1].measured->latency = Time::from_ns(1);
  CHECK_FALSE(changed == t);
}

TEST_CASE("an invalid trace is never written, and the old file stays whole", "[trace][writer]") {
  TempDir dir;
  const std::string path = (dir.path() / "t.jsonl").string();
  write_trace(sample_trace(), path);
  const std::string before = slurp(path);

  Trace bad = sample_trace();
  bad.tasks[1].steps[0].target.calls[0].latency = Time::from_ns(-5);
  CHECK_THROWS_WITH(write_trace(bad, path), (path + ":2: steps[0].target.calls[0].latency_s: must be >= 0, got -5e-09").c_str());
  bad = sample_trace();
  bad.tasks[1].task_id = "openagi-11";
  CHECK_THROWS_WITH(write_trace(bad, path), (path + ":2: task_id: duplicate task id 'openagi-11' (first defined on line 1)").c_str());
  bad = sample_trace();
  bad.tasks[0].task = "\xff";
  CHECK_THROWS_WITH(write_trace(bad, path), (path + ":1: task: not valid UTF-8").c_str());
  CHECK_THROWS_WITH(write_trace(Trace{}, path), (path + ": empty trace: no tasks").c_str());

  CHECK(slurp(path) == before);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
  CHECK(files == 1);  // no temporary file left behind

  CHECK_THROWS_WITH(write_trace(sample_trace(), (dir.path() / "missing" / "t.jsonl").string()),
                    Catch::Matchers::Contains("cannot create a temporary file: No such file or directory"));
}

TEST_CASE("a trace is written task by task, and lands only when committed", "[trace][writer]") {
  TempDir dir;
  const std::string whole = (dir.path() / "whole.jsonl").string(), streamed = (dir.path() / "streamed.jsonl").string();
  write_trace(sample_trace(), whole);
  {
    TraceFileWriter out(streamed);
    for (const Task& task : sample_trace().tasks) out.write(task);
    CHECK_FALSE(fs::exists(streamed));
  }  // not committed: nothing lands, no temporary stays
  CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}) == 1);

  TraceFileWriter out(streamed);
  for (const Task& task : sample_trace().tasks) out.write(task);
  out.commit();
  CHECK(slurp(streamed) == slurp(whole));

  TraceFileWriter again(streamed);
  again.write(sample_trace().tasks[0]);
  CHECK_THROWS_WITH(again.write(sample_trace().tasks[0]),
                    (streamed + ":2: task_id: duplicate task id 'openagi-11' (first defined on line 1)").c_str());
}

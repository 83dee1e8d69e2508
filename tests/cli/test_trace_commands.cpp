// `specsim trace validate|stats|import-dsp` end to end through the real binary: exit codes,
// messages, the statistics JSON, and importing DSP's published logs into a trace that validates.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace fs = std::filesystem;

#include "support/run_specsim.hpp"
#include "support/temp_dir.hpp"

using specsim::testing::Outcome;
using specsim::testing::run_specsim;

namespace {



// This process's scratch folder, removed at exit.
const specsim::testing::TempDir& scratch() {
  static const specsim::testing::TempDir dir;
  return dir;
}

// A fresh folder for one test case.
std::string fresh(const std::string& name) {
  const std::string dir = (scratch() / name).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::size_t files_in(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

// Two tasks, three steps: one matched guess, one empty guess (recorded false), one step without a guess.
const std::string kGood =
    R"({"task_id":"a","task":"Given blurry image","steps":[)"
    R"({"target":{"action":"Image Deblurring","calls":[{"latency_s":2,"input_tokens":100,"output_tokens":20},{"latency_s":1,"input_tokens":130,"output_tokens":5}]},)"
    R"("approx":{"action":"Image Deblurring","calls":[{"latency_s":0.5,"input_tokens":50,"output_tokens":4}]},"match":true},)"
    R"({"target":{"action":"TERMINATE","calls":[{"latency_s":4,"input_tokens":200,"output_tokens":30}]},)"
    R"("approx":{"action":"","calls":[{"latency_s":1.5,"input_tokens":60,"output_tokens":0,"attempts":3}]},"match":false}],)"
    R"("rounds":[{"start_step":0,"k":2}],"measured":{"latency_s":6,"sequential_s":7}})"
    "\n"
    R"({"task_id":"b","task":"Summarize","steps":[{"target":{"action":"Text Summarization","calls":[{"latency_s":3,"input_tokens":10,"output_tokens":1}]}}]})"
    "\n";

const std::string kDspTest = std::string(SPECSIM_SOURCE_DIR) + "/../shared/data/dsp-logs/4_8/test/logs/react/dyn_k";

}  // namespace

TEST_CASE("trace validate: a good trace", "[trace][cli]") {
  const std::string dir = fresh("validate-good");
  std::ofstream(dir + "/good.jsonl") << kGood;
  const Outcome o = run_specsim("trace validate " + dir + "/good.jsonl");
  CHECK(o.exit_code == 0);
  CHECK(o.output == dir + "/good.jsonl: 2 tasks, 3 steps, valid\n");
}

TEST_CASE("trace validate: every problem, one per line, then a summary", "[trace][cli]") {
  const std::string dir = fresh("validate-bad");
  const std::string file = dir + "/bad.jsonl";
  std::ofstream(file) << R"({"task_id":"a","task":"x","steps":[{"target":{"action":"A","calls":[{"latency_s":-1,"input_tokens":1,"output_tokens":1}]}}]})"
                      << "\n"
                      << R"({"task_id":"b","steps":[],"colour":1})" << "\n"
                      << "{not json\n";
  const Outcome o = run_specsim("trace validate " + file);
  CHECK(o.exit_code == 2);
  CHECK(o.output == file + ":1: steps[0].target.calls[0].latency_s: must be >= 0, got -1\n" +
                        file + ":2: colour: unknown field\n" +
                        file + ":2: task: missing required field\n" +
                        file + ":2: steps: a task needs at least one step\n" +
                        file + ":3:3: malformed JSON: syntax error while parsing object key - invalid literal; last read: '{no'; expected string literal\n" +
                        file + ": 5 problems, invalid\n");

  const Outcome missing = run_specsim("trace validate " + dir + "/missing.jsonl");
  CHECK(missing.exit_code == 2);
  CHECK(missing.output == dir + "/missing.jsonl: cannot open file: No such file or directory\n" + dir +
                              "/missing.jsonl: 1 problem, invalid\n");

  std::ofstream(dir + "/empty.jsonl") << "\n\n";
  const Outcome empty = run_specsim("trace validate " + dir + "/empty.jsonl");
  CHECK(empty.exit_code == 2);
  CHECK(empty.output == dir + "/empty.jsonl: empty trace: no tasks\n" + dir + "/empty.jsonl: 1 problem, invalid\n");
}

TEST_CASE("trace stats: the table and the JSON", "[trace][cli]") {
  const std::string dir = fresh("stats");
  std::ofstream(dir + "/good.jsonl") << kGood;
  const Outcome o = run_specsim("trace stats " + dir + "/good.jsonl --json " + dir + "/out/stats.json");
  REQUIRE(o.exit_code == 0);
  CHECK_THAT(o.output, Catch::StartsWith(dir + "/good.jsonl: 2 tasks (1 end in TERMINATE), 3 steps, 1 rounds recorded\n"
                                                "match rate 0.5000 (1 of 2 steps with a verdict)\n"));
  CHECK_THAT(o.output, Catch::EndsWith("statistics: " + dir + "/out/stats.json\n"));

  const auto j = nlohmann::json::parse(specsim::testing::read_file(dir + "/out/stats.json"));
  CHECK(j.at("file") == dir + "/good.jsonl");
  CHECK(j.at("tasks") == 2);
  CHECK(j.at("steps") == 3);
  CHECK(j.at("terminated_tasks") == 1);
  CHECK(j.at("steps_with_verdict") == 2);
  CHECK(j.at("matches") == 1);
  CHECK(j.at("match_rate") == 0.5);
  CHECK(j.at("steps_per_task").at("mean") == 1.5);
  CHECK(j.at("target").at("steps") == 3);
  CHECK(j.at("target").at("calls") == 4);
  CHECK(j.at("target").at("input_tokens") == 440);
  CHECK(j.at("target").at("output_tokens") == 56);
  CHECK(j.at("target").at("step_latency_s").at("max") == 4.0);
  CHECK(j.at("approx").at("steps") == 2);
  CHECK(j.at("approx").at("retried_calls") == 1);
  CHECK(j.at("rounds") == 1);
  CHECK(j.at("round_k").at("mean") == 2.0);
  CHECK(j.at("tasks_measured") == 1);
  CHECK(j.at("measured_speedup").at("mean") == Approx(7.0 / 6.0).epsilon(1e-15));
  // Key order is fixed: file first, then the statistics.
  const std::string text = specsim::testing::read_file(dir + "/out/stats.json");
  CHECK(text.find("\"file\"") < text.find("\"tasks\""));
  for (const auto& e : fs::directory_iterator(dir + "/out")) CHECK(e.path().filename() == "stats.json");  // no temporary left

  std::ofstream(dir + "/bad.jsonl") << "{}\n";
  const Outcome bad = run_specsim("trace stats " + dir + "/bad.jsonl --json " + dir + "/bad.json");
  CHECK(bad.exit_code == 2);
  CHECK(bad.output == "specsim: error: " + dir + "/bad.jsonl:1: task_id: missing required field\n");
  CHECK_FALSE(fs::exists(dir + "/bad.json"));
}

TEST_CASE("trace fidelity of a trace with nothing measured exits 2 instead of printing 0%", "[trace][cli]") {
  const std::string dir = fresh("fidelity-unmeasured");
  std::ofstream(dir + "/t.jsonl") << kGood.substr(kGood.find("\n{") + 1);  // task b: nothing measured
  const Outcome o = run_specsim("trace fidelity " + dir + "/t.jsonl");
  CHECK(o.exit_code == 2);
  CHECK_THAT(o.output, Catch::Contains(dir + "/t.jsonl: measured.latency_s: no task has a measured latency"));
}

TEST_CASE("trace: usage errors exit 2", "[trace][cli]") {
  CHECK(run_specsim("trace").exit_code == 2);
  CHECK(run_specsim("trace validate").exit_code == 2);
  CHECK(run_specsim("trace import-dsp somewhere").exit_code == 2);  // -o is required
  CHECK(run_specsim("trace frobnicate x").exit_code == 2);
  const Outcome help = run_specsim("trace --help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.output, Catch::Contains("import-dsp"));
}

TEST_CASE("trace import-dsp: the published test logs", "[trace][cli][dsp]") {
  if (!fs::is_directory(kDspTest)) {
    WARN("DSP logs not found at " << kDspTest << ": skipped");
    return;
  }
  const std::string dir = fresh("import");
  const Outcome o = run_specsim("trace import-dsp " + kDspTest + " -o " + dir + "/out/test.jsonl --report " + dir + "/report.txt");
  INFO(o.output);
  REQUIRE(o.exit_code == 0);
  CHECK_THAT(o.output, Catch::StartsWith("5 of 5 datapoints imported; lines: 861 used, 180 irrelevant, 1 unreadable; 3 warnings\n"));  // 69 of them train logs
  CHECK_THAT(o.output, Catch::Contains("unreadable lines:\n  " + kDspTest + "/approximation_datapoint11.log:46: 5638 prompt\n"));
  CHECK_THAT(o.output, Catch::Contains("total: 5 of 5 datapoints imported, 44 steps, 37 rounds, 1 unreadable line, 3 warnings\n"));
  CHECK_THAT(o.output, Catch::EndsWith("wrote " + dir + "/out/test.jsonl: 5 tasks, 44 steps\n"));
  // The report file is what was printed, without the last line.
  const std::string report = specsim::testing::read_file(dir + "/report.txt");
  CHECK(o.output == report + "wrote " + dir + "/out/test.jsonl: 5 tasks, 44 steps\n");

  const Outcome v = run_specsim("trace validate " + dir + "/out/test.jsonl");
  CHECK(v.exit_code == 0);
  CHECK(v.output == dir + "/out/test.jsonl: 5 tasks, 44 steps, valid\n");
  CHECK_THAT(specsim::testing::read_file(dir + "/out/test.jsonl"), Catch::StartsWith(R"({"task_id":"openagi-11","task":"Given blurry image, how to return the regular image step by step?")"));
}

TEST_CASE("trace import-dsp: a folder above the log folders imports the tree", "[trace][cli][dsp]") {
  const std::string test_root = kDspTest + "/../../..";  // 4_8/test
  if (!fs::is_directory(kDspTest)) {
    WARN("DSP logs not found at " << kDspTest << ": skipped");
    return;
  }
  const std::string dir = fresh("import-tree");
  const Outcome o = run_specsim("trace import-dsp " + test_root + " -o " + dir + "/tree.jsonl");
  INFO(o.output);
  REQUIRE(o.exit_code == 0);
  CHECK_THAT(o.output, Catch::Contains("total: 5 of 5 datapoints imported, 44 steps, 37 rounds, 1 unreadable line, 3 warnings\n"));
  CHECK_THAT(specsim::testing::read_file(dir + "/tree.jsonl"), Catch::StartsWith(R"({"task_id":"logs/react/dyn_k/openagi-11",)"));
  CHECK(run_specsim("trace validate " + dir + "/tree.jsonl").exit_code == 0);
}

TEST_CASE("trace import-dsp: failures exit 2 and leave no file", "[trace][cli]") {
  const std::string dir = fresh("import-bad");
  fs::create_directories(dir + "/empty");
  fs::create_directories(dir + "/out");

  const Outcome missing = run_specsim("trace import-dsp " + dir + "/nope -o " + dir + "/out/t.jsonl --report " + dir + "/out/r.txt");
  CHECK(missing.exit_code == 2);
  CHECK(missing.output == "specsim: error: " + dir + "/nope: not a folder of DSP logs\n");

  const Outcome empty = run_specsim("trace import-dsp " + dir + "/empty -o " + dir + "/out/t.jsonl --report " + dir + "/out/r.txt");
  CHECK(empty.exit_code == 2);
  CHECK(empty.output == "specsim: error: " + dir +
                            "/empty: no DSP datapoint logs (approximation/target_datapointNN.log) in the folder or below\n");

  // A datapoint without its target log: listed in the report, nothing imported.
  fs::create_directories(dir + "/half");
  std::ofstream(dir + "/half/approximation_datapoint11.log") << "04/08/2025, 18:09:10: task description: x\n";
  const Outcome half = run_specsim("trace import-dsp " + dir + "/half -o " + dir + "/out/t.jsonl --report " + dir + "/out/r.txt");
  CHECK(half.exit_code == 2);
  CHECK_THAT(half.output, Catch::Contains("0 of 1 datapoints imported"));
  CHECK_THAT(half.output, Catch::Contains("warning: not imported: the target log is missing"));
  CHECK_THAT(half.output, Catch::EndsWith("specsim: error: " + dir + "/half: no datapoint could be imported (see the warnings above)\n"));

  if (fs::is_directory(kDspTest)) {
    // The report cannot be written (its folder would be a file): the trace is not left behind either.
    std::ofstream(dir + "/out/blocker") << "x";
    const Outcome blocked = run_specsim("trace import-dsp " + kDspTest + " -o " + dir + "/out/t.jsonl --report " + dir + "/out/blocker/r.txt");
    CHECK(blocked.exit_code == 2);
    CHECK_THAT(blocked.output, Catch::Contains("specsim: error: " + dir + "/out/blocker/r.txt: --report: cannot write below '" + dir + "/out/blocker': it is a file, not a folder"));
    fs::remove(dir + "/out/blocker");
  }
  CHECK(files_in(dir + "/out") == 0);
}

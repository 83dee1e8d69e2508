// The DSP log importer, checked against values read by hand from the published logs
// (shared/data/dsp-logs, copied from guanyilin428/Dynamic-Speculative-Planning at 453268c), and
// on small synthetic folders for what the published logs do not show.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include "models/trace/dsp_log_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/files.hpp"
#include "support/temp_dir.hpp"

using namespace specsim::models::trace;
using specsim::sim::Time;
using specsim::testing::TempDir;
namespace fs = std::filesystem;

namespace {

const fs::path kLogs = fs::path(SPECSIM_SOURCE_DIR) / ".." / "shared" / "data" / "dsp-logs";

bool have_logs() {
  if (fs::is_directory(kLogs)) return true;
  WARN("DSP logs not found at " << kLogs.string() << ": skipping the tests on published data");
  return false;
}

Time ms(std::int64_t n) { return Time::from_ns(n * 1'000'000); }

const Task& find_task(const Trace& t, const std::string& id) {
  for (const Task& task : t.tasks)
    if (task.task_id == id) return task;
  FAIL("no task " << id);
  throw;
}

const DatapointReport& find_report(const ImportResult& r, const std::string& id) {
  for (const DatapointReport& d : r.datapoints)
    if (d.task_id == id) return d;
  FAIL("no report " << id);
  throw;
}

void write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::ofstream(dir / name, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("test/dyn_k datapoint 11 imports as read by hand", "[trace][dsp]") {
  if (!have_logs()) return;
  const ImportResult r = import_dsp_logs((kLogs / "4_8/test/logs/react/dyn_k").string());
  REQUIRE(r.datapoints.size() == 5);
  CHECK(r.imported() == 5);
  const Task& t = find_task(r.trace, "openagi-11");
  CHECK(t.task == "Given blurry image, how to return the regular image step by step?");  // line 1 of each log
  REQUIRE(t.steps.size() == 12);  // simulation_datapoint11.log:46 "step number: 12"
  const std::vector<std::string> actions = {"Image Deblurring", "Image Denoising", "Image Super-Resolution",
                                            "Image Classification", "Image Captioning", "Visual Question Answering",
                                            "Object Detection", "Colorization", "Text Summarization",
                                            "Machine Translation", "Text Summarization", "TERMINATE"};
  for (std::size_t i = 0; i < actions.size(); ++i) CHECK(t.steps[i].target.action == actions[i]);  // sim log line 27

  // Step 1. target_datapoint11.log: thought 382 prompt (line 3, 18:09:18) / 121 generated (line 4,
  // 18:09:25), response 530 (line 6, 18:09:25) / 10 (line 9, 18:09:26), "-time 8.81" (line 12).
  // Spans 7 s and 1 s split 8.81 s as 7.709 + 1.101.
  const Step& s1 = t.steps[0];
  REQUIRE(s1.target.calls.size() == 2);
  CHECK(s1.target.calls[0] == Call{ms(7709), 382, 121, 1});
  CHECK(s1.target.calls[1] == Call{ms(1101), 530, 10, 1});
  // approximation_datapoint11.log lines 2 and 5: prompt 364, "Image Deblurring -time 7.52 -token 10".
  REQUIRE(s1.approx.has_value());
  CHECK(*s1.approx == AgentStep{"Image Deblurring", {{ms(7520), 364, 10, 1}}});
  CHECK(s1.match == std::optional<bool>(true));  // simulation line 3: agrees

  // Step 2: target lines 8/13/15/16 (397/96 over 18:09:25-32, 520/10 over 18:09:32-33), "-time 7.88"
  // (line 19) -> 6.895 + 0.985. A: lines 6-7, prompt 379, "Image Super-Resolution -time 1.1 -token 10".
  CHECK(t.steps[1].target.calls == std::vector<Call>{{ms(6895), 397, 96, 1}, {ms(985), 520, 10, 1}});
  CHECK(*t.steps[1].approx == AgentStep{"Image Super-Resolution", {{ms(1100), 379, 10, 1}}});
  CHECK(t.steps[1].match == std::optional<bool>(false));  // simulation line 5: correcting

  // Step 12: target lines 154/155/157/158 (478/191 over 18:11:35-43, 696/9 over 18:11:43-44),
  // "-time 9.05" (line 161) -> 8.044 + 1.006. A: lines 42 and 45, prompt 577, "Fill Mask -time 3.4 -token 8".
  CHECK(t.steps[11].target.calls == std::vector<Call>{{ms(8044), 478, 191, 1}, {ms(1006), 696, 9, 1}});
  CHECK(*t.steps[11].approx == AgentStep{"Fill Mask", {{ms(3400), 577, 8, 1}}});

  // 3 of 12 guesses matched: DSP's own "accuracy of approximation agent: 0.25" (sim line 35).
  int matches = 0;
  for (const Step& s : t.steps) matches += s.match.value_or(false) ? 1 : 0;
  CHECK(matches == 3);

  // Ten "Predict K" lines (approximation lines 4, 10, 16, 20, ...: 2, 2, 1, 0, 1, 1, 1, 1, 1, 1) and
  // ten "return sas tasks" lines committing 2, 2, then 1 step each. The 0 of line 20 ran as k = 1.
  REQUIRE(t.rounds.size() == 10);
  CHECK(t.rounds[0] == Round{0, 2, 2, ms(80)});    // "Predictor time: 0.08s", line 3
  CHECK(t.rounds[1] == Round{2, 2, 2, ms(80)});    // line 9
  CHECK(t.rounds[2] == Round{4, 1, 1, ms(110)});   // line 15
  CHECK(t.rounds[3] == Round{5, 1, 0, ms(90)});    // lines 19-20: "Predict K: 0"
  CHECK(t.rounds[9] == Round{11, 1, 1, ms(100)});  // lines 43-44
  // simulation line 26 "... = 0:02:26.384227", line 32 "total target step time: 156.96".
  REQUIRE(t.measured.has_value());
  CHECK(t.measured->latency == Time::from_ns(146'384'227'000));
  CHECK(t.measured->sequential == ms(156'960));
  Time sum;
  for (const Step& s : t.steps) sum += s.target.latency();
  CHECK(sum == ms(156'960));

  // The truncated last fragment of approximation_datapoint11.log is the one unreadable line.
  REQUIRE(r.unreadable.size() == 1);
  CHECK(r.unreadable[0].line == 46);
  CHECK(r.unreadable[0].text == "5638 prompt");
  CHECK(fs::path(r.unreadable[0].file).filename() == "approximation_datapoint11.log");
  const DatapointReport& rep = find_report(r, "openagi-11");
  CHECK(rep.imported);
  CHECK(rep.steps == 12);
  CHECK(rep.rounds == 10);
  CHECK(rep.lines.unreadable == 1);
  CHECK(rep.lines.used + rep.lines.irrelevant + rep.lines.unreadable == 46 + 167 + 47 + 24);  // all lines of the 4 logs
  CHECK(rep.warnings == std::vector<std::string>{"approximation_datapoint11.log:46: unreadable line: 5638 prompt",
                                                 "approximation_datapoint11.log: the file does not end with a newline (truncated?)"});
  CHECK(t.source["files"] == nlohmann::json::array({"approximation_datapoint11.log", "target_datapoint11.log",
                                                    "simulation_datapoint11.log", "train_datapoint11.log"}));
  CHECK(t.source["datapoint"] == 11);
  CHECK(t.source["dsp_summary"]["total target token prompt"] == 13524);
  // train_datapoint11.log: 8 jobs of epochs 1-3 (no "chosen index" lines in this folder). Line 1,
  // 18:09:55, is 37 s after the run's start (target line 1, 18:09:18); lines 22-24 are the last job.
  REQUIRE(t.training.size() == 8);
  CHECK(t.training[0].epochs.size() == 3);
  CHECK(t.training[0].epochs[0] == TrainingEpoch{Time::from_seconds(37), 0.07443703711032867, 1.0, std::nullopt});
  CHECK(t.training[7].epochs[2] == TrainingEpoch{Time::from_seconds(148), 0.007707546465098858, 1.0, std::nullopt});
  CHECK(r.ignored_files.empty());
}

TEST_CASE("bs_16_ep_3 datapoint 12 imports as read by hand", "[trace][dsp]") {
  if (!have_logs()) return;
  const ImportResult r = import_dsp_logs((kLogs / "4_8/logs/react/dyn_k/bs_16_ep_3").string());
  CHECK(r.datapoints.size() == 10);
  CHECK(r.imported() == 10);
  CHECK(r.unreadable.empty());
  const Task& t = find_task(r.trace, "openagi-12");
  CHECK(t.task == "Given low-resolutioned noisy image, how to return the regular image step by step?");
  // train_datapoint12.log line 1 "chosen index [0, 1, 3, 2, 4, 5, 7, 8, 6]" before line 2, 22:34:59
  // (57 s after 22:34:02): "Epoch 1 - Loss: 1.53605055809021 - Accuracy: 50.0%".
  REQUIRE(t.training.size() == 3);
  CHECK(t.training[0].epochs[0] == TrainingEpoch{Time::from_seconds(57), 1.53605055809021, 0.5, 9});
  REQUIRE(t.steps.size() == 10);
  const std::vector<std::string> actions = {"Image Denoising", "Image Super-Resolution", "Image Deblurring",
                                            "Image Classification", "Object Detection", "Image Captioning",
                                            "Visual Question Answering", "Colorization", "Image Super-Resolution",
                                            "TERMINATE"};
  for (std::size_t i = 0; i < actions.size(); ++i) CHECK(t.steps[i].target.action == actions[i]);

  // target_datapoint12.log step 1: 385 (line 3, 22:34:02) / 86 (line 6, :05), 498 (line 8, :05) /
  // 10 (line 11, :06), "-time 4.62" (line 14): spans 3 s and 1 s -> 3.465 + 1.155.
  CHECK(t.steps[0].target.calls == std::vector<Call>{{ms(3465), 385, 86, 1}, {ms(1155), 498, 10, 1}});
  // Step 2: 400 (line 5, :05) / 92 (line 15, :10), 519 (line 17, :10) / 10 (line 18, :11), "-time 6.72".
  CHECK(t.steps[1].target.calls == std::vector<Call>{{ms(5600), 400, 92, 1}, {ms(1120), 519, 10, 1}});
  // Step 3 was attempted twice: speculatively in round 1 (line 10, cancelled at line 23), then in
  // round 2: 409 (line 29, 22:34:11) / 156 (line 30, :16), 592 (line 32, :16) / 10 (line 33, :19),
  // "-time 7.91" (line 36): spans 5 s and 3 s -> 4.944 + 2.966.
  CHECK(t.steps[2].target.calls == std::vector<Call>{{ms(4944), 409, 156, 1}, {ms(2966), 592, 10, 1}});
  // Step 10: 465 (line 124, 22:35:36) / 325 (line 125, :47), 817 (line 127, :47) / 9 (line 128, :48),
  // "-time 11.98" (line 131): spans 11 s and 1 s -> 10.982 + 0.998.
  CHECK(t.steps[9].target.calls == std::vector<Call>{{ms(10982), 465, 325, 1}, {ms(998), 817, 9, 1}});

  // approximation_datapoint12.log: step 1 lines 2-3, step 2 lines 6-7; step 3 was guessed in round 1
  // (lines 8-9, "Image Super-Resolution", off the committed path) and again in round 2 (lines 10-11).
  CHECK(*t.steps[0].approx == AgentStep{"Image Denoising", {{ms(1590), 367, 10, 1}}});
  CHECK(*t.steps[1].approx == AgentStep{"Image Deblurring", {{ms(920), 382, 10, 1}}});
  CHECK(*t.steps[2].approx == AgentStep{"Image Deblurring", {{ms(1080), 412, 10, 1}}});
  CHECK(*t.steps[9].approx == AgentStep{"TERMINATE", {{ms(1330), 533, 9, 1}}});  // lines 38, 41

  // simulation_datapoint12.log lines 3-21: agrees on steps 1, 3, 7, 8, 10 ("accuracy ... 0.5").
  const std::vector<bool> match = {true, false, true, false, false, false, true, true, false, true};
  for (std::size_t i = 0; i < match.size(); ++i) CHECK(t.steps[i].match == std::optional<bool>(match[i]));

  // Predict K lines 5, 13, 17, 21, 24, 28, 32, 36, 40: 3, 1, 1, 0, 0, 0, 1, 1, 2; nine rounds,
  // the first committing steps 1-2 (target line 27), the others one step each.
  REQUIRE(t.rounds.size() == 9);
  const std::vector<Round> rounds = {{0, 3, 3, ms(3000)}, {2, 1, 1, ms(3420)}, {3, 1, 1, ms(3810)},
                                     {4, 1, 0, ms(4370)}, {5, 1, 0, ms(710)},  {6, 1, 0, ms(300)},
                                     {7, 1, 1, ms(610)},  {8, 1, 1, ms(470)},  {9, 2, 2, ms(620)}};
  CHECK(t.rounds == rounds);
  // simulation line 22 "= 0:01:46.421067", line 28 "total target step time: 107.89000000000001".
  CHECK(t.measured == Measured{Time::from_ns(106'421'067'000), ms(107'890)});

  const DatapointReport& rep = find_report(r, "openagi-12");
  CHECK(rep.discarded_target_attempts == 1);  // step 3 of round 1
  CHECK(rep.off_path_approx_calls == 1);      // A's round-1 guess of step 3
  CHECK(rep.warnings.empty());
}

TEST_CASE("the oddities of the published logs are handled as documented", "[trace][dsp]") {
  if (!have_logs()) return;
  SECTION("a guess that never returns: bs_8_ep_3 datapoint 12, step 6") {
    const ImportResult r = import_dsp_logs((kLogs / "4_8/logs/react/dyn_k/bs_8_ep_3").string());
    const Task& t = find_task(r.trace, "openagi-12");
    REQUIRE(t.steps.size() == 7);
    // approximation lines 20-30: nine "-prompt token 467" lines over 20:32:30-31 and no result;
    // target line 80 "sas tasks: ['']"; simulation line 13 corrects the empty guess.
    CHECK(*t.steps[5].approx == AgentStep{"", {{ms(1000), 467, 0, 9}}});
    CHECK(t.steps[5].match == std::optional<bool>(false));
    CHECK(t.steps[5].target.action == "Visual Question Answering");
    const DatapointReport& rep = find_report(r, "openagi-12");
    REQUIRE(rep.warnings.size() == 1);
    CHECK(rep.warnings[0] ==
          "step 6: the approximation never returned (9 attempts, lines 20-30); empty guess, latency estimated as 1 s "
          "from timestamps, 0 output tokens");
  }
  SECTION("retried guesses: bs_4_ep_3 datapoint 16") {
    const ImportResult r = import_dsp_logs((kLogs / "4_8/logs/react/dyn_k/bs_4_ep_3").string());
    const Task& t = find_task(r.trace, "openagi-16");
    // Round 1 guessed step 4 after five attempts (lines 10-15), off the committed path; round 4
    // guessed it again after two (lines 26-27, result line 30: "-time 0.88 -token 8").
    CHECK(*t.steps[3].approx == AgentStep{"Image Classification", {{ms(880), 440, 8, 2}}});
    const DatapointReport& rep = find_report(r, "openagi-16");
    CHECK(rep.warnings == std::vector<std::string>{
                              "approximation_datapoint16.log:15: approximation step 4 took 5 attempts (retries); kept as one "
                              "call whose latency covers them all",
                              "approximation_datapoint16.log:30: approximation step 4 took 2 attempts (retries); kept as one "
                              "call whose latency covers them all"});
  }
  SECTION("a ReAct step that starts over: bs_16_ep_3 datapoint 13, step 5") {
    const ImportResult r = import_dsp_logs((kLogs / "4_8/logs/react/dyn_k/bs_16_ep_3").string());
    const Task& t = find_task(r.trace, "openagi-13");
    // target lines 56-68: thought 422/304 (22:36:20-30), response 753 sent at :30 and failed, thought
    // again 422/260 (:30-40), response 709/9 (:40-41), "-time 21.31". Weights 10, 0.5, 10, 1.
    CHECK(t.steps[4].target.calls ==
          std::vector<Call>{{ms(9911), 422, 304, 1}, {ms(496), 753, 0, 1}, {ms(9912), 422, 260, 1}, {ms(991), 709, 9, 1}});
    CHECK(t.steps[4].target.latency() == ms(21'310));
    const DatapointReport& rep = find_report(r, "openagi-13");
    CHECK(rep.warnings == std::vector<std::string>{"target_datapoint13.log:61: target step 5 started its ReAct calls over after "
                                                   "the response call failed; the failed calls are kept"});
  }
}

TEST_CASE("the whole published tree imports with only the known unreadable line", "[trace][dsp]") {
  if (!have_logs()) return;
  const ImportResult r = import_dsp_log_tree(kLogs.string());
  CHECK(r.datapoints.size() == 35);
  CHECK(r.imported() == 35);
  CHECK(r.trace.tasks.size() == 35);
  std::map<std::string, int> per_folder;
  for (const DatapointReport& d : r.datapoints) ++per_folder[fs::relative(d.dir, kLogs).generic_string()];
  CHECK(per_folder == std::map<std::string, int>{{"4_8/logs/react/dyn_k/bs_16_ep_3", 10},
                                                 {"4_8/logs/react/dyn_k/bs_4_ep_3", 10},
                                                 {"4_8/logs/react/dyn_k/bs_8_ep_3", 10},
                                                 {"4_8/test/logs/react/dyn_k", 5}});
  // Documented in docs/traces.md: the fragment left at the end of one approximation log.
  REQUIRE(r.unreadable.size() == 1);
  CHECK(r.lines.unreadable == 1);
  CHECK(r.unreadable[0].text == "5638 prompt");
  CHECK(r.unreadable[0].line == 46);
  CHECK(fs::path(r.unreadable[0].file) == kLogs / "4_8/test/logs/react/dyn_k/approximation_datapoint11.log");
  CHECK(find_task(r.trace, "4_8/test/logs/react/dyn_k/openagi-11").steps.size() == 12);

  std::size_t steps = 0, rounds = 0;
  for (const Task& t : r.trace.tasks) {
    steps += t.steps.size();
    rounds += t.rounds.size();
    CHECK(t.steps.back().target.action == "TERMINATE");
  }
  CHECK(steps == 276);   // the simulation logs' "step number" lines add up to 276
  CHECK(rounds == 235);  // one "Predict K" per round: 235 in all

  // The imported trace is valid, and survives a write/read round trip unchanged.
  const TempDir dir;
  const std::string out = (dir / "dsp.jsonl").string();
  write_trace(r.trace, out);
  CHECK(validate_trace(out).empty());
  CHECK(read_trace(out) == r.trace);
}

TEST_CASE("lines the importer cannot interpret are reported, never dropped", "[trace][dsp]") {
  TempDir d;
  const std::string ts = "04/08/2025, 18:09:18: ";
  auto approx_log = [&ts](const std::string& task) {
    return ts + "task description: " + task + "\n" + ts + "Approximation: Step 1 -prompt token 10\n" + ts +
           "Predictor time: 0.5s\n" + ts + "Predict K: 1\n" + ts + "Approximation: Step 1 - A -time 1.5 -token 4\n";
  };
  auto target_log = [&ts](const std::string& task) {
    return ts + "task description: " + task + "\n" + ts + "react launch api for thought.\n" + ts +
           "Target step 1 thought prompt token: 20\n" + ts + "Target step 1 thought generation token: 30\n" + ts +
           "react launch api for response.\n" + ts + "Target step 1 response prompt token: 40\n" + ts +
           "Target step 1 response generation token: 5\n" + ts + "Target: Step 1 - A\n" + ts +
           "Intermediate Target Step 1 - A -gen 35 -prompt 60\n" + ts + "Target: Step 1 -time 2\n" + ts +
           "Mismatch at 0. Cancel starts. \n" + ts + "sas tasks: ['A']\n";
  };
  write(d, "approximation_datapoint3.log", approx_log("T") + ts + "Approximation: what\n");
  write(d, "target_datapoint3.log", target_log("T") + ts + "a line nobody wrote\n" + ts + "return sas tasks: ['A']\n");
  write(d, "train_datapoint3.log", ts + "chosen index [0]\n" + "04/08/2025, 18:09:20: Epoch 1 - Loss: 0.5 - Accuracy: 50.0%\n" +
                                      ts + "Epoch 3 - Loss: x - Accuracy: 1%\n");
  write(d, "notes.txt", "x\n");
  write(d, "approximation_datapoint4.log", ts + "task description: U\n");  // no target log
  // Bytes that are not UTF-8 cannot go into a trace.
  write(d, "approximation_datapoint5.log", approx_log("\xff"));
  write(d, "target_datapoint5.log", target_log("\xff") + ts + "return sas tasks: ['A']\n");

  const ImportResult r = import_dsp_logs(d.path().string());
  REQUIRE(r.datapoints.size() == 3);
  CHECK(r.imported() == 1);
  REQUIRE(r.unreadable.size() == 3);
  CHECK(r.unreadable[0] == UnreadableLine{(d.path() / "approximation_datapoint3.log").string(), 6, ts + "Approximation: what"});
  CHECK(r.unreadable[1] == UnreadableLine{(d.path() / "target_datapoint3.log").string(), 13, ts + "a line nobody wrote"});
  CHECK(r.unreadable[2] == UnreadableLine{(d.path() / "train_datapoint3.log").string(), 3, ts + "Epoch 3 - Loss: x - Accuracy: 1%"});
  CHECK(r.lines.used + r.lines.irrelevant + r.lines.unreadable == 6 + 14 + 3 + 5 + 13);  // datapoint 4 is not read
  CHECK(r.lines.irrelevant == 4);  // the "react launch api" lines

  const Task& t = find_task(r.trace, "openagi-3");
  REQUIRE(t.steps.size() == 1);
  // Both calls' lines share one timestamp: equal 0.5 s weights split the 2 s evenly.
  CHECK(t.steps[0].target.calls == std::vector<Call>{{ms(1000), 20, 30, 1}, {ms(1000), 40, 5, 1}});
  CHECK(*t.steps[0].approx == AgentStep{"A", {{ms(1500), 10, 4, 1}}});
  // No simulation log: the verdict comes from the round's guesses, and nothing is measured.
  CHECK(t.steps[0].match == std::optional<bool>(true));
  CHECK_FALSE(t.measured.has_value());
  CHECK(t.rounds == std::vector<Round>{{0, 1, 1, ms(500)}});
  // The train log's epoch, 2 s after the run's start, with the one trajectory chosen before it.
  REQUIRE(t.training.size() == 1);
  CHECK(t.training[0].epochs == std::vector<TrainingEpoch>{{ms(2000), 0.5, 0.5, 1}});

  CHECK(r.datapoints[0].warnings == std::vector<std::string>{
                                        "approximation_datapoint3.log:6: unreadable line: " + ts + "Approximation: what",
                                        "target_datapoint3.log:13: unreadable line: " + ts + "a line nobody wrote",
                                        "train_datapoint3.log:3: unreadable line: " + ts + "Epoch 3 - Loss: x - Accuracy: 1%",
                                        "the last committed step is 'A', not TERMINATE"});
  CHECK(r.datapoints[1].datapoint == 4);
  CHECK_FALSE(r.datapoints[1].imported);
  CHECK(r.datapoints[1].warnings == std::vector<std::string>{"not imported: the target log is missing"});
  CHECK_FALSE(r.datapoints[2].imported);
  CHECK(r.datapoints[2].warnings ==
        std::vector<std::string>{"the last committed step is 'A', not TERMINATE", "not imported: openagi-5: task: not valid UTF-8"});
  CHECK(r.ignored_files == std::vector<std::string>{(d.path() / "notes.txt").string(),
                                                    (d.path() / "approximation_datapoint4.log").string()});

  CHECK_THROWS_WITH(import_dsp_logs((d.path() / "missing").string()), Catch::Matchers::Contains("not a folder of DSP logs"));
}

TEST_CASE("a datapoint whose logs are cut short or disagree is reported and left out", "[trace][dsp]") {
  if (!have_logs()) return;
  const fs::path source = kLogs / "4_8/test/logs/react/dyn_k";
  TempDir d;
  for (const char* kind : {"approximation", "target", "simulation"})
    fs::copy_file(source / (std::string(kind) + "_datapoint11.log"), d / (std::string(kind) + "_datapoint11.log"));
  const std::string target = specsim::sim::read_text_file((source / "target_datapoint11.log").string());
  const std::string half = target.substr(0, target.size() / 2);
  const std::string cut = half.substr(0, half.rfind('\n') + 20);  // mid-line, as a killed writer leaves it

  write(d, "target_datapoint11.log", cut);
  ImportResult r = import_dsp_logs(d.path().string());
  REQUIRE(r.datapoints.size() == 1);
  CHECK(r.imported() == 0);
  CHECK(r.trace.tasks.empty());
  CHECK(r.datapoints[0].warnings.back() ==
        "not imported: the target log is cut short (no final newline, and its last step is not TERMINATE)");

  // Cut at a line's end, the same log still contradicts the run's simulation log.
  write(d, "target_datapoint11.log", half.substr(0, half.rfind('\n') + 1));
  r = import_dsp_logs(d.path().string());
  CHECK(r.imported() == 0);
  CHECK_THAT(r.datapoints[0].warnings.back(),
             Catch::Matchers::StartsWith("not imported: simulation_datapoint11.log: its final plan differs from the target log's"));

  write(d, "target_datapoint11.log", target);
  CHECK(import_dsp_logs(d.path().string()).imported() == 1);
}

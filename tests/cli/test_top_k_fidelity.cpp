// `specsim trace import-specactions-chess` and `specsim trace top-k-fidelity` end to end through
// the real binary: the held-out figures on both bundled Speculative Actions traces, pinned, and
// bad input exiting 2 with the file and field named.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/run_specsim.hpp"
#include "support/temp_dir.hpp"
#include "support/write_text.hpp"

using specsim::testing::run_specsim;

namespace {

const std::string kSource = SPECSIM_SOURCE_DIR;
const std::string kChess = kSource + "/scenarios/specactions/chess-top3.jsonl";
const std::string kHotpotqa = kSource + "/scenarios/specactions/hotpotqa-top3.jsonl";

bool has_line(const std::string& output, const std::string& line) {
  return output.find("\n" + line + "\n") != std::string::npos;
}

using specsim::testing::write_text;

}  // namespace

TEST_CASE("top-k-fidelity on the chess games: p(k) and every policy held out, against replay and naive",
          "[trace][cli][specactions]") {
  const auto r = run_specsim("trace top-k-fidelity " + kChess + " --scenario " + kSource + "/scenarios/specactions-chess.yaml");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // A game held out: measured / curve fitted to the other 4 / their top-1 rate.
  CHECK(has_line(r.output, "4c277d18-8f34-4a87-9c57-ec0b2472ad25                        50     4  "
                           "0.400/0.250/0.250    0.520/0.379/0.250    0.640/0.485/0.250  "));
  CHECK(has_line(r.output, "  p(2): curve -0.018 / 0.053   naive (the others' top-1 rate) -0.148 / 0.148"));
  CHECK(has_line(r.output, "  p(3): curve +0.000 / 0.066   naive (the others' top-1 rate) -0.236 / 0.236"));
  CHECK(has_line(r.output, "over 5 held-out tasks, predicted - measured (mean error / mean absolute error):"));
  CHECK(has_line(r.output, "sequential                    +1.0 / 22.1      +1.0 / 22.1       +0.0 / 0.0       +0.0 / 0.0"));
  CHECK(has_line(r.output, "fixed_k(k=3)                  -6.5 / 24.3     -15.7 / 26.4       -1.8 / 9.5     -49.1 / 48.8"));
  CHECK(has_line(r.output, "cost_aware(objective)         -6.5 / 26.3     -13.9 / 27.6       -1.4 / 9.5     -56.0 / 55.8"));
  CHECK(has_line(r.output, "dsp(tau=0.5)                  -7.3 / 25.8     -18.8 / 30.0       +7.5 / 8.1     -30.5 / 30.8"));
}

TEST_CASE("top-k-fidelity on the HotpotQA runs: each question held out within its folder", "[trace][cli][specactions]") {
  const auto r =
      run_specsim("trace top-k-fidelity " + kHotpotqa + " --scenario " + kSource + "/scenarios/specactions-hotpotqa.yaml");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has_line(r.output, "over 48 held-out tasks, predicted - measured (mean error / mean absolute error):"));
  CHECK(has_line(r.output, "  p(3): curve -0.032 / 0.291   naive (the others' top-1 rate) -0.234 / 0.341"));
  CHECK(has_line(r.output, "fixed_k(k=3)                  +5.1 / 16.3     -19.6 / 19.5      -2.3 / 21.8     -61.4 / 57.2"));
  CHECK(has_line(r.output, "cost_aware(objective)         +5.5 / 16.4     -20.4 / 20.1      -2.0 / 17.2     -59.0 / 58.6"));
}

TEST_CASE("top-k-fidelity without a scenario: the hit curve alone", "[trace][cli][specactions]") {
  const auto r = run_specsim("trace top-k-fidelity " + kChess + " --match-rule exact");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has_line(r.output, "  p(3): curve +0.000 / 0.066   naive (the others' top-1 rate) -0.236 / 0.236"));
  CHECK(r.output.find("policies per held-out task") == std::string::npos);
}

TEST_CASE("top-k-fidelity: bad input exits 2 naming the file and field", "[trace][cli][specactions]") {
  auto r = run_specsim("trace top-k-fidelity " + kChess + " --scenario " + kSource + "/scenarios/quickstart.yaml");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("quickstart.yaml: workload: expected a trace workload (kind: trace)") != std::string::npos);
  r = run_specsim("trace top-k-fidelity " + kChess + " --scenario " + kSource + "/scenarios/specactions-chess.yaml --match-rule exact");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--match-rule: not with --scenario") != std::string::npos);
  specsim::testing::TempDir tmp;
  write_text(tmp / "bad.jsonl", R"({"task_id":"t","task":"","steps":[{"target":{"action":"a","calls":[{"latency_s":-1,"input_tokens":1,"output_tokens":1}]}}]})" "\n");
  r = run_specsim("trace top-k-fidelity " + (tmp / "bad.jsonl").string());
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("bad.jsonl:1: steps[0].target.calls[0].latency_s") != std::string::npos);
}

TEST_CASE("trace import-specactions-chess: a game folder to a trace, a bad log exits 2 and writes nothing",
          "[trace][cli][specactions]") {
  specsim::testing::TempDir tmp;
  const std::string move =
      R"({"current_move": "[e2e4]", "guessed_moves": ["[d2d4]", "[e2e4]"], "time_taken_current_agent": 2.5,
          "input_tokens_current_agent": 350, "output_tokens_current_agent": 75, "guess_prediction_time": 4,
          "guess_input_tokens": 482, "guess_output_tokens": 346})";
  write_text(tmp / "games" / "g" / "steps_info_m_guess_2.json", R"({"0": )" + move + "}");
  const std::string out = (tmp / "t" / "chess.jsonl").string();
  auto r = run_specsim("trace import-specactions-chess " + (tmp / "games").string() + " -o " + out);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output == "wrote " + out + ": 1 task, 1 step, 0 warnings (T's and A's calls timed)\n");
  CHECK(run_specsim("trace validate " + out).exit_code == 0);

  write_text(tmp / "games" / "g" / "steps_info_m_guess_2.json", R"({"0": {"current_move": 3}})");
  const std::string out2 = (tmp / "t" / "bad.jsonl").string();
  r = run_specsim("trace import-specactions-chess " + (tmp / "games").string() + " -o " + out2);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("steps_info_m_guess_2.json: \"0\".current_move: expected a string") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out2));
  r = run_specsim("trace import-specactions-chess " + (tmp / "t").string() + " -o " + out2);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("no game folder (steps_info_*_guess_K.json) in the folder or below") != std::string::npos);
}

TEST_CASE("trace import-specactions(-chess): bad logs exit 2 naming the file and field, and leave no folder behind",
          "[trace][cli][specactions]") {
  specsim::testing::TempDir tmp;
  const std::string out = (tmp / "new" / "deeper" / "out.jsonl").string();
  const auto fails = [&](const std::string& command, const std::filesystem::path& root, const std::string& message) {
    const auto r = run_specsim("trace " + command + " '" + root.string() + "' -o " + out);
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(message) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(tmp / "new"));
  };
  const std::string normal = R"({"prompt": "Question: q", "actions": ["Search[x]"]})";
  write_text(tmp / "runs" / "r" / "normalobs.json", normal);
  write_text(tmp / "runs" / "r" / "simobs.json", R"({"actions": [["Search[x]"]], "time_taken": [1e400]})");
  fails("import-specactions", tmp / "runs", "r/simobs.json: time_taken[0]: number out of range");
  write_text(tmp / "runs" / "r" / "simobs.json", R"({"actions": [["Search[x]"]], "actions": []})");
  fails("import-specactions", tmp / "runs", "r/simobs.json: actions: given twice in one object");
  std::filesystem::rename(tmp / "runs" / "r", tmp / "runs" / "r\xff");
  write_text(tmp / "runs" / "r\xff" / "simobs.json", R"({"actions": [["Search[x]"]]})");
  fails("import-specactions", tmp / "runs", "r\xff: the folder's name is not valid UTF-8 (it is the task id)");

  const std::string file = (tmp / "games" / "g" / "steps_info_m_guess_2.json").string();
  write_text(file, R"({"first": {"current_move": "[e2e4]"}})");
  fails("import-specactions-chess", tmp / "games", "steps_info_m_guess_2.json: \"first\": not a move number: moves are keyed \"0\" to \"0\"");
}

// Speculative Actions' chess games imported as a top-K trace: the file chosen, every field mapped,
// bad logs named by file and field, the bundled sample's hit rates, and modelled top-K ranks.
#include <catch2/catch.hpp>


#include "models/trace/specactions_importer.hpp"
#include "models/trace/top_k_fit.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_workload.hpp"
#include "sim/input_error.hpp"
#include "support/temp_dir.hpp"
#include "support/write_text.hpp"

using namespace specsim;
using namespace specsim::models::trace;

namespace {

using testing::write_text;

// One move as the logs have it (observation and speculative replies left out).
std::string move(const std::string& played, const std::string& guesses, double t, double guess_t) {
  return R"({"current_observation": "board", "current_move": ")" + played + R"(", "current_spec": [],
    "time_taken_current_agent": )" + std::to_string(t) + R"(, "input_tokens_current_agent": 350,
    "output_tokens_current_agent": 334, "total_tokens_current_agent": 684, "guessed_moves": )" + guesses +
         R"(, "guess_prediction_time": )" + std::to_string(guess_t) +
         R"(, "guess_input_tokens": 482, "guess_output_tokens": 282, "guess_total_tokens": 764})";
}

void write_game(const std::filesystem::path& dir) {
  write_text(dir / "steps_info_gpt_5_guess_1.json", R"({"0": )" + move("[e2e4]", R"(["[d2d4]"])", 2.5, 4.0) + "}");
  write_text(dir / "steps_info_gpt_5_guess_3.json",
        R"({"1": )" + move("[c7c5]", R"(["[e7e5]", "[d7d5]", "[c7c5]"])", 5.25, 3.5) + R"(, "0": )" +
            move("[e2e4]", R"(["[e2e4]", "[d2d4]", "[g1f3]"])", 2.5, 4.0) + "}");
  write_text(dir / "stepsinfo.json", "{}");
}

std::string import_error(const std::filesystem::path& root) {
  try {
    import_specactions_chess(root.string());
  } catch (const sim::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a chess game imports from its file with the most guesses, move by move", "[specactions][chess]") {
  testing::TempDir tmp;
  write_game(tmp / "games" / "g1");
  write_text(tmp / "games" / "notes" / "README.md", "not a game");
  const SpecActionsImport out = import_specactions_chess((tmp / "games").string());
  CHECK(out.warnings.empty());
  REQUIRE(out.trace.tasks.size() == 1);
  const Task& game = out.trace.tasks[0];
  CHECK(game.task_id == "g1");
  CHECK(game.task == "chess game g1");
  CHECK(game.source.dump() ==
        R"({"file":"steps_info_gpt_5_guess_3.json","format":"speculative-actions-chess","game":"g1","guesses":3,"speculator":"gpt_5"})");
  REQUIRE(game.steps.size() == 2);
  const Step& second = game.steps[1];
  CHECK(second.target.action == "[c7c5]");
  CHECK(second.target.calls == std::vector<Call>{{sim::Time::from_seconds(5.25), 350, 334}});
  REQUIRE(second.approx);
  CHECK(second.approx->action == "[e7e5]");
  CHECK(second.approx->alternatives == std::vector<std::string>{"[d7d5]", "[c7c5]"});
  CHECK(second.approx->calls == std::vector<Call>{{sim::Time::from_seconds(3.5), 482, 282}});
  CHECK_FALSE(second.match.has_value());  // the match rule decides
  const auto exact = make_match_rule("exact");
  CHECK(candidate_rank(game.steps[0], *exact) == 0);
  CHECK(candidate_rank(second, *exact) == 2);
  const Task* tasks[] = {&game};
  CHECK(hit_curve(tasks, *exact, 3) == std::vector<double>{0.5, 0.5, 1.0});
}

TEST_CASE("a move with fewer guesses than the file's name says is a warning", "[specactions][chess]") {
  testing::TempDir tmp;
  write_text(tmp / "g" / "steps_info_m_guess_2.json", R"({"0": )" + move("[e2e4]", R"(["[e2e4]"])", 1, 1) + "}");
  const SpecActionsImport out = import_specactions_chess(tmp.path().string());
  CHECK(out.warnings == std::vector<std::string>{"g: move 0 has 1 guesses, the file's name says 2"});
}

TEST_CASE("a chess log that is not the logs' JSON names the file, line and field", "[specactions][chess]") {
  testing::TempDir tmp;
  const auto file = tmp / "g" / "steps_info_m_guess_3.json";
  const std::string good = move("[e2e4]", R"(["[e2e4]"])", 1, 1);
  write_text(file, R"({"0": )" + good + R"(, "2": )" + good + "}");
  CHECK(import_error(tmp.path()) == file.string() + ": \"1\": missing: moves are keyed \"0\" to \"1\"");
  write_text(file, R"({"0": )" + move("[e2e4]", R"(["[e2e4]", 7])", 1, 1) + "}");
  CHECK(import_error(tmp.path()) == file.string() + ": \"0\".guessed_moves[1]: expected a string");
  write_text(file, R"({"0": )" + move("[e2e4]", R"(["[e2e4]"])", -1, 1) + "}");
  CHECK(import_error(tmp.path()) == file.string() + ": \"0\".time_taken_current_agent: seconds out of range (0 to 1e6)");
  write_text(file, R"({"0": {"current_move": "[e2e4]"}})");
  CHECK(import_error(tmp.path()) == file.string() + ": \"0\".time_taken_current_agent: missing");
  write_text(file, "{\"0\":\n {\"current_move\": }");
  CHECK(import_error(tmp.path()) == file.string() + ":2: not JSON");
  write_text(file, "{}");
  CHECK(import_error(tmp.path()) == file.string() + ": the game has no move");
  CHECK_THROWS_AS(import_specactions_chess((tmp / "missing").string()), sim::InputError);
}

TEST_CASE("the bundled chess games: 5 games of 50 moves, top-1 28.0%, top-3 51.6%", "[specactions][chess]") {
  const Trace trace = read_trace(std::string(SPECSIM_SOURCE_DIR) + "/scenarios/specactions/chess-top3.jsonl");
  REQUIRE(trace.tasks.size() == 5);
  std::vector<const Task*> games;
  for (const Task& t : trace.tasks) {
    CHECK(t.steps.size() == 50);
    games.push_back(&t);
  }
  const auto exact = make_match_rule("exact");
  const TopKRates rates = top_k_rates(games, *exact);
  CHECK(rates.guessed == 250);
  CHECK(rates.top1 == 70);
  CHECK(rates.topk == 129);
  CHECK(rates.candidates == 3);
  CHECK(hit_curve(games, *exact, 3) == std::vector<double>{70 / 250.0, 107 / 250.0, 129 / 250.0});
}

TEST_CASE("modelled verdicts draw top-K ranks from the configured curve", "[specactions][trace]") {
  const Trace trace = read_trace(std::string(SPECSIM_SOURCE_DIR) + "/scenarios/specactions/chess-top3.jsonl");
  TraceWorkloadConfig config;
  config.modelled_verdicts = true;
  config.match_rate = 0.0;
  config.top_k = models::TopKCurve{3, 1.0};  // every miss caught by the second candidate
  TraceWorkload workload(trace, std::move(config));
  models::Agents agents;
  models::EpisodeScript script;
  const models::WorldStreams streams(1, 0);
  workload.script(0, 50, agents, streams, script);
  CHECK(script.rank == std::vector<std::int8_t>(50, 1));
  TraceWorkloadConfig top1;
  top1.modelled_verdicts = true;
  top1.match_rate = 0.0;
  TraceWorkload single(trace, std::move(top1));
  single.script(0, 50, agents, streams, script);
  CHECK(script.rank.empty());
}

#include <catch2/catch.hpp>


#include "models/trace/specactions_importer.hpp"
#include "models/trace/top_k_fit.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "sim/input_error.hpp"
#include "support/temp_dir.hpp"
#include "support/write_text.hpp"

using namespace specsim;
using namespace specsim::models::trace;

namespace {

using testing::write_text;

// One run folder as the logs have it (prompt shortened): T's actions, A's top-3 per step.
void write_run(const std::filesystem::path& dir, const std::string& sim_actions) {
  write_text(dir / "normalobs.json",
        R"({"prompt": "Question: example\nThought 1: x\nQuestion: Which dog?\n", "observations": [], "thoughts": [],
            "actions": ["Search[Large Munsterlander]", "Search[Bracco Italiano]", "Finish[Large Munsterlander]"],
            "time_taken": [1.1, 0.2, 0.0]})");
  write_text(dir / "simobs.json", R"({"prompt": "", "observations": [], "thoughts": [], "actions": )" + sim_actions +
                                 R"(, "time_taken": [1.1, 0.9]})");
}

}  // namespace

TEST_CASE("Speculative Actions' runs import with their top-K candidates", "[specactions]") {
  testing::TempDir tmp;
  write_run(tmp / "agent_t_top3" / "trajs_a" / "7",
            R"([["Search[The Large Munsterlander]", "Search[Large Munsterlander]", "Lookup[Germany]"],
                ["Search[Bracco Italiano]", "Lookup[Originate]", "Lookup[Germany]"]])");
  write_text(tmp / "agent_t_top3" / "notes" / "log.txt", "not a run");
  const SpecActionsImport out = import_specactions_hotpotqa(tmp.path().string());
  REQUIRE(out.trace.tasks.size() == 1);
  const Task& task = out.trace.tasks[0];
  CHECK(task.task_id == "agent_t_top3/trajs_a/7");
  CHECK(task.task == "Which dog?");
  REQUIRE(task.steps.size() == 3);
  CHECK(task.steps[0].target.action == "Search[Large Munsterlander]");
  REQUIRE(task.steps[0].approx);
  CHECK(task.steps[0].approx->action == "Search[The Large Munsterlander]");
  CHECK(task.steps[0].approx->alternatives == std::vector<std::string>{"Search[Large Munsterlander]", "Lookup[Germany]"});
  CHECK_FALSE(task.steps[2].approx);  // A's list stops after two steps
  REQUIRE(out.warnings.size() == 1);
  CHECK(out.warnings[0] == "agent_t_top3/trajs_a/7: 3 steps of T, 2 of A's guesses (steps without one have no guess)");

  // Ranks: step 0's second candidate, step 1's first; step 2 has no guess.
  const auto exact = make_match_rule("exact");
  CHECK(candidate_rank(task.steps[0], *exact) == 1);
  CHECK(candidate_rank(task.steps[1], *exact) == 0);
  CHECK(candidate_rank(task.steps[2], *exact) == -1);
  const Task* tasks[] = {&task};
  const TopKRates rates = top_k_rates(tasks, *exact);
  CHECK(rates.guessed == 2);
  CHECK(rates.top1 == 1);
  CHECK(rates.topk == 2);
  CHECK(rates.candidates == 3);
  const TopKCurveFit fit = fit_top_k_curve(rates);
  CHECK(fit.p1 == Approx(0.5));
  CHECK(fit.catch_rate == Approx(1.0));  // every miss caught: p(3) = 1
  CHECK(fit.p(3) == Approx(1.0));

  // The alternatives survive a write and a read.
  const std::string file = (tmp / "out.jsonl").string();
  write_trace(out.trace, file);
  const Trace back = read_trace(file);
  REQUIRE(back.tasks.size() == 1);
  CHECK(back.tasks[0].steps == task.steps);
}

TEST_CASE("a run file that is not the logs' JSON names the file and field", "[specactions]") {
  testing::TempDir tmp;
  write_run(tmp / "r", R"([["a", 3]])");
  try {
    import_specactions_hotpotqa(tmp.path().string());
    FAIL("no error");
  } catch (const sim::InputError& e) {
    CHECK(std::string(e.what()).find("simobs.json") != std::string::npos);
    CHECK(std::string(e.what()).find("actions[0][1]") != std::string::npos);
  }
  CHECK_THROWS_AS(import_specactions_hotpotqa((tmp / "missing").string()), sim::InputError);
}

TEST_CASE("only the approximation's step may have alternatives", "[specactions]") {
  testing::TempDir tmp;
  const std::string file = (tmp / "bad.jsonl").string();
  write_text(file, R"({"task_id":"t","task":"","steps":[{"target":{"action":"A","alternatives":["B"],"calls":[{"latency_s":1,"input_tokens":1,"output_tokens":1}]}}]})"
              "\n");
  CHECK_THROWS_WITH(read_trace(file), Catch::Contains("steps[0].target.alternatives") &&
                                          Catch::Contains("only the approximation's guess has alternatives"));
}

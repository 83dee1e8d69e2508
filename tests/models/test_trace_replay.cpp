#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "analysis/report.hpp"
#include "models/sim_backend.hpp"
#include "models/trace/dsp_log_importer.hpp"
#include "models/trace/trace_reader.hpp"
#include "models/trace/trace_writer.hpp"
#include "policies/basic_policies.hpp"
#include "policies/recorded_k.hpp"
#include "sim/planner.hpp"
#include "support/temp_dir.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/fidelity.hpp"
#include "tools/runner/trace_replay.hpp"

using namespace specsim;
namespace fs = std::filesystem;

namespace {

const std::string kSynthetic = R"(name: round-trip
seed: 11
episodes: 300
max_steps: 40
agents:
  approx: {model: gpt-4o-mini, style: direct, input_tokens: {base: 300, per_step: 20}, output_tokens: {mean: 12, sigma: 0.3}}
  target: {model: gpt-4o, style: react, input_tokens: {base: 500, per_step: 30}, output_tokens: [{mean: 90, sigma: 0.4}, {mean: 12, sigma: 0.2}]}
WORKLOAD
policies:
  - sequential
  - {kind: fixed_k, k: [1, 3, 6]}
  - {kind: fixed_k, k: 3, gate: {min_confidence: 0.6}}
)";

std::string with_workload(const std::string& workload) {
  std::string s = kSynthetic;
  s.replace(s.find("WORKLOAD"), 8, workload);
  return s;
}

runner::RunOutcome run(const runner::Scenario& s) {
  runner::RunOptions options;
  options.threads = 2;
  return runner::run_summary(s, options);
}

// A scenario's trace replayed by a planner with fixed k, one episode at a time, by hand.
struct FixedKReplay {
  FixedKReplay(const runner::Scenario& s, int k)
      : backend(s.agents, *s.workload, clock, s.seed, s.max_steps), policy(k),
        planner(config_of(s), clock, backend, policy, &backend, &backend) {}
  static sim::PlannerConfig config_of(const runner::Scenario& s) {
    sim::PlannerConfig config;
    config.max_steps = s.max_steps;
    config.semantics = s.semantics;
    return config;
  }
  sim::SimClock clock;
  models::SimBackend backend;
  policies::FixedK policy;
  sim::Planner planner;
};

}  // namespace

TEST_CASE("synthesize, write, read and replay: the same results as the synthetic run", "[trace][replay]") {
  // The first world records A's confidence too, which the gated policy reads.
  for (const std::string match : {"{kind: iid, p: 0.6}, confidence: {kind: beta, match: {alpha: 4, beta: 2}, "
                                  "mismatch: {alpha: 3, beta: 3}}",
                                  "{kind: markov, p_after_match: 0.8, p_after_mismatch: 0.3}"}) {
    INFO(match);
    const testing::TempDir tmp;
    const runner::Scenario synthetic = runner::parse_scenario(
        with_workload("workload: {kind: synthetic, steps: {kind: uniform, min: 2, max: 12}, match: " + match + "}"),
        (tmp / "synthetic.yaml").string());
    models::trace::write_trace(runner::synthesize_trace(synthetic), (tmp / "synth.jsonl").string());
    const runner::Scenario replay = runner::parse_scenario(
        with_workload("workload: {kind: trace, file: synth.jsonl, offpath: agents}"), (tmp / "replay.yaml").string());
    const auto a = run(synthetic), b = run(replay);
    CHECK(analysis::summary_json("x", 1, a.rows, {}) == analysis::summary_json("x", 1, b.rows, {}));
    CHECK(a.rows[2].speedup > 1.2);  // speculation happened: the comparison is not vacuous
    CHECK((a.rows[4].cost_usd < a.rows[2].cost_usd) == (match.find("confidence") != std::string::npos));  // gated
  }
}

// A trace of an i.i.d. workload replayed with every latency from the models fitted per call kind,
// and then with verdicts drawn at its match rate too: near the recorded figures, not equal to
// them, and deterministic.
TEST_CASE("fitted latencies and modelled verdicts replay a trace near its recorded figures", "[trace][replay]") {
  const testing::TempDir tmp;
  const runner::Scenario synthetic = runner::parse_scenario(
      with_workload("workload: {kind: synthetic, steps: {kind: uniform, min: 2, max: 12}, match: {kind: iid, p: 0.6}}"),
      (tmp / "synthetic.yaml").string());
  models::trace::write_trace(runner::synthesize_trace(synthetic), (tmp / "synth.jsonl").string());
  const auto replay = [&](const std::string& options) {
    return run(runner::parse_scenario(with_workload("workload: {kind: trace, file: synth.jsonl" + options + "}"),
                                      (tmp / "replay.yaml").string()));
  };
  const auto recorded = replay(""), fitted = replay(", latency: fitted"),
             modelled = replay(", latency: fitted, verdicts: model");
  const auto& seq = recorded.rows[0];
  CHECK(fitted.rows[0].latency_mean_s != seq.latency_mean_s);
  CHECK(fitted.rows[0].latency_mean_s == Approx(seq.latency_mean_s).epsilon(0.05));
  CHECK(fitted.rows[3].speedup == Approx(recorded.rows[3].speedup).epsilon(0.05));
  CHECK(modelled.rows[3].speedup == Approx(recorded.rows[3].speedup).epsilon(0.1));
  CHECK(analysis::summary_json("x", 1, replay(", latency: fitted, verdicts: model").rows, {}) ==
        analysis::summary_json("x", 1, modelled.rows, {}));
}

// Two tasks with round-number latencies (T 4 s, A 1 s per step). Task 1: three steps whose
// guesses match, miss, match; task 2: one step, T's stop action, guessed right.
TEST_CASE("replaying a hand-written trace gives the hand-computed timeline", "[trace][replay]") {
  const testing::TempDir tmp;
  std::ofstream(tmp / "two.jsonl")
      << R"({"task_id":"t1","task":"three steps","steps":[)"
      << R"({"target":{"action":"A","calls":[{"latency_s":4,"input_tokens":100,"output_tokens":20}]},"approx":{"action":"A","calls":[{"latency_s":1,"input_tokens":50,"output_tokens":5}]}},)"
      << R"({"target":{"action":"B","calls":[{"latency_s":4,"input_tokens":110,"output_tokens":20}]},"approx":{"action":"C","calls":[{"latency_s":1,"input_tokens":55,"output_tokens":5}]}},)"
      << R"({"target":{"action":"TERMINATE","calls":[{"latency_s":4,"input_tokens":120,"output_tokens":20}]},"approx":{"action":"terminate","calls":[{"latency_s":1,"input_tokens":60,"output_tokens":5}]}}]})"
      << "\n"
      << R"({"task_id":"t2","task":"one step","steps":[{"target":{"action":"TERMINATE","calls":[{"latency_s":2,"input_tokens":100,"output_tokens":3}]},"approx":{"action":"TERMINATE","calls":[{"latency_s":0.5,"input_tokens":40,"output_tokens":3}]},"match":true}]})"
      << "\n";
  const runner::Scenario s = runner::parse_scenario(R"(name: hand
episodes: 2
agents:
  approx: {model: gpt-4o-mini}
  target: {model: gpt-4o}
workload: {kind: trace, file: two.jsonl, match_rule: normalized}
policies: [{kind: fixed_k, k: 2}]
)", (tmp / "hand.yaml").string());
  FixedKReplay replay(s, 2);
  sim::Planner& planner = replay.planner;

  // Task 1. Round 0 (k = 2): T0 [0, 4], A0 [0, 1]; A1 and T1 start at 1: [1, 2], [1, 5].
  // Step 0 matches at 4; step 1's guess C is wrong: T's B is committed at 5, round 1 starts.
  // Round 1: T2 [5, 9], A2 [5, 6] ("terminate" matches "TERMINATE" under the normalized rule,
  // so A stops guessing); step 2 is verified at 9 and ends the task.
  const sim::EpisodeRun& r1 = planner.run_episode(0);
  CHECK(r1.latency.seconds() == 9);
  CHECK(r1.steps == 3);
  REQUIRE(r1.calls.size() == 6);
  const std::vector<std::pair<double, double>> spans{{0, 4}, {0, 1}, {1, 5}, {1, 2}, {5, 9}, {5, 6}};
  for (std::size_t i = 0; i < spans.size(); ++i) {
    INFO("call " << i);
    CHECK(r1.calls[i].started.seconds() == spans[i].first);
    CHECK(r1.calls[i].ended.seconds() == spans[i].second);
    CHECK(r1.calls[i].status == sim::CallStatus::finished);
    CHECK(r1.calls[i].on_path);
  }
  CHECK(r1.calls[2].tokens.input == 110);  // recorded tokens, not modelled ones
  CHECK(r1.calls[3].role == sim::CallRole::wasted);

  // Task 2: T [0, 2], A [0, 0.5]; the guess is the stop action and matches: done at 2.
  const sim::EpisodeRun& r2 = planner.run_episode(1);
  CHECK(r2.latency.seconds() == 2);
  CHECK(r2.calls.size() == 2);
  CHECK(r2.terminated);
}

// A recorded top-K guess's tokens are its whole call's (the list's, as the endpoint billed it):
// a replay bills them once, whatever the pricing; only the calls the recording lacks, drawn
// from the scenario's one-candidate model, cost K answers (one_call) or K calls (per_candidate).
TEST_CASE("top-K replay bills a recorded guess as recorded and a drawn one K times over", "[trace][replay][top_k]") {
  const testing::TempDir tmp;
  std::ofstream(tmp / "top3.jsonl")
      << R"({"task_id":"t","task":"three steps","steps":[)"
      << R"({"target":{"action":"A","calls":[{"latency_s":4,"input_tokens":100,"output_tokens":20}]},"approx":{"action":"A","alternatives":["X","Y"],"calls":[{"latency_s":1,"input_tokens":50,"output_tokens":45}]}},)"
      << R"({"target":{"action":"B","calls":[{"latency_s":4,"input_tokens":110,"output_tokens":20}]},"approx":{"action":"C","alternatives":["B","Z"],"calls":[{"latency_s":1,"input_tokens":55,"output_tokens":46}]}},)"
      << R"({"target":{"action":"TERMINATE","calls":[{"latency_s":4,"input_tokens":120,"output_tokens":20}]}}]})"
      << "\n";
  for (const std::string pricing : {"one_call", "per_candidate"}) {
    INFO(pricing);
    const runner::Scenario s = runner::parse_scenario("name: top3\nepisodes: 1\nplanner: {top_k: {candidates: 3, pricing: " + pricing + R"(}}
agents:
  approx: {model: gpt-4o-mini, input_tokens: {base: 40}, output_tokens: 7, latency: {kind: fixed, seconds: 1}}
  target: {model: gpt-4o, input_tokens: {base: 100}, output_tokens: 20, latency: {kind: fixed, seconds: 4}}
workload: {kind: trace, file: top3.jsonl, match_rule: exact, offpath: agents}
policies: [{kind: fixed_k, k: 3}]
)", (tmp / "top3.yaml").string());
    FixedKReplay replay(s, 3);
    const sim::EpisodeRun& run = replay.planner.run_episode(0);
    CHECK(run.steps == 3);
    const std::vector<sim::CallTokens> recorded{{50, 45, 45}, {55, 46, 46}};
    const sim::CallTokens drawn = pricing == "one_call" ? sim::CallTokens{40, 21, 21} : sim::CallTokens{120, 21, 21};
    int as_recorded = 0, as_drawn = 0;
    for (const auto& c : run.calls) {
      if (c.agent != sim::Agent::approx || c.status != sim::CallStatus::finished) continue;
      const bool replayed = c.on_path && c.step < 2;
      const sim::CallTokens& want = replayed ? recorded[static_cast<std::size_t>(c.step)] : drawn;
      INFO("A's call at step " << c.step << (c.on_path ? ", on the path" : ", off it"));
      CHECK(c.tokens.input == want.input);
      CHECK(c.tokens.output == want.output);
      CHECK(c.tokens.planned_output == want.planned_output);
      (replayed ? as_recorded : as_drawn) += 1;
    }
    CHECK(as_recorded == 2);
    CHECK(as_drawn > 0);
  }
}

TEST_CASE("replaying DSP's published runs with their own k matches their measured times", "[trace][fidelity]") {
  const std::string dir = std::string(SPECSIM_SOURCE_DIR) + "/../shared/data/dsp-logs/4_8/test/logs/react/dyn_k";
  if (!fs::exists(dir)) {
    WARN("DSP logs not found at " << dir << ": skipped");
    return;
  }
  const auto imported = models::trace::import_dsp_logs(dir);
  runner::FidelityOptions options;
  options.draws = 2;
  const runner::FidelityReport report = runner::fidelity(imported.trace, options);
  REQUIRE(report.runs.size() == 5);
  const runner::FidelityMode* replay = report.mode("replay");
  REQUIRE(replay);
  CHECK(replay->mape < 1.0);
  CHECK(replay->naive_mape > 5.0);   // far better than the naive estimate
  CHECK(report.divergences == 0);    // recorded verdicts: the replay follows the recording
  // Datapoint 11: 12 steps in 10 rounds, measured 146.38 s in its simulation log.
  CHECK(report.runs[0].task_id == "openagi-11");
  CHECK(report.runs[0].steps == 12);
  CHECK(report.runs[0].rounds == 10);
  CHECK(report.runs[0].measured_s == Approx(146.38).margin(0.01));
  CHECK(std::abs(replay->simulated_s[0] / report.runs[0].measured_s - 1) < 0.005);
}

TEST_CASE("a trace workload with a bad file or option is an input error", "[trace][replay]") {
  const testing::TempDir tmp;
  std::ofstream(tmp / "empty.jsonl");
  const auto load = [&tmp](const std::string& workload) {
    return runner::parse_scenario("name: bad\nepisodes: 1\nagents:\n  approx: {model: gpt-4o-mini}\n  target: {model: gpt-4o}\n"
                               "workload: " + workload + "\npolicies: [sequential]\n", (tmp / "bad.yaml").string());
  };
  CHECK_THROWS_WITH(load("{kind: trace, file: missing.jsonl}"), Catch::Contains("bad.yaml:6:") && Catch::Contains("workload.file: trace file"));
  CHECK_THROWS_WITH(load("{kind: trace, file: empty.jsonl}"), Catch::Contains("empty.jsonl"));
  CHECK_THROWS_WITH(load("{kind: trace, file: empty.jsonl, offpath: maybe}"), Catch::Contains("workload.offpath"));
  CHECK_THROWS_WITH(load("{kind: trace, file: empty.jsonl, match_rule: fuzzy}"), Catch::Contains("workload.match_rule"));
  CHECK_THROWS_WITH(load("{kind: trace, file: empty.jsonl, latency: modelled}"), Catch::Contains("workload.latency"));
  CHECK_THROWS_WITH(load("{kind: trace, file: empty.jsonl, verdicts: iid}"), Catch::Contains("workload.verdicts"));
}

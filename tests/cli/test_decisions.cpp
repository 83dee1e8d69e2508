// What a user decides with: the objective's figures in the summary, `specsim advise` on a run and
// on its JSON summary, constraints, significance, and the defaults that are stated, not silent.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>

#include "analysis/report.hpp"
#include "support/run_specsim.hpp"
#include "support/temp_dir.hpp"
#include "tools/runner/advice.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

// The validation world (i.i.d. matches, constant latencies): A takes 1 s, T 4 s.
std::string world(const std::string& objective, const std::string& policies, int max_steps = 1000) {
  return "name: decide\nseed: 5\nepisodes: 400\nmax_steps: " + std::to_string(max_steps) + "\n" + objective +
         "models:\n  a: {provider: none, price: {input: 0.15, cached_input: 0.15, output: 0.6}}\n"
         "  t: {provider: none, price: {input: 2.5, cached_input: 2.5, output: 10}}\n"
         "agents:\n"
         "  approx: {model: a, input_tokens: {base: 500}, output_tokens: 10, latency: {kind: fixed, seconds: 1}}\n"
         "  target: {model: t, input_tokens: {base: 500}, output_tokens: 10, latency: {kind: fixed, seconds: 4}}\n"
         "workload: {kind: synthetic, steps: {kind: fixed, n: 12}, match: {kind: iid, p: 0.7}}\n"
         "policies:\n" + policies;
}

const std::string kPolicies = "  - sequential\n  - {kind: fixed_k, k: [1, 2, 4]}\n  - oracle\n";

struct Run {
  std::string h5, json;
  std::vector<analysis::SummaryRow> rows;
};

Run run(const testing::TempDir& tmp, const std::string& text) {
  const runner::Scenario s = runner::parse_scenario(text, "decide.yaml");
  Run r{(tmp / "decide.h5").string(), (tmp / "decide.json").string(), {}};
  r.rows = runner::run_to_file(s, runner::RunOptions{}, r.h5, {{"scenario_yaml", s.text}}).rows;
  std::ofstream(r.json) << analysis::summary_json(s.name, s.seed, r.rows, s.objective);
  return r;
}

}  // namespace

TEST_CASE("net value and dollars per second saved follow their definitions", "[decisions]") {
  const testing::TempDir tmp;
  const Run r = run(tmp, world("objective: {value_of_time_usd_per_s: 0.001}\n", kPolicies));
  const analysis::SummaryRow& seq = r.rows[0];
  CHECK(seq.seconds_saved_s == 0.0);
  CHECK(std::isnan(seq.usd_per_s_saved));  // saves no time: no price per second saved
  CHECK(seq.net_value_usd == 0.0);
  for (std::size_t i = 1; i < r.rows.size(); ++i) {
    const analysis::SummaryRow& p = r.rows[i];
    CHECK(p.seconds_saved_s == Approx(seq.latency_mean_s - p.latency_mean_s).epsilon(1e-12));
    CHECK(p.extra_cost_usd == Approx(p.cost_usd - seq.cost_usd).epsilon(1e-12));
    CHECK(p.net_value_usd == Approx(0.001 * p.seconds_saved_s - p.extra_cost_usd).epsilon(1e-9));
    if (p.seconds_saved_s > 0) CHECK(p.usd_per_s_saved == Approx(p.extra_cost_usd / p.seconds_saved_s).epsilon(1e-12));
    CHECK(p.latency_p99_s >= p.latency_p95_s);
  }
  // Without a value of time there is no net value.
  const Run plain = run(tmp, world("", kPolicies));
  CHECK(std::isnan(plain.rows[1].net_value_usd));
  CHECK(analysis::summary_json("decide", 5, plain.rows, {}).find("\"net_value_usd\": null") != std::string::npos);
}

TEST_CASE("advise names the best runnable setting and the runner-up, paired per episode", "[decisions]") {
  const testing::TempDir tmp;
  const Run r = run(tmp, world("objective: {value_of_time_usd_per_s: 0.01}\n", kPolicies));
  const runner::AdviceReport report = runner::advise(r.h5, {});
  REQUIRE(report.worlds.size() == 1);
  const runner::Advice& a = report.worlds[0];
  REQUIRE(a.best);
  REQUIRE(a.runner_up);
  REQUIRE(a.bound);
  CHECK(a.bound->label == "oracle");
  CHECK(a.candidates == 4);  // the oracle is a bound, not a candidate
  // The best has the highest net value of the four runnable policies.
  double best = -1e9;
  for (std::size_t i = 0; i + 1 < r.rows.size(); ++i) best = std::max(best, r.rows[i].net_value_usd);
  CHECK(a.best->net_value_usd == Approx(best).epsilon(1e-12));  // pooled: (n x mean) / n
  // The paired difference is the difference of the two net values, over every episode.
  CHECK(a.difference->pairs == 400);
  CHECK(a.difference->mean == Approx(a.best->net_value_usd - a.runner_up->net_value_usd).epsilon(1e-9));
  // The JSON summary has no episodes: the same ranking, an unpaired difference.
  const runner::AdviceReport from_json = runner::advise(r.json, {});
  CHECK(from_json.worlds[0].best->label == a.best->label);
  CHECK(from_json.worlds[0].runner_up->label == a.runner_up->label);
  CHECK(from_json.worlds[0].difference->pairs == 0);
  CHECK(from_json.worlds[0].difference->ci95 > a.difference->ci95);  // pairing removes the shared noise
}

TEST_CASE("advise applies the budget and the SLO, and says when two settings do not differ", "[decisions]") {
  const testing::TempDir tmp;
  const Run r = run(tmp, world("", kPolicies + "  - {kind: fixed_k, k: 4, label: twin}\n"));
  // A budget only the sequential target meets: the fastest within it is sequential.
  analysis::Objective budget;
  budget.budget_usd_per_episode = r.rows[0].cost_usd;
  const runner::Advice tight = runner::advise(r.h5, budget).worlds[0];
  REQUIRE(tight.best);
  CHECK(tight.best->label == "sequential");
  CHECK(tight.infeasible == 4);
  // No budget to speak of: the fastest is fixed k = 4, and its twin is the same run: not significant.
  budget.budget_usd_per_episode = 100.0;
  const runner::Advice loose = runner::advise(r.h5, budget).worlds[0];
  CHECK(loose.best->label == "fixed_k(k=4)");
  CHECK(loose.runner_up->label == "twin");
  CHECK(loose.difference->mean == 0.0);
  CHECK_FALSE(loose.difference->significant());
  CHECK_THAT(runner::format_advice(runner::advise(r.h5, budget)), Catch::Contains("not significant"));
  // An SLO no policy meets.
  analysis::Objective slo;
  slo.slo = analysis::LatencySlo{0.99, 1.0};
  CHECK_FALSE(runner::advise(r.h5, slo).worlds[0].best);
  CHECK_THAT(runner::format_advice(runner::advise(r.h5, slo)), Catch::Contains("no policy meets the constraints"));
  // No objective at all is an error that says how to state one.
  CHECK_THROWS_WITH(runner::advise(r.h5, {}), Catch::Contains("states no objective"));
}

TEST_CASE("a k cut to the steps left is reported, and missing token models are stated", "[decisions]") {
  const runner::Scenario cut = runner::parse_scenario(world("", "  - sequential\n  - {kind: fixed_k, k: 4}\n", 6),
                                                      "cut.yaml");
  CHECK(cut.warnings.empty());
  const auto rows = runner::run_summary(cut, runner::RunOptions{}).rows;
  // 6 steps, k = 4: a round that commits 4 leaves 2 steps, so its next round is cut.
  CHECK(rows[1].k_cut_share > 0);
  CHECK(rows[1].mean_k < 4);
  CHECK_THAT(analysis::format_table(rows, cut.objective),
             Catch::Contains("fixed_k(k=4): k cut to the steps left before max_steps in"));
  std::string text = world("", kPolicies);
  text.replace(text.find("input_tokens: {base: 500}, "), std::string("input_tokens: {base: 500}, ").size(), "");
  const runner::Scenario silent = runner::parse_scenario(text, "tokens.yaml");
  CHECK(silent.warnings == std::vector<std::string>{
                               "tokens.yaml: agents.approx: no input_tokens: every prompt is 0 tokens (no input cost, "
                               "no prefill time)"});
  const testing::TempDir tmp;
  std::ofstream(tmp / "tokens.yaml") << text;
  const auto out = testing::run_specsim("run " + (tmp / "tokens.yaml").string() + " --episodes 3 -q");
  CHECK(out.exit_code == 0);
  CHECK(out.output == "specsim: warning: " + (tmp / "tokens.yaml").string() +
                          ": agents.approx: no input_tokens: every prompt is 0 tokens (no input cost, no prefill time)\n");
}

TEST_CASE("specsim advise on the command line", "[decisions]") {
  const testing::TempDir tmp;
  const Run r = run(tmp, world("objective: {value_of_time_usd_per_s: 0.01, slo: {p95: 1000}}\n", kPolicies));
  const auto out = testing::run_specsim("advise " + r.h5);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Catch::StartsWith("objective: a second is worth $0.01; p95 latency <= 1000 s\n"
                                           "ranked by the highest net value per episode"));
  CHECK_THAT(out.output, Catch::Contains("  best       "));
  CHECK_THAT(out.output, Catch::Contains("  runner-up  "));
  CHECK_THAT(out.output, Catch::Contains("(paired over 400 episodes)"));
  CHECK_THAT(out.output, Catch::Contains("  bound      oracle: "));
  const auto none = testing::run_specsim("advise " + (tmp / "missing.h5").string());
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.output, Catch::Contains("no such file or folder"));
}

TEST_CASE("advise ranks the choices of a decision axis outside the policies against each other", "[decisions][sweep]") {
  // Two A models (their prices differ) zipped with the agreement each reaches: both decisions,
  // so one ranking; the same agreement axis as a world condition gives one advice per world.
  const testing::TempDir tmp;
  std::string base = world("objective: {value_of_time_usd_per_s: 0.01}\n", "  - sequential\n  - {kind: fixed_k, k: [1, 2, 4]}\n");
  base.replace(base.find("models:\n"), 8, "models:\n  b: {provider: none, price: {input: 0.6, cached_input: 0.6, output: 2.4}}\n");
  std::ofstream(tmp / "base.yaml") << base;
  const auto sweep = [&](const std::string& name, const std::string& decision) {
    std::ofstream(tmp / (name + ".yaml")) << "name: " << name << "\nbase: base.yaml\ncombine: zip\nepisodes: 200\naxes:\n"
                                          << "  - {path: agents.approx.model, values: [a, b]}\n"
                                          << "  - {path: workload.match.p, values: [0.7, 0.5]" << decision << "}\n";
    const auto ran = testing::run_specsim("sweep " + (tmp / (name + ".yaml")).string() + " -o " + (tmp / name).string());
    REQUIRE(ran.exit_code == 0);
    return testing::run_specsim("advise " + (tmp / name).string());
  };
  const auto one = sweep("choices", ", decision: true");
  INFO(one.output);
  REQUIRE(one.exit_code == 0);
  CHECK(one.output.find("workload.match.p=0.7:") == std::string::npos);  // one world
  CHECK_THAT(one.output, Catch::Contains("  best       fixed_k(k=4) [agents.approx.model=a, workload.match.p=0.7]: "));
  CHECK_THAT(one.output, Catch::Contains("(paired over 200 episodes)"));
  // Sequential never calls A: the same figures under both models, one candidate.
  const auto free_time = testing::run_specsim("advise " + (tmp / "choices").string() + " --value-of-time 0");
  INFO(free_time.output);
  CHECK_THAT(free_time.output, Catch::Contains("  best       sequential: "));
  CHECK_THAT(free_time.output, Catch::Contains("  runner-up  fixed_k(k=1) [agents.approx.model=a, workload.match.p=0.7]: "));
  CHECK(free_time.output.find("sequential [") == std::string::npos);
  // The world axis: A's models stay apart, one advice each.
  const auto two = sweep("worlds", "");
  INFO(two.output);
  REQUIRE(two.exit_code == 0);
  CHECK_THAT(two.output, Catch::Contains("workload.match.p=0.7:\n  best       fixed_k(k=4): "));
  CHECK_THAT(two.output, Catch::Contains("workload.match.p=0.5:\n  best       "));
}

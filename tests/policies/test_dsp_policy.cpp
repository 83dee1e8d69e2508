#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/episode_metrics.hpp"
#include "analysis/report.hpp"
#include "models/sim_backend.hpp"
#include "sim/planner.hpp"
#include "support/h5_read.hpp"
#include "support/temp_dir.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

runner::Scenario openagi_like(std::int64_t episodes) {
  runner::Scenario s = runner::load_scenario(SPECSIM_SOURCE_DIR "/scenarios/dsp-openagi-like.yaml");
  s.episodes = episodes;
  return s;
}

const analysis::SummaryRow& row(const runner::RunOutcome& out, const std::string& label) {
  auto it = std::find_if(out.rows.begin(), out.rows.end(), [&](const auto& r) { return r.label == label; });
  REQUIRE(it != out.rows.end());
  return *it;
}

runner::RunOutcome run(const runner::Scenario& s, int threads = 2) {
  runner::RunOptions options;
  options.threads = threads;
  return runner::run_summary(s, options);
}

}  // namespace

TEST_CASE("on a learnable workload DSP is cheaper than the fastest fixed k at nearly its latency", "[dsp]") {
  const runner::RunOutcome out = run(openagi_like(2000));
  // The fastest fixed-k configuration.
  const analysis::SummaryRow* fastest = nullptr;
  for (const auto& r : out.rows)
    if (r.name == "fixed_k" && (!fastest || r.latency_mean_s < fastest->latency_mean_s)) fastest = &r;
  REQUIRE(fastest != nullptr);
  CHECK(fastest->label == "fixed_k(k=6)");
  const auto& dsp = row(out, "dsp(tau=0.9)");
  INFO("dsp latency " << dsp.latency_mean_s << " s, cost $" << dsp.cost_usd << "; fastest fixed-k latency "
                      << fastest->latency_mean_s << " s, cost $" << fastest->cost_usd);
  CHECK(dsp.cost_usd < fastest->cost_usd);
  CHECK(dsp.unnecessary_cost_usd < fastest->unnecessary_cost_usd);
  CHECK(dsp.latency_mean_s < 1.10 * fastest->latency_mean_s);
  // It learned something: most rounds after the cold start are predicted well.
  REQUIRE(dsp.learner);
  CHECK(dsp.learner->training_jobs > 100);
  CHECK(dsp.learner->diverged_jobs == 0);
  CHECK(dsp.learner->accuracy > 0.5);
}

TEST_CASE("the knobs are monotone: larger tau or offset, larger k, higher cost, lower latency", "[dsp]") {
  const runner::RunOutcome out = run(openagi_like(1500));
  const auto check_monotone = [&](const std::vector<std::string>& labels) {
    for (std::size_t i = 1; i < labels.size(); ++i) {
      const auto& lo = row(out, labels[i - 1]);
      const auto& hi = row(out, labels[i]);
      INFO(labels[i - 1] << " -> " << labels[i]);
      CHECK(hi.mean_k > lo.mean_k);
      CHECK(hi.cost_usd > lo.cost_usd);
      CHECK(hi.latency_mean_s < lo.latency_mean_s);
    }
  };
  check_monotone({"dsp(tau=0.3)", "dsp(tau=0.5)", "dsp(tau=0.7)", "dsp(tau=0.9)"});
  check_monotone({"dsp(tau=0.5,offset=-1)", "dsp(tau=0.5,offset=0)", "dsp(tau=0.5,offset=1)", "dsp(tau=0.5,offset=2)"});
}

TEST_CASE("the oracle is the latency bound and wastes no target call", "[dsp]") {
  const runner::RunOutcome out = run(openagi_like(600));
  const auto& oracle = row(out, "oracle");
  for (const auto& r : out.rows) CHECK(oracle.latency_mean_s <= r.latency_mean_s + 1e-9);
  // Its only waste is A's wrong guess at each mismatch, exactly what k = 1 wastes.
  CHECK(oracle.unnecessary_cost_usd == Approx(row(out, "fixed_k(k=1)").unnecessary_cost_usd).epsilon(1e-12));
}

TEST_CASE("learning is deterministic: 1 and 2 threads give identical results and learning curves", "[dsp][determinism]") {
  runner::Scenario s = openagi_like(600);
  const auto write = [&](int threads, const std::string& path) {
    runner::RunOptions options;
    options.threads = threads;
    options.chunk_episodes = 128;  // several chunks: the learner's state crosses chunk boundaries
    const auto out = runner::run_to_file(s, options, path, {});
    return analysis::summary_json(s.name, s.seed, out.rows, s.objective);
  };
  const testing::TempDir tmp;
  const std::string path_one = (tmp / "dsp-determinism-1.h5").string();
  const std::string path_two = (tmp / "dsp-determinism-2.h5").string();
  const std::string one = write(1, path_one);
  const std::string two = write(2, path_two);
  CHECK(one == two);
  CHECK_THAT(one, Catch::Contains("\"learner\""));
  const auto a = testing::read_all_datasets(path_one);
  const auto b = testing::read_all_datasets(path_two);
  REQUIRE(a.count("policies/dsp(tau=0.9)/learning") == 1);
  CHECK(a.at("policies/dsp(tau=0.9)/learning").size() > 0);
  CHECK(a == b);
}

TEST_CASE("a DSP policy training on its own worker thread gives the bytes of training inline", "[dsp][determinism][background]") {
  // `specsim run` trains inline; the worker (live runs' path) in simulated time waits for each job
  // at its completion event, so the episodes and the learner's counters must not change.
  const runner::Scenario s = openagi_like(0);
  const auto run = [&](const policies::PolicySpec& spec, bool background) {
    sim::SimClock clock{true};  // fingerprinted: the same events in the same order
    auto policy = spec.make(policies::PolicyEnv{s.seed, spec.label, false, s.objective.value_of_time_usd_per_s, background});
    models::SimBackend backend(s.agents, *s.workload, clock, s.seed, s.max_steps);
    const analysis::PriceMeter meter(s.agents, s.billing);
    sim::PlannerConfig config = runner::planner_config(s);
    config.meter = &meter;
    sim::Planner planner(config, clock, backend, *policy, &backend, nullptr);
    std::vector<std::string> out;
    for (std::int64_t e = 0; e < 150; ++e) {
      const sim::EpisodeMetrics m = *planner.run_episode(e).metrics;
      out.push_back(fmt::format("{} {} {} {:.17g} {:.17g}", e, m.steps, m.rounds, m.latency_s, m.cost_usd));
    }
    const sim::LearningStats& l = *policy->learning();
    out.push_back(fmt::format("{:016x} {} {} {} {} {:.17g}", clock.fingerprint(), l.predictions, l.evaluated, l.hits, l.jobs_completed, l.abs_error));
    return std::make_pair(out, l.jobs_completed);
  };
  for (const policies::PolicySpec& spec : s.policies) {
    if (spec.kind != "dsp") continue;
    INFO(spec.label);
    const auto inline_run = run(spec, false);
    CHECK(inline_run.second > 20);  // jobs ran, so the worker had work
    CHECK(run(spec, true).first == inline_run.first);
  }
}

TEST_CASE("two learning policies run side by side: the same bytes on 1, 2 and 3 threads", "[dsp][determinism]") {
  // The quickstart's world with two learners, one of them in float.
  std::ifstream file(SPECSIM_SOURCE_DIR "/scenarios/quickstart.yaml");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  runner::Scenario s = runner::parse_scenario(text.substr(0, text.find("policies:")) + R"(policies:
  - {kind: dsp, tau: 0.5, training: {target: ideal_k}}
  - {kind: dsp, tau: 0.7, learner: {precision: float}}
)", "two-learners.yaml");
  s.episodes = 300;
  const testing::TempDir tmp;
  const auto write = [&](int threads) {
    runner::RunOptions options;
    options.threads = threads;
    options.chunk_episodes = 64;  // several chunks per learner
    const std::string path = (tmp / ("two-learners-" + std::to_string(threads) + ".h5")).string();
    const auto out = runner::run_to_file(s, options, path, {});
    return std::make_pair(analysis::summary_json(s.name, s.seed, out.rows, s.objective), testing::read_all_datasets(path));
  };
  const auto one = write(1), two = write(2), three = write(3);
  CHECK(one.first == two.first);
  CHECK(one.first == three.first);
  CHECK(one.second == two.second);
  CHECK(one.second == three.second);
  REQUIRE(one.second.count("policies/dsp(tau=0.7,float)/learning") == 1);
  CHECK(one.second.at("policies/dsp(tau=0.7,float)/learning").size() > 0);
}

TEST_CASE("with i.i.d. matches there is nothing to learn and DSP settles on a constant k", "[dsp]") {
  runner::Scenario s = runner::parse_scenario(R"(
name: dsp-iid
episodes: 1500
seed: 3
agents:
  approx: {model: gpt-4o-mini, style: direct, input_tokens: {base: 300}, output_tokens: 10}
  target: {model: gpt-4o, style: react, input_tokens: {base: 400}, output_tokens: [100, 10]}
workload: {kind: synthetic, steps: {kind: fixed, n: 12}, match: {kind: iid, p: 0.7}}
policies:
  - {kind: dsp, tau: 0.5, training: {target: ideal_k}}
)", "dsp-iid");
  const runner::RunOutcome out = run(s);
  const auto& dsp = out.rows[0];
  // With p = 0.7 the ideal k of a round start is geometric with mean 1 / (1 - p) = 3.3 (less at
  // the plan's end); the chosen k should concentrate on three values around it (here 90% of the
  // rounds; k = 1 holds the cold start's rounds too).
  std::int64_t total = 0;
  std::vector<std::int64_t> h = dsp.k_histogram;
  for (auto c : h) total += c;
  INFO("rounds by chosen k: " << fmt::format("{}", fmt::join(h, ", ")));
  std::sort(h.rbegin(), h.rend());
  h.resize(std::max<std::size_t>(h.size(), 3));
  CHECK(static_cast<double>(h[0] + h[1] + h[2]) / static_cast<double>(total) > 0.85);
  CHECK(dsp.mean_k > 1.8);
  CHECK(dsp.mean_k < 4.0);
}

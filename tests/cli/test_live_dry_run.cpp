// `specsim live --dry-run` (tools/runner/live_dry_run.hpp): the live run's schedule on a simulated
// clock. Episodes that share nothing give `specsim run`'s figures at any number in flight; on a
// self-hosted endpoint the episodes in flight load it, and one at a time is `specsim run` again.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "analysis/report.hpp"
#include "analysis/sinks/summary_sink.hpp"
#include "sim/input_error.hpp"
#include "support/temp_dir.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/live_dry_run.hpp"

using namespace specsim;

namespace {

// A ReAct target on its own server (`served`: its latency grows with the requests in flight) or
// with the catalogue's hosted latency, and 12 tasks.
std::string scenario_text(bool served, const std::string& endpoint_extra = "") {
  const std::string target_latency =
      served ? "    latency:\n      kind: served\n      profile:\n"
               "        - {concurrency: 1, prefill_tps: 6000, decode_tps: 45}\n"
               "        - {concurrency: 8, prefill_tps: 3000, decode_tps: 30}\n"
             : "";
  return fmt::format(R"(name: dry
seed: 11
episodes: 12
max_steps: 20
agents:
  approx:
    model: gpt-4o-mini
    input_tokens: {{base: 700, per_step: 45}}
    output_tokens: {{mean: 14, sigma: 0.3}}
    endpoint: {{base_url: "http://127.0.0.1:1/v1", api_key_env: SPECSIM_DRY_RUN_KEY{1}}}
  target:
    model: gpt-4o
    style: react
    input_tokens: {{base: 900, per_step: 60}}
    output_tokens: [{{mean: 110, sigma: 0.4}}, {{mean: 14, sigma: 0.3}}]
{0})"
                     R"(    endpoint: {{base_url: "http://127.0.0.1:1/v1", api_key_env: SPECSIM_DRY_RUN_KEY{1}}}
workload:
  kind: synthetic
  steps: {{kind: uniform, min: 4, max: 10}}
  match: {{kind: per_task, alpha: 6, beta: 4}}
policies:
  - {{kind: fixed_k, k: [1, 3]}}
live:
  tasks: tasks.jsonl
)",
                     target_latency, endpoint_extra);
}

struct Outcome {
  std::string table;
  std::vector<analysis::SummaryRow> rows;
  runner::ScheduleResult result;
};

// A dry run of `s` with `in_flight` episode runs at once.
Outcome dry_run(const runner::Scenario& s, int in_flight) {
  analysis::SummarySink summary(s.agents, s.billing, s.objective);
  runner::LiveRunOptions o;
  o.concurrency = in_flight;
  const runner::ScheduleResult r = runner::simulate_live(s, o, summary);
  return {analysis::format_table(summary.rows(), s.objective), summary.rows(), r};
}

struct DryRun {
  testing::TempDir dir;
  runner::Scenario scenario;

  explicit DryRun(bool served, const std::string& endpoint_extra = "") {
    std::ofstream(dir / "tasks.jsonl") << [] {
      std::string tasks;
      for (int e = 0; e < 12; ++e) tasks += fmt::format("{{\"id\": \"{}\", \"task\": \"task {}\"}}\n", e, e);
      return tasks;
    }();
    std::ofstream(dir / "dry.yaml") << scenario_text(served, endpoint_extra);
    scenario = runner::load_scenario((dir / "dry.yaml").string());
  }
  Outcome run(int in_flight) const { return dry_run(scenario, in_flight); }
  std::string simulated() const {
    return analysis::format_table(runner::run_summary(scenario, runner::RunOptions{}).rows, scenario.objective);
  }
};

}  // namespace

TEST_CASE("dry run: episodes that share nothing give specsim run's figures at any number in flight", "[live][dry_run]") {
  const DryRun d(false);
  const std::string expected = d.simulated();
  for (const int in_flight : {1, 3, 8}) {
    const auto r = d.run(in_flight);
    INFO(in_flight << " in flight");
    CHECK(r.table == expected);
    CHECK(r.result.episodes_reported == 12);
    CHECK(r.result.failed.empty());
  }
  // Three lanes (two fixed_k and the hidden baseline), 12 episodes: with 8 in flight the
  // schedule takes less than one at a time, and more than the longest of its 36 episode runs.
  const auto one = d.run(1).result, eight = d.run(8).result;
  CHECK(eight.elapsed < one.elapsed);
  CHECK(eight.elapsed.seconds() > one.elapsed.seconds() / 12);
  CHECK(eight.spent_usd == Approx(one.spent_usd).epsilon(1e-12));
}

TEST_CASE("dry run: on a self-hosted endpoint the episodes in flight load it, and one at a time is specsim run", "[live][dry_run]") {
  const DryRun d(true);
  const auto alone = d.run(1), loaded = d.run(6);
  CHECK(alone.table == d.simulated());
  REQUIRE(alone.rows.size() == loaded.rows.size());
  for (std::size_t i = 0; i < alone.rows.size(); ++i) {
    INFO(alone.rows[i].label << ": " << alone.rows[i].latency_mean_s << " s alone, " << loaded.rows[i].latency_mean_s
                             << " s at 6 in flight");
    CHECK(loaded.rows[i].latency_mean_s > alone.rows[i].latency_mean_s * 1.05);  // decode up to a third slower
  }
  CHECK(loaded.result.elapsed < alone.result.elapsed);
  // The same schedule twice: the same figures, to the bit.
  CHECK(d.run(6).table == loaded.table);
}

TEST_CASE("dry run: an endpoint's max_in_flight is a queue shared by the episodes in flight", "[live][dry_run]") {
  // Both agents on one endpoint (same URL and key) with one slot: alone, sequential (one call at
  // a time) is as without it and fixed_k waits for the slot; with 6 episode runs in flight every
  // policy waits for the others' calls.
  const DryRun free(false), one_slot(false, ", max_in_flight: 1");
  const auto alone = one_slot.run(1), loaded = one_slot.run(6), unlimited = free.run(1);
  REQUIRE(alone.rows.size() == 2);
  CHECK(alone.rows[0].label == "fixed_k(k=1)");
  for (std::size_t i = 0; i < alone.rows.size(); ++i) {
    INFO(alone.rows[i].label << ": " << unlimited.rows[i].latency_mean_s << " s without the limit, " << alone.rows[i].latency_mean_s
                             << " s alone with it, " << loaded.rows[i].latency_mean_s << " s at 6 in flight");
    CHECK(alone.rows[i].latency_mean_s > unlimited.rows[i].latency_mean_s * 1.05);
    CHECK(loaded.rows[i].latency_mean_s > alone.rows[i].latency_mean_s * 2);
  }
  // The hidden baseline, T alone: unchanged by the slot when its episodes run one at a time.
  CHECK(alone.rows[0].speedup < unlimited.rows[0].speedup);
  // One slot for every call: no call is cancelled while it runs (a verdict needs a completion), and
  // an episode's own calls keep their order in the queue, so each episode makes the same calls
  // however many run beside it, and the schedule takes the sum of their times either way.
  CHECK(loaded.result.elapsed == alone.result.elapsed);
  CHECK(loaded.result.spent_usd == Approx(alone.result.spent_usd).epsilon(1e-12));
}

TEST_CASE("dry run: a scenario with no live: section is an input error naming it", "[live][dry_run]") {
  testing::TempDir dir;
  std::ofstream(dir / "plain.yaml") << "name: plain\nepisodes: 3\nagents:\n  approx: {model: gpt-4o-mini}\n  target: {model: gpt-4o}\n"
                                       "workload: {kind: synthetic, steps: {kind: fixed, n: 3}, match: {kind: iid, p: 0.5}}\n"
                                       "policies: [sequential]\n";
  const runner::Scenario s = runner::load_scenario((dir / "plain.yaml").string());
  analysis::SummarySink summary(s.agents, s.billing, s.objective);
  CHECK_THROWS_AS(runner::simulate_live(s, runner::LiveRunOptions{}, summary), sim::InputError);
}

TEST_CASE("dry run: requests_per_minute and tokens_per_minute pace the calls of every episode in flight", "[live][dry_run]") {
  // Sequential on 4 episodes of 2 steps: 8 calls of T, each well under 10 s. Paced to one call
  // each 10 s, by requests (6 a minute) or by tokens (6000 a minute, a bucket of 1000, and each
  // call's estimate its 900-token prompt and its max_tokens of 100), the k-th call starts at
  // 10(k - 1) s however many episodes are in flight, and the run ends with the last one.
  std::optional<sim::Time> paced;  // the same instants whatever paces them, at 1 or at 4 in flight
  for (const std::string limit : {"requests_per_minute: 6", "tokens_per_minute: 6000"}) {
    testing::TempDir dir;
    std::ofstream(dir / "tasks.jsonl") << "{\"id\": \"a\", \"task\": \"a\"}\n{\"id\": \"b\", \"task\": \"b\"}\n"
                                          "{\"id\": \"c\", \"task\": \"c\"}\n{\"id\": \"d\", \"task\": \"d\"}\n";
    std::ofstream(dir / "paced.yaml") << fmt::format(R"(name: paced
seed: 3
episodes: 4
agents:
  approx:
    model: gpt-4o-mini
    endpoint: {{base_url: "http://127.0.0.1:1/v1", {0}, max_tokens: 100}}
  target:
    model: gpt-4o
    input_tokens: {{base: 900, per_step: 0}}
    output_tokens: {{mean: 20}}
    endpoint: {{base_url: "http://127.0.0.1:1/v1", {0}, max_tokens: 100}}
workload:
  kind: synthetic
  steps: {{kind: fixed, n: 2}}
  match: {{kind: iid, p: 0.5}}
policies: [sequential]
live:
  tasks: tasks.jsonl
)",
                                                     limit);
    const runner::Scenario s = runner::load_scenario((dir / "paced.yaml").string());
    for (const int in_flight : {1, 4}) {
      const runner::ScheduleResult r = dry_run(s, in_flight).result;
      INFO(limit << ", " << in_flight << " in flight: " << r.calls << " calls in " << r.elapsed.seconds() << " s");
      REQUIRE(r.calls == 8);
      CHECK(r.elapsed > sim::Time::from_seconds(70));
      CHECK(r.elapsed < sim::Time::from_seconds(80));
      if (!paced) paced = r.elapsed;
      CHECK(r.elapsed == *paced);
    }
  }
}

TEST_CASE("dry run: every bundled live scenario dry-runs, its every episode reported", "[live][dry_run]") {
  const std::filesystem::path dir = std::filesystem::path(SPECSIM_SOURCE_DIR) / "scenarios" / "live";
  int scenarios = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().filename().string());
    const runner::Scenario s = runner::load_scenario(entry.path().string());
    const runner::ScheduleResult r = dry_run(s, 4).result;
    CHECK(r.episodes_reported == r.episodes_planned);
    CHECK(r.failed.empty());
    CHECK(r.spent_usd > 0);
    ++scenarios;
  }
  CHECK(scenarios >= 3);
}

namespace {

// A hosted provider's two models behind one base URL and key, each agent's endpoint given whole.
runner::Scenario provider_scenario(const testing::TempDir& dir, const std::string& approx_endpoint,
                                   const std::string& target_endpoint) {
  std::ofstream(dir / "tasks.jsonl") << "{\"id\": \"a\", \"task\": \"a\"}\n{\"id\": \"b\", \"task\": \"b\"}\n"
                                        "{\"id\": \"c\", \"task\": \"c\"}\n";
  std::ofstream(dir / "provider.yaml") << fmt::format(R"(name: provider
seed: 5
episodes: 3
agents:
  approx:
    model: gpt-4o-mini
    endpoint: {{{}}}
  target:
    model: gpt-4o
    endpoint: {{{}}}
workload:
  kind: synthetic
  steps: {{kind: fixed, n: 4}}
  match: {{kind: iid, p: 0.7}}
policies: [{{kind: fixed_k, k: 2}}]
live:
  tasks: tasks.jsonl
)",
                                                      approx_endpoint, target_endpoint);
  return runner::load_scenario((dir / "provider.yaml").string());
}

}  // namespace

TEST_CASE("dry run: limits_scope: model gives each model on one base URL and key limits of its own", "[live][dry_run]") {
  // Both agents paced to 6 calls a minute (a bucket of one). Shared by the URL and key, A's
  // guesses and T's steps wait for each other; each model's own, they pace apart, exactly as if
  // the two models were on two endpoints.
  const std::string url = "base_url: \"http://127.0.0.1:1/v1\", api_key_env: SPECSIM_DRY_RUN_KEY";
  const std::string other_url = "base_url: \"http://127.0.0.1:2/v1\", api_key_env: SPECSIM_DRY_RUN_KEY";
  const std::string paced = ", requests_per_minute: 6";
  testing::TempDir shared_dir, per_model_dir, apart_dir, free_dir;
  const auto free = provider_scenario(free_dir, url, url);
  const auto shared = provider_scenario(shared_dir, url + paced, url + paced);
  const auto per_model = provider_scenario(per_model_dir, url + paced + ", limits_scope: model", url + paced + ", limits_scope: model");
  const auto apart = provider_scenario(apart_dir, url + paced, other_url + paced);
  for (const int in_flight : {1, 3}) {
    INFO(in_flight << " in flight");
    const auto s = dry_run(shared, in_flight).result;
    const auto [per_model_table, per_model_rows, m] = dry_run(per_model, in_flight);
    const auto [apart_table, apart_rows, a] = dry_run(apart, in_flight);
    INFO("one bucket " << s.elapsed.seconds() << " s, one a model " << m.elapsed.seconds() << " s");
    CHECK(m.elapsed == a.elapsed);
    CHECK(per_model_table == apart_table);
    CHECK(m.calls == a.calls);
    // Each model's limits are reported apart, with the waits of the two endpoints.
    REQUIRE(s.limit_waits.size() == 1);
    CHECK(s.limit_waits[0].limits == "http://127.0.0.1:1/v1");
    REQUIRE(m.limit_waits.size() == 2);
    REQUIRE(a.limit_waits.size() == 2);
    CHECK(m.limit_waits[0].limits == "http://127.0.0.1:1/v1 gpt-4o-mini");
    CHECK(m.limit_waits[1].limits == "http://127.0.0.1:1/v1 gpt-4o");
    for (std::size_t i = 0; i < 2; ++i) {
      CHECK(m.limit_waits[i].calls == a.limit_waits[i].calls);
      CHECK(m.limit_waits[i].waited == a.limit_waits[i].waited);
    }
    CHECK(s.limit_waits[0].waited > m.limit_waits[0].waited + m.limit_waits[1].waited);
    // One bucket paces both agents' calls together; two pace each apart, still well behind the
    // run with no limit.
    CHECK(m.elapsed.seconds() < 0.8 * s.elapsed.seconds());
    CHECK(m.elapsed.seconds() > 5 * dry_run(free, in_flight).result.elapsed.seconds());
  }
}

TEST_CASE("dry run: limits_scope is checked where it is stated", "[live][dry_run]") {
  const std::string url = "base_url: \"http://127.0.0.1:1/v1\", api_key_env: SPECSIM_DRY_RUN_KEY";
  const auto message = [&](const std::string& approx, const std::string& target) {
    testing::TempDir dir;
    try {
      provider_scenario(dir, approx, target);
    } catch (const sim::InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message(url + ", limits_scope: models", url),
             Catch::Contains("provider.yaml:7:") && Catch::Contains("agents.approx.endpoint.limits_scope: expected endpoint or model, got 'models'"));
  CHECK_THAT(message(url + ", limits_scope: model", url + ", limits_scope: endpoint"),
             Catch::Contains("provider.yaml:10:") && Catch::Contains("agents.target.endpoint.limits_scope: shares approx's base_url and api_key_env but states another limits_scope"));
  CHECK_THAT(message(url + ", limits_scope: model", url),
             Catch::Contains("agents.target.endpoint: shares approx's base_url and api_key_env but states another limits_scope"));
  // Per model, two agents calling the same model share its limits, and must state them alike.
  CHECK_THAT(message(url + ", model: m, limits_scope: model, requests_per_minute: 6", url + ", model: m, limits_scope: model"),
             Catch::Contains("agents.target.endpoint: shares approx's endpoint (the same base_url and api_key_env and model) but states other limits"));
  // Per endpoint, other limits on one URL and key say what to write instead.
  CHECK_THAT(message(url + ", requests_per_minute: 6", url), Catch::Contains("or limits_scope: model if each model has limits of its own"));
  CHECK(message(url + ", limits_scope: model, requests_per_minute: 6", url + ", limits_scope: model, requests_per_minute: 60") == "no error");
}

// Top-K guesses and confidence gating in live runs, end to end against `specsim serve`'s server
// (in process, scaled time, 127.0.0.1): of the bundled HotpotQA trace with its recorded top-3
// lists, and of a synthetic scenario with top-K and confidence models; and against canned
// answers no real server should send (no list, no logprobs). Every file goes to a TempDir.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "analysis/sinks/summary_sink.hpp"
#include "models/episode_script.hpp"
#include "models/sim_backend.hpp"
#include "models/live/served_world.hpp"
#include "models/trace/match_rule.hpp"
#include "models/trace/trace_reader.hpp"
#include "policies/basic_policies.hpp"
#include "sim/planner.hpp"
#include "support/canned_server.hpp"
#include "support/live_server.hpp"
#include "support/temp_dir.hpp"
#include "support/wall_slack.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/live_run.hpp"

namespace {

namespace live = specsim::models::live;
namespace sim = specsim::sim;
namespace runner = specsim::runner;
namespace trace = specsim::models::trace;
using nlohmann::json;
using specsim::testing::TempDir;

constexpr double kScale = 0.02;  // one world second is 20 ms
constexpr int kHotpotTasks = 12;

void write_file(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

// The first `n` HotpotQA runs with fixed timings (the logs record none: T's calls 25 s, A's 7.5 s, long enough that the
// client's fraction of a millisecond per call stays far below 2% of an episode on a loaded machine)
// and a TERMINATE step closing each (a live plan ends at the terminate action; the logs end at
// Finish[...], where a replay ends by the trace's length). Written to `dir`, with its tasks file.
std::filesystem::path hotpot_trace(const TempDir& dir, int n) {
  std::ifstream in(std::filesystem::path(SPECSIM_SOURCE_DIR) / "scenarios" / "specactions" / "hotpotqa-top3.jsonl");
  const json t_call = json::array({{{"latency_s", 25}, {"input_tokens", 400}, {"output_tokens", 12}}});
  const json a_call = json::array({{{"latency_s", 7.5}, {"input_tokens", 300}, {"output_tokens", 9}}});  // a list of 3
  std::string out, tasks;
  std::string line;
  for (int i = 0; i < n && std::getline(in, line); ++i) {
    json task = json::parse(line);
    for (auto& step : task["steps"]) {
      step["target"]["calls"] = t_call;
      if (step.contains("approx")) step["approx"]["calls"] = a_call;
    }
    task["steps"].push_back({{"target", {{"action", "TERMINATE"}, {"calls", t_call}}}});
    out += task.dump() + "\n";
    tasks += json{{"id", task["task_id"]}, {"task", task["task"]}}.dump() + "\n";
  }
  write_file(dir / "hotpot.jsonl", out);
  write_file(dir / "tasks.jsonl", tasks);
  return dir / "hotpot.jsonl";
}

// A scenario whose agents call `url` (both one call per step), with `workload` and `policies`
// given as YAML blocks, `approx_endpoint` extra keys on A's endpoint and `*_model` extra keys of
// each agent's model.
struct LiveScenario {
  std::string url, workload, policies, approx_endpoint, approx_model, target_model, target_endpoint;
  int episodes = 1;

  std::string text() const {
    return fmt::format(R"(name: live-top-k-test
seed: 3
episodes: {}
max_steps: 20
planner:
  top_k: {{candidates: 3}}
agents:
  approx:
    model: gpt-4o-mini
    style: direct
{}    endpoint: {{base_url: "{}", model: approx{}}}
  target:
    model: gpt-4o
    style: direct
{}    endpoint: {{base_url: "{}", model: target{}}}
workload:
{}
policies:
{}
live:
  tasks: tasks.jsonl
  match_rule: normalized
  retries: {{max_attempts: 1}}
)",
                       episodes, approx_model, url, approx_endpoint, target_model, url, target_endpoint, workload, policies);
  }
  runner::Scenario load(const TempDir& dir) const {
    write_file(dir / "live.yaml", text());
    return runner::load_scenario((dir / "live.yaml").string());
  }
};

// The HotpotQA test's scenario: every call off the recording as long as a recorded one (A's
// model writes one candidate, 3 tokens: a drawn list of 3 is the recorded call's 9).
LiveScenario hotpot_scenario(const std::string& url) {
  LiveScenario s;
  s.url = url;
  s.episodes = kHotpotTasks;
  s.workload = "  kind: trace\n  file: hotpot.jsonl\n  match_rule: normalized\n  offpath: agents";
  s.policies = "  - {kind: fixed_k, k: 3}\n  - sequential";
  s.approx_model = "    input_tokens: {base: 300, per_step: 0}\n    output_tokens: {mean: 3, sigma: 0}\n    latency: {kind: fixed, seconds: 7.5}\n";
  s.target_model = "    input_tokens: {base: 400, per_step: 0}\n    output_tokens: {mean: 12, sigma: 0}\n    latency: {kind: fixed, seconds: 25}\n";
  return s;
}

// A world of three steps per episode, for the tests of bad answers and bad scenarios.
LiveScenario small_scenario(const std::string& url, const std::string& policies) {
  LiveScenario s;
  s.url = url;
  s.workload = "  kind: synthetic\n  steps: {kind: fixed, n: 3}\n  match: {kind: iid, p: 0.5}";
  s.policies = policies;
  return s;
}

struct Compared {
  double latency_ratio, cost_ratio;
};

// Each policy's live row against `specsim run` of the same scenario: printed, and within 2% on
// latency (rescaled, the server's lateness per episode `late` taken out: latency_within) and 1% on cost.
void check_against_simulation(const runner::Scenario& s, const specsim::analysis::SummarySink& live_summary, double late) {
  const auto sim = runner::run_summary(s, runner::RunOptions{});
  REQUIRE(sim.rows.size() == live_summary.rows().size());
  for (std::size_t i = 0; i < sim.rows.size(); ++i) {
    const auto& l = live_summary.rows()[i];
    const auto& m = sim.rows[i];
    const Compared c{l.latency_mean_s / kScale / m.latency_mean_s, l.cost_usd / m.cost_usd};
    std::cout << fmt::format("live vs simulated, {} {}: latency {:.3f} s (rescaled; served {:.3f} s late) vs {:.3f} s ({:+.2f}%), "
                             "cost ${:.6f} vs ${:.6f} ({:+.2f}%), A calls {} vs {}\n",
                             s.name, m.label, l.latency_mean_s / kScale, late, m.latency_mean_s, (c.latency_ratio - 1) * 100, l.cost_usd,
                             m.cost_usd, (c.cost_ratio - 1) * 100, l.calls_approx, m.calls_approx);
    INFO(m.label);
    CHECK(specsim::testing::latency_within(l.latency_mean_s / kScale, late, m.latency_mean_s, 0.02));
    CHECK(std::abs(c.cost_ratio - 1) < 0.01);
    CHECK(l.calls_target == Approx(m.calls_target).epsilon(0.05));
    CHECK(l.calls_approx == Approx(m.calls_approx).epsilon(0.05));
  }
}

runner::LiveRunResult run_live(const runner::Scenario& s, const TempDir& dir, specsim::analysis::SummarySink& summary) {
  runner::LiveRunOptions o;
  o.concurrency = 8;
  o.trace_file = (dir / "recorded.jsonl").string();
  return runner::run_live(s, o, summary);
}

}  // namespace

TEST_CASE("live top-K against serve of the HotpotQA trace: the plan and the winning branch of every step are specsim run's") {
  TempDir dir;
  const auto served_file = hotpot_trace(dir, kHotpotTasks);
  const trace::Trace served = trace::read_trace(served_file.string());
  live::ServeOptions o;
  o.time_scale = kScale;
  specsim::testing::LiveServer server(live::make_trace_world(served), o);
  const auto s = hotpot_scenario(server.base_url()).load(dir);
  specsim::analysis::SummarySink summary(s.agents, s.billing, s.objective);
  const auto r = run_live(s, dir, summary);
  REQUIRE(r.failed.empty());
  REQUIRE(r.episodes_reported == kHotpotTasks);

  const auto rule = trace::make_match_rule("normalized");
  const trace::Trace recorded = trace::read_trace((dir / "recorded.jsonl").string());
  REQUIRE(recorded.tasks.size() == served.tasks.size());
  int ranked = 0, lower_hits = 0, lower_prompts = 0;
  for (std::size_t t = 0; t < served.tasks.size(); ++t) {
    const auto& want = served.tasks[t];
    const auto& got = recorded.tasks[t];
    INFO("task " << want.task_id);
    // Lossless: the committed plan is the served trace's.
    REQUIRE(got.steps.size() == want.steps.size());
    specsim::models::EpisodeScript script;
    specsim::models::make_script(*s.workload, s.agents, s.seed, static_cast<std::int64_t>(t), s.max_steps, script);
    for (std::size_t i = 0; i < want.steps.size(); ++i) {
      CHECK(got.steps[i].target.action == want.steps[i].target.action);
      if (!got.steps[i].approx || !want.steps[i].approx) continue;
      // The recorded top-3 list is the served one, and T's action ranks in it as in specsim run.
      CHECK(got.steps[i].approx->action == want.steps[i].approx->action);
      CHECK(got.steps[i].approx->alternatives == want.steps[i].approx->alternatives);
      const int rank = trace::candidate_rank(got.steps[i], *rule);
      CHECK(rank == script.rank_of(static_cast<int>(i)));
      ++ranked;
      lower_hits += rank > 0;
    }
    // Every committed T call was prompted with the steps that won: T's own, or the candidate of
    // the branch it ran on (a lower one's text where a lower candidate won).
    for (const auto& c : got.source["calls"]) {
      if (c["agent"] != "target" || c["role"] != "committed") continue;
      const auto& conditioning = c["conditioning"];
      REQUIRE(conditioning.size() == c["step"].get<std::size_t>());
      for (std::size_t i = 0; i < conditioning.size(); ++i) {
        const std::string text = conditioning[i];
        CHECK(rule->matches(want.steps[i].target.action, text));
        const auto& approx = want.steps[i].approx;
        if (approx && text != approx->action &&
            std::find(approx->alternatives.begin(), approx->alternatives.end(), text) != approx->alternatives.end())
          ++lower_prompts;
      }
    }
  }
  std::cout << fmt::format("HotpotQA live top-3: {} guesses compared, {} won by a lower candidate, {} committed T prompts on a lower branch\n",
                           ranked, lower_hits, lower_prompts);
  CHECK(ranked > 20);
  CHECK(lower_hits > 0);
  CHECK(lower_prompts > 0);
  check_against_simulation(s, summary, server.late_s() / static_cast<double>(r.episodes_reported) / kScale);
}

TEST_CASE("live confidence gate against serve of a synthetic top-K world: it gates where specsim run gates, and the trace records the confidences") {
  TempDir dir;
  std::string tasks;
  for (int e = 0; e < 10; ++e) tasks += fmt::format("{{\"id\": \"{}\", \"task\": \"task {}\"}}\n", e, e);
  write_file(dir / "tasks.jsonl", tasks);
  const std::string workload =
      "  kind: synthetic\n  steps: {kind: uniform, min: 3, max: 8}\n  match: {kind: iid, p: 0.5}\n"
      "  top_k: {candidates: 3, catch: 0.4}\n"
      "  confidence: {kind: beta, match: {alpha: 6, beta: 2}, mismatch: {alpha: 2, beta: 4}}";
  const std::string policies =
      "  - {kind: fixed_k, k: 4, gate: {min_confidence: 0.6}}\n  - {kind: fixed_k, k: 4}\n  - sequential";
  const std::string tokens = "    input_tokens: {base: 300, per_step: 10}\n    output_tokens: {mean: 10, sigma: 0}\n";
  const std::string approx = tokens + "    latency: {ttft_s: 5.75, decode_tokens_per_s: 20, jitter_sigma: 0}\n";
  const std::string target = tokens + "    latency: {ttft_s: 18.25, decode_tokens_per_s: 20, jitter_sigma: 0}\n";
  const auto scenario_at = [&](const std::string& url) {
    return LiveScenario{url, workload, policies, ", logprobs: true", approx, target, "", 10}.load(dir);
  };
  runner::Scenario world = scenario_at("http://127.0.0.1:1/v1");
  live::ServeOptions o;
  o.time_scale = kScale;
  o.seed = world.seed;
  specsim::testing::LiveServer server(live::make_script_world(std::move(world.workload), world.agents, world.seed, world.max_steps), o);
  const auto s = scenario_at(server.base_url());
  specsim::analysis::SummarySink summary(s.agents, s.billing, s.objective);
  const auto r = run_live(s, dir, summary);
  REQUIRE(r.failed.empty());
  REQUIRE(r.episodes_reported == 10);

  // The gate changes the run (else this test could not fail): fewer guesses than ungated.
  const auto& rows = summary.rows();
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].calls_approx < 0.9 * rows[1].calls_approx);
  check_against_simulation(s, summary, server.late_s() / static_cast<double>(r.episodes_reported) / kScale);

  // The recorded trace (the gated policy's) holds each committed guess's confidence, as served.
  const trace::Trace recorded = trace::read_trace((dir / "recorded.jsonl").string());
  REQUIRE(recorded.tasks.size() == 10);
  int confidences = 0;
  for (std::size_t t = 0; t < recorded.tasks.size(); ++t) {
    specsim::models::EpisodeScript script;
    specsim::models::make_script(*s.workload, s.agents, s.seed, static_cast<std::int64_t>(t), s.max_steps, script);
    const auto& steps = recorded.tasks[t].steps;
    REQUIRE(static_cast<int>(steps.size()) == script.steps);
    for (std::size_t i = 0; i < steps.size(); ++i) {
      if (!steps[i].approx) continue;
      REQUIRE(steps[i].confidence);
      CHECK(*steps[i].confidence == Approx(script.confidence[i]).epsilon(1e-9));
      ++confidences;
    }
  }
  CHECK(confidences > 10);

  // Billing, once: A's usage (the world's draw of a 3-candidate list, 30 output tokens) is what
  // the live run billed and recorded, and what `specsim run` of the recording bills again.
  write_file(dir / "billed.yaml", R"(name: billed
episodes: 10
planner: {top_k: {candidates: 3}}
agents:
  approx: {model: gpt-4o-mini, style: direct}
  target: {model: gpt-4o, style: direct}
workload: {kind: trace, file: recorded.jsonl, match_rule: normalized}
policies: [{kind: fixed_k, k: 4}]
)");
  const runner::Scenario billed = runner::load_scenario((dir / "billed.yaml").string());
  sim::SimClock clock;
  specsim::models::SimBackend backend(billed.agents, *billed.workload, clock, billed.seed, billed.max_steps);
  specsim::policies::FixedK fixed(4);
  sim::PlannerConfig config;
  config.max_steps = billed.max_steps;
  config.semantics = billed.semantics;
  sim::Planner planner(config, clock, backend, fixed, &backend, &backend);
  int rebilled = 0;
  for (std::size_t t = 0; t < recorded.tasks.size(); ++t) {
    specsim::models::EpisodeScript script;
    specsim::models::make_script(*s.workload, s.agents, s.seed, static_cast<std::int64_t>(t), s.max_steps, script);
    const auto& steps = recorded.tasks[t].steps;
    for (const auto& c : recorded.tasks[t].source["calls"]) {  // the live run's own, as it billed them
      const int step = c["step"];
      if (c["agent"] != "approx" || c["status"] != "finished" || step >= script.steps) continue;
      const auto& served = script.step_calls(sim::Agent::approx, step)[0].tokens;
      CHECK(c["input_tokens"] == served.input);
      CHECK(c["output_tokens"] == served.output);
    }
    const sim::EpisodeRun& run = planner.run_episode(static_cast<std::int64_t>(t));
    for (const auto& c : run.calls) {
      const auto i = static_cast<std::size_t>(c.step);
      if (c.agent != sim::Agent::approx || c.status != sim::CallStatus::finished || !c.on_path || i >= steps.size() ||
          !steps[i].approx)
        continue;
      const auto& want = steps[i].approx->calls.at(0);
      CHECK(want.output_tokens == script.step_calls(sim::Agent::approx, c.step)[0].tokens.output);
      CHECK(want.output_tokens == 30);
      CHECK(c.tokens.input == want.input_tokens);
      CHECK(c.tokens.output == want.output_tokens);
      ++rebilled;
    }
  }
  CHECK(rebilled > 10);

  // `specsim run` of the recording gates on the recorded confidences: fewer guesses than ungated.
  write_file(dir / "replay.yaml", fmt::format(R"(name: replay
seed: 3
episodes: 10
planner:
  top_k: {{candidates: 3}}
agents:
  approx: {{model: gpt-4o-mini, style: direct}}
  target: {{model: gpt-4o, style: direct}}
workload: {{kind: trace, file: recorded.jsonl, match_rule: normalized}}
policies:
{}
)",
                                              "  - {kind: fixed_k, k: 4, gate: {min_confidence: 0.6}}\n  - {kind: fixed_k, k: 4}"));
  const auto replay = runner::run_summary(runner::load_scenario((dir / "replay.yaml").string()), runner::RunOptions{});
  REQUIRE(replay.rows.size() == 2);
  CHECK(replay.rows[0].calls_approx < 0.9 * replay.rows[1].calls_approx);
}

TEST_CASE("live top-K and confidence: an answer with no list, or no logprobs, ends the episode with a recorded error") {
  using specsim::testing::http_answer;
  const auto answer = [](const std::string& content, const std::string& logprobs) {
    json choice = {{"index", 0}, {"message", {{"role", "assistant"}, {"content", content}}}, {"finish_reason", "stop"}};
    if (!logprobs.empty()) choice["logprobs"] = json::parse(logprobs);
    const json body = {{"model", "m"}, {"choices", json::array({choice})}, {"usage", {{"prompt_tokens", 5}, {"completion_tokens", 3}}}};
    return http_answer("200 OK", "application/json", body.dump());
  };
  struct Case {
    std::string answer, approx_endpoint, expected;
    std::size_t failed_lanes;
  };
  const std::vector<Case> cases{
      {answer("Search[x]", ""), "", "no list of 3 candidates", 1},
      {answer("[\"Search[x]\", \"Lookup[y]\"]", ""), ", logprobs: true", "carries no logprobs", 1},
      {answer("[\"Search[x]\"]", R"({"content": [{"token": "x", "logprob": 0.5}]})"), ", logprobs: true", "logprob <= 0", 2},
      {answer("[\"Search[x]\"]", R"({"content": "nope"})"), ", logprobs: true", "logprobs.content: expected an array", 2},
  };
  for (const auto& c : cases) {
    specsim::testing::CannedServer canned(c.answer);
    TempDir dir;
    write_file(dir / "tasks.jsonl", "{\"id\": \"0\", \"task\": \"t\"}\n");
    auto scenario = small_scenario(canned.base_url(), "  - {kind: fixed_k, k: 2}");
    scenario.approx_endpoint = ", stream: false" + c.approx_endpoint;
    scenario.target_endpoint = ", stream: false";
    const auto s = scenario.load(dir);
    specsim::analysis::SummarySink summary(s.agents, s.billing, s.objective);
    runner::LiveRunOptions o;
    const auto r = runner::run_live(s, o, summary);
    INFO("expected: " << c.expected);
    // The policy's episode; the hidden sequential baseline's too where T's answer is as bad.
    REQUIRE(r.failed.size() == c.failed_lanes);
    for (const auto& f : r.failed) CHECK_THAT(f.error, Catch::Contains(c.expected));
  }
}

TEST_CASE("live top-K: a gated policy without logprobs, or per_candidate pricing, is an input error") {
  TempDir dir;
  write_file(dir / "tasks.jsonl", "{\"id\": \"0\", \"task\": \"t\"}\n");
  const auto gated = small_scenario("http://127.0.0.1:1/v1", "  - {kind: fixed_k, k: 2, gate: {min_confidence: 0.5}}").load(dir);
  specsim::analysis::SummarySink summary(gated.agents, gated.billing, gated.objective);
  CHECK_THROWS_WITH(runner::run_live(gated, runner::LiveRunOptions{}, summary), Catch::Contains("logprobs: true"));

  std::string per_candidate = small_scenario("http://127.0.0.1:1/v1", "  - {kind: fixed_k, k: 2}").text();
  const std::string at = "top_k: {candidates: 3}";
  per_candidate.replace(per_candidate.find(at), at.size(), "top_k: {candidates: 3, pricing: per_candidate}");
  write_file(dir / "priced.yaml", per_candidate);
  CHECK_THROWS_WITH(runner::load_scenario((dir / "priced.yaml").string()), Catch::Contains("only one_call pricing"));
}

TEST_CASE("the bundled top-K example runs against serve of the HotpotQA trace and records A's lists") {
  const std::filesystem::path root = std::filesystem::path(SPECSIM_SOURCE_DIR) / "scenarios";
  TempDir dir;
  std::filesystem::create_directories(dir / "live");
  std::filesystem::create_directories(dir / "specactions");
  std::filesystem::copy_file(root / "live" / "hotpotqa-tasks.jsonl", dir / "live" / "hotpotqa-tasks.jsonl");
  std::filesystem::copy_file(root / "specactions" / "hotpotqa-top3.jsonl", dir / "specactions" / "hotpotqa-top3.jsonl");
  const trace::Trace served = trace::read_trace((root / "specactions" / "hotpotqa-top3.jsonl").string());
  live::ServeOptions o;
  o.time_scale = kScale;
  specsim::testing::LiveServer server(live::make_trace_world(served), o);
  std::string text;
  {
    std::ifstream in(root / "live" / "hotpotqa-top3-served.yaml");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string url = "http://127.0.0.1:8401/v1";
  for (auto at = text.find(url); at != std::string::npos; at = text.find(url)) text.replace(at, url.size(), server.base_url());
  write_file(dir / "live" / "served.yaml", text);
  const auto s = runner::load_scenario((dir / "live" / "served.yaml").string());
  specsim::analysis::SummarySink summary(s.agents, s.billing, s.objective);
  const auto r = run_live(s, dir, summary);
  CHECK(r.failed.empty());
  REQUIRE(r.episodes_reported == 8);
  // The recorded plans are the runs' target actions, then the server's TERMINATE; A's recorded
  // lists are the runs' own.
  const trace::Trace recorded = trace::read_trace((dir / "recorded.jsonl").string());
  REQUIRE(recorded.tasks.size() == 8);
  int lists = 0;
  for (std::size_t t = 0; t < recorded.tasks.size(); ++t) {
    const auto& want = served.tasks[t].steps;
    const auto& got = recorded.tasks[t].steps;
    REQUIRE(got.size() == want.size() + 1);
    CHECK(got.back().target.action == "TERMINATE");
    for (std::size_t i = 0; i < want.size(); ++i) {
      CHECK(got[i].target.action == want[i].target.action);
      if (got[i].approx && want[i].approx && !want[i].approx->alternatives.empty()) {
        CHECK(got[i].approx->alternatives == want[i].approx->alternatives);
        ++lists;
      }
    }
  }
  CHECK(lists > 5);
}

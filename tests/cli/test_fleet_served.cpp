// Fleets on a self-hosted endpoint whose latency grows with its load (models/served_endpoint.hpp):
// processor-sharing queueing theory, and equality with single-episode runs when the profile is
// flat.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "tools/runner/experiment.hpp"
#include "tools/runner/fleet.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

// One-call episodes on one served endpoint: 100 prompt tokens at 1000/s and 90 output tokens at
// 100/s, 1 s alone; with the default profile (one row) n calls in flight each go at 1/n of that
// (processor sharing).
constexpr const char* kOneRow = "[{concurrency: 1, prefill_tps: 1000, decode_tps: 100}]";
std::string ps_scenario(const std::string& rate, const std::string& profile = kOneRow, int tasks = 100'000) {
  return "name: ps\nseed: 3\nmax_steps: 1\n"
         "models:\n  server: {provider: none, price: {input: 1, cached_input: 1, output: 1}}\n"
         "agents:\n"
         "  approx: {model: server, input_tokens: {base: 10, per_step: 0}, output_tokens: 1}\n"
         "  target: {model: server, input_tokens: {base: 100, per_step: 0}, output_tokens: 90,\n"
         "           latency: {kind: served, profile: " + profile + "}}\n"
         "workload: {kind: synthetic, steps: {kind: fixed, n: 1}, match: {kind: iid, p: 0.5}}\n"
         "policies: [sequential]\n"
         "fleet:\n"
         "  arrivals: {kind: poisson, rate_per_s: " + rate + "}\n"
         "  tasks: " + std::to_string(tasks) + "\n  warmup_s: 100\n  replications: 8\n";
}

class Capture final : public sim::RunObserver {
 public:
  void on_episode(std::size_t lane, const sim::EpisodeRun& e) override { latency[lane].push_back(e.latency); }
  std::map<std::size_t, std::vector<sim::Time>> latency;
};

}  // namespace

// Under processor sharing the mean sojourn depends on the service time only through its mean
// (insensitivity), so fixed 1 s calls give M/M/1-PS's 1 / (mu - lambda).
TEST_CASE("M/M/1-PS: the mean sojourn on a served endpoint is 1 / (mu - lambda) within 2%", "[fleet][served]") {
  for (const double rate : {0.5, 0.7}) {
    const auto result = runner::run_fleet(runner::parse_scenario(ps_scenario(std::to_string(rate)), "ps.yaml"), {2, nullptr});
    const analysis::FleetRow& row = result.points.at(0).rows.at(0);
    const double expected = 1 / (1 - rate);
    INFO("lambda " << rate << ": simulated " << row.latency_mean_s << " s, M/M/1-PS " << expected << " s");
    CHECK(std::fabs(row.latency_mean_s - expected) / expected < 0.02);
    CHECK(row.little_error < 0.01);
  }
}

TEST_CASE("on a flat served profile, fleet latencies equal single-episode runs exactly", "[fleet][served]") {
  const auto s = runner::parse_scenario(
      "name: flat\nseed: 5\nmax_steps: 30\nepisodes: 200\n"
      "agents:\n"
      "  approx: {model: gpt-4o-mini, style: direct, input_tokens: {base: 700, per_step: 45}, output_tokens: {mean: 14, sigma: 0.3},\n"
      "           latency: {kind: served, profile: [{concurrency: 1, prefill_tps: 9000, decode_tps: 150}, {concurrency: 100000, prefill_tps: 9000, decode_tps: 150}]}}\n"
      "  target: {model: gpt-4o, style: react, input_tokens: {base: 900, per_step: 60},\n"
      "           output_tokens: [{mean: 110, sigma: 0.4}, {mean: 14, sigma: 0.3}],\n"
      "           latency: {kind: served, profile: [{concurrency: 1, prefill_tps: 4000, decode_tps: 60}, {concurrency: 100000, prefill_tps: 4000, decode_tps: 60}]}}\n"
      "workload: {kind: synthetic, steps: {kind: uniform, min: 4, max: 12}, match: {kind: per_task, alpha: 6, beta: 4}}\n"
      "policies: [sequential, {kind: fixed_k, k: [1, 3]}]\n"
      "fleet:\n  arrivals: {kind: poisson, rate_per_s: 2}\n  tasks: 200\n",
      "flat.yaml");
  const auto fleet = runner::run_fleet(s, {1, nullptr});
  Capture single;
  REQUIRE(runner::run_experiment(s, {}, single));
  const auto& point = fleet.points.at(0);
  for (std::size_t lane = 0; lane < s.policies.size(); ++lane) {
    REQUIRE(point.tasks[lane].size() == 200);
    for (std::size_t i = 0; i < 200; ++i) REQUIRE(point.tasks[lane][i].latency == single.latency[lane][i]);
  }
  CHECK(point.rows[0].sessions_mean > 5);  // many sessions were on the endpoints together
}

TEST_CASE("on a profile that slows with concurrency, latency grows with the fleet's load", "[fleet][served]") {
  // Each call's rates halve from 1 to 8 in flight: the endpoint's throughput grows from 1 to 4
  // calls/s, and a call alone takes 1 s.
  const std::string batching = "[{concurrency: 1, prefill_tps: 1000, decode_tps: 100}, {concurrency: 8, prefill_tps: 500, decode_tps: 50}]";
  const auto result = runner::run_fleet(runner::parse_scenario(ps_scenario("[0.1, 1, 2]", batching, 2000), "ps.yaml"), {2, nullptr});
  REQUIRE(result.points.size() == 3);
  const double low = result.points[0].rows[0].latency_mean_s, mid = result.points[1].rows[0].latency_mean_s,
               high = result.points[2].rows[0].latency_mean_s;
  INFO("mean latency at 0.1, 1, 2 tasks/s: " << low << ", " << mid << ", " << high);
  CHECK(low > 1.0);
  CHECK(low < 1.1);  // mostly alone
  CHECK(mid > low * 1.05);
  CHECK(high > mid * 1.1);
}

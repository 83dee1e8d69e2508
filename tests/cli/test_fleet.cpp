// Fleet runs (tools/runner/fleet.hpp): queueing theory (M/M/c against Erlang C), Little's law,
// equality with single-episode runs when nothing is shared, thread-count independence, and the
// errors of bad fleet blocks.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>

#include "analysis/fleet_report.hpp"
#include "support/input_error.hpp"
#include "support/temp_dir.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/fleet.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

// One-call episodes: T alone, one direct step with exponential call times of mean 1 s.
std::string mmc_scenario(double rate, int servers, int tasks, int replications) {
  return "name: mmc\nseed: 11\nmax_steps: 1\n"
         "models:\n  server: {provider: none, price: {input: 1, cached_input: 1, output: 1}}\n"
         "agents:\n"
         "  approx: {model: server, input_tokens: {base: 10, per_step: 0}, output_tokens: 1}\n"
         "  target: {model: server, input_tokens: {base: 10, per_step: 0}, output_tokens: 1, latency: {kind: exponential, mean_s: 1}}\n"
         "workload: {kind: synthetic, steps: {kind: fixed, n: 1}, match: {kind: iid, p: 0.5}}\n"
         "policies: [sequential]\n"
         "fleet:\n"
         "  arrivals: {kind: poisson, rate_per_s: " + std::to_string(rate) + "}\n"
         "  tasks: " + std::to_string(tasks) + "\n  warmup_s: 200\n  replications: " + std::to_string(replications) + "\n"
         "  limits: [{models: [server], max_in_flight: " + std::to_string(servers) + "}]\n";
}

// Erlang C: the probability that an arrival waits in an M/M/c queue with offered load a = lambda/mu.
double erlang_c(int c, double a) {
  double term = 1, sum = 0;  // a^k / k!
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double last = term * c / (c - a);  // a^c / c! * c / (c - a)
  return last / (sum + last);
}

// The quickstart's world with a fleet block appended.
std::string service(const std::string& fleet) {
  return "name: service\nseed: 5\nmax_steps: 30\n"
         "agents:\n"
         "  approx: {model: gpt-4o-mini, style: direct, input_tokens: {base: 700, per_step: 45}, output_tokens: {mean: 14, sigma: 0.3}}\n"
         "  target: {model: gpt-4o, style: react, input_tokens: {base: 900, per_step: 60},\n"
         "           output_tokens: [{mean: 110, sigma: 0.4}, {mean: 14, sigma: 0.3}]}\n"
         "workload: {kind: synthetic, steps: {kind: uniform, min: 4, max: 12}, match: {kind: per_task, alpha: 6, beta: 4}}\n"
         "policies: [sequential, {kind: fixed_k, k: [1, 3]}]\n"
         "fleet:\n" + fleet;
}

class Capture final : public sim::RunObserver {
 public:
  void on_episode(std::size_t lane, const sim::EpisodeRun& e) override { latency[lane].push_back(e.latency); }
  std::map<std::size_t, std::vector<sim::Time>> latency;
};

}  // namespace

// 1.6 million tasks per case: the mean wait's standard error is then about 0.7% (measured over
// seeds), so the 2% bound tests the queue, not the luck of the draws.
TEST_CASE("M/M/c: the mean wait matches Erlang C within 2%", "[fleet]") {
  for (const auto& [rate, servers] : {std::pair{1.2, 2}, std::pair{2.4, 4}}) {
    const auto s = runner::parse_scenario(mmc_scenario(rate, servers, 100'000, 16), "mmc.yaml");
    const auto result = runner::run_fleet(s, {2, nullptr});
    const analysis::FleetRow& row = result.points.at(0).rows.at(0);
    const double expected = erlang_c(servers, rate) / (servers - rate);  // mu = 1
    INFO("lambda " << rate << ", c " << servers << ": simulated " << row.queue_delay_mean_s << " s, Erlang C " << expected << " s");
    CHECK(std::fabs(row.queue_delay_mean_s - expected) / expected < 0.02);
    CHECK(row.limits.at(0).in_flight_utilisation == Approx(rate / servers).epsilon(0.01));
    CHECK(row.little_error < 0.01);
  }
}

TEST_CASE("Little's law holds within 1% on fleet runs in steady state", "[fleet]") {
  const std::string fleets[] = {
      "  arrivals: {kind: poisson, rate_per_s: [0.3, 0.6]}\n  tasks: 3000\n  warmup_s: 300\n"
      "  limits: [{models: [gpt-4o], max_in_flight: 24, tokens_per_min: 2000000, priority: true}]\n",
      "  arrivals: {kind: closed, users: 12, think_s: 5}\n  duration_s: 30000\n  warmup_s: 600\n"
      "  limits: [{models: [gpt-4o], requests_per_min: 120, overload: reject, backoff_s: 0.5}]\n",
  };
  for (const auto& fleet : fleets) {
    const auto result = runner::run_fleet(runner::parse_scenario(service(fleet), "service.yaml"), {2, nullptr});
    for (const auto& point : result.points)
      for (const auto& row : point.rows) {
        INFO(fleet << row.label << " at " << point.load << ": L " << row.sessions_mean << ", lambda W "
                   << row.arrival_rate_per_s * row.latency_mean_s);
        CHECK(row.tasks > 500);
        CHECK(row.little_error < 0.01);
      }
  }
}

TEST_CASE("with limits that never bind, fleet latencies equal single-episode runs exactly", "[fleet]") {
  const auto s = runner::parse_scenario(
      service("  arrivals: {kind: poisson, rate_per_s: 2}\n  tasks: 300\n"
              "  limits: [{models: [gpt-4o, gpt-4o-mini], max_in_flight: 100000000, requests_per_min: 100000000}]\n") +
          "episodes: 300\n",
      "service.yaml");
  const auto fleet = runner::run_fleet(s, {1, nullptr});
  Capture single;
  REQUIRE(runner::run_experiment(s, {}, single));
  const auto& point = fleet.points.at(0);
  for (std::size_t lane = 0; lane < s.policies.size(); ++lane) {
    REQUIRE(point.tasks[lane].size() == 300);
    for (std::size_t i = 0; i < 300; ++i) {
      REQUIRE(point.tasks[lane][i].episode == static_cast<std::int64_t>(i));
      REQUIRE(point.tasks[lane][i].latency == single.latency[lane][i]);
      REQUIRE(point.tasks[lane][i].waited == sim::Time::zero());
    }
  }
  CHECK(point.rows[0].sessions_mean > 10);  // many sessions were in flight together
}

TEST_CASE("fleet results are the same bytes for any thread count", "[fleet]") {
  const auto s = runner::parse_scenario(
      service("  arrivals: {kind: poisson, rate_per_s: [0.5, 1.0]}\n  tasks: 400\n  warmup_s: 60\n  replications: 3\n"
              "  limits: [{models: [gpt-4o], max_in_flight: 16, tokens_per_min: 1000000, priority: true}]\n"),
      "service.yaml");
  const std::string one = analysis::fleet_json(runner::run_fleet(s, {1, nullptr})).dump();
  CHECK(analysis::fleet_json(runner::run_fleet(s, {3, nullptr})).dump() == one);
}

TEST_CASE("bad fleet blocks name file, line and field", "[fleet]") {
  using testing::input_error_of;
  const auto error = [](const std::string& fleet) {
    return input_error_of([&] { runner::parse_scenario(service(fleet), "service.yaml"); });
  };
  CHECK(error("  arrivals: {kind: poisson, rate_per_s: 1}\n") ==
        "service.yaml:11:3: fleet: give tasks or duration_s: when do arrivals stop?");
  CHECK(error("  arrivals: {kind: poisson, rate_per_s: 1}\n  tasks: 5\n  duration_s: 9\n") ==
        "service.yaml:11:3: fleet: give tasks or duration_s, not both");
  CHECK(error("  arrivals: {kind: poisson, rate_per_s: 1}\n  tasks: 5\n  limits: [{models: [gpt-4o], max_in_flight: 2, "
              "overload: reject, priority: true}]\n") ==
        "service.yaml:13:77: fleet.limits[0].priority: priority orders a queue: it needs overload: queue");
  CHECK(error("  arrivals: {kind: poisson, rate_per_s: 1}\n  tasks: 5\n  limits: [{models: [gpt-5x], max_in_flight: 2}]\n") ==
        "service.yaml:13:22: fleet.limits[0].models[0]: no agent of the scenario uses model 'gpt-5x'");

  testing::TempDir dir;
  const std::string times = (dir.path() / "arrivals.txt").string();
  std::ofstream(times) << "0.5\n1.0\n# a comment\n0.7\n";
  const std::string text = service("  arrivals: {kind: trace, file: arrivals.txt}\n");
  CHECK(input_error_of([&] { runner::parse_scenario(text, (dir.path() / "s.yaml").string()); }) ==
        times + ":4:1: arrival: arrival times must not decrease");
}

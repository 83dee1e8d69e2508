#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "sim/input_error.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"
#include "support/small_scenario.hpp"
#include "support/summary_rows.hpp"

using namespace specsim;
using testing::check_same;
using testing::row;

namespace {

const std::string kScenario = testing::small_scenario("cost-aware");

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A bundled scenario (whose policies list is its last key) with its cost-aware entries replaced
// by the given ones, on fewer episodes.
runner::Scenario with_cost_aware(const std::string& file, const std::string& entries, std::int64_t episodes) {
  std::string text = read(SPECSIM_SOURCE_DIR "/scenarios/" + file);
  std::string kept;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.find("cost_aware") == std::string::npos) kept += line + "\n";
  runner::Scenario s = runner::parse_scenario(kept + entries, file + " (cost-aware entries replaced)");
  s.episodes = episodes;
  return s;
}

const analysis::SummaryRow& fastest_fixed_k(const runner::RunOutcome& out) {
  const analysis::SummaryRow* fastest = nullptr;
  for (const auto& r : out.rows)
    if (r.name == "fixed_k" && (!fastest || r.latency_mean_s < fastest->latency_mean_s)) fastest = &r;
  REQUIRE(fastest);
  return *fastest;
}

}  // namespace

TEST_CASE("cost-aware at value 0 is sequential and at a huge value the fastest fixed k, exactly", "[cost_aware]") {
  for (const auto& [file, k_max] : {std::pair<std::string, int>{"quickstart.yaml", 4}, {"dsp-openagi-like.yaml", 6}}) {
    const std::string entries = "  - {kind: cost_aware, usd_per_s: [0, 1000000000], k_max: " + std::to_string(k_max) + "}\n";
    const runner::RunOutcome out = testing::run_on_two_threads(with_cost_aware(file, entries, 400));
    const auto& fastest = fastest_fixed_k(out);
    CHECK(fastest.label == "fixed_k(k=" + std::to_string(k_max) + ")");
    const std::string k = ",k_max=" + std::to_string(k_max) + ")";
    check_same(row(out, "cost_aware(usd_per_s=0" + k), row(out, "sequential"));
    check_same(row(out, "cost_aware(usd_per_s=1000000000" + k), fastest);
  }
}

// No fixed k and no DSP setting is both faster and cheaper than the cost-aware policy at any of
// a range of values of time, by more than 1% on each (one seed's noise): it lies on or beyond
// their Pareto front.
TEST_CASE("cost-aware lies on or beyond the Pareto front of fixed k and DSP", "[cost_aware]") {
  for (const auto& [file, k_max] : {std::pair<std::string, int>{"quickstart.yaml", 4}, {"dsp-openagi-like.yaml", 8}}) {
    const std::string entries = "  - {kind: cost_aware, k_max: " + std::to_string(k_max) +
                                ", usd_per_s: [0.005, 0.01, 0.02, 0.05]}\n";
    const runner::RunOutcome out = testing::run_on_two_threads(with_cost_aware(file, entries, 1500));
    int speculating = 0;
    for (const auto& c : out.rows) {
      if (c.name != "cost_aware") continue;
      speculating += c.mean_k > 1;
      for (const auto& r : out.rows) {
        if (r.name != "fixed_k" && r.name != "dsp") continue;
        INFO(file << ": " << c.label << " (" << c.latency_mean_s << " s, $" << c.cost_usd << ") against " << r.label << " ("
                  << r.latency_mean_s << " s, $" << r.cost_usd << ")");
        CHECK_FALSE((r.latency_mean_s < 0.99 * c.latency_mean_s && r.cost_usd < 0.99 * c.cost_usd));
      }
    }
    CHECK(speculating == 4);  // each value of time buys some speculation here
  }
}

TEST_CASE("the cost-aware knob defaults to the scenario objective's value of time", "[cost_aware]") {
  const std::string policies = "policies:\n  - cost_aware\n  - {kind: cost_aware, usd_per_s: [0, 0.02]}\n";
  const runner::Scenario s = runner::parse_scenario(std::string(kScenario) + "objective: {value_of_time_usd_per_s: 0.003}\n" + policies, "test");
  REQUIRE(s.policies.size() == 3);
  CHECK(s.policies[0].label == "cost_aware(objective)");
  CHECK(s.policies[0].needs_value_of_time);
  CHECK(s.policies[1].label == "cost_aware(usd_per_s=0)");
  CHECK(s.policies[2].label == "cost_aware(usd_per_s=0.02)");
  CHECK_FALSE(s.policies[2].needs_value_of_time);
  try {
    runner::parse_scenario(std::string(kScenario) + policies, "test");
    FAIL("a scenario without the objective's value of time was accepted");
  } catch (const sim::InputError& e) {
    CHECK_THAT(e.what(), Catch::Contains("cost_aware(objective)") && Catch::Contains("value_of_time_usd_per_s"));
  }
  CHECK_THROWS_AS(runner::parse_scenario(std::string(kScenario) + "policies:\n  - {kind: cost_aware, usd_per_s: -1}\n", "test"),
                  sim::InputError);
  CHECK_THROWS_AS(runner::parse_scenario(std::string(kScenario) + "policies:\n  - {kind: cost_aware, usd_per_s: 1, depth: 3}\n", "test"),
                  sim::InputError);
}

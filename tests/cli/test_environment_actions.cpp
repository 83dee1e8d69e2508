// Environment actions over whole runs: bad tool lists name their file, line and field; a run is
// the same on 1 and 2 threads; an instant free tool changes nothing else.
#include <catch2/catch.hpp>

#include "support/input_error.hpp"
#include "support/small_scenario.hpp"
#include "support/summary_rows.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;
using testing::check_same;
using testing::row;

namespace {

const std::string kPolicies = "policies:\n  - sequential\n  - {kind: fixed_k, k: 3}\n";

// The small world on 300 episodes, its steps calling the tools of `tools` (one flow list).
runner::Scenario scenario(const std::string& tools) {
  const std::string text = testing::small_scenario("env") + "  environment: {tools: " + tools + "}\n" + kPolicies;
  runner::Scenario s = runner::parse_scenario(text, "env.yaml");
  s.episodes = 300;
  return s;
}

runner::RunOutcome run(const runner::Scenario& s, int threads) {
  runner::RunOptions options;
  options.threads = threads;
  return runner::run_summary(s, options);
}

}  // namespace

TEST_CASE("a bad tool names its file, line and field", "[environment]") {
  using testing::input_error_of;
  CHECK(input_error_of([] {
          scenario("[{name: search, share: 0.5, latency: {kind: fixed, seconds: 1}, price: 0.1, side_effect_free: true}]");
        }) ==
        "env.yaml:10:88: workload.environment.tools[0].price: unknown key (expected one of: name, share, latency, "
        "price_usd, side_effect_free)");
  CHECK(input_error_of([] {
          scenario("[{name: search, share: 0.5, latency: {kind: fixed, seconds: -1}, side_effect_free: true}]");
        }) == "env.yaml:10:84: workload.environment.tools[0].latency.seconds: must be >= 0");
  CHECK(input_error_of([] {
          scenario("[{name: a, share: 0.7, latency: {kind: fixed, seconds: 1}, side_effect_free: true}, "
                   "{name: b, share: 0.4, latency: {kind: fixed, seconds: 1}, side_effect_free: false}]");
        }) == "env.yaml:10:125: workload.environment.tools[1].share: makes the tools' shares add up to more than 1");
  CHECK(input_error_of([] { scenario("[{name: a, share: 0.5, latency: {kind: fixed, seconds: 1}}]"); }) ==
        "env.yaml:10:25: workload.environment.tools[0].side_effect_free: missing required key");
}

TEST_CASE("the bundled environment scenario gives the same results on 1 and 2 threads", "[environment][determinism]") {
  runner::Scenario s = runner::load_scenario(SPECSIM_SOURCE_DIR "/scenarios/environment-actions.yaml");
  s.episodes = 300;
  const runner::RunOutcome one = run(s, 1), two = run(s, 2);
  REQUIRE(one.rows.size() == two.rows.size());
  for (std::size_t i = 0; i < one.rows.size(); ++i) {
    check_same(one.rows[i], two.rows[i]);
    CHECK(one.rows[i].latency_p95_s == two.rows[i].latency_p95_s);
  }
  // Its tools run ahead: every speculating policy is faster than sequential.
  for (std::size_t i = 1; i < one.rows.size(); ++i) CHECK(one.rows[i].speedup > 1.05);
}

// The tools draw from their own stream: a tool no step calls changes no figure, and an instant
// free tool on every step leaves sequential's calls and times as they were, to the last bit.
TEST_CASE("the environment moves no draw of the world", "[environment]") {
  runner::Scenario plain = runner::parse_scenario(testing::small_scenario("env") + kPolicies, "env.yaml");
  plain.episodes = 300;
  const runner::RunOutcome without = run(plain, 2);
  const runner::RunOutcome unused =
      run(scenario("[{name: never, share: 0, latency: {kind: fixed, seconds: 3}, price_usd: 1, side_effect_free: true}]"), 2);
  for (const char* label : {"sequential", "fixed_k(k=3)"}) check_same(row(unused, label), row(without, label));
  const runner::RunOutcome instant =
      run(scenario("[{name: noop, share: 1, latency: {kind: fixed, seconds: 0}, side_effect_free: false}]"), 2);
  check_same(row(instant, "sequential"), row(without, "sequential"));
}

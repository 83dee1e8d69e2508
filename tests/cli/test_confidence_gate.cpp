// Confidence gating over whole runs: its exact limits, and what a perfectly informative
// confidence buys.
#include <catch2/catch.hpp>

#include "sim/input_error.hpp"
#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"
#include "support/input_error.hpp"
#include "support/small_scenario.hpp"
#include "support/summary_rows.hpp"

using namespace specsim;
using testing::check_same;
using testing::row;

namespace {

// The small world on 300 episodes of 4 to 12 steps, with A's confidence drawn from `confidence`.
runner::Scenario scenario(const std::string& confidence, const std::string& policies) {
  std::string text = testing::small_scenario("gate") + "  confidence: " + confidence + "\npolicies:\n" + policies;
  runner::Scenario s = runner::parse_scenario(text, "gate.yaml");
  s.episodes = 300;
  return s;
}

const std::string kCalibrated = "{kind: beta, match: {alpha: 4, beta: 2}, mismatch: {alpha: 3, beta: 3}}";

}  // namespace

TEST_CASE("gate 0 is the ungated policy, a gate above every confidence is k = 1, exactly", "[gate]") {
  const runner::RunOutcome out = testing::run_on_two_threads(scenario(kCalibrated, R"(
  - {kind: fixed_k, k: 3}
  - {kind: fixed_k, k: 3, gate: {min_confidence: 0}}
  - {kind: fixed_k, k: 3, gate: {min_confidence: 1}}
  - {kind: fixed_k, k: 1}
  - {kind: dsp, tau: 0.7, prediction_latency_s: 0.1}
  - {kind: dsp, tau: 0.7, prediction_latency_s: 0.1, gate: {min_confidence: 0}}
  - {kind: cost_aware, usd_per_s: 0.01}
  - {kind: cost_aware, usd_per_s: 0.01, gate: {min_confidence: 0}}
)"));
  check_same(row(out, "fixed_k(k=3)+gate(min_confidence=0)"), row(out, "fixed_k(k=3)"));
  check_same(row(out, "fixed_k(k=3)+gate(min_confidence=1)"), row(out, "fixed_k(k=1)"));
  check_same(row(out, "dsp(tau=0.7)+gate(min_confidence=0)"), row(out, "dsp(tau=0.7)"));
  check_same(row(out, "cost_aware(usd_per_s=0.01)+gate(min_confidence=0)"), row(out, "cost_aware(usd_per_s=0.01)"));
  // The gated policy still reports the k its policy chose.
  CHECK(row(out, "fixed_k(k=3)+gate(min_confidence=1)").mean_k == 3);
}

// Right guesses certain, wrong ones not: the gate stops exactly at the wrong guesses, whose
// deeper steps were waste; the committed path, and so the latency, is the same.
TEST_CASE("a perfectly informative confidence cuts waste at the same latency", "[gate]") {
  const runner::RunOutcome out = testing::run_on_two_threads(scenario("{kind: beta, match: {alpha: 1000000, beta: 1}, mismatch: {alpha: 1, beta: 1000000}}", R"(
  - {kind: fixed_k, k: 4}
  - {kind: fixed_k, k: 4, gate: {min_confidence: 0.5}}
)"));
  const auto& free = row(out, "fixed_k(k=4)");
  const auto& gated = row(out, "fixed_k(k=4)+gate(min_confidence=0.5)");
  CHECK(gated.latency_mean_s == free.latency_mean_s);
  CHECK(gated.latency_p95_s == free.latency_p95_s);
  CHECK(gated.cost_usd < free.cost_usd);
  CHECK(gated.unnecessary_cost_usd < free.unnecessary_cost_usd);
  CHECK(free.cost_usd - gated.cost_usd == Approx(free.unnecessary_cost_usd - gated.unnecessary_cost_usd).epsilon(1e-9));
  CHECK(gated.speculation_cost_usd == Approx(free.speculation_cost_usd).epsilon(1e-12));
}

TEST_CASE("a confidence model moves no other draw of the world", "[gate]") {
  const std::string policies = "  - {kind: fixed_k, k: 3}\n";
  std::string text = testing::small_scenario("gate") + "policies:\n" + policies;
  runner::Scenario plain = runner::parse_scenario(text, "gate.yaml");
  plain.episodes = 300;
  const runner::RunOutcome with_confidence = testing::run_on_two_threads(scenario(kCalibrated, policies));
  check_same(row(with_confidence, "fixed_k(k=3)"), row(testing::run_on_two_threads(plain), "fixed_k(k=3)"));
}

TEST_CASE("a bad gate or confidence model names its file, line and field", "[gate]") {
  using testing::input_error_of;
  CHECK(input_error_of([] { scenario(kCalibrated, "  - {kind: fixed_k, k: 2, gate: {min_confidence: 1.5}}\n"); }) ==
        "gate.yaml:12:50: policies[0].gate.min_confidence: must be a probability in [0, 1]");
  CHECK(input_error_of([] { scenario(kCalibrated, "  - {kind: fixed_k, k: 2, gate: {threshold: 0.5}}\n"); }) ==
        "gate.yaml:12:34: policies[0].gate.threshold: unknown key (expected one of: min_confidence)");
  CHECK(input_error_of([] {
          scenario("{kind: beta, match: {alpha: 0, beta: 1}, mismatch: {alpha: 1, beta: 1}}", "  - {kind: fixed_k, k: 2}\n");
        }) == "gate.yaml:10:43: workload.confidence.match.alpha: must be in [0.001, 1000000], got 0");
}

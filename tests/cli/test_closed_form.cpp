#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

#include "tools/runner/experiment.hpp"
#include "tools/runner/scenario.hpp"

using namespace specsim;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void replace(std::string& text, const std::string& from, const std::string& to) {
  const auto at = text.rfind(from);  // the last: the file's comments quote the keys too
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
}

// The substituted scenario's summary rows: sequential, then the policy under test.
runner::RunOutcome run_two_rows(const std::string& text, const std::string& label, int threads = 2) {
  runner::RunOptions options;
  options.threads = threads;
  runner::RunOutcome out = runner::run_summary(runner::parse_scenario(text, label), options);
  REQUIRE(out.rows.size() == 2);
  return out;
}

}  // namespace

// shared/DESIGN.md §1: with i.i.d. matches p, constant latencies a <= t and fixed k, a round
// commits J = min(M + 1, k) steps, E[J] = (1 - p^k) / (1 - p), and lasts t + a (J - 1).
// Over long episodes the mean time per committed step is (t + a (E[J] - 1)) / E[J].
TEST_CASE("fixed-k agrees with the closed form within 1%", "[closed_form]") {
  const std::string base = read(SPECSIM_SOURCE_DIR "/scenarios/validation/iid-fixed.yaml");
  const double a = 1.0, t = 4.0;
  for (double p : {0.3, 0.6, 0.9}) {
    for (int k : {1, 2, 4, 8}) {
      std::string text = base;
      replace(text, "p: 0.6", "p: " + std::to_string(p));
      replace(text, "k: 3", "k: " + std::to_string(k));
      replace(text, "n: 20", "n: 2000");          // long episodes: edge effects below 0.1%
      replace(text, "episodes: 20000", "episodes: 60");
      const runner::RunOutcome out = run_two_rows(text, "iid-fixed (p, k substituted)");

      const double ej = (1 - std::pow(p, k)) / (1 - p);
      const double expected = (t + a * (ej - 1)) / ej;
      const double per_step = out.rows[1].latency_mean_s / out.rows[1].steps;
      INFO("p = " << p << ", k = " << k << ": simulated " << per_step << " s/step, closed form " << expected);
      CHECK(std::abs(per_step - expected) / expected < 0.01);
      CHECK(out.rows[0].latency_mean_s / out.rows[0].steps == Approx(t).epsilon(1e-12));
      // The speedup over sequential: E[J] / (1 + (a/t)(E[J] - 1)).
      CHECK(std::abs(out.rows[1].speedup - ej / (1 + a / t * (ej - 1))) / out.rows[1].speedup < 0.01);
    }
  }
}

// docs/DESIGN.md, "Top-K guesses": one step ahead (k = 2) with T's next step run under each of
// A's K candidates, a round commits 1 + p_K steps on average and lasts t + a p_K, where p_K is
// the probability that one of the K candidates is T's action.
TEST_CASE("top-K one step ahead agrees with the closed form within 1%", "[closed_form][top_k]") {
  const std::string base = read(SPECSIM_SOURCE_DIR "/scenarios/validation/iid-top-k.yaml");
  const double a = 1.0, t = 4.0, q = 0.3;
  for (double p : {0.2, 0.5}) {
    for (int k : {1, 2, 3, 5}) {
      std::string text = base;
      replace(text, "p: 0.4", "p: " + std::to_string(p));
      replace(text, "top_k: {candidates: 3, pricing", "top_k: {candidates: " + std::to_string(k) + ", pricing");
      replace(text, "top_k: {candidates: 3, catch", "top_k: {candidates: " + std::to_string(k) + ", catch");
      replace(text, "n: 20", "n: 2000");
      replace(text, "episodes: 2000", "episodes: 40");
      const runner::RunOutcome out = run_two_rows(text, "iid-top-k (p, K substituted)");

      const double pk = 1 - (1 - p) * std::pow(1 - q, k - 1);
      const double expected = (t + a * pk) / (1 + pk);
      const double per_step = out.rows[1].latency_mean_s / out.rows[1].steps;
      INFO("p = " << p << ", K = " << k << ": simulated " << per_step << " s/step, closed form " << expected);
      CHECK(std::abs(per_step - expected) / expected < 0.01);
      CHECK(std::abs(out.rows[1].speedup - (1 + pk) / (1 + a / t * pk)) / out.rows[1].speedup < 0.01);
    }
  }
}

// A top guess that always misses and a second candidate that always hits: every round runs T_0
// and A_0, then T_1 under both candidates; at t = 4 s T_0 is known, the leaf under the second
// candidate carries step 1 (the chain's T_1 is cancelled) and commits it at a + t = 5 s.
TEST_CASE("a leaf that holds T's action carries the round's last step", "[top_k]") {
  std::string text = read(SPECSIM_SOURCE_DIR "/scenarios/validation/iid-top-k.yaml");
  replace(text, "p: 0.4", "p: 0");
  replace(text, "top_k: {candidates: 3, pricing: one_call}", "top_k: {candidates: 2, pricing: one_call}");
  replace(text, "top_k: {candidates: 3, catch: 0.3}", "top_k: {candidates: 2, catch: 1}");
  replace(text, "episodes: 2000", "episodes: 4");
  const runner::RunOutcome one_call = run_two_rows(text, "top-k leaf", 1);
  const auto& r = one_call.rows[1];
  CHECK(r.latency_mean_s == Approx(50.0).epsilon(1e-12));  // 10 rounds of 5 s for 20 steps
  CHECK(r.speedup == Approx(80.0 / 50.0).epsilon(1e-12));
  CHECK(r.calls_target == Approx(30.0));    // T_0, the chain's T_1 and the leaf's, per round
  CHECK(r.calls_approx == Approx(20.0));    // A_0 and A_1 (done at 2 s, before T_0 is known)
  CHECK(r.calls_cancelled == Approx(10.0));  // the chain's T_1

  // K calls instead of one: A's prompts are paid twice (20 guesses of 500 tokens at $0.15/M).
  replace(text, "pricing: one_call", "pricing: per_candidate");
  const runner::RunOutcome per_candidate = run_two_rows(text, "top-k leaf", 1);
  CHECK(per_candidate.rows[1].latency_mean_s == Approx(50.0).epsilon(1e-12));
  CHECK(per_candidate.rows[1].cost_usd - r.cost_usd == Approx(20 * 500 * 0.15e-6).epsilon(1e-9));
}

// docs/DESIGN.md, "Environment actions": with k = 1 and a side-effect-free tool of e seconds on
// every step but the last, a step takes max(t, a + e) when A's guess is right (its tool ran
// ahead) and t + e when it is wrong; the last step takes t. A tool with side effects never runs
// ahead: every step takes t + e, as sequential.
TEST_CASE("environment actions one step ahead agree with the closed form within 1%", "[closed_form][environment]") {
  const std::string base = read(SPECSIM_SOURCE_DIR "/scenarios/validation/iid-environment.yaml");
  const double a = 1.0, t = 4.0, n = 20;
  for (double p : {0.3, 0.6, 0.9}) {
    for (double e : {2.0, 5.0}) {
      std::string text = base;
      replace(text, "p: 0.6", "p: " + std::to_string(p));
      replace(text, "seconds: 2", "seconds: " + std::to_string(e));
      const runner::RunOutcome ahead = run_two_rows(text, "iid-environment (p, e substituted)");
      const double sequential = (n - 1) * (t + e) + t;
      const double expected = (n - 1) * (p * std::max(t, a + e) + (1 - p) * (t + e)) + t;
      INFO("p = " << p << ", e = " << e << ": simulated " << ahead.rows[1].latency_mean_s << " s, closed form "
                  << expected);
      CHECK(ahead.rows[0].latency_mean_s == Approx(sequential).epsilon(1e-12));
      CHECK(std::abs(ahead.rows[1].latency_mean_s - expected) / expected < 0.01);
      CHECK(std::abs(ahead.rows[1].speedup - sequential / expected) / ahead.rows[1].speedup < 0.01);

      replace(text, "side_effect_free: true", "side_effect_free: false");
      const runner::RunOutcome committed_only = run_two_rows(text, "iid-environment (side effects)");
      CHECK(committed_only.rows[1].latency_mean_s == Approx(sequential).epsilon(1e-12));
    }
  }
}

#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "policies/cost_aware.hpp"
#include "policies/speculation_value.hpp"

using namespace specsim;
using policies::StepEconomics;

namespace {

StepEconomics economics(double p, double a, double t, double approx_usd, double wasted_target_usd) {
  return StepEconomics{p, a, t, approx_usd, wasted_target_usd};
}

sim::RoundOutcome round_of(int k, int matched, bool mismatch) {
  sim::RoundOutcome o;
  o.k = k;
  o.matched = matched;
  o.committed = mismatch ? matched + 1 : matched;
  o.mismatch = mismatch;
  return o;
}
}  // namespace

TEST_CASE("a round's expected steps and saving follow DESIGN's closed form", "[cost_aware]") {
  for (double p : {0.0, 0.3, 0.8}) {
    for (int k : {1, 2, 5}) {
      const auto v = policies::depth_value(economics(p, 1, 4, 0, 0), k);
      const double ej = p == 0 ? 1 : (1 - std::pow(p, k)) / (1 - p);
      CHECK(v.committed_steps == Approx(ej).epsilon(1e-12));
      CHECK(v.seconds_saved == Approx((ej - 1) * 3).margin(1e-12));
    }
  }
}

TEST_CASE("a round's extra cost counts the steps started before a mismatch is known", "[cost_aware]") {
  const double p = 0.6;
  // A as slow as T: a mismatch is known before A's next guess, so A starts exactly the steps the
  // round commits and no T step goes to waste.
  const auto slow = policies::depth_value(economics(p, 4, 4, 0.001, 0.01), 3);
  CHECK(slow.extra_usd == Approx(0.001 * slow.committed_steps).epsilon(1e-12));
  // A far faster than T: every round starts all k steps of both agents.
  const auto fast = policies::depth_value(economics(p, 0.1, 4, 0.001, 0.01), 3);
  CHECK(fast.extra_usd == Approx(3 * 0.001 + (3 - fast.committed_steps) * 0.01).epsilon(1e-12));
  // In between (t / a = 2): at m = 0, two steps start; at m >= 1 all three.
  const auto mid = policies::depth_value(economics(p, 2, 4, 0.001, 0.01), 3);
  const double expected = (1 - p) * (2 * 0.001 + 1 * 0.01) + p * (1 - p) * (3 * 0.001 + 1 * 0.01) + p * p * (3 * 0.001);
  CHECK(mid.extra_usd == Approx(expected).epsilon(1e-12));
}

TEST_CASE("the best depth goes from none at no value of time to k_max at a huge one", "[cost_aware]") {
  const StepEconomics e = economics(0.6, 1, 4, 0.0005, 0.004);
  CHECK(policies::best_depth(e, 0, 8) == 0);
  CHECK(policies::best_depth(e, 1e9, 8) == 8);
  int last = 0;
  for (double v : {1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 1e-1, 1.0}) {
    const int k = policies::best_depth(e, v, 8);
    CHECK(k >= last);
    CHECK(k != 1);  // depth 1 saves nothing and costs A's guess
    last = k;
  }
  CHECK(last == 8);
  // Hand-computed at k = 2 against k = 0: E[J] = 1.6, 1.8 s saved, extra 2 x 0.0005 + 0.4 x 0.004:
  // worth it above 0.0026 / 1.8 $/s, unless a deeper round is worth more.
  const StepEconomics shallow = economics(0.6, 1, 4, 0.0005, 0.004);
  CHECK(policies::best_depth(shallow, 0.0026 / 1.8 * 0.99, 2) == 0);
  CHECK(policies::best_depth(shallow, 0.0026 / 1.8 * 1.01, 2) == 2);
  // T no slower than A: speculation cannot save time at any value.
  CHECK(policies::best_depth(economics(0.9, 4, 4, 0.0005, 0.004), 1e9, 8) == 0);
}

TEST_CASE("the cost-aware policy learns p, latencies and prices from its rounds", "[cost_aware]") {
  policies::CostAwareConfig c;
  c.usd_per_s = 0.01;
  c.k_max = 6;
  policies::CostAware policy(c, policies::PolicyEnv{});
  sim::RoundContext context;
  CHECK(policy.choose_k(context).k == 6);  // nothing seen yet: it explores at k_max

  sim::RoundOutcome first = round_of(6, 2, true);
  auto& approx = first.agents[sim::index(sim::Agent::approx)];
  approx.steps = 6;
  approx.finished_steps = 4;
  approx.finished_time = sim::Time::from_seconds(4.0);
  approx.cost_usd = 0.006;
  auto& target = first.agents[sim::index(sim::Agent::target)];
  target.steps = 6;
  target.finished_steps = 3;
  target.finished_time = sim::Time::from_seconds(15.0);
  target.cost_usd = 0.09;
  target.wasted_steps = 3;
  target.wasted_cost_usd = 0.015;
  policy.on_round_end(first);
  policy.on_round_end(round_of(6, 6, false));  // no calls tallied: only its guesses count

  const StepEconomics e = policy.economics(context);
  CHECK(e.match_probability > 0.5);  // 8 of its 9 guesses matched
  CHECK(e.approx_s == Approx(1.0).epsilon(1e-12));
  CHECK(e.target_s == Approx(5.0).epsilon(1e-12));
  CHECK(e.approx_usd == Approx(0.001).epsilon(1e-12));
  CHECK(e.wasted_target_usd == Approx(0.005).epsilon(1e-12));
  const int k = policy.choose_k(context).k;
  CHECK(k == policies::best_depth(e, 0.01, 6));
  // A failed round teaches nothing.
  sim::RoundOutcome failed = round_of(6, 0, true);
  failed.failed = true;
  policy.on_round_end(failed);
  CHECK(policy.economics(context).match_probability == e.match_probability);
  // Mismatches lower the estimate, and with it the depth.
  for (int i = 0; i < 200; ++i) policy.on_round_end(round_of(6, 0, true));
  CHECK(policy.economics(context).match_probability < 0.2);
  CHECK(policy.choose_k(context).k < k);
}

TEST_CASE("at a value of time of 0 the cost-aware policy never speculates", "[cost_aware]") {
  policies::CostAwareConfig c;
  c.usd_per_s = 0;
  policies::CostAware policy(c, policies::PolicyEnv{});
  CHECK(policy.choose_k(sim::RoundContext{}).k == 0);
  CHECK_THROWS_AS(policies::CostAware(policies::CostAwareConfig{}, policies::PolicyEnv{}), std::invalid_argument);
}

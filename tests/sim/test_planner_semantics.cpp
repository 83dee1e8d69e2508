// The three semantic options of sim/semantics.hpp, each on a hand-worked timeline: DSP's
// behaviour (the default) beside the alternative.
#include <catch2/catch.hpp>

#include "analysis/episode_metrics.hpp"
#include "support/call_timeline.hpp"
#include "support/input_error.hpp"
#include "support/scripted_world.hpp"

using namespace specsim;
using sim::Agent;
using sim::CallStatus;
using testing::agents_a1_t4;
using testing::fixed_agent;
using testing::World;

namespace {

sim::PlannerConfig with(sim::Semantics semantics) {
  sim::PlannerConfig c;
  c.semantics = semantics;
  return c;
}

// These timelines fix only when each call ran and how it ended.
struct Expect {
  Agent agent;
  int step, pos;
  double started, ended;
  CallStatus status;

  void check(const sim::CallRecord& c) const { testing::check_call_core(c, agent, step, pos, started, ended, status); }
};
constexpr auto check_calls = testing::check_calls<Expect>;

// k = 4, matches [yes, no, yes]; on the committed path T_0 takes 6.5 s and T_1 2.5 s (the rest:
// A 1 s, T 4 s). T_1 returns at 3.5, before T_0, and disagrees with A's guess for step 1.
World out_of_order_world(sim::Semantics semantics) {
  World w(agents_a1_t4(), {1, 0, 1}, std::make_unique<policies::FixedK>(4), with(semantics));
  w.workload.edit = [](models::EpisodeScript& s) {
    s.target[static_cast<std::size_t>(s.first_target[0])].latency = sim::Time::from_seconds(6.5);
    s.target[static_cast<std::size_t>(s.first_target[1])].latency = sim::Time::from_seconds(2.5);
  };
  return w;
}

}  // namespace

// t=0 T0, A0; t=1 T1, A1; t=2 T2, A2 (off the path); t=3 T3, A3. At 3.5 T1 disagrees: eager
// cancellation stops T2, T3 and A3 at once. The round still closes when T0 is verified (6.5)
// and commits steps 0 and 1; round 1 runs step 2 in [6.5, 10.5].
TEST_CASE("eager cancellation: a mismatch known out of order cancels every later call at once", "[planner][semantics]") {
  World w = out_of_order_world({});
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  const auto F = CallStatus::finished;
  const auto X = CallStatus::cancelled;
  check_calls(run, {
      {Agent::target, 0, 0, 0, 6.5, F}, {Agent::approx, 0, 0, 0, 1, F},
      {Agent::target, 1, 1, 1, 3.5, F}, {Agent::approx, 1, 1, 1, 2, F},
      {Agent::target, 2, 2, 2, 3.5, X}, {Agent::approx, 2, 2, 2, 3, F},
      {Agent::target, 3, 3, 3, 3.5, X}, {Agent::approx, 3, 3, 3, 3.5, X},
      {Agent::target, 2, 0, 6.5, 10.5, F}, {Agent::approx, 2, 0, 6.5, 7.5, F},
  });
  REQUIRE(run.rounds.size() == 2);
  CHECK(run.rounds[0].end.seconds() == 6.5);
  CHECK(run.rounds[0].committed == 2);
  CHECK(run.rounds[0].mismatch);
  CHECK(run.latency.seconds() == 10.5);
  // Eager cancellation asks for verdicts out of order, also past the plan's end (a guess after
  // its last step): there T has no step, and nothing agrees.
  CHECK_FALSE(w.backend.agree(3, 0, 0));
  CHECK_FALSE(w.backend.agree(1000, 0, 0));
}

// The same world, cancelling in order: T2 finishes at 6, A3 at 4 (k = 4: no A4), and only T3 is
// cancelled, at 6.5. Same latency; T2's and A3's output is paid: 30 + 20 tokens at $2 per 1M.
TEST_CASE("in-order cancellation waits for verification, it costs the late calls' output", "[planner][semantics]") {
  World w = out_of_order_world({sim::CancelRule::in_order});
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  const auto F = CallStatus::finished;
  const auto X = CallStatus::cancelled;
  check_calls(run, {
      {Agent::target, 0, 0, 0, 6.5, F}, {Agent::approx, 0, 0, 0, 1, F},
      {Agent::target, 1, 1, 1, 3.5, F}, {Agent::approx, 1, 1, 1, 2, F},
      {Agent::target, 2, 2, 2, 6, F},   {Agent::approx, 2, 2, 2, 3, F},
      {Agent::target, 3, 3, 3, 6.5, X}, {Agent::approx, 3, 3, 3, 4, F},
      {Agent::target, 2, 0, 6.5, 10.5, F}, {Agent::approx, 2, 0, 6.5, 7.5, F},
  });
  CHECK(run.latency.seconds() == 10.5);
  const double in_order = analysis::measure_episode(run, w.agents, models::Billing::input_only).cost_usd;
  World e = out_of_order_world({});
  const double eager = analysis::measure_episode(e.planner.run_episode(0), e.agents, models::Billing::input_only).cost_usd;
  CHECK(in_order - eager == Approx((30 + 20) * 2.0 * 1e-6).epsilon(1e-9));
}

// k = 3, matches [yes, no, yes], A guesses terminate for step 1 (wrongly). DSP stops the round's
// speculation there: T1 returns at 5 and disagrees, round 1 runs step 2 in [5, 9]. Stopping only
// on a right guess starts T2 and A2 at 2 (T2 cancelled at 5): two calls more, same latency.
TEST_CASE("a terminate guess stops speculation right or wrong, only_if_right goes on", "[planner][semantics]") {
  const auto wrong_terminate = [](models::EpisodeScript& s) { s.guess_terminal = {0, 1, 0}; };
  World stops(agents_a1_t4(), {1, 0, 1}, std::make_unique<policies::FixedK>(3));
  stops.workload.edit = wrong_terminate;
  const sim::EpisodeRun& a = stops.planner.run_episode(0);
  CHECK(a.calls.size() == 6);
  CHECK(a.latency.seconds() == 9);
  REQUIRE(a.rounds.size() == 2);
  CHECK(a.rounds[0].end.seconds() == 5);

  World right(agents_a1_t4(), {1, 0, 1}, std::make_unique<policies::FixedK>(3),
              with({sim::CancelRule::eager, sim::TerminateGuess::only_if_right}));
  right.workload.edit = wrong_terminate;
  const sim::EpisodeRun& b = right.planner.run_episode(0);
  REQUIRE(b.calls.size() == 8);
  CHECK(b.calls[4].step == 2);
  CHECK(b.calls[4].started.seconds() == 2);
  CHECK(b.calls[4].status == CallStatus::cancelled);
  CHECK(b.latency.seconds() == 9);
}

// A's step-0 call took 3 attempts (input 100 tokens each): billed each, the prompt is paid 3
// times; folded, once. Latency is the recorded one either way.
TEST_CASE("every attempt of a retried call pays its prompt, fold bills one", "[planner][semantics]") {
  const auto retried = [](models::EpisodeScript& s) { s.approx[0].attempts = 3; };
  World each(agents_a1_t4(), {1, 1}, std::make_unique<policies::FixedK>(2));
  each.workload.edit = retried;
  const sim::EpisodeRun& a = each.planner.run_episode(0);
  CHECK(a.calls[1].attempts == 3);
  CHECK(models::billed_tokens(a.calls[1], models::Billing::input_only).input == 300);
  const double each_cost = analysis::measure_episode(a, each.agents, models::Billing::input_only).cost_usd;

  World fold(agents_a1_t4(), {1, 1}, std::make_unique<policies::FixedK>(2),
             with({sim::CancelRule::eager, sim::TerminateGuess::stops, sim::RetryBilling::fold}));
  fold.workload.edit = retried;
  const sim::EpisodeRun& b = fold.planner.run_episode(0);
  CHECK(b.calls[1].attempts == 1);
  CHECK(b.latency == a.latency);
  const double fold_cost = analysis::measure_episode(b, fold.agents, models::Billing::input_only).cost_usd;
  CHECK(each_cost - fold_cost == Approx(200 * 1.0 * 1e-6).epsilon(1e-9));
}

TEST_CASE("the semantics decode from a scenario's planner block, DSP's by default", "[planner][semantics]") {
  const auto decode = [](const std::string& text) {
    return sim::decode_semantics(sim::ConfigNode::load_string(text, "s.yaml"));
  };
  const sim::Semantics d = decode("{}");
  CHECK(sim::describe(d) == "cancel=eager terminate_guess=stops retries=bill_each");
  CHECK(sim::describe(decode("{cancel: in_order, terminate_guess: only_if_right, retries: fold}")) ==
        "cancel=in_order terminate_guess=only_if_right retries=fold");
  using Catch::Matchers::Contains;
  CHECK_THAT(testing::input_error_of([&] { decode("{cancel: lazy}"); }),
             Contains("s.yaml:1:") && Contains("unknown cancel rule 'lazy' (expected one of: eager, in_order)"));
  CHECK_THAT(testing::input_error_of([&] { decode("{cancle: eager}"); }), Contains("cancle"));
}

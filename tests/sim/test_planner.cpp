#include <catch2/catch.hpp>

#include "analysis/episode_metrics.hpp"
#include "support/call_timeline.hpp"
#include "support/scripted_world.hpp"

using namespace specsim;
using sim::Agent;
using sim::CallRole;
using sim::CallStatus;
using testing::agents_a1_t4;
using testing::fixed_agent;
using testing::World;

using Expect = testing::ExpectedCall;
using testing::check_calls;

// k = 3, a = 1 s, t = 4 s. Round 0 guesses steps 0..2: step 0 matches, step 1 does not, so T's
// step 1 is committed at t = 5 and T_2 (conditioned on the wrong guess) is cancelled. Round 1
// guesses steps 2..4, all match; step 4 ends the task at t = 11.
TEST_CASE("k = 3 with matches [yes, no] then [yes, yes, yes]: the exact timeline", "[planner]") {
  World w(agents_a1_t4(), {1, 0, 1, 1, 1}, std::make_unique<policies::FixedK>(3));
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  const auto F = CallStatus::finished;
  const auto X = CallStatus::cancelled;
  check_calls(run, {
      {Agent::target, 0, 0, 0, 0, 0, 4, F, CallRole::committed, true},
      {Agent::approx, 0, 0, 0, 0, 0, 1, F, CallRole::speculation, true},
      {Agent::target, 1, 1, 0, 1, 1, 5, F, CallRole::committed, true},
      {Agent::approx, 1, 1, 0, 1, 1, 2, F, CallRole::wasted, true},     // the wrong guess
      {Agent::target, 2, 2, 0, 2, 2, 5, X, CallRole::wasted, false},    // cancelled at the mismatch
      {Agent::approx, 2, 2, 0, 2, 2, 3, F, CallRole::wasted, false},    // guessed after a wrong guess
      {Agent::target, 2, 0, 1, 5, 5, 9, F, CallRole::committed, true},
      {Agent::approx, 2, 0, 1, 5, 5, 6, F, CallRole::speculation, true},
      {Agent::target, 3, 1, 1, 6, 6, 10, F, CallRole::committed, true},
      {Agent::approx, 3, 1, 1, 6, 6, 7, F, CallRole::speculation, true},
      {Agent::target, 4, 2, 1, 7, 7, 11, F, CallRole::committed, true},
      {Agent::approx, 4, 2, 1, 7, 7, 8, F, CallRole::speculation, true},
  });
  CHECK(run.steps == 5);
  CHECK(run.terminated);
  CHECK(run.latency.seconds() == 11);
  REQUIRE(run.rounds.size() == 2);
  CHECK(run.rounds[0].committed == 2);
  CHECK(run.rounds[0].mismatch);
  CHECK(run.rounds[1].committed == 3);
  CHECK_FALSE(run.rounds[1].mismatch);
  CHECK(run.concurrency_peak == 4);  // t in [2, 3): T0, T1, T2 and A2

  // Billed tokens of the cancelled T_2 (input 200 + 10 * 2, 30 output; cancelled 3 s into 4 s).
  const sim::CallRecord& cancelled = run.calls[4];
  CHECK(models::billed_tokens(cancelled, models::Billing::input_only).input == 220);
  CHECK(models::billed_tokens(cancelled, models::Billing::input_only).output == 0);
  CHECK(models::billed_tokens(cancelled, models::Billing::full).output == 30);
  CHECK(models::billed_tokens(cancelled, models::Billing::prorated).output == 22);  // floor(30 * 3/4)
  CHECK(models::billed_tokens(cancelled, models::Billing::none).input == 0);

  // Cost: prices $1, $2 per 1M input/output tokens for both agents.
  const auto m = analysis::measure_episode(run, w.agents, models::Billing::input_only);
  // Finished calls: T inputs 200,210,220,230,240 = 1100 (30 out each); A inputs 100,110,120,120,130,140
  // (20 out each); the cancelled T input 220.
  const double expected_cost = ((1100 + 220) * 1.0 + 5 * 30 * 2.0 + 720 * 1.0 + 6 * 20 * 2.0) * 1e-6;
  CHECK(m.cost_usd == Approx(expected_cost).epsilon(1e-12));
  // Wasted: A's wrong guess (110 + 40), A_2 off path (120 + 40), cancelled T_2 (220).
  CHECK(m.unnecessary_cost_usd == Approx((150 + 160 + 220) * 1e-6).epsilon(1e-12));
  CHECK(m.speculation_cost_usd == Approx((140 + 160 + 170 + 180) * 1e-6).epsilon(1e-12));
  CHECK(m.calls_cancelled == 1);
}

TEST_CASE("sequential runs the target alone, one step after another", "[planner]") {
  World w(agents_a1_t4(2), {1, 0, 1}, std::make_unique<policies::Sequential>());
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  REQUIRE(run.calls.size() == 6);  // 3 steps x (thought, action)
  for (std::size_t i = 0; i < run.calls.size(); ++i) {
    CHECK(run.calls[i].agent == Agent::target);
    CHECK(run.calls[i].started.seconds() == 2.0 * static_cast<double>(i));
    CHECK(run.calls[i].call_index == static_cast<int>(i % 2));
    CHECK(run.calls[i].role == CallRole::committed);
  }
  // The action call reads the thought: input 200 + 10 s + 30.
  CHECK(run.calls[1].tokens.input == 230);
  CHECK(run.latency.seconds() == 12);
  CHECK(run.concurrency_mean == 1.0);
}

TEST_CASE("k = 1 has the sequential latency and pays for A's guesses", "[planner]") {
  World w(agents_a1_t4(), {1, 0, 1, 0}, std::make_unique<policies::FixedK>(1));
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  CHECK(run.latency.seconds() == 16);
  CHECK(run.calls.size() == 8);
  CHECK(run.rounds.size() == 4);
}

TEST_CASE("max_steps ends the episode and cancels what is in flight", "[planner]") {
  sim::PlannerConfig config;
  config.max_steps = 2;
  World w(agents_a1_t4(), {1, 1, 1, 1, 1}, std::make_unique<policies::FixedK>(4), config);
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  CHECK(run.steps == 2);
  CHECK_FALSE(run.terminated);
  // k is capped at the 2 steps left: T0 [0,4], A0 [0,1], T1 [1,5], A1 [1,2].
  CHECK(run.calls.size() == 4);
  CHECK(run.latency.seconds() == 5);
}

TEST_CASE("a concurrency limit queues calls in FIFO order and queueing counts as latency", "[planner]") {
  sim::PlannerConfig config;
  config.pool_of_agent = {0, 0};  // A and T share one model with 2 slots
  config.pool_capacity = {2};
  World w(agents_a1_t4(), {1, 1, 1}, std::make_unique<policies::FixedK>(3), config);
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  // t=0: T0, A0 run. t=1: A0 done -> T1 runs, A1 queued. t=4: T0 done -> A1 runs [4,5].
  // t=5: T1 done, A1 done -> step 0, 1 verified; T2 and A2 start [5,9] and [5,6]. t=9: step 2.
  REQUIRE(run.calls.size() == 6);
  CHECK(run.calls[3].agent == Agent::approx);
  CHECK(run.calls[3].requested.seconds() == 1);
  CHECK(run.calls[3].started.seconds() == 4);
  CHECK(run.concurrency_peak == 2);
  CHECK(run.latency.seconds() == 9);
}

TEST_CASE("a guessed terminate stops speculation", "[planner]") {
  World w(agents_a1_t4(), {1, 1}, std::make_unique<policies::FixedK>(5));
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  // A guesses steps 0 and 1; step 1 is the terminate action, so no third guess is made.
  CHECK(run.calls.size() == 4);
  CHECK(run.latency.seconds() == 5);
}

namespace {

// A policy with a fixed k whose prediction takes `delay` seconds, with or without overlap.
struct SlowPredictor final : policies::Policy {
  int k;
  double delay;
  bool overlap;
  SlowPredictor(int k_, double delay_, bool overlap_) : k(k_), delay(delay_), overlap(overlap_) {}
  policies::Decision choose_k(const policies::RoundContext&) override {
    return {k, sim::Time::from_seconds(delay), overlap};
  }
};

}  // namespace

// k = 3, prediction 2.5 s, all guesses match, 3 steps. A_0 and T_0 start at once; A_1 and T_1
// wait for the prediction (as in DSP): they start at 2.5, not at 1.
TEST_CASE("speculative calls wait for the round's prediction", "[planner]") {
  World w(agents_a1_t4(), {1, 1, 1}, std::make_unique<SlowPredictor>(3, 2.5, false));
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  REQUIRE(run.calls.size() == 6);
  CHECK(run.calls[0].started.seconds() == 0);    // T_0
  CHECK(run.calls[1].started.seconds() == 0);    // A_0
  CHECK(run.calls[2].started.seconds() == 2.5);  // T_1
  CHECK(run.calls[3].started.seconds() == 2.5);  // A_1
  CHECK(run.calls[4].started.seconds() == 3.5);  // T_2, after A_1's guess
  CHECK(run.latency.seconds() == 7.5);
}

// With overlap the round speculates with the previous round's k while the prediction is made.
// Round 0 has no previous round (k 1 until the prediction), so the effect shows in round 1.
TEST_CASE("with overlap, speculation starts with the previous k before the prediction", "[planner]") {
  // Steps: 0 matches, 1 misses (round 0 ends at t = 6.5 committing 2), then 2, 3, 4 match.
  World w(agents_a1_t4(), {1, 0, 1, 1, 1}, std::make_unique<SlowPredictor>(3, 2.5, true));
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  REQUIRE(run.rounds.size() == 2);
  CHECK(run.rounds[0].end.seconds() == 6.5);
  // Round 1 starts at 6.5 with previous k = 3: A_1 starts when A_0 returns (7.5), before the
  // prediction lands (9).
  const auto& a1 = *std::find_if(run.calls.begin(), run.calls.end(),
                                 [](const auto& c) { return c.round == 1 && c.agent == Agent::approx && c.pos == 1; });
  CHECK(a1.started.seconds() == 7.5);
  CHECK(run.latency.seconds() == 6.5 + 4 + 2);
}

namespace {

// The simulated world, seen through a backend that records what each call was conditioned on
// and, optionally, reports one call as failed after its retries.
class Probe final : public sim::Backend, public sim::CallSink {
 public:
  Probe(sim::Backend& inner, std::uint32_t fail_call) : inner_(inner), fail_call_(fail_call) {}
  struct Seen {
    std::vector<std::uint32_t> prefix, guesses;
    std::uint32_t previous;
  };
  std::vector<Seen> seen;

  void begin_episode(const sim::EpisodeTask& t, sim::CallSink& sink) override {
    sink_ = &sink;
    inner_.begin_episode(t, *this);
  }
  void start_call(std::uint32_t call, const sim::CallRequest& r) override {
    seen.resize(std::max<std::size_t>(seen.size(), call + 1));
    seen[call] = {{r.prefix.begin(), r.prefix.end()}, {r.guesses.begin(), r.guesses.end()}, r.previous};
    inner_.start_call(call, r);
  }
  sim::CallTokens cancel_call(std::uint32_t call) override { return inner_.cancel_call(call); }
  void on_call_finished(std::uint32_t call, const sim::CallOutcome& outcome) override {
    sim::CallOutcome o = outcome;
    if (call == fail_call_) o.error = "HTTP 503 after 4 attempts";
    sink_->on_call_finished(call, o);
  }
  bool agree(int s, std::uint32_t t, std::uint32_t a) const override { return inner_.agree(s, t, a); }
  bool is_terminal(int s, std::uint32_t t) const override { return inner_.is_terminal(s, t); }
  bool guess_is_terminal(int s, std::uint32_t a) const override { return inner_.guess_is_terminal(s, a); }

 private:
  sim::Backend& inner_;
  std::uint32_t fail_call_;
  sim::CallSink* sink_ = nullptr;
};

}  // namespace

// The k = 3 timeline of the first test: each call names the committed steps and the guesses it
// is conditioned on, so a live backend can build its prompt.
TEST_CASE("every call is told the committed prefix and the guesses it is conditioned on", "[planner]") {
  World w(agents_a1_t4(2), {1, 0, 1, 1, 1}, std::make_unique<policies::FixedK>(3));
  Probe probe(w.backend, sim::kNoCall);
  sim::Planner planner({}, w.clock, probe, *w.policy, &w.backend, nullptr);
  const sim::EpisodeRun& run = planner.run_episode(0);
  REQUIRE(run.steps == 5);
  // Call ids in order: T0 thought 0, A0 1, T1 thought 2 (after A0 at 1 s), A1 3, ...
  using V = std::vector<std::uint32_t>;
  CHECK(probe.seen[0].prefix.empty());
  CHECK(probe.seen[0].guesses.empty());
  CHECK(probe.seen[0].previous == sim::kNoCall);
  CHECK(run.calls[2].pos == 1);
  CHECK(probe.seen[2].guesses == V{1});  // T_1 reads A's guess of step 0
  CHECK(probe.seen[3].guesses == V{1});  // A_1 too
  // The second call of T_0 (its action) follows its thought.
  for (std::size_t i = 0; i < run.calls.size(); ++i) {
    INFO("call " << i);
    const auto& c = run.calls[i];
    if (c.agent == Agent::target && c.call_index == 1) {
      REQUIRE(probe.seen[i].previous < run.calls.size());
      const auto& thought = run.calls[probe.seen[i].previous];
      CHECK((thought.agent == Agent::target && thought.call_index == 0 && thought.round == c.round && thought.pos == c.pos));
    }
    // The prefix is the round's committed steps, each by T's action (its second call).
    const auto start = static_cast<std::size_t>(run.rounds[static_cast<std::size_t>(c.round)].start_step);
    REQUIRE(probe.seen[i].prefix.size() == start);
    for (std::size_t s = 0; s < start; ++s) {
      const auto& committed = run.calls[probe.seen[i].prefix[s]];
      CHECK(committed.step == static_cast<int>(s));
      CHECK(committed.call_index == 1);
      CHECK(committed.role == CallRole::committed);
    }
    // The guesses are A's calls for the round's earlier positions, in order.
    REQUIRE(probe.seen[i].guesses.size() == static_cast<std::size_t>(c.pos));
    for (int j = 0; j < c.pos; ++j) {
      const auto& guess = run.calls[probe.seen[i].guesses[static_cast<std::size_t>(j)]];
      CHECK((guess.agent == Agent::approx && guess.round == c.round && guess.pos == j));
    }
  }
  CHECK(run.rounds.size() == 2);
  CHECK(run.rounds[1].start_step == 2);
}

TEST_CASE("a call that fails after its retries ends the episode with its error", "[planner]") {
  World w(agents_a1_t4(), {1, 1, 1, 1, 1}, std::make_unique<policies::FixedK>(2));
  // Calls: T0 0, A0 1, T1 2, A1 3 (round 0 commits steps 0, 1 at 5 s), T2 4, A2 5, T3 6, A3 7.
  Probe probe(w.backend, 6);
  sim::Planner planner({}, w.clock, probe, *w.policy, &w.backend, nullptr);
  const sim::EpisodeRun& run = planner.run_episode(0);
  CHECK(run.error == "HTTP 503 after 4 attempts");
  CHECK_FALSE(run.terminated);
  CHECK(run.steps == 3);  // steps 0, 1 in round 0; step 2 verified at 9 before T3 fails at 10
  REQUIRE(run.calls.size() == 8);
  CHECK(run.calls[6].status == CallStatus::failed);
  CHECK(run.calls[6].ended.seconds() == 10);
  for (const auto& c : run.calls) CHECK(c.status != CallStatus::running);
  REQUIRE(run.rounds.size() == 2);
  CHECK(run.rounds[1].committed == 1);
  // The same planner runs the next episode normally.
  Probe healthy(w.backend, sim::kNoCall);
  sim::Planner again({}, w.clock, healthy, *w.policy, &w.backend, nullptr);
  CHECK(again.run_episode(1).error.empty());
}

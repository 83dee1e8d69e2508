// The top-K speculation tree (sim/speculation_tree.hpp) on scripted worlds: a hand-worked timeline
// with its bill, the one-level tree it replaces, and lossless plans over many random rank lists.
#include <catch2/catch.hpp>

#include "analysis/episode_metrics.hpp"
#include "sim/random.hpp"
#include "support/call_timeline.hpp"
#include "support/input_error.hpp"
#include "support/scripted_world.hpp"

using namespace specsim;
using sim::Agent;
using sim::CallRole;
using sim::CallStatus;
using testing::agents_a1_t4;
using testing::World;

namespace {

sim::PlannerConfig tree(int candidates, int budget) {
  sim::PlannerConfig c;
  c.semantics.top_k.candidates = candidates;
  c.semantics.top_k.branches = candidates;
  c.semantics.top_k.budget = budget;
  return c;
}

// A world whose steps have the given ranks of T's action among A's candidates (-1: none).
std::unique_ptr<World> ranked_world(const std::vector<std::int8_t>& ranks, int k, sim::PlannerConfig config) {
  std::vector<std::uint8_t> match;
  for (std::int8_t r : ranks) match.push_back(r == 0);
  // A's guesses list the tree's candidates (as a scenario's A does: tools/runner/scenario.cpp).
  models::Agents agents = agents_a1_t4();
  agents[sim::index(Agent::approx)].candidates = config.semantics.top_k.candidates;
  auto w = std::make_unique<World>(agents, match, std::make_unique<policies::FixedK>(k), config);
  w->workload.edit = [ranks](models::EpisodeScript& s) {
    s.rank = ranks;
    // The script's T calls write 31 tokens, the calls drawn off the committed path 30: a committed
    // step that wrote 31 was conditioned on T's own steps only.
    for (auto& c : s.target) c.tokens.output = c.tokens.planned_output = 31;
  };
  return w;
}

// The tree's timelines fix each call's branch and role, not its round.
struct Expect {
  Agent agent;
  int step, pos, branch;
  double started, ended;
  CallStatus status;
  CallRole role;

  void check(const sim::CallRecord& c) const {
    testing::check_call_core(c, agent, step, pos, started, ended, status);
    CHECK(c.branch == branch);
    CHECK(c.role == role);
  }
};
constexpr auto check_calls = testing::check_calls<Expect>;

}  // namespace

// K = 2 candidates, budget 4 (the full tree two levels deep), k = 3, a = 1 s, t = 4 s; T's action
// is A's second candidate at steps 0 and 1. Nodes by path: () at 0; (0), (1) at 1 (each with a
// guess: 0 * 2 and 1 * 2 < 4); at 2, the round's last position, (0,0) on the chain with a guess
// and the leaves (0,1), (1,0) and (1,1).
// At 4 s T_0 is known: branch (1) wins, the subtree under (0) is cancelled. At 5 s T_1 under (1)
// is known: (1,1) wins, (1,0) is cancelled; (1,1) commits step 2 at 6 s, the plan's end.
TEST_CASE("a tree two levels deep: the exact timeline, the pruned subtrees and their bill", "[planner][top_k]") {
  auto w = ranked_world({1, 1, 0}, 3, tree(2, 4));
  const sim::EpisodeRun& run = w->planner.run_episode(0);
  const auto F = CallStatus::finished;
  const auto X = CallStatus::cancelled;
  const auto C = CallRole::committed, S = CallRole::speculation, W = CallRole::wasted;
  check_calls(run, {
      {Agent::target, 0, 0, 0, 0, 4, F, C},
      {Agent::approx, 0, 0, 0, 0, 1, F, S},  // its second candidate held T's action
      {Agent::target, 1, 1, 0, 1, 4, X, W},  // (0): pruned at 4
      {Agent::approx, 1, 1, 0, 1, 2, F, W},
      {Agent::target, 1, 1, 1, 1, 5, F, C},  // (1)
      {Agent::approx, 1, 1, 1, 1, 2, F, S},
      {Agent::target, 2, 2, 0, 2, 4, X, W},  // (0,0): pruned with (0)
      {Agent::approx, 2, 2, 0, 2, 3, F, W},
      {Agent::target, 2, 2, 1, 2, 4, X, W},  // (0,1): pruned with (0)
      {Agent::target, 2, 2, 0, 2, 5, X, W},  // (1,0): pruned at 5
      {Agent::target, 2, 2, 1, 2, 6, F, C},  // (1,1): a leaf, commits the last step
  });
  CHECK(run.steps == 3);
  CHECK(run.terminated);
  CHECK(run.latency.seconds() == 6);
  REQUIRE(run.rounds.size() == 1);
  CHECK(run.rounds[0].committed == 3);
  CHECK(run.concurrency_peak == 8);  // t in [2, 3): T_0, T_1 under (0) and (1), the four T_2, the guess of (0,0)
  for (std::size_t i : {0u, 4u, 10u}) CHECK(run.calls[i].tokens.output == 31);  // the script's calls
  for (std::size_t i : {0u, 4u, 10u}) CHECK(run.calls[i].on_path);

  // Prices $1 and $2 per 1M input and output tokens; inputs 100 + 10 s (A) and 200 + 10 s (T);
  // A's 20 output tokens are paid twice (one call returns both candidates); cancelled calls pay
  // their input. Committed T: 200 + 62, 210 + 62, 220 + 62; A's matched guesses 100 + 80, 110 + 80.
  const auto m = analysis::measure_episode(run, w->agents, models::Billing::input_only);
  const double pruned_under_0 = 210 + (110 + 80) + 220 + (120 + 80) + 220;
  const double pruned_1_0 = 220;
  CHECK(m.unnecessary_cost_usd == Approx((pruned_under_0 + pruned_1_0) * 1e-6).epsilon(1e-12));
  CHECK(m.speculation_cost_usd == Approx((180 + 190) * 1e-6).epsilon(1e-12));
  CHECK(m.cost_usd == Approx((262 + 272 + 282 + 180 + 190 + pruned_under_0 + pruned_1_0) * 1e-6).epsilon(1e-12));
  CHECK(m.calls_cancelled == 4);
}

// The default budget (the width): (1) is a leaf, so it commits step 1 at 5 s and ends the round;
// step 2 takes a round of its own (5 to 9 s).
TEST_CASE("the default budget is the one-level tree: lower branches are leaves", "[planner][top_k]") {
  auto w = ranked_world({1, 1, 0}, 3, tree(2, 0));
  const sim::EpisodeRun& run = w->planner.run_episode(0);
  CHECK(run.latency.seconds() == 9);
  REQUIRE(run.rounds.size() == 2);
  CHECK(run.rounds[0].committed == 2);
  CHECK(run.rounds[0].mismatch);  // a leaf has no guess
  // T_0, A_0; (0) with its guess; the leaf (1); (0,0) with its guess and the leaf (0,1).
  std::size_t approx_calls = 0;
  for (const auto& c : run.calls) approx_calls += c.round == 0 && c.agent == Agent::approx;
  CHECK(approx_calls == 3);
}

// Whatever the tree's shape and whatever T's actions rank, every committed step is T's own (the
// script's call, conditioned on T's steps only), each plan step is committed once and in order, and
// no episode is slower than the target alone.
TEST_CASE("any tree commits T's plan and nothing else", "[planner][top_k]") {
  sim::RandomStream rng(7, "tree ranks", 0);
  for (int budget : {2, 3, 5, 9, 27}) {
    for (int k : {2, 3, 4}) {
      for (int episode = 0; episode < 25; ++episode) {
        std::vector<std::int8_t> ranks(12);
        for (auto& r : ranks) r = static_cast<std::int8_t>(rng.uniform_int(0, 3) - 1);  // -1 .. 2
        auto w = ranked_world(ranks, k, tree(3, budget));
        const sim::EpisodeRun& run = w->planner.run_episode(episode);
        INFO("budget " << budget << ", k " << k << ", episode " << episode);
        REQUIRE(run.steps == 12);
        CHECK(run.terminated);
        CHECK(run.latency.seconds() <= 12 * 4);
        int next = 0;
        for (const auto& c : run.calls) {
          if (c.role != CallRole::committed) continue;
          CHECK(c.agent == Agent::target);
          CHECK(c.step == next++);
          CHECK(c.status == CallStatus::finished);
          CHECK(c.on_path);
          CHECK(c.tokens.output == 31);
        }
        CHECK(next == 12);
      }
    }
  }
}

TEST_CASE("the tree's budget decodes from the planner block and is range-checked", "[planner][top_k]") {
  const auto decode = [](const std::string& text) {
    return sim::decode_semantics(sim::ConfigNode::load_string(text, "s.yaml"));
  };
  CHECK(decode("{top_k: {candidates: 3}}").top_k.level_budget() == 3);
  CHECK(decode("{top_k: {candidates: 3, branches: 2}}").top_k.level_budget() == 2);
  CHECK(decode("{top_k: {candidates: 3, budget: 9}}").top_k.level_budget() == 9);
  CHECK(sim::describe(decode("{top_k: {candidates: 3}}")) ==
        "cancel=eager terminate_guess=stops retries=bill_each top_k=3 branches=3 pricing=one_call");
  CHECK(sim::describe(decode("{top_k: {candidates: 3, budget: 9}}")) ==
        "cancel=eager terminate_guess=stops retries=bill_each top_k=3 branches=3 budget=9 pricing=one_call");
  using Catch::Matchers::Contains;
  CHECK_THAT(testing::input_error_of([&] { decode("{top_k: {candidates: 3, budget: 0}}"); }),
             Contains("s.yaml:1:") && Contains("budget"));
  CHECK_THAT(testing::input_error_of([&] { decode("{top_k: {candidates: 3, budget: 2000}}"); }), Contains("budget"));
}

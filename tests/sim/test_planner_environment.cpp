// Environment actions in the planner: a step's tool call is on the critical path, runs ahead on
// A's guess only when side-effect free, and never changes the committed plan.
#include <catch2/catch.hpp>

#include "analysis/episode_metrics.hpp"
#include "support/call_timeline.hpp"
#include "support/scripted_world.hpp"

using namespace specsim;
using sim::Agent;
using sim::CallRole;
using sim::CallStatus;
using testing::agents_a1_t4;
using testing::check_calls;
using testing::World;

namespace {

// Every step but the last (terminate) calls a tool of 2 s and $0.01; `side_effect_free(step)`
// says whether it may run ahead.
template <class SideEffectFree>
void add_tools(World& w, SideEffectFree side_effect_free) {
  w.workload.edit = [side_effect_free](models::EpisodeScript& s) {
    s.environment.assign(static_cast<std::size_t>(s.steps), models::ScriptedEnvironmentCall{});
    for (int step = 0; step + 1 < s.steps; ++step)
      s.environment[static_cast<std::size_t>(step)] = {0, side_effect_free(step), sim::Time::from_seconds(2), 0.01};
  };
}

// Which calls ran ahead on a guess, in the order they were made.
std::vector<bool> ahead(const sim::EpisodeRun& run) {
  std::vector<bool> flags;
  for (const auto& c : run.calls) flags.push_back(c.ahead);
  return flags;
}

// The k = 2 world of the timelines below, matches [yes, no, yes], its tools of one kind.
std::unique_ptr<World> shop(bool side_effect_free) {
  auto w = std::make_unique<World>(agents_a1_t4(), std::vector<std::uint8_t>{1, 0, 1}, std::make_unique<policies::FixedK>(2));
  add_tools(*w, [side_effect_free](int) { return side_effect_free; });
  return w;
}

constexpr auto F = CallStatus::finished;
constexpr auto T = Agent::target;
constexpr auto A = Agent::approx;
constexpr auto E = Agent::environment;

// The steps of the committed calls of each kind, in the order they were made.
std::vector<int> committed_steps(const sim::EpisodeRun& run, Agent agent) {
  std::vector<int> steps;
  for (const auto& c : run.calls)
    if (c.agent == agent && c.role == CallRole::committed) steps.push_back(c.step);
  return steps;
}

}  // namespace

// k = 2, a = 1 s, t = 4 s, tools of 2 s, matches [yes, no, yes]. A's guess of step 0 returns at
// 1 and its tool runs ahead until 3, when steps 1 starts under it (T_1 reads the tool's result);
// T_0 is verified at 4 and step 0 committed at once: the tool's latency is saved. A's wrong
// guess of step 1 runs its tool ahead too (4 to 6, wasted); T_1 at 7 disagrees, so the tool runs
// on T's action until 9, when step 1 is committed and round 1 starts.
TEST_CASE("a side-effect-free tool runs ahead on A's guess: the exact timeline", "[planner][environment]") {
  const auto w = shop(true);
  const sim::EpisodeRun& run = w->planner.run_episode(0);
  check_calls(run, {
      {T, 0, 0, 0, 0, 0, 4, F, CallRole::committed, true},
      {A, 0, 0, 0, 0, 0, 1, F, CallRole::speculation, true},
      {E, 0, 0, 0, 1, 1, 3, F, CallRole::committed, true},   // ahead on the right guess
      {T, 1, 1, 0, 3, 3, 7, F, CallRole::committed, true},
      {A, 1, 1, 0, 3, 3, 4, F, CallRole::wasted, true},
      {E, 1, 1, 0, 4, 4, 6, F, CallRole::wasted, false},     // ahead on the wrong guess
      {E, 1, 1, 0, 7, 7, 9, F, CallRole::committed, true},   // on T's action
      {T, 2, 0, 1, 9, 9, 13, F, CallRole::committed, true},
      {A, 2, 0, 1, 9, 9, 10, F, CallRole::speculation, true},  // terminate, right: no step after it
  });
  CHECK(ahead(run) == std::vector<bool>{false, false, true, false, false, true, false, false, false});
  CHECK(run.steps == 3);
  CHECK(run.latency.seconds() == 13);
  const auto m = analysis::measure_episode(run, w->agents, models::Billing::input_only);
  CHECK(m.calls_environment == 3);
  CHECK(m.environment_ahead_calls == 2);
  CHECK(m.environment_cost_usd == Approx(0.03).epsilon(1e-12));
  CHECK(m.environment_wasted_cost_usd == Approx(0.01).epsilon(1e-12));
}

// The same world with tools that have side effects: each runs only once T's action is verified,
// and the step after it waits for its result, so every policy is as slow as sequential.
TEST_CASE("a tool with side effects runs only on the committed action: the exact timeline", "[planner][environment]") {
  const auto w = shop(false);
  const sim::EpisodeRun& run = w->planner.run_episode(0);
  check_calls(run, {
      {T, 0, 0, 0, 0, 0, 4, F, CallRole::committed, true},
      {A, 0, 0, 0, 0, 0, 1, F, CallRole::speculation, true},
      {E, 0, 0, 0, 4, 4, 6, F, CallRole::committed, true},
      {T, 1, 0, 1, 6, 6, 10, F, CallRole::committed, true},
      {A, 1, 0, 1, 6, 6, 7, F, CallRole::wasted, true},
      {E, 1, 0, 1, 10, 10, 12, F, CallRole::committed, true},
      {T, 2, 0, 2, 12, 12, 16, F, CallRole::committed, true},
      {A, 2, 0, 2, 12, 12, 13, F, CallRole::speculation, true},
  });
  CHECK(ahead(run) == std::vector<bool>(8, false));
  CHECK(run.latency.seconds() == 16);  // sequential: 4 + 2 + 4 + 2 + 4
}

// Speculative Actions' lossless condition, over every pattern of matches of six steps and depths
// 1 to 4, with tools alternately side-effect free (even steps) and not (odd steps): no call of a
// tool with side effects starts before its step is verified (T's and A's calls of it are back),
// nor before the earlier steps' tools are back; and the committed plan is sequential's.
TEST_CASE("tools with side effects never run ahead, and the committed plan is sequential's", "[planner][environment]") {
  const auto even = [](int step) { return step % 2 == 0; };
  for (unsigned pattern = 0; pattern < 64; ++pattern) {
    std::vector<std::uint8_t> match;
    for (int s = 0; s < 6; ++s) match.push_back((pattern >> s) & 1u);
    World sequential(agents_a1_t4(), match, std::make_unique<policies::Sequential>());
    add_tools(sequential, even);
    const sim::EpisodeRun& base = sequential.planner.run_episode(0);
    const auto base_target = committed_steps(base, Agent::target);
    const auto base_env = committed_steps(base, Agent::environment);
    REQUIRE(base_target == std::vector<int>{0, 1, 2, 3, 4, 5});
    REQUIRE(base_env == std::vector<int>{0, 1, 2, 3, 4});
    for (int k = 1; k <= 4; ++k) {
      INFO("pattern " << pattern << ", k = " << k);
      World w(agents_a1_t4(), match, std::make_unique<policies::FixedK>(k));
      add_tools(w, even);
      const sim::EpisodeRun& run = w.planner.run_episode(0);
      CHECK(committed_steps(run, Agent::target) == base_target);
      CHECK(committed_steps(run, Agent::environment) == base_env);
      CHECK(run.latency <= base.latency);
      for (const auto& env : run.calls) {
        if (env.agent != Agent::environment || even(env.step)) continue;
        CHECK_FALSE(env.ahead);
        CHECK(env.role == CallRole::committed);
        for (const auto& c : run.calls) {
          const bool verifies = c.round == env.round && c.step == env.step && c.agent != Agent::environment;
          const bool earlier_tool = c.agent == Agent::environment && c.step < env.step && c.role == CallRole::committed;
          if (verifies || earlier_tool) CHECK(c.ended <= env.started);
        }
      }
    }
  }
}

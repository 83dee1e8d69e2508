// Confidence gating in the planner: hand-computed timelines with constant latencies.
#include <catch2/catch.hpp>

#include "policies/confidence_gate.hpp"
#include "support/scripted_world.hpp"

using namespace specsim;
using sim::Agent;
using testing::agents_a1_t4;
using testing::fixed_agent;
using testing::World;

namespace {

// A fixed k whose prediction takes `delay` seconds (no overlap).
struct SlowK final : policies::Policy {
  int k;
  double delay;
  SlowK(int k_, double delay_) : k(k_), delay(delay_) {}
  policies::Decision choose_k(const policies::RoundContext&) override { return {k, sim::Time::from_seconds(delay)}; }
};

std::unique_ptr<policies::Policy> gated(std::unique_ptr<policies::Policy> inner, double threshold) {
  return std::make_unique<policies::ConfidenceGate>(std::move(inner), threshold);
}

void set_confidence(World& w, std::vector<double> confidence) {
  w.workload.edit = [confidence](models::EpisodeScript& s) { s.confidence = confidence; };
}

}  // namespace

// k = 3, a = 1 s, t = 4 s, every guess right, confidences [0.9, 0.2, 0.9, 0.9], gate 0.5.
// Round 0: A_0 returns at 1 (0.9): step 1 starts; A_1 returns at 2 (0.2): no step 2. The round
// commits steps 0 and 1 when T_1 ends at 5. Round 1: A_2 at 6 (0.9) starts step 3, whose right
// guess is terminate; T_3 ends the task at 10. Ungated, round 0 would guess step 2 too.
TEST_CASE("a guess below the gate launches no deeper guess in its round", "[planner][gate]") {
  World w(agents_a1_t4(), {1, 1, 1, 1}, gated(std::make_unique<policies::FixedK>(3), 0.5));
  set_confidence(w, {0.9, 0.2, 0.9, 0.9});
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  REQUIRE(run.rounds.size() == 2);
  CHECK(run.rounds[0].committed == 2);
  CHECK(run.rounds[0].end.seconds() == 5);
  CHECK(run.rounds[0].k == 3);  // the policy's k; the gate cut the round short
  CHECK(run.rounds[1].committed == 2);
  CHECK(run.rounds[1].start.seconds() == 5);
  CHECK(run.latency.seconds() == 10);
  REQUIRE(run.calls.size() == 8);
  for (const auto& c : run.calls) CHECK(c.status == sim::CallStatus::finished);

  World ungated(agents_a1_t4(), {1, 1, 1, 1}, std::make_unique<policies::FixedK>(3));
  set_confidence(ungated, {0.9, 0.2, 0.9, 0.9});
  const sim::EpisodeRun& free = ungated.planner.run_episode(0);
  REQUIRE(free.rounds.size() == 2);
  CHECK(free.rounds[0].committed == 3);
  CHECK(free.rounds[0].end.seconds() == 6);
}

// The gate fires when the prediction lands (5 s), after T_0 was verified at 4: the round is
// complete then, with step 0 committed and nothing deeper started.
TEST_CASE("a gate that fires when the prediction lands closes a verified round", "[planner][gate]") {
  World w(agents_a1_t4(), {1, 1}, gated(std::make_unique<SlowK>(3, 5.0), 0.5));
  set_confidence(w, {0.2, 0.9});
  const sim::EpisodeRun& run = w.planner.run_episode(0);
  REQUIRE(run.rounds.size() == 2);
  CHECK(run.rounds[0].committed == 1);
  CHECK(run.rounds[0].end.seconds() == 5);
  CHECK(run.calls[0].round == 0);
  CHECK(run.calls[2].round == 1);  // round 0 made two calls only
  CHECK(run.steps == 2);
}

// Threshold 0 never gates; a world without confidences (none drawn) never gates either.
TEST_CASE("threshold 0, or a world without confidences, never gates", "[planner][gate]") {
  World zero(agents_a1_t4(), {1, 1, 0, 1, 1}, gated(std::make_unique<policies::FixedK>(3), 0.0));
  set_confidence(zero, {0.0, 0.0, 0.0, 0.0, 0.0});
  World none(agents_a1_t4(), {1, 1, 0, 1, 1}, gated(std::make_unique<policies::FixedK>(3), 1.0));
  World plain(agents_a1_t4(), {1, 1, 0, 1, 1}, std::make_unique<policies::FixedK>(3));
  const sim::EpisodeRun& base = plain.planner.run_episode(0);
  for (World* w : {&zero, &none}) {
    const sim::EpisodeRun& run = w->planner.run_episode(0);
    CHECK(run.latency == base.latency);
    REQUIRE(run.calls.size() == base.calls.size());
    for (std::size_t i = 0; i < run.calls.size(); ++i) {
      CHECK(run.calls[i].started == base.calls[i].started);
      CHECK(run.calls[i].ended == base.calls[i].ended);
      CHECK(run.calls[i].status == base.calls[i].status);
    }
  }
}

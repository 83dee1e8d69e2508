// ReplayBuffer: FIFO eviction, batch size in steps, determinism and uniformity of sampling.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "policies/learner/replay_buffer.hpp"

using namespace specsim::policies::learner;
using specsim::sim::RandomStream;

namespace {

// A trajectory of `length` consecutive steps ending at `breaking_step`, which doubles as a tag.
Trajectory tagged(int breaking_step, int length = 1) {
  Trajectory t;
  t.features = Eigen::MatrixXd::Constant(2, length, breaking_step);
  for (int i = 0; i < length; ++i) t.steps.push_back(breaking_step - length + 1 + i);
  t.breaking_step = breaking_step;
  return t;
}

std::size_t steps_of(const ReplayBuffer& b, const std::vector<std::size_t>& picks) {
  std::size_t n = 0;
  for (std::size_t i : picks) n += b[i].steps.size();
  return n;
}

}  // namespace

TEST_CASE("a full buffer drops its oldest trajectory first", "[replay]") {
  ReplayBuffer b(3);
  CHECK(b.capacity() == 3);
  for (int tag = 1; tag <= 5; ++tag) b.add(tagged(10 * tag, tag));
  REQUIRE(b.size() == 3);
  CHECK(b[0].breaking_step == 30);
  CHECK(b[1].breaking_step == 40);
  CHECK(b[2].breaking_step == 50);
  CHECK(b.total_steps() == 3 + 4 + 5);
  CHECK(b.added() == 5);
  CHECK(ReplayBuffer().capacity() == 2500);
}

TEST_CASE("stored trajectories read back whole while the oldest make room, from either way in", "[replay]") {
  ReplayBuffer b(7);
  SegmentRecorder segment(2);
  for (int tag = 1; tag <= 300; ++tag) {
    const int length = 1 + (tag * 5) % 9;
    if (tag % 2) {
      b.add(tagged(tag, length));
    } else {
      for (int i = 0; i < length; ++i) segment.add(Eigen::Vector2d::Constant(tag), tag - length + 1 + i);
      b.add(segment, tag);
      CHECK(segment.empty());
    }
    std::size_t total = 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
      const TrajectoryView t = b[i];
      const int expected = tag - static_cast<int>(b.size() - 1 - i);  // oldest first
      REQUIRE(t.breaking_step == expected);
      REQUIRE(t.size() == 1 + (expected * 5) % 9);
      REQUIRE(t.features.rows() == 2);
      CHECK((t.features.array() == expected).all());
      for (std::size_t j = 0; j < t.steps.size(); ++j)
        CHECK(t.steps[j] == expected - static_cast<int>(t.steps.size()) + 1 + static_cast<int>(j));
      total += t.steps.size();
    }
    CHECK(b.total_steps() == total);
  }
  // A bad segment leaves both as they were.
  segment.add(Eigen::Vector2d::Zero(), 5);
  CHECK_THROWS_AS(b.add(segment, 4), std::invalid_argument);
  CHECK(segment.size() == 1);
  CHECK(b.size() == 7);
}

TEST_CASE("buffer rejects a zero capacity and invalid trajectories", "[replay]") {
  CHECK_THROWS_AS(ReplayBuffer(0), std::invalid_argument);
  ReplayBuffer b(2);
  CHECK_THROWS_AS(b.add(Trajectory{Eigen::MatrixXd(2, 0), {}, 3}), std::invalid_argument);
  CHECK(b.empty());
}

TEST_CASE("a sample collects whole trajectories until it has min_steps states", "[replay]") {
  ReplayBuffer b(10);
  for (int tag = 1; tag <= 10; ++tag) b.add(tagged(10 + tag, 1 + tag % 4));
  RandomStream rng(1, "replay.sample", 0);
  for (int draw = 0; draw < 200; ++draw) {
    const std::size_t min_steps = 1 + static_cast<std::size_t>(draw % 20);
    const auto picks = b.sample(min_steps, rng);
    REQUIRE_FALSE(picks.empty());
    for (std::size_t i : picks) REQUIRE(i < b.size());
    const std::size_t n = steps_of(b, picks);
    CHECK(n >= min_steps);
    CHECK(n - b[picks.back()].steps.size() < min_steps);  // stops at the first draw that reaches it
  }
  CHECK(b.sample(0, rng).empty());
  CHECK(ReplayBuffer(4).sample(16, rng).empty());
}

TEST_CASE("sampling is a function of the stream", "[replay]") {
  ReplayBuffer b(50);
  for (int tag = 1; tag <= 50; ++tag) b.add(tagged(tag, 1 + tag % 3));
  RandomStream s1(123, "dsp.train", 0), s2(123, "dsp.train", 0), other(124, "dsp.train", 0);
  const auto a1 = b.sample(16, s1), a2 = b.sample(16, s2), c = b.sample(16, other);
  CHECK(a1 == a2);
  CHECK(a1 != c);
  CHECK(b.sample(16, s1) == b.sample(16, s2));  // and stays in step on later draws
}

TEST_CASE("trajectories are drawn uniformly with replacement", "[replay]") {
  ReplayBuffer b(4);
  for (int tag = 1; tag <= 4; ++tag) b.add(tagged(tag));
  RandomStream rng(5, "replay.uniform", 0);
  std::vector<int> counts(4, 0);
  const int draws = 40000;
  bool repeat_seen = false;
  for (int i = 0; i < draws / 8; ++i) {
    const auto picks = b.sample(8, rng);  // single-step trajectories: exactly 8 picks
    REQUIRE(picks.size() == 8);
    for (std::size_t p : picks) ++counts[p];
    std::vector<int> seen(4, 0);
    for (std::size_t p : picks) repeat_seen = repeat_seen || ++seen[p] > 1;
  }
  CHECK(repeat_seen);  // 8 picks of 4 trajectories: replacement is unavoidable
  for (int c : counts) CHECK(c == Approx(draws / 4).epsilon(0.03));  // sd ~ 0.9% of 10000
}

TEST_CASE("sampling without replacement takes each trajectory at most once, as DSP's FiniteReplay", "[replay][dsp]") {
  ReplayBuffer b(10);
  for (int i = 0; i < 6; ++i) b.add(tagged(10 * (i + 1), 2));  // 12 states
  RandomStream rng(3, "replay-test", 0);
  for (int trial = 0; trial < 50; ++trial) {
    auto picks = b.sample_without_replacement(5, rng);
    CHECK(picks.size() == 3);  // 2 + 2 + 2 >= 5
    std::sort(picks.begin(), picks.end());
    CHECK(std::adjacent_find(picks.begin(), picks.end()) == picks.end());
  }
  // Asking for more states than the buffer holds gives all of it (DSP then skips the job).
  CHECK(b.sample_without_replacement(100, rng).size() == 6);
}

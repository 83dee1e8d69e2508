// Trajectory validation and the SegmentRecorder that turns observed states into trajectories.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "policies/learner/trajectory.hpp"

using namespace specsim::policies::learner;

TEST_CASE("a recorder closes its states into one trajectory and starts over", "[trajectory]") {
  SegmentRecorder rec(2);
  rec.add(Eigen::Vector2d(1, 2), 4);
  rec.add(Eigen::Vector2d(3, 4), 5);
  rec.add(Eigen::Vector2d(5, 6), 7);
  CHECK(rec.size() == 3);

  const Trajectory t = rec.close(9);
  CHECK(t.size() == 3);
  CHECK(t.steps == std::vector<int>{4, 5, 7});
  CHECK(t.breaking_step == 9);
  CHECK(t.features == (Eigen::Matrix<double, 2, 3>() << 1, 3, 5, 2, 4, 6).finished());
  CHECK(rec.empty());

  rec.add(Eigen::Vector2d(7, 8), 10);
  const Trajectory next = rec.close(10);
  CHECK(next.steps == std::vector<int>{10});
  CHECK(next.features.col(0) == Eigen::Vector2d(7, 8));
}

TEST_CASE("a recorder rejects bad input and keeps its segment on a bad close", "[trajectory]") {
  CHECK_THROWS_AS(SegmentRecorder(0), std::invalid_argument);
  SegmentRecorder rec(2);
  CHECK_THROWS_AS(rec.close(3), std::logic_error);
  CHECK_THROWS_AS(rec.add(Eigen::Vector3d::Zero(), 1), std::invalid_argument);
  rec.add(Eigen::Vector2d::Zero(), 5);
  CHECK_THROWS_AS(rec.close(4), std::invalid_argument);  // breaking step before the state
  CHECK(rec.size() == 1);
  rec.clear();
  CHECK(rec.empty());
}

TEST_CASE("trajectory validation", "[trajectory]") {
  Trajectory t{Eigen::MatrixXd::Zero(3, 2), {1, 2}, 2};
  CHECK_NOTHROW(validate(t));
  t.steps = {1};
  CHECK_THROWS_AS(validate(t), std::invalid_argument);  // 2 columns, 1 step
  CHECK_THROWS_AS(validate(Trajectory{Eigen::MatrixXd(3, 0), {}, 0}), std::invalid_argument);
  CHECK_THROWS_AS(validate(Trajectory{Eigen::MatrixXd::Zero(3, 2), {2, 1}, 2}), std::invalid_argument);
}

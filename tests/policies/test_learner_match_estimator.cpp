#include <catch2/catch.hpp>

#include "policies/learner/match_estimator.hpp"

using specsim::policies::learner::MatchEstimator;

TEST_CASE("the match estimator learns a state-dependent match probability", "[learner]") {
  MatchEstimator m(0.02);
  const Eigen::VectorXd easy = Eigen::VectorXd::Constant(1, 1.0), hard = Eigen::VectorXd::Constant(1, -1.0);
  CHECK(m.probability(easy) == 0.5);
  // Easy states match 9 times in 10, hard ones 2 in 10, interleaved.
  for (int i = 0; i < 20000; ++i) {
    m.learn(easy, i % 10 != 0);
    m.learn(hard, i % 5 == 0);
  }
  CHECK(m.learned() == 40000);
  CHECK(m.probability(easy) == Approx(0.9).margin(0.03));
  CHECK(m.probability(hard) == Approx(0.2).margin(0.03));
  CHECK_THROWS_AS(m.probability(Eigen::VectorXd::Zero(2)), std::invalid_argument);
}

#pragma once
// The probability that A's guess matches T's step, learned online from the guesses verified so
// far: a logistic regression on the state vector, one gradient step on the log-loss per guess.
// A guess is verified within its round, so the estimate needs no training jobs or delays.
#include <Eigen/Core>
#include <cstdint>

namespace specsim::policies::learner {

class MatchEstimator {
 public:
  explicit MatchEstimator(double learning_rate) : learning_rate_(learning_rate) {}
  // 1/2 until the first guess is learned; the state's width is fixed by the first one.
  double probability(const Eigen::VectorXd& state) const;
  void learn(const Eigen::VectorXd& state, bool matched);
  std::int64_t learned() const { return learned_; }

 private:
  double learning_rate_;
  Eigen::VectorXd weights_;
  double bias_ = 0;
  std::int64_t learned_ = 0;
};

}  // namespace specsim::policies::learner

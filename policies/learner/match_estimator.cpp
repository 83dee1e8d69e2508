#include "policies/learner/match_estimator.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace specsim::policies::learner {

double MatchEstimator::probability(const Eigen::VectorXd& state) const {
  if (learned_ == 0) return 0.5;
  if (state.size() != weights_.size())
    throw std::invalid_argument("match estimator: a state of " + std::to_string(state.size()) + " features, learned on " +
                                std::to_string(weights_.size()));
  return 1 / (1 + std::exp(-(weights_.dot(state) + bias_)));
}

void MatchEstimator::learn(const Eigen::VectorXd& state, bool matched) {
  if (learned_ == 0) weights_ = Eigen::VectorXd::Zero(state.size());
  const double error = probability(state) - (matched ? 1.0 : 0.0);  // d(log-loss)/d(logit)
  weights_ -= learning_rate_ * error * state;
  bias_ -= learning_rate_ * error;
  ++learned_;
}

}  // namespace specsim::policies::learner

#pragma once
// Expectile loss of a prediction V against a return G:
//   L(G, V) = w (G - V)^2,  w = tau if G > V else 1 - tau.
// Convention: no factor 1/2, so tau = 0.5 gives L = (G - V)^2 / 2, half the squared error (and
// the same minimiser as MSE). The minimiser over a constant of the mean loss is the sample's
// tau-expectile: tau > 0.5 pushes predictions up (larger k, faster, costlier), tau < 0.5 down.
// At G == V both branches give L = 0 and dL/dV = 0, so the tie rule does not matter.
#include <Eigen/Core>
#include <cmath>
#include <stdexcept>
#include <string>

namespace specsim::policies::learner {

class ExpectileLoss {
 public:
  // tau is checked once here, so the per-sample functions can stay branch-light and noexcept.
  explicit ExpectileLoss(double tau) : tau_(tau) {
    if (!(tau > 0.0 && tau < 1.0))
      throw std::invalid_argument("expectile tau must be in (0, 1), got " + std::to_string(tau));
  }

  double tau() const { return tau_; }
  double weight(double target, double prediction) const noexcept {
    return target > prediction ? tau_ : 1.0 - tau_;
  }
  double value(double target, double prediction) const noexcept {
    const double d = target - prediction;
    return weight(target, prediction) * d * d;
  }
  // dL/dV = -2 w (G - V): w is piecewise constant in V and both pieces vanish at G == V, so
  // the loss is continuously differentiable and the formula holds everywhere.
  double derivative(double target, double prediction) const noexcept {
    return -2.0 * weight(target, prediction) * (target - prediction);
  }

  // Mean loss over a batch (predictions and targets of equal length; 0 for an empty batch).
  double mean(const Eigen::Ref<const Eigen::VectorXd>& targets,
              const Eigen::Ref<const Eigen::VectorXd>& predictions) const {
    if (targets.size() != predictions.size())
      throw std::invalid_argument("expectile mean: targets and predictions differ in length");
    if (targets.size() == 0) return 0.0;
    double sum = 0.0;
    for (Eigen::Index i = 0; i < targets.size(); ++i) sum += value(targets[i], predictions[i]);
    return sum / static_cast<double>(targets.size());
  }

 private:
  double tau_;
};

}  // namespace specsim::policies::learner

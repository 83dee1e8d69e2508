// Expectile loss: values, derivative, tau validation, and that its minimiser over a constant is
// the sample's tau-expectile (computed independently by the fixed-point iteration).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "policies/learner/expectile_loss.hpp"
#include "policies/learner/mlp.hpp"
#include "sim/random.hpp"

using namespace specsim::policies::learner;
using specsim::sim::RandomStream;

namespace {

// The tau-expectile as the fixed point e = sum(w_i x_i) / sum(w_i), w_i = tau if x_i > e else
// 1 - tau (Newey & Powell's asymmetric least squares). The weights can only change finitely
// often, so iterating until e stops moving terminates at the exact solution.
double expectile_fixed_point(const std::vector<double>& x, double tau) {
  double e = 0.0;
  for (double v : x) e += v;
  e /= static_cast<double>(x.size());
  for (int it = 0; it < 1000; ++it) {
    double num = 0.0, den = 0.0;
    for (double v : x) {
      const double w = v > e ? tau : 1.0 - tau;
      num += w * v;
      den += w;
    }
    const double next = num / den;
    if (next == e) break;
    e = next;
  }
  return e;
}

// Minimises c -> mean L(x_i, c) by bisection on its derivative, which is increasing in c.
double argmin_by_bisection(const std::vector<double>& x, double tau) {
  const ExpectileLoss loss(tau);
  double lo = *std::min_element(x.begin(), x.end()), hi = *std::max_element(x.begin(), x.end());
  for (int it = 0; it < 200 && hi - lo > 1e-14; ++it) {
    const double mid = 0.5 * (lo + hi);
    double d = 0.0;
    for (double v : x) d += loss.derivative(v, mid);
    (d > 0 ? hi : lo) = mid;
  }
  return 0.5 * (lo + hi);
}

std::vector<double> skewed_sample(int n) {
  RandomStream rng(9, "expectile.sample", 0);
  std::vector<double> x;
  for (int i = 0; i < n; ++i) x.push_back(1.0 + std::floor(-3.0 * std::log(1.0 - rng.uniform())));
  return x;
}

}  // namespace

TEST_CASE("expectile loss values follow the documented convention", "[expectile]") {
  const ExpectileLoss l(0.7);
  CHECK(l.value(3.0, 1.0) == Approx(0.7 * 4.0));  // under-prediction: weight tau
  CHECK(l.value(1.0, 3.0) == Approx(0.3 * 4.0));  // over-prediction: weight 1 - tau
  CHECK(l.value(2.0, 2.0) == 0.0);
  CHECK(l.derivative(2.0, 2.0) == 0.0);
  const ExpectileLoss half(0.5);
  for (double d : {-2.5, -0.1, 0.0, 0.4, 3.0}) CHECK(half.value(d, 0.0) == 0.5 * d * d);  // MSE / 2
  CHECK(half.mean(Eigen::Vector3d(1, 2, 3), Eigen::Vector3d(0, 0, 0)) == Approx((1 + 4 + 9) / 6.0));
  CHECK_THROWS_AS(half.mean(Eigen::Vector3d(1, 2, 3), Eigen::Vector2d(0, 0)), std::invalid_argument);
}

TEST_CASE("tau must lie strictly between 0 and 1", "[expectile]") {
  for (double tau : {0.0, 1.0, -0.2, 1.5, std::numeric_limits<double>::quiet_NaN()})
    CHECK_THROWS_AS(ExpectileLoss(tau), std::invalid_argument);
  CHECK_NOTHROW(ExpectileLoss(1e-9));
}

TEST_CASE("expectile derivative matches central finite differences", "[expectile]") {
  const double h = 1e-6;
  for (double tau : {0.1, 0.5, 0.9})
    for (double g : {-1.0, 0.5, 4.0})
      for (double v : {-2.0, 0.3, 3.0}) {
        const ExpectileLoss l(tau);
        const double numeric = (l.value(g, v + h) - l.value(g, v - h)) / (2 * h);
        CAPTURE(tau, g, v);
        CHECK(l.derivative(g, v) == Approx(numeric).epsilon(1e-8).margin(1e-8));
      }
}

TEST_CASE("the mean loss is minimised at the sample's tau-expectile", "[expectile]") {
  const std::vector<double> x = skewed_sample(40);
  double mean = 0.0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());

  double previous = -std::numeric_limits<double>::infinity();
  for (double tau : {0.1, 0.3, 0.5, 0.7, 0.9}) {
    const double expected = expectile_fixed_point(x, tau);
    CAPTURE(tau, expected);
    CHECK(argmin_by_bisection(x, tau) == Approx(expected).epsilon(1e-12));
    CHECK(expected > previous);  // expectiles increase with tau
    previous = expected;
    if (tau == 0.5) CHECK(expected == Approx(mean).epsilon(1e-14));
  }
}

TEST_CASE("a bias-only MLP trained on the loss converges to the expectile", "[expectile][mlp]") {
  const std::vector<double> x = skewed_sample(25);
  const Eigen::VectorXd targets = Eigen::Map<const Eigen::VectorXd>(x.data(), 25);
  const Eigen::MatrixXd zeros = Eigen::MatrixXd::Zero(1, 25);  // input 0: only the bias acts
  for (double tau : {0.1, 0.3, 0.5, 0.7, 0.9}) {
    Mlp m({1, {}, Activation::relu}, Eigen::VectorXd::Zero(2));
    // Gradient descent: the loss is a convex piecewise quadratic in the bias with curvature at
    // most 2 max(tau, 1 - tau), so this step size contracts.
    const double step = 0.5 / std::max(tau, 1.0 - tau);
    Eigen::VectorXd grad;
    for (int it = 0; it < 2000; ++it) {
      m.loss_and_gradient(zeros, targets, tau, grad);
      m.parameters() -= step * grad;
    }
    CAPTURE(tau);
    CHECK(m.parameters()[1] == Approx(expectile_fixed_point(x, tau)).epsilon(1e-10));
    CHECK(m.parameters()[0] == 0.0);  // its input is always 0, so the weight never moves
  }
}

#include "policies/learner/labels.hpp"

#include <stdexcept>
#include <string>

namespace specsim::policies::learner {

void validate_segment(std::span<const int> steps, int breaking_step) {
  for (std::size_t i = 1; i < steps.size(); ++i)
    if (steps[i] <= steps[i - 1])
      throw std::invalid_argument("segment steps must be strictly increasing (step " +
                                  std::to_string(steps[i]) + " after " +
                                  std::to_string(steps[i - 1]) + ")");
  if (!steps.empty() && steps.back() > breaking_step)
    throw std::invalid_argument("segment step " + std::to_string(steps.back()) +
                                " lies after its breaking step " + std::to_string(breaking_step));
}

Eigen::VectorXd segment_rewards(std::span<const int> steps, int breaking_step) {
  validate_segment(steps, breaking_step);
  const auto n = static_cast<Eigen::Index>(steps.size());
  Eigen::VectorXd r(n);
  for (Eigen::Index i = 0; i + 1 < n; ++i) r[i] = steps[i + 1] - steps[i];
  if (n > 0) r[n - 1] = breaking_step - steps.back() + 1;
  return r;
}

Eigen::VectorXd ideal_k_labels(std::span<const int> steps, int breaking_step) {
  Eigen::VectorXd k(static_cast<Eigen::Index>(steps.size()));
  ideal_k_labels(steps, breaking_step, k);
  return k;
}

void ideal_k_labels(std::span<const int> steps, int breaking_step, Eigen::Ref<Eigen::VectorXd> out) {
  validate_segment(steps, breaking_step);
  if (out.size() != static_cast<Eigen::Index>(steps.size()))
    throw std::invalid_argument("ideal_k_labels: " + std::to_string(steps.size()) + " steps, " +
                                std::to_string(out.size()) + " labels");
  for (Eigen::Index i = 0; i < out.size(); ++i) out[i] = breaking_step - steps[static_cast<std::size_t>(i)] + 1;
}

namespace {

// The segment's rewards, after the checks both lambda-return variants need.
Eigen::VectorXd checked_rewards(std::span<const int> steps, int breaking_step, const Eigen::Ref<const Eigen::VectorXd>& values,
                                double gamma, double lambda) {
  if (!(gamma >= 0.0 && gamma <= 1.0)) throw std::invalid_argument("gamma must be in [0, 1]");
  if (!(lambda >= 0.0 && lambda <= 1.0)) throw std::invalid_argument("lambda must be in [0, 1]");
  Eigen::VectorXd g = segment_rewards(steps, breaking_step);
  if (values.size() != g.size())
    throw std::invalid_argument("lambda returns: " + std::to_string(g.size()) + " states but " +
                                std::to_string(values.size()) + " values");
  return g;
}

}  // namespace

Eigen::VectorXd lambda_return_labels(std::span<const int> steps, int breaking_step,
                                     const Eigen::Ref<const Eigen::VectorXd>& values, double gamma,
                                     double lambda) {
  Eigen::VectorXd g = checked_rewards(steps, breaking_step, values, gamma, lambda);
  const Eigen::Index n = g.size();
  // Backward recursion in place: g[i] holds r_i until G_{i+1} is known.
  for (Eigen::Index i = n - 1; i-- > 0;)
    g[i] += gamma * ((1.0 - lambda) * values[i + 1] + lambda * g[i + 1]);
  return g;
}

Eigen::VectorXd dsp_lambda_return_labels(std::span<const int> steps, int breaking_step,
                                         const Eigen::Ref<const Eigen::VectorXd>& values, double gamma,
                                         double lambda) {
  Eigen::VectorXd g = checked_rewards(steps, breaking_step, values, gamma, lambda);
  const Eigen::Index n = g.size();
  double next = 0;
  for (Eigen::Index i = n; i-- > 0;) {
    g[i] += gamma * ((1.0 - lambda) * values[i] + lambda * next);
    next = g[i];
  }
  return g;
}

}  // namespace specsim::policies::learner

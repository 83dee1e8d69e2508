#include "policies/learner/adamw.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace specsim::policies::learner {

void validate(const AdamWConfig& c) {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("AdamW: ") + what);
  };
  require(c.lr > 0.0 && std::isfinite(c.lr), "lr must be > 0");
  require(c.beta1 >= 0.0 && c.beta1 < 1.0, "beta1 must be in [0, 1)");
  require(c.beta2 >= 0.0 && c.beta2 < 1.0, "beta2 must be in [0, 1)");
  require(c.eps > 0.0, "eps must be > 0");
  require(c.weight_decay >= 0.0 && std::isfinite(c.weight_decay), "weight_decay must be >= 0");
}

AdamW::AdamW(AdamWConfig config) : config_(config) { validate(config_); }

void AdamW::step(Eigen::Ref<Eigen::VectorXd> params, const Eigen::Ref<const Eigen::VectorXd>& grad) {
  if (grad.size() != params.size())
    throw std::invalid_argument("AdamW: gradient has " + std::to_string(grad.size()) +
                                " entries, parameters " + std::to_string(params.size()));
  if (t_ == 0) {
    m_ = Eigen::VectorXd::Zero(params.size());
    v_ = Eigen::VectorXd::Zero(params.size());
  } else if (m_.size() != params.size()) {
    throw std::invalid_argument("AdamW: parameter vector changed length between steps");
  }
  ++t_;
  const auto& c = config_;
  const double t = static_cast<double>(t_);
  // Bias corrections folded into two scalars, as torch does: one sqrt and one division per
  // parameter instead of three divisions.
  const double step_size = c.lr / (1.0 - std::pow(c.beta1, t));
  const double sqrt_bias2 = std::sqrt(1.0 - std::pow(c.beta2, t));

  // Three passes (m, v, then the weights, decay and step in one expression): the same arithmetic
  // per element as decaying first and stepping after, bit for bit, with Eigen's packet sqrt and
  // division (a plain loop over std::sqrt stays scalar, for errno's sake).
  m_ = c.beta1 * m_ + (1.0 - c.beta1) * grad;
  v_ = c.beta2 * v_ + (1.0 - c.beta2) * grad.cwiseProduct(grad);
  params.array() = params.array() * (1.0 - c.lr * c.weight_decay) -
                   step_size * m_.array() / (v_.array().sqrt() / sqrt_bias2 + c.eps);
}

}  // namespace specsim::policies::learner

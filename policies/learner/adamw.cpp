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

  // One pass over the vectors in SIMD packets, then a scalar tail: per element the same
  // arithmetic, in the same order, as decaying first and stepping after (sqrt is correctly
  // rounded in both, so the packets and the tail agree bit for bit).
  using Packet = Eigen::internal::packet_traits<double>::type;
  constexpr Eigen::Index L = Eigen::internal::packet_traits<double>::size;
  const double b1 = c.beta1, b2 = c.beta2, g1 = 1.0 - c.beta1, g2 = 1.0 - c.beta2;
  const double decay = 1.0 - c.lr * c.weight_decay;
  double* p = params.data();
  const double* g = grad.data();
  double* m = m_.data();
  double* v = v_.data();
  const Eigen::Index size = params.size();
  Eigen::Index i = 0;
  {
    using namespace Eigen::internal;
    const Packet pb1 = pset1<Packet>(b1), pb2 = pset1<Packet>(b2), pg1 = pset1<Packet>(g1), pg2 = pset1<Packet>(g2);
    const Packet pdecay = pset1<Packet>(decay), pstep = pset1<Packet>(step_size);
    const Packet psb2 = pset1<Packet>(sqrt_bias2), peps = pset1<Packet>(c.eps);
    for (; i + L <= size; i += L) {
      const Packet gi = ploadu<Packet>(g + i);
      const Packet mi = padd(pmul(pb1, ploadu<Packet>(m + i)), pmul(pg1, gi));
      const Packet vi = padd(pmul(pb2, ploadu<Packet>(v + i)), pmul(pg2, pmul(gi, gi)));
      pstoreu(m + i, mi);
      pstoreu(v + i, vi);
      const Packet denom = padd(pdiv(psqrt(vi), psb2), peps);
      pstoreu(p + i, psub(pmul(ploadu<Packet>(p + i), pdecay), pdiv(pmul(pstep, mi), denom)));
    }
  }
  for (; i < size; ++i) {
    m[i] = b1 * m[i] + g1 * g[i];
    v[i] = b2 * v[i] + g2 * (g[i] * g[i]);
    p[i] = p[i] * decay - step_size * m[i] / (std::sqrt(v[i]) / sqrt_bias2 + c.eps);
  }
}

}  // namespace specsim::policies::learner

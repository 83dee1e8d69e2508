#include "policies/learner/adamw.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace specsim::policies::learner {

namespace {

// Correctly rounded square roots, as std::sqrt's in the scalar tail: Eigen's float psqrt is an
// approximation (a reciprocal square root refined once) under EIGEN_FAST_MATH, its default.
template <class Packet>
Packet exact_sqrt(const Packet& x) {
  return Eigen::internal::psqrt(x);
}
#ifdef EIGEN_VECTORIZE_SSE2
template <>
Eigen::internal::Packet4f exact_sqrt(const Eigen::internal::Packet4f& x) {
  return _mm_sqrt_ps(x);
}
#endif

}  // namespace

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
  step(params.data(), grad.data(), params.size(), m_, v_);
}

void AdamW::step(Eigen::Ref<Eigen::VectorXf> params, const Eigen::Ref<const Eigen::VectorXf>& grad) {
  if (grad.size() != params.size())
    throw std::invalid_argument("AdamW: gradient has " + std::to_string(grad.size()) +
                                " entries, parameters " + std::to_string(params.size()));
  step(params.data(), grad.data(), params.size(), m32_, v32_);
}

template <class T, class Vector>
void AdamW::step(T* p, const T* g, Eigen::Index size, Vector& m_vector, Vector& v_vector) {
  if (m_vector.size() == 0) {
    m_vector = Vector::Zero(size);
    v_vector = Vector::Zero(size);
  } else if (m_vector.size() != size) {
    throw std::invalid_argument("AdamW: parameter vector changed length between steps");
  }
  ++t_;
  const auto& c = config_;
  const double t = static_cast<double>(t_);
  // Bias corrections folded into two scalars, as torch does: one sqrt and one division per
  // parameter instead of three divisions.
  const T step_size = static_cast<T>(c.lr / (1.0 - std::pow(c.beta1, t)));
  const T sqrt_bias2 = static_cast<T>(std::sqrt(1.0 - std::pow(c.beta2, t)));

  // One pass over the vectors in SIMD packets, then a scalar tail: per element the same
  // arithmetic, in the same order, as decaying first and stepping after (sqrt is correctly
  // rounded in both, so the packets and the tail agree bit for bit).
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  constexpr Eigen::Index L = Eigen::internal::packet_traits<T>::size;
  const T b1 = static_cast<T>(c.beta1), b2 = static_cast<T>(c.beta2);
  const T g1 = static_cast<T>(1.0 - c.beta1), g2 = static_cast<T>(1.0 - c.beta2);
  const T decay = static_cast<T>(1.0 - c.lr * c.weight_decay), eps = static_cast<T>(c.eps);
  T* m = m_vector.data();
  T* v = v_vector.data();
  Eigen::Index i = 0;
  {
    using namespace Eigen::internal;
    const Packet pb1 = pset1<Packet>(b1), pb2 = pset1<Packet>(b2), pg1 = pset1<Packet>(g1), pg2 = pset1<Packet>(g2);
    const Packet pdecay = pset1<Packet>(decay), pstep = pset1<Packet>(step_size);
    const Packet psb2 = pset1<Packet>(sqrt_bias2), peps = pset1<Packet>(eps);
    for (; i + L <= size; i += L) {
      const Packet gi = ploadu<Packet>(g + i);
      const Packet mi = padd(pmul(pb1, ploadu<Packet>(m + i)), pmul(pg1, gi));
      const Packet vi = padd(pmul(pb2, ploadu<Packet>(v + i)), pmul(pg2, pmul(gi, gi)));
      pstoreu(m + i, mi);
      pstoreu(v + i, vi);
      const Packet denom = padd(pdiv(exact_sqrt(vi), psb2), peps);
      pstoreu(p + i, psub(pmul(ploadu<Packet>(p + i), pdecay), pdiv(pmul(pstep, mi), denom)));
    }
  }
  for (; i < size; ++i) {
    m[i] = b1 * m[i] + g1 * g[i];
    v[i] = b2 * v[i] + g2 * (g[i] * g[i]);
    p[i] = p[i] * decay - step_size * m[i] / (std::sqrt(v[i]) / sqrt_bias2 + eps);
  }
}

}  // namespace specsim::policies::learner

#include "policies/learner/adamw.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "policies/learner/small_gemm.hpp"

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

#ifdef SPECSIM_GEMM_AVX
// The packet loop below on 256-bit registers (small_gemm.hpp: where the CPU has AVX), element
// for element the same operations in the same order; returns how many entries it stepped.
SPECSIM_AVX inline __m256d wide_sqrt(__m256d x) { return _mm256_sqrt_pd(x); }
SPECSIM_AVX inline __m256 wide_sqrt(__m256 x) { return _mm256_sqrt_ps(x); }
SPECSIM_AVX inline __m256d wide_sub(__m256d a, __m256d b) { return _mm256_sub_pd(a, b); }
SPECSIM_AVX inline __m256 wide_sub(__m256 a, __m256 b) { return _mm256_sub_ps(a, b); }
SPECSIM_AVX inline __m256d wide_div(__m256d a, __m256d b) { return _mm256_div_pd(a, b); }
SPECSIM_AVX inline __m256 wide_div(__m256 a, __m256 b) { return _mm256_div_ps(a, b); }

template <class T>
SPECSIM_AVX Eigen::Index wide_step(StepVectors<const T> in, StepVectors<T> out, const T* g, Eigen::Index size, T b1, T b2, T g1, T g2,
                                   T decay, T step_size, T sqrt_bias2, T eps) {
  using gemm::detail::wide_add;
  using gemm::detail::wide_load;
  using gemm::detail::wide_mul;
  using gemm::detail::wide_set1;
  using gemm::detail::wide_store;
  constexpr Eigen::Index W = gemm::detail::kWide<T>;
  const auto pb1 = wide_set1(b1), pb2 = wide_set1(b2), pg1 = wide_set1(g1), pg2 = wide_set1(g2);
  const auto pdecay = wide_set1(decay), pstep = wide_set1(step_size), psb2 = wide_set1(sqrt_bias2), peps = wide_set1(eps);
  Eigen::Index i = 0;
#pragma GCC unroll 8  // the loop's own instructions an eighth (by 2: 19,809 a job, 4: 19,323, 8: 19,077); no spill
  for (; i + W <= size; i += W) {
    const auto gi = wide_load(g + i);
    const auto mi = wide_add(wide_mul(pb1, wide_load(in.m + i)), wide_mul(pg1, gi));
    const auto vi = wide_add(wide_mul(pb2, wide_load(in.v + i)), wide_mul(pg2, wide_mul(gi, gi)));
    wide_store(out.m + i, mi);
    wide_store(out.v + i, vi);
    const auto denom = wide_add(wide_div(wide_sqrt(vi), psb2), peps);
    wide_store(out.p + i, wide_sub(wide_mul(wide_load(in.p + i), pdecay), wide_div(wide_mul(pstep, mi), denom)));
  }
  return i;
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
  check_lengths(params.size(), grad.size());
  sized_moments(m_, v_, params.size());
  const StepVectors<double> in_place{params.data(), m_.data(), v_.data()};
  step(StepVectors<const double>{in_place.p, in_place.m, in_place.v}, in_place, grad.data(), params.size());
}

void AdamW::step(Eigen::Ref<Eigen::VectorXf> params, const Eigen::Ref<const Eigen::VectorXf>& grad) {
  check_lengths(params.size(), grad.size());
  sized_moments(m32_, v32_, params.size());
  const StepVectors<float> in_place{params.data(), m32_.data(), v32_.data()};
  step(StepVectors<const float>{in_place.p, in_place.m, in_place.v}, in_place, grad.data(), params.size());
}

// The step that `from` would take, written here: this optimizer ends with from's state stepped
// once, and `params` with `from_params` stepped, as if both had been copied and then stepped.
template <class T, class Vector>
void AdamW::step_from(const AdamW& from, const Vector& from_m, const Vector& from_v, Vector& m, Vector& v,
                      const T* from_params, T* params, const T* grad, Eigen::Index size) {
  config_ = from.config_;
  t_ = from.t_;
  if (from_m.size() == 0) {  // a fresh optimizer: its first step, from zero moments
    m = Vector::Zero(size);
    v = Vector::Zero(size);
    step(StepVectors<const T>{from_params, m.data(), v.data()}, StepVectors<T>{params, m.data(), v.data()}, grad, size);
    return;
  }
  if (from_m.size() != size) throw std::invalid_argument("AdamW: parameter vector changed length between steps");
  m.resize(size);
  v.resize(size);
  step(StepVectors<const T>{from_params, from_m.data(), from_v.data()}, StepVectors<T>{params, m.data(), v.data()}, grad,
       size);
}

void AdamW::step_from(const AdamW& from, const Eigen::VectorXd& from_params, Eigen::VectorXd& params,
                      const Eigen::Ref<const Eigen::VectorXd>& grad) {
  check_lengths(from_params.size(), grad.size());
  params.resize(from_params.size());
  m32_ = from.m32_;  // the other precision's moments, empty in a learner that keeps to one
  v32_ = from.v32_;
  step_from<double>(from, from.m_, from.v_, m_, v_, from_params.data(), params.data(), grad.data(), grad.size());
}

void AdamW::step_from(const AdamW& from, const Eigen::VectorXf& from_params, Eigen::VectorXf& params,
                      const Eigen::Ref<const Eigen::VectorXf>& grad) {
  check_lengths(from_params.size(), grad.size());
  params.resize(from_params.size());
  m_ = from.m_;
  v_ = from.v_;
  step_from<float>(from, from.m32_, from.v32_, m32_, v32_, from_params.data(), params.data(), grad.data(), grad.size());
}

void AdamW::check_lengths(Eigen::Index params, Eigen::Index grad) {
  if (grad != params)
    throw std::invalid_argument("AdamW: gradient has " + std::to_string(grad) + " entries, parameters " +
                                std::to_string(params));
}

template <class Vector>
void AdamW::sized_moments(Vector& m, Vector& v, Eigen::Index size) {
  if (m.size() == 0) {
    m = Vector::Zero(size);
    v = Vector::Zero(size);
  } else if (m.size() != size) {
    throw std::invalid_argument("AdamW: parameter vector changed length between steps");
  }
}

template <class T>
void AdamW::step(StepVectors<const T> in, StepVectors<T> out, const T* g, Eigen::Index size) {
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
  Eigen::Index i = 0;
#ifdef SPECSIM_GEMM_AVX
  if (gemm::wide_registers()) i = wide_step(in, out, g, size, b1, b2, g1, g2, decay, step_size, sqrt_bias2, eps);
#endif
  {
    using namespace Eigen::internal;
    const Packet pb1 = pset1<Packet>(b1), pb2 = pset1<Packet>(b2), pg1 = pset1<Packet>(g1), pg2 = pset1<Packet>(g2);
    const Packet pdecay = pset1<Packet>(decay), pstep = pset1<Packet>(step_size);
    const Packet psb2 = pset1<Packet>(sqrt_bias2), peps = pset1<Packet>(eps);
    for (; i + L <= size; i += L) {  // after the 256-bit loop: what is left of a 256-bit register
      const Packet gi = ploadu<Packet>(g + i);
      const Packet mi = padd(pmul(pb1, ploadu<Packet>(in.m + i)), pmul(pg1, gi));
      const Packet vi = padd(pmul(pb2, ploadu<Packet>(in.v + i)), pmul(pg2, pmul(gi, gi)));
      pstoreu(out.m + i, mi);
      pstoreu(out.v + i, vi);
      const Packet denom = padd(pdiv(exact_sqrt(vi), psb2), peps);
      pstoreu(out.p + i, psub(pmul(ploadu<Packet>(in.p + i), pdecay), pdiv(pmul(pstep, mi), denom)));
    }
  }
  for (; i < size; ++i) {
    const T mi = b1 * in.m[i] + g1 * g[i];
    const T vi = b2 * in.v[i] + g2 * (g[i] * g[i]);
    out.m[i] = mi;
    out.v[i] = vi;
    out.p[i] = in.p[i] * decay - step_size * mi / (std::sqrt(vi) / sqrt_bias2 + eps);
  }
}

}  // namespace specsim::policies::learner

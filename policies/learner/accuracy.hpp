#pragma once
// DSP's predictor accuracy: a prediction counts as a hit when round(V) is the ideal k or one
// more. One step of over-speculation only costs a cancelled guess, while one step too few
// loses a round trip, so DSP scores both the ideal depth and the next as right.
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace specsim::policies::learner {

// std::round (halves away from zero), inlined: its library call costs more than the rest of a
// round's hit test or depth. Exact: below 2^52 in magnitude the cast truncates exactly and x less
// its truncation is exact; above, x is whole already (or infinite, or NaN: the library's answer).
inline double round_half_away(double x) {
  if (!(std::abs(x) < 4503599627370496.0)) return std::round(x);
  const double t = static_cast<double>(static_cast<std::int64_t>(x));
  const double f = x - t;
  return std::copysign(f >= 0.5 ? t + 1 : f <= -0.5 ? t - 1 : t, x);  // -0.3 gives -0, as std::round
}

inline bool dsp_hit(double prediction, double ideal_k) {
  const double k = round_half_away(prediction);
  return k == ideal_k || k == ideal_k + 1.0;
}

// Fraction of hits; 0 for an empty batch.
inline double dsp_accuracy(const Eigen::Ref<const Eigen::VectorXd>& predictions,
                           const Eigen::Ref<const Eigen::VectorXd>& ideal_k) {
  if (predictions.size() != ideal_k.size())
    throw std::invalid_argument("dsp_accuracy: predictions and labels differ in length");
  if (predictions.size() == 0) return 0.0;
  Eigen::Index hits = 0;
  for (Eigen::Index i = 0; i < predictions.size(); ++i) hits += dsp_hit(predictions[i], ideal_k[i]);
  return static_cast<double>(hits) / static_cast<double>(predictions.size());
}

}  // namespace specsim::policies::learner

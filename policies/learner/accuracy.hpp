#pragma once
// DSP's predictor accuracy: a prediction counts as a hit when round(V) is the ideal k or one
// more. One step of over-speculation only costs a cancelled guess, while one step too few
// loses a round trip, so DSP scores both the ideal depth and the next as right.
#include <Eigen/Core>
#include <cmath>
#include <stdexcept>

namespace specsim::policies::learner {

inline bool dsp_hit(double prediction, double ideal_k) {
  const double k = std::round(prediction);
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

#pragma once
// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"), as torch.optim.AdamW:
//   p <- p (1 - lr wd)                          decay applied to the weights directly,
//   m <- b1 m + (1 - b1) g                      not added to the gradient (that would be
//   v <- b2 v + (1 - b2) g^2                    L2 regularisation, which Adam rescales)
//   p <- p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Decay applies to every parameter, biases included (torch's default for a single group).
// The state (m, v, t) is a value: copying an AdamW with a copy of the weights lets a training
// job run on its own, and the policy takes both back when the job completes. A job in float
// (Precision::float32) steps float weights with float moments of their own, four lanes per SIMD
// instruction instead of two; a learner runs in one precision, so one pair of moments is used.
#include <Eigen/Core>

namespace specsim::policies::learner {

struct AdamWConfig {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
};

// Throws std::invalid_argument unless lr > 0, beta1 and beta2 in [0, 1), eps > 0, wd >= 0.
void validate(const AdamWConfig& config);

// Where a step reads the weights and moments, and where it writes them: the same vectors (a
// step in place) or another optimizer's (AdamW::step_from); element by element the same arithmetic.
template <class T>
struct StepVectors {
  T* p;
  T* m;
  T* v;
};

class AdamW {
 public:
  explicit AdamW(AdamWConfig config = {});

  // The moments are sized on the first step; later steps must keep that length.
  void step(Eigen::Ref<Eigen::VectorXd> params, const Eigen::Ref<const Eigen::VectorXd>& grad);
  void step(Eigen::Ref<Eigen::VectorXf> params, const Eigen::Ref<const Eigen::VectorXf>& grad);
  // `*this = from; params = from_params; step(params, grad);` without the copies: the step reads
  // from's moments and from_params and writes this optimizer's and `params` (resized; it may be
  // from_params itself). A training job's first step, which so refreshes the policy's second set
  // of weights from the set in use. The same bits as the copy and the step.
  void step_from(const AdamW& from, const Eigen::VectorXd& from_params, Eigen::VectorXd& params,
                 const Eigen::Ref<const Eigen::VectorXd>& grad);
  void step_from(const AdamW& from, const Eigen::VectorXf& from_params, Eigen::VectorXf& params,
                 const Eigen::Ref<const Eigen::VectorXf>& grad);

  const AdamWConfig& config() const { return config_; }
  long long steps() const { return t_; }
  const Eigen::VectorXd& first_moment() const { return m_; }
  const Eigen::VectorXd& second_moment() const { return v_; }

 private:
  static void check_lengths(Eigen::Index params, Eigen::Index grad);
  template <class Vector>
  static void sized_moments(Vector& m, Vector& v, Eigen::Index size);
  template <class T, class Vector>
  void step_from(const AdamW& from, const Vector& from_m, const Vector& from_v, Vector& m, Vector& v,
                 const T* from_params, T* params, const T* grad, Eigen::Index size);
  template <class T>
  void step(StepVectors<const T> in, StepVectors<T> out, const T* grad, Eigen::Index size);

  AdamWConfig config_;
  Eigen::VectorXd m_, v_;
  Eigen::VectorXf m32_, v32_;  // the moments of steps in float
  long long t_ = 0;
};

}  // namespace specsim::policies::learner

#pragma once
// Mlp: the DSP step predictor, a small fully connected regressor with one scalar output V(s).
//
// Every weight and bias lives in ONE contiguous parameter vector, so the optimizer, copies of
// the weights for an asynchronous training job, and equality checks in tests are all plain
// vector operations. Layer l (n_in -> n_out) occupies, in order: its weight matrix
// (n_out x n_in, column-major) then its bias (n_out); the output layer (n_last -> 1) comes last.
//
// predict() reuses mutable scratch buffers so a prediction allocates nothing: an Mlp object is
// therefore not safe to use from two threads at once (copies are independent). predict_batch()
// and loss_and_gradient() work in a per-thread work space that only grows, so a training job
// allocates nothing once it has seen its batch size, and they are safe to call concurrently.
#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/random.hpp"

namespace specsim::policies::learner {

enum class Activation { relu, tanh, gelu };

std::string_view activation_name(Activation a);
std::optional<Activation> activation_from_name(std::string_view name);

// The arithmetic of a training step's forward and backward passes: double, or float, which
// does twice the work per SIMD instruction. A training job in float keeps its weights and
// AdamW's moments in float from its start to its end; the model and its predictions stay double.
enum class Precision { float64, float32 };
std::string_view precision_name(Precision p);  // "double", "float"
std::optional<Precision> precision_from_name(std::string_view name);

struct MlpShape {
  int inputs = 0;
  std::vector<int> hidden;  // widths of the hidden layers; empty gives a linear model
  Activation activation = Activation::relu;
};

// A parameter vector in the other precision (to is resized), by plain loops that the compiler
// turns into packed conversions (Eigen's cast<float>() converts one element at a time).
void to_float(const Eigen::Ref<const Eigen::VectorXd>& from, Eigen::VectorXf& to);
void to_double(const Eigen::Ref<const Eigen::VectorXf>& from, Eigen::VectorXd& to);

class Mlp {
 public:
  // Random initialisation: He normal (std sqrt(2/fan_in)) for relu and gelu, Glorot normal
  // (std sqrt(2/(fan_in+fan_out))) for tanh, LeCun normal (std sqrt(1/fan_in)) for the linear
  // output layer; biases start at zero. Draws go in parameter-vector order, so a stream gives
  // identical weights on every platform (Boost.Random).
  Mlp(MlpShape shape, sim::RandomStream& rng);
  // Given weights (restored, or set by tests); the length must equal parameter_count(shape).
  Mlp(MlpShape shape, Eigen::VectorXd parameters);

  static Eigen::Index parameter_count(const MlpShape& shape);

  // x has shape().inputs entries. Allocation-free when x is contiguous (a VectorXd, a Map, or
  // a column or segment of one); a strided expression is copied by Eigen::Ref first.
  double predict(const Eigen::Ref<const Eigen::VectorXd>& x) const;
  // predict() on the caller's word that every parameter is finite (checked since they last
  // changed, as DspPolicy does for each set of weights it installs): the same bits, its products
  // leaving out relu's zeros (mlp.cpp). With a weight that is not finite it may differ.
  double predict_finite(const Eigen::Ref<const Eigen::VectorXd>& x) const;
  // X: inputs x samples (columns are samples); returns one prediction per column.
  Eigen::VectorXd predict_batch(const Eigen::Ref<const Eigen::MatrixXd>& X) const;

  // Mean expectile loss over the columns of X and its gradient w.r.t. parameters() (grad is
  // resized to parameter_count()). Batched backprop: one small matrix product (small_gemm.hpp) per layer and pass.
  // With Precision::float32 the passes run on float copies of the weights and the batch.
  double loss_and_gradient(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::Ref<const Eigen::VectorXd>& targets,
                           double tau, Eigen::VectorXd& grad, Precision precision = Precision::float64) const;
  // The same in float on `parameters`, laid out as parameters() (a training job in float keeps
  // its weights in float, to_float(), and steps them with AdamW's float step): grad in float.
  double loss_and_gradient(const Eigen::VectorXf& parameters, const Eigen::Ref<const Eigen::MatrixXd>& X,
                           const Eigen::Ref<const Eigen::VectorXd>& targets, double tau, Eigen::VectorXf& grad) const;

  // The vector itself, so `Eigen::VectorXd saved = m.parameters();` is a copy and the optimizer
  // can step it in place. Change values, never the length: the layer layout depends on it
  // (every call checks, and throws std::logic_error on a resized vector).
  Eigen::VectorXd& parameters() { return params_; }
  const Eigen::VectorXd& parameters() const { return params_; }
  Eigen::Index parameter_count() const { return params_.size(); }
  const MlpShape& shape() const { return shape_; }

 private:
  // Offsets into params_ of one affine layer: out (rows) = W (rows x cols) * in + b.
  struct Layer {
    Eigen::Index rows, cols, weight_offset, bias_offset;
  };

  explicit Mlp(MlpShape shape);  // validates the shape and lays out the layers, zero weights
  // Throws unless the input has shape().inputs rows and the parameters kept their length.
  void check_call(Eigen::Index input_rows) const;
  double predict(const Eigen::Ref<const Eigen::VectorXd>& x, bool finite) const;
  // The batched passes in T (mlp.cpp) with the parameters `p`, laid out as params_, on the
  // columns of x (column stride x_stride); in the per-thread work space.
  template <class T>
  void hidden_layer(const Layer& layer, const T* p, const T* in, Eigen::Index in_stride, Eigen::Index n, T* pre,
                    T* post, const std::uint64_t* in_marks, std::uint64_t* out_marks) const;
  // Whether hidden layer l's products in T leave out the zeros of its input and delta where the
  // other factor is finite (mlp.cpp).
  template <class T>
  bool skips_zeros(std::size_t l) const;
  template <class T>
  T* forward_pass(const T* p, const T* x, Eigen::Index x_stride, Eigen::Index n) const;
  // The work space's buffer for transposes, after the forward pass's 2 per hidden layer and
  // its output, and the backward pass's dv and two deltas.
  std::size_t transposed_buffer() const { return 2 * (layers_.size() - 1) + 4; }
  // Checks a call's batch and sizes grad; false on an empty batch (a zero gradient).
  template <class Vector>
  bool begin_gradient(Eigen::Index input_rows, Eigen::Index samples, Eigen::Index targets, double tau,
                      Vector& grad) const;
  template <class T>
  double backprop(const T* p, const T* x, Eigen::Index x_stride, Eigen::Index n, const double* targets, double tau,
                  T* grad) const;

  // Views of one layer inside a vector laid out like params_ (the parameters or a gradient).
  static Eigen::Map<const Eigen::MatrixXd> weights(const Eigen::VectorXd& p, const Layer& l);
  static Eigen::Map<Eigen::MatrixXd> weights(Eigen::VectorXd& p, const Layer& l);
  static Eigen::Map<const Eigen::VectorXd> biases(const Eigen::VectorXd& p, const Layer& l);
  static Eigen::Map<Eigen::VectorXd> biases(Eigen::VectorXd& p, const Layer& l);

  MlpShape shape_;
  std::vector<Layer> layers_;  // hidden layers then the output layer
  Eigen::VectorXd params_;
  // Ping-pong activations of predict(), each as wide as the widest hidden layer.
  mutable Eigen::VectorXd scratch_a_, scratch_b_;
  mutable std::vector<std::uint64_t> scratch_marks_;  // and their marks (gemm::nonzero_marks), two halves
};

}  // namespace specsim::policies::learner

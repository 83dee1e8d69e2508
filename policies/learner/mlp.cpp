#include "policies/learner/mlp.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "policies/learner/expectile_loss.hpp"
#include "policies/learner/small_gemm.hpp"

namespace specsim::policies::learner {

namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;

// Exact GELU, z * Phi(z) (not the tanh approximation), so the gradient check tests the true
// derivative Phi(z) + z phi(z).
template <class T>
T gelu(T z) {
  return T(0.5) * z * (T(1) + std::erf(z * T(kInvSqrt2)));
}
template <class T>
T gelu_derivative(T z) {
  return T(0.5) * (T(1) + std::erf(z * T(kInvSqrt2))) + z * T(kInvSqrt2Pi) * std::exp(T(-0.5) * z * z);
}

template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

template <class T>
void activate_in_place(Activation a, Eigen::Map<Vector<T>> z) {
  switch (a) {
    case Activation::relu: z = z.cwiseMax(T(0)); break;
    case Activation::tanh: z = z.array().tanh().matrix(); break;
    case Activation::gelu: z = z.unaryExpr(&gelu<T>); break;
  }
}

// Turns delta = dL/d(post-activation) into dL/d(pre-activation), for tanh and gelu (relu's is
// fused into the product that makes delta, ReluDerivative). tanh' is computed from the stored
// output (1 - tanh^2) to avoid a second tanh.
template <class T>
void chain_activation(Activation a, const Eigen::Map<Matrix<T>>& pre, const Eigen::Map<Matrix<T>>& post,
                      Eigen::Map<Matrix<T>> delta) {
  switch (a) {
    case Activation::relu: break;
    case Activation::tanh: delta.array() *= T(1) - post.array().square(); break;
    case Activation::gelu: delta.array() *= pre.array().unaryExpr(&gelu_derivative<T>); break;
  }
}

// Epilogues of the passes' products (small_gemm.hpp): each finished entry of a layer's output
// z = W in gets the bias added; with relu the activation is stored and the pre-activation is
// not (relu(z) > 0 exactly where z > 0, NaN included, which is all its derivative needs).
// The same operations as adding the bias, then taking the maximum with 0, in separate passes.
// Each epilogue also takes a 256-bit accumulator whole (`wide`, small_gemm.hpp), by the same
// operations on twice the entries.
template <class T>
struct BiasRelu {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  const T* bias;
  void packet(T* c, Packet acc, Eigen::Index row, Eigen::Index) const {
    using namespace Eigen::internal;
    pstoreu(c, pmax(padd(acc, ploadu<Packet>(bias + row)), pset1<Packet>(T(0))));
  }
  void scalar(T* c, T acc, Eigen::Index row, Eigen::Index) const { *c = std::max(acc + bias[row], T(0)); }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(T* c, V acc, Eigen::Index row, Eigen::Index) const {
    using namespace gemm::detail;
    wide_store(c, wide_max(wide_add(acc, wide_load(bias + row)), wide_set1(T(0))));
  }
#endif
};
template <class T>
struct Bias {  // tanh and gelu: the pre-activation, activated in a pass of its own
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  const T* bias;
  void packet(T* c, Packet acc, Eigen::Index row, Eigen::Index) const {
    Eigen::internal::pstoreu(c, Eigen::internal::padd(acc, Eigen::internal::ploadu<Packet>(bias + row)));
  }
  void scalar(T* c, T acc, Eigen::Index row, Eigen::Index) const { *c = acc + bias[row]; }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(T* c, V acc, Eigen::Index row, Eigen::Index) const {
    using namespace gemm::detail;
    wide_store(c, wide_add(acc, wide_load(bias + row)));
  }
#endif
};
// The output layer's bias, one for every entry: its forward product has the states as rows.
template <class T>
struct OutputBias {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  T bias;
  void packet(T* c, Packet acc, Eigen::Index, Eigen::Index) const {
    Eigen::internal::pstoreu(c, Eigen::internal::padd(acc, Eigen::internal::pset1<Packet>(bias)));
  }
  void scalar(T* c, T acc, Eigen::Index, Eigen::Index) const { *c = acc + bias; }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(T* c, V acc, Eigen::Index, Eigen::Index) const {
    using namespace gemm::detail;
    wide_store(c, wide_add(acc, wide_set1(bias)));
  }
#endif
};
// dL/d(pre-activation) of a relu layer from dL/d(its output): zero where the output is not
// positive (relu' at exactly 0 is taken as 0). `post` is the layer's output, ld its column stride.
template <class T>
struct ReluDerivative {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  const T* post;
  Eigen::Index ld;
  void packet(T* c, Packet acc, Eigen::Index row, Eigen::Index col) const {
    using namespace Eigen::internal;
    pstoreu(c, pand(acc, pcmp_lt(pset1<Packet>(T(0)), ploadu<Packet>(post + col * ld + row))));
  }
  void scalar(T* c, T acc, Eigen::Index row, Eigen::Index col) const { *c = post[col * ld + row] > T(0) ? acc : T(0); }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(T* c, V acc, Eigen::Index row, Eigen::Index col) const {
    using namespace gemm::detail;
    wide_store(c, wide_and(acc, wide_lt(wide_set1(T(0)), wide_load(post + col * ld + row))));
  }
#endif
};

// Whether the passes in T skip the terms of relu's exact zeros (gemm::multiply_skipping_zeros)
// in layer 2 onwards' forward product and in W^T delta: in double, where one column's blocks
// cost about what the dense product's blocks of 3 columns do a term, so the zeros (about half
// of a layer's outputs, more of a delta) are a net cut. Not in float, where the dense blocks
// cost 2/3 of one column's a term: measured, the zeros saved less than the masks and the
// finiteness checks cost (docs/performance.md).
template <class T>
constexpr bool kSkipZeros = std::is_same_v<T, double>;

// The work space of the batched passes, per thread and kept across calls: once its buffers have
// grown to a batch, a training job allocates nothing (buffers only grow; Eigen maps view them).
template <class T>
struct Workspace {
  std::vector<std::vector<T>> buffers;
  // Whether layer l's products skip relu's zeros (kSkipZeros, its input relu's output, its
  // weights all finite), found by the forward pass for the backward pass's W^T delta.
  std::vector<char> weights_finite;
  T* get(std::size_t i, Eigen::Index size) {
    if (buffers.size() <= i) buffers.resize(i + 1);
    if (buffers[i].size() < static_cast<std::size_t>(size)) buffers[i].resize(static_cast<std::size_t>(size));
    return buffers[i].data();
  }
};
// A function-local thread_local, not a thread_local variable template: GCC 12 never destroys the
// latter at thread exit (LeakSanitizer reports every pool thread's buffers).
template <class T>
Workspace<T>& workspace() {
  thread_local Workspace<T> w;
  return w;
}

// A float copy of `values` in `out` (grown only). A plain loop, which the compiler turns into
// packed conversions (Eigen's cast<float>() converts one element at a time).
void narrow(const double* values, Eigen::Index size, std::vector<float>& out, std::size_t offset = 0) {
  if (out.size() < offset + static_cast<std::size_t>(size)) out.resize(offset + static_cast<std::size_t>(size));
  float* to = out.data() + offset;
  for (Eigen::Index i = 0; i < size; ++i) to[i] = static_cast<float>(values[i]);
}

void validate(const MlpShape& shape) {
  if (shape.inputs < 1)
    throw std::invalid_argument("MLP needs at least one input, got " + std::to_string(shape.inputs));
  for (int width : shape.hidden)
    if (width < 1)
      throw std::invalid_argument("MLP hidden layer width must be >= 1, got " + std::to_string(width));
  switch (shape.activation) {
    case Activation::relu:
    case Activation::tanh:
    case Activation::gelu: return;
  }
  throw std::invalid_argument("MLP activation is not a known value");
}

}  // namespace

std::string_view activation_name(Activation a) {
  switch (a) {
    case Activation::relu: return "relu";
    case Activation::tanh: return "tanh";
    case Activation::gelu: return "gelu";
  }
  return "?";
}

std::string_view precision_name(Precision p) { return p == Precision::float32 ? "float" : "double"; }

std::optional<Precision> precision_from_name(std::string_view name) {
  for (Precision p : {Precision::float64, Precision::float32})
    if (precision_name(p) == name) return p;
  return std::nullopt;
}

std::optional<Activation> activation_from_name(std::string_view name) {
  for (Activation a : {Activation::relu, Activation::tanh, Activation::gelu})
    if (activation_name(a) == name) return a;
  return std::nullopt;
}

Eigen::Index Mlp::parameter_count(const MlpShape& shape) {
  validate(shape);
  Eigen::Index count = 0, in = shape.inputs;
  for (int width : shape.hidden) {
    count += (in + 1) * width;
    in = width;
  }
  return count + in + 1;
}

Mlp::Mlp(MlpShape shape) : shape_(std::move(shape)) {
  validate(shape_);
  Eigen::Index offset = 0, in = shape_.inputs, widest = 0;
  auto add_layer = [&](Eigen::Index out) {
    layers_.push_back({out, in, offset, offset + out * in});
    offset += out * (in + 1);
    in = out;
  };
  for (int width : shape_.hidden) {
    add_layer(width);
    widest = std::max<Eigen::Index>(widest, width);
  }
  add_layer(1);
  params_ = Eigen::VectorXd::Zero(offset);
  scratch_a_.resize(widest);
  scratch_b_.resize(widest);
}

Mlp::Mlp(MlpShape shape, sim::RandomStream& rng) : Mlp(std::move(shape)) {
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    const double fan_in = static_cast<double>(layer.cols);
    const double fan_out = static_cast<double>(layer.rows);
    double stddev = std::sqrt(2.0 / fan_in);  // He: keeps relu/gelu activations' variance
    if (l + 1 == layers_.size())
      stddev = std::sqrt(1.0 / fan_in);  // linear output: unit-gain LeCun
    else if (shape_.activation == Activation::tanh)
      stddev = std::sqrt(2.0 / (fan_in + fan_out));  // Glorot: tanh is near-linear at 0
    boost::random::normal_distribution<double> normal(0.0, stddev);
    auto w = weights(params_, layer);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = normal(rng.engine());
  }
}

Mlp::Mlp(MlpShape shape, Eigen::VectorXd parameters) : Mlp(std::move(shape)) {
  if (parameters.size() != params_.size())
    throw std::invalid_argument("MLP parameter vector has " + std::to_string(parameters.size()) +
                                " entries, the shape needs " + std::to_string(params_.size()));
  params_ = std::move(parameters);
}

Eigen::Map<const Eigen::MatrixXd> Mlp::weights(const Eigen::VectorXd& p, const Layer& l) {
  return {p.data() + l.weight_offset, l.rows, l.cols};
}
Eigen::Map<Eigen::MatrixXd> Mlp::weights(Eigen::VectorXd& p, const Layer& l) {
  return {p.data() + l.weight_offset, l.rows, l.cols};
}
Eigen::Map<const Eigen::VectorXd> Mlp::biases(const Eigen::VectorXd& p, const Layer& l) {
  return {p.data() + l.bias_offset, l.rows};
}
Eigen::Map<Eigen::VectorXd> Mlp::biases(Eigen::VectorXd& p, const Layer& l) {
  return {p.data() + l.bias_offset, l.rows};
}

void Mlp::check_call(Eigen::Index input_rows) const {
  if (input_rows != shape_.inputs)
    throw std::invalid_argument("MLP expects " + std::to_string(shape_.inputs) +
                                " inputs, got " + std::to_string(input_rows));
  const Layer& head = layers_.back();
  if (params_.size() != head.bias_offset + 1)
    throw std::logic_error("MLP parameter vector was resized to " + std::to_string(params_.size()));
}

double Mlp::predict(const Eigen::Ref<const Eigen::VectorXd>& x) const {
  check_call(x.size());
  const double* in = x.data();
  double* out = scratch_a_.data();
  double* spare = scratch_b_.data();
  for (std::size_t l = 0; l + 1 < layers_.size(); ++l) {
    hidden_layer<double>(layers_[l], params_.data(), in, layers_[l].cols, 1, out, out);
    in = out;
    std::swap(out, spare);
  }
  const Layer& head = layers_.back();
  return Eigen::Map<const Eigen::VectorXd>(params_.data() + head.weight_offset, head.cols)
             .dot(Eigen::Map<const Eigen::VectorXd>(in, head.cols)) +
         params_[head.bias_offset];
}

// A hidden layer on n columns of its input: its activations into `post` and, for tanh and gelu,
// its pre-activations into `pre` (which may be `post` when they need not be kept).
template <class T>
void Mlp::hidden_layer(const Layer& layer, const T* p, const T* in, Eigen::Index in_stride, Eigen::Index n, T* pre,
                       T* post, bool skip_zeros) const {
  const T* w = p + layer.weight_offset;
  const auto product = [&](T* out, const auto& epilogue) {  // one column: a prediction
    if (n == 1) gemm::multiply_vector<T>(layer.rows, layer.cols, w, layer.rows, in, out, epilogue);
    else if (kSkipZeros<T> && skip_zeros)
      gemm::multiply_skipping_zeros<T>(layer.rows, n, layer.cols, w, layer.rows, {in, 1, in_stride}, out, layer.rows,
                                       epilogue);
    else gemm::multiply<T>(layer.rows, n, layer.cols, w, layer.rows, {in, 1, in_stride}, out, layer.rows, epilogue);
  };
  if (shape_.activation == Activation::relu) {
    product(post, BiasRelu<T>{p + layer.bias_offset});
    return;
  }
  product(pre, Bias<T>{p + layer.bias_offset});
  Eigen::Map<Vector<T>> q(post, layer.rows * n);
  if (pre != post) q = Eigen::Map<const Vector<T>>(pre, layer.rows * n);
  activate_in_place<T>(shape_.activation, q);
}

// The batched forward pass into the work space, in T, with the parameters `p` (laid out as
// params_): layer l's activations in buffer 2 l + 1 and (tanh, gelu) its pre-activations in 2 l,
// the predictions (one per column of X) in the returned buffer.
template <class T>
T* Mlp::forward_pass(const T* p, const T* x, Eigen::Index x_stride, Eigen::Index n) const {
  Workspace<T>& ws = workspace<T>();
  const T* in = x;
  Eigen::Index in_stride = x_stride;
  const std::size_t hidden = layers_.size() - 1;
  const bool relu = shape_.activation == Activation::relu;
  if constexpr (kSkipZeros<T>) ws.weights_finite.assign(layers_.size(), false);
  for (std::size_t l = 0; l < hidden; ++l) {
    const Layer& layer = layers_[l];
    T* post = ws.get(2 * l + 1, layer.rows * n);
    T* pre = relu ? post : ws.get(2 * l, layer.rows * n);
    // Past the first layer, the input is relu's output, about half exact zeros: their terms
    // skipped in double (kSkipZeros).
    bool skip = false;
    if constexpr (kSkipZeros<T>) {
      skip = relu && l > 0 && gemm::all_finite<T>(layer.rows, layer.cols, p + layer.weight_offset, layer.rows);
      ws.weights_finite[l] = skip;
    }
    hidden_layer<T>(layer, p, in, in_stride, n, pre, post, skip);
    in = post;
    in_stride = layer.rows;
  }
  const Layer& head = layers_.back();
  T* v = ws.get(2 * hidden, n);
  if constexpr (std::is_same_v<T, float>) {  // float need not match double's order: the dot products in packets
    gemm::row_times<T>(n, head.cols, p + head.weight_offset, {in, 1, in_stride}, v, Bias<T>{p + head.bias_offset});
  } else {
    // Each state's value summed over the inputs in order, as a one-row product (all scalar
    // tail) would: on the inputs transposed, the states are rows, which packets hold together.
    T* in_t = ws.get(transposed_buffer(), head.cols * n);
    gemm::transpose<T>(head.cols, n, in, in_stride, in_t, n);
    gemm::multiply_vector<T>(n, head.cols, in_t, n, p + head.weight_offset, v, OutputBias<T>{p[head.bias_offset]});
  }
  return v;
}

Eigen::VectorXd Mlp::predict_batch(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  check_call(X.rows());
  return Eigen::Map<const Eigen::VectorXd>(forward_pass<double>(params_.data(), X.data(), X.outerStride(), X.cols()),
                                           X.cols());
}

// Forward and backward pass in T: returns the mean loss, writes the gradient into `grad`.
template <class T>
double Mlp::backprop(const T* p, const T* x, Eigen::Index x_stride, Eigen::Index n, const double* targets, double tau,
                     T* grad) const {
  const ExpectileLoss loss(tau);
  using Map = Eigen::Map<Matrix<T>>;
  Workspace<T>& ws = workspace<T>();
  const std::size_t hidden = layers_.size() - 1;
  const T* v = forward_pass<T>(p, x, x_stride, n);
  // The backward pass's buffers follow the forward pass's: dv, two deltas, then the one for
  // transposes (the forward pass's last, W's here).
  Eigen::Index widest = 1;
  for (const Layer& layer : layers_) widest = std::max({widest, layer.rows, layer.cols});
  const std::size_t extra = 2 * hidden + 1;
  T* dv = ws.get(extra, n);
  T* delta_data = ws.get(extra + 1, widest * n);
  T* spare_data = ws.get(extra + 2, widest * n);
  T* transposed = ws.get(transposed_buffer(), widest * widest);
  const auto input = [&](std::size_t l) {  // layer l's input and its column stride
    return l == 0 ? gemm::Operand<T>{x, 1, x_stride} : gemm::Operand<T>{ws.buffers[2 * l - 1].data(), 1, layers_[l - 1].rows};
  };

  // dL/dv of the MEAN loss, hence the 1/n.
  double total = 0.0;
  const double inv_n = 1.0 / static_cast<double>(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    total += loss.value(targets[j], v[j]);
    dv[j] = static_cast<T>(loss.derivative(targets[j], v[j]) * inv_n);
  }

  // Backward pass: each layer's weight gradient is delta * input^T over the whole batch. The
  // product that makes a hidden layer's delta applies relu's derivative on its way out; tanh's
  // and gelu's follow in a pass of their own.
  const auto into_delta = [&](std::size_t l, T* delta, auto&& product) {  // hidden layer l's, chained
    const Layer& layer = layers_[l];
    const T* post = ws.buffers[2 * l + 1].data();
    if (shape_.activation == Activation::relu) {
      product(ReluDerivative<T>{post, layer.rows});
      return;
    }
    product(gemm::Store<T>{});
    chain_activation<T>(shape_.activation, Map(ws.buffers[2 * l].data(), layer.rows, n), Map(const_cast<T*>(post), layer.rows, n),
                        Map(delta, layer.rows, n));
  };
  const Layer& head = layers_.back();
  const gemm::Operand<T> head_in = input(hidden);
  gemm::multiply<T>(head.cols, 1, n, head_in.data, head_in.n_stride, {dv, 1, 0}, grad + head.weight_offset, head.cols);
  grad[head.bias_offset] = Eigen::Map<const Vector<T>>(dv, n).sum();
  if (hidden > 0)
    into_delta(hidden - 1, delta_data, [&](const auto& out) {
      gemm::outer<T>(head.cols, n, p + head.weight_offset, dv, 1, delta_data, head.cols, out);
    });
  for (std::size_t l = hidden; l-- > 0;) {
    const Layer& layer = layers_[l];
    const gemm::Operand<T> in = input(l);
    gemm::multiply<T>(layer.rows, layer.cols, n, delta_data, layer.rows, {in.data, in.n_stride, 1},
                      grad + layer.weight_offset, layer.rows);
    gemm::row_sums<T>(layer.rows, n, delta_data, layer.rows, grad + layer.bias_offset);
    if (l > 0) {  // W^T delta into the spare buffer, which then becomes delta
      gemm::transpose<T>(layer.rows, layer.cols, p + layer.weight_offset, layer.rows, transposed, layer.cols);
      into_delta(l - 1, spare_data, [&](const auto& out) {
        // relu's derivative masked this delta (layer l's own output is relu's): its zeros'
        // terms skipped when W is finite, as the forward pass found.
        if (kSkipZeros<T> && ws.weights_finite[l])
          gemm::multiply_skipping_zeros<T>(layer.cols, n, layer.rows, transposed, layer.cols, {delta_data, 1, layer.rows},
                                           spare_data, layer.cols, out);
        else
          gemm::multiply<T>(layer.cols, n, layer.rows, transposed, layer.cols, {delta_data, 1, layer.rows}, spare_data,
                            layer.cols, out);
      });
      std::swap(delta_data, spare_data);
    }
  }
  return total * inv_n;
}

template <class Vector>
bool Mlp::begin_gradient(Eigen::Index input_rows, Eigen::Index n, Eigen::Index targets, double tau, Vector& grad) const {
  static_cast<void>(ExpectileLoss(tau));  // throws on tau outside (0, 1), even for an empty batch
  check_call(input_rows);
  if (targets != n)
    throw std::invalid_argument("MLP loss: " + std::to_string(n) + " samples but " + std::to_string(targets) +
                                " targets");
  grad.resize(params_.size());  // every entry is written by backprop, so no zeroing
  if (n == 0) grad.setZero();
  return n > 0;
}

double Mlp::loss_and_gradient(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::Ref<const Eigen::VectorXd>& targets,
                              double tau, Eigen::VectorXd& grad, Precision precision) const {
  if (precision == Precision::float32) {
    thread_local Eigen::VectorXf p32, grad32;
    to_float(params_, p32);
    const double l = loss_and_gradient(p32, X, targets, tau, grad32);
    to_double(grad32, grad);
    return l;
  }
  if (!begin_gradient(X.rows(), X.cols(), targets.size(), tau, grad)) return 0.0;
  return backprop<double>(params_.data(), X.data(), X.outerStride(), X.cols(), targets.data(), tau, grad.data());
}

double Mlp::loss_and_gradient(const Eigen::VectorXf& parameters, const Eigen::Ref<const Eigen::MatrixXd>& X,
                              const Eigen::Ref<const Eigen::VectorXd>& targets, double tau, Eigen::VectorXf& grad) const {
  if (parameters.size() != params_.size())
    throw std::invalid_argument("MLP float parameters have " + std::to_string(parameters.size()) + " entries, the model " +
                                std::to_string(params_.size()));
  const Eigen::Index n = X.cols();
  if (!begin_gradient(X.rows(), n, targets.size(), tau, grad)) return 0.0;
  thread_local std::vector<float> x32;  // the batch narrowed
  for (Eigen::Index j = 0; j < n; ++j)
    narrow(X.data() + j * X.outerStride(), X.rows(), x32, static_cast<std::size_t>(j * X.rows()));
  return backprop<float>(parameters.data(), x32.data(), X.rows(), n, targets.data(), tau, grad.data());
}

void to_float(const Eigen::Ref<const Eigen::VectorXd>& from, Eigen::VectorXf& to) {
  to.resize(from.size());
  const double* f = from.data();
  float* t = to.data();
  for (Eigen::Index i = 0; i < from.size(); ++i) t[i] = static_cast<float>(f[i]);
}

void to_double(const Eigen::Ref<const Eigen::VectorXf>& from, Eigen::VectorXd& to) {
  to.resize(from.size());
  const float* f = from.data();
  double* t = to.data();
  for (Eigen::Index i = 0; i < from.size(); ++i) t[i] = f[i];
}

}  // namespace specsim::policies::learner

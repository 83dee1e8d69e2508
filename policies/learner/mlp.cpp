#include "policies/learner/mlp.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <stdexcept>
#include <string>
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
double gelu(double z) { return 0.5 * z * (1.0 + std::erf(z * kInvSqrt2)); }
double gelu_derivative(double z) {
  return 0.5 * (1.0 + std::erf(z * kInvSqrt2)) + z * kInvSqrt2Pi * std::exp(-0.5 * z * z);
}

void activate_in_place(Activation a, Eigen::Map<Eigen::VectorXd> z) {
  switch (a) {
    case Activation::relu: z = z.cwiseMax(0.0); break;
    case Activation::tanh: z = z.array().tanh().matrix(); break;
    case Activation::gelu: z = z.unaryExpr(&gelu); break;
  }
}

// Turns delta = dL/d(post-activation) into dL/d(pre-activation). tanh' is computed from the
// stored output (1 - tanh^2) to avoid a second tanh; relu' at exactly 0 is taken as 0.
void chain_activation(Activation a, const Eigen::Map<Eigen::MatrixXd>& pre, const Eigen::Map<Eigen::MatrixXd>& post,
                      Eigen::Map<Eigen::MatrixXd> delta) {
  switch (a) {
    case Activation::relu: delta = (pre.array() > 0.0).select(delta.array(), 0.0).matrix(); break;
    case Activation::tanh: delta.array() *= 1.0 - post.array().square(); break;
    case Activation::gelu: delta.array() *= pre.array().unaryExpr(&gelu_derivative); break;
  }
}

// The work space of the batched passes, per thread and kept across calls: once its buffers have
// grown to a batch, a training job allocates nothing (buffers only grow; Eigen maps view them).
struct Workspace {
  std::vector<std::vector<double>> buffers;
  double* get(std::size_t i, Eigen::Index size) {
    if (buffers.size() <= i) buffers.resize(i + 1);
    if (buffers[i].size() < static_cast<std::size_t>(size)) buffers[i].resize(static_cast<std::size_t>(size));
    return buffers[i].data();
  }
};
thread_local Workspace workspace;

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
    const Layer& layer = layers_[l];
    Eigen::Map<Eigen::VectorXd> z(out, layer.rows);
    z.noalias() = weights(params_, layer) * Eigen::Map<const Eigen::VectorXd>(in, layer.cols);
    z += biases(params_, layer);
    activate_in_place(shape_.activation, z);
    in = out;
    std::swap(out, spare);
  }
  const Layer& head = layers_.back();
  return Eigen::Map<const Eigen::VectorXd>(params_.data() + head.weight_offset, head.cols)
             .dot(Eigen::Map<const Eigen::VectorXd>(in, head.cols)) +
         params_[head.bias_offset];
}

// The batched forward pass into the work space: layer l's pre-activations in buffer 2 l, its
// activations in 2 l + 1, the predictions (one per column of X) in the returned buffer.
double* Mlp::forward_batch(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  check_call(X.rows());
  const Eigen::Index n = X.cols();
  const double* in = X.data();
  Eigen::Index in_stride = X.outerStride();
  const std::size_t hidden = layers_.size() - 1;
  for (std::size_t l = 0; l < hidden; ++l) {
    const Layer& layer = layers_[l];
    double* pre = workspace.get(2 * l, layer.rows * n);
    double* post = workspace.get(2 * l + 1, layer.rows * n);
    gemm::multiply<double>(layer.rows, n, layer.cols, params_.data() + layer.weight_offset, layer.rows,
                           {in, 1, in_stride}, pre, layer.rows);
    Eigen::Map<Eigen::MatrixXd> p(pre, layer.rows, n);
    p.colwise() += biases(params_, layer);
    Eigen::Map<Eigen::VectorXd> q(post, layer.rows * n);
    q = Eigen::Map<const Eigen::VectorXd>(pre, layer.rows * n);
    activate_in_place(shape_.activation, q);
    in = post;
    in_stride = layer.rows;
  }
  const Layer& head = layers_.back();
  double* v = workspace.get(2 * hidden, n);
  gemm::multiply<double>(1, n, head.cols, params_.data() + head.weight_offset, 1, {in, 1, in_stride}, v, 1);
  const double bias = params_[head.bias_offset];
  for (Eigen::Index j = 0; j < n; ++j) v[j] += bias;
  return v;
}

Eigen::VectorXd Mlp::predict_batch(const Eigen::Ref<const Eigen::MatrixXd>& X) const {
  return Eigen::Map<const Eigen::VectorXd>(forward_batch(X), X.cols());
}

double Mlp::loss_and_gradient(const Eigen::Ref<const Eigen::MatrixXd>& X, const Eigen::Ref<const Eigen::VectorXd>& targets,
                              double tau, Eigen::VectorXd& grad) const {
  const ExpectileLoss loss(tau);
  check_call(X.rows());
  const Eigen::Index n = X.cols();
  if (targets.size() != n)
    throw std::invalid_argument("MLP loss: " + std::to_string(n) + " samples but " +
                                std::to_string(targets.size()) + " targets");
  grad.resize(params_.size());  // every entry is written below, so no zeroing
  if (n == 0) {
    grad.setZero();
    return 0.0;
  }
  using Map = Eigen::Map<Eigen::MatrixXd>;
  const std::size_t hidden = layers_.size() - 1;
  const double* v = forward_batch(X);
  // The backward pass's buffers follow the forward pass's: dv, two deltas, W transposed.
  Eigen::Index widest = 1;
  for (const Layer& layer : layers_) widest = std::max({widest, layer.rows, layer.cols});
  const std::size_t extra = 2 * hidden + 1;
  double* dv = workspace.get(extra, n);
  double* delta_data = workspace.get(extra + 1, widest * n);
  double* spare_data = workspace.get(extra + 2, widest * n);
  double* transposed = workspace.get(extra + 3, widest * widest);
  const auto input = [&](std::size_t l) {  // layer l's input and its column stride
    return l == 0 ? gemm::Operand<double>{X.data(), 1, X.outerStride()}
                  : gemm::Operand<double>{workspace.buffers[2 * l - 1].data(), 1, layers_[l - 1].rows};
  };

  // dL/dv of the MEAN loss, hence the 1/n.
  double total = 0.0;
  const double inv_n = 1.0 / static_cast<double>(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    total += loss.value(targets[j], v[j]);
    dv[j] = loss.derivative(targets[j], v[j]) * inv_n;
  }

  // Backward pass: each layer's weight gradient is delta * input^T over the whole batch.
  const Layer& head = layers_.back();
  const gemm::Operand<double> head_in = input(hidden);
  gemm::multiply<double>(head.cols, 1, n, head_in.data, head_in.n_stride, {dv, 1, 0}, grad.data() + head.weight_offset,
                         head.cols);
  grad[head.bias_offset] = Eigen::Map<const Eigen::VectorXd>(dv, n).sum();
  gemm::multiply<double>(head.cols, n, 1, params_.data() + head.weight_offset, head.cols, {dv, 0, 1}, delta_data,
                         head.cols);
  for (std::size_t l = hidden; l-- > 0;) {
    const Layer& layer = layers_[l];
    Map delta(delta_data, layer.rows, n);
    chain_activation(shape_.activation, Map(workspace.buffers[2 * l].data(), layer.rows, n),
                     Map(workspace.buffers[2 * l + 1].data(), layer.rows, n), delta);
    const gemm::Operand<double> in = input(l);
    gemm::multiply<double>(layer.rows, layer.cols, n, delta_data, layer.rows, {in.data, in.n_stride, 1},
                           grad.data() + layer.weight_offset, layer.rows);
    biases(grad, layer) = delta.rowwise().sum();
    if (l > 0) {  // W^T delta into the spare buffer, which then becomes delta
      Eigen::Map<Eigen::MatrixXd>(transposed, layer.cols, layer.rows) = weights(params_, layer).transpose();
      gemm::multiply<double>(layer.cols, n, layer.rows, transposed, layer.cols, {delta_data, 1, layer.rows},
                             spare_data, layer.cols);
      std::swap(delta_data, spare_data);
    }
  }
  return total * inv_n;
}

}  // namespace specsim::policies::learner

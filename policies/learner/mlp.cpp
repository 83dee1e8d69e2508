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
constexpr bool kSkipsZeros = std::is_same_v<T, double>;  // Mlp::skips_zeros

// gemm::multiply_marked in double; in float, where Mlp never calls it, nothing (not compiled:
// it would change how the float passes are inlined).
template <class T, class Epilogue = gemm::Store<T>>
void skipping_zeros(Eigen::Index M, Eigen::Index N, Eigen::Index K, const T* a, Eigen::Index lda, gemm::Operand<T> b,
                    const std::uint64_t* marks, T* c, Eigen::Index ldc, const Epilogue& out = {}) {
  if constexpr (kSkipsZeros<T>) gemm::multiply_marked<T>(M, N, K, a, lda, b, marks, c, ldc, out);
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
// operations on twice the entries. Those that write relu's outputs and deltas can mark their
// nonzero entries on the way (Mark: gemm::Marker), for the products that skip them.
template <class T, class Mark = gemm::NoMarker<T>>
struct BiasRelu {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  const T* bias;
  Mark marks{};
  void packet(T* c, Packet acc, Eigen::Index row, Eigen::Index col) const {
    using namespace Eigen::internal;
    const Packet v = pmax(padd(acc, ploadu<Packet>(bias + row)), pset1<Packet>(T(0)));
    pstoreu(c, v);
    marks.packet(v, row, col);
  }
  void scalar(T* c, T acc, Eigen::Index row, Eigen::Index col) const {
    *c = std::max(acc + bias[row], T(0));
    marks.scalar(*c, row, col);
  }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(T* c, V acc, Eigen::Index row, Eigen::Index col) const {
    using namespace gemm::detail;
    const V v = wide_max(wide_add(acc, wide_load(bias + row)), wide_set1(T(0)));
    wide_store(c, v);
    marks.wide(v, row, col);
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
template <class T, class Mark = gemm::NoMarker<T>>
struct ReluDerivative {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  const T* post;
  Eigen::Index ld;
  Mark marks{};
  void packet(T* c, Packet acc, Eigen::Index row, Eigen::Index col) const {
    using namespace Eigen::internal;
    const Packet v = pand(acc, pcmp_lt(pset1<Packet>(T(0)), ploadu<Packet>(post + col * ld + row)));
    pstoreu(c, v);
    marks.packet(v, row, col);
  }
  void scalar(T* c, T acc, Eigen::Index row, Eigen::Index col) const {
    *c = post[col * ld + row] > T(0) ? acc : T(0);
    marks.scalar(*c, row, col);
  }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(T* c, V acc, Eigen::Index row, Eigen::Index col) const {
    using namespace gemm::detail;
    const V v = wide_and(acc, wide_lt(wide_set1(T(0)), wide_load(post + col * ld + row)));
    wide_store(c, v);
    marks.wide(v, row, col);
  }
#endif
};

// Calls f with the Marker for the marks of a matrix of `rows` rows: with one word a column
// where they fit in one (gemm::Marker's OneWord: the learner's layers are narrower than 64).
// For the deltas' epilogues (measured: written out, a job took about 100 instructions more).
template <class T, class F>
void with_marker(std::uint64_t* marks, Eigen::Index rows, F&& f) {
  if (rows <= 64) f(gemm::Marker<T, true>{marks, 1});
  else f(gemm::Marker<T>{marks, gemm::mark_words(rows)});
}

// The work space of the batched passes, per thread and kept across calls: once its buffers have
// grown to a batch, a training job allocates nothing (buffers only grow; Eigen maps view them).
template <class T>
struct Workspace {
  std::vector<std::vector<T>> buffers;
  // Per hidden layer, set by the forward pass: whether its products W in and W^T delta skip
  // the zero entries of in and delta (Mlp::skips_zeros, and the layer's weights are finite).
  std::vector<char> skipping;
  // Marks (gemm::nonzero_marks) of the products' B: per hidden layer its output's, then its
  // delta's, then one for marks transposed.
  std::vector<std::vector<std::uint64_t>> marks;
  // Inline where the buffer has grown already (every call of a warm job), the growing apart.
  T* get(std::size_t i, Eigen::Index size) {
    if (i < buffers.size() && buffers[i].size() >= static_cast<std::size_t>(size)) [[likely]]
      return buffers[i].data();
    return grown(i, size);
  }
  [[gnu::noinline]] T* grown(std::size_t i, Eigen::Index size) {
    if (buffers.size() <= i) buffers.resize(i + 1);
    if (buffers[i].size() < static_cast<std::size_t>(size)) buffers[i].resize(static_cast<std::size_t>(size));
    return buffers[i].data();
  }
  // Marks slot i for `columns` columns of `rows` entries, zeroed for the epilogues that or them in.
  std::uint64_t* marks_slot(std::size_t i, Eigen::Index rows, Eigen::Index columns, bool zeroed = true) {
    const auto words = static_cast<std::size_t>(gemm::mark_words(rows) * columns);
    std::uint64_t* slot = i < marks.size() && marks[i].size() >= words ? marks[i].data() : grown_marks(i, words);
    if (zeroed) std::fill_n(slot, words, std::uint64_t(0));
    return slot;
  }
  [[gnu::noinline]] std::uint64_t* grown_marks(std::size_t i, std::size_t words) {
    if (marks.size() <= i) marks.resize(i + 1);
    if (marks[i].size() < words) marks[i].resize(words);
    return marks[i].data();
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
  scratch_marks_.resize(2 * static_cast<std::size_t>(gemm::mark_words(widest)));
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

// Relu's zeros: a hidden layer after the first takes a relu layer's output, about half of it
// exactly zero, and its delta is masked where its own output is (on dsp-openagi-like 52% and
// 72% of the two layers' outputs in a job). Leaving those terms out of the layer's products (W
// in, W^T delta, and its weight gradient, summed as (in delta^T)^T over delta's zeros) keeps
// the bits when the other factor is finite (gemm::multiply_marked); the epilogues that write
// the outputs and deltas mark their nonzero entries (gemm::Marker), a prediction too when its
// owner vouches for the weights (predict_finite). In double only: in float a column of 32 rows is 4 registers,
// and a term's bookkeeping (finding its k, loading A's column: 7 instructions) costs about what
// it saves (9), so that a job in float took 9% more instructions so.
template <class T>
bool Mlp::skips_zeros(std::size_t l) const {
  return kSkipsZeros<T> && l > 0 && shape_.activation == Activation::relu;
}

double Mlp::predict(const Eigen::Ref<const Eigen::VectorXd>& x) const { return predict(x, false); }
double Mlp::predict_finite(const Eigen::Ref<const Eigen::VectorXd>& x) const { return predict(x, true); }

// finite: the caller's word that every weight is finite, which lets a relu layer after the first
// skip its input's zeros, marked by the layer before (checking W here, once per call, would cost
// about what the zeros save).
double Mlp::predict(const Eigen::Ref<const Eigen::VectorXd>& x, bool finite) const {
  check_call(x.size());
  const double* in = x.data();
  double* out = scratch_a_.data();
  double* spare = scratch_b_.data();
  std::uint64_t* in_marks = nullptr;
  std::uint64_t* out_marks = scratch_marks_.data();
  std::uint64_t* spare_marks = out_marks + scratch_marks_.size() / 2;
  const std::size_t hidden = layers_.size() - 1;
  for (std::size_t l = 0; l < hidden; ++l) {
    const Layer& layer = layers_[l];
    const bool marked = finite && l + 1 < hidden && skips_zeros<double>(l + 1);  // the next layer skips
    if (marked) std::fill_n(out_marks, gemm::mark_words(layer.rows), std::uint64_t(0));
    hidden_layer<double>(layer, params_.data(), in, layer.cols, 1, out, out, in_marks, marked ? out_marks : nullptr);
    in = out;
    std::swap(out, spare);
    in_marks = marked ? out_marks : nullptr;
    std::swap(out_marks, spare_marks);
  }
  const Layer& head = layers_.back();
  return Eigen::Map<const Eigen::VectorXd>(params_.data() + head.weight_offset, head.cols)
             .dot(Eigen::Map<const Eigen::VectorXd>(in, head.cols)) +
         params_[head.bias_offset];
}

// A hidden layer on n columns of its input: its activations into `post` and, for tanh and gelu,
// its pre-activations into `pre` (which may be `post` when they need not be kept). in_marks:
// the input's marks, whose zeros the product leaves out (skips_zeros(), with finite weights),
// or null; out_marks: where relu's outputs are marked for the next layer's product (zeroed), or null.
template <class T>
void Mlp::hidden_layer(const Layer& layer, const T* p, const T* in, Eigen::Index in_stride, Eigen::Index n, T* pre,
                       T* post, const std::uint64_t* in_marks, std::uint64_t* out_marks) const {
  const T* w = p + layer.weight_offset;
  // Inlined at each use: a prediction's call into it cost about 10 instructions.
  const auto product = [&](T* out, const auto& epilogue) __attribute__((always_inline)) {
    if (in_marks)
      skipping_zeros<T>(layer.rows, n, layer.cols, w, layer.rows, {in, 1, in_stride}, in_marks, out, layer.rows, epilogue);
    else if (n == 1) gemm::multiply_vector<T>(layer.rows, layer.cols, w, layer.rows, in, out, epilogue);
    else gemm::multiply<T>(layer.rows, n, layer.cols, w, layer.rows, {in, 1, in_stride}, out, layer.rows, epilogue);
  };
  if (shape_.activation == Activation::relu) {
    if constexpr (kSkipsZeros<T>)
      if (out_marks) {
        // (Not with_marker: a prediction's path measured 14 instructions dearer through it.)
        if (layer.rows <= 64) product(post, BiasRelu<T, gemm::Marker<T, true>>{p + layer.bias_offset, {out_marks, 1}});
        else product(post, BiasRelu<T, gemm::Marker<T>>{p + layer.bias_offset, {out_marks, gemm::mark_words(layer.rows)}});
        return;
      }
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
  ws.skipping.resize(hidden);
  for (std::size_t l = 0; l < hidden; ++l)
    ws.skipping[l] = skips_zeros<T>(l) && gemm::all_finite(p + layers_[l].weight_offset, layers_[l].rows * layers_[l].cols);
  const std::uint64_t* in_marks = nullptr;
  for (std::size_t l = 0; l < hidden; ++l) {
    const Layer& layer = layers_[l];
    T* post = ws.get(2 * l + 1, layer.rows * n);
    T* pre = shape_.activation == Activation::relu ? post : ws.get(2 * l, layer.rows * n);
    // The next layer's product skips this one's zeros (and its weight gradient reads the marks).
    // (kSkipsZeros first: compiled in float, the slot's code changed how GCC inlined its products.)
    std::uint64_t* out_marks =
        kSkipsZeros<T> && l + 1 < hidden && ws.skipping[l + 1] ? ws.marks_slot(l, layer.rows, n) : nullptr;
    hidden_layer<T>(layer, p, in, in_stride, n, pre, post, in_marks, out_marks);
    in = post;
    in_stride = layer.rows;
    in_marks = out_marks;
  }
  const Layer& head = layers_.back();
  T* v = ws.get(2 * hidden, n);
  if constexpr (std::is_same_v<T, float>) {  // float need not match double's order: the dot products in packets
    gemm::row_times<T>(n, head.cols, p + head.weight_offset, {in, 1, in_stride}, v, Bias<T>{p + head.bias_offset});
  } else {
    // Each state's value summed over the inputs in order, as a one-row product (all scalar
    // tail) would; four states at a time, their inputs transposed in registers.
    gemm::row_in_order<T>(n, head.cols, p + head.weight_offset, in, in_stride, v, OutputBias<T>{p[head.bias_offset]});
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
  // W for W^T delta, and before it a layer's input for its weight gradient skipping zeros.
  T* transposed = ws.get(transposed_buffer(), widest * std::max(widest, n));
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
  // Layer l's delta is marked for its products that skip its zeros (the weight gradient, W^T delta).
  const auto delta_marks = [&](std::size_t l) { return hidden + l; };  // its work space slot
  // The marks of delta^T for the weight gradient (a unit's over the batch), made by the product
  // that makes delta where they fit a word (TransposingMarker), else from delta itself.
  const std::size_t transposed_marks = 2 * hidden;
  bool delta_marked_transposed = false;
  const auto into_delta = [&](std::size_t l, T* delta, auto&& product) {  // hidden layer l's, chained
    const Layer& layer = layers_[l];
    const T* post = ws.buffers[2 * l + 1].data();
    delta_marked_transposed = false;
    if (shape_.activation == Activation::relu) {
      if constexpr (kSkipsZeros<T>)
        if (skips_zeros<T>(l)) {
          std::uint64_t* marks = ws.marks_slot(delta_marks(l), layer.rows, n);
          if (layer.rows <= 64 && n <= 64) {  // and the weight gradient's marks of delta^T on the way
            std::uint64_t* marks_t = ws.marks_slot(transposed_marks, n, layer.rows);
            product(ReluDerivative<T, gemm::TransposingMarker<T>>{post, layer.rows, {{marks, 1}, marks_t}});
            delta_marked_transposed = true;
            return;
          }
          with_marker<T>(marks, layer.rows,
                         [&](auto marker) { product(ReluDerivative<T, decltype(marker)>{post, layer.rows, marker}); });
          return;
        }
      product(ReluDerivative<T>{post, layer.rows});
      return;
    }
    product(gemm::Store<T>{});
    chain_activation<T>(shape_.activation, Map(ws.buffers[2 * l].data(), layer.rows, n), Map(const_cast<T*>(post), layer.rows, n),
                        Map(delta, layer.rows, n));
  };
  // delta in^T without in's zeros (skips_zeros, and delta finite), else false: in^T's marks (a
  // unit over the batch) made from in itself, in^T read by strides (no transposed copy).
  const auto skipping_weight_gradient = [&](std::size_t l, gemm::Operand<T> in) {
    if constexpr (kSkipsZeros<T>) {
      const Layer& layer = layers_[l];
      if (!skips_zeros<T>(l) || !gemm::all_finite(in.data, layer.cols * n)) return false;
      std::uint64_t* marks_t = ws.marks_slot(transposed_marks, n, layer.rows, false);
      if (!delta_marked_transposed) gemm::nonzero_marks_transposed<T>(layer.rows, n, delta_data, layer.rows, marks_t);
      skipping_zeros<T>(layer.cols, layer.rows, n, in.data, in.n_stride, {delta_data, layer.rows, 1}, marks_t,
                        transposed, layer.cols);
      gemm::transpose<T>(layer.cols, layer.rows, transposed, layer.cols, grad + layer.weight_offset, layer.rows);
      return true;
    } else {
      static_cast<void>(l);
      static_cast<void>(in);
      return false;
    }
  };
  const Layer& head = layers_.back();
  const gemm::Operand<T> head_in = input(hidden);
  gemm::multiply_vector<T>(head.cols, n, head_in.data, head_in.n_stride, dv, grad + head.weight_offset);
  grad[head.bias_offset] = Eigen::Map<const Vector<T>>(dv, n).sum();
  if (hidden > 0)
    into_delta(hidden - 1, delta_data, [&](const auto& out) {
      gemm::outer<T>(head.cols, n, p + head.weight_offset, dv, 1, delta_data, head.cols, out);
    });
  for (std::size_t l = hidden; l-- > 0;) {
    const Layer& layer = layers_[l];
    const gemm::Operand<T> in = input(l);
    if (!skipping_weight_gradient(l, in))
      gemm::multiply<T>(layer.rows, layer.cols, n, delta_data, layer.rows, {in.data, in.n_stride, 1},
                        grad + layer.weight_offset, layer.rows);
    gemm::row_sums<T>(layer.rows, n, delta_data, layer.rows, grad + layer.bias_offset);
    if (l > 0) {  // W^T delta into the spare buffer, which then becomes delta
      gemm::transpose<T>(layer.rows, layer.cols, p + layer.weight_offset, layer.rows, transposed, layer.cols);
      into_delta(l - 1, spare_data, [&](const auto& out) {
        if (ws.skipping[l])
          skipping_zeros<T>(layer.cols, n, layer.rows, transposed, layer.cols, {delta_data, 1, layer.rows},
                            ws.marks[delta_marks(l)].data(), spare_data, layer.cols, out);
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

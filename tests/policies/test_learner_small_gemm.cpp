// The learner's small product: every shape (packet blocks, tails of rows and columns, K = 1),
// both ways of addressing B, in double and float, against the plain triple loop summed in the
// same order (so equality is exact).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "policies/learner/small_gemm.hpp"
#include "sim/random.hpp"

using namespace specsim::policies::learner;

namespace {

template <class T>
void check_shape(Eigen::Index M, Eigen::Index N, Eigen::Index K, bool b_transposed) {
  specsim::sim::RandomStream rng(5, "gemm", static_cast<std::uint64_t>(M * 10000 + N * 100 + K));
  const Eigen::Index lda = M + 1;  // a leading dimension larger than the rows
  std::vector<T> a(static_cast<std::size_t>(lda * K)), b(static_cast<std::size_t>(K * N));
  for (T& x : a) x = static_cast<T>(rng.normal());
  for (T& x : b) x = static_cast<T>(rng.normal());
  const gemm::Operand<T> op = b_transposed ? gemm::Operand<T>{b.data(), N, 1} : gemm::Operand<T>{b.data(), 1, K};
  std::vector<T> c(static_cast<std::size_t>(M * N), T(99));  // overwritten, never read
  gemm::multiply<T>(M, N, K, a.data(), lda, op, c.data(), M);
  for (Eigen::Index j = 0; j < N; ++j)
    for (Eigen::Index i = 0; i < M; ++i) {
      T expected = T(0);
      for (Eigen::Index k = 0; k < K; ++k) expected += a[k * lda + i] * op.data[k * op.k_stride + j * op.n_stride];
      CAPTURE(M, N, K, b_transposed, i, j);
      REQUIRE(c[j * M + i] == expected);
    }
}

}  // namespace

TEST_CASE("the small product equals the triple loop for every shape", "[gemm]") {
  for (Eigen::Index M : {1, 2, 3, 5, 8, 9, 16, 17, 32, 33})
    for (Eigen::Index N : {1, 2, 3, 17})
      for (Eigen::Index K : {1, 2, 6, 32})
        for (bool transposed : {false, true}) {
          check_shape<double>(M, N, K, transposed);
          check_shape<float>(M, N, K, transposed);
        }
}

template <class T>
void check_transpose(Eigen::Index rows, Eigen::Index cols) {
  const Eigen::Index lda = rows + 2, ldo = cols + 1;
  std::vector<T> a(static_cast<std::size_t>(lda * cols)), out(static_cast<std::size_t>(ldo * rows), T(-1));
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<T>(i);
  gemm::transpose<T>(rows, cols, a.data(), lda, out.data(), ldo);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) {
      CAPTURE(rows, cols, r, c);
      REQUIRE(out[static_cast<std::size_t>(r * ldo + c)] == a[static_cast<std::size_t>(c * lda + r)]);
    }
}

TEST_CASE("the transpose moves every entry, whole blocks and edges", "[gemm]") {
  for (Eigen::Index rows : {1, 2, 3, 4, 5, 8, 32, 33})
    for (Eigen::Index cols : {1, 2, 3, 4, 6, 7, 32}) {
      check_transpose<double>(rows, cols);
      check_transpose<float>(rows, cols);
    }
}

namespace {

// An epilogue that stores 2 c + its row and column, so a wrong row or column offset shows.
template <class T>
struct Tagged {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  void packet(T* c, Packet acc, Eigen::Index row, Eigen::Index col) const {
    T lanes[Eigen::internal::packet_traits<T>::size];
    Eigen::internal::pstoreu(lanes, acc);
    for (int l = 0; l < Eigen::internal::packet_traits<T>::size; ++l) scalar(c + l, lanes[l], row + l, col);
  }
  void scalar(T* c, T acc, Eigen::Index row, Eigen::Index col) const {
    *c = T(2) * acc + static_cast<T>(1000 * row + col);
  }
};

template <class T>
std::vector<T> random_values(std::size_t size, std::uint64_t stream) {
  specsim::sim::RandomStream rng(6, "gemm.epilogue", stream);
  std::vector<T> v(size);
  for (T& x : v) x = static_cast<T>(rng.normal());
  return v;
}

template <class T>
void check_epilogue_and_outer(Eigen::Index M, Eigen::Index N, Eigen::Index K) {
  const auto stream = static_cast<std::uint64_t>(M * 10000 + N * 100 + K);
  const std::vector<T> a = random_values<T>(static_cast<std::size_t>(M * K), stream);
  const std::vector<T> b = random_values<T>(static_cast<std::size_t>(K * N), stream + 1);
  std::vector<T> plain(static_cast<std::size_t>(M * N)), tagged(plain.size());
  gemm::multiply<T>(M, N, K, a.data(), M, {b.data(), 1, K}, plain.data(), M);
  gemm::multiply<T>(M, N, K, a.data(), M, {b.data(), 1, K}, tagged.data(), M, Tagged<T>{});
  for (Eigen::Index j = 0; j < N; ++j)
    for (Eigen::Index i = 0; i < M; ++i) {
      CAPTURE(M, N, K, i, j);
      const auto at = static_cast<std::size_t>(j * M + i);
      REQUIRE(tagged[at] == T(2) * plain[at] + static_cast<T>(1000 * i + j));
    }
  if (N == 1) {  // the matrix-vector product is multiply with one column, bit for bit
    std::vector<T> vector(plain.size());
    gemm::multiply_vector<T>(M, K, a.data(), M, b.data(), vector.data(), Tagged<T>{});
    REQUIRE(vector == tagged);
  }
  if (K != 1) return;
  // The outer product is multiply with K = 1, bit for bit, epilogue included.
  // Its columns on 256-bit registers in one call, then each column's tail (rows past a multiple
  // of 4 or 8); b read by strides too.
  std::vector<T> outer(plain.size(), T(5));
  gemm::outer<T>(M, N, a.data(), b.data(), 1, outer.data(), M, Tagged<T>{});
  REQUIRE(std::memcmp(outer.data(), tagged.data(), sizeof(T) * outer.size()) == 0);
  std::vector<T> strided_b(static_cast<std::size_t>(3 * N), T(-1));
  for (Eigen::Index j = 0; j < N; ++j) strided_b[static_cast<std::size_t>(3 * j)] = b[static_cast<std::size_t>(j)];
  std::fill(outer.begin(), outer.end(), T(5));
  gemm::outer<T>(M, N, a.data(), strided_b.data(), 3, outer.data(), M, Tagged<T>{});
  REQUIRE(std::memcmp(outer.data(), tagged.data(), sizeof(T) * outer.size()) == 0);
}

}  // namespace

TEST_CASE("row_in_order has multiply_vector's bits on B transposed, NaN and inf included", "[gemm]") {
  // The head's forward pass: each entry summed over k in order, as multiply_vector sums the rows
  // of B^T; here B is read in place (4 x 4 blocks transposed in registers, the rest one by one).
  // non_finite 1: a NaN (negative: its sign shows) and an inf in B; 2: a NaN in a, every entry's
  // first term. (Not both factors of one term NaN: which payload a product keeps then is the
  // compiler's choice of operand order, in multiply_vector as here.)
  const auto check = [](auto zero, Eigen::Index N, Eigen::Index K, int non_finite) {
    using T = decltype(zero);
    const auto stream = static_cast<std::uint64_t>(N * 1000 + K + non_finite * 500000);
    const Eigen::Index ldb = K + 3;
    std::vector<T> a = random_values<T>(static_cast<std::size_t>(K), stream);
    std::vector<T> b = random_values<T>(static_cast<std::size_t>(ldb * N), stream + 1);
    if (non_finite == 1) {
      b[static_cast<std::size_t>((N - 1) * ldb)] = -std::numeric_limits<T>::quiet_NaN();
      b[static_cast<std::size_t>((N / 2) * ldb + K - 1)] = std::numeric_limits<T>::infinity();
    }
    if (non_finite == 2) a[0] = std::numeric_limits<T>::quiet_NaN();
    std::vector<T> bt(static_cast<std::size_t>(N * K));
    for (Eigen::Index j = 0; j < N; ++j)
      for (Eigen::Index k = 0; k < K; ++k) bt[static_cast<std::size_t>(k * N + j)] = b[static_cast<std::size_t>(j * ldb + k)];
    std::vector<T> dense(static_cast<std::size_t>(N), T(7)), direct(dense.size(), T(9));
    gemm::multiply_vector<T>(N, K, bt.data(), N, a.data(), dense.data(), Tagged<T>{});
    gemm::row_in_order<T>(N, K, a.data(), b.data(), ldb, direct.data(), Tagged<T>{});
    CAPTURE(N, K, non_finite, sizeof(T));
    REQUIRE(std::memcmp(dense.data(), direct.data(), sizeof(T) * dense.size()) == 0);
  };
  for (Eigen::Index N : {1, 3, 4, 5, 8, 17, 22, 33})
    for (Eigen::Index K : {1, 2, 4, 5, 7, 32, 33})
      for (int non_finite : {0, 1, 2}) {
        check(0.0, N, K, non_finite);
        check(0.0f, N, K, non_finite);
      }
}

TEST_CASE("an epilogue gets every entry once with its row and column, outer and vector products are multiply's",
          "[gemm]") {
  for (Eigen::Index M : {1, 3, 4, 8, 16, 17, 32, 33, 40, 65})
    for (Eigen::Index N : {1, 2, 3, 4, 7})
      for (Eigen::Index K : {1, 5, 32}) {
        check_epilogue_and_outer<double>(M, N, K);
        check_epilogue_and_outer<float>(M, N, K);
      }
}

TEST_CASE("a row times a matrix in packets agrees with the ordered sum to rounding", "[gemm]") {
  for (Eigen::Index K : {1, 3, 4, 6, 32, 33}) {
    const auto stream = static_cast<std::uint64_t>(K);
    const std::vector<float> a = random_values<float>(static_cast<std::size_t>(K), stream);
    const std::vector<float> b = random_values<float>(static_cast<std::size_t>(K * 5), stream + 7);
    std::vector<float> ordered(5), packets(5);
    gemm::multiply<float>(1, 5, K, a.data(), 1, {b.data(), 1, K}, ordered.data(), 1);
    gemm::row_times<float>(5, K, a.data(), {b.data(), 1, K}, packets.data());
    for (std::size_t j = 0; j < 5; ++j) {
      CAPTURE(K, j);
      CHECK(packets[j] == Approx(ordered[j]).epsilon(1e-5).margin(1e-5));
    }
    if (K < 4) CHECK(packets == ordered);  // no packet: the scalar tail alone, in order
  }
}

TEST_CASE("on 256-bit registers the product has the triple loop's bits too", "[gemm]") {
  // Shapes that fill 256-bit blocks of 4 and 1 registers, with and without 128-bit and scalar
  // tails after them; and the wider blocks of a matrix-vector product.
  if (!gemm::wide_registers()) WARN("this CPU has no AVX: the 128-bit kernel alone was checked");
  for (Eigen::Index M : {4, 6, 7, 12, 16, 20, 31, 40, 64, 65})
    for (Eigen::Index N : {1, 2, 3, 4})
      for (Eigen::Index K : {1, 5, 32}) {
        check_shape<double>(M, N, K, false);
        check_shape<float>(M, N, K, true);
      }
  for (Eigen::Index M : {32, 33, 64, 96, 100})  // the matrix-vector product's 8-register blocks
    for (Eigen::Index K : {1, 6, 32}) {
      const std::vector<double> a = random_values<double>(static_cast<std::size_t>(M * K), 7);
      const std::vector<double> b = random_values<double>(static_cast<std::size_t>(K), 8);
      std::vector<double> c(static_cast<std::size_t>(M));
      gemm::multiply_vector<double>(M, K, a.data(), M, b.data(), c.data());
      for (Eigen::Index i = 0; i < M; ++i) {
        double expected = 0;
        for (Eigen::Index k = 0; k < K; ++k) expected += a[static_cast<std::size_t>(k * M + i)] * b[static_cast<std::size_t>(k)];
        CAPTURE(M, K, i);
        REQUIRE(c[static_cast<std::size_t>(i)] == expected);
      }
    }
}

namespace {

template <class T>
void check_row_sums(Eigen::Index rows, Eigen::Index n, std::size_t offset) {
  const Eigen::Index ld = rows + 1;
  const std::vector<T> a = random_values<T>(static_cast<std::size_t>(ld * n), static_cast<std::uint64_t>(rows * 100 + n));
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  // The output at an offset into an aligned vector, as a layer's biases lie in the gradient.
  Vector eigen_out = Vector::Zero(rows + 4), ours = Vector::Zero(rows + 4);
  Eigen::Map<Vector>(eigen_out.data() + offset, rows) =
      Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>(a.data(), rows, n, {ld}).rowwise().sum();
  gemm::row_sums<T>(rows, n, a.data(), ld, ours.data() + offset);
  CAPTURE(rows, n, offset);
  REQUIRE(std::memcmp(ours.data(), eigen_out.data(), sizeof(T) * static_cast<std::size_t>(ours.size())) == 0);
}

}  // namespace

TEST_CASE("row sums have the bits of Eigen's rowwise().sum()", "[gemm]") {
  for (Eigen::Index rows : {1, 2, 3, 4, 6, 8, 16, 32, 33, 36, 44, 64, 68})  // 8 registers of doubles at a time, and after
    for (Eigen::Index n : {0, 1, 2, 4, 5, 6, 9, 16, 17, 20, 23})
      for (std::size_t offset : {0, 1, 2}) {
        check_row_sums<double>(rows, n, offset);
        check_row_sums<float>(rows, n, offset);
      }
}

namespace {

// B with exact zeros where relu would leave them (+0, and -0 too), one column all zero, and a
// NaN and an infinity that must not be skipped; A finite.
template <class T>
void check_skipping_zeros(Eigen::Index M, Eigen::Index N, Eigen::Index K) {
  const auto stream = static_cast<std::uint64_t>(M * 100000 + N * 1000 + K);
  const Eigen::Index lda = M + 3, ldb = K + 2;
  const std::vector<T> a = random_values<T>(static_cast<std::size_t>(lda * K), stream);
  std::vector<T> b = random_values<T>(static_cast<std::size_t>(ldb * N), stream + 1);
  for (std::size_t i = 0; i < b.size(); ++i)
    if (b[i] < T(0)) b[i] = i % 5 == 0 ? T(-0.0) : T(0);
  for (Eigen::Index k = 0; k < K; ++k) b[static_cast<std::size_t>((N / 2) * ldb + k)] = T(0);
  if (N > 2 && K > 1) {
    b[static_cast<std::size_t>(ldb + K - 1)] = std::numeric_limits<T>::quiet_NaN();
    b[static_cast<std::size_t>(2 * ldb)] = std::numeric_limits<T>::infinity();
  }
  REQUIRE(gemm::all_finite(a.data(), static_cast<Eigen::Index>(a.size())));
  const auto same_bits = [&](const auto& out) {
    std::vector<T> dense(static_cast<std::size_t>(M * N), T(7)), sparse(dense.size(), T(9));
    gemm::multiply<T>(M, N, K, a.data(), lda, {b.data(), 1, ldb}, dense.data(), M, out);
    gemm::multiply_skipping_zeros<T>(M, N, K, a.data(), lda, b.data(), ldb, sparse.data(), M, out);
    CAPTURE(M, N, K);
    REQUIRE(std::memcmp(dense.data(), sparse.data(), sizeof(T) * dense.size()) == 0);
  };
  same_bits(gemm::Store<T>{});
  same_bits(Tagged<T>{});
}

}  // namespace

TEST_CASE("skipping B's zeros gives multiply's bits, all-zero columns, -0, NaN and inf in B included", "[gemm]") {
  for (Eigen::Index M : {1, 3, 4, 8, 16, 17, 32, 33, 40, 65})
    for (Eigen::Index N : {1, 2, 3, 7})
      for (Eigen::Index K : {1, 5, 17, 32, 64, 65, 130}) {
        check_skipping_zeros<double>(M, N, K);
        check_skipping_zeros<float>(M, N, K);
      }
}

TEST_CASE("all_finite finds an infinity or NaN wherever it is", "[gemm]") {
  for (Eigen::Index size : {0, 1, 3, 4, 8, 17, 32, 33, 1024, 1027}) {
    std::vector<double> d = random_values<double>(static_cast<std::size_t>(size), 3);
    std::vector<float> f = random_values<float>(static_cast<std::size_t>(size), 4);
    CHECK(gemm::all_finite(d.data(), size));
    CHECK(gemm::all_finite(f.data(), size));
    CHECK(gemm::all_finite_exact(d.data(), size));
    CHECK(gemm::all_finite_exact(f.data(), size));
    for (Eigen::Index i = 0; i < size; ++i)
      for (double bad : {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                         std::numeric_limits<double>::quiet_NaN()}) {
        const double kept_d = d[static_cast<std::size_t>(i)];
        const float kept_f = f[static_cast<std::size_t>(i)];
        d[static_cast<std::size_t>(i)] = bad;
        f[static_cast<std::size_t>(i)] = static_cast<float>(bad);
        CAPTURE(size, i, bad);
        REQUIRE_FALSE(gemm::all_finite(d.data(), size));
        REQUIRE_FALSE(gemm::all_finite(f.data(), size));
        REQUIRE_FALSE(gemm::all_finite_exact(d.data(), size));
        REQUIRE_FALSE(gemm::all_finite_exact(f.data(), size));
        d[static_cast<std::size_t>(i)] = kept_d;
        f[static_cast<std::size_t>(i)] = kept_f;
      }
  }
}

TEST_CASE("skipping B's zeros needs a finite A: 0 x inf is NaN in multiply", "[gemm]") {
  // Why callers check all_finite first (Mlp falls back to multiply): the dense product of an
  // infinite entry of A with a zero of B is NaN, which the skipped term never makes.
  for (Eigen::Index M : {3, 8, 33}) {
    const Eigen::Index K = 2;
    std::vector<double> a = random_values<double>(static_cast<std::size_t>(M * K), 9);
    a[1] = std::numeric_limits<double>::infinity();  // row 1 of A's column 0
    const std::vector<double> b = {0.0, 1.0};        // B's one column: k = 0 is zero
    std::vector<double> dense(static_cast<std::size_t>(M)), sparse(dense.size());
    gemm::multiply<double>(M, 1, K, a.data(), M, {b.data(), 1, K}, dense.data(), M);
    gemm::multiply_skipping_zeros<double>(M, 1, K, a.data(), M, b.data(), K, sparse.data(), M);
    CAPTURE(M);
    CHECK_FALSE(gemm::all_finite(a.data(), M * K));
    CHECK(std::isnan(dense[1]));
    CHECK(sparse[1] == a[static_cast<std::size_t>(M + 1)]);
    for (std::size_t i = 0; i < dense.size(); ++i)
      if (i != 1) CHECK(dense[i] == sparse[i]);
  }
}

namespace {

// A matrix with relu's zeros (+0 and -0), an all-zero column and, if asked, a NaN and an
// infinity (the marks count them as not zero).
template <class T>
std::vector<T> sparse_values(Eigen::Index rows, Eigen::Index cols, Eigen::Index ld, std::uint64_t stream, bool non_finite) {
  std::vector<T> b = random_values<T>(static_cast<std::size_t>(ld * cols), stream);
  for (std::size_t i = 0; i < b.size(); ++i)
    if (b[i] < T(0)) b[i] = i % 5 == 0 ? T(-0.0) : T(0);
  for (Eigen::Index k = 0; k < rows; ++k) b[static_cast<std::size_t>((cols / 2) * ld + k)] = T(0);
  if (non_finite && cols > 2 && rows > 1) {
    b[static_cast<std::size_t>(ld + rows - 1)] = std::numeric_limits<T>::quiet_NaN();
    b[static_cast<std::size_t>(2 * ld)] = std::numeric_limits<T>::infinity();
  }
  return b;
}

// The marks as a plain loop makes them: bit k of column j where b(k, j) != 0 (NaN included).
template <class T>
std::vector<std::uint64_t> plain_marks(Eigen::Index K, Eigen::Index N, const T* b, Eigen::Index k_stride,
                                       Eigen::Index n_stride) {
  const Eigen::Index words = gemm::mark_words(K);
  std::vector<std::uint64_t> marks(static_cast<std::size_t>(words * N), 0);
  for (Eigen::Index j = 0; j < N; ++j)
    for (Eigen::Index k = 0; k < K; ++k)
      if (!(b[k * k_stride + j * n_stride] == T(0)))
        marks[static_cast<std::size_t>(j * words + k / 64)] |= std::uint64_t(1) << (k % 64);
  return marks;
}

// An epilogue that stores relu of the sum (with its NaN kept: std::max's operand order) and
// marks what it stored, as mlp.cpp's BiasRelu does.
template <class T, class Mark = gemm::Marker<T>>
struct MarkingRelu {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  Mark marks;
  void packet(T* c, Packet acc, Eigen::Index row, Eigen::Index col) const {
    T lanes[Eigen::internal::packet_traits<T>::size];
    Eigen::internal::pstoreu(lanes, acc);
    for (int l = 0; l < Eigen::internal::packet_traits<T>::size; ++l) lanes[l] = relu(lanes[l]);
    const Packet v = Eigen::internal::ploadu<Packet>(lanes);
    Eigen::internal::pstoreu(c, v);
    marks.packet(v, row, col);
  }
  void scalar(T* c, T acc, Eigen::Index row, Eigen::Index col) const {
    *c = relu(acc);
    marks.scalar(*c, row, col);
  }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(T* c, V acc, Eigen::Index row, Eigen::Index col) const {
    T lanes[gemm::detail::kWide<T>];
    gemm::detail::wide_store(lanes, acc);
    for (T& x : lanes) x = relu(x);
    const V v = gemm::detail::wide_load(lanes);
    gemm::detail::wide_store(c, v);
    marks.wide(v, row, col);
  }
#endif
  static T relu(T x) { return std::max(x, T(0)); }  // NaN stays NaN
};

template <class T>
void check_marked(Eigen::Index M, Eigen::Index N, Eigen::Index K, Eigen::Index ldt) {
  const auto stream = static_cast<std::uint64_t>(M * 100000 + N * 1000 + K + 7);
  const Eigen::Index lda = M + 1;
  const std::vector<T> a = random_values<T>(static_cast<std::size_t>(lda * K), stream);
  REQUIRE(gemm::all_finite(a.data(), static_cast<Eigen::Index>(a.size())));
  // B^T stored (N x K, leading dimension ldt) and read by strides, as layer 2's weight
  // gradient reads its delta: B(k, j) = bt[j + k ldt]. With ldt equal to lda the 256-bit kernel
  // finds B's entries at A's column offsets (detail::BRead::a_offsets), else by multiplying.
  const std::vector<T> bt = sparse_values<T>(N, K, ldt, stream + 1, true);
  const gemm::Operand<T> b{bt.data(), ldt, 1};
  std::vector<std::uint64_t> marks(static_cast<std::size_t>(gemm::mark_words(K) * N), ~std::uint64_t(0));
  gemm::nonzero_marks_transposed<T>(N, K, bt.data(), ldt, marks.data());
  CAPTURE(M, N, K, ldt);
  REQUIRE(marks == plain_marks<T>(K, N, bt.data(), ldt, 1));
  const auto same_bits = [&](const auto& out) {
    std::vector<T> dense(static_cast<std::size_t>(M * N), T(7)), sparse(dense.size(), T(9));
    gemm::multiply<T>(M, N, K, a.data(), lda, b, dense.data(), M, out);
    gemm::multiply_marked<T>(M, N, K, a.data(), lda, b, marks.data(), sparse.data(), M, out);
    REQUIRE(std::memcmp(dense.data(), sparse.data(), sizeof(T) * dense.size()) == 0);
  };
  same_bits(gemm::Store<T>{});
  same_bits(Tagged<T>{});
}

// The epilogue's marks against a pass over what it stored, for each product that takes one.
template <class T>
void check_epilogue_marks(Eigen::Index M, Eigen::Index N, Eigen::Index K) {
  const auto stream = static_cast<std::uint64_t>(M * 100000 + N * 1000 + K + 11);
  std::vector<T> a = random_values<T>(static_cast<std::size_t>(M * K), stream);
  if (M > 2) a[1] = std::numeric_limits<T>::quiet_NaN();  // row 1 of C: NaN, marked
  const std::vector<T> b = sparse_values<T>(K, N, K, stream + 1, false);
  const Eigen::Index words = gemm::mark_words(M);
  const auto check = [&](auto&& product) {
    std::vector<T> c(static_cast<std::size_t>(M * N));
    std::vector<std::uint64_t> marks(static_cast<std::size_t>(words * N), 0);
    product(c.data(), MarkingRelu<T>{{marks.data(), words}});
    CAPTURE(M, N, K);
    REQUIRE(marks == plain_marks<T>(M, N, c.data(), 1, M));
    if (M > 64) return;
    // The one-word marker (mlp.cpp's where C's rows fit in a word): the same stores, the same marks.
    std::vector<T> again(c.size());
    std::fill(marks.begin(), marks.end(), std::uint64_t(0));
    product(again.data(), MarkingRelu<T, gemm::Marker<T, true>>{{marks.data(), 1}});
    REQUIRE(std::memcmp(again.data(), c.data(), sizeof(T) * c.size()) == 0);
    REQUIRE(marks == plain_marks<T>(M, N, c.data(), 1, M));
    if constexpr (std::is_same_v<T, double>) {
      if (N > 64) return;
      // With C^T's marks too (mlp.cpp's delta for the weight gradient): the same stores and
      // column marks, and the rows' marks as nonzero_marks_transposed makes them.
      std::vector<std::uint64_t> rows(static_cast<std::size_t>(M), 0);
      std::fill(marks.begin(), marks.end(), std::uint64_t(0));
      std::fill(again.begin(), again.end(), T(5));
      product(again.data(), MarkingRelu<T, gemm::TransposingMarker<T>>{{{marks.data(), 1}, rows.data()}});
      REQUIRE(std::memcmp(again.data(), c.data(), sizeof(T) * c.size()) == 0);
      REQUIRE(marks == plain_marks<T>(M, N, c.data(), 1, M));
      REQUIRE(rows == plain_marks<T>(N, M, c.data(), M, 1));
      std::vector<std::uint64_t> made(rows.size(), ~std::uint64_t(0));
      gemm::nonzero_marks_transposed<T>(M, N, c.data(), M, made.data());
      REQUIRE(rows == made);
    }
  };
  check([&](T* c, const auto& out) { gemm::multiply<T>(M, N, K, a.data(), M, {b.data(), 1, K}, c, M, out); });
  check([&](T* c, const auto& out) { gemm::outer<T>(M, N, a.data(), b.data(), K, c, M, out); });
  if (N == 1) check([&](T* c, const auto& out) { gemm::multiply_vector<T>(M, K, a.data(), M, b.data(), c, out); });
  if (M > 2) return;  // multiply_marked needs a finite A
  const std::vector<std::uint64_t> b_marks = plain_marks<T>(K, N, b.data(), 1, K);
  check([&](T* c, const auto& out) {
    gemm::multiply_marked<T>(M, N, K, a.data(), M, {b.data(), 1, K}, b_marks.data(), c, M, out);
  });
}

}  // namespace

TEST_CASE("multiply_marked reading B by strides gives multiply's bits, its marks made from B^T", "[gemm]") {
  for (Eigen::Index M : {1, 3, 4, 16, 17, 32, 33, 40})
    for (Eigen::Index N : {1, 3, 4, 7, 32, 33})
      for (Eigen::Index K : {1, 5, 16, 17, 64, 65, 130})
        for (Eigen::Index ldt : {N + 1, M + 1}) {  // M + 1: lda, B at A's offsets
          if (ldt < N) continue;
          check_marked<double>(M, N, K, ldt);
          check_marked<float>(M, N, K, ldt);
        }
}

TEST_CASE("epilogues mark what they store as nonzero_marks would, NaN and -0 included", "[gemm]") {
  for (Eigen::Index M : {1, 2, 3, 4, 6, 8, 17, 32, 33, 64, 65, 70})
    for (Eigen::Index N : {1, 2, 3, 5, 20, 64})  // 64: the transposed marks' last bit
      for (Eigen::Index K : {1, 4, 9}) {
        check_epilogue_marks<double>(M, N, K);
        check_epilogue_marks<float>(M, N, K);
      }
}

TEST_CASE("nonzero_marks_transposed marks every row of B, tails and several words included", "[gemm]") {
  for (Eigen::Index K : {1, 3, 4, 5, 8, 32, 33, 36})
    for (Eigen::Index N : {1, 2, 17, 63, 64, 65, 130}) {
      const Eigen::Index ld = K + 2;
      const std::vector<double> b = sparse_values<double>(K, N, ld, static_cast<std::uint64_t>(K * 1000 + N), true);
      std::vector<std::uint64_t> marks(static_cast<std::size_t>(gemm::mark_words(N) * K), ~std::uint64_t(0));
      gemm::nonzero_marks_transposed<double>(K, N, b.data(), ld, marks.data());
      CAPTURE(K, N);
      REQUIRE(marks == plain_marks<double>(N, K, b.data(), ld, 1));
      std::vector<float> f(b.begin(), b.end());
      gemm::nonzero_marks_transposed<float>(K, N, f.data(), ld, marks.data());
      REQUIRE(marks == plain_marks<float>(N, K, f.data(), ld, 1));
    }
}

TEST_CASE("all_finite_exact says yes for finite entries whose sum overflows", "[gemm]") {
  for (Eigen::Index size : {2, 5, 16, 33}) {
    const std::vector<double> d(static_cast<std::size_t>(size), std::numeric_limits<double>::max());
    const std::vector<float> f(static_cast<std::size_t>(size), -std::numeric_limits<float>::max());
    CAPTURE(size);
    CHECK_FALSE(gemm::all_finite(d.data(), size));  // its shortcut: the sum is inf
    CHECK(gemm::all_finite_exact(d.data(), size));
    CHECK(gemm::all_finite_exact(f.data(), size));
  }
}

namespace {

// multiply() where M is a multiple of 8 registers' rows (gemm::detail::wide_columns, on 256-bit
// registers) against the 4-register blocks each column took before (detail::column_block), by
// memcmp: B with +0, -0, an all-zero column, a NaN and an infinity, read either way.
template <class T>
void check_wide_columns(Eigen::Index M, Eigen::Index N, Eigen::Index K, bool b_transposed) {
  const auto stream = static_cast<std::uint64_t>(M * 10000 + N * 100 + K + 3);
  const Eigen::Index lda = M + 4;
  const std::vector<T> a = random_values<T>(static_cast<std::size_t>(lda * K), stream);
  const std::vector<T> b = b_transposed ? sparse_values<T>(N, K, N, stream + 1, true) : sparse_values<T>(K, N, K, stream + 1, true);
  const gemm::Operand<T> op = b_transposed ? gemm::Operand<T>{b.data(), N, 1} : gemm::Operand<T>{b.data(), 1, K};
  const auto same_bits = [&](const auto& out) {
    std::vector<T> ours(static_cast<std::size_t>(M * N), T(7)), plain(ours.size(), T(9));
    gemm::multiply<T>(M, N, K, a.data(), lda, op, ours.data(), M, out);
    for (Eigen::Index j = 0; j < N; ++j) gemm::detail::column_block<T, 1>(M, gemm::detail::AllK{K}, a.data(), lda, op, j, plain.data(), M, out);
    CAPTURE(M, N, K, b_transposed);
    REQUIRE(std::memcmp(ours.data(), plain.data(), sizeof(T) * ours.size()) == 0);
  };
  same_bits(gemm::Store<T>{});
  same_bits(Tagged<T>{});
}

}  // namespace

TEST_CASE("multiply's 8-register columns have the 4-register blocks' bits, NaN, inf and -0 in B included", "[gemm]") {
  if (!gemm::wide_registers()) WARN("this CPU has no AVX: the 128-bit kernel alone was checked");
  for (Eigen::Index M : {32, 64, 96})
    for (Eigen::Index N : {1, 3, 4, 7, 20})
      for (Eigen::Index K : {1, 2, 6, 20, 33})
        for (bool transposed : {false, true}) {
          check_wide_columns<double>(M, N, K, transposed);
          check_wide_columns<float>(M * 2, N, K, transposed);
        }
}

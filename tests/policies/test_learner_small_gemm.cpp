// The learner's small product: every shape (packet blocks, tails of rows and columns, K = 1),
// both ways of addressing B, in double and float, against the plain triple loop summed in the
// same order (so equality is exact).
#include <catch2/catch.hpp>

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
  std::vector<T> outer(plain.size());
  gemm::outer<T>(M, N, a.data(), b.data(), 1, outer.data(), M, Tagged<T>{});
  REQUIRE(outer == tagged);
}

}  // namespace

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
  for (Eigen::Index rows : {1, 2, 3, 4, 6, 8, 16, 32, 33, 36})
    for (Eigen::Index n : {0, 1, 2, 4, 5, 6, 9, 16, 17, 20, 23})
      for (std::size_t offset : {0, 1, 2}) {
        check_row_sums<double>(rows, n, offset);
        check_row_sums<float>(rows, n, offset);
      }
}

namespace {

// B with relu's pattern: about half its entries exact zeros, +0 and -0.
template <class T>
std::vector<T> mostly_zeros(Eigen::Index K, Eigen::Index N, std::uint64_t stream) {
  std::vector<T> b = random_values<T>(static_cast<std::size_t>(K * N), stream);
  for (std::size_t i = 0; i < b.size(); ++i)
    if (b[i] < T(0)) b[i] = i % 3 == 0 ? T(-0.0) : T(0);
  return b;
}

template <class T>
void check_skipping_zeros(Eigen::Index M, Eigen::Index N, Eigen::Index K, bool b_transposed) {
  const auto stream = static_cast<std::uint64_t>(M * 10000 + N * 100 + K);
  const std::vector<T> a = random_values<T>(static_cast<std::size_t>(M * K), stream);
  std::vector<T> b = mostly_zeros<T>(K, N, stream + 1);
  const gemm::Operand<T> op = b_transposed ? gemm::Operand<T>{b.data(), N, 1} : gemm::Operand<T>{b.data(), 1, K};
  const auto at = [&](Eigen::Index k, Eigen::Index j) -> T& { return b[static_cast<std::size_t>(k * op.k_stride + j * op.n_stride)]; };
  if (N > 1)
    for (Eigen::Index k = 0; k < K; ++k) at(k, 1) = T(0);  // a column with no term
  if (K > 2) at(2, 0) = std::numeric_limits<T>::quiet_NaN();  // a NaN of B is a term, as in the dense product
  REQUIRE(gemm::all_finite<T>(M, K, a.data(), M));
  std::vector<T> dense(static_cast<std::size_t>(M * N)), skipping(dense.size(), T(99));
  gemm::multiply<T>(M, N, K, a.data(), M, op, dense.data(), M, Tagged<T>{});
  gemm::multiply_skipping_zeros<T>(M, N, K, a.data(), M, op, skipping.data(), M, Tagged<T>{});
  CAPTURE(M, N, K, b_transposed);
  REQUIRE(std::memcmp(dense.data(), skipping.data(), sizeof(T) * dense.size()) == 0);
}

}  // namespace

TEST_CASE("skipping B's zeros keeps the dense product's bits when A is finite", "[gemm]") {
  for (Eigen::Index M : {1, 3, 4, 8, 16, 17, 32, 33, 40})
    for (Eigen::Index N : {1, 2, 3, 7, 20})
      for (Eigen::Index K : {1, 5, 20, 32, 33, 64, 70})  // past 64, the dense product
        for (bool transposed : {false, true}) {
          check_skipping_zeros<double>(M, N, K, transposed);
          check_skipping_zeros<float>(M, N, K, transposed);
        }
}

namespace {

template <class T>
void check_non_finite(Eigen::Index M, Eigen::Index K) {
  const Eigen::Index lda = M + 1;  // the entry past each column is not A's
  std::vector<T> a = random_values<T>(static_cast<std::size_t>(lda * K), static_cast<std::uint64_t>(M * 100 + K));
  for (Eigen::Index k = 0; k < K; ++k) a[static_cast<std::size_t>(k * lda + M)] = std::numeric_limits<T>::infinity();
  REQUIRE(gemm::all_finite<T>(M, K, a.data(), lda));
  for (T bad : {std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::infinity(), std::numeric_limits<T>::quiet_NaN()})
    for (Eigen::Index i = 0; i < M; ++i) {  // every row (packets and tail), in the last column
      std::vector<T> spoilt = a;
      spoilt[static_cast<std::size_t>((K - 1) * lda + i)] = bad;
      CAPTURE(M, K, i, bad);
      REQUIRE_FALSE(gemm::all_finite<T>(M, K, spoilt.data(), lda));
    }
  // Why: an infinite entry of A times a zero of B is NaN in the dense product, which skipping
  // would lose; the callers run the dense one then.
  std::vector<T> spoilt = a, b(static_cast<std::size_t>(K), T(1)), dense(static_cast<std::size_t>(M)), skipping(dense);
  spoilt[0] = std::numeric_limits<T>::infinity();
  b[0] = T(0);
  gemm::multiply<T>(M, 1, K, spoilt.data(), lda, {b.data(), 1, K}, dense.data(), M);
  gemm::multiply_skipping_zeros<T>(M, 1, K, spoilt.data(), lda, {b.data(), 1, K}, skipping.data(), M);
  CHECK(std::isnan(dense[0]));
  CHECK(std::isfinite(skipping[0]));
}

}  // namespace

TEST_CASE("all_finite finds an inf or NaN anywhere, and skipping would hide it", "[gemm]") {
  for (Eigen::Index M : {1, 2, 3, 4, 5, 8, 9, 32, 33})
    for (Eigen::Index K : {1, 6, 32}) {
      check_non_finite<double>(M, K);
      check_non_finite<float>(M, K);
    }
}

#pragma once
// C = A B for the learner's tiny products (a 32 x 32 layer times a batch of about 20 states),
// and the transposes and row sums their passes need:
// Eigen's general product packs both operands, zero-fills the result and blocks for caches,
// which costs more than the arithmetic at these sizes. This kernel keeps a block of C (4 SIMD
// packets of rows by 3 columns: 12 accumulators of the 16 SSE registers, the widest tile that
// does not spill) in registers and streams A's columns through it.
//
// A is column-major with unit row stride (the dimension that is vectorised); B is addressed by
// strides, so B can be a column-major matrix (k_stride 1) or the transpose of one (n_stride 1).
// C is column-major and fully overwritten, nothing is read from it. Each entry of C is summed
// over k in increasing order with one accumulator, so the result does not depend on the block
// an entry falls in, and is the same on every run (the packet width is fixed by the build).
// An epilogue stores each finished entry: Store as is, or transformed on the way out (a layer's
// bias and activation, an activation's derivative), which saves a pass over C.
//
// Where the CPU has AVX (and the build does not already target it), the blocks of multiply()
// run on 256-bit registers, twice the entries per instruction; the kernel is the same and so are
// the bits: each entry is still one accumulator over k in order, a multiply then an add (AVX
// without FMA: nothing is fused), and the epilogue gets each accumulator whole (its `wide`
// member, if it has one) or as two of the build's packets.
// So results are the same on every x86-64, with AVX or without.
#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <type_traits>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__AVX__)
#define SPECSIM_GEMM_AVX 1
#include <immintrin.h>
#endif

namespace specsim::policies::learner::gemm {

template <class T>
struct Operand {  // element (k, j) of B is data[k * k_stride + j * n_stride]
  const T* data;
  Eigen::Index k_stride, n_stride;
};

using Eigen::Index;

// The plain epilogue: C's entries as summed. An epilogue gets the address of the entry (or of a
// packet of consecutive rows) and its row and column, to find its counterparts in other buffers.
template <class T>
struct Store;

namespace detail {

// The k a block sums over, in increasing order, each passed to f: all of 0 .. count - 1
// (multiply), or those whose bit is set (multiply_marked: the k whose entry of B is marked not
// zero; bit k % 64 of word k / 64).
struct AllK {
  Index count;
  template <class F>
  void each(F&& f) const {
    for (Index k = 0; k < count; ++k) f(k);
  }
};
struct MarkedK {
  const std::uint64_t* bits;
  Index words;
  template <class F>
  __attribute__((always_inline)) void each(F&& f) const {
    for (Index w = 0; w < words; ++w)
      for (std::uint64_t b = bits[w]; b != 0; b &= b - 1) f(w * 64 + __builtin_ctzll(b));
  }
};

// MB packets of rows of C times NB columns, accumulated over the k of ks.
template <class T, int MB, int NB, class Epilogue, class Ks>
inline void block(Ks ks, const T* a, Index lda, Operand<T> b, T* c, Index ldc, Index row, Index col,
                  const Epilogue& out) {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  constexpr int L = Eigen::internal::packet_traits<T>::size;
  Packet acc[MB][NB];
  for (int i = 0; i < MB; ++i)
    for (int j = 0; j < NB; ++j) acc[i][j] = Eigen::internal::pset1<Packet>(T(0));
  ks.each([&](Index k) __attribute__((always_inline)) {
    Packet a_k[MB];
    for (int i = 0; i < MB; ++i) a_k[i] = Eigen::internal::ploadu<Packet>(a + k * lda + i * L);
    for (int j = 0; j < NB; ++j) {
      const Packet bkj = Eigen::internal::pset1<Packet>(b.data[k * b.k_stride + j * b.n_stride]);
      for (int i = 0; i < MB; ++i) acc[i][j] = Eigen::internal::padd(acc[i][j], Eigen::internal::pmul(a_k[i], bkj));
    }
  });
  for (int j = 0; j < NB; ++j)
    for (int i = 0; i < MB; ++i) out.packet(c + j * ldc + i * L, acc[i][j], row + i * L, col + j);
}

#ifdef SPECSIM_GEMM_AVX
// For functions on 256-bit registers, here and in the epilogues of callers (mlp.cpp).
#define SPECSIM_AVX __attribute__((target("avx")))
// The 256-bit operations, by element type (overloads, not templates over the register types,
// whose alignment attributes a template argument would drop). Each is the one Eigen's SSE
// packet function of the same name does on 128 bits (wide_max's operands reversed as pmax's,
// for the same NaN behaviour: max(x, 0) is 0 for a NaN x).
SPECSIM_AVX inline __m256d wide_zero(double) { return _mm256_setzero_pd(); }
SPECSIM_AVX inline __m256 wide_zero(float) { return _mm256_setzero_ps(); }
SPECSIM_AVX inline __m256d wide_load(const double* p) { return _mm256_loadu_pd(p); }
SPECSIM_AVX inline __m256 wide_load(const float* p) { return _mm256_loadu_ps(p); }
SPECSIM_AVX inline __m256d wide_set1(double x) { return _mm256_set1_pd(x); }
SPECSIM_AVX inline __m256 wide_set1(float x) { return _mm256_set1_ps(x); }
SPECSIM_AVX inline __m256d wide_madd(__m256d acc, __m256d a, __m256d b) { return _mm256_add_pd(acc, _mm256_mul_pd(a, b)); }
SPECSIM_AVX inline __m256 wide_madd(__m256 acc, __m256 a, __m256 b) { return _mm256_add_ps(acc, _mm256_mul_ps(a, b)); }
SPECSIM_AVX inline __m256d wide_mul(__m256d a, __m256d b) { return _mm256_mul_pd(a, b); }
SPECSIM_AVX inline __m256 wide_mul(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
SPECSIM_AVX inline void wide_store(double* p, __m256d x) { _mm256_storeu_pd(p, x); }
SPECSIM_AVX inline void wide_store(float* p, __m256 x) { _mm256_storeu_ps(p, x); }
SPECSIM_AVX inline __m256d wide_add(__m256d a, __m256d b) { return _mm256_add_pd(a, b); }
SPECSIM_AVX inline __m256 wide_add(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
SPECSIM_AVX inline __m256d wide_max(__m256d a, __m256d b) { return _mm256_max_pd(b, a); }
SPECSIM_AVX inline __m256 wide_max(__m256 a, __m256 b) { return _mm256_max_ps(b, a); }
SPECSIM_AVX inline __m256d wide_and(__m256d a, __m256d b) { return _mm256_and_pd(a, b); }
SPECSIM_AVX inline __m256 wide_and(__m256 a, __m256 b) { return _mm256_and_ps(a, b); }
SPECSIM_AVX inline __m256d wide_lt(__m256d a, __m256d b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
SPECSIM_AVX inline __m256 wide_lt(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
SPECSIM_AVX inline __m128d low_half(__m256d v) { return _mm256_castpd256_pd128(v); }
SPECSIM_AVX inline __m128 low_half(__m256 v) { return _mm256_castps256_ps128(v); }
SPECSIM_AVX inline __m128d high_half(__m256d v) { return _mm256_extractf128_pd(v, 1); }
SPECSIM_AVX inline __m128 high_half(__m256 v) { return _mm256_extractf128_ps(v, 1); }

template <class T>
constexpr int kWide = 32 / static_cast<int>(sizeof(T));  // entries in a 256-bit register

// An epilogue may take a 256-bit accumulator whole (a `wide` member, the same operations as its
// `packet` on each half); else it gets the two halves as the build's packets.
template <class T, class Epilogue, class V>
SPECSIM_AVX inline void wide_out(const Epilogue& out, T* c, V acc, Index row, Index col) {
  if constexpr (requires { out.wide(c, acc, row, col); }) {
    out.wide(c, acc, row, col);
  } else {
    constexpr int L = kWide<T> / 2;
    out.packet(c, low_half(acc), row, col);
    out.packet(c + L, high_half(acc), row + L, col);
  }
}

// block() on 256-bit registers: MB registers of rows of C times NB columns (inlined into
// wide_block and wide_columns).
template <class T, int MB, int NB, class Epilogue>
SPECSIM_AVX __attribute__((always_inline)) inline void wide_block_body(AllK ks, const T* a, Index lda, Operand<T> b,
                                                                       T* c, Index ldc, Index row, Index col,
                                                                       const Epilogue& out) {
  constexpr int W = kWide<T>;
  using V = decltype(wide_zero(T()));
  if (ks.count <= 0) {  // apart: where the paths with and without the loop meet, GCC keeps acc in memory
    for (int j = 0; j < NB; ++j)
      for (int i = 0; i < MB; ++i) wide_out(out, c + j * ldc + i * W, wide_zero(T()), row + i * W, col + j);
    return;
  }
  // Where registers are to spare, the first k's terms start the sums: 0 + a b, the same
  // operations as adding them to zeroed accumulators, without a copy of the zero into each
  // (First). The 4 x 3 tile has none for the zero (measured: float's job +1,900 peeled).
  constexpr bool spare = MB * NB <= 8;
  const V zero = wide_zero(T());
  V acc[MB][NB];
  if constexpr (!spare)
    for (int i = 0; i < MB; ++i)
      for (int j = 0; j < NB; ++j) acc[i][j] = zero;
  const auto step = [&](Index k, auto first) __attribute__((always_inline, target("avx"))) {
    V a_k[MB];
    for (int i = 0; i < MB; ++i) a_k[i] = wide_load(a + k * lda + i * W);
    for (int j = 0; j < NB; ++j) {
      const V bkj = wide_set1(b.data[k * b.k_stride + j * b.n_stride]);
      for (int i = 0; i < MB; ++i) acc[i][j] = wide_madd(decltype(first)::value ? zero : acc[i][j], a_k[i], bkj);
    }
  };
  if constexpr (spare) {  // two steps of k at a time halve the loop's own instructions
    step(0, std::true_type{});
#pragma GCC unroll 2
    for (Index k = 1; k < ks.count; ++k) step(k, std::false_type{});
  } else {  // (measured slower unrolled)
    for (Index k = 0; k < ks.count; ++k) step(k, std::false_type{});
  }
  for (int j = 0; j < NB; ++j)
    for (int i = 0; i < MB; ++i) wide_out(out, c + j * ldc + i * W, acc[i][j], row + i * W, col + j);
}
template <class T, int MB, int NB, class Epilogue>
SPECSIM_AVX void wide_block(AllK ks, const T* a, Index lda, Operand<T> b, T* c, Index ldc, Index row, Index col,
                            const Epilogue& epilogue) {
  const Epilogue out = epilogue;  // a copy of its own: its members stay in registers across C's stores
  wide_block_body<T, MB, NB>(ks, a, lda, b, c, ldc, row, col, out);
}

// multiply() where M is a multiple of 8 registers' rows, in one function: each column's rows
// in blocks of 8 registers, a term's A loads folded into its multiplies (17 instructions a k
// for 32 doubles, where the 4 x 3 tile's 31 do 16 rows by 3 columns), no call per column.
template <class T, class Epilogue>
SPECSIM_AVX void wide_columns(Index M, Index N, AllK ks, const T* a, Index lda, Operand<T> b, T* c, Index ldc,
                              const Epilogue& epilogue) {
  const Epilogue out = epilogue;
  constexpr Index rows = 8 * kWide<T>;
  for (Index j = 0; j < N; ++j) {
    const Operand<T> bj{b.data + j * b.n_stride, b.k_stride, b.n_stride};
    for (Index r = 0; r < M; r += rows) wide_block_body<T, 8, 1>(ks, a + r, lda, bj, c + j * ldc + r, ldc, r, j, out);
  }
}

// How wide_marked_block finds B's entry k of a column: contiguous (k_stride 1), at A's column
// offset (k_stride equal to lda: the offset loaded for A serves B too, where a multiply by
// k_stride cost 2 instructions a term), or by k_stride.
enum class BRead { unit, a_offsets, strided };

// The lowest set bit of `bits` (bsf), and whether there was none (bsf's zero flag: tzcnt's
// flags differ, and where the CPU lacks it, it runs as bsf). With the bit cleared by btr, a term's
// loop costs 3 instructions (btr, bsf, the branch) where `bits &= bits - 1` and tzcnt cost 4.
inline std::uint64_t lowest_bit(std::uint64_t bits, bool& none) {
  std::uint64_t k;
  asm("bsf %2, %0" : "=r"(k), "=@ccz"(none) : "r"(bits));
  return k;
}
inline std::uint64_t without_bit(std::uint64_t bits, std::uint64_t k) {
  asm("btr %1, %0" : "+r"(bits) : "r"(k) : "cc");
  return bits;
}

// One column of multiply_marked's on 256-bit registers: MB registers of rows from `row`,
// summed over the k whose bit is set (MarkedK), A's column k at a + offsets[k] (offsets[k] =
// k lda), B's entry k of the column as `Read` says. block()'s arithmetic; the offsets from a
// table, A's rows at a fixed base (a + row) and displacement, and the table and B's column
// offset by each word's first k, keep a term to the multiply-adds, a broadcast and five
// instructions (the k, A's column, the loop) with no register spilled.
template <class T, int MB, BRead Read, class Epilogue>
SPECSIM_AVX __attribute__((always_inline)) inline void wide_marked_block(MarkedK ks, const T* a, const Index* offsets,
                                                                         Index row, const T* bj, Index k_stride, T* cj,
                                                                         Index col, const Epilogue& out) {
  constexpr int W = kWide<T>;
  using V = decltype(wide_zero(T()));
  const V zero = wide_zero(T());
  V acc[MB];
  // Bases of their own (the empty asm statements): else GCC adds row, and each word's first k,
  // to every term's addresses.
  const T* a_row = a + row;
  asm("" : "+r"(a_row));
  const auto term = [&](const Index* word_offsets, const T* word_b, std::uint64_t k, auto first)
                        __attribute__((always_inline, target("avx"))) {
    const Index offset = word_offsets[k];
    const T* ak = a_row + offset;
    const T* bk = Read == BRead::unit        ? word_b + k
                  : Read == BRead::a_offsets ? word_b + offset
                                             : word_b + static_cast<Index>(k) * k_stride;
    const V bkj = wide_set1(*bk);
    for (int i = 0; i < MB; ++i) acc[i] = wide_madd(decltype(first)::value ? zero : acc[i], wide_load(ak + i * W), bkj);
  };
  const auto word_bases = [&](Index w, const Index*& word_offsets, const T*& word_b) __attribute__((always_inline)) {
    word_offsets = offsets + w * 64;
    word_b = bj + (Read == BRead::unit ? w * 64 : Read == BRead::strided ? w * 64 * k_stride : 0);
    asm("" : "+r"(word_offsets), "+r"(word_b));
  };
  bool none = false;
  if (ks.words == 1) {  // K <= 64: the first term starts the sums (wide_block_body's First), no zeros copied
    const Index* word_offsets;
    const T* word_b;
    word_bases(0, word_offsets, word_b);
    std::uint64_t bits = ks.bits[0];
    std::uint64_t k = lowest_bit(bits, none);
    if (none) {  // apart, as wide_block_body's empty sum
      for (int i = 0; i < MB; ++i) wide_out(out, cj + row + i * W, zero, row + i * W, col);
      return;
    }
    term(word_offsets, word_b, k, std::true_type{});
    bits = without_bit(bits, k);
    for (k = lowest_bit(bits, none); !none; k = lowest_bit(bits, none)) {
      term(word_offsets, word_b, k, std::false_type{});
      bits = without_bit(bits, k);
    }
  } else {
    for (int i = 0; i < MB; ++i) acc[i] = zero;
    for (Index w = 0; w < ks.words; ++w) {
      const Index* word_offsets;
      const T* word_b;
      word_bases(w, word_offsets, word_b);
      std::uint64_t bits = ks.bits[w];
      for (std::uint64_t k = lowest_bit(bits, none); !none; k = lowest_bit(bits, none)) {
        term(word_offsets, word_b, k, std::false_type{});
        bits = without_bit(bits, k);
      }
    }
  }
  for (int i = 0; i < MB; ++i) wide_out(out, cj + row + i * W, acc[i], row + i * W, col);
}

// The rows of one column block that fill 256-bit registers; returns how many it did.
template <class T, int NB, bool Wide, class Epilogue>
SPECSIM_AVX Index wide_rows(Index M, AllK ks, const T* a, Index lda, Operand<T> bj, T* cj, Index ldc, Index col,
                            const Epilogue& out) {
  constexpr Index W = kWide<T>;
  Index r = 0;
  if constexpr (Wide)
    for (; r + 8 * W <= M; r += 8 * W) wide_block<T, 8, NB>(ks, a + r, lda, bj, cj + r, ldc, r, col, out);
  for (; r + 4 * W <= M; r += 4 * W) wide_block<T, 4, NB>(ks, a + r, lda, bj, cj + r, ldc, r, col, out);
  for (; r + W <= M; r += W) wide_block<T, 1, NB>(ks, a + r, lda, bj, cj + r, ldc, r, col, out);
  return r;
}

// nonzero_bits() on 256-bit registers: a compare and its sign mask per register.
template <class T>
SPECSIM_AVX __attribute__((always_inline)) inline void wide_nonzero_bits(Index K, const T* b, std::uint64_t* bits) {
  constexpr Index W = kWide<T>;
  const auto zero = wide_zero(T());
  for (Index base = 0; base < K; base += 64) {
    const Index end = std::min<Index>(K, base + 64);
    std::uint64_t word = 0;
    Index k = base;
    for (; k + W <= end; k += W) {  // unordered not-equal: NaN is not zero
      int mask = 0;
      if constexpr (std::is_same_v<T, double>) mask = _mm256_movemask_pd(_mm256_cmp_pd(wide_load(b + k), zero, _CMP_NEQ_UQ));
      else mask = _mm256_movemask_ps(_mm256_cmp_ps(wide_load(b + k), zero, _CMP_NEQ_UQ));
      word |= static_cast<std::uint64_t>(static_cast<unsigned>(mask)) << (k - base);
    }
    for (; k < end; ++k) word |= static_cast<std::uint64_t>(b[k] != T(0)) << (k - base);
    bits[base / 64] = word;
  }
}

// all_finite() on 256-bit registers: the sum in four partial sums.
template <class T>
SPECSIM_AVX bool wide_all_finite(const T* a, Index size) {
  constexpr Index W = kWide<T>;
  auto s0 = wide_zero(T()), s1 = s0, s2 = s0, s3 = s0;
  Index k = 0;
  for (; k + 4 * W <= size; k += 4 * W) {
    s0 = wide_add(s0, wide_load(a + k));
    s1 = wide_add(s1, wide_load(a + k + W));
    s2 = wide_add(s2, wide_load(a + k + 2 * W));
    s3 = wide_add(s3, wide_load(a + k + 3 * W));
  }
  for (; k + W <= size; k += W) s0 = wide_add(s0, wide_load(a + k));
  T lanes[W];
  wide_store(lanes, wide_add(wide_add(s0, s1), wide_add(s2, s3)));
  T sum = T(0);
  for (Index i = 0; i < W; ++i) sum += lanes[i];
  for (; k < size; ++k) sum += a[k];
  return std::isfinite(sum);
}

// all_finite_exact() on 256-bit registers, four partial sums; returns the entries it did and
// their sum of x * 0 in `sum`.
template <class T>
SPECSIM_AVX Index wide_zeros_sum(const T* a, Index size, T& sum) {
  constexpr Index W = kWide<T>;
  const auto zero = wide_zero(T());
  auto s0 = zero, s1 = zero, s2 = zero, s3 = zero;
  Index k = 0;
  for (; k + 4 * W <= size; k += 4 * W) {
    s0 = wide_add(s0, wide_mul(wide_load(a + k), zero));
    s1 = wide_add(s1, wide_mul(wide_load(a + k + W), zero));
    s2 = wide_add(s2, wide_mul(wide_load(a + k + 2 * W), zero));
    s3 = wide_add(s3, wide_mul(wide_load(a + k + 3 * W), zero));
  }
  T lanes[W];
  wide_store(lanes, wide_add(wide_add(s0, s1), wide_add(s2, s3)));
  for (Index i = 0; i < W; ++i) sum += lanes[i];
  return k;
}

// outer()'s columns on 256-bit registers, all in one call (a call per column cost about what
// its few registers did); returns the rows it did in each column.
template <class T, class Epilogue>
SPECSIM_AVX Index wide_outer(Index M, Index N, const T* a, const T* b, Index b_stride, T* c, Index ldc,
                             const Epilogue& epilogue) {
  const Epilogue out = epilogue;  // a copy of its own: its members stay in registers across C's stores
  constexpr Index W = kWide<T>;
  const Index rows = M / W * W;
  const auto zero = wide_zero(T());
  for (Index j = 0; j < N; ++j) {
    const auto pbj = wide_set1(b[j * b_stride]);
    T* cj = c + j * ldc;
    for (Index r = 0; r < rows; r += W) wide_out(out, cj + r, wide_add(zero, wide_mul(wide_load(a + r), pbj)), r, j);
  }
  return rows;
}

// MB registers of row_sums()'s rows from `a` together, each summed as row_sums() does: the
// columns' loop once for all of them.
template <class T, int MB>
SPECSIM_AVX __attribute__((always_inline)) inline void wide_row_sums_block(Index n, Index grouped, const T* a, Index ld,
                                                                           T* out) {
  constexpr Index W = kWide<T>;
  decltype(wide_zero(T())) sum[MB];
  for (int m = 0; m < MB; ++m) sum[m] = wide_load(a + m * W);
  Index i = 1;
  for (; i < grouped; i += 4) {
    const T* col = a + i * ld;
    for (int m = 0; m < MB; ++m)
      sum[m] = wide_add(sum[m], wide_add(wide_add(wide_load(col + m * W), wide_load(col + ld + m * W)),
                                         wide_add(wide_load(col + 2 * ld + m * W), wide_load(col + 3 * ld + m * W))));
  }
  for (; i < n; ++i)
    for (int m = 0; m < MB; ++m) sum[m] = wide_add(sum[m], wide_load(a + i * ld + m * W));
  for (int m = 0; m < MB; ++m) wide_store(out + m * W, sum[m]);
}

// row_sums() of the rows that fill 256-bit registers, 8 or 4 registers at a time (a register
// at a time cost a layer's bias gradient in double about 530 instructions, 8 at a time about
// 350); returns how many it did.
template <class T>
SPECSIM_AVX Index wide_row_sums(Index rows, Index n, const T* a, Index ld, T* out) {
  constexpr Index W = kWide<T>;
  const Index grouped = (n - 1) & ~Index(3);
  Index r = 0;
  for (; r + 8 * W <= rows; r += 8 * W) wide_row_sums_block<T, 8>(n, grouped, a + r, ld, out + r);
  for (; r + 4 * W <= rows; r += 4 * W) wide_row_sums_block<T, 4>(n, grouped, a + r, ld, out + r);
  for (; r + W <= rows; r += W) wide_row_sums_block<T, 1>(n, grouped, a + r, ld, out + r);
  return r;
}

// transpose() of the 4 x 4 blocks of doubles on 256-bit registers: the rows and columns it did
// are those up to the last multiple of 4.
SPECSIM_AVX inline void wide_transpose(Index rows, Index cols, const double* a, Index lda, double* out, Index ldo) {
  for (Index c = 0; c + 4 <= cols; c += 4)
    for (Index r = 0; r + 4 <= rows; r += 4) {
      const double* from = a + c * lda + r;
      const __m256d c0 = _mm256_loadu_pd(from), c1 = _mm256_loadu_pd(from + lda);
      const __m256d c2 = _mm256_loadu_pd(from + 2 * lda), c3 = _mm256_loadu_pd(from + 3 * lda);
      const __m256d even01 = _mm256_unpacklo_pd(c0, c1), odd01 = _mm256_unpackhi_pd(c0, c1);
      const __m256d even23 = _mm256_unpacklo_pd(c2, c3), odd23 = _mm256_unpackhi_pd(c2, c3);
      double* to = out + r * ldo + c;
      _mm256_storeu_pd(to, _mm256_permute2f128_pd(even01, even23, 0x20));
      _mm256_storeu_pd(to + ldo, _mm256_permute2f128_pd(odd01, odd23, 0x20));
      _mm256_storeu_pd(to + 2 * ldo, _mm256_permute2f128_pd(even01, even23, 0x31));
      _mm256_storeu_pd(to + 3 * ldo, _mm256_permute2f128_pd(odd01, odd23, 0x31));
    }
}
#endif

// row_in_order() on 256-bit registers, four columns of B at a time, B's 4 x 4 blocks
// transposed in registers (wide_transpose's shuffles) so that a register holds row k of the four
// columns; returns the columns it did.
template <class Epilogue>
SPECSIM_AVX Index wide_row_in_order(Index N, Index K, const double* a, const double* b, Index ldb, double* c,
                                    const Epilogue& epilogue) {
  const Epilogue out = epilogue;  // a copy of its own: its members stay in registers across C's stores
  Index j = 0;
  for (; j + 4 <= N; j += 4) {
    const double* col = b + j * ldb;
    __m256d acc = _mm256_setzero_pd();
    Index k = 0;
    for (; k + 4 <= K; k += 4) {
      const __m256d c0 = _mm256_loadu_pd(col + k), c1 = _mm256_loadu_pd(col + ldb + k);
      const __m256d c2 = _mm256_loadu_pd(col + 2 * ldb + k), c3 = _mm256_loadu_pd(col + 3 * ldb + k);
      const __m256d even01 = _mm256_unpacklo_pd(c0, c1), odd01 = _mm256_unpackhi_pd(c0, c1);
      const __m256d even23 = _mm256_unpacklo_pd(c2, c3), odd23 = _mm256_unpackhi_pd(c2, c3);
      acc = wide_madd(acc, _mm256_permute2f128_pd(even01, even23, 0x20), _mm256_set1_pd(a[k]));
      acc = wide_madd(acc, _mm256_permute2f128_pd(odd01, odd23, 0x20), _mm256_set1_pd(a[k + 1]));
      acc = wide_madd(acc, _mm256_permute2f128_pd(even01, even23, 0x31), _mm256_set1_pd(a[k + 2]));
      acc = wide_madd(acc, _mm256_permute2f128_pd(odd01, odd23, 0x31), _mm256_set1_pd(a[k + 3]));
    }
    for (; k < K; ++k)
      acc = wide_madd(acc, _mm256_setr_pd(col[k], col[ldb + k], col[2 * ldb + k], col[3 * ldb + k]), _mm256_set1_pd(a[k]));
    wide_out(out, c + j, acc, j, 0);
  }
  return j;
}

// Whether multiply() uses 256-bit registers: the CPU has AVX and the build's packets are
// 128-bit ones (Eigen's SSE types, which the epilogues take).
inline bool wide_registers() {
#ifdef SPECSIM_GEMM_AVX
  static const bool avx = __builtin_cpu_supports("avx");
  return avx && Eigen::internal::packet_traits<double>::size == 2 && Eigen::internal::packet_traits<float>::size == 4;
#else
  return false;
#endif
}

// Rows of C that do not fill a packet: one scalar accumulator per entry, same order over k; the
// NB columns of a block together, so that each entry of A is loaded once for all of them (a
// one-row product, the head layer's forward pass, is all tail).
template <class T, int NB, class Epilogue, class Ks>
inline void scalar_rows(Index row, Index M, Ks ks, const T* a, Index lda, Operand<T> b, Index col, T* c, Index ldc,
                        const Epilogue& out) {
  const T* bj = b.data + col * b.n_stride;
  for (Index r = row; r < M; ++r) {
    T acc[NB] = {};
    ks.each([&](Index k) __attribute__((always_inline)) {
      const T a_kr = a[k * lda + r];
      for (int j = 0; j < NB; ++j) acc[j] += a_kr * bj[k * b.k_stride + j * b.n_stride];
    });
    for (int j = 0; j < NB; ++j) out.scalar(c + j * ldc + r, acc[j], r, col + j);
  }
}

// NB columns of C from column `col`; Wide (one column only) takes 8 packets of rows at a time,
// since a matrix-vector product has registers to spare.
template <class T, int NB, class Epilogue, bool Wide = false, class Ks = AllK>
inline void column_block(Index M, Ks ks, const T* a, Index lda, Operand<T> b, Index col, T* c, Index ldc,
                         const Epilogue& out) {
  constexpr Index L = Eigen::internal::packet_traits<T>::size;
  const Operand<T> bj{b.data + col * b.n_stride, b.k_stride, b.n_stride};
  T* cj = c + col * ldc;
  Index r = 0;
#ifdef SPECSIM_GEMM_AVX
  if constexpr (std::is_same_v<Ks, AllK>)  // multiply_marked has its own (wide_marked)
    if (wide_registers()) r = wide_rows<T, NB, Wide>(M, ks, a, lda, bj, cj, ldc, col, out);
#endif
  if constexpr (Wide)
    for (; r + 8 * L <= M; r += 8 * L) block<T, 8, NB>(ks, a + r, lda, bj, cj + r, ldc, r, col, out);
  for (; r + 4 * L <= M; r += 4 * L) block<T, 4, NB>(ks, a + r, lda, bj, cj + r, ldc, r, col, out);
  for (; r + L <= M; r += L) block<T, 1, NB>(ks, a + r, lda, bj, cj + r, ldc, r, col, out);
  scalar_rows<T, NB>(r, M, ks, a, lda, b, col, cj, ldc, out);
}

// The entries of b (K, contiguous) that are not zero, NaN included: bit k % 64 of bits[k / 64]
// for entry k (bits has (K + 63) / 64 words, overwritten).
template <class T>
void nonzero_bits(Index K, const T* b, std::uint64_t* bits) {
  for (Index base = 0; base < K; base += 64) {
    std::uint64_t word = 0;
    for (Index k = base; k < std::min<Index>(K, base + 64); ++k)
      word |= static_cast<std::uint64_t>(b[k] != T(0)) << (k - base);
    bits[base / 64] = word;
  }
}

#ifdef SPECSIM_GEMM_AVX
// nonzero_marks() on 256-bit registers.
template <class T>
SPECSIM_AVX void wide_nonzero_marks(Index K, Index N, const T* b, Index ldb, std::uint64_t* marks) {
  const Index words = (K + 63) / 64;
  for (Index j = 0; j < N; ++j) wide_nonzero_bits(K, b + j * ldb, marks + j * words);
}

// nonzero_marks_transposed() of the rows of B that fill 256-bit registers, MB of them at a
// time: one word of B^T's marks in each lane, a sample's bit or-ed in where the compare says not
// zero (and, or: on doubles' registers, as AVX has no 256-bit integer operations).
template <class T, int MB>
SPECSIM_AVX __attribute__((always_inline)) inline void wide_transposed_block(Index k, Index N, const T* b, Index ldb,
                                                                            std::uint64_t* marks) {
  static_assert(std::is_same_v<T, double>, "one word of marks a lane: doubles' lanes");
  static constexpr auto bit = [] {
    std::array<std::uint64_t, 64> bits{};
    for (int j = 0; j < 64; ++j) bits[static_cast<std::size_t>(j)] = std::uint64_t(1) << j;
    return bits;
  }();
  constexpr Index W = kWide<T>;
  const Index words = (N + 63) / 64;
  const __m256d zero = _mm256_setzero_pd();
  for (Index w = 0; w < words; ++w) {
    __m256d acc[MB];
    for (int i = 0; i < MB; ++i) acc[i] = zero;
    const Index end = std::min<Index>(N, w * 64 + 64);
    for (Index j = w * 64; j < end; ++j) {
      const __m256d bj = _mm256_broadcast_sd(reinterpret_cast<const double*>(&bit[static_cast<std::size_t>(j - w * 64)]));
      const T* column = b + j * ldb + k;
      for (int i = 0; i < MB; ++i)  // unordered not-equal: NaN is not zero
        acc[i] = _mm256_or_pd(acc[i], _mm256_and_pd(_mm256_cmp_pd(_mm256_loadu_pd(column + i * W), zero, _CMP_NEQ_UQ), bj));
    }
    alignas(32) std::uint64_t lanes[MB * W];
    for (int i = 0; i < MB; ++i) _mm256_store_pd(reinterpret_cast<double*>(lanes + i * W), acc[i]);
    for (Index r = 0; r < MB * W; ++r) marks[(k + r) * words + w] = lanes[r];
  }
}
template <class T>
SPECSIM_AVX Index wide_nonzero_marks_transposed(Index K, Index N, const T* b, Index ldb, std::uint64_t* marks) {
  constexpr Index W = kWide<T>;
  Index k = 0;
  if constexpr (std::is_same_v<T, double>) {
    for (; k + 8 * W <= K; k += 8 * W) wide_transposed_block<T, 8>(k, N, b, ldb, marks);
    for (; k + W <= K; k += W) wide_transposed_block<T, 1>(k, N, b, ldb, marks);
  }
  return k;
}

// multiply_marked() on 256-bit registers, in one function: a column's few terms leave no room
// for calls per column. The rows as multiply_vector's blocks, the tail in scalars.
template <class T, BRead Read, class Epilogue>
SPECSIM_AVX void wide_marked(Index M, Index N, Index K, const T* a, Index lda, Operand<T> b,
                             const std::uint64_t* marks, T* c, Index ldc, const Epilogue& epilogue, const Index* offsets) {
  const Epilogue out = epilogue;  // a copy of its own: its members stay in registers across C's stores
  constexpr Index W = kWide<T>;
  const Index words = (K + 63) / 64;
  for (Index j = 0; j < N; ++j) {
    const MarkedK ks{marks + j * words, words};
    const T* bj = b.data + j * b.n_stride;
    T* cj = c + j * ldc;
    Index r = 0;
    for (; r + 8 * W <= M; r += 8 * W) wide_marked_block<T, 8, Read>(ks, a, offsets, r, bj, b.k_stride, cj, j, out);
    for (; r + 4 * W <= M; r += 4 * W) wide_marked_block<T, 4, Read>(ks, a, offsets, r, bj, b.k_stride, cj, j, out);
    for (; r + W <= M; r += W) wide_marked_block<T, 1, Read>(ks, a, offsets, r, bj, b.k_stride, cj, j, out);
    if (r < M) scalar_rows<T, 1>(r, M, ks, a, lda, b, j, cj, ldc, out);
  }
}
#endif

}  // namespace detail

using detail::wide_registers;

// The plain epilogue: C's entries as summed. An epilogue gets the address of the entry (or of a
// packet of consecutive rows) and its row and column, to find its counterparts in other buffers.
template <class T>
struct Store {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  void packet(T* c, Packet acc, Index /*row*/, Index /*col*/) const { Eigen::internal::pstoreu(c, acc); }
  void scalar(T* c, T acc, Index /*row*/, Index /*col*/) const { *c = acc; }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(T* c, V acc, Index /*row*/, Index /*col*/) const { detail::wide_store(c, acc); }
#endif
};

// C (M x N, leading dimension ldc) = A (M x K, leading dimension lda) times B (K x N), each
// entry passed through `out` (by default stored as is).
template <class T, class Epilogue = Store<T>>
void multiply(Index M, Index N, Index K, const T* a, Index lda, Operand<T> b, T* c, Index ldc,
              const Epilogue& out = {}) {
  Index j = 0;
  const detail::AllK ks{K};
#ifdef SPECSIM_GEMM_AVX
  // In double only: float's 8 registers are 64 rows, more than its layers have, and the branch
  // alone changed how GCC inlined the float passes (a job about 1,000 instructions more).
  if constexpr (std::is_same_v<T, double>)
    if (detail::wide_registers() && M % (8 * detail::kWide<T>) == 0)
      return detail::wide_columns<T>(M, N, ks, a, lda, b, c, ldc, out);
#endif
  for (; j + 3 <= N; j += 3) detail::column_block<T, 3>(M, ks, a, lda, b, j, c, ldc, out);
  if (j + 2 <= N) detail::column_block<T, 2>(M, ks, a, lda, b, j, c, ldc, out);
  else if (j < N) detail::column_block<T, 1>(M, ks, a, lda, b, j, c, ldc, out);
}

// c (M x 1) = A (M x K) times b (K entries, contiguous): multiply for a single column, with
// wider blocks of rows (measured: they help a prediction, and cost a training job's passes).
template <class T, class Epilogue = Store<T>>
void multiply_vector(Index M, Index K, const T* a, Index lda, const T* b, T* c, const Epilogue& out = {}) {
  detail::column_block<T, 1, Epilogue, true>(M, detail::AllK{K}, a, lda, {b, 1, 0}, 0, c, M, out);
}

// Whether the `size` entries from `a` are all finite, as multiply_marked needs of its A:
// their sum is finite then, and an inf or NaN entry makes it inf or NaN (a sum that overflows
// says no as well, which costs only the dense product).
template <class T>
bool all_finite(const T* a, Index size) {
#ifdef SPECSIM_GEMM_AVX
  if (wide_registers()) return detail::wide_all_finite(a, size);
#endif
  return std::isfinite(Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>(a, size).sum());
}

// Marks of a K x N matrix B (column-major): which entries are not zero, NaN included, bit
// k % 64 of word j * mark_words(K) + k / 64 for entry (k, j). multiply_marked takes them; the
// epilogues that write B can make them on the way out (Marker), else nonzero_marks does.
inline Index mark_words(Index K) { return (K + 63) / 64; }

// The marks of B (K x N, column-major, leading dimension ldb) into marks (N mark_words(K) words).
template <class T>
void nonzero_marks(Index K, Index N, const T* b, Index ldb, std::uint64_t* marks) {
#ifdef SPECSIM_GEMM_AVX
  if (wide_registers()) return detail::wide_nonzero_marks(K, N, b, ldb, marks);
#endif
  for (Index j = 0; j < N; ++j) detail::nonzero_bits(K, b + j * ldb, marks + j * mark_words(K));
}

// The marks of B^T (N x K) from B (K x N, column-major, leading dimension ldb): for row k of
// B, bit j % 64 of word k mark_words(N) + j / 64 where entry (k, j) is not zero, NaN included
// (marks has K mark_words(N) words, overwritten). B^T's columns need not be made: multiply_marked
// reads B^T by strides.
template <class T>
void nonzero_marks_transposed(Index K, Index N, const T* b, Index ldb, std::uint64_t* marks) {
  const Index words = mark_words(N);
  Index k = 0;
#ifdef SPECSIM_GEMM_AVX
  if (wide_registers()) k = detail::wide_nonzero_marks_transposed(K, N, b, ldb, marks);
#endif
  for (; k < K; ++k)
    for (Index w = 0; w < words; ++w) {
      std::uint64_t word = 0;
      for (Index j = w * 64; j < std::min<Index>(N, w * 64 + 64); ++j)
        word |= static_cast<std::uint64_t>(b[j * ldb + k] != T(0)) << (j - w * 64);
      marks[k * words + w] = word;
    }
}

// Records for an epilogue which of the entries it stores are not zero, NaN included: B's marks
// (above) for a product to come, or-ed into `marks`, which the caller zeroes first (every entry
// of C is stored once). A compare and a sign mask per register, where nonzero_marks would load
// the entries again. OneWord: C has at most 64 rows (words is 1), so that a register's bits go to
// its column's word without a word index worked out from its row (3 of the 7 instructions a
// register's mark cost).
template <class T, bool OneWord = false>
struct Marker {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  std::uint64_t* marks;
  Index words;  // mark_words(C's rows)
  void mark(std::uint64_t bits, Index row, Index col) const {
    if constexpr (OneWord) marks[col] |= bits << row;
    else marks[col * words + row / 64] |= bits << (row % 64);
  }
  void scalar(T v, Index row, Index col) const { mark(v != T(0), row, col); }
  void packet(Packet v, Index row, Index col) const {  // the 128-bit build's path (and tails): lane by lane
    constexpr int L = Eigen::internal::packet_traits<T>::size;
    T lanes[L];
    Eigen::internal::pstoreu(lanes, v);
    std::uint64_t bits = 0;
    for (int l = 0; l < L; ++l) bits |= static_cast<std::uint64_t>(lanes[l] != T(0)) << l;
    mark(bits, row, col);
  }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(V v, Index row, Index col) const {  // unordered not-equal: NaN is not zero
    int m = 0;
    if constexpr (std::is_same_v<T, double>) m = _mm256_movemask_pd(_mm256_cmp_pd(v, _mm256_setzero_pd(), _CMP_NEQ_UQ));
    else m = _mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ));
    mark(static_cast<std::uint64_t>(static_cast<unsigned>(m)), row, col);
  }
#endif
};
// Marker<T, true>'s marks and, for a product to come that reads C transposed, C^T's as
// nonzero_marks_transposed makes them (bit col of row's word), or-ed into `rows`, which the
// caller zeroes first: C has at most 64 rows and 64 columns, in double (a word in each lane).
// The compare is the column marks' own; the transposed marks' pass over C (a load, a compare,
// an and and an or per register) becomes an and, an or and a store.
template <class T>
struct TransposingMarker {
  static_assert(std::is_same_v<T, double>, "one word of marks a lane: doubles' lanes");
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  Marker<T, true> columns;
  std::uint64_t* rows;
  void scalar(T v, Index row, Index col) const {
    columns.scalar(v, row, col);
    rows[row] |= static_cast<std::uint64_t>(v != T(0)) << col;
  }
  void packet(Packet v, Index row, Index col) const {
    columns.packet(v, row, col);
    constexpr int L = Eigen::internal::packet_traits<T>::size;
    T lanes[L];
    Eigen::internal::pstoreu(lanes, v);
    for (int l = 0; l < L; ++l) rows[row + l] |= static_cast<std::uint64_t>(lanes[l] != T(0)) << col;
  }
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(V v, Index row, Index col) const {  // unordered not-equal: NaN is not zero
    const __m256d nonzero = _mm256_cmp_pd(v, _mm256_setzero_pd(), _CMP_NEQ_UQ);
    columns.mark(static_cast<std::uint64_t>(static_cast<unsigned>(_mm256_movemask_pd(nonzero))), row, col);
    const __m256d bit = _mm256_castsi256_pd(_mm256_set1_epi64x(static_cast<long long>(std::uint64_t(1) << col)));
    auto* words = reinterpret_cast<double*>(rows + row);
    _mm256_storeu_pd(words, _mm256_or_pd(_mm256_loadu_pd(words), _mm256_and_pd(nonzero, bit)));
  }
#endif
};
// The epilogues' default: no marks.
template <class T>
struct NoMarker {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  void scalar(T, Index, Index) const {}
  void packet(Packet, Index, Index) const {}
#ifdef SPECSIM_GEMM_AVX
  template <class V>
  SPECSIM_AVX void wide(V, Index, Index) const {}
#endif
};

// Whether the `size` entries from `a` are all finite, exactly: the sum of x * 0, +-0 for a
// finite x and NaN for an infinite or NaN one, is 0 just when they are (in any order, and no
// sum can overflow: all_finite's shortcut). For checks whose answer decides what a run does
// (DspPolicy installing a job's weights); twice all_finite's instructions.
template <class T>
bool all_finite_exact(const T* a, Index size) {
  T sum = T(0);
  Index k = 0;
#ifdef SPECSIM_GEMM_AVX
  if (wide_registers()) k = detail::wide_zeros_sum(a, size, sum);
#endif
  for (; k < size; ++k) sum += a[k] * T(0);
  return sum == T(0);
}

// C = A B as multiply() computes it, each entry through `out`, without the terms whose entry of
// B is marked zero (`marks`, above: a bit unset only where the entry is exactly zero; B
// addressed by strides). The same bits, double and float, provided every entry of A is finite
// (all_finite; the caller checks, as one A often serves two products): each sum starts at +0
// and, rounding to nearest, is -0 only if both its terms are, so never; a term +-0 = 0 x a (a
// finite) then leaves it as it was, where 0 x inf or 0 x NaN would make it NaN. (In a job's
// denormals-are-zero mode a subnormal entry of B compares equal to 0, and its product is 0
// anyway.) One column of C at a time: all its rows summed over the k marked in B's column, in
// multiply_vector's blocks.
template <class T, class Epilogue = Store<T>>
void multiply_marked(Index M, Index N, Index K, const T* a, Index lda, Operand<T> b, const std::uint64_t* marks, T* c,
                     Index ldc, const Epilogue& out = {}) {
#ifdef SPECSIM_GEMM_AVX
  if (wide_registers()) {
    // A's column offsets k lda, kept for the next product with the same lda (a prediction's
    // single column would spend a third of its terms' instructions making them).
    thread_local std::vector<Index> offsets;  // grows only
    thread_local Index offsets_lda = -1;
    if (offsets_lda != lda) offsets.clear();
    offsets_lda = lda;
    for (auto k = static_cast<Index>(offsets.size()); k < K; ++k) offsets.push_back(k * lda);
    using detail::BRead;
    if (b.k_stride == 1) return detail::wide_marked<T, BRead::unit>(M, N, K, a, lda, b, marks, c, ldc, out, offsets.data());
    if (b.k_stride == lda)
      return detail::wide_marked<T, BRead::a_offsets>(M, N, K, a, lda, b, marks, c, ldc, out, offsets.data());
    return detail::wide_marked<T, BRead::strided>(M, N, K, a, lda, b, marks, c, ldc, out, offsets.data());
  }
#endif
  for (Index j = 0; j < N; ++j)
    detail::column_block<T, 1, Epilogue, true>(M, detail::MarkedK{marks + j * mark_words(K), mark_words(K)}, a, lda, b,
                                              j, c, ldc, out);
}

// multiply_marked with B's marks made here (nonzero_marks): B a relu layer's output, or a delta
// its derivative masked (half the entries or more zero), column-major with leading dimension ldb.
template <class T, class Epilogue = Store<T>>
void multiply_skipping_zeros(Index M, Index N, Index K, const T* a, Index lda, const T* b, Index ldb, T* c, Index ldc,
                             const Epilogue& out = {}) {
  thread_local std::vector<std::uint64_t> marks;  // grows only
  const auto words = static_cast<std::size_t>(N * mark_words(K));
  if (marks.size() < words) marks.resize(words);
  nonzero_marks(K, N, b, ldb, marks.data());
  multiply_marked<T>(M, N, K, a, lda, {b, 1, ldb}, marks.data(), c, ldc, out);
}

// C (M x N) = a (M x 1) times b (1 x N; b's entries b_stride apart), each entry through `out`:
// multiply with K = 1 without its blocking, the same bits (an entry is 0 + a_i b_j, as there).
template <class T, class Epilogue = Store<T>>
void outer(Index M, Index N, const T* a, const T* b, Index b_stride, T* c, Index ldc, const Epilogue& out = {}) {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  constexpr Index L = Eigen::internal::packet_traits<T>::size;
  Index done = 0;  // the rows of every column the 256-bit registers did
#ifdef SPECSIM_GEMM_AVX
  if (wide_registers()) done = detail::wide_outer(M, N, a, b, b_stride, c, ldc, out);
#endif
  if (done == M) return;
  const Packet zero = Eigen::internal::pset1<Packet>(T(0));
  for (Index j = 0; j < N; ++j) {
    const T bj = b[j * b_stride];
    const Packet pbj = Eigen::internal::pset1<Packet>(bj);
    T* cj = c + j * ldc;
    Index r = done;
    for (; r + L <= M; r += L)
      out.packet(cj + r, Eigen::internal::padd(zero, Eigen::internal::pmul(Eigen::internal::ploadu<Packet>(a + r), pbj)), r, j);
    for (; r < M; ++r) out.scalar(cj + r, T(0) + a[r] * bj, r, j);
  }
}

// c (N entries) = a (1 x K) times B (K x N, column-major, leading dimension ldb), each entry
// through `out` (row j, column 0: c as a column): multiply's bits for a one-row product, each
// entry summed over k in order from +0 (as multiply_vector on B^T, without making B^T). Four
// columns at a time on 256-bit registers in double; the rest one by one.
template <class T, class Epilogue = Store<T>>
void row_in_order(Index N, Index K, const T* a, const T* b, Index ldb, T* c, const Epilogue& out = {}) {
  Index j = 0;
#ifdef SPECSIM_GEMM_AVX
  if constexpr (std::is_same_v<T, double>)
    if (wide_registers()) j = detail::wide_row_in_order(N, K, a, b, ldb, c, out);
#endif
  for (; j < N; ++j) {
    const T* col = b + j * ldb;
    T acc = T(0);
    for (Index k = 0; k < K; ++k) acc += col[k] * a[k];
    out.scalar(c + j, acc, j, 0);
  }
}

// C (1 x N) = a (1 x K) times B (K x N, k_stride 1), each entry through `out`: a dot product per
// column of B, summed over k in packets with one partial sum per lane, reduced at the end. A
// different order (so different rounding) from multiply's, which sums one row of C in scalars:
// for callers that need not reproduce multiply's bits.
template <class T, class Epilogue = Store<T>>
void row_times(Index N, Index K, const T* a, Operand<T> b, T* c, const Epilogue& out = {}) {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  constexpr Index L = Eigen::internal::packet_traits<T>::size;
  for (Index j = 0; j < N; ++j) {
    const T* bj = b.data + j * b.n_stride;
    Packet acc = Eigen::internal::pset1<Packet>(T(0));
    Index k = 0;
    for (; k + L <= K; k += L)
      acc = Eigen::internal::padd(acc, Eigen::internal::pmul(Eigen::internal::ploadu<Packet>(a + k),
                                                             Eigen::internal::ploadu<Packet>(bj + k)));
    T sum = Eigen::internal::predux(acc);
    for (; k < K; ++k) sum += a[k] * bj[k];
    out.scalar(c + j, sum, 0, j);
  }
}

// out (rows entries) = the sums of the rows of a (rows x n, column stride ld), with the bits of
// Eigen's `out = a.rowwise().sum()` (Eigen 3.4): where Eigen sums every row in packets, so does
// this, in its order (the first column, then groups of four columns summed in pairs, then
// column by column), on 256-bit registers where there are; else Eigen's expression itself.
template <class T>
void row_sums(Index rows, Index n, const T* a, Index ld, T* out) {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  constexpr Index L = Eigen::internal::packet_traits<T>::size;
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  // Eigen's packets cover every row when the rows fill them and `out` is aligned to them (it
  // would sum the rows before the first aligned one, and those after the last packet, singly).
  if (n == 0 || rows % L != 0 || reinterpret_cast<std::uintptr_t>(out) % sizeof(Packet) != 0) {
    Eigen::Map<Vector>(out, rows) = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>(a, rows, n, {ld}).rowwise().sum();
    return;
  }
  Index r = 0;
#ifdef SPECSIM_GEMM_AVX
  if (wide_registers()) r = detail::wide_row_sums(rows, n, a, ld, out);
#endif
  using namespace Eigen::internal;
  const Index grouped = (n - 1) & ~Index(3);
  for (; r < rows; r += L) {
    const T* col = a + r;
    Packet sum = ploadu<Packet>(col);
    Index i = 1;
    for (; i < grouped; i += 4)
      sum = padd(sum, padd(padd(ploadu<Packet>(col + i * ld), ploadu<Packet>(col + (i + 1) * ld)),
                           padd(ploadu<Packet>(col + (i + 2) * ld), ploadu<Packet>(col + (i + 3) * ld))));
    for (; i < n; ++i) sum = padd(sum, ploadu<Packet>(col + i * ld));
    pstoreu(out + r, sum);
  }
}

// PacketBlock of a SIMD type drops the type's alignment attribute, which GCC reports; Eigen's
// own headers silence the same warning.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
namespace detail {
template <class T>
void transpose_packets(Eigen::Index rows, Eigen::Index cols, const T* a, Eigen::Index lda, T* out, Eigen::Index ldo) {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  constexpr int L = Eigen::internal::packet_traits<T>::size;
  Eigen::Index c = 0;
  for (; c + L <= cols; c += L) {
    Eigen::Index r = 0;
    for (; r + L <= rows; r += L) {
      Eigen::internal::PacketBlock<Packet, L> block;
      for (int i = 0; i < L; ++i) block.packet[i] = Eigen::internal::ploadu<Packet>(a + (c + i) * lda + r);
      Eigen::internal::ptranspose(block);
      for (int i = 0; i < L; ++i) Eigen::internal::pstoreu(out + (r + i) * ldo + c, block.packet[i]);
    }
    for (; r < rows; ++r)
      for (int i = 0; i < L; ++i) out[r * ldo + c + i] = a[(c + i) * lda + r];
  }
  for (; c < cols; ++c)
    for (Eigen::Index r = 0; r < rows; ++r) out[r * ldo + c] = a[c * lda + r];
}
}  // namespace detail
#pragma GCC diagnostic pop

// out (cols x rows, leading dimension ldo) = a^T, a being rows x cols (leading dimension lda):
// square blocks of one packet's width (4 x 4 doubles on 256-bit registers) are transposed in
// registers, the edges one by one.
template <class T>
void transpose(Index rows, Index cols, const T* a, Index lda, T* out, Index ldo) {
  Index done_rows = 0, done_cols = 0;  // the block the 256-bit registers did
#ifdef SPECSIM_GEMM_AVX
  if constexpr (std::is_same_v<T, double>)
    if (wide_registers()) {
      detail::wide_transpose(rows, cols, a, lda, out, ldo);
      done_rows = rows / 4 * 4;
      done_cols = cols / 4 * 4;
    }
#endif
  // The rest: the rows below that block in its columns, then every row of the columns after it
  // (each skipped when empty: its loop would still walk the columns).
  if (rows > done_rows)
    detail::transpose_packets(rows - done_rows, done_cols, a + done_rows, lda, out + done_rows * ldo, ldo);
  if (cols > done_cols) detail::transpose_packets(rows, cols - done_cols, a + done_cols * lda, lda, out + done_cols, ldo);
}

}  // namespace specsim::policies::learner::gemm

// AdamW: two steps against hand-computed values (bias correction included), decoupled decay,
// and input validation.
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "policies/learner/adamw.hpp"

using namespace specsim::policies::learner;

TEST_CASE("two AdamW steps match the hand computation", "[adamw]") {
  AdamW opt({.lr = 0.1, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01});
  Eigen::VectorXd p(2);
  p << 1.0, -2.0;

  // Step 1, g = (0.5, -0.1): decay by 1 - 0.1*0.01; m = 0.1 g, v = 0.001 g^2, and the bias
  // corrections give m_hat = g, v_hat = g^2, so each update is lr * g / (|g| + eps).
  opt.step(p, Eigen::Vector2d(0.5, -0.1));
  const double p0 = 1.0 * 0.999 - 0.1 * 0.5 / (0.5 + 1e-8);
  const double p1 = -2.0 * 0.999 + 0.1 * 0.1 / (0.1 + 1e-8);
  CHECK(p[0] == Approx(p0).epsilon(1e-15));
  CHECK(p[1] == Approx(p1).epsilon(1e-15));
  CHECK(opt.steps() == 1);
  CHECK(opt.first_moment()[0] == Approx(0.05));
  CHECK(opt.second_moment()[1] == Approx(0.001 * 0.01));

  // Step 2, g = (0.5, 0.3):
  //   m = 0.9 m + 0.1 g = (0.095, 0.021),  v = 0.999 v + 0.001 g^2 = (0.00049975, 0.00009999)
  //   m_hat = m / (1 - 0.81) = (0.5, 0.11052631...), v_hat = v / (1 - 0.998001) = (0.25, 0.05002...)
  opt.step(p, Eigen::Vector2d(0.5, 0.3));
  const double mh0 = 0.095 / 0.19, vh0 = 0.00049975 / 0.001999;
  const double mh1 = 0.021 / 0.19, vh1 = 0.00009999 / 0.001999;
  CHECK(mh0 == Approx(0.5));
  CHECK(vh0 == Approx(0.25));
  CHECK(p[0] == Approx(p0 * 0.999 - 0.1 * mh0 / (std::sqrt(vh0) + 1e-8)).epsilon(1e-13));
  CHECK(p[1] == Approx(p1 * 0.999 - 0.1 * mh1 / (std::sqrt(vh1) + 1e-8)).epsilon(1e-13));
  CHECK(opt.steps() == 2);
}

TEST_CASE("weight decay is decoupled from the gradient", "[adamw]") {
  // With a zero gradient Adam's update is 0 / (0 + eps) = 0, so only the decay acts: an L2
  // penalty folded into the gradient would instead move p by about lr (Adam normalises it).
  AdamW opt({.lr = 0.1, .weight_decay = 0.5});
  Eigen::VectorXd p = Eigen::Vector2d(2.0, -4.0);
  opt.step(p, Eigen::Vector2d::Zero());
  CHECK(p[0] == Approx(2.0 * 0.95).epsilon(1e-15));
  CHECK(p[1] == Approx(-4.0 * 0.95).epsilon(1e-15));
}

TEST_CASE("AdamW steps a mapped view in place", "[adamw]") {
  double storage[3] = {1.0, 1.0, 1.0};
  Eigen::Map<Eigen::VectorXd> view(storage, 3);
  AdamW opt({.lr = 0.01, .weight_decay = 0.0});
  opt.step(view, Eigen::Vector3d(1.0, -1.0, 0.0));
  CHECK(storage[0] == Approx(0.99).epsilon(1e-9));
  CHECK(storage[1] == Approx(1.01).epsilon(1e-9));
  CHECK(storage[2] == 1.0);
}

TEST_CASE("AdamW rejects bad settings and mismatched vectors", "[adamw]") {
  CHECK_THROWS_AS(AdamW({.lr = 0.0}), std::invalid_argument);
  CHECK_THROWS_AS(AdamW({.beta1 = 1.0}), std::invalid_argument);
  CHECK_THROWS_AS(AdamW({.beta2 = -0.1}), std::invalid_argument);
  CHECK_THROWS_AS(AdamW({.eps = 0.0}), std::invalid_argument);
  CHECK_THROWS_AS(AdamW({.weight_decay = -1e-3}), std::invalid_argument);

  AdamW opt;
  Eigen::VectorXd p = Eigen::VectorXd::Zero(3);
  CHECK_THROWS_AS(opt.step(p, Eigen::VectorXd::Zero(2)), std::invalid_argument);
  opt.step(p, Eigen::VectorXd::Ones(3));
  Eigen::VectorXd q = Eigen::VectorXd::Zero(4);
  CHECK_THROWS_AS(opt.step(q, Eigen::VectorXd::Ones(4)), std::invalid_argument);
}

TEST_CASE("AdamW in float follows double to float precision, with moments of its own", "[adamw]") {
  const AdamWConfig config{.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01};
  AdamW in_double(config), in_float(config);
  // 11 entries: two packets of four and a scalar tail of three in float.
  Eigen::VectorXd p64 = Eigen::VectorXd::LinSpaced(11, -1.0, 1.0);
  Eigen::VectorXf p32 = p64.cast<float>();
  for (int t = 1; t <= 5; ++t) {
    Eigen::VectorXd g = Eigen::VectorXd::LinSpaced(11, 0.3, -0.2 * t);
    in_double.step(p64, g);
    in_float.step(p32, Eigen::VectorXf(g.cast<float>()));
  }
  CHECK(in_float.steps() == 5);
  CHECK(in_double.first_moment().size() == 11);
  CHECK(in_float.first_moment().size() == 0);  // the float steps kept their moments apart
  CHECK(p32.cast<double>() != p64);             // it did compute in float
  CHECK((p32.cast<double>() - p64).norm() < 1e-6 * p64.norm());
}

namespace {

// n entries stepped at once (in 256-bit registers where the CPU has AVX, then packets, then a
// scalar tail) against each entry alone (a vector of one: the scalar tail). The packets' square
// roots and divisions must round as the tail's do (Eigen's approximate float square root would not).
template <class T>
void check_packets_match_tail(int n) {
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  const AdamWConfig config{.lr = 0.003, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01};
  AdamW packets(config);
  Vector p = Vector::LinSpaced(n, T(-0.9), T(0.8));
  std::vector<AdamW> alone(static_cast<std::size_t>(n), AdamW(config));
  Vector q = p;
  for (int t = 0; t < 4; ++t) {
    Vector g(n);
    for (int i = 0; i < n; ++i) g[i] = std::sin(T(0.37) * static_cast<T>(i * (t + 3)) + T(0.1)) * (T(1) + static_cast<T>(i));
    packets.step(p, g);
    for (int i = 0; i < n; ++i) alone[static_cast<std::size_t>(i)].step(q.segment(i, 1), g.segment(i, 1));
  }
  for (int i = 0; i < n; ++i) {
    CAPTURE(n, i);
    CHECK(p[i] == q[i]);
  }
}

}  // namespace

TEST_CASE("AdamW gives the same value in a packet and in the scalar tail", "[adamw]") {
  // Whole registers only; every kind of tail after them; the 256-bit loop's unrolled passes
  // (8 registers) with single registers after them (100), and a job's 1,313 parameters.
  for (int n : {64, 67, 100, 1313}) {
    check_packets_match_tail<float>(n);
    check_packets_match_tail<double>(n);
  }
}

TEST_CASE("AdamW's step from another optimizer is the copy and the step, without the copy", "[adamw]") {
  const AdamWConfig config{.lr = 0.003, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.01};
  const Eigen::VectorXd g0 = Eigen::VectorXd::LinSpaced(67, -1.0, 2.0), g1 = Eigen::VectorXd::LinSpaced(67, 0.5, -0.7);
  AdamW from(config), fresh_target(AdamWConfig{.lr = 0.5});
  Eigen::VectorXd p = Eigen::VectorXd::LinSpaced(67, -0.9, 0.8);
  // From a fresh optimizer (no moments yet), then from one that has stepped.
  for (const Eigen::VectorXd* g : {&g0, &g1}) {
    AdamW copied = from;
    Eigen::VectorXd q = p;
    copied.step(q, *g);
    Eigen::VectorXd out = Eigen::VectorXd::Constant(3, 9.0);  // resized and overwritten
    fresh_target.step_from(from, p, out, *g);
    CHECK(out == q);
    CHECK(fresh_target.steps() == copied.steps());
    CHECK(fresh_target.first_moment() == copied.first_moment());
    CHECK(fresh_target.second_moment() == copied.second_moment());
    CHECK(fresh_target.config().lr == config.lr);
    from.step(p, *g);
    CHECK(p == q);
  }
  // In float, in place on the same weights (a job's float weights), the moments from `from`.
  AdamW from32(config), to32(AdamWConfig{.lr = 0.5});
  Eigen::VectorXf w = Eigen::VectorXf::LinSpaced(67, -0.9f, 0.8f);
  const Eigen::VectorXf gf = g0.cast<float>();
  from32.step(w, gf);
  Eigen::VectorXf v = w;
  AdamW copied32 = from32;
  copied32.step(w, gf);
  to32.step_from(from32, v, v, gf);
  CHECK(v == w);
  CHECK(to32.steps() == copied32.steps());
  CHECK_THROWS_AS(to32.step_from(from32, v, v, Eigen::VectorXf::Zero(3)), std::invalid_argument);
}

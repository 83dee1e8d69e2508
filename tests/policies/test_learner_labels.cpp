// Labels of a segment: ideal k, rewards, lambda returns, and DSP's own recorded labels.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "policies/learner/labels.hpp"

using namespace specsim::policies::learner;

namespace {

std::vector<double> to_std(const Eigen::VectorXd& v) { return {v.data(), v.data() + v.size()}; }

}  // namespace

TEST_CASE("ideal k of every-step states ending at a mismatch", "[labels]") {
  // States at steps 3..6; step 6 is the first mismatch.
  const std::vector<int> steps{3, 4, 5, 6};
  CHECK(to_std(ideal_k_labels(steps, 6)) == std::vector<double>{4, 3, 2, 1});
  CHECK(to_std(segment_rewards(steps, 6)) == std::vector<double>{1, 1, 1, 1});
}

TEST_CASE("a segment of round starts that ends only with the episode", "[labels]") {
  // Rounds started at steps 4, 6 and 9; all matched, and the episode's last step is 10.
  const std::vector<int> steps{4, 6, 9};
  CHECK(to_std(ideal_k_labels(steps, 10)) == std::vector<double>{7, 5, 2});
  CHECK(to_std(segment_rewards(steps, 10)) == std::vector<double>{2, 3, 2});
}

TEST_CASE("lambda = gamma = 1 gives exactly ideal k, whatever the values", "[labels]") {
  const std::vector<int> steps{0, 2, 3, 7, 8};
  const Eigen::VectorXd values = (Eigen::VectorXd(5) << 100, -3.5, 0.25, 42, 7).finished();
  CHECK(lambda_return_labels(steps, 11, values, 1.0, 1.0) == ideal_k_labels(steps, 11));
}

TEST_CASE("a hand-computed lambda return with lambda = 0.95", "[labels]") {
  // steps {2, 3, 5}, b = 6: rewards (1, 2, 2). V(s_1) = 1.5, V(s_2) = 3 (V(s_0) is never used).
  //   G_2 = 2
  //   G_1 = 2 + (0.05 * 3.0 + 0.95 * 2)     = 4.05
  //   G_0 = 1 + (0.05 * 1.5 + 0.95 * 4.05)  = 4.9225
  const std::vector<int> steps{2, 3, 5};
  const Eigen::Vector3d values(99.0, 1.5, 3.0);
  const Eigen::VectorXd g = lambda_return_labels(steps, 6, values, 1.0, 0.95);
  REQUIRE(g.size() == 3);
  CHECK(g[0] == Approx(4.9225).epsilon(1e-14));
  CHECK(g[1] == Approx(4.05).epsilon(1e-14));
  CHECK(g[2] == 2.0);
  CHECK(lambda_return_labels(steps, 6, Eigen::Vector3d(-7.0, 1.5, 3.0), 1.0, 0.95) == g);

  // With gamma = 0.9:  G_1 = 2 + 0.9 * 2.05 = 3.845,  G_0 = 1 + 0.9 * (0.075 + 0.95 * 3.845)
  const Eigen::VectorXd d = lambda_return_labels(steps, 6, values, 0.9, 0.95);
  CHECK(d[1] == Approx(3.845).epsilon(1e-14));
  CHECK(d[0] == Approx(4.354975).epsilon(1e-14));
}

TEST_CASE("lambda = 0 is the one-step TD target", "[labels]") {
  const std::vector<int> steps{1, 2, 3};
  const Eigen::Vector3d values(0.0, 2.5, 4.0);
  CHECK(to_std(lambda_return_labels(steps, 3, values, 1.0, 0.0)) == std::vector<double>{3.5, 5.0, 1.0});
}

TEST_CASE("bad segments and settings are rejected", "[labels]") {
  const std::vector<int> unordered{3, 3, 4};
  CHECK_THROWS_AS(ideal_k_labels(unordered, 5), std::invalid_argument);
  const std::vector<int> ok{3, 4};
  CHECK_THROWS_AS(ideal_k_labels(ok, 3), std::invalid_argument);  // state after its breaking step
  CHECK_THROWS_AS(lambda_return_labels(ok, 5, Eigen::Vector3d::Zero(), 1.0, 0.95), std::invalid_argument);
  CHECK_THROWS_AS(lambda_return_labels(ok, 5, Eigen::Vector2d::Zero(), 1.1, 0.95), std::invalid_argument);
  CHECK_THROWS_AS(lambda_return_labels(ok, 5, Eigen::Vector2d::Zero(), 1.0, -0.1), std::invalid_argument);
  CHECK(ideal_k_labels(std::vector<int>{}, 0).size() == 0);
}

// DSP's own labels, from the `trajectory: [...]` dumps that its OpenAGI run wrote at each
// mismatch (shared/data/dsp-logs/4_8/test/logs/react/dyn_k/target_datapointNN.log; see
// shared/data/README.md). DSP records one state per step, each with reward 1 and its label k.
// A state's step is 1 + the number of distinct steps in its "Previous History"; the breaking
// step is the step of the log's "step j app: X, tar: Y" mismatch line.
// Only datapoints 11 and 12 are used: from datapoint 13 on, DSP's states carry history leaked
// from the previous task (the history in datapoint 13 line 51 starts with "Approximation Step 10:
// TERMINATE") and some states are labelled k = 0, an artefact of DSP's bookkeeping.
TEST_CASE("reproduces DSP's recorded k labels", "[labels][dsp]") {
  struct Dump {
    const char* where;
    std::vector<int> steps;
    int breaking_step;
    std::vector<double> dsp_rewards, dsp_k;
  };
  const std::vector<Dump> dumps{
      // target_datapoint11.log line 24: states with no history (step 1) and "Approximation
      // Step 1: Image Deblurring" (step 2); line 23 "step 1 app: Image Super-Resolution, tar:
      // Image Denoising" is target step 2 (line 17). Dumped k: 2, 1.
      {"target_datapoint11.log:24", {1, 2}, 2, {1, 1}, {2, 1}},
      // target_datapoint12.log line 121: histories up to "Target Step 7: Object Detection"
      // (step 8) and up to "Target Step 8: Visual Question Answering" (step 9, a match: no
      // mismatch line follows line 104); line 120 "step 0 app: TERMINATE, tar: Text
      // Summarization" is target step 9 (line 114). Dumped k: 2, 1.
      {"target_datapoint12.log:121", {8, 9}, 9, {1, 1}, {2, 1}},
      // target_datapoint11.log line 63: one state, history up to "Target Step 4: Image
      // Classification" (step 5); line 62 "step 0 app: Image Classification, tar: Image
      // Captioning" is target step 5 (line 56). Dumped k: 1.
      {"target_datapoint11.log:63", {5}, 5, {1}, {1}},
  };
  for (const Dump& d : dumps) {
    CAPTURE(d.where);
    CHECK(to_std(ideal_k_labels(d.steps, d.breaking_step)) == d.dsp_k);
    CHECK(to_std(segment_rewards(d.steps, d.breaking_step)) == d.dsp_rewards);
    // DSP's k is the undiscounted return of its rewards, i.e. lambda = gamma = 1.
    const Eigen::VectorXd junk = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(d.steps.size()), 9.0);
    CHECK(to_std(lambda_return_labels(d.steps, d.breaking_step, junk, 1.0, 1.0)) == d.dsp_k);
  }
}

TEST_CASE("DSP's lambda return bootstraps from the state itself", "[labels][dsp]") {
  // One state per guess at steps {4, 5, 6}, breaking step 6: rewards (1, 1, 1), lambda 0.9.
  //   G_2 = 1 + 0.1 * V_2                   = 1 + 0.1 * 1.0       = 1.1
  //   G_1 = 1 + 0.1 * V_1 + 0.9 * G_2       = 1 + 0.2 + 0.99      = 2.19
  //   G_0 = 1 + 0.1 * V_0 + 0.9 * G_1       = 1 + 0.3 + 1.971     = 3.271
  const std::vector<int> steps{4, 5, 6};
  const Eigen::VectorXd g = dsp_lambda_return_labels(steps, 6, Eigen::Vector3d(3.0, 2.0, 1.0), 1.0, 0.9);
  REQUIRE(g.size() == 3);
  CHECK(g[2] == Approx(1.1).epsilon(1e-14));
  CHECK(g[1] == Approx(2.19).epsilon(1e-14));
  CHECK(g[0] == Approx(3.271).epsilon(1e-14));
  // lambda = 1 is the ideal k again.
  CHECK(to_std(dsp_lambda_return_labels(steps, 6, Eigen::Vector3d(9, 9, 9), 1.0, 1.0)) == std::vector<double>{3, 2, 1});
}

#pragma once
// Training labels of a segment, built after its breaking point.
//
// A segment is the states observed since the previous breaking point, each at a step index
// s_0 < s_1 < ... < s_{n-1} (DSP records every step's state; a round-start-only recorder gives
// gaps). The breaking step b >= s_{n-1} is the step of the first mismatch, or the episode's last
// step when the segment ends with the episode.
//
// ideal_k: k*_i = b - s_i + 1, the steps from s_i up to and including the breaking step: the
// depth that would have speculated exactly up to the mismatch (DSP's definition).
//
// lambda_return: the segment as a trajectory whose reward from state i to i+1 is the steps
// between them, r_i = s_{i+1} - s_i, and whose last reward r_{n-1} = b - s_{n-1} + 1 ends it:
//   G_{n-1} = r_{n-1},   G_i = r_i + gamma ((1 - lambda) V(s_{i+1}) + lambda G_{i+1}).
// The rewards sum to k*_i, so gamma = lambda = 1 gives exactly ideal_k; DSP uses gamma 1,
// lambda 0.95, bootstrapping a little from the current predictor V.
#include <Eigen/Core>
#include <span>

namespace specsim::policies::learner {

// Throws std::invalid_argument unless steps are strictly increasing and none exceeds b.
// An empty segment is valid (it has no labels).
void validate_segment(std::span<const int> steps, int breaking_step);

// r_i as above (one entry per state).
Eigen::VectorXd segment_rewards(std::span<const int> steps, int breaking_step);

Eigen::VectorXd ideal_k_labels(std::span<const int> steps, int breaking_step);
// The same into `out` (one entry per state), allocating nothing.
void ideal_k_labels(std::span<const int> steps, int breaking_step, Eigen::Ref<Eigen::VectorXd> out);

// DSP's lambda return (OnlineLearningExecutor._compute_lambda_return), which bootstraps from the
// value of the state itself, not the next one:
//   G_{n-1} = r_{n-1} + gamma (1 - lambda) V(s_{n-1}),
//   G_i = r_i + gamma ((1 - lambda) V(s_i) + lambda G_{i+1}).
// (States after the break, reward 0 and masked, have G = 0 and do not enter the recursion.)
Eigen::VectorXd dsp_lambda_return_labels(std::span<const int> steps, int breaking_step,
                                         const Eigen::Ref<const Eigen::VectorXd>& values, double gamma,
                                         double lambda);

// values[i] = V(s_i) for every state of the segment (values[0] is not used: only next states
// bootstrap); this lets the caller pass predict_batch() of the segment's features directly.
// gamma and lambda must be in [0, 1].
Eigen::VectorXd lambda_return_labels(std::span<const int> steps, int breaking_step,
                                     const Eigen::Ref<const Eigen::VectorXd>& values, double gamma,
                                     double lambda);

}  // namespace specsim::policies::learner

#pragma once
// Trajectory: one closed segment as the learner stores it (features of each state, the state's
// step index, and the segment's breaking step; labels are derived at training time, because
// lambda returns depend on the predictor's weights then). SegmentRecorder collects the states
// of the open segment and closes it at a breaking point. TrajectoryView is the same segment
// over storage someone else owns (the replay buffer's, or the recorder's open segment).
#include <Eigen/Core>
#include <span>
#include <vector>

namespace specsim::policies::learner {

struct TrajectoryView {
  Eigen::Map<const Eigen::MatrixXd> features{nullptr, 0, 0};  // inputs x states
  std::span<const int> steps;
  int breaking_step = 0;
  int after_break = 0;

  Eigen::Index size() const { return features.cols(); }
  std::size_t head() const { return steps.size() - static_cast<std::size_t>(after_break); }  // states up to the break
};

struct Trajectory {
  Eigen::MatrixXd features;  // inputs x states: column i is the state at steps[i]
  std::vector<int> steps;    // strictly increasing
  int breaking_step = 0;     // >= every step but the last `after_break` ones
  // States after the breaking step (DSP records A's guesses made after the mismatch too): their
  // label is 0 and they are masked out of the lambda returns of the states before them.
  int after_break = 0;

  Eigen::Index size() const { return features.cols(); }
  std::size_t head() const { return steps.size() - static_cast<std::size_t>(after_break); }  // states up to the break
  operator TrajectoryView() const {  // NOLINT(google-explicit-constructor): a view of it, as a span of a vector
    return {{features.data(), features.rows(), features.cols()}, steps, breaking_step, after_break};
  }
};

// Throws std::invalid_argument unless the trajectory has at least one state, one feature
// column per step, and a valid segment (see labels.hpp).
void validate(const TrajectoryView& t);

class SegmentRecorder {
 public:
  explicit SegmentRecorder(int inputs);

  // Record the state seen at `step` (steps must increase; checked at close()).
  // Inlined: a state a round, and out of line its call and checks cost more than the copy.
  [[gnu::always_inline]] void add(const Eigen::Ref<const Eigen::VectorXd>& features, int step) {
    if (features.size() != inputs_) [[unlikely]] wrong_width(features.size());
    features_.insert(features_.end(), features.data(), features.data() + features.size());
    steps_.push_back(step);
  }
  // The segment ends at breaking_step: returns it as a trajectory and starts a new segment.
  // Precondition: at least one state was added. With `after_break`, states at steps after the
  // breaking step are kept as the trajectory's after-break states (else they are an error).
  Trajectory close(int breaking_step, bool after_break = false);
  // The same checks, but the open segment stays and the view reads the recorder's storage (valid
  // until the next add or clear): what the replay buffer copies from, allocating nothing.
  TrajectoryView closed_view(int breaking_step, bool after_break = false) const;
  // Drop the open segment (e.g. an episode cut off without a breaking point to label it).
  void clear();

  bool empty() const { return steps_.empty(); }
  std::size_t size() const { return steps_.size(); }
  int inputs() const { return inputs_; }

 private:
  [[noreturn]] void wrong_width(Eigen::Index features) const;  // throws std::invalid_argument
  int inputs_;
  std::vector<double> features_;  // column-major, grown per state without reallocating a matrix
  std::vector<int> steps_;
};

}  // namespace specsim::policies::learner

#include "policies/learner/trajectory.hpp"

#include <span>
#include <stdexcept>
#include <string>

#include "policies/learner/labels.hpp"

namespace specsim::policies::learner {

void validate(const TrajectoryView& t) {
  if (t.steps.empty()) throw std::invalid_argument("trajectory has no states");
  if (t.features.cols() != static_cast<Eigen::Index>(t.steps.size()))
    throw std::invalid_argument("trajectory has " + std::to_string(t.features.cols()) +
                                " feature columns for " + std::to_string(t.steps.size()) + " steps");
  if (t.after_break < 0 || static_cast<std::size_t>(t.after_break) > t.steps.size())
    throw std::invalid_argument("trajectory has " + std::to_string(t.after_break) + " states after its break");
  const auto head = std::span<const int>(t.steps).first(t.head());
  validate_segment(head, t.breaking_step);
  for (std::size_t i = t.head(); i < t.steps.size(); ++i)
    if (t.steps[i] <= t.breaking_step || (i > 0 && t.steps[i] <= t.steps[i - 1]))
      throw std::invalid_argument("a state after the break must follow the breaking step and the state before it");
}

SegmentRecorder::SegmentRecorder(int inputs) : inputs_(inputs) {
  if (inputs < 1) throw std::invalid_argument("segment recorder needs at least one input");
}

void SegmentRecorder::wrong_width(Eigen::Index features) const {
  throw std::invalid_argument("segment state has " + std::to_string(features) + " features, expected " +
                              std::to_string(inputs_));
}

TrajectoryView SegmentRecorder::closed_view(int breaking_step, bool after_break) const {
  if (steps_.empty()) throw std::logic_error("closing an empty segment");
  std::size_t head = steps_.size();
  if (after_break)
    while (head > 0 && steps_[head - 1] > breaking_step) --head;
  validate_segment(std::span<const int>(steps_).first(head), breaking_step);
  for (std::size_t i = head + 1; i < steps_.size(); ++i)
    if (steps_[i] <= steps_[i - 1]) throw std::invalid_argument("segment steps must be strictly increasing");
  return {{features_.data(), inputs_, static_cast<Eigen::Index>(steps_.size())},
          steps_,
          breaking_step,
          static_cast<int>(steps_.size() - head)};
}

Trajectory SegmentRecorder::close(int breaking_step, bool after_break) {
  const TrajectoryView v = closed_view(breaking_step, after_break);  // a bad close keeps the segment
  // Copies, not moves: the recorder keeps its storage for the next segment.
  Trajectory t{v.features, {v.steps.begin(), v.steps.end()}, v.breaking_step, v.after_break};
  clear();
  return t;
}

void SegmentRecorder::clear() {
  features_.clear();
  steps_.clear();
}

}  // namespace specsim::policies::learner

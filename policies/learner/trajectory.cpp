#include "policies/learner/trajectory.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "policies/learner/labels.hpp"

namespace specsim::policies::learner {

void validate(const Trajectory& t) {
  if (t.steps.empty()) throw std::invalid_argument("trajectory has no states");
  if (t.features.cols() != static_cast<Eigen::Index>(t.steps.size()))
    throw std::invalid_argument("trajectory has " + std::to_string(t.features.cols()) +
                                " feature columns for " + std::to_string(t.steps.size()) + " steps");
  validate_segment(t.steps, t.breaking_step);
}

SegmentRecorder::SegmentRecorder(int inputs) : inputs_(inputs) {
  if (inputs < 1) throw std::invalid_argument("segment recorder needs at least one input");
}

void SegmentRecorder::add(const Eigen::Ref<const Eigen::VectorXd>& features, int step) {
  if (features.size() != inputs_)
    throw std::invalid_argument("segment state has " + std::to_string(features.size()) +
                                " features, expected " + std::to_string(inputs_));
  features_.insert(features_.end(), features.data(), features.data() + features.size());
  steps_.push_back(step);
}

Trajectory SegmentRecorder::close(int breaking_step) {
  if (steps_.empty()) throw std::logic_error("closing an empty segment");
  validate_segment(steps_, breaking_step);  // before moving out: a bad close keeps the segment
  Trajectory t;
  t.features = Eigen::Map<const Eigen::MatrixXd>(features_.data(), inputs_,
                                                 static_cast<Eigen::Index>(steps_.size()));
  t.steps = std::move(steps_);
  t.breaking_step = breaking_step;
  clear();
  return t;
}

void SegmentRecorder::clear() {
  features_.clear();
  steps_.clear();
}

}  // namespace specsim::policies::learner

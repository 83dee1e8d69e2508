#include "policies/learner/replay_buffer.hpp"

#include <stdexcept>
#include <utility>

namespace specsim::policies::learner {

ReplayBuffer::ReplayBuffer(std::size_t capacity) : capacity_(capacity) {
  if (capacity < 1) throw std::invalid_argument("replay buffer capacity must be >= 1");
}

void ReplayBuffer::add(Trajectory trajectory) {
  validate(trajectory);
  if (items_.size() == capacity_) {
    total_steps_ -= items_.front().steps.size();
    items_.pop_front();
  }
  total_steps_ += trajectory.steps.size();
  items_.push_back(std::move(trajectory));
  ++added_;
}

std::vector<std::size_t> ReplayBuffer::sample(std::size_t min_steps, sim::RandomStream& rng) const {
  std::vector<std::size_t> picks;
  if (items_.empty()) return picks;
  const auto last = static_cast<std::int64_t>(items_.size()) - 1;
  // Terminates: every stored trajectory has at least one state (validate()).
  for (std::size_t steps = 0; steps < min_steps;) {
    const auto i = static_cast<std::size_t>(rng.uniform_int(0, last));
    picks.push_back(i);
    steps += items_[i].steps.size();
  }
  return picks;
}

}  // namespace specsim::policies::learner

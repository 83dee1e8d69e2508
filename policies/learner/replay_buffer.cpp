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
  sample(min_steps, rng, picks);
  return picks;
}

void ReplayBuffer::sample(std::size_t min_steps, sim::RandomStream& rng, std::vector<std::size_t>& picks) const {
  picks.clear();
  if (items_.empty()) return;
  const auto last = static_cast<std::int64_t>(items_.size()) - 1;
  // Terminates: every stored trajectory has at least one state (validate()).
  for (std::size_t steps = 0; steps < min_steps;) {
    const auto i = static_cast<std::size_t>(rng.uniform_int(0, last));
    picks.push_back(i);
    steps += items_[i].steps.size();
  }
}

std::vector<std::size_t> ReplayBuffer::sample_without_replacement(std::size_t min_steps, sim::RandomStream& rng) const {
  std::vector<std::size_t> order(items_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Fisher-Yates with the stream's own draws (std::shuffle differs between libraries).
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i) - 1))]);
  std::vector<std::size_t> picks;
  std::size_t steps = 0;
  for (std::size_t i : order) {
    if (steps >= min_steps) break;
    picks.push_back(i);
    steps += items_[i].steps.size();
  }
  return picks;
}

}  // namespace specsim::policies::learner

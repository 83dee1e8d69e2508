#include "policies/learner/replay_buffer.hpp"

#include <stdexcept>
#include <utility>

namespace specsim::policies::learner {

namespace {

// Drops the first `dead` values of an arena once they outnumber the live ones behind them.
template <typename T>
void cut_front(std::vector<T>& arena, std::size_t& base, std::size_t first_live) {
  const std::size_t dead = first_live - base;
  if (dead == 0 || dead < arena.size() - dead) return;
  arena.erase(arena.begin(), arena.begin() + static_cast<std::ptrdiff_t>(dead));
  base = first_live;
}

}  // namespace

ReplayBuffer::ReplayBuffer(std::size_t capacity) : capacity_(capacity) {
  if (capacity < 1) throw std::invalid_argument("replay buffer capacity must be >= 1");
}

void ReplayBuffer::add(const TrajectoryView& trajectory) {
  validate(trajectory);
  store(trajectory);
}

void ReplayBuffer::add(SegmentRecorder& segment, int breaking_step, bool after_break) {
  store(segment.closed_view(breaking_step, after_break));  // as validated as add()'s
  segment.clear();
}

void ReplayBuffer::store(const TrajectoryView& t) {
  const Item added{features_base_ + features_.size(), steps_base_ + steps_.size(), t.features.rows(),
                   static_cast<std::int32_t>(t.size()), t.breaking_step, t.after_break};
  features_.insert(features_.end(), t.features.data(), t.features.data() + t.features.size());
  // A segment holds a state or two: their steps one by one, not a memmove call for 4 bytes.
  for (const int step : t.steps) steps_.push_back(step);
  total_steps_ += t.steps.size();
  ++added_;
  if (items_.size() < capacity_) {
    items_.push_back(added);
    return;
  }
  Item& oldest = items_[first_];
  total_steps_ -= static_cast<std::size_t>(oldest.states);
  oldest = added;
  first_ = first_ + 1 < items_.size() ? first_ + 1 : 0;
  cut_front(features_, features_base_, item(0).features);
  cut_front(steps_, steps_base_, item(0).steps);
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
    steps += states(i);
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
    steps += states(i);
  }
  return picks;
}

}  // namespace specsim::policies::learner

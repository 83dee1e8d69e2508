#pragma once
// ReplayBuffer: the last `capacity` closed segments (DSP keeps 2500), oldest dropped first.
// Sampling mirrors DSP's batch_size_steps: draw whole trajectories uniformly with replacement
// until at least min_steps states are collected, so a batch is never a partial trajectory
// (lambda returns need the whole segment).
#include <cstddef>
#include <deque>
#include <vector>

#include "policies/learner/trajectory.hpp"
#include "sim/random.hpp"

namespace specsim::policies::learner {

class ReplayBuffer {
 public:
  static constexpr std::size_t default_capacity = 2500;

  explicit ReplayBuffer(std::size_t capacity = default_capacity);

  // Validates the trajectory, then stores it, evicting the oldest one when full.
  void add(Trajectory trajectory);

  // Positions in the buffer (0 = oldest stored), in draw order. Empty if the buffer is empty or
  // min_steps is 0. Draws only from `rng`, so a stream state gives the same sample.
  std::vector<std::size_t> sample(std::size_t min_steps, sim::RandomStream& rng) const;
  // The same into `picks` (cleared first), which keeps its capacity.
  void sample(std::size_t min_steps, sim::RandomStream& rng, std::vector<std::size_t>& picks) const;
  // DSP's FiniteReplay.sample: trajectories in a shuffled order, each at most once, until at
  // least min_steps states; all of them when the buffer holds fewer states.
  std::vector<std::size_t> sample_without_replacement(std::size_t min_steps, sim::RandomStream& rng) const;

  const Trajectory& operator[](std::size_t i) const { return items_[i]; }
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::size_t capacity() const { return capacity_; }
  std::size_t total_steps() const { return total_steps_; }  // states over all stored trajectories
  unsigned long long added() const { return added_; }      // trajectories ever added

 private:
  std::size_t capacity_;
  std::deque<Trajectory> items_;
  std::size_t total_steps_ = 0;
  unsigned long long added_ = 0;
};

}  // namespace specsim::policies::learner

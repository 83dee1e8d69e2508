#pragma once
// ReplayBuffer: the last `capacity` closed segments (DSP keeps 2500), oldest dropped first.
// Sampling mirrors DSP's batch_size_steps: draw whole trajectories uniformly with replacement
// until at least min_steps states are collected, so a batch is never a partial trajectory
// (lambda returns need the whole segment).
//
// The trajectories' features and steps live in two arenas, appended at the end and dropped from
// the front, so that a full buffer taking a segment per breaking point allocates nothing (a
// trajectory of its own would be two allocations and two frees each time).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "policies/learner/trajectory.hpp"
#include "sim/random.hpp"

namespace specsim::policies::learner {

class ReplayBuffer {
 public:
  static constexpr std::size_t default_capacity = 2500;

  explicit ReplayBuffer(std::size_t capacity = default_capacity);

  // Validates the trajectory, then stores a copy, evicting the oldest one when full.
  void add(const TrajectoryView& trajectory);
  void add(const Trajectory& trajectory) { add(TrajectoryView(trajectory)); }
  // Closes the recorder's open segment at breaking_step (SegmentRecorder::close's checks) into
  // the buffer and clears the recorder.
  void add(SegmentRecorder& segment, int breaking_step, bool after_break = false);

  // Positions in the buffer (0 = oldest stored), in draw order. Empty if the buffer is empty or
  // min_steps is 0. Draws only from `rng`, so a stream state gives the same sample.
  std::vector<std::size_t> sample(std::size_t min_steps, sim::RandomStream& rng) const;
  // The same into `picks` (cleared first), which keeps its capacity.
  void sample(std::size_t min_steps, sim::RandomStream& rng, std::vector<std::size_t>& picks) const;
  // DSP's FiniteReplay.sample: trajectories in a shuffled order, each at most once, until at
  // least min_steps states; all of them when the buffer holds fewer states.
  std::vector<std::size_t> sample_without_replacement(std::size_t min_steps, sim::RandomStream& rng) const;

  // Valid until the next add.
  TrajectoryView operator[](std::size_t i) const {
    const Item& t = item(i);
    return {{features_.data() + (t.features - features_base_), t.inputs, t.states},
            std::span<const int>(steps_).subspan(t.steps - steps_base_, static_cast<std::size_t>(t.states)),
            t.breaking_step,
            t.after_break};
  }
  std::size_t states(std::size_t i) const { return static_cast<std::size_t>(item(i).states); }  // (*this)[i].steps.size()
  std::size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::size_t capacity() const { return capacity_; }
  std::size_t total_steps() const { return total_steps_; }  // states over all stored trajectories
  unsigned long long added() const { return added_; }      // trajectories ever added

 private:
  struct Item {
    std::size_t features;  // where its features start in features_ (less features_base_)
    std::size_t steps;     // the same in steps_
    Eigen::Index inputs;
    std::int32_t states, breaking_step, after_break;
  };
  void store(const TrajectoryView& t);
  const Item& item(std::size_t i) const {
    const std::size_t j = first_ + i;  // a ring: items_[first_] is the oldest
    return items_[j < items_.size() ? j : j - items_.size()];
  }

  std::size_t capacity_;
  std::vector<Item> items_;
  std::size_t first_ = 0;
  // The arenas: an entry's position is its offset less the base, which grows as the dropped
  // front is cut off (when it exceeds what is still stored, so that each value moves at most
  // once on average and an arena holds at most twice the stored values and one trajectory).
  std::vector<double> features_;
  std::vector<int> steps_;
  std::size_t features_base_ = 0, steps_base_ = 0;
  std::size_t total_steps_ = 0;
  unsigned long long added_ = 0;
};

}  // namespace specsim::policies::learner

#pragma once
// The scripts of a run of consecutive episodes, made once: every policy of a run replays the same
// world for an episode (models/workload.hpp), so its backends can share one copy instead of each
// drawing it again.
#include <cstdint>
#include <vector>

#include "models/episode_script.hpp"
#include "models/workload.hpp"

namespace specsim::models {

class EpisodeScripts {
 public:
  // make_script's scripts of episodes first .. first + count - 1, in the storage of the
  // scripts made before (so that a run's scripts stop allocating once warm).
  void make(const Workload& workload, const Agents& agents, std::uint64_t seed, int max_steps, std::int64_t first,
            std::int64_t count);

  bool holds(std::int64_t episode) const {
    return episode >= first_ && episode - first_ < count_;
  }
  const EpisodeScript& of(std::int64_t episode) const { return scripts_[static_cast<std::size_t>(episode - first_)]; }

 private:
  std::int64_t first_ = 0, count_ = 0;
  std::vector<EpisodeScript> scripts_;  // the first count_ are the episodes'; the rest are spare storage
};

}  // namespace specsim::models

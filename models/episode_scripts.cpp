#include "models/episode_scripts.hpp"

namespace specsim::models {

void EpisodeScripts::make(const Workload& workload, const Agents& agents, std::uint64_t seed, int max_steps,
                          std::int64_t first, std::int64_t count) {
  first_ = first;
  count_ = count;
  if (scripts_.size() < static_cast<std::size_t>(count)) scripts_.resize(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i)
    make_script(workload, agents, seed, first + i, max_steps, scripts_[static_cast<std::size_t>(i)]);
}

}  // namespace specsim::models

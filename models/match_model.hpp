#pragma once
// Whether A's guess of each step matches T's action, for synthetic workloads. Chosen by `kind`
// in the scenario through a small registry: iid, per_task, markov.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/episode_script.hpp"
#include "sim/config_node.hpp"
#include "sim/registry.hpp"
#include "sim/random.hpp"

namespace specsim::models {

class MatchModel {
 public:
  virtual ~MatchModel() = default;
  // Fills script.match[s] for s < steps (and, for models with observable structure, the
  // features a learned policy sees), drawing from the episode's stream.
  virtual void draw(int steps, sim::RandomStream& rng, EpisodeScript& script) const = 0;
};

// kind -> decoder. New match models register here.
const sim::Registry<std::unique_ptr<MatchModel>>& match_model_registry();
std::unique_ptr<MatchModel> decode_match_model(const sim::ConfigNode& node);

}  // namespace specsim::models

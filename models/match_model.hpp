#pragma once
// Whether A's guess of each step matches T's action, for synthetic workloads. Chosen by `kind`
// in the scenario through a small registry: iid, per_task, markov.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/episode_script.hpp"
#include "sim/config_node.hpp"
#include "sim/random.hpp"

namespace specsim::models {

class MatchModel {
 public:
  virtual ~MatchModel() = default;
  // Fills script.match[s] for s < steps (and, for models with observable structure, the
  // features a learned policy sees), drawing from the episode's stream.
  virtual void draw(int steps, sim::RandomStream& rng, EpisodeScript& script) const = 0;
  // Long-run match probability, for reports and closed-form checks.
  virtual double mean_probability() const = 0;
};

using MatchModelDecoder = std::function<std::unique_ptr<MatchModel>(const sim::ConfigNode&)>;

// kind -> decoder. New match models register here.
const std::map<std::string, MatchModelDecoder>& match_model_registry();
std::unique_ptr<MatchModel> decode_match_model(const sim::ConfigNode& node);

}  // namespace specsim::models

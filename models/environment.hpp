#pragma once
// The environment a synthetic world's actions act on: tools (search, read, buy, ...) that a step's
// action may call, each with its own latency, price and whether it is side-effect free
// (`workload: {environment: {tools: [{name, share, latency, price_usd, side_effect_free}]}}`).
// Each step but a terminate calls at most one tool, tool i with probability share_i. It draws
// from its own stream, (seed, "environment", episode), so a scenario that adds it moves no other
// draw.
#include <string>
#include <vector>

#include "models/episode_script.hpp"
#include "models/latency.hpp"
#include "sim/config_node.hpp"
#include "sim/random.hpp"

namespace specsim::models {

struct Tool {
  std::string name;
  double share = 0;  // of the steps whose action calls it
  LatencyModel latency;
  double price_usd = 0;
  bool side_effect_free = false;
};

class EnvironmentModel {
 public:
  explicit EnvironmentModel(std::vector<Tool> tools) : tools_(std::move(tools)) {}
  // Fills script.environment for each step of the script's plan.
  void draw(sim::RandomStream& rng, EpisodeScript& script) const;
  const std::vector<Tool>& tools() const { return tools_; }

 private:
  std::vector<Tool> tools_;
};

EnvironmentModel decode_environment(const sim::ConfigNode& node);

}  // namespace specsim::models

#pragma once
// A's confidence in its guesses, for synthetic workloads: a calibration curve drawn after the
// matches, conditional on them (`workload: {confidence: {kind: beta, match: {alpha, beta},
// mismatch: {alpha, beta}}}`). It draws from its own stream, (seed, "confidence", episode), so a
// scenario that adds it moves no other draw.
#include <memory>

#include "models/episode_script.hpp"
#include "sim/config_node.hpp"
#include "sim/random.hpp"

namespace specsim::models {

class ConfidenceModel {
 public:
  virtual ~ConfidenceModel() = default;
  // Fills script.confidence[s] for each step s of script.match.
  virtual void draw(sim::RandomStream& rng, EpisodeScript& script) const = 0;
};

std::unique_ptr<ConfidenceModel> decode_confidence_model(const sim::ConfigNode& node);

}  // namespace specsim::models

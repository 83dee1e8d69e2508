#pragma once
// The learner's part of a dsp policy's YAML: two optional blocks, each with defaults.
//   predictor: {hidden: [32, 32], activation: relu}
//   training:  {batch_steps: 16, epochs: 3, lr: 1e-3, weight_decay: 0.01, beta1: 0.9,
//               beta2: 0.999, buffer: 2500, target: lambda_return, gamma: 1, lambda: 0.95}
// The expectile tau is a policy knob (DESIGN.md: `loss: expectile`, `tau`), so the policy
// decodes it and sets training.tau itself.
#include <cstddef>
#include <vector>

#include "policies/learner/mlp.hpp"
#include "policies/learner/replay_buffer.hpp"
#include "policies/learner/trainer.hpp"
#include "sim/config_node.hpp"

namespace specsim::policies::learner {

struct PredictorConfig {
  std::vector<int> hidden{32, 32};
  Activation activation = Activation::relu;

  // The input width comes from the policy's feature extractor, not from YAML.
  MlpShape shape(int inputs) const { return {inputs, hidden, activation}; }
};

struct LearnerConfig {
  PredictorConfig predictor;
  TrainerConfig training;
  std::size_t buffer_capacity = ReplayBuffer::default_capacity;
};

// A lower bound on what one learner holds, in bytes: weights, gradients and the optimiser's two
// moments (four copies of the parameters), a batch's activations, and a full replay buffer of
// segments of `states_per_segment` states. For the run's work estimate, before anything is built.
double learner_memory_bytes(const LearnerConfig& config, int inputs, int states_per_segment);

// `policy` is the map that holds the optional `predictor` and `training` blocks; its other keys
// belong to the caller, which checks them with its own expect_keys (listing these two). Unknown
// keys inside the blocks and out-of-range values throw sim::InputError naming file, line and
// field path (e.g. "policies[1].training.lr").
LearnerConfig decode_learner_config(const sim::ConfigNode& policy);
// The same over `base` (a preset): the blocks' keys override its settings.
LearnerConfig decode_learner_config(const sim::ConfigNode& policy, LearnerConfig base);

}  // namespace specsim::policies::learner

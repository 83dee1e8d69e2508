#pragma once
// Offline pretraining of the value function, before any online learning: DSP's online script
// starts from a predictor trained offline on recorded trajectories (its lambda_return_train.py:
// epochs over the data set in a shuffled order, batches of whole trajectories, one optimizer
// step per batch, lambda-return targets recomputed with the current weights for each batch).
// The result is the weights only: DSP's online learner starts a fresh optimizer on them.
#include "policies/learner/mlp.hpp"
#include "policies/learner/replay_buffer.hpp"
#include "policies/learner/trainer.hpp"
#include "sim/random.hpp"

namespace specsim::policies::learner {

struct PretrainConfig {
  int epochs = 30;              // passes over the data set
  int batch_trajectories = 16;  // trajectories per optimizer step (DataLoader batch_size)
  // Targets as TrainerConfig has them (DSP's offline script: lambda 1, gamma 1); its
  // batch_steps and epochs are not used.
  TrainerConfig targets;
  AdamWConfig adamw;
};

// Throws std::invalid_argument on an empty data set or out-of-range settings. Draws the initial
// weights from `init_rng` and the epochs' orders from `rng` only.
Mlp pretrain(const MlpShape& shape, const ReplayBuffer& data, const PretrainConfig& config,
             sim::RandomStream& init_rng, sim::RandomStream& rng);

}  // namespace specsim::policies::learner

#include "policies/learner/pretrain.hpp"

#include <algorithm>
#include <span>
#include <stdexcept>
#include <vector>

namespace specsim::policies::learner {

Mlp pretrain(const MlpShape& shape, const ReplayBuffer& data, const PretrainConfig& config,
             sim::RandomStream& init_rng, sim::RandomStream& rng) {
  if (data.empty()) throw std::invalid_argument("pretraining on an empty data set");
  if (config.epochs < 1 || config.batch_trajectories < 1)
    throw std::invalid_argument("pretraining needs at least one epoch and one trajectory per batch");
  validate(config.targets);
  TrainerConfig optimizer;
  optimizer.adamw = config.adamw;
  TrainingState state = make_training_state(shape, optimizer, init_rng);
  Eigen::VectorXd grad;
  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    // Every trajectory once, in a shuffled order.
    const std::vector<std::size_t> order = data.sample_without_replacement(data.total_steps(), rng);
    for (std::size_t first = 0; first < order.size(); first += static_cast<std::size_t>(config.batch_trajectories)) {
      const std::size_t n = std::min(order.size() - first, static_cast<std::size_t>(config.batch_trajectories));
      const Batch batch = make_batch(data, std::span<const std::size_t>(order).subspan(first, n), state.model, config.targets);
      state.model.loss_and_gradient(batch.features(), batch.targets(), config.targets.tau, grad);
      state.optimizer.step(state.model.parameters(), grad);
    }
  }
  return std::move(state.model);
}

}  // namespace specsim::policies::learner

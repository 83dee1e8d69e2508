#include "policies/learner/trainer.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "policies/learner/accuracy.hpp"
#include "policies/learner/expectile_loss.hpp"
#include "policies/learner/labels.hpp"

namespace specsim::policies::learner {

std::string_view target_name(Target t) {
  switch (t) {
    case Target::ideal_k: return "ideal_k";
    case Target::lambda_return: return "lambda_return";
  }
  return "?";
}

std::optional<Target> target_from_name(std::string_view name) {
  for (Target t : {Target::ideal_k, Target::lambda_return})
    if (target_name(t) == name) return t;
  return std::nullopt;
}

void validate(const TrainerConfig& c) {
  auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("trainer: ") + what);
  };
  require(c.batch_steps >= 1, "batch_steps must be >= 1");
  require(c.epochs >= 1, "epochs must be >= 1");
  require(c.gamma >= 0.0 && c.gamma <= 1.0, "gamma must be in [0, 1]");
  require(c.lambda >= 0.0 && c.lambda <= 1.0, "lambda must be in [0, 1]");
  require(c.target == Target::ideal_k || c.target == Target::lambda_return, "unknown target");
  validate(c.adamw);
  static_cast<void>(ExpectileLoss(c.tau));  // throws on tau outside (0, 1)
}

TrainingState make_training_state(const MlpShape& shape, const TrainerConfig& config,
                                  sim::RandomStream& init_rng) {
  return {Mlp(shape, init_rng), AdamW(config.adamw)};
}

void fill_batch(Batch& batch, const ReplayBuffer& buffer, std::span<const std::size_t> picks, const Mlp& model,
                const TrainerConfig& config) {
  Eigen::Index total = 0;
  for (std::size_t p : picks) total += buffer[p].size();
  const Eigen::Index inputs = model.shape().inputs;
  const auto grow = [](std::vector<double>& v, Eigen::Index size) {
    if (v.size() < static_cast<std::size_t>(size)) v.resize(static_cast<std::size_t>(size));
  };
  grow(batch.feature_data, inputs * total);
  grow(batch.target_data, total);
  grow(batch.ideal_k_data, total);
  batch.inputs = inputs;
  batch.samples = total;
  batch.trajectories = static_cast<int>(picks.size());
  Eigen::Map<Eigen::MatrixXd> features(batch.feature_data.data(), inputs, total);
  Eigen::Map<Eigen::VectorXd> ideal_k(batch.ideal_k_data.data(), total), targets(batch.target_data.data(), total);
  Eigen::Index col = 0;
  for (std::size_t p : picks) {
    const Trajectory& t = buffer[p];
    if (t.features.rows() != inputs)
      throw std::invalid_argument("trajectory has " + std::to_string(t.features.rows()) +
                                  " features, the model " + std::to_string(inputs));
    features.middleCols(col, t.size()) = t.features;
    const auto head = static_cast<Eigen::Index>(t.head());
    ideal_k.segment(col, t.size()).setZero();  // after the break: 0
    ideal_k_labels(std::span<const int>(t.steps).first(t.head()), t.breaking_step, ideal_k.segment(col, head));
    col += t.size();
  }

  if (config.target == Target::ideal_k) {
    targets = ideal_k;
    return;
  }
  // One batched forward pass gives V of every state; each trajectory bootstraps from its own.
  const Eigen::VectorXd values = model.predict_batch(features);
  col = 0;
  for (std::size_t p : picks) {
    const Trajectory& t = buffer[p];
    const auto head = static_cast<Eigen::Index>(t.head());
    const auto steps = std::span<const int>(t.steps).first(t.head());
    targets.segment(col, t.size()).setZero();  // after the break: 0, masked
    targets.segment(col, head) =
        config.bootstrap_same_state
            ? dsp_lambda_return_labels(steps, t.breaking_step, values.segment(col, head), config.gamma, config.lambda)
            : lambda_return_labels(steps, t.breaking_step, values.segment(col, head), config.gamma, config.lambda);
    col += t.size();
  }
}

Batch make_batch(const ReplayBuffer& buffer, std::span<const std::size_t> picks, const Mlp& model,
                 const TrainerConfig& config) {
  Batch batch;
  fill_batch(batch, buffer, picks, model, config);
  return batch;
}

TrainStats train(TrainingState& state, const ReplayBuffer& buffer, const TrainerConfig& config, sim::RandomStream& rng) {
  validate(config);
  if (buffer.empty()) throw std::invalid_argument("training job on an empty replay buffer");

  // Per thread and kept across jobs, so that a job allocates nothing once they have grown.
  thread_local std::vector<std::size_t> picks;
  thread_local Batch batch, relabelled;
  thread_local Eigen::VectorXd grad;
  const auto min_steps = static_cast<std::size_t>(config.batch_steps);
  const auto draw = [&] {
    if (config.without_replacement) picks = buffer.sample_without_replacement(min_steps, rng);
    else buffer.sample(min_steps, rng, picks);
  };
  draw();
  fill_batch(batch, buffer, picks, state.model, config);
  const ExpectileLoss loss(config.tau);

  TrainStats stats;
  stats.samples = static_cast<int>(batch.samples);
  stats.trajectories = batch.trajectories;
  if (config.batch_stats) stats.accuracy_before = dsp_accuracy(state.model.predict_batch(batch.features()), batch.ideal_k());

  // In float the job's weights live in float from its start to its end (AdamW steps them in
  // float); the model's double weights are brought up to date before anything reads them.
  const bool in_float = config.precision == Precision::float32;
  thread_local Eigen::VectorXf params32, grad32;
  if (in_float) to_float(state.model.parameters(), params32);
  const auto sync_model = [&] {
    if (in_float) to_double(params32, state.model.parameters());
  };
  const bool labels_read_model = config.target == Target::lambda_return;
  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    if (epoch > 0 && config.resample_each_epoch) {
      draw();
      if (labels_read_model) sync_model();
      fill_batch(batch, buffer, picks, state.model, config);
    } else if (epoch > 0 && config.relabel_each_epoch && labels_read_model) {
      sync_model();
      fill_batch(relabelled, buffer, picks, state.model, config);
      std::swap(batch.target_data, relabelled.target_data);
    }
    stats.work += batch.samples;
    double l = 0;
    if (in_float) {
      l = state.model.loss_and_gradient(params32, batch.features(), batch.targets(), config.tau, grad32);
      state.optimizer.step(params32, grad32);
    } else {
      l = state.model.loss_and_gradient(batch.features(), batch.targets(), config.tau, grad);
      state.optimizer.step(state.model.parameters(), grad);
    }
    if (epoch == 0) stats.loss_before = l;
  }
  sync_model();

  if (config.batch_stats) {
    const Eigen::VectorXd after = state.model.predict_batch(batch.features());
    stats.loss_after = loss.mean(batch.targets(), after);
    stats.accuracy = dsp_accuracy(after, batch.ideal_k());
  }
  return stats;
}

TrainResult run_training_job(TrainingState state, const ReplayBuffer& buffer,
                             const TrainerConfig& config, sim::RandomStream& rng) {
  const TrainStats stats = train(state, buffer, config, rng);
  return {std::move(state), stats};
}

}  // namespace specsim::policies::learner

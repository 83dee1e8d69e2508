#pragma once
// One training job of the DSP learner: sample a batch of whole trajectories from the replay
// buffer, label it, and run `epochs` AdamW steps on it.
//
// A job works on a copy of the learner (TrainingState is taken by value and returned), because
// the policy keeps predicting with its old weights until the job's simulated completion event;
// it then replaces its state with the result. Everything is a function of the inputs and the
// random stream, so the outcome never depends on host threads or timing.
//
// Choices, DSP-like unless noted:
// - An epoch is ONE full-batch AdamW step on the sampled batch (the batch is only
//   ~batch_steps states, too small to split into minibatches).
// - lambda-return targets are computed once per job, before the first epoch, with the incoming
//   weights (as a PPO/GAE batch is labelled once), and stay fixed across the job's epochs.
// - The optimizer state (moments, step count) travels with the weights in TrainingState, so
//   successive jobs continue one AdamW run, as DSP's single background optimizer does.
#include <Eigen/Core>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "policies/learner/adamw.hpp"
#include "policies/learner/mlp.hpp"
#include "policies/learner/replay_buffer.hpp"
#include "sim/random.hpp"

namespace specsim::policies::learner {

enum class Target { ideal_k, lambda_return };

std::string_view target_name(Target t);
std::optional<Target> target_from_name(std::string_view name);

struct TrainerConfig {
  int batch_steps = 16;    // DSP's batch_size_steps: minimum states per batch
  int epochs = 3;          // AdamW steps per job
  AdamWConfig adamw;       // settings a new TrainingState's optimizer starts with
  double tau = 0.5;        // expectile; 0.5 is (half) MSE
  Target target = Target::lambda_return;
  double gamma = 1.0;
  double lambda = 0.95;
  // DSP's code (policies/learner/learner_config.hpp, preset dsp_openagi): lambda returns that
  // bootstrap from the state itself, recomputed with the current weights before every epoch,
  // and trajectories sampled without replacement.
  bool bootstrap_same_state = false;
  bool relabel_each_epoch = false;
  bool without_replacement = false;
  // DSP draws a new batch for every epoch (its sample() is inside the epoch loop).
  bool resample_each_epoch = false;
  // Also measure the batch before and after the job (TrainStats' loss_after and accuracies):
  // two more forward passes over it, which a policy that never reads them does not pay for.
  bool batch_stats = false;
  // The arithmetic of the forward and backward passes and of AdamW (mlp.hpp, adamw.hpp).
  Precision precision = Precision::float64;
};

// Throws std::invalid_argument on out-of-range settings.
void validate(const TrainerConfig& config);

struct TrainingState {
  Mlp model;
  AdamW optimizer;
};

// A fresh learner: random weights drawn from `init_rng`, an optimizer with config.adamw.
TrainingState make_training_state(const MlpShape& shape, const TrainerConfig& config,
                                  sim::RandomStream& init_rng);

// A labelled batch: columns of features() are states, in the order they were sampled. Its
// storage only grows, so a batch refilled by fill_batch() allocates nothing once it has held
// as many states (a training job keeps one per thread). It keeps each picked trajectory's
// layout too, so that it can be relabelled (label_batch) without the replay buffer.
struct Batch {
  Eigen::Map<const Eigen::MatrixXd> features() const { return {feature_data.data(), inputs, samples}; }
  Eigen::Map<const Eigen::VectorXd> targets() const { return {target_data.data(), samples}; }  // what the loss fits
  Eigen::Map<const Eigen::VectorXd> ideal_k() const { return {ideal_k_data.data(), samples}; }  // always the ideal k
  struct Segment {  // one picked trajectory: its columns, the states up to its break, its breaking step
    Eigen::Index col = 0, size = 0, head = 0;
    int breaking_step = 0;
  };
  Eigen::Index inputs = 0, samples = 0;
  int trajectories = 0;
  std::vector<double> feature_data, target_data, ideal_k_data;  // at least inputs x samples, samples
  std::vector<int> steps;                                       // each column's step
  std::vector<Segment> segments;                                // in column order
};

// Copies the picked trajectories' states, steps and ideal k into `batch` (its targets unset).
void gather_batch(Batch& batch, const ReplayBuffer& buffer, std::span<const std::size_t> picks, Eigen::Index inputs);
// Sets the batch's targets: its ideal k, or lambda returns with V from `model`.
void label_batch(Batch& batch, const Mlp& model, const TrainerConfig& config);
// Both: labels the picked trajectories into `batch`.
void fill_batch(Batch& batch, const ReplayBuffer& buffer, std::span<const std::size_t> picks, const Mlp& model,
                const TrainerConfig& config);
Batch make_batch(const ReplayBuffer& buffer, std::span<const std::size_t> picks, const Mlp& model,
                 const TrainerConfig& config);

struct TrainStats {  // the fields marked * only with TrainerConfig::batch_stats, else 0
  double loss_before = 0.0;      // mean expectile loss on the (first) batch, incoming weights
  double loss_after = 0.0;       // * the (last epoch's) batch and targets, outgoing weights
  int samples = 0;               // states in the (first) batch
  std::int64_t work = 0;         // states stepped on, over all epochs (what a job's duration scales with)
  int trajectories = 0;          // trajectories drawn (with replacement)
  double accuracy_before = 0.0;  // * DSP accuracy on the first batch, incoming weights
  double accuracy = 0.0;         // * DSP accuracy on the last epoch's batch, outgoing weights
};

struct TrainResult {
  TrainingState state;
  TrainStats stats;
};

// A job's inputs, drawn and copied from the replay buffer when the job starts: its batches (one
// per epoch with resample_each_epoch, else one) and its work. The arithmetic (run_job) then
// needs neither the buffer nor the random stream, so it may run on another thread while the
// buffer fills; a job's result is the same whenever and wherever it runs. Its storage only grows.
struct JobInput {
  std::vector<Batch> batches;
  std::int64_t work = 0;  // states stepped on, over all epochs (TrainStats::work)
};

// Draws the job's batches from `rng` only, in the order train() always drew them. Precondition:
// the buffer is not empty (std::invalid_argument otherwise, as for a bad config or width).
void prepare_job(JobInput& job, const ReplayBuffer& buffer, Eigen::Index inputs, const TrainerConfig& config,
                 sim::RandomStream& rng);
// Runs the job's epochs on `state` in place. The optimizer's own config is used; config.adamw
// is not consulted here. With a state of the same shape as the last one, a job allocates nothing.
TrainStats run_job(TrainingState& state, JobInput& job, const TrainerConfig& config);
// The same job starting from `from` with its result in `to` (a state of from's shape, whose
// weights and optimizer it overwrites; std::logic_error on another shape), from left as it was:
// the result is the same as copying `from` into `to` and running the job on `to`, without the
// copy (the first step reads `from` and writes `to`). `to` may be `from`.
TrainStats run_job(const TrainingState& from, TrainingState& to, JobInput& job, const TrainerConfig& config);

// Both at once. Precondition: the buffer is not empty (std::invalid_argument otherwise).
TrainStats train(TrainingState& state, const ReplayBuffer& buffer, const TrainerConfig& config, sim::RandomStream& rng);
// The same on a copy, returned with the statistics.
TrainResult run_training_job(TrainingState state, const ReplayBuffer& buffer,
                             const TrainerConfig& config, sim::RandomStream& rng);

}  // namespace specsim::policies::learner

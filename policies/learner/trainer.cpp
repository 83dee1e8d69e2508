#include "policies/learner/trainer.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#ifdef __SSE2__
#include <xmmintrin.h>
#endif

#include "policies/learner/accuracy.hpp"
#include "policies/learner/expectile_loss.hpp"
#include "policies/learner/labels.hpp"

namespace specsim::policies::learner {

namespace {

// Subnormal numbers flushed to zero (results) and read as zero (operands) for the scope of a
// job, the thread's previous mode restored after it. Over a long run the moments of units whose
// gradient stays zero decay through the subnormal range, where x86 takes a slow path per
// operation: with `train_every: 16`, 60,000 episodes ran at 0.70e6 steps/s against 1.26e6 for
// 2000, with the same instructions per step; flushed, 1.32e6. A flushed value is below 2^-1022,
// far under half an ulp of any weight it would have moved: the runs checked (docs/performance.md)
// came out byte for byte the same.
class FlushSubnormals {
 public:
#ifdef __SSE2__
  FlushSubnormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushToZero | kDenormalsAreZero); }
  ~FlushSubnormals() { _mm_setcsr(saved_); }
#else
  FlushSubnormals() = default;  // elsewhere the mode stays as it is
#endif
  FlushSubnormals(const FlushSubnormals&) = delete;
  FlushSubnormals& operator=(const FlushSubnormals&) = delete;

 private:
#ifdef __SSE2__
  static constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;  // MXCSR bits
  unsigned saved_;
#endif
};

}  // namespace

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

void gather_batch(Batch& batch, const ReplayBuffer& buffer, std::span<const std::size_t> picks, Eigen::Index inputs) {
  Eigen::Index total = 0;
  for (std::size_t p : picks) total += static_cast<Eigen::Index>(buffer.states(p));
  const auto grow = [](std::vector<double>& v, Eigen::Index size) {
    if (v.size() < static_cast<std::size_t>(size)) v.resize(static_cast<std::size_t>(size));
  };
  grow(batch.feature_data, inputs * total);
  grow(batch.target_data, total);
  grow(batch.ideal_k_data, total);
  batch.inputs = inputs;
  batch.samples = total;
  batch.trajectories = static_cast<int>(picks.size());
  batch.steps.clear();
  batch.segments.clear();
  // Plain copies and loops: at a few states per trajectory, Eigen's block expressions and the
  // labels' checks (the buffer validated every trajectory on the way in) cost more than the data.
  Eigen::Index col = 0;
  for (std::size_t p : picks) {
    const TrajectoryView t = buffer[p];
    if (t.features.rows() != inputs)
      throw std::invalid_argument("trajectory has " + std::to_string(t.features.rows()) +
                                  " features, the model " + std::to_string(inputs));
    std::copy_n(t.features.data(), t.features.size(), batch.feature_data.data() + col * inputs);
    const auto head = static_cast<Eigen::Index>(t.head());
    double* ideal_k = batch.ideal_k_data.data() + col;
    for (Eigen::Index i = 0; i < t.size(); ++i)  // k* = b - s + 1 up to the break, 0 after it
      ideal_k[i] = i < head ? t.breaking_step - t.steps[static_cast<std::size_t>(i)] + 1 : 0.0;
    batch.steps.insert(batch.steps.end(), t.steps.begin(), t.steps.end());
    batch.segments.push_back({col, t.size(), head, t.breaking_step});
    col += t.size();
  }
}

void label_batch(Batch& batch, const Mlp& model, const TrainerConfig& config) {
  Eigen::Map<Eigen::VectorXd> targets(batch.target_data.data(), batch.samples);
  if (config.target == Target::ideal_k) {
    targets = batch.ideal_k();
    return;
  }
  // One batched forward pass gives V of every state; each trajectory bootstraps from its own.
  const Eigen::VectorXd values = model.predict_batch(batch.features());
  for (const Batch::Segment& t : batch.segments) {
    const auto steps = std::span<const int>(batch.steps).subspan(static_cast<std::size_t>(t.col),
                                                                 static_cast<std::size_t>(t.head));
    targets.segment(t.col, t.size).setZero();  // after the break: 0, masked
    targets.segment(t.col, t.head) =
        config.bootstrap_same_state
            ? dsp_lambda_return_labels(steps, t.breaking_step, values.segment(t.col, t.head), config.gamma, config.lambda)
            : lambda_return_labels(steps, t.breaking_step, values.segment(t.col, t.head), config.gamma, config.lambda);
  }
}

void fill_batch(Batch& batch, const ReplayBuffer& buffer, std::span<const std::size_t> picks, const Mlp& model,
                const TrainerConfig& config) {
  gather_batch(batch, buffer, picks, model.shape().inputs);
  label_batch(batch, model, config);
}

Batch make_batch(const ReplayBuffer& buffer, std::span<const std::size_t> picks, const Mlp& model,
                 const TrainerConfig& config) {
  Batch batch;
  fill_batch(batch, buffer, picks, model, config);
  return batch;
}

void prepare_job(JobInput& job, const ReplayBuffer& buffer, Eigen::Index inputs, const TrainerConfig& config,
                 sim::RandomStream& rng) {
  validate(config);
  if (buffer.empty()) throw std::invalid_argument("training job on an empty replay buffer");
  thread_local std::vector<std::size_t> picks;  // kept, so that a job allocates nothing once warm
  const auto min_steps = static_cast<std::size_t>(config.batch_steps);
  job.batches.resize(config.resample_each_epoch ? static_cast<std::size_t>(config.epochs) : 1);
  job.work = 0;
  for (Batch& batch : job.batches) {
    if (config.without_replacement) picks = buffer.sample_without_replacement(min_steps, rng);
    else buffer.sample(min_steps, rng, picks);
    gather_batch(batch, buffer, picks, inputs);
    job.work += batch.samples;
  }
  if (!config.resample_each_epoch) job.work *= config.epochs;
}

TrainStats run_job(TrainingState& state, JobInput& job, const TrainerConfig& config) {
  return run_job(state, state, job, config);
}

TrainStats run_job(const TrainingState& from, TrainingState& to, JobInput& job, const TrainerConfig& config) {
  const FlushSubnormals flush;
  const MlpShape& shape = from.model.shape();
  const MlpShape& to_shape = to.model.shape();
  if (to_shape.inputs != shape.inputs || to_shape.hidden != shape.hidden || to_shape.activation != shape.activation)
    throw std::logic_error("training job: the state to train has another shape than the one it starts from");
  // Per thread and kept across jobs, so that a job allocates nothing once they have grown.
  thread_local Eigen::VectorXd grad;
  label_batch(job.batches.front(), from.model, config);
  const ExpectileLoss loss(config.tau);

  TrainStats stats;
  stats.samples = static_cast<int>(job.batches.front().samples);
  stats.trajectories = job.batches.front().trajectories;
  stats.work = job.work;
  if (config.batch_stats)
    stats.accuracy_before = dsp_accuracy(from.model.predict_batch(job.batches.front().features()), job.batches.front().ideal_k());

  // The first epoch reads `from` and its step writes `to` (AdamW::step_from): no copy of the
  // weights and moments; later epochs step `to` in place.
  // In float the job's weights live in float from its start to its end (AdamW steps them in
  // float); the model's double weights are brought up to date before anything reads them.
  const bool in_float = config.precision == Precision::float32;
  thread_local Eigen::VectorXf params32, grad32;
  if (in_float) to_float(from.model.parameters(), params32);
  const auto sync_model = [&] {
    if (in_float) to_double(params32, to.model.parameters());
  };
  const bool labels_read_model = config.target == Target::lambda_return;
  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    Batch& batch = job.batches[config.resample_each_epoch ? static_cast<std::size_t>(epoch) : 0];
    if (epoch > 0 && (config.resample_each_epoch || config.relabel_each_epoch)) {
      if (labels_read_model) {
        sync_model();
        label_batch(batch, to.model, config);
      } else if (config.resample_each_epoch) {
        label_batch(batch, to.model, config);
      }
    }
    double l = 0;
    if (in_float) {
      l = to.model.loss_and_gradient(params32, batch.features(), batch.targets(), config.tau, grad32);
      if (epoch == 0) to.optimizer.step_from(from.optimizer, params32, params32, grad32);
      else to.optimizer.step(params32, grad32);
    } else if (epoch == 0) {
      l = from.model.loss_and_gradient(batch.features(), batch.targets(), config.tau, grad);
      to.optimizer.step_from(from.optimizer, from.model.parameters(), to.model.parameters(), grad);
    } else {
      l = to.model.loss_and_gradient(batch.features(), batch.targets(), config.tau, grad);
      to.optimizer.step(to.model.parameters(), grad);
    }
    if (epoch == 0) stats.loss_before = l;
  }
  sync_model();

  if (config.batch_stats) {
    const Batch& last = job.batches.back();
    const Eigen::VectorXd after = to.model.predict_batch(last.features());
    stats.loss_after = loss.mean(last.targets(), after);
    stats.accuracy = dsp_accuracy(after, last.ideal_k());
  }
  return stats;
}

TrainStats train(TrainingState& state, const ReplayBuffer& buffer, const TrainerConfig& config, sim::RandomStream& rng) {
  thread_local JobInput job;
  prepare_job(job, buffer, state.model.shape().inputs, config, rng);
  return run_job(state, job, config);
}

TrainResult run_training_job(TrainingState state, const ReplayBuffer& buffer,
                             const TrainerConfig& config, sim::RandomStream& rng) {
  const TrainStats stats = train(state, buffer, config, rng);
  return {std::move(state), stats};
}

}  // namespace specsim::policies::learner

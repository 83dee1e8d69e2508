#include "policies/dsp_policy.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "policies/learner/small_gemm.hpp"
#include "sim/registry.hpp"

namespace specsim::policies {

namespace {

// allFinite() without its element-by-element comparisons (gemm::all_finite_exact: the sum of
// x * 0, on 256-bit registers where there are).
bool all_finite(const Eigen::VectorXd& values) { return learner::gemm::all_finite_exact(values.data(), values.size()); }

// The state vector, inlined into the rounds (a call a round was a tenth of the vector's cost).
[[gnu::always_inline]] inline void fill_features(const RoundContext& c, int k_max, Eigen::VectorXd& x) {
  const std::span<const double> world = c.features;
  const auto w = static_cast<Eigen::Index>(world.size());
  if (x.size() != w + 4) x.resize(w + 4);
  for (std::size_t i = 0; i < world.size(); ++i) x[static_cast<Eigen::Index>(i)] = world[i];
  // Scaled to order one, so that one learning rate suits every feature.
  x[w] = std::min(1.0, c.step / static_cast<double>(std::max(1, c.max_steps)));
  x[w + 1] = c.last_k / static_cast<double>(k_max);
  x[w + 2] = c.last_committed / static_cast<double>(k_max);
  x[w + 3] = c.match_rate;
}

}  // namespace

DspPolicy::DspPolicy(DspConfig config, const PolicyEnv& env)
    : config_(std::move(config)),
      init_rng_(env.seed, "dsp-init/" + env.label, 0),
      train_rng_(env.seed, "dsp-train/" + env.label, 0),
      latency_rng_(env.seed, "dsp-latency/" + env.label, 0),
      buffer_(config_.learner.buffer_capacity), wall_clock_(env.wall_clock),
      worker_(env.wall_clock || env.train_in_background) {}

Eigen::VectorXd DspPolicy::features(const RoundContext& c, int k_max) {
  Eigen::VectorXd x;
  features(c, k_max, x);
  return x;
}

void DspPolicy::features(const RoundContext& c, int k_max, Eigen::VectorXd& x) { fill_features(c, k_max, x); }

Decision DspPolicy::choose_k(const RoundContext& context) {
  // Only a wall clock's round reads it (the clock call costs as much as the features).
  const auto t0 = wall_clock_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  fill_features(context, config_.k_max, x_);
  const Eigen::VectorXd& x = x_;
  if (!state_) {
    // The input width is known at the first round: cold start from seeded random weights, or
    // warm start from the offline weights with a fresh optimizer.
    state_ = learner::make_training_state(config_.learner.predictor.shape(static_cast<int>(x.size())),
                                          config_.learner.training, init_rng_);
    if (config_.initial_weights) {
      if (config_.initial_weights->shape().inputs != x.size())
        throw std::invalid_argument("dsp: the initial weights take " + std::to_string(config_.initial_weights->shape().inputs) +
                                    " features, the rounds give " + std::to_string(x.size()));
      state_->model = *config_.initial_weights;
      trained_ = true;
    }
    weights_finite_ = all_finite(state_->model.parameters());
    segment_.emplace(static_cast<int>(x.size()));
  }
  const double value = weights_finite_ ? state_->model.predict_finite(x) : state_->model.predict(x);
  // Until a first training job lands, the untrained predictor is not trusted: k_min.
  // Clamped before rounding, so that a diverged predictor cannot overflow the cast (NaN: k_min).
  const double raw = std::isnan(value) ? config_.k_min : std::clamp(value + config_.offset, -1.0, config_.k_max + 1.0);
  const int k = trained_ ? std::clamp(static_cast<int>(learner::round_half_away(raw)), config_.k_min, config_.k_max) : config_.k_min;
  if (config_.state_per_guess) round_context_ = context;
  else segment_->add(x, context.step);
  pending_.push_back({context.step, value});
  ++stats_.predictions;
  stats_.staleness += static_cast<double>(breaking_points_ - weights_cut_);
  if (wall_clock_) {  // the prediction has taken its real time already: no modelled delay
    stats_.prediction_wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return {k, sim::Time::zero(), config_.overlap};
  }
  sim::Time delay = config_.prediction_latency;
  if (config_.prediction_sigma > 0)  // drawn only when spread, so that other runs keep their streams
    delay = sim::Time::from_seconds(delay.seconds() * std::exp(config_.prediction_sigma * latency_rng_.normal()));
  return {k, delay, config_.overlap};
}

// DSP's states: one per guess that returned, observed at the guessed step.
void DspPolicy::record_guesses(const RoundOutcome& outcome) {
  RoundContext c = round_context_;
  for (int j = 0; j < outcome.guessed; ++j) {
    c.step = outcome.start_step + j;
    c.features = c.feature_source ? c.feature_source->features(c.step) : std::span<const double>{};
    // A guess past the plan's end (off the path) has no features of its own: the round start's.
    if (c.features.size() != round_context_.features.size()) c.features = round_context_.features;
    fill_features(c, config_.k_max, x_);
    segment_->add(x_, c.step);
  }
}

void DspPolicy::on_round_end(const RoundOutcome& outcome) {
  if (outcome.failed) {  // no breaking point is known: the open segment teaches nothing
    pending_.clear();
    if (segment_) segment_->clear();
    return;
  }
  if (config_.state_per_guess) record_guesses(outcome);
  if (!outcome.mismatch && !outcome.episode_end) return;
  // A breaking point: every round start since the last one learns its ideal depth.
  const int breaking_step = outcome.start_step + outcome.committed - 1;
  for (const Pending& p : pending_) {
    const double ideal = breaking_step - p.step + 1;
    ++stats_.evaluated;
    stats_.hits += learner::dsp_hit(p.value, ideal);
    stats_.abs_error += std::abs(p.value - ideal);
  }
  pending_.clear();
  if (segment_->empty()) return;  // no guess returned since the last breaking point
  if (config_.carry_over_episode_end && outcome.episode_end && !outcome.mismatch) {
    // DSP's collector builds no trajectory here and is not reset between tasks: these states
    // wait for the next task's first mismatch, which labels them 0 (their steps lie past it).
    carried_.push_back(segment_->close(-1, true));
    return;
  }
  if (!carried_.empty()) {
    // That mismatch pairs the carried guesses with the new task's targets by position, so it
    // breaks at once, at the new task's first step: only the state there keeps a label (1).
    for (const learner::Trajectory& t : carried_) buffer_.add(t);
    carried_.clear();
    buffer_.add(*segment_, 0, true);
  } else {
    buffer_.add(*segment_, breaking_step, config_.state_per_guess);
  }
  ++breaking_points_;
  if (config_.train_on_mismatch && !outcome.mismatch) return;
  if (++triggers_ % config_.train_every != 0) return;
  if (!worker_.busy()) start_training_job();
  else if (config_.queue_jobs) ++queued_;
}

constexpr sim::Time kBackgroundPoll = sim::Time::from_ns(1'000'000);  // 1 ms

void DspPolicy::start_training_job() {
  if (config_.skip_below_batch && buffer_.total_steps() < static_cast<std::size_t>(config_.learner.training.batch_steps))
    return;
  // The batches are drawn now, from the buffer as it is; the arithmetic needs nothing the
  // planning thread changes before the job's end, so it runs on the worker meanwhile.
  learner::prepare_job(job_input_, buffer_, state_->model.shape().inputs, config_.learner.training, train_rng_);
  job_cut_ = breaking_points_;
  ++stats_.jobs_started;
  worker_.submit([this] {
    if (!spare_) spare_ = *state_;  // the second set's storage, once; a job overwrites it
    job_stats_ = learner::run_job(*state_, *spare_, job_input_, config_.learner.training);
    job_finite_ = all_finite(spare_->model.parameters());
  });
  if (wall_clock_) {
    clock_->schedule(clock_->now() + kBackgroundPoll, this, 1);
    return;
  }
  sim::Time duration = config_.train_fixed + config_.train_per_sample * job_input_.work;
  if (config_.train_sigma > 0)
    duration = sim::Time::from_seconds(duration.seconds() * std::exp(config_.train_sigma * latency_rng_.normal()));
  clock_->schedule(clock_->now() + duration, this, 0);
}

void DspPolicy::on_event(std::uint64_t arg) {
  if (arg == 1 && !worker_.ready()) {  // polling the worker on a wall clock
    clock_->schedule(clock_->now() + kBackgroundPoll, this, 1);
    return;
  }
  worker_.wait();  // in simulated time: the job's completion event
  install(job_stats_);  // may start the next job
}

void DspPolicy::install(const learner::TrainStats& stats) {
  completed_jobs_.push_back(stats);
  ++stats_.jobs_completed;
  // A job that diverged (a learning rate far too high) would leave a predictor that says NaN
  // from then on; the policy keeps its last finite weights instead, as a mixed-precision trainer
  // skips a step with non-finite gradients, and the run reports how often that happened.
  if (job_finite_) {
    std::swap(state_, spare_);
    weights_finite_ = true;
    trained_ = true;
    weights_cut_ = job_cut_;
  } else {
    ++stats_.jobs_diverged;
  }
  if (queued_ > 0) {  // the worker takes the next waiting trigger
    --queued_;
    start_training_job();
  }
}

DspConfig dsp_openagi_preset() {
  DspConfig c;
  c.tau = 0.5;  // nn.MSELoss
  c.k_min = 1;  // DSP's predictor may say 0, which runs as k = 1
  learner::TrainerConfig& t = c.learner.training;
  t.batch_steps = 16;  // batch_size_steps of the stored script (bs_16_ep_3)
  t.epochs = 3;
  t.adamw.lr = 5e-5;
  t.adamw.weight_decay = 0;  // optim.Adam, not AdamW: no weight decay
  t.target = learner::Target::lambda_return;
  t.gamma = 1.0;
  t.lambda = 0.9;
  t.bootstrap_same_state = true;
  t.relabel_each_epoch = true;
  t.without_replacement = true;
  t.resample_each_epoch = true;
  c.learner.buffer_capacity = 1000;
  c.state_per_guess = true;
  c.train_on_mismatch = true;
  c.carry_over_episode_end = true;
  // The stored script says every 2nd mismatch (TRAIN_INTERVAL 2), but its logs hold one job per
  // mismatch round in every folder (a trigger that finds the buffer below a batch is skipped):
  // the runs were made with every mismatch.
  c.train_every = 1;
  c.queue_jobs = true;
  c.skip_below_batch = true;
  // Measured in the published logs: predictor latency median 0.29 s (log sd 0.95, up to 4.6 s,
  // 235 rounds). A job's epochs take time in proportion to the batch (each recomputes the lambda
  // returns, one forward pass per state, then steps on the whole batch): the train logs' 192
  // epoch-to-epoch intervals over their folder's batch size give a median 0.375 s per state and
  // epoch, quartiles 0.25 and 1 (log sd about 1).
  c.prediction_latency = sim::Time::from_seconds(0.29);
  c.prediction_sigma = 0.95;
  c.train_fixed = sim::Time::zero();
  c.train_per_sample = sim::Time::from_seconds(0.375);
  c.train_sigma = 1.0;
  return c;
}

PolicySpec decode_dsp(const sim::ConfigNode& node) {
  node.expect_keys({"kind", "label", "loss", "tau", "offset", "k_min", "k_max", "predictor", "training",
                    "prediction_latency_s", "training_time", "train_every", "overlap", "learner"});
  using Presets = sim::Registry<DspConfig>;
  static const Presets presets{"learner preset", {{"dsp_openagi", Presets::constant(dsp_openagi_preset())}}};
  DspConfig c;
  std::string preset;
  const auto learner_block = node.find("learner");
  if (learner_block) {
    learner_block->expect_keys({"preset", "precision"});
    if (auto p = learner_block->find("preset")) {
      c = presets.decode(*p);
      preset = p->as<std::string>();
    }
  }
  const std::string loss = node.get<std::string>("loss", "expectile");
  if (loss != "expectile") node.at("loss").fail("unknown loss '" + loss + "' (expected expectile)");
  if (auto tau = node.find("tau")) {
    c.tau = tau->as<double>();
    if (c.tau <= 0 || c.tau >= 1) tau->fail("must be in (0, 1)");
  }
  c.offset = node.get_real("offset", -1000, 1000, c.offset);  // k is at most 1000 anyway
  c.k_min = node.get_int("k_min", 0, 1000, c.k_min);
  c.k_max = node.get_int("k_max", std::max(1, c.k_min), 1000, std::max(c.k_max, c.k_min));
  c.learner = learner::decode_learner_config(node, c.learner);
  c.learner.training.tau = c.tau;
  if (const auto p = learner_block ? learner_block->find("precision") : std::nullopt) {
    const std::string name = p->as<std::string>();
    const auto precision = learner::precision_from_name(name);
    if (!precision) sim::fail_unknown_name(*p, "precision", name, "double, float");
    c.learner.training.precision = *precision;
  }
  c.prediction_latency = node.get_seconds("prediction_latency_s", c.prediction_latency);
  if (auto t = node.find("training_time")) {
    t->expect_keys({"fixed_s", "per_sample_s"});
    c.train_fixed = t->get_seconds("fixed_s", c.train_fixed);
    c.train_per_sample = t->get_seconds("per_sample_s", c.train_per_sample);
  }
  c.train_every = node.get_int("train_every", 1, 1000000, c.train_every);
  c.overlap = node.get<bool>("overlap", c.overlap);

  PolicySpec spec;
  spec.kind = "dsp";
  spec.learns = true;
  std::string knobs = preset.empty() ? "" : preset + ",";
  knobs += "tau=" + node.get<std::string>("tau", "0.5");
  if (node.has("offset")) knobs += ",offset=" + node.get<std::string>("offset");
  if (c.learner.training.precision == learner::Precision::float32) knobs += ",float";
  spec.label = node.get<std::string>("label", "dsp(" + knobs + ")");
  spec.make = [c](const PolicyEnv& env) { return std::make_unique<DspPolicy>(c, env); };
  // The policy's own four features; the world's (unknown here) only add to it.
  spec.memory_bytes = learner::learner_memory_bytes(c.learner, 4, std::max(1, c.k_max));
  return spec;
}

}  // namespace specsim::policies

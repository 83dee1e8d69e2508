#include "policies/dsp_policy.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace specsim::policies {

DspPolicy::DspPolicy(DspConfig config, const PolicyEnv& env)
    : config_(std::move(config)),
      init_rng_(env.seed, "dsp-init/" + env.label, 0),
      train_rng_(env.seed, "dsp-train/" + env.label, 0),
      buffer_(config_.learner.buffer_capacity), wall_clock_(env.wall_clock) {}

Eigen::VectorXd DspPolicy::features(const RoundContext& c, int k_max) {
  const std::span<const double> world = c.features;
  Eigen::VectorXd x(static_cast<Eigen::Index>(world.size()) + 4);
  for (std::size_t i = 0; i < world.size(); ++i) x[static_cast<Eigen::Index>(i)] = world[i];
  const auto w = static_cast<Eigen::Index>(world.size());
  // Scaled to order one, so that one learning rate suits every feature.
  x[w] = std::min(1.0, c.step / static_cast<double>(std::max(1, c.max_steps)));
  x[w + 1] = c.last_k / static_cast<double>(k_max);
  x[w + 2] = c.last_committed / static_cast<double>(k_max);
  x[w + 3] = c.match_rate;
  return x;
}

Decision DspPolicy::choose_k(const RoundContext& context) {
  const auto t0 = std::chrono::steady_clock::now();
  const Eigen::VectorXd x = features(context, config_.k_max);
  if (!state_) {
    // The input width is known at the first round: cold start from seeded random weights.
    state_ = learner::make_training_state(config_.learner.predictor.shape(static_cast<int>(x.size())),
                                          config_.learner.training, init_rng_);
    segment_.emplace(static_cast<int>(x.size()));
  }
  const double value = state_->model.predict(x);
  // Until a first training job lands, the untrained predictor is not trusted: k_min.
  const int k = trained_ ? std::clamp(static_cast<int>(std::lround(value + config_.offset)), config_.k_min, config_.k_max)
                         : config_.k_min;
  segment_->add(x, context.step);
  pending_.push_back({context.step, value});
  ++stats_.predictions;
  stats_.staleness += static_cast<double>(breaking_points_ - weights_cut_);
  if (wall_clock_) {  // the prediction has taken its real time already: no modelled delay
    stats_.prediction_wall_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return {k, sim::Time::zero(), config_.overlap};
  }
  return {k, config_.prediction_latency, config_.overlap};
}

void DspPolicy::on_round_end(const RoundOutcome& outcome) {
  if (outcome.failed) {  // no breaking point is known: the open segment teaches nothing
    pending_.clear();
    if (segment_) segment_->clear();
    return;
  }
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
  buffer_.add(segment_->close(breaking_step));
  ++breaking_points_;
  if (breaking_points_ % config_.train_every == 0 && !job_ && !background_.valid()) start_training_job();
}

constexpr sim::Time kBackgroundPoll = sim::Time::from_ns(1'000'000);  // 1 ms

void DspPolicy::start_training_job() {
  if (wall_clock_) {
    job_cut_ = breaking_points_;
    ++stats_.jobs_started;
    background_buffer_ = std::make_unique<learner::ReplayBuffer>(buffer_);
    background_ = std::async(std::launch::async, [this, state = *state_]() mutable {
      return learner::run_training_job(std::move(state), *background_buffer_, config_.learner.training, train_rng_);
    });
    clock_->schedule(clock_->now() + kBackgroundPoll, this, 1);
    return;
  }
  job_ = learner::run_training_job(*state_, buffer_, config_.learner.training, train_rng_);
  job_cut_ = breaking_points_;
  ++stats_.jobs_started;
  const auto work = static_cast<std::int64_t>(job_->stats.samples) * config_.learner.training.epochs;
  const sim::Time duration = config_.train_fixed + config_.train_per_sample * work;
  clock_->schedule(clock_->now() + duration, this, 0);
}

void DspPolicy::on_event(std::uint64_t arg) {
  if (arg == 1) {  // polling the worker thread's job
    if (background_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      clock_->schedule(clock_->now() + kBackgroundPoll, this, 1);
      return;
    }
    install(background_.get());
    background_buffer_.reset();
    return;
  }
  install(std::move(*job_));
  job_.reset();
}

void DspPolicy::install(learner::TrainResult result) {
  state_ = std::move(result.state);
  trained_ = true;
  weights_cut_ = job_cut_;
  ++stats_.jobs_completed;
}

PolicySpec decode_dsp(const sim::ConfigNode& node) {
  node.expect_keys({"kind", "label", "loss", "tau", "offset", "k_min", "k_max", "predictor", "training",
                    "prediction_latency_s", "training_time", "train_every", "overlap"});
  DspConfig c;
  const std::string loss = node.get<std::string>("loss", "expectile");
  if (loss != "expectile") node.at("loss").fail("unknown loss '" + loss + "' (expected expectile)");
  if (auto tau = node.find("tau")) {
    c.tau = tau->as<double>();
    if (c.tau <= 0 || c.tau >= 1) tau->fail("must be in (0, 1)");
  }
  c.offset = node.get_real("offset", -1000, 1000, 0.0);  // k is at most 1000 anyway
  c.k_min = node.get_int("k_min", 0, 1000, 1);
  c.k_max = node.get_int("k_max", std::max(1, c.k_min), 1000, std::max(8, c.k_min));
  c.learner = learner::decode_learner_config(node);
  c.learner.training.tau = c.tau;
  c.prediction_latency = node.get_seconds("prediction_latency_s", sim::Time::zero());
  if (auto t = node.find("training_time")) {
    t->expect_keys({"fixed_s", "per_sample_s"});
    c.train_fixed = t->get_seconds("fixed_s", c.train_fixed);
    c.train_per_sample = t->get_seconds("per_sample_s", c.train_per_sample);
  }
  c.train_every = node.get_int("train_every", 1, 1000000, 1);
  c.overlap = node.get<bool>("overlap", false);

  PolicySpec spec;
  spec.kind = "dsp";
  spec.learns = true;
  std::string knobs = "tau=" + node.get<std::string>("tau", "0.5");
  if (node.has("offset")) knobs += ",offset=" + node.get<std::string>("offset");
  spec.label = node.get<std::string>("label", "dsp(" + knobs + ")");
  spec.make = [c](const PolicyEnv& env) { return std::make_unique<DspPolicy>(c, env); };
  return spec;
}

}  // namespace specsim::policies

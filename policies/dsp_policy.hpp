#pragma once
// Dynamic Speculative Planning: k = clamp(round(V(state)) + offset, k_min, k_max), where V is a
// small MLP that learns online, "in the background", the ideal depth of each round start.
//
// Asynchronous yet deterministic: a training job starts at a breaking point (a mismatch or the
// episode's end) in simulated time, its batches drawn then, and installs its new weights only at
// its completion event, a modelled duration later; rounds in between use the older weights. A
// prediction has a modelled latency too, which delays the round's speculative calls (as in DSP,
// where step 1 and later wait for it). Results thus depend on the scenario and seed only.
// The job's arithmetic runs on a worker thread (PolicyEnv::train_in_background) while planning
// goes on; the completion event waits for it. On a wall clock (live runs, PolicyEnv::wall_clock)
// the same worker trains, its weights are installed when it finishes, and the prediction latency
// is the measured time of the prediction itself.
//
// The latency/cost knob is either the expectile tau of the loss (tau > 0.5 learns to predict
// larger k: faster, costlier) or an offset added to the prediction (beta); both exist.
#include <memory>
#include <optional>
#include <vector>

#include "policies/learner/accuracy.hpp"
#include "policies/learner/learner_config.hpp"
#include "policies/learner/replay_buffer.hpp"
#include "policies/learner/trainer.hpp"
#include "policies/learner/trajectory.hpp"
#include "policies/registry.hpp"
#include "sim/background_worker.hpp"
#include "sim/random.hpp"

namespace specsim::policies {

struct DspConfig {
  double tau = 0.5;
  double offset = 0;
  int k_min = 1, k_max = 8;
  learner::LearnerConfig learner;
  sim::Time prediction_latency = sim::Time::zero();
  sim::Time train_fixed = sim::Time::from_seconds(1.0);       // per training job
  sim::Time train_per_sample = sim::Time::from_seconds(0.01);  // per state and epoch
  int train_every = 1;  // breaking points between training jobs
  bool overlap = false;
  // DSP's code, beside specsim's defaults (preset dsp_openagi):
  bool state_per_guess = false;    // one training state per returned guess, incl. after the mismatch (label 0)
  bool train_on_mismatch = false;  // only mismatch rounds trigger training (the episode end stores its segment)
  // DSP's collector across tasks (with state_per_guess): an episode that ends without a mismatch
  // stores nothing; its last states join the next episode's first trajectory as DSP labels it.
  bool carry_over_episode_end = false;
  bool queue_jobs = false;         // one worker: a trigger during a job waits for it (else it is dropped)
  bool skip_below_batch = false;   // no job while the buffer holds fewer states than a batch
  double prediction_sigma = 0;     // lognormal spread around the median prediction_latency
  double train_sigma = 0;          // lognormal spread of a job's duration around its median
  // Weights trained offline to start from (DSP loads a pretrained value function), trusted from
  // the first round; null: seeded random weights, k_min until the first job lands.
  std::shared_ptr<const learner::Mlp> initial_weights;
};


// DSP's learner as its OpenAGI script ran it (OpenAGI/openagi_dyn_k_parallel.py with
// async_online_utils.py), with the predictor latency and training time measured in its logs.
DspConfig dsp_openagi_preset();

class DspPolicy final : public Policy, public sim::EventHandler {
 public:
  DspPolicy(DspConfig config, const PolicyEnv& env);

  void attach(sim::Clock& clock) override { clock_ = &clock; }
  Decision choose_k(const RoundContext& context) override;
  void on_round_end(const RoundOutcome& outcome) override;
  const LearningStats* learning() const override { return &stats_; }
  void on_event(std::uint64_t) override;  // a training job completed

  // The state vector of a round start: the world's features plus the step and recent history.
  static Eigen::VectorXd features(const RoundContext& context, int k_max);
  // The same into `x`, resized only when its length differs (a policy's rounds reuse one buffer).
  static void features(const RoundContext& context, int k_max, Eigen::VectorXd& x);

  // The trajectories stored so far (the data a later predictor can be pretrained on).
  const learner::ReplayBuffer& replay_buffer() const { return buffer_; }
  // The batch statistics of every completed training job, in order (to compare with a recorded
  // run's train logs).
  const std::vector<learner::TrainStats>& completed_jobs() const { return completed_jobs_; }

 private:
  struct Pending {  // a prediction waiting for its segment's breaking point
    int step;
    double value;
  };
  void start_training_job();
  void install(const learner::TrainStats& stats);  // the job's weights are in spare_
  void record_guesses(const RoundOutcome& outcome);

  DspConfig config_;
  sim::Clock* clock_ = nullptr;
  sim::RandomStream init_rng_, train_rng_, latency_rng_;
  RoundContext round_context_;  // the open round's start, for states per guess
  std::int64_t triggers_ = 0;
  int queued_ = 0;
  std::optional<learner::TrainingState> state_;  // the weights in use
  // Whether state_'s parameters are all finite: checked when it is made, and a job's weights
  // are installed only if they are; the predictions then skip relu's zeros (Mlp::predict_finite).
  bool weights_finite_ = false;
  // The second set of weights: a job writes its result there (its first step reads state_ and
  // writes spare_, so nothing is copied) and the completion event swaps the two.
  std::optional<learner::TrainingState> spare_;
  learner::JobInput job_input_;  // the running job's batches, drawn when it started
  learner::TrainStats job_stats_;  // written by the worker, read once it has finished
  bool job_finite_ = false;        // the same: whether the job's weights are all finite
  bool trained_ = false;
  std::optional<learner::SegmentRecorder> segment_;
  std::vector<learner::Trajectory> carried_;  // carry_over_episode_end: states waiting for a mismatch
  std::vector<Pending> pending_;
  Eigen::VectorXd x_;  // the state vector being built, kept so that a round allocates nothing
  learner::ReplayBuffer buffer_;
  std::int64_t breaking_points_ = 0, weights_cut_ = 0, job_cut_ = 0;
  LearningStats stats_;
  std::vector<learner::TrainStats> completed_jobs_;
  // On a wall clock the clock polls for the job's end; in simulated time its event waits for it.
  bool wall_clock_ = false;
  // While busy, the job reads state_, job_input_ and the config and writes spare_ and job_stats_;
  // the planning thread only reads state_ meanwhile. Declared last: it is destroyed first,
  // after the running job.
  sim::BackgroundWorker worker_;
};

PolicySpec decode_dsp(const sim::ConfigNode& node);

}  // namespace specsim::policies

#pragma once
// DSP's learner reproduced on DSP's own runs: the dsp policy with the dsp_openagi preset replays
// each folder's tasks in their recorded order (one process per folder, so the predictor carries
// over from task to task, as DSP's did), with the recorded timings and verdicts, and its chosen k
// and training jobs are compared with what DSP's predictor chose and logged on the same runs.
//
// DSP's online learner starts from a value function trained offline on recorded trajectories.
// With a pretraining rate, each folder's predictor is likewise pretrained, with DSP's offline
// settings, on the trajectories DSP's collector builds on the other folders' recorded runs
// (never its own), and fine-tuned online from there (docs/traces.md §11).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/trace/trace.hpp"

namespace specsim::runner {

// One training job, recorded or simulated: its batch's loss (MSE) and DSP accuracy before its
// first step, and the task (0-based, in the folder's order) during which it ran.
struct LearnerJob {
  std::int64_t task = 0;
  double loss = 0, accuracy = 0;
};

struct LearnerSession {
  std::string session;
  int batch_steps = 0, epochs = 0;  // as the folder's name says (bs_N_ep_E), else the preset's
  std::vector<LearnerJob> recorded, simulated;
};

struct LearnerFidelity {
  double lr = 0;           // the online learning rate used
  double pretrain_lr = 0;  // the offline one; 0: no pretraining, a cold start
  std::map<int, std::int64_t> simulated_k, recorded_k;  // rounds started with each k
  double total_variation = 0;  // between the two k distributions (0: equal, 1: disjoint)
  double simulated_mean_k = 0, recorded_mean_k = 0;
  std::int64_t sessions = 0;
  std::int64_t jobs = 0;                   // training jobs the simulated learner completed
  std::int64_t recorded_jobs = 0;          // jobs in the imported train logs
  double accuracy = 0;                     // its DSP accuracy (ideal k or one more) on the rounds
  double recorded_accuracy = -1;           // DSP's `predictor acc`, averaged over runs (-1: not recorded)
  std::vector<LearnerSession> session_jobs;
};

struct LearnerOptions {
  std::optional<double> lr;           // replaces the preset's (DSP's 5e-5 fine-tunes a pretrained DistilBERT)
  std::optional<double> pretrain_lr;  // pretrain at this rate (DSP's offline script: 1e-4); none: cold start
};

LearnerFidelity learner_fidelity(const models::trace::Trace& trace, const std::string& model, std::uint64_t seed,
                                 const LearnerOptions& options);

// Mean loss and accuracy of the jobs that ran during each task position (0-based), over folders.
struct JobsOverTime {
  std::vector<double> recorded_accuracy, simulated_accuracy, recorded_loss, simulated_loss;  // NaN: no job
};
JobsOverTime jobs_over_time(const LearnerFidelity& l);

}  // namespace specsim::runner

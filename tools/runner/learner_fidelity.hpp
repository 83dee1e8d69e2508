#pragma once
// DSP's learner reproduced on DSP's own runs: the dsp policy with the dsp_openagi preset replays
// each folder's tasks in their recorded order (one process per folder, so the predictor carries
// over from task to task, as DSP's did), with the recorded timings and verdicts, and its chosen k
// are compared with the k DSP's predictor chose on the same runs.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "models/trace/trace.hpp"

namespace specsim::runner {

struct LearnerFidelity {
  double lr = 0;  // the learning rate used
  std::map<int, std::int64_t> simulated_k, recorded_k;  // rounds started with each k
  double total_variation = 0;  // between the two k distributions (0: equal, 1: disjoint)
  double simulated_mean_k = 0, recorded_mean_k = 0;
  std::int64_t sessions = 0;
  std::int64_t jobs = 0;                   // training jobs the simulated learner completed
  double accuracy = 0;                     // its DSP accuracy (ideal k or one more)
  double recorded_accuracy = -1;           // DSP's `predictor acc`, averaged over runs (-1: not recorded)
};

// `lr` replaces the preset's learning rate: DSP's 5e-5 fine-tunes a DistilBERT; specsim's MLP
// stand-in barely moves at that rate (docs/traces.md §11).
LearnerFidelity learner_fidelity(const models::trace::Trace& trace, const std::string& model, std::uint64_t seed,
                                 std::optional<double> lr = std::nullopt);

}  // namespace specsim::runner

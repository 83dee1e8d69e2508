#pragma once
// How well specsim predicts DSP's recorded runs (shared/DESIGN.md §3, fidelity): every run is
// predicted by several modes, each beside the naive estimate (the target alone) given the same
// information, so that a mode's error means something:
//   replay         the run's own latencies, verdicts and k: a check of the planner, not a prediction
//   loto           leave one task out: latencies from models fitted to the other tasks (with the
//                  speed of the run's session, measured on the session's other tasks); recorded
//                  verdicts and k
//   loto_modelled  as loto, and verdicts i.i.d. at the other tasks' match rate, k drawn from the
//                  other tasks' recorded choices
//   lofo           leave one folder (session) out: latencies fitted to the other sessions, whose
//                  speed is all that is known; recorded verdicts and k
// Fitted modes average `draws` simulations with residuals drawn from the fitted distribution.
#include <cstdint>
#include <string>
#include <vector>

#include "models/trace/trace.hpp"
#include "models/workload.hpp"

namespace specsim::runner {

struct FidelityOptions {
  std::string model = "gpt-4-turbo";  // catalogue model that prices the calls
  std::uint64_t seed = 1;
  int draws = 32;  // simulations per run and fitted mode
};

struct FidelityRun {
  std::string task_id, session, task;  // session: the folder of the run; task: what it solved
  int steps = 0, rounds = 0;
  double measured_s = 0;
  double replay_cost_usd = 0;  // the replay's bill (DSP's semantics)
  double dsp_cost_usd = -1;    // DSP's own accounting from its summary, where recorded (else -1)
};

struct FidelityMode {
  std::string name, description;
  std::vector<double> simulated_s, naive_s;  // per run (aligned with FidelityReport::runs)
  double mean_error = 0;        // (mean simulated - mean measured) / mean measured
  double mape = 0;              // mean absolute percentage error per run, in percent
  double naive_mean_error = 0;  // the same for the naive estimate
  double naive_mape = 0;
};

struct FidelityReport {
  std::vector<FidelityRun> runs;  // runs with a measured time
  std::vector<FidelityMode> modes;
  // The spread of the same task's runs across sessions, in percent: mean over runs of
  // |run - task mean| / task mean, for tasks with runs in 2 or more sessions. No model of a run
  // from what other runs show can be expected to do much better.
  double noise_floor = 0;
  std::int64_t noise_floor_runs = 0;
  std::int64_t divergences = 0;  // replay rounds that left the recording's round starts
  const FidelityMode* mode(const std::string& name) const;
};

FidelityReport fidelity(const models::trace::Trace& trace, const FidelityOptions& options);

// Both agents priced and timed as one catalogue model, without a token model (the trace has the
// tokens): what the fidelity reports start from. `--model` names it in errors.
models::Agents agents_of_model(const std::string& model);

}  // namespace specsim::runner

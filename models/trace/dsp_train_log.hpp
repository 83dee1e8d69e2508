#pragma once
// train_datapointNN.log: the online training jobs of DSP's k-predictor that the task's rounds
// triggered. Each epoch logs "Epoch e - Loss: L - Accuracy: A%" (e = 1, 2, ... within a job); in
// some folders each is preceded by "chosen index [i, ...]", the replay-buffer trajectories the
// epoch's batch drew. Jobs run on a background thread, so the lines can come after the task's
// other logs have ended.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/trace/dsp_log_text.hpp"

namespace specsim::models::trace::dsp {

struct TrainEpochLine {
  int epoch = 0;  // as logged, 1-based
  double loss = 0;
  double accuracy = 0;  // a fraction
  std::optional<std::int64_t> trajectories;  // from the "chosen index" line just before it
  std::int64_t clock_s = 0;
  int line = 0;
};

struct TrainLog {
  std::string task;  // train logs carry no task description; empty
  std::vector<std::vector<TrainEpochLine>> jobs;  // a job starts at each "Epoch 1"
  LogDiagnostics diag;
};

TrainLog parse_train_log(const LogFile& file);

}  // namespace specsim::models::trace::dsp

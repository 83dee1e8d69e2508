#pragma once
// approximation_datapointNN.log: A's guess calls, one per step, and the predictor's k per round.
// A call logs "-prompt token P" when sent (again on each retry: DSP retries failed requests up to
// 9 times, then gives up with an empty guess) and "- X -time T -token G" when it returns, T
// measured from the first attempt. Calls cut short by a mismatch never log a result.
#include <optional>
#include <string>
#include <vector>

#include "models/trace/dsp_log_text.hpp"

namespace specsim::models::trace::dsp {

struct ApproxCall {
  int step = 0;  // 1-based
  std::int64_t input_tokens = 0;
  std::int64_t attempts = 0;  // prompt lines of this call
  int first_line = 0, last_prompt_line = 0;
  std::int64_t first_clock = 0, last_clock = 0;
  bool returned = false;
  std::string action;
  sim::Time latency;
  std::int64_t output_tokens = 0;
  int result_line = 0;
};

// "Predictor time: X s" then "Predict K: k", once per round.
struct Prediction {
  std::optional<sim::Time> latency;
  std::optional<std::int64_t> k;
  int line = 0;
  int last_prompted_step = 0;  // the step of the latest prompt line before it: the round's first step
};

struct ApproxLog {
  std::string task;
  std::vector<ApproxCall> calls;  // in log order
  std::vector<Prediction> predictions;
  LogDiagnostics diag;
};

ApproxLog parse_approx_log(const LogFile& file);

}  // namespace specsim::models::trace::dsp

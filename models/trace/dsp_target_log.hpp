#pragma once
// target_datapointNN.log: the ReAct target's calls and the round bookkeeping. Steps run
// concurrently, so lines of different steps interleave; a step number can be attempted several
// times (speculatively, then again after a mismatch). Each round ends with
// "return sas tasks: [...]", the steps it committed; the attempt of a committed step is the one
// that completed inside that round.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/trace/dsp_log_text.hpp"

namespace specsim::models::trace::dsp {

// One LLM call as the log shows it: prompt line (sent), generation line (returned).
struct ObservedCall {
  std::optional<std::int64_t> input_tokens, output_tokens;
  std::int64_t start_clock = 0, end_clock = 0;  // timestamps of the two lines, 1 s resolution
  int start_line = 0, end_line = 0;
  std::int64_t attempts = 0;  // prompt lines seen: retries repeat them
};

// One run of DSP's T_generate for a step: thought call, response (action) call, result, time.
struct TargetAttempt {
  int step = 0;  // 1-based, as in the log
  ObservedCall thought, response;
  std::optional<std::string> action;  // from "Intermediate Target Step s - X"; "None" means cancelled
  bool cancelled = false;
  std::optional<sim::Time> latency;  // "Target: Step s -time T": the whole attempt, retries included
  int first_line = 0, last_line = 0;
  // When a response call fails, ReAct starts over with a new thought call. The calls of the
  // abandoned tries, in order (a thought, then its failed response: no output, ending when the
  // retry starts); `thought` and `response` are the last try. DSP's token totals count only it.
  std::vector<ObservedCall> earlier;
  bool finished() const { return latency.has_value(); }
};

struct TargetRound {
  std::vector<std::string> guesses;    // "sas tasks": A's guesses in this round
  std::vector<std::string> committed;  // "return sas tasks"
  std::vector<std::optional<TargetAttempt>> attempts;  // aligned with `committed`
  std::optional<std::int64_t> mismatch_index;           // "Mismatch at j" (logged every round)
  int end_line = 0;
  std::size_t discarded_attempts = 0;  // cancelled, or completed off the committed path
};

struct TargetLog {
  std::string task;
  std::vector<TargetRound> rounds;
  std::map<int, std::string> verified;  // "Target: Step s - X": the action shown to the user
  LogDiagnostics diag;
};

TargetLog parse_target_log(const LogFile& file);

}  // namespace specsim::models::trace::dsp

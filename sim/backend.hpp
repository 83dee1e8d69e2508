#pragma once
// Where calls are executed: a simulated world (models/) or a live OpenAI-compatible endpoint.
// The planner starts and cancels calls by id (its index in the episode's call list) and is told
// when each finishes; it never sees latencies, prompts or the match rule directly.
#include <cstdint>
#include <optional>
#include <span>

#include "sim/call.hpp"

namespace specsim::sim {

class CallSink {
 public:
  virtual void on_call_finished(std::uint32_t call) = 0;

 protected:
  ~CallSink() = default;
};

// A round of a recorded run: what a replay of its choices needs.
struct RecordedRound {
  int k = 1;
  Time predictor_latency;
};

class Backend {
 public:
  virtual ~Backend() = default;

  virtual void begin_episode(std::int64_t episode, CallSink& sink) = 0;
  // How many calls make the agent step that `call` belongs to: constant for
  // a synthetic agent, as recorded for a replayed one.
  virtual int calls_in_step(std::uint32_t call) const = 0;

  // Must report completion through the sink later, unless cancelled first.
  virtual void start_call(std::uint32_t call, const CallRequest& request) = 0;
  virtual CallTokens cancel_call(std::uint32_t call) = 0;
  virtual CallTokens tokens(std::uint32_t call) const = 0;
  virtual bool on_path(std::uint32_t call) const = 0;

  // Verdicts on finished steps (`*_call` is the last call of that agent's step).
  virtual bool agree(int step, std::uint32_t target_call, std::uint32_t approx_call) const = 0;
  virtual bool is_terminal(int step, std::uint32_t target_call) const = 0;
  virtual bool guess_is_terminal(int step, std::uint32_t approx_call) const = 0;

  // What only a simulated world knows: the oracle's look-ahead, and the features a learned
  // policy observes at a round start.
  virtual std::optional<int> leading_matches(int /*step*/, int /*limit*/) const { return std::nullopt; }
  virtual std::span<const double> features(int /*step*/) const { return {}; }
  // The recorded run's round that started at `step`, when replaying a recording.
  virtual std::optional<RecordedRound> recorded_round(int /*step*/) const { return std::nullopt; }
};

}  // namespace specsim::sim

#pragma once
// The decision the planner delegates: the speculation depth k at each round start. The engine
// declares it (policies/ implements it), so the planner depends on no policy. A policy sees the
// round's position, recent history and a feature vector; only the oracle and replays of recorded
// runs also get a look-ahead into the world. No policy ever sees the backend.
// k = 0 means no speculation (the target alone computes one step): the sequential baseline.
#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "sim/call.hpp"
#include "sim/clock.hpp"
#include "sim/time.hpp"

namespace specsim::sim {

// A round of a recorded run: what a replay of its choices needs.
struct RecordedRound {
  int k = 1;
  Time predictor_latency;
};

// What only a simulated or recorded world knows in advance.
class LookAhead {
 public:
  virtual ~LookAhead() = default;
  // Consecutive matching guesses from `step` on, at most `limit`.
  virtual std::optional<int> leading_matches(int step, int limit) const = 0;
  // The recorded run's round that started at `step`, when replaying a recording.
  virtual std::optional<RecordedRound> recorded_round(int step) const = 0;
};

// What a learned policy observes at a round start: the script's features in simulation, a
// trace's text features in replay, the task text and committed actions in a live run.
class FeatureSource {
 public:
  virtual ~FeatureSource() = default;
  virtual std::span<const double> features(int step) const = 0;
};

struct RoundContext {
  std::int64_t episode = 0;
  int round = 0;          // within the episode, from 0
  int step = 0;           // committed steps so far: the round's first step
  int max_steps = 0;
  Time now;
  std::span<const double> features;      // empty when the world offers none
  // The same source for any step of the episode (null when none): a policy that learns from
  // every guess of a round (DSP's learner) observes the steps after the round's start with it.
  const FeatureSource* feature_source = nullptr;
  const LookAhead* look_ahead = nullptr;  // only for policies that asked for it
  // Recent history, for features: the previous round's k and committed steps.
  int last_k = 0;
  int last_committed = 0;
  double match_rate = 0;  // matched guesses / verified guesses so far in the episode
};

struct Decision {
  int k = 0;
  Time delay = Time::zero();  // prediction latency: speculative calls wait for it...
  bool overlap = false;       // ...unless they may start with the previous round's k meanwhile
  // Confidence gate: a guess whose confidence (Backend::guess_confidence) is below this launches
  // no deeper guess this round; 0 never gates.
  double min_confidence = 0;
};

// What one agent's calls of a closed round took: the economics a cost-aware policy learns.
struct AgentRoundTally {
  int steps = 0;           // positions the agent started a step on
  int finished_steps = 0;  // of them, steps it completed
  Time finished_time;      // over the completed steps: request to end of each of their calls
  double cost_usd = 0;     // billed for all its calls of the round (0 when the planner has no meter)
  int wasted_steps = 0;    // started steps off the committed path (cancelled, or after a wrong guess)
  double wasted_cost_usd = 0;
};

struct RoundOutcome {
  std::int64_t episode = 0;
  int round = 0;
  int start_step = 0;
  int k = 0;
  int committed = 0;      // steps committed by the round (J)
  int matched = 0;        // leading guesses that matched
  int guessed = 0;        // A's guesses that returned in the round (steps start_step, start_step + 1, ...)
  bool mismatch = false;  // the round ended at a wrong guess (a breaking point)
  bool episode_end = false;
  bool failed = false;    // a call failed: the round broke off, and taught nothing
  Time start, end;
  std::array<AgentRoundTally, kAgents> agents;  // by index(Agent)
};

// What a learning policy reports about its predictor; counters are cumulative over the run.
struct LearningStats {
  std::int64_t predictions = 0;  // rounds whose k it chose
  std::int64_t evaluated = 0;    // predictions whose ideal k is known (their segment closed)
  std::int64_t hits = 0;         // evaluated predictions equal to the ideal k or one more (DSP's accuracy)
  double abs_error = 0;          // sum over evaluated predictions of |V - ideal k|
  double staleness = 0;          // sum over predictions of breaking points not yet in the weights used
  std::int64_t jobs_started = 0, jobs_completed = 0;
  std::int64_t jobs_diverged = 0;  // completed jobs whose weights came back not finite, discarded
  double prediction_wall_s = 0;  // measured time spent predicting (live runs; 0 in simulation)

  // Counters add up over chunks of episodes and subtract to give one episode's share.
  LearningStats& operator+=(const LearningStats& o) { return apply(o, 1); }
  LearningStats operator-(const LearningStats& o) const { return LearningStats(*this).apply(o, -1); }

 private:
  LearningStats& apply(const LearningStats& o, int sign) {
    predictions += sign * o.predictions;
    evaluated += sign * o.evaluated;
    hits += sign * o.hits;
    abs_error += sign * o.abs_error;
    staleness += sign * o.staleness;
    jobs_started += sign * o.jobs_started;
    jobs_completed += sign * o.jobs_completed;
    jobs_diverged += sign * o.jobs_diverged;
    prediction_wall_s += sign * o.prediction_wall_s;
    return *this;
  }
};

class DepthPolicy {
 public:
  virtual ~DepthPolicy() = default;
  // Learning policies schedule their training jobs on the clock they run on.
  virtual void attach(Clock& /*clock*/) {}
  virtual Decision choose_k(const RoundContext& context) = 0;
  virtual void on_round_end(const RoundOutcome& /*outcome*/) {}
  virtual void on_episode_end(std::int64_t /*episode*/) {}
  // Learning policies report their predictor's record; others have none.
  virtual const LearningStats* learning() const { return nullptr; }
};

}  // namespace specsim::sim

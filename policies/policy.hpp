#pragma once
// A policy picks the speculation depth k at each round start and may learn from each round.
// k = 0 means no speculation (the target alone computes one step): the sequential baseline.
#include <cstdint>
#include <memory>
#include <string>

#include "sim/backend.hpp"
#include "sim/clock.hpp"
#include "sim/time.hpp"

namespace specsim::policies {

struct RoundContext {
  std::int64_t episode = 0;
  int round = 0;          // within the episode, from 0
  int step = 0;           // committed steps so far: the round's first step
  int max_steps = 0;
  sim::Time now;
  const sim::Backend* world = nullptr;  // features and, in simulation, the oracle's look-ahead
  // Recent history, for features: the previous round's k and committed steps.
  int last_k = 0;
  int last_committed = 0;
  double match_rate = 0;  // matched guesses / verified guesses so far in the episode
};

struct Decision {
  int k = 0;
  sim::Time delay = sim::Time::zero();  // prediction latency: speculative calls wait for it...
  bool overlap = false;  // ...unless they may start with the previous round's k meanwhile
};

// What a learning policy reports about its predictor; counters are cumulative over the run.
struct LearningStats {
  std::int64_t predictions = 0;  // rounds whose k it chose
  std::int64_t evaluated = 0;    // predictions whose ideal k is known (their segment closed)
  std::int64_t hits = 0;         // evaluated predictions equal to the ideal k or one more (DSP's accuracy)
  double abs_error = 0;          // sum over evaluated predictions of |V - ideal k|
  double staleness = 0;          // sum over predictions of breaking points not yet in the weights used
  std::int64_t jobs_started = 0, jobs_completed = 0;

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
    return *this;
  }
};

struct RoundOutcome {
  std::int64_t episode = 0;
  int round = 0;
  int start_step = 0;
  int k = 0;
  int committed = 0;      // steps committed by the round (J)
  int matched = 0;        // leading guesses that matched
  bool mismatch = false;  // the round ended at a wrong guess (a breaking point)
  bool episode_end = false;
  sim::Time start, end;
};

class Policy {
 public:
  virtual ~Policy() = default;
  // Learning policies schedule their training jobs on the clock they run on.
  virtual void attach(sim::Clock& /*clock*/) {}
  virtual Decision choose_k(const RoundContext& context) = 0;
  virtual void on_round_end(const RoundOutcome& /*outcome*/) {}
  virtual void on_episode_end(std::int64_t /*episode*/) {}
  // Learning policies report their predictor's record; others have none.
  virtual const LearningStats* learning() const { return nullptr; }
};

}  // namespace specsim::policies

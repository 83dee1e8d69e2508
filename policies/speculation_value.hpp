#pragma once
// What a round of depth k is expected to be worth against the target alone, under the closed
// form of DESIGN §1 (i.i.d. match probability p, constant step latencies a and t): the cost-aware
// policy's model of the world, fed with what it has observed.
namespace specsim::policies {

struct StepEconomics {
  double match_probability = 0;  // p: a guess matches T's step
  double approx_s = 0;           // a: one step of A
  double target_s = 0;           // t: one step of T
  double approx_usd = 0;         // one started step of A
  double wasted_target_usd = 0;  // one step of T off the committed path (mostly cancelled)
};

struct DepthValue {
  double committed_steps = 1;  // E[J]
  double seconds_saved = 0;    // per round, against T alone committing the same steps
  double extra_usd = 0;        // per round: every A step, and T's steps off the committed path
};

// The round's expectation at depth k >= 1 (k = 0 is the target alone: nothing saved or spent).
// A mismatch at position m is known when T's step m returns, at m a + t; by then A has started
// min(k, m + ceil(t / a)) steps, each with a T step beside it, and the round commits m + 1.
DepthValue depth_value(const StepEconomics& e, int k);

// The depth in 0 .. k_max with the largest expected net value per committed step,
// (usd_per_s * seconds_saved - extra_usd) / E[J], the smaller k on a tie: a deeper round is
// worth its price when the seconds it saves per step, at usd_per_s, pay for what it adds per step.
int best_depth(const StepEconomics& e, double usd_per_s, int k_max);

}  // namespace specsim::policies

// DSP's learner as a preset (`learner: {preset: dsp_openagi}`): its settings, the one-worker job
// queue where triggers wait, and its decoding.
#include <catch2/catch.hpp>

#include "policies/dsp_policy.hpp"
#include "sim/clock.hpp"
#include "sim/config_node.hpp"
#include "support/input_error.hpp"

using namespace specsim;
using policies::DspConfig;

namespace {

// Three mismatch rounds in a row, each with two returned guesses (the second after the break).
std::int64_t jobs_after_three_triggers(DspConfig c, double& finished_at) {
  sim::SimClock clock;
  policies::DspPolicy p(c, policies::PolicyEnv{1, "t"});
  p.attach(clock);
  policies::RoundContext ctx;
  ctx.max_steps = 10;
  for (int r = 0; r < 3; ++r) {
    ctx.step = r;
    p.choose_k(ctx);
    policies::RoundOutcome o;
    o.start_step = r;
    o.k = 2;
    o.committed = 1;
    o.mismatch = true;
    o.guessed = 2;
    p.on_round_end(o);
  }
  // Until every job started (now or from the queue) has completed.
  clock.run_until([&] { return p.learning()->jobs_completed == p.learning()->jobs_started; });
  finished_at = clock.now().seconds();
  return p.learning()->jobs_completed;
}

}  // namespace

TEST_CASE("the dsp_openagi preset holds DSP's settings", "[dsp][preset]") {
  const DspConfig c = policies::dsp_openagi_preset();
  CHECK(c.tau == 0.5);
  CHECK(c.learner.buffer_capacity == 1000);
  CHECK(c.learner.training.adamw.lr == 5e-5);
  CHECK(c.learner.training.lambda == 0.9);
  CHECK(c.learner.training.epochs == 3);
  CHECK(c.learner.training.bootstrap_same_state);
  CHECK(c.learner.training.relabel_each_epoch);
  CHECK(c.learner.training.without_replacement);
  CHECK(c.state_per_guess);
  CHECK(c.train_on_mismatch);
  CHECK(c.train_every == 2);
  CHECK(c.queue_jobs);
  CHECK(c.skip_below_batch);
  CHECK(c.prediction_latency.seconds() == 0.29);
  CHECK(c.train_fixed.seconds() == 6.0);
}

TEST_CASE("with one worker, triggers during a job wait for it; otherwise they are dropped", "[dsp][preset]") {
  DspConfig c = policies::dsp_openagi_preset();
  c.train_sigma = 0;  // 6 s per job exactly
  c.train_every = 1;
  c.skip_below_batch = false;
  double end = 0;
  CHECK(jobs_after_three_triggers(c, end) == 3);
  CHECK(end == 18.0);  // one after another: [0, 6], [6, 12], [12, 18]
  c.queue_jobs = false;
  CHECK(jobs_after_three_triggers(c, end) == 1);
  CHECK(end == 6.0);
  // No job while the buffer holds fewer states than a batch (6 states < 16).
  c.queue_jobs = true;
  c.skip_below_batch = true;
  CHECK(jobs_after_three_triggers(c, end) == 0);
}

TEST_CASE("a dsp policy decodes the preset, keys after it override it", "[dsp][preset]") {
  const auto decode = [](const std::string& text) {
    return policies::decode_dsp(sim::ConfigNode::load_string(text, "p.yaml"));
  };
  CHECK(decode("{kind: dsp, learner: {preset: dsp_openagi}}").label == "dsp(dsp_openagi,tau=0.5)");
  CHECK(decode("{kind: dsp, learner: {preset: dsp_openagi}, training: {lr: 0.005}}").label ==
        "dsp(dsp_openagi,tau=0.5)");
  using Catch::Matchers::Contains;
  CHECK_THAT(testing::input_error_of([&] { decode("{kind: dsp, learner: {preset: dsp_paper}}"); }),
             Contains("p.yaml:1:") && Contains("unknown learner preset 'dsp_paper' (expected one of: dsp_openagi)"));
  CHECK_THAT(testing::input_error_of([&] { decode("{kind: dsp, learner: {preset: dsp_openagi, lr: 1}}"); }),
             Contains("learner.lr"));
}

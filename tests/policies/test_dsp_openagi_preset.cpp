// DSP's learner as a preset (`learner: {preset: dsp_openagi}`): its settings, the one-worker job
// queue where triggers wait, and its decoding.
#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "policies/dsp_policy.hpp"
#include "sim/clock.hpp"
#include "sim/config_node.hpp"
#include "support/input_error.hpp"

using namespace specsim;
using policies::DspConfig;

namespace {

// Three mismatch rounds in a row, each with two returned guesses (the second after the break);
// then the clock runs until every job started (now or from the queue) has completed. Returns the
// k chosen in each round.
std::vector<int> three_mismatch_rounds(policies::DspPolicy& p, sim::SimClock& clock) {
  policies::RoundContext ctx;
  ctx.max_steps = 10;
  std::vector<int> chosen;
  for (int r = 0; r < 3; ++r) {
    ctx.step = r;
    chosen.push_back(p.choose_k(ctx).k);
    policies::RoundOutcome o;
    o.start_step = r;
    o.k = 2;
    o.committed = 1;
    o.mismatch = true;
    o.guessed = 2;
    p.on_round_end(o);
  }
  clock.run_until([&] { return p.learning()->jobs_completed == p.learning()->jobs_started; });
  return chosen;
}

std::int64_t jobs_after_three_triggers(DspConfig c, double& finished_at) {
  sim::SimClock clock;
  policies::DspPolicy p(c, policies::PolicyEnv{1, "t"});
  p.attach(clock);
  three_mismatch_rounds(p, clock);
  finished_at = clock.now().seconds();
  return p.learning()->jobs_completed;
}

}  // namespace

TEST_CASE("the dsp_openagi preset holds DSP's settings", "[dsp][preset]") {
  const DspConfig c = policies::dsp_openagi_preset();
  CHECK(c.tau == 0.5);
  CHECK(c.learner.buffer_capacity == 1000);
  CHECK(c.learner.training.adamw.lr == 5e-5);
  CHECK(c.learner.training.adamw.weight_decay == 0);  // optim.Adam
  CHECK(c.learner.training.lambda == 0.9);
  CHECK(c.learner.training.epochs == 3);
  CHECK(c.learner.training.bootstrap_same_state);
  CHECK(c.learner.training.relabel_each_epoch);
  CHECK(c.learner.training.without_replacement);
  CHECK(c.learner.training.resample_each_epoch);
  CHECK(c.state_per_guess);
  CHECK(c.train_on_mismatch);
  CHECK(c.carry_over_episode_end);
  CHECK(c.train_every == 1);  // what the logs show, not the stored script's 2
  CHECK(c.queue_jobs);
  CHECK(c.skip_below_batch);
  CHECK(c.prediction_latency.seconds() == 0.29);
  CHECK(c.train_fixed == sim::Time::zero());
  CHECK(c.train_per_sample.seconds() == 0.375);
}

TEST_CASE("with one worker, triggers during a job wait for it, otherwise they are dropped", "[dsp][preset]") {
  DspConfig c = policies::dsp_openagi_preset();
  c.train_sigma = 0;  // 6 s per job exactly
  c.train_fixed = sim::Time::from_seconds(6.0);
  c.train_per_sample = sim::Time::zero();
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

TEST_CASE("a dsp policy's learner may train in float, with or without a preset", "[dsp][preset]") {
  const auto decode = [](const std::string& text) {
    return policies::decode_dsp(sim::ConfigNode::load_string(text, "p.yaml"));
  };
  CHECK(decode("{kind: dsp, learner: {precision: float}}").label == "dsp(tau=0.5,float)");
  CHECK(decode("{kind: dsp, learner: {precision: double}}").label == "dsp(tau=0.5)");
  CHECK(decode("{kind: dsp, learner: {preset: dsp_openagi, precision: float}}").label == "dsp(dsp_openagi,tau=0.5,float)");
  using Catch::Matchers::Contains;
  CHECK_THAT(testing::input_error_of([&] { decode("{kind: dsp, learner: {precision: half}}"); }),
             Contains("p.yaml:1:") && Contains("learner.precision") &&
                 Contains("unknown precision 'half' (expected one of: double, float)"));
}

TEST_CASE("a warm start trusts the offline weights from the first round", "[dsp][preset]") {
  DspConfig c = policies::dsp_openagi_preset();
  // The round context below gives the 4 history features: a model of 4 inputs whose only nonzero
  // parameter is its output bias, 2.6, predicts k = 3 everywhere.
  const policies::learner::MlpShape shape{4, {3}, policies::learner::Activation::relu};
  Eigen::VectorXd w = Eigen::VectorXd::Zero(policies::learner::Mlp::parameter_count(shape));
  w[w.size() - 1] = 2.6;
  c.initial_weights = std::make_shared<const policies::learner::Mlp>(shape, w);
  sim::SimClock clock;
  policies::DspPolicy warm(c, policies::PolicyEnv{1, "t"});
  warm.attach(clock);
  policies::RoundContext ctx;
  ctx.max_steps = 10;
  CHECK(warm.choose_k(ctx).k == 3);
  c.initial_weights.reset();  // cold: k_min until a job lands
  policies::DspPolicy cold(c, policies::PolicyEnv{1, "t"});
  cold.attach(clock);
  CHECK(cold.choose_k(ctx).k == 1);
  // Weights of another input width are an error, not a silent misread.
  c.initial_weights = std::make_shared<const policies::learner::Mlp>(
      policies::learner::MlpShape{5, {3}, policies::learner::Activation::relu},
      Eigen::VectorXd::Zero(policies::learner::Mlp::parameter_count({5, {3}, policies::learner::Activation::relu})));
  policies::DspPolicy wrong(c, policies::PolicyEnv{1, "t"});
  wrong.attach(clock);
  CHECK_THROWS_WITH(wrong.choose_k(ctx), "dsp: the initial weights take 5 features, the rounds give 4");

  // A diverged predictor (inf, NaN, or far beyond k_max) gives a k in range: the cast to int is
  // made only after clamping (it overflowed before).
  for (const double bias : {1e300, -1e300, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    w[w.size() - 1] = bias;
    c.initial_weights = std::make_shared<const policies::learner::Mlp>(shape, w);
    policies::DspPolicy diverged(c, policies::PolicyEnv{1, "t"});
    diverged.attach(clock);
    const int k = diverged.choose_k(ctx).k;
    INFO(bias);
    CHECK(k == (bias > 0 ? c.k_max : c.k_min));  // NaN > 0 is false: k_min
  }
}

TEST_CASE("an episode that ends without a mismatch leaves its states to the next one's first trajectory", "[dsp][preset]") {
  // Episode 0: one round guessing steps 0-1, both right, the end. Episode 1: a round guessing
  // steps 0-2, the guess at step 1 wrong (a mismatch, 2 steps committed).
  const auto run = [](bool carry) {
    DspConfig c = policies::dsp_openagi_preset();
    c.carry_over_episode_end = carry;
    sim::SimClock clock;
    auto p = std::make_unique<policies::DspPolicy>(c, policies::PolicyEnv{1, "t"});
    p->attach(clock);
    policies::RoundContext ctx;
    ctx.max_steps = 10;
    p->choose_k(ctx);
    policies::RoundOutcome end;
    end.k = end.guessed = end.committed = 2;
    end.episode_end = true;
    p->on_round_end(end);
    p->choose_k(ctx);
    policies::RoundOutcome miss;
    miss.k = miss.guessed = 3;
    miss.committed = 2;
    miss.mismatch = true;
    p->on_round_end(miss);
    return p;
  };
  const auto dsp = run(true);
  const auto& b = dsp->replay_buffer();
  REQUIRE(b.size() == 2);
  // The carried states, labelled 0 (all after the break), then the new episode's: DSP's pairing
  // breaks at its first step, so only the state there has a label (1).
  CHECK(std::vector<int>(b[0].steps.begin(), b[0].steps.end()) == std::vector<int>{0, 1});
  CHECK(b[0].after_break == 2);
  CHECK(std::vector<int>(b[1].steps.begin(), b[1].steps.end()) == std::vector<int>{0, 1, 2});
  CHECK(b[1].breaking_step == 0);
  CHECK(b[1].after_break == 2);
  // Without: the episode end is a breaking point of its own, and the mismatch labels its segment.
  const auto plain = run(false);
  REQUIRE(plain->replay_buffer().size() == 2);
  CHECK(plain->replay_buffer()[0].breaking_step == 1);
  CHECK(plain->replay_buffer()[0].after_break == 0);
  CHECK(plain->replay_buffer()[1].breaking_step == 1);
  CHECK(plain->replay_buffer()[1].after_break == 1);
}

TEST_CASE("a training job that comes back not finite is discarded and counted", "[dsp][preset]") {
  // Weights with an infinite output bias predict k_max; a job on them returns NaN everywhere
  // (inf - inf in the gradient), which would make every later prediction NaN (k_min).
  DspConfig c = policies::dsp_openagi_preset();
  c.skip_below_batch = false;
  const policies::learner::MlpShape shape{4, {3}, policies::learner::Activation::relu};
  Eigen::VectorXd w = Eigen::VectorXd::Zero(policies::learner::Mlp::parameter_count(shape));
  w[w.size() - 1] = std::numeric_limits<double>::infinity();
  c.initial_weights = std::make_shared<const policies::learner::Mlp>(shape, w);
  sim::SimClock clock;
  policies::DspPolicy p(c, policies::PolicyEnv{1, "t"});
  p.attach(clock);
  CHECK(three_mismatch_rounds(p, clock) == std::vector<int>{c.k_max, c.k_max, c.k_max});
  CHECK(p.learning()->jobs_completed == 3);
  CHECK(p.learning()->jobs_diverged == 3);
  policies::RoundContext ctx;
  ctx.max_steps = 10;
  CHECK(p.choose_k(ctx).k == c.k_max);  // still the weights it had, not NaN's k_min
}

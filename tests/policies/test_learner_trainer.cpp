// Trainer: batch labelling, a learnable toy problem, bit-for-bit determinism, the expectile's
// effect on predictions, copy semantics of a job, and DSP's accuracy.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "policies/learner/accuracy.hpp"
#include "policies/learner/expectile_loss.hpp"
#include "policies/learner/labels.hpp"
#include "policies/learner/trainer.hpp"

using namespace specsim::policies::learner;
using specsim::sim::RandomStream;

namespace {

constexpr int kInputs = 4;
const MlpShape kShape{kInputs, {16, 16}, Activation::relu};

// Segments of 1-5 consecutive steps ending at a mismatch. Feature 0 is the state's ideal k / 4
// plus small noise (so the label is a linear function of the features, up to noise), feature 1
// the step index / 20, features 2-3 pure noise.
ReplayBuffer toy_buffer(int trajectories, RandomStream& rng) {
  ReplayBuffer buffer;
  for (int n = 0; n < trajectories; ++n) {
    const int length = static_cast<int>(rng.uniform_int(1, 5));
    const int first = static_cast<int>(rng.uniform_int(0, 20));
    Trajectory t;
    t.breaking_step = first + length - 1;
    t.features.resize(kInputs, length);
    for (int i = 0; i < length; ++i) {
      const int step = first + i;
      t.steps.push_back(step);
      t.features.col(i) << (t.breaking_step - step + 1) / 4.0 + 0.02 * rng.normal(), step / 20.0,
          rng.normal(), rng.normal();
    }
    buffer.add(std::move(t));
  }
  return buffer;
}

// Every state of a buffer, labelled with its ideal k.
Batch whole_buffer(const ReplayBuffer& buffer, const Mlp& model) {
  std::vector<std::size_t> all(buffer.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  TrainerConfig ideal;
  ideal.target = Target::ideal_k;
  return make_batch(buffer, all, model, ideal);
}

double eval_loss(const Mlp& model, const Batch& eval, double tau = 0.5) {
  return ExpectileLoss(tau).mean(eval.targets(), model.predict_batch(eval.features()));
}

TrainingState trained(TrainingState state, const ReplayBuffer& buffer, const TrainerConfig& config,
                      int jobs, RandomStream& rng) {
  for (int j = 0; j < jobs; ++j) state = run_training_job(std::move(state), buffer, config, rng).state;
  return state;
}

}  // namespace

TEST_CASE("a batch concatenates the picked trajectories in draw order", "[trainer]") {
  ReplayBuffer buffer;
  buffer.add({Eigen::MatrixXd::Constant(kInputs, 2, 1.0), {3, 4}, 5});
  buffer.add({Eigen::MatrixXd::Constant(kInputs, 1, 2.0), {7}, 9});
  RandomStream init(1, "init", 0);
  const Mlp model(kShape, init);
  TrainerConfig config;
  config.target = Target::ideal_k;
  const std::vector<std::size_t> picks{1, 0, 1};
  const Batch b = make_batch(buffer, picks, model, config);
  CHECK(b.trajectories == 3);
  REQUIRE(b.features().cols() == 4);
  CHECK(b.features().row(0) == Eigen::RowVector4d(2, 1, 1, 2));
  CHECK(b.ideal_k() == Eigen::Vector4d(3, 3, 2, 3));
  CHECK(b.targets() == b.ideal_k());
}

TEST_CASE("lambda-return targets bootstrap from the model's values", "[trainer]") {
  RandomStream data(2, "toy", 0), init(2, "init", 0);
  const ReplayBuffer buffer = toy_buffer(6, data);
  const Mlp model(kShape, init);
  const std::vector<std::size_t> picks{0, 1, 2, 3, 4, 5};
  TrainerConfig config;
  config.target = Target::lambda_return;
  config.gamma = 1.0;
  config.lambda = 0.95;
  const Batch b = make_batch(buffer, picks, model, config);

  Eigen::Index col = 0;
  for (std::size_t p : picks) {
    const TrajectoryView t = buffer[p];
    const Eigen::VectorXd expected = lambda_return_labels(
        t.steps, t.breaking_step, model.predict_batch(t.features), config.gamma, config.lambda);
    CHECK_THAT((b.targets().segment(col, t.size()) - expected).norm(), Catch::Matchers::WithinAbs(0.0, 1e-12));
    col += t.size();
  }
  CHECK(b.targets() != b.ideal_k());  // multi-state segments do bootstrap

  config.lambda = 1.0;
  CHECK(make_batch(buffer, picks, model, config).targets() == b.ideal_k());
}

TEST_CASE("training on a learnable toy problem lowers the loss", "[trainer]") {
  RandomStream data(3, "toy", 0), held_out(3, "toy", 1), init(3, "init", 0), train(3, "train", 0);
  const ReplayBuffer buffer = toy_buffer(200, data);
  TrainerConfig config;
  config.adamw.lr = 1e-2;
  TrainingState state = make_training_state(kShape, config, init);
  const Batch eval = whole_buffer(toy_buffer(100, held_out), state.model);

  const double initial = eval_loss(state.model, eval);
  state = trained(std::move(state), buffer, config, 5, train);
  const double after_few = eval_loss(state.model, eval);
  state = trained(std::move(state), buffer, config, 295, train);
  const double after_many = eval_loss(state.model, eval);
  CAPTURE(initial, after_few, after_many);
  CHECK(after_few < initial);
  CHECK(after_many < 0.05 * initial);
  CHECK(after_many < 0.1);  // labels are k in 1..5: a mean squared error of ~0.2 at most
  CHECK(state.optimizer.steps() == 300 * config.epochs);
}

TEST_CASE("a job reports its batch, losses and accuracy", "[trainer]") {
  RandomStream data(4, "toy", 0), init(4, "init", 0), train(4, "train", 0);
  const ReplayBuffer buffer = toy_buffer(50, data);
  TrainerConfig config;  // lambda returns, so the fitted targets differ from the ideal k
  config.adamw.lr = 1e-2;
  config.batch_stats = true;
  const TrainingState state = make_training_state(kShape, config, init);

  RandomStream replay = train;  // the same draws the job will make
  const Batch batch = make_batch(buffer, buffer.sample(16, replay), state.model, config);
  const TrainResult r = run_training_job(state, buffer, config, train);
  CHECK(r.stats.samples == batch.features().cols());
  CHECK(r.stats.samples >= config.batch_steps);
  CHECK(r.stats.work == r.stats.samples * config.epochs);  // one batch for every epoch
  CHECK(r.stats.trajectories == batch.trajectories);
  REQUIRE(batch.targets() != batch.ideal_k());
  CHECK(r.stats.loss_before == Approx(eval_loss(state.model, batch)).epsilon(1e-12));
  CHECK(r.stats.loss_after == Approx(eval_loss(r.state.model, batch)).epsilon(1e-12));
  CHECK(r.stats.loss_after < r.stats.loss_before);
  CHECK(r.stats.accuracy_before == dsp_accuracy(state.model.predict_batch(batch.features()), batch.ideal_k()));
  CHECK(r.stats.accuracy == dsp_accuracy(r.state.model.predict_batch(batch.features()), batch.ideal_k()));
}

TEST_CASE("a job trains a copy: the caller's weights and optimizer are untouched", "[trainer]") {
  RandomStream data(5, "toy", 0), init(5, "init", 0), train(5, "train", 0);
  const ReplayBuffer buffer = toy_buffer(20, data);
  const TrainerConfig config;
  const TrainingState live = make_training_state(kShape, config, init);
  const Eigen::VectorXd before = live.model.parameters();
  const TrainResult r = run_training_job(live, buffer, config, train);
  CHECK(live.model.parameters() == before);
  CHECK(live.optimizer.steps() == 0);
  CHECK(r.state.model.parameters() != before);
  CHECK(r.state.optimizer.steps() == config.epochs);
}

TEST_CASE("the same seeds give bit-identical weights", "[trainer]") {
  const auto run = [](std::uint64_t train_seed) {
    RandomStream data(6, "toy", 0), init(6, "init", 0), train(train_seed, "train", 0);
    const ReplayBuffer buffer = toy_buffer(40, data);
    TrainerConfig config;  // lambda returns: the bootstrapped targets must be reproducible too
    return trained(make_training_state(kShape, config, init), buffer, config, 20, train)
        .model.parameters();
  };
  const Eigen::VectorXd a = run(1), b = run(1), c = run(2);
  CHECK(a == b);  // exact equality, not approximate
  CHECK(a != c);
}

TEST_CASE("a high-tau model predicts higher than a low-tau model", "[trainer]") {
  // Single-state segments whose k (1..5) is independent of the features: the best a model can
  // do is the label distribution's tau-expectile (~1.8 for tau 0.1, ~4.2 for tau 0.9).
  RandomStream data(7, "noisy", 0);
  ReplayBuffer buffer;
  for (int n = 0; n < 300; ++n) {
    const int k = static_cast<int>(data.uniform_int(1, 5));
    Eigen::MatrixXd f(kInputs, 1);
    f << data.normal(), data.normal(), data.normal(), data.normal();
    buffer.add({f, {10}, 10 + k - 1});
  }
  const auto fit = [&](double tau) {
    RandomStream init(7, "init", 0), train(7, "train", 0);
    TrainerConfig config;
    config.tau = tau;
    config.adamw.lr = 1e-2;
    return trained(make_training_state(kShape, config, init), buffer, config, 200, train).model;
  };
  const Mlp low = fit(0.1), high = fit(0.9);
  RandomStream probe(7, "probe", 0);
  Eigen::MatrixXd X(kInputs, 200);
  for (Eigen::Index i = 0; i < X.size(); ++i) X.data()[i] = probe.normal();
  const double mean_low = low.predict_batch(X).mean(), mean_high = high.predict_batch(X).mean();
  CAPTURE(mean_low, mean_high);
  CHECK(mean_high > mean_low + 1.5);
  CHECK(mean_low < 3.0);
  CHECK(mean_high > 3.0);
}

TEST_CASE("jobs reject an empty buffer and bad settings", "[trainer]") {
  RandomStream init(8, "init", 0), train(8, "train", 0);
  TrainerConfig config;
  const TrainingState state = make_training_state(kShape, config, init);
  CHECK_THROWS_AS(run_training_job(state, ReplayBuffer(), config, train), std::invalid_argument);

  ReplayBuffer buffer;
  buffer.add({Eigen::MatrixXd::Zero(kInputs, 1), {1}, 1});
  for (auto broken : {+[](TrainerConfig& c) { c.tau = 1.0; }, +[](TrainerConfig& c) { c.epochs = 0; },
                      +[](TrainerConfig& c) { c.batch_steps = 0; }, +[](TrainerConfig& c) { c.lambda = 2; },
                      +[](TrainerConfig& c) { c.gamma = -1; }, +[](TrainerConfig& c) { c.adamw.lr = -1; }}) {
    TrainerConfig bad;
    broken(bad);
    CHECK_THROWS_AS(run_training_job(state, buffer, bad, train), std::invalid_argument);
  }
  ReplayBuffer wrong_width;
  wrong_width.add({Eigen::MatrixXd::Zero(kInputs + 1, 1), {1}, 1});
  CHECK_THROWS_AS(run_training_job(state, wrong_width, config, train), std::invalid_argument);
}

TEST_CASE("DSP accuracy counts the ideal k and one more as hits", "[trainer][accuracy]") {
  CHECK(dsp_hit(2.4, 2.0));    // rounds to 2
  CHECK(dsp_hit(2.6, 2.0));    // rounds to 3 = k + 1
  CHECK_FALSE(dsp_hit(3.5, 2.0));  // rounds to 4
  CHECK_FALSE(dsp_hit(1.4, 2.0));  // one too few is a miss
  const Eigen::Vector4d pred(2.4, 2.4, 2.4, 0.2), ideal(1, 2, 3, 1);
  CHECK(dsp_accuracy(pred, ideal) == 0.5);  // hits: ideal 1 (2 = 1+1) and ideal 2
  CHECK(dsp_accuracy(Eigen::VectorXd(0), Eigen::VectorXd(0)) == 0.0);
  CHECK_THROWS_AS(dsp_accuracy(pred, Eigen::Vector3d::Zero()), std::invalid_argument);
}

TEST_CASE("the inlined rounding is std::round bit for bit", "[trainer][accuracy]") {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> xs{0.0, -0.0, 0.3, -0.3, 0.5, -0.5, 0.49999999999999994, -0.49999999999999994,
                               1.5, -1.5, 2.5, 2.5000000000000004, 7.499999999999999, 8.5, -1.0, 1e15 + 0.5,
                               4503599627370495.5, 4503599627370496.0, -4503599627370497.0, 1e300, inf, -inf};
  for (const double x : xs) {
    const double ours = round_half_away(x), theirs = std::round(x);
    CHECK(ours == theirs);
    CHECK(std::signbit(ours) == std::signbit(theirs));
  }
  CHECK(std::isnan(round_half_away(std::numeric_limits<double>::quiet_NaN())));
}

TEST_CASE("target names round-trip", "[trainer]") {
  for (Target t : {Target::ideal_k, Target::lambda_return}) CHECK(target_from_name(target_name(t)) == t);
  CHECK_FALSE(target_from_name("td0").has_value());
}

TEST_CASE("guesses after the break are labelled 0 and masked out of the lambda returns", "[trainer][dsp]") {
  // DSP's states of one round: guesses at steps 3, 4, 5, 6; the mismatch is at step 4.
  SegmentRecorder rec(kInputs);
  for (int s = 3; s <= 6; ++s) rec.add(Eigen::VectorXd::Constant(kInputs, s), s);
  CHECK_THROWS_AS(rec.close(4), std::invalid_argument);  // without after-break states: an error
  const Trajectory t = rec.close(4, true);
  CHECK(t.after_break == 2);
  CHECK(t.head() == 2);
  ReplayBuffer buffer;
  buffer.add(t);
  RandomStream init(1, "init", 0);
  const Mlp model(kShape, init);
  TrainerConfig c;
  c.target = Target::lambda_return;
  c.bootstrap_same_state = true;
  c.lambda = 0.9;
  const std::vector<std::size_t> picks{0};
  const Batch batch = make_batch(buffer, picks, model, c);
  REQUIRE(batch.targets().size() == 4);
  CHECK(std::vector<double>(batch.ideal_k().data(), batch.ideal_k().data() + 4) == std::vector<double>{2, 1, 0, 0});
  const Eigen::VectorXd v = model.predict_batch(batch.features());
  CHECK(batch.targets()[1] == Approx(1 + 0.1 * v[1]).epsilon(1e-12));
  CHECK(batch.targets()[0] == Approx(1 + 0.1 * v[0] + 0.9 * batch.targets()[1]).epsilon(1e-12));
  CHECK(batch.targets()[2] == 0);
  CHECK(batch.targets()[3] == 0);
}

TEST_CASE("with resample_each_epoch every epoch draws its own batch, as DSP's does", "[trainer]") {
  RandomStream data(5, "toy", 0), init(5, "init", 0), train(5, "train", 0);
  const ReplayBuffer buffer = toy_buffer(50, data);
  TrainerConfig config;
  config.without_replacement = true;
  config.resample_each_epoch = true;
  const TrainingState state = make_training_state(kShape, config, init);
  RandomStream replay = train;  // the draws the job will make, one batch per epoch
  std::int64_t states = 0;
  for (int e = 0; e < config.epochs; ++e) {
    std::int64_t n = 0;
    for (std::size_t p : buffer.sample_without_replacement(16, replay)) n += buffer[p].size();
    states += n;
  }
  const TrainResult r = run_training_job(state, buffer, config, train);
  CHECK(r.stats.work == states);
  CHECK(train.uniform_int(0, 1'000'000) == replay.uniform_int(0, 1'000'000));  // it drew exactly those three batches
}

TEST_CASE("a job in float trains float weights and leaves the model holding them", "[trainer][float]") {
  RandomStream data(9, "toy", 0), held_out(9, "toy", 1), init(9, "init", 0);
  const ReplayBuffer buffer = toy_buffer(200, data);
  TrainerConfig config;  // lambda returns relabelled every epoch: the labels read the model mid-job
  config.adamw.lr = 1e-2;
  config.relabel_each_epoch = true;
  config.precision = Precision::float32;
  const TrainingState start = make_training_state(kShape, config, init);
  const Batch eval = whole_buffer(toy_buffer(100, held_out), start.model);

  RandomStream train(9, "train", 0);
  const TrainingState state = trained(start, buffer, config, 300, train);
  const Eigen::VectorXd& p = state.model.parameters();
  CHECK(p.cast<float>().cast<double>() == p);  // exactly float values, widened
  CHECK(state.optimizer.steps() == 300 * config.epochs);
  CHECK(eval_loss(state.model, eval) < 0.05 * eval_loss(start.model, eval));

  // The same job in double lands elsewhere, but near.
  config.precision = Precision::float64;
  RandomStream train64(9, "train", 0);
  const TrainingState one64 = trained(start, buffer, config, 1, train64);
  config.precision = Precision::float32;
  RandomStream train32(9, "train", 0);
  const TrainingState one32 = trained(start, buffer, config, 1, train32);
  CHECK(one32.model.parameters() != one64.model.parameters());
  CHECK((one32.model.parameters() - one64.model.parameters()).norm() < 1e-5 * one64.model.parameters().norm());
}

TEST_CASE("a prepared job needs neither the buffer nor the stream: the buffer may change, the result does not",
          "[trainer][background]") {
  // The DSP policy draws a job's batches when it starts and runs its arithmetic on a worker
  // while the buffer fills: for every configuration that resamples or relabels mid-job.
  for (const bool resample : {false, true}) {
    for (const Target target : {Target::ideal_k, Target::lambda_return}) {
      CAPTURE(resample, target_name(target));
      RandomStream data(10, "toy", 0), more(10, "toy", 1), init(10, "init", 0);
      ReplayBuffer buffer(30);
      for (int i = 0; i < 2; ++i) {
        const ReplayBuffer part = toy_buffer(20, data);
        for (std::size_t j = 0; j < part.size(); ++j) buffer.add(part[j]);
      }
      TrainerConfig config;
      config.target = target;
      config.resample_each_epoch = resample;
      config.relabel_each_epoch = true;
      config.batch_stats = true;
      const TrainingState start = make_training_state(kShape, config, init);

      RandomStream at_once(10, "train", 0), prepared(10, "train", 0);
      TrainingState a = start, b = start;
      const TrainStats sa = train(a, buffer, config, at_once);

      JobInput job;
      prepare_job(job, buffer, kInputs, config, prepared);
      const ReplayBuffer newer = toy_buffer(30, more);  // evicts every trajectory the job drew
      for (std::size_t j = 0; j < newer.size(); ++j) buffer.add(newer[j]);
      const TrainStats sb = run_job(b, job, config);

      CHECK(job.batches.size() == (resample ? static_cast<std::size_t>(config.epochs) : 1));
      CHECK(sb.work == job.work);
      CHECK(sa.work == sb.work);
      CHECK(sa.loss_before == sb.loss_before);  // exact: the same arithmetic in the same order
      CHECK(sa.loss_after == sb.loss_after);
      CHECK(a.model.parameters() == b.model.parameters());
      CHECK(at_once.uniform_int(0, 1'000'000) == prepared.uniform_int(0, 1'000'000));  // the same draws
    }
  }
}

TEST_CASE("preparing a job checks the buffer and the width", "[trainer][background]") {
  RandomStream rng(11, "train", 0);
  JobInput job;
  CHECK_THROWS_AS(prepare_job(job, ReplayBuffer(), kInputs, TrainerConfig{}, rng), std::invalid_argument);
  ReplayBuffer buffer;
  buffer.add({Eigen::MatrixXd::Zero(kInputs, 1), {1}, 1});
  CHECK_THROWS_AS(prepare_job(job, buffer, kInputs + 1, TrainerConfig{}, rng), std::invalid_argument);
}

TEST_CASE("a job from one state into another gives what copying and training in place gives", "[trainer][background]") {
  // The DSP policy's two sets of weights: a job reads the set in use and writes the spare one,
  // which holds older weights and moments (or another shape, which is refused).
  for (const Precision precision : {Precision::float64, Precision::float32}) {
    for (const Target target : {Target::ideal_k, Target::lambda_return}) {
      CAPTURE(precision_name(precision), target_name(target));
      RandomStream data(11, "toy", 0), init(11, "init", 0);
      const ReplayBuffer buffer = toy_buffer(40, data);
      TrainerConfig config;
      config.target = target;
      config.relabel_each_epoch = true;
      config.batch_stats = true;
      config.precision = precision;
      TrainingState in_place = make_training_state(kShape, config, init);
      TrainingState spare = in_place;  // becomes stale: the weights and moments of two jobs ago
      RandomStream rng_a(11, "train", 0), rng_b(11, "train", 0);
      for (int round = 0; round < 3; ++round) {
        CAPTURE(round);
        JobInput job_a, job_b;
        prepare_job(job_a, buffer, kInputs, config, rng_a);
        prepare_job(job_b, buffer, kInputs, config, rng_b);
        const TrainingState before = in_place;
        const TrainStats sa = run_job(in_place, job_a, config);
        const TrainStats sb = run_job(before, spare, job_b, config);
        CHECK(sa.loss_before == sb.loss_before);
        CHECK(sa.loss_after == sb.loss_after);
        CHECK(spare.model.parameters() == in_place.model.parameters());
        CHECK(spare.optimizer.steps() == in_place.optimizer.steps());
        CHECK(spare.optimizer.first_moment() == in_place.optimizer.first_moment());
        CHECK(spare.optimizer.second_moment() == in_place.optimizer.second_moment());
        CHECK(before.model.parameters() != in_place.model.parameters());  // `from` is left as it was
        std::swap(spare, in_place);  // the completion event's swap: `spare` is now the older set
        in_place = spare;
      }
      TrainingState other = make_training_state(MlpShape{kInputs, {8}, Activation::relu}, config, init);
      JobInput job;
      prepare_job(job, buffer, kInputs, config, rng_a);
      CHECK_THROWS_AS(run_job(in_place, other, job, config), std::logic_error);
    }
  }
}

// Offline pretraining (DSP's predictor starts from a value function trained on recorded
// trajectories): it fits the data, is a function of its seeds alone, and rejects bad settings.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "policies/learner/expectile_loss.hpp"
#include "policies/learner/pretrain.hpp"

using namespace specsim::policies::learner;
using specsim::sim::RandomStream;

namespace {

const MlpShape kShape{2, {8}, Activation::relu};

// Segments of 1-4 consecutive steps ending at a mismatch; feature 0 is the state's ideal k / 4.
ReplayBuffer segments() {
  ReplayBuffer buffer;
  for (int n = 0; n < 40; ++n) {
    const int length = 1 + n % 4, first = n;
    Trajectory t;
    t.breaking_step = first + length - 1;
    t.features.resize(2, length);
    for (int i = 0; i < length; ++i) {
      t.steps.push_back(first + i);
      t.features.col(i) << (length - i) / 4.0, 1.0;
    }
    buffer.add(std::move(t));
  }
  return buffer;
}

PretrainConfig fast() {
  PretrainConfig c;
  c.targets.target = Target::ideal_k;
  c.adamw.lr = 1e-2;
  c.adamw.weight_decay = 0;
  return c;
}

double loss_on(const Mlp& m, const ReplayBuffer& data) {
  std::vector<std::size_t> all(data.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  TrainerConfig ideal;
  ideal.target = Target::ideal_k;
  const Batch b = make_batch(data, all, m, ideal);
  return ExpectileLoss(0.5).mean(b.targets(), m.predict_batch(b.features()));
}

}  // namespace

TEST_CASE("pretraining fits the recorded trajectories, deterministically", "[learner][pretrain]") {
  const ReplayBuffer data = segments();
  RandomStream init_a(7, "init", 0), rng_a(7, "order", 0), init_b(7, "init", 0), rng_b(7, "order", 0);
  RandomStream init_c(7, "init", 0);
  const Mlp untrained(kShape, init_c);
  const Mlp a = pretrain(kShape, data, fast(), init_a, rng_a);
  const Mlp b = pretrain(kShape, data, fast(), init_b, rng_b);
  CHECK(a.parameters() == b.parameters());  // same seeds, same weights, bit for bit
  CHECK(loss_on(a, data) < 0.1 * loss_on(untrained, data));
  // 30 epochs of 3 batches (40 trajectories, 16 a batch): 90 steps of 1e-2 move no parameter
  // further than 0.9 (Adam's step is at most about lr).
  CHECK((a.parameters() - untrained.parameters()).cwiseAbs().maxCoeff() <= 0.9 + 1e-9);
}

TEST_CASE("pretraining rejects an empty data set and bad settings", "[learner][pretrain]") {
  RandomStream init(1, "i", 0), rng(1, "r", 0);
  CHECK_THROWS_AS(pretrain(kShape, ReplayBuffer(), fast(), init, rng), std::invalid_argument);
  PretrainConfig c = fast();
  c.epochs = 0;
  CHECK_THROWS_AS(pretrain(kShape, segments(), c, init, rng), std::invalid_argument);
  c = fast();
  c.batch_trajectories = 0;
  CHECK_THROWS_AS(pretrain(kShape, segments(), c, init, rng), std::invalid_argument);
}

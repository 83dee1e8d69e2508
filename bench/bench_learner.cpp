// Costs of the DSP learner that the simulator pays on the host for every round and every
// breaking point: one prediction, and one training job (DSP's batch 16, 3 epochs).
#include <benchmark/benchmark.h>

#include <optional>
#include <string>

#include "policies/learner/mlp.hpp"
#include "policies/learner/replay_buffer.hpp"
#include "policies/learner/trainer.hpp"
#include "sim/random.hpp"

namespace {

using namespace specsim::policies::learner;
using specsim::sim::RandomStream;

constexpr int kInputs = 16;

MlpShape dsp_shape(Activation a) { return {kInputs, {32, 32}, a}; }

void BM_Predict(benchmark::State& state) {
  const auto activation = static_cast<Activation>(state.range(0));
  RandomStream rng(1, "bench.init", 0);
  const Mlp model(dsp_shape(activation), rng);
  Eigen::VectorXd x(kInputs);
  for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = rng.normal();
  for (auto _ : state) {
    benchmark::DoNotOptimize(x.data());
    benchmark::DoNotOptimize(model.predict(x));
  }
  state.SetLabel(std::string(activation_name(activation)));
}
BENCHMARK(BM_Predict)->Arg(static_cast<int>(Activation::relu))
    ->Arg(static_cast<int>(Activation::tanh))->Arg(static_cast<int>(Activation::gelu));

// A full buffer (2500 segments of 1-6 steps), as after a long run.
ReplayBuffer full_buffer() {
  RandomStream rng(2, "bench.data", 0);
  ReplayBuffer buffer;
  for (std::size_t n = 0; n < buffer.capacity(); ++n) {
    const int length = static_cast<int>(rng.uniform_int(1, 6));
    Trajectory t;
    t.features.resize(kInputs, length);
    for (Eigen::Index i = 0; i < t.features.size(); ++i) t.features.data()[i] = rng.normal();
    for (int i = 0; i < length; ++i) t.steps.push_back(10 + i);
    t.breaking_step = 10 + length - 1;
    buffer.add(std::move(t));
  }
  return buffer;
}

// A job as DSP runs it (the policy's two sets of weights: the spare one refreshed from the live
// one, then trained in place), in double or float arithmetic.
void BM_TrainingJob(benchmark::State& state) {
  const ReplayBuffer buffer = full_buffer();
  TrainerConfig config;  // batch_steps 16, epochs 3
  config.target = static_cast<Target>(state.range(0));
  config.precision = static_cast<Precision>(state.range(1));
  RandomStream init(3, "bench.init", 0), train_rng(3, "bench.train", 0);
  const TrainingState learner = make_training_state(dsp_shape(Activation::relu), config, init);
  std::optional<TrainingState> spare;
  for (auto _ : state) {
    spare = learner;
    const TrainStats stats = train(*spare, buffer, config, train_rng);
    benchmark::DoNotOptimize(stats.work);
  }
  state.SetLabel(std::string(target_name(config.target)) + "," + std::string(precision_name(config.precision)));
}
BENCHMARK(BM_TrainingJob)
    ->ArgsProduct({{static_cast<int>(Target::ideal_k), static_cast<int>(Target::lambda_return)},
                   {static_cast<int>(Precision::float64), static_cast<int>(Precision::float32)}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace


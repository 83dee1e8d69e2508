#include "policies/learner/learner_config.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "sim/registry.hpp"

namespace specsim::policies::learner {

namespace {

// An optional number that must satisfy `ok`; the error names the requirement and the value.
template <class Ok>
double get_checked(const sim::ConfigNode& block, std::string_view key, double fallback, Ok ok,
                   const char* requirement) {
  const auto node = block.find(key);
  if (!node) return fallback;
  const double v = node->as<double>();
  if (!ok(v)) node->fail(std::string("must be ") + requirement + ", got " + node->yaml().Scalar());
  return v;
}

// Upper bounds keep a learner within memory and time (a typo of 1e9 epochs must not run for days).
constexpr int kMaxBatch = 100'000, kMaxEpochs = 1'000, kMaxBuffer = 10'000'000, kMaxWidth = 4'096, kMaxLayers = 16;

// A name from a fixed set: `parse` returns an empty optional for unknown names.
template <class T, class Parse>
T get_choice(const sim::ConfigNode& block, std::string_view key, T fallback, Parse parse,
             const char* choices) {
  const auto node = block.find(key);
  if (!node) return fallback;
  const std::string name = node->as<std::string>();
  const std::optional<T> v = parse(name);
  if (!v) sim::fail_unknown_name(*node, "value", name, choices);
  return *v;
}

PredictorConfig decode_predictor(const sim::ConfigNode& block) {
  block.expect_keys({"hidden", "activation"});
  PredictorConfig p;
  if (const auto hidden = block.find("hidden")) {
    p.hidden.clear();
    for (const sim::ConfigNode& item : hidden->items()) {
      const int width = item.as<int>();
      if (width < 1 || width > kMaxWidth)
        item.fail("hidden layer width must be in [1, " + std::to_string(kMaxWidth) + "], got " + std::to_string(width));
      p.hidden.push_back(width);
    }
    if (p.hidden.size() > kMaxLayers) hidden->fail("at most " + std::to_string(kMaxLayers) + " hidden layers");
  }
  p.activation =
      get_choice(block, "activation", p.activation, activation_from_name, "relu, tanh, gelu");
  return p;
}

void decode_training(const sim::ConfigNode& block, LearnerConfig& out) {
  block.expect_keys({"batch_steps", "epochs", "lr", "weight_decay", "beta1", "beta2", "buffer",
                     "target", "gamma", "lambda"});
  TrainerConfig& t = out.training;
  const auto nonneg = [](double v) { return v >= 0.0; };
  const auto unit_open = [](double v) { return v >= 0.0 && v < 1.0; };
  const auto unit_closed = [](double v) { return v >= 0.0 && v <= 1.0; };

  t.batch_steps = block.get_int("batch_steps", 1, kMaxBatch, t.batch_steps);
  t.epochs = block.get_int("epochs", 1, kMaxEpochs, t.epochs);
  // A step larger than 1 makes AdamW diverge to NaN weights (and NaN k).
  t.adamw.lr = get_checked(block, "lr", t.adamw.lr, [](double v) { return v > 0.0 && v <= 1.0; }, "in (0, 1]");
  t.adamw.weight_decay = get_checked(block, "weight_decay", t.adamw.weight_decay, nonneg, ">= 0");
  t.adamw.beta1 = get_checked(block, "beta1", t.adamw.beta1, unit_open, "in [0, 1)");
  t.adamw.beta2 = get_checked(block, "beta2", t.adamw.beta2, unit_open, "in [0, 1)");
  out.buffer_capacity = static_cast<std::size_t>(
      block.get_int("buffer", 1, kMaxBuffer, static_cast<int>(out.buffer_capacity)));
  t.target = get_choice(block, "target", t.target, target_from_name, "ideal_k, lambda_return");
  t.gamma = get_checked(block, "gamma", t.gamma, unit_closed, "in [0, 1]");
  t.lambda = get_checked(block, "lambda", t.lambda, unit_closed, "in [0, 1]");
}

}  // namespace

LearnerConfig decode_learner_config(const sim::ConfigNode& policy) { return decode_learner_config(policy, {}); }

LearnerConfig decode_learner_config(const sim::ConfigNode& policy, LearnerConfig config) {
  policy.expect_map();
  if (const auto block = policy.find("predictor")) config.predictor = decode_predictor(*block);
  if (const auto block = policy.find("training")) decode_training(*block, config);
  return config;
}

double learner_memory_bytes(const LearnerConfig& config, int inputs, int states_per_segment) {
  double parameters = 0, activations = 0;
  int fan_in = inputs;
  for (const int width : config.predictor.hidden) {
    parameters += (fan_in + 1.0) * width;
    activations += width;
    fan_in = width;
  }
  parameters += fan_in + 1.0;  // the output
  const double state = sizeof(double) * (inputs + 2.0);  // features, label and return
  return sizeof(double) * (4 * parameters + 2 * activations * config.training.batch_steps) +
         static_cast<double>(config.buffer_capacity) * states_per_segment * state;
}

}  // namespace specsim::policies::learner

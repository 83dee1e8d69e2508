// decode_learner_config: values, defaults, and InputErrors that name file, line and field.
#include <catch2/catch.hpp>

#include <string>

#include "policies/learner/learner_config.hpp"
#include "sim/config_node.hpp"
#include "sim/input_error.hpp"

using namespace specsim::policies::learner;
using specsim::sim::ConfigNode;
using specsim::sim::InputError;

namespace {

LearnerConfig decode(const std::string& yaml) {
  return decode_learner_config(ConfigNode::load_string(yaml, "scenario.yaml").at("dsp"));
}

}  // namespace

TEST_CASE("a full learner block decodes every field", "[config]") {
  const LearnerConfig c = decode(R"(
dsp:
  tau: 0.7            # the policy's key: left to the policy
  predictor: {hidden: [64, 32, 8], activation: gelu}
  training:
    batch_steps: 8
    epochs: 5
    lr: 3e-4
    weight_decay: 0
    beta1: 0.8
    beta2: 0.99
    buffer: 100
    target: ideal_k
    gamma: 0.9
    lambda: 0.5
)");
  CHECK(c.predictor.hidden == std::vector<int>{64, 32, 8});
  CHECK(c.predictor.activation == Activation::gelu);
  CHECK(c.training.batch_steps == 8);
  CHECK(c.training.epochs == 5);
  CHECK(c.training.adamw.lr == 3e-4);
  CHECK(c.training.adamw.weight_decay == 0.0);
  CHECK(c.training.adamw.beta1 == 0.8);
  CHECK(c.training.adamw.beta2 == 0.99);
  CHECK(c.buffer_capacity == 100);
  CHECK(c.training.target == Target::ideal_k);
  CHECK(c.training.gamma == 0.9);
  CHECK(c.training.lambda == 0.5);
  const MlpShape shape = c.predictor.shape(12);
  CHECK(shape.inputs == 12);
  CHECK(shape.hidden == c.predictor.hidden);
}

TEST_CASE("missing blocks and keys keep DSP's defaults", "[config]") {
  const LearnerConfig c = decode("dsp: {predictor: {activation: tanh}, training: {epochs: 2}}");
  CHECK(c.predictor.hidden == std::vector<int>{32, 32});
  CHECK(c.predictor.activation == Activation::tanh);
  CHECK(c.training.epochs == 2);
  CHECK(c.training.batch_steps == 16);
  CHECK(c.training.adamw.lr == 1e-3);
  CHECK(c.training.adamw.weight_decay == 0.01);
  CHECK(c.training.target == Target::lambda_return);
  CHECK(c.training.gamma == 1.0);
  CHECK(c.training.lambda == 0.95);
  CHECK(c.buffer_capacity == 2500);

  const LearnerConfig d = decode("dsp: {k_min: 1}");
  CHECK(d.predictor.hidden == std::vector<int>{32, 32});
  CHECK(d.training.epochs == 3);
  CHECK(decode("dsp: {predictor: {hidden: []}}").predictor.hidden.empty());  // a linear model
}

TEST_CASE("bad learner input names file, line and field", "[config]") {
  struct Case {
    const char* training_line;  // goes on line 3 of the scenario
    const char* field;
    const char* message;
  };
  const Case c = GENERATE(values<Case>({
      {"training: {lrr: 0.1}", "dsp.training.lrr", "unknown key"},
      {"training: {lambda: 1.5}", "dsp.training.lambda", "must be in [0, 1], got 1.5"},
      {"training: {gamma: -0.1}", "dsp.training.gamma", "must be in [0, 1]"},
      {"training: {lr: 0}", "dsp.training.lr", "must be in (0, 1], got 0"},
      {"training: {lr: 1e300}", "dsp.training.lr", "must be in (0, 1], got 1e300"},  // AdamW would diverge to NaN
      {"training: {weight_decay: -1}", "dsp.training.weight_decay", "must be >= 0"},
      {"training: {beta2: 1}", "dsp.training.beta2", "must be in [0, 1)"},
      {"training: {batch_steps: 0}", "dsp.training.batch_steps", "must be in [1, 100000]"},
      {"training: {epochs: 1000000000}", "dsp.training.epochs", "must be in [1, 1000]"},
      {"training: {epochs: 2.5}", "dsp.training.epochs", "expected an integer"},
      {"training: {buffer: 0}", "dsp.training.buffer", "must be in [1, 10000000]"},
      {"training: {target: td0}", "dsp.training.target", "unknown value 'td0'"},
      {"predictor: {hidden: [32, 0]}", "dsp.predictor.hidden[1]", "must be in [1, 4096], got 0"},
      {"predictor: {hidden: [100000]}", "dsp.predictor.hidden[0]", "must be in [1, 4096], got 100000"},
      {"predictor: {hidden: [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}", "dsp.predictor.hidden", "at most 16 hidden layers"},
      {"predictor: {activation: sigmoid}", "dsp.predictor.activation", "unknown value 'sigmoid'"},
      {"predictor: {width: 3}", "dsp.predictor.width", "unknown key"},
      {"predictor: [32, 32]", "dsp.predictor", "expected a mapping"},
  }));
  CAPTURE(c.training_line);
  const std::string yaml = std::string("# scenario\ndsp:\n  ") + c.training_line + "\n";
  try {
    decode(yaml);
    FAIL("no InputError");
  } catch (const InputError& e) {
    CAPTURE(e.what());
    CHECK(e.field() == c.field);
    CHECK(e.file() == "scenario.yaml");
    CHECK(e.line() == 3);
    CHECK_THAT(e.what(), Catch::Matchers::Contains(c.message));
    CHECK_THAT(e.what(), Catch::Matchers::Contains(std::string("scenario.yaml:3:")));
  }
}
